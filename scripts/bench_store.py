"""Print what an answer costs in each store, and how PostgreSQL's store rides out a restart.

    python -m scripts.bench_store [--saves 2000]

It starts a PostgreSQL server of its own (tests/support/services.py) in a temporary folder,
saves answers one after another from one thread into SQLite and into PostgreSQL (each save
committed, as the room does before it acknowledges), and prints the median and p99 latency.
Then it stops PostgreSQL under a store and prints how long a call took to fail with
StoreUnavailable, and how long after the restart the same store worked again. Figures, not
assertions: the machine's disk decides most of them.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from tests.support.services import Postgres
from workshop.store import RoomState, StoreUnavailable, open_store


def save_latencies(store, saves: int) -> list[float]:
    store.create_session("b1", "d.yaml", "Bench", "BENCH1", "key")
    store.save_state("b1", RoomState(polls={f"p{n}": ("open", False) for n in range(10)}))
    people = [store.add_participant("b1", f"token-{i:016d}", f"P{i}").id for i in range(200)]
    took = []
    for n in range(saves):
        started = time.perf_counter()
        store.save_answer("b1", f"p{n % 10}", people[n % 200], [n % 4], f"uid-{n}")
        took.append(time.perf_counter() - started)
    return took


def report(name: str, took: list[float]) -> None:
    took = sorted(took)
    p99 = took[min(len(took) - 1, int(len(took) * 0.99))]
    print(f"{name:<11} median {statistics.median(took) * 1000:6.2f} ms   p99 {p99 * 1000:6.2f} ms   "
          f"({len(took)} saves, one thread)")


def restart(server: Postgres, url: str) -> None:
    store = open_store(url + "?pool_timeout=2")
    try:
        store.state("b1")
        server.stop()
        started = time.monotonic()
        try:
            store.state("b1")
        except StoreUnavailable:
            print(f"PostgreSQL stopped: StoreUnavailable after {time.monotonic() - started:.2f} s "
                  "(pool_timeout=2)")
        server.start()
        started = time.monotonic()
        while True:
            try:
                store.state("b1")
                break
            except StoreUnavailable:
                time.sleep(0.05)
        print(f"PostgreSQL back: the same store worked again after {time.monotonic() - started:.2f} s")
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        sqlite = open_store(Path(folder) / "bench.db")
        report("SQLite", save_latencies(sqlite, args.saves))
        sqlite.close()
        server = Postgres(Path(folder) / "pg").start()
        try:
            url = server.create_database("bench")
            pg = open_store(url)
            report("PostgreSQL", save_latencies(pg, args.saves))
            pg.close()
            restart(server, url)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
