"""Build one report in a process of its own: `python -m handouts.worker < job.json > report`.

The live server runs its big reports (the summary, the handouts) here instead of in its own
process: a summary of a town hall is about a second of pure-Python CPU, and in the server
that second holds the interpreter lock while thousands of phones wait for their acks
(docs/performance.md). The job is one JSON object on standard input:

    {"db": PATH, "deck": PATH, "session": ID, "builder": "build_summary", "kwargs": {...}}

The report's bytes go to standard output; a problem is one line on standard error, exit 1.
The worker reads what the server committed, through SQLite's WAL, and writes nothing.
"""
from __future__ import annotations

import json
import os
import sys

BUILDERS = ("build_summary", "build_handouts")


def run(job: dict) -> bytes:
    import handouts
    from server.deck import load_deck
    from server.store import Store

    if job.get("builder") not in BUILDERS:
        raise ValueError(f"unknown report {job.get('builder')!r}")
    deck = load_deck(job["deck"])
    store = Store(job["db"])
    try:
        results = handouts.load_results(store, deck, job["session"])
    finally:
        store.close()
    return getattr(handouts, job["builder"])(deck, results, **job.get("kwargs", {}))


def main() -> int:
    try:
        os.nice(int(os.environ.get("WORKSHOP_REPORT_NICE", "10")))  # the room's phones go first
    except OSError:
        pass
    try:
        data = run(json.load(sys.stdin))
    except Exception as exc:  # one line for the server's log, never half a PDF
        print(f"report failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
