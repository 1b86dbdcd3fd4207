"""What the processes of a cluster count together in Redis (server/limits.py, server/reports.py,
server/bus.py): a phone's message budget, wrong join codes per address, report slots; each
falls back to this process alone while Redis is unreachable."""
from __future__ import annotations

import threading
import time

import pytest

from server.bus import Shared
from server.limits import SharedGuessLimiter, SharedRateLimiter
from server.reports import ClusterSlots, ReportError

pytestmark = pytest.mark.slow


def test_a_budget_in_redis_is_shared_by_every_limiter_of_the_key(redis):
    one = SharedRateLimiter(Shared(redis.url), "workshop:rate:s:1", rate=0.01, burst=3)
    two = SharedRateLimiter(Shared(redis.url), "workshop:rate:s:1", rate=0.01, burst=3)
    other = SharedRateLimiter(Shared(redis.url), "workshop:rate:s:2", rate=0.01, burst=3)
    assert [one.allow(), two.allow(), one.allow(), two.allow()] == [True, True, True, False]
    assert other.allow()


def test_wrong_join_codes_are_counted_for_every_process(redis):
    a, b = SharedGuessLimiter(Shared(redis.url), 3), SharedGuessLimiter(Shared(redis.url), 3)
    a.fail("10.0.0.9"), b.fail("10.0.0.9")
    assert a.allow("10.0.0.9") and b.allow("10.0.0.9")
    a.fail("10.0.0.9")
    assert not b.allow("10.0.0.9") and b.allow("10.0.0.10")


def test_without_redis_the_limits_are_this_processs():
    down = Shared("redis://127.0.0.1:1/0")
    limiter = SharedRateLimiter(down, "k", rate=0.01, burst=2)
    assert [limiter.allow(), limiter.allow(), limiter.allow()] == [True, True, False]
    guesses = SharedGuessLimiter(down, 1)
    guesses.fail("a")
    assert not guesses.allow("a")


def test_report_builds_take_turns_across_processes(redis):
    held, overlaps, lock = [], [], threading.Lock()

    def build():
        with ClusterSlots(Shared(redis.url), 1).slot():  # each its own process, as it were
            with lock:
                if held:
                    overlaps.append(len(held))
                held.append(1)
            time.sleep(0.15)
            with lock:
                held.pop()
    threads = [threading.Thread(target=build) for _ in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert overlaps == []


def test_a_busy_cluster_fails_a_report_after_a_bounded_wait(redis):
    slots = ClusterSlots(Shared(redis.url), 1, wait=0.3)
    with slots.slot():
        with pytest.raises(ReportError, match="busy"):
            with ClusterSlots(Shared(redis.url), 1, wait=0.3).slot():
                pass
    with slots.slot():  # freed
        pass


def test_a_slot_taken_over_after_it_expired_is_not_freed_by_its_first_holder(redis):
    shared = Shared(redis.url)
    first = ClusterSlots(shared, 1, hold_ms=100)
    with first.slot():
        time.sleep(0.2)  # expired: another build took it
        assert shared.redis.set("workshop:reports:0", "theirs", nx=True, px=5000)
    assert shared.redis.get("workshop:reports:0") == b"theirs"
    shared.redis.delete("workshop:reports:0")


def test_a_report_is_built_while_redis_is_unreachable():
    with ClusterSlots(Shared("redis://127.0.0.1:1/0"), 1, wait=0.1).slot():
        pass


def test_events_lost_to_a_failed_publish_are_followed_by_a_resync(redis):
    from server.bus import Bus, decode
    bus = Bus(redis.url, "p0")
    listener = Shared(redis.url).redis.pubsub(ignore_subscribe_messages=True)
    listener.subscribe("workshop:sid")
    real = bus.shared.redis
    bus.shared.redis = Shared("redis://127.0.0.1:1/0").redis  # a publish that fails
    bus.publish("sid", "answer", p="q")
    bus.shared.redis, bus.shared.down_until = real, 0.0
    bus.publish("sid", "connected", n=1)
    kinds = []
    deadline = time.monotonic() + 5
    while len(kinds) < 2 and time.monotonic() < deadline:
        message = listener.get_message(timeout=0.5)
        if message:
            kinds.append(decode(message["data"])["k"])
    listener.close()
    assert kinds == ["connected", "resync"]
