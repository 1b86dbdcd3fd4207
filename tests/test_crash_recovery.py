"""Crash recovery: SIGKILL the server in the middle of answer bursts, again and again.

A room's worth of phones answer over real websockets; the server is killed at a random moment,
restarted with --resume on the same database and port, and the phones reconnect and resend
what was never acknowledged, with the same uid. An acknowledged answer must never be lost:
at the end every phone's acknowledged answers are exactly what the database holds.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import random
import sqlite3
import time
from dataclasses import dataclass, field

import pytest
import socketio

from tests.support import DECK, RealServer, new_token
from workshop.deck_file import load_deck
from server.rooms import Room
from workshop.store import open_store

PHONES = 30
KILLS = 20
ABSENT = "<no answer>"


@dataclass
class Phone:
    """What one phone knows: its acknowledged answers and the one it may still be waiting for."""

    number: int
    token: str = field(default_factory=new_token)
    participant: int | None = None
    allowed: dict = field(default_factory=dict)  # poll id -> JSON of values the store may hold
    acked: dict = field(default_factory=dict)  # poll id -> value
    pending: tuple | None = None  # (poll id, value sent, normalised value, uid)
    sent: int = 0

    def may_hold(self, poll_id: str) -> set:
        return self.allowed.get(poll_id, {ABSENT})

    def next_uid(self) -> str:
        self.sent += 1
        return f"p{self.number}-{self.sent}"


def random_answer(poll, rng: random.Random):
    """Return (value to send, value the server stores) for a random valid answer."""
    if poll.type == "choice":
        pick = rng.randrange(len(poll.options))
        return pick, [pick]
    if poll.type == "scale":
        v = rng.randint(poll.scale_min, poll.scale_max)
        return v, v
    if poll.type == "ranking":
        order = list(range(len(poll.options)))
        rng.shuffle(order)
        return order, order
    text = rng.choice(["listen first", "trust the team", "ask why", "领导 信任", "decide together"])
    return f"{text} {rng.randrange(1000)}", None  # None: the same text, trimmed


def key(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


async def stop_bursts(tasks) -> None:
    """Cancel the phones' bursts and wait for them: a server killed under them ends them anyhow."""
    for t in tasks:
        t.cancel()
    for t in tasks:
        with contextlib.suppress(asyncio.CancelledError, socketio.exceptions.TimeoutError,
                                 socketio.exceptions.BadNamespaceError):
            await t


async def disconnect_all(clients) -> None:
    """Close every phone's client, whatever state its connection is in."""
    for c in clients:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(c.disconnect(), 5)


class Tracker:
    """The phones' side of the truth, checked against the server at every reconnect."""

    def __init__(self, deck, rng):
        self.deck, self.rng = deck, rng
        self.phones = [Phone(n) for n in range(PHONES)]
        self.acks = self.duplicates = self.refused = 0

    async def connect(self, server, phone: Phone):
        client = socketio.AsyncClient(reconnection=False, handle_sigint=False)
        welcome = asyncio.get_running_loop().create_future()
        client.on("welcome", lambda data: welcome.done() or welcome.set_result(data))
        await client.connect(server.base, auth=server.phone_auth(phone.token), transports=["websocket"],
                             wait_timeout=10)
        data = await asyncio.wait_for(welcome, 10)
        if phone.participant is None:
            phone.participant = data["participant"]["id"]
        assert data["participant"]["id"] == phone.participant, "a reconnecting phone is the same person"
        for poll_id in self.deck.polls:
            got = key(data["answers"][poll_id]) if poll_id in data["answers"] else ABSENT
            assert got in phone.may_hold(poll_id), (phone.number, poll_id, got, phone.may_hold(poll_id))
        return client

    async def send(self, client, phone: Phone, poll_id, value, stored, uid, resend=False) -> None:
        before = set(phone.may_hold(poll_id))
        phone.allowed[poll_id] = before | {key(stored)}
        phone.pending = (poll_id, value, stored, uid)
        ack = await client.call("answer", {"poll": poll_id, "value": value, "uid": uid}, timeout=10)
        phone.pending = None
        if not ack["ok"]:
            assert ack["error"] == "rate_limited", ack
            phone.allowed[poll_id] = before  # an error changes nothing
            if resend:
                phone.pending = (poll_id, value, stored, uid)  # but the first try may have landed
            self.refused += 1
            return
        assert key(ack["value"]) == key(stored), (ack, stored)
        phone.allowed[poll_id] = {key(stored)}
        phone.acked[poll_id] = stored
        self.acks += 1
        self.duplicates += ack["duplicate"]

    async def resend_pending(self, client, phone: Phone) -> None:
        if phone.pending:
            await self.send(client, phone, *phone.pending, resend=True)

    async def burst(self, client, phone: Phone, rng: random.Random) -> None:
        polls = list(self.deck.polls.values())
        while True:
            poll = rng.choice(polls)
            value, stored = random_answer(poll, rng)
            stored = value.strip() if stored is None else stored
            await self.send(client, phone, poll.id, value, stored, phone.next_uid())
            await asyncio.sleep(rng.uniform(0.12, 0.3))  # about 5 a second, the sustained limit

    async def cycle(self, server, kill: bool) -> None:
        clients = await asyncio.gather(*(self.connect(server, p) for p in self.phones))
        try:
            await asyncio.gather(*(self.resend_pending(c, p) for c, p in zip(clients, self.phones)))
            if not kill:
                return
            rngs = [random.Random(self.rng.random()) for _ in self.phones]
            tasks = [asyncio.create_task(self.burst(c, p, r)) for c, p, r in zip(clients, self.phones, rngs)]
            await asyncio.sleep(self.rng.uniform(0.15, 0.9))
            for t in tasks:
                if t.done():
                    t.result()  # a failed check inside a burst fails the test here
            server.kill()  # mid-burst: some answers are committed, some acked, some neither
            await stop_bursts(tasks)
        finally:
            await disconnect_all(clients)


