"""Time the PDF builders on a simulated 1,000-participant session and print the medians.

    .venv/bin/python -m scripts.bench_pdf [--runs 7] [--check]   # or `make bench`
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from handouts import build_handouts, build_summary, build_takeaway, load_results
from workshop.deck_file import load_deck
from workshop.simulate import simulate
from workshop.store import open_store

ROOT = Path(__file__).resolve().parent.parent

TARGETS = {"summary": 2.0, "handouts": 1.0, "takeaway": 0.1}  # seconds, median, 2-core laptop


def timed(fn) -> tuple[float, float]:
    """Return the wall-clock and CPU seconds one call takes (CPU time shrugs off a busy box)."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def main(argv=None) -> int:
    """Simulate a session, build each PDF several times, print medians against the targets."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7, help="builds of each PDF (default 7)")
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--deck", default=str(ROOT / "decks" / "leaders-role.yaml"))
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args(argv)
    deck = load_deck(args.deck)
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(Path(folder) / "bench.db")
        started = time.perf_counter()
        session = simulate(store, deck, args.deck, args.participants, seed=1)
        print(f"simulate  {args.participants} participants: {time.perf_counter() - started:.2f} s")
        results = load_results(store, deck, session)
        person = results.participants[0].id
        cold = timed(lambda: build_summary(deck, results))[0]
        runs = {"load_results": [timed(lambda: load_results(store, deck, session))
                                 for _ in range(args.runs)],
                "summary": [timed(lambda: build_summary(deck, results)) for _ in range(args.runs)],
                "handouts": [timed(lambda: build_handouts(deck, results))
                             for _ in range(args.runs)],
                "takeaway": [timed(lambda: build_takeaway(deck, results, person))
                             for _ in range(args.runs)]}
        size = len(build_summary(deck, results)) // 1024
        store.close()
    missed = []
    print(f"{'step':<13} {'median':>8} {'min':>7} {'max':>7} {'cpu':>7}  target (median)")
    for step, pairs in runs.items():
        times = [wall for wall, _ in pairs]
        cpu = statistics.median(c for _, c in pairs)
        median = statistics.median(times)
        target = TARGETS.get(step)
        verdict = ""
        if target is not None:
            ok = median <= target
            verdict = f"<= {target:.1f} s {'ok' if ok else 'MISSED'}"
            if not ok:
                missed.append(step)
        print(f"{step:<13} {median:>7.3f}s {min(times):>6.3f}s {max(times):>6.3f}s "
              f"{cpu:>6.3f}s  {verdict}")
    print(f"summary, first build in the process: {cold:.3f} s ({size} KiB)")
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
