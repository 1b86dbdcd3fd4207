"""When the server runs Python's garbage collection (server/runner.py: Collector)."""
from __future__ import annotations

import gc
import weakref

import pytest

from server.runner import Collector


class FakeGC:
    def __init__(self):
        self.calls = []

    def __getattr__(self, name):
        return lambda *a: self.calls.append(name)


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_a_busy_room_gets_no_full_collection_but_a_small_one_a_minute():
    fake, clock = FakeGC(), Clock()
    c = Collector(fake, clock)
    for _ in range(119):  # a minute of half-seconds, answers all along
        clock.now += 0.5
        assert c.step(busy_at=clock.now) == ""
    clock.now += 1
    assert c.step(busy_at=clock.now) == "recent"
    assert fake.calls == ["collect", "freeze"]  # the frozen heap is not scanned, nor unfrozen


def test_a_room_that_is_never_quiet_still_gets_a_full_collection_every_ten_minutes():
    fake, clock = FakeGC(), Clock()
    c = Collector(fake, clock)
    done = []
    for _ in range(1201):  # ten minutes of half-seconds, answers all along
        clock.now += 0.5
        done.append(c.step(busy_at=clock.now))
    assert done.count("recent") == 9 and done[-1] == "full"  # what frozen garbage holds is freed
    assert fake.calls[-3:] == ["unfreeze", "collect", "freeze"]


def test_a_quiet_room_gets_a_full_collection_then_waits_before_the_next():
    fake, clock = FakeGC(), Clock()
    c = Collector(fake, clock)
    busy_at = clock.now
    clock.now += 5.5
    assert c.step(busy_at) == "full"
    assert fake.calls == ["unfreeze", "collect", "freeze"]
    clock.now += 3
    assert c.step(busy_at) == ""  # at most every 5 s, quiet or not


@pytest.fixture
def real_gc():
    yield gc
    gc.unfreeze()


class Node:
    pass


def test_garbage_among_frozen_objects_waits_for_the_next_full_collection(real_gc):
    clock = Clock()
    c = Collector(real_gc, clock)
    a, b = Node(), Node()
    a.other, b.other = b, a  # a cycle: only the collector frees it
    gone = weakref.ref(a)
    clock.now += 6
    assert c.step(busy_at=0) == "full" and gc.get_freeze_count() > 0
    del a, b  # a phone went away: its objects are garbage, but frozen
    clock.now += 61
    assert c.step(busy_at=clock.now) == "recent"
    assert gone() is not None  # the busy room's small collection did not look at them
    clock.now += 6
    assert c.step(busy_at=0) == "full"
    assert gone() is None  # the quiet moment's full one freed them


def test_a_long_pause_spaces_the_next_full_collection_and_waits_for_a_longer_quiet():
    clock = Clock()

    class SlowGC(FakeGC):
        def collect(self):
            clock.now += 1.5  # a full collection of a 10,000-phone room
            self.calls.append("collect")

    fake = SlowGC()
    c = Collector(fake, clock)
    clock.now += 6
    assert c.step(busy_at=0) == "full" and c.full_took == 1.5
    clock.now += 10  # 10 s later, quiet all along: not yet (30 pauses = 45 s)
    assert c.step(busy_at=0) == ""
    clock.now += 40
    assert c.step(busy_at=clock.now - 3) == ""  # quiet for 3 s only: 5 pauses = 7.5 s are needed
    assert c.step(busy_at=clock.now - 8) == "full"


def test_a_room_that_just_filled_waits_for_a_longer_quiet_before_its_first_full_collection():
    fake, clock = FakeGC(), Clock()
    c = Collector(fake, clock)
    clock.now += 30  # 30 guessed pauses since the start
    assert c.step(busy_at=clock.now - 2.5, connections=10_000) == ""  # ~0.7 s guessed: 3.5 s of quiet
    assert c.step(busy_at=clock.now - 4, connections=10_000) == "full"
    clock.now += 6
    assert c.step(busy_at=0, connections=100) == "full"  # a small room: as before