@pytest.mark.slow
def test_sigkill_during_answer_bursts_loses_no_acknowledged_answer(tmp_path):
    deck = load_deck(DECK)
    rng = random.Random(20240607)
    tracker = Tracker(deck, rng)
    started = time.monotonic()
    with RealServer(tmp_path / "crash") as server:
        server.start()
        with server.facilitator() as console:
            for poll_id in deck.polls:
                assert console.call("control", {"action": "open", "poll": poll_id})["ok"]

        async def run():
            for n in range(KILLS):
                cycle_started = time.monotonic()
                await tracker.cycle(server, kill=True)
                server.restart()
                assert time.monotonic() - cycle_started < 15, f"kill cycle {n} was too slow"
            await tracker.cycle(server, kill=False)  # reconnect, resend the last unacked answers
            # a change resent with its uid (its ack was lost) is recognised, not applied twice
            phone = tracker.phones[0]
            poll_id = "homework-followers"
            value = 1 - phone.acked.get(poll_id, [1])[0]
            client = await tracker.connect(server, phone)
            answer = {"poll": poll_id, "value": value, "uid": "changed-once"}
            first = await client.call("answer", answer, timeout=10)
            second = await client.call("answer", answer, timeout=10)
            assert first == {"ok": True, "poll": poll_id, "value": [value], "duplicate": False}
            assert second == dict(first, duplicate=True)
            phone.acked[poll_id] = [value]
            await client.disconnect()

        asyncio.run(run())
        assert tracker.acks > KILLS * PHONES / 2, "the bursts should have answered plenty"
        assert all(p.pending is None for p in tracker.phones)

        with server.facilitator() as console:
            tallies = console.call("sync", {})["tallies"]
        assert server.stop() == 0
        assert server.errors() == []

    db = sqlite3.connect(server.db)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("SELECT session_id, poll_id, participant_id, COUNT(*) FROM answers "
                          "GROUP BY 1, 2, 3 HAVING COUNT(*) > 1").fetchall() == []
        assert db.execute("SELECT COUNT(*), COUNT(DISTINCT token) FROM participants").fetchone() == (PHONES, PHONES)
        stored = {(pid, poll): json.loads(value) for pid, poll, value in
                  db.execute("SELECT participant_id, poll_id, value FROM answers")}
    finally:
        db.close()
    expected = {(p.participant, poll): value for p in tracker.phones for poll, value in p.acked.items()}
    assert stored == expected  # every acked answer, with its last acked value, and nothing else

    store = open_store(server.db)
    try:  # the tallies the server served after its last resume are a recount of the store
        room = Room(deck, store.session(server.sid), store)
        assert tallies == {pid: room.snapshot(pid) for pid in deck.polls}
    finally:
        store.close()
    assert time.monotonic() - started < 200
