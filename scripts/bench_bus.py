"""What one answer costs the room bus of a cluster (server/bus.py, follow.py), in CPU:
publishing it after its commit, and receiving and applying it in every other process.

In a cluster of N workers each answer is published once and applied N - 1 times, so these two
figures, with one process's own cost per answer (docs/performance.md), say how the workers'
CPU per answer grows with N (docs/scale-out.md, "Capacity"). Starts its own Redis (Debian's
redis-server) in a temporary folder.

    .venv/bin/python -m scripts.bench_bus [--events 20000] [--runs 3]
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path

from server.broadcast import Broadcaster
from server.bus import Bus
from server.follow import Follower
from server.rooms import RoomRegistry
from tests.support.services import Redis
from workshop import settings
from workshop.deck_file import load_deck
from workshop.store import open_store


def one_run(url: str, folder: Path, events: int, run: int) -> dict:
    deck_path = settings.shipped_deck()
    deck = load_deck(deck_path)
    store = open_store(str(folder / f"bench-{run}.db"))
    broadcaster = Broadcaster(lambda room: "")
    rooms = RoomRegistry(store)
    room = rooms.create(deck, str(deck_path))
    poll = next(p for p in deck.polls.values() if p.type == "choice")
    room.control("open", {"poll": poll.id})
    room.listener = broadcaster  # from now on only answers: their tallies wait for the ticker

    subscriber = Bus(url, f"sub{run}")
    rooms.bus = subscriber
    follower = Follower(rooms, subscriber, None, lambda r, c: r._tell(c))
    got, applying = [0], [0.0]
    ready, done, stop = threading.Event(), threading.Event(), threading.Event()
    marks: dict = {}

    def on_event(session_id, event):
        if not got[0]:
            marks["first"] = time.thread_time()
        t = time.thread_time()
        follower.on_event(session_id, event)
        applying[0] += time.thread_time() - t
        got[0] += 1
        if got[0] == events:
            marks["last"] = time.thread_time()
            done.set()
            stop.set()

    thread = threading.Thread(target=subscriber.listen, daemon=True,
                              args=(on_event, lambda first: ready.set(), stop.is_set))
    thread.start()
    ready.wait(10)
    time.sleep(0.2)

    publisher = Bus(url, f"pub{run}")
    options = len(poll.options)
    t0 = time.process_time()
    w0 = time.perf_counter()
    for i in range(events):
        publisher.publish(room.id, "answer", p=poll.id, who=i + 1, val=[i % options], st="shown",
                          why="", uid=f"u{run}-{i}", rev=i + 1)
    publish_cpu = time.process_time() - t0  # the subscriber thread runs meanwhile: an upper bound
    publish_wall = time.perf_counter() - w0
    done.wait(60)
    thread.join(5)
    counted = room.snapshot(poll.id)["answered"]
    store.close()
    receive = marks["last"] - marks["first"]
    return {"published": events, "applied": got[0], "counted": counted,
            "publish_us": publish_wall / events * 1e6,
            "publish_cpu_us_at_most": publish_cpu / events * 1e6,
            "receive_and_apply_us": receive / max(1, got[0] - 1) * 1e6,
            "apply_us": applying[0] / max(1, got[0]) * 1e6}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, default=20000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        redis = Redis(Path(tmp) / "redis").start()
        try:
            runs = [one_run(redis.url, Path(tmp), args.events, n) for n in range(args.runs)]
        finally:
            redis.stop()
    for r in runs:
        assert r["applied"] == r["published"] == r["counted"], r
    print(f"{args.events} answer events, median of {args.runs} runs (µs per event):")
    for key in ("publish_us", "publish_cpu_us_at_most", "receive_and_apply_us", "apply_us"):
        print(f"  {key:<24} {statistics.median(r[key] for r in runs):8.1f}")


if __name__ == "__main__":
    main()
