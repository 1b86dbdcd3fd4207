"""`workshop serve --workers N`: one room on several processes behind HAProxy, with faults.

The cluster runs against the tests' own Redis and PostgreSQL (tests/support/services.py); the
phones are real Socket.IO clients that connect through the load balancer. Whatever fails (a
worker SIGKILLed mid-burst, Redis or PostgreSQL restarted mid-session), every answer a phone
saw acknowledged must be in the database exactly once, and the facilitator's tallies must be a
recount of it. The first tests need no service: they check the refusals and the config.
"""
from __future__ import annotations

import asyncio
import contextlib
import random
import subprocess
import time
import uuid

import psutil
import pytest
import requests
import socketio
from click.testing import CliRunner

from server.cli import cli
from server.lbconfig import haproxy_config
from server.rooms import Room
from tests.support import DECK, ROOT, Refused, new_token
from tests.support import services
from tests.support.balanced import ClusterServer
from tests.test_crash_recovery import Tracker, disconnect_all, stop_bursts
from workshop.deck_file import load_deck
from workshop.store import open_store

RETRYABLE_NOT = {"bad_payload", "forbidden", "poll_closed", "unknown_poll", "bad_value"}


# ----- refusals and the balancer's config: no service needed -----

@pytest.mark.parametrize("args, says", [
    (["--workers", "2", "--db", "x.db"], "needs --redis"),
    (["--workers", "2", "--db", "x.db", "--redis", "redis://127.0.0.1:1/0"], "PostgreSQL --database"),
    (["--workers", "0"], "at least 1"),
])
def test_serve_workers_refuses_what_cannot_keep_one_room(tmp_path, args, says):
    result = CliRunner().invoke(cli, ["serve", str(DECK), *args], catch_exceptions=False)
    assert result.exit_code == 1
    assert says in result.output


def test_lb_config_names_every_backend_and_is_sticky():
    result = CliRunner().invoke(cli, ["lb-config", "--backend", "10.0.0.11:5000",
                                      "--backend", "10.0.0.12:5000", "--port", "8080"])
    assert result.exit_code == 0, result.output
    text = result.output
    assert "bind 0.0.0.0:8080" in text
    assert "server w1 10.0.0.11:5000 cookie w1" in text and "server w2 10.0.0.12:5000 cookie w2" in text
    assert "cookie WKWORKER insert" in text and "option httpchk GET /healthz" in text
    bad = CliRunner().invoke(cli, ["lb-config", "--backend", "10.0.0.11"])
    assert bad.exit_code == 1 and "HOST:PORT" in bad.output


@pytest.mark.slow
def test_haproxy_accepts_the_written_config(tmp_path):
    services.require("haproxy")
    cfg = tmp_path / "haproxy.cfg"
    cfg.write_text(haproxy_config("127.0.0.1", services.free_port(),
                                  [("w1", "127.0.0.1:5001"), ("w2", "127.0.0.1:5002")]))
    checked = subprocess.run(["haproxy", "-c", "-f", str(cfg)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


# ----- one worker on SQLite: the supervisor alone (HAProxy only) -----

@pytest.mark.slow
def test_a_killed_worker_is_restarted_and_ctrl_c_stops_everything(tmp_path):
    services.require("haproxy")
    with ClusterServer(tmp_path / "one", 1, str(tmp_path / "one.db")) as server:
        server.start(timeout=60)
        first = server.wait_workers()["w1"]
        token = new_token()
        with server.phone(token) as phone:
            welcome = phone.wait_for("welcome")
        first.kill()
        again = server.wait_workers()["w1"]
        assert again.pid != first.pid
        deadline = time.monotonic() + 10  # until HAProxy's next check finds it up, as a page retries
        while True:
            try:
                phone = server.phone(token)
                break
            except Refused:
                assert time.monotonic() < deadline, "the restarted worker never came back"
                time.sleep(0.3)
        with phone:  # the same person, through the same balancer
            assert phone.wait_for("welcome")["participant"]["id"] == welcome["participant"]["id"]
        pids = server.all_pids()
        assert len(pids) == 3  # supervisor, w1, HAProxy
        assert server.stop() == 0
        assert not any(psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE
                       for p in pids)
        assert "worker w1 exited" in server.stderr


# ----- the cluster: Redis, PostgreSQL, HAProxy, N workers -----

@pytest.fixture(scope="module")
def backing(tmp_path_factory):
    """Redis and PostgreSQL of the tests' own, shared by this module's clusters."""
    services.require("redis", "postgresql", "haproxy")
    redis = services.Redis(tmp_path_factory.mktemp("redis")).start()
    pg = services.Postgres(tmp_path_factory.mktemp("pg")).start()
    try:
        yield redis, pg
    finally:
        redis.stop()
        pg.stop()


def cluster(backing, tmp_path, workers: int) -> ClusterServer:
    redis, pg = backing
    database = pg.create_database(f"w{uuid.uuid4().hex[:12]}")
    return ClusterServer(tmp_path / "cluster", workers, database, redis.url)


def recount(server: ClusterServer, deck, shown: dict | None = None) -> dict:
    """The tallies a room rebuilt from the store shows; `shown` gets each open poll's shown
    answers, {poll: {(participant, text)}}."""
    store = open_store(server.database)
    try:
        room = Room(deck, store.session(server.sid), store)
        if shown is not None:
            for pid, tally in room.tallies.items():
                if hasattr(tally, "texts"):
                    shown[pid] = {(who, text) for who, text in tally.texts.items()
                                  if tally.status[who] == "shown"}
        return {pid: room.snapshot(pid) for pid in deck.polls}
    finally:
        store.close()


def same_latest(tallies: dict, truth: dict, shown: dict) -> dict:
    """The console's tallies with each open poll's `latest` taken as the recount's when it lists
    as many of the poll's shown answers. Its order is the order the console's worker heard
    them in: an answer a killed worker committed but never published is heard on the phone's
    resend, later than the store's clock says it was given (docs/scale-out.md)."""
    out = {}
    for pid, t in tallies.items():
        t = dict(t)
        if pid in shown and "latest" in t and pid in truth:
            served = {(e["participant"], e["text"]) for e in t["latest"]}
            if len(served) == len(t["latest"]) == len(truth[pid]["latest"]) and served <= shown[pid]:
                t["latest"] = truth[pid]["latest"]
        out[pid] = t
    return out


def stored(server: ClusterServer) -> tuple[dict, set]:
    """Return {(participant, poll): value} and the set of (poll, participant, uid) stored."""
    store = open_store(server.database)
    try:
        rows = store.answers(server.sid)
        counts: dict = {}
        for a in rows:
            counts[(a.participant_id, a.poll_id)] = counts.get((a.participant_id, a.poll_id), 0) + 1
        assert all(n == 1 for n in counts.values()), "one row per phone and poll"
        return {(a.participant_id, a.poll_id): a.value for a in rows}, store.answer_uids(server.sid)
    finally:
        store.close()


def settled(console, server: ClusterServer, deck, within: float = 20.0) -> tuple[dict, dict]:
    """Return the console's tallies and the store's recount once they agree (or time is up):
    the console's worker hears the other workers' answers a moment after they are acked."""
    deadline = time.monotonic() + within
    while True:
        shown: dict = {}
        truth = recount(server, deck, shown)
        tallies = same_latest(console.call("sync", {})["tallies"], truth, shown)
        if tallies == truth or time.monotonic() > deadline:
            return tallies, truth
        time.sleep(0.5)


def differences(tallies: dict, truth: dict) -> dict:
    """Return {poll: {field: (served, recounted)}} where the console's tallies are not the store's."""
    return {p: {k: (tallies[p].get(k), truth[p].get(k)) for k in tallies[p].keys() | truth[p].keys()
                if tallies[p].get(k) != truth[p].get(k)}
            for p in truth if tallies.get(p) != truth[p]}


def open_all(server, deck) -> None:
    with server.facilitator() as console:
        for poll_id in deck.polls:
            assert console.call("control", {"action": "open", "poll": poll_id})["ok"]


@pytest.mark.slow
def test_a_whole_session_through_the_balancer(backing, tmp_path):
    deck = load_deck(DECK)
    poll = next(p for p in deck.polls.values() if p.type == "choice")
    with cluster(backing, tmp_path, 3) as server:
        server.start(timeout=90)
        server.wait_workers()
        with server.facilitator() as console:
            assert console.call("control", {"action": "goto", "slide": deck.poll_slide_index(poll.id)})["ok"]
            phones = [server.phone() for _ in range(12)]
            polling = [socketio.Client(reconnection=False, handle_sigint=False) for _ in range(3)]
            for client in polling:  # long-polling phones, as behind a websocket-blocking WiFi
                client.connect(server.base, auth=server.phone_auth(), transports=["polling"],
                               wait_timeout=10)
            for n, phone in enumerate(phones):
                ack = phone.call("answer", {"poll": poll.id, "value": n % 2, "uid": f"a{n}"})
                assert ack["ok"] and ack["value"] == [n % 2], ack
            for n, client in enumerate(polling):  # each request reached the worker of its session
                ack = client.call("answer", {"poll": poll.id, "value": 1, "uid": f"p{n}"}, timeout=10)
                assert ack["ok"], ack
                assert "WKWORKER" in client.eio.http.cookies
            # the console is on one worker; the answers came through all three
            tally = console.wait_for("tally", lambda t: t["polls"].get(poll.id, {}).get("answered") == 15,
                                     timeout=15)
            assert console.call("control", {"action": "reveal", "poll": poll.id})["ok"]
            tallies, truth = settled(console, server, deck)
            for client in polling:
                client.disconnect()
            for phone in phones:
                phone.close()
        assert tally["polls"][poll.id]["answered"] == 15
        assert tallies == truth, differences(tallies, truth)
        pdf = requests.get(server.url(f"/s/{server.sid}/summary.pdf"),
                           headers={"X-Workshop-Key": server.key}, timeout=120)
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert server.stop() == 0
        assert server.errors() == []


class UidTracker(Tracker):
    """The crash test's phones, also keeping every (poll, participant, uid) acknowledged."""

    def __init__(self, deck, rng):
        super().__init__(deck, rng)
        self.acked_uids: set[tuple[str, int, str]] = set()

    async def send(self, client, phone, poll_id, value, stored, uid, resend=False) -> None:
        before = self.acks
        await super().send(client, phone, poll_id, value, stored, uid, resend)
        if self.acks > before:
            self.acked_uids.add((poll_id, phone.participant, uid))


async def reconnect(tracker: Tracker, server: ClusterServer, phone, within: float = 20.0):
    """Connect as the phone's page does after a drop: again and again, for a while."""
    deadline = time.monotonic() + within
    while True:
        try:
            return await tracker.connect(server, phone)
        except (socketio.exceptions.ConnectionError, asyncio.TimeoutError):
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)


async def kill_cycle(tracker: Tracker, server: ClusterServer, rng: random.Random) -> str:
    """Phones (re)connect through HAProxy, resend, burst; one worker is SIGKILLed mid-burst."""
    clients = await asyncio.gather(*(reconnect(tracker, server, p) for p in tracker.phones))
    try:
        await asyncio.gather(*(tracker.resend_pending(c, p) for c, p in zip(clients, tracker.phones)))
        rngs = [random.Random(rng.random()) for _ in tracker.phones]
        tasks = [asyncio.create_task(tracker.burst(c, p, r))
                 for c, p, r in zip(clients, tracker.phones, rngs)]
        await asyncio.sleep(rng.uniform(0.3, 1.0))
        for t in tasks:
            if t.done():
                t.result()  # a failed check inside a burst fails the test here
        killed = server.kill_worker(rng)
        await asyncio.sleep(0.5)  # the other workers' phones carry on meanwhile
        await stop_bursts(tasks)
        return killed
    finally:
        await disconnect_all(clients)


@pytest.mark.slow
def test_a_worker_killed_mid_burst_loses_no_acknowledged_answer(backing, tmp_path):
    deck = load_deck(DECK)
    rng = random.Random(20261130)
    tracker = UidTracker(deck, rng)
    with cluster(backing, tmp_path, 3) as server:
        server.start(timeout=90)
        server.wait_workers()
        open_all(server, deck)

        async def run():
            for n in range(6):
                try:
                    await asyncio.wait_for(kill_cycle(tracker, server, rng), 60)
                except asyncio.TimeoutError:
                    stuck = [t.get_stack(limit=3) for t in asyncio.all_tasks()]
                    raise AssertionError(f"kill cycle {n} hung: {stuck}") from None
            clients = await asyncio.gather(*(reconnect(tracker, server, p) for p in tracker.phones))
            await asyncio.gather(*(tracker.resend_pending(c, p) for c, p in zip(clients, tracker.phones)))
            for c in clients:
                await asyncio.wait_for(c.disconnect(), 5)

        asyncio.run(run())
        server.wait_workers()
        assert tracker.acks > 3 * len(tracker.phones)
        assert all(p.pending is None for p in tracker.phones)
        with server.facilitator() as console:
            tallies, truth = settled(console, server, deck)
        assert server.stderr.count("exited with -9; restarting") == 6
        assert server.stop() == 0
        assert server.errors() == []
    rows, uids = stored(server)
    expected = {(p.participant, poll): value for p in tracker.phones for poll, value in p.acked.items()}
    assert rows == expected
    assert tallies == truth, differences(tallies, truth)  # counted once each, wherever
    assert tracker.acked_uids <= uids  # every acknowledged uid is known: a resend is recognised


class Resender:
    """Phones that answer through a fault: every answer is sent until acknowledged, same uid."""

    def __init__(self, server, polls, phones: int = 12):
        self.server, self.polls = server, polls
        self.clients = [socketio.AsyncClient(reconnection=True, reconnection_delay=0.3,
                                             handle_sigint=False) for _ in range(phones)]
        self.tokens = [new_token() for _ in range(phones)]
        self.participants: dict[int, int] = {}
        self.acked: dict[tuple[int, str], list] = {}
        self.uids: set[tuple[str, int, str]] = set()
        self.errors: dict[str, int] = {}

    async def connect(self):
        for n, client in enumerate(self.clients):
            client.on("welcome", lambda data, n=n: self.participants.setdefault(n, data["participant"]["id"]))
            await client.connect(self.server.base, auth=self.server.phone_auth(self.tokens[n]),
                                 transports=["websocket"], wait_timeout=10)

    async def answer(self, n: int, poll: str, value: int, uid: str, within: float = 60.0):
        deadline = time.monotonic() + within
        while True:
            try:
                ack = await self.clients[n].call("answer", {"poll": poll, "value": value, "uid": uid},
                                                 timeout=5)
                if ack["ok"]:
                    self.acked[(self.participants[n], poll)] = ack["value"]
                    self.uids.add((poll, self.participants[n], uid))
                    return
                assert ack.get("error") not in RETRYABLE_NOT, ack
                self.errors[ack.get("error")] = self.errors.get(ack.get("error"), 0) + 1
            except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError):
                self.errors["timeout_or_disconnected"] = self.errors.get("timeout_or_disconnected", 0) + 1
            assert time.monotonic() < deadline, f"phone {n}: {poll} never acknowledged"
            await asyncio.sleep(0.3)

    async def round(self, k: int, spread: float = 2.0):
        async def one(n):
            await asyncio.sleep(random.uniform(0, spread))
            poll = self.polls[(n + k) % len(self.polls)]
            await self.answer(n, poll, (n + k) % 2, f"r{k}-{n}")
        await asyncio.gather(*(one(n) for n in range(len(self.clients))))

    async def close(self):
        for c in self.clients:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(c.disconnect(), 5)


def fault_session(backing, tmp_path, down, up, down_for: float, errors_expected: bool) -> dict:
    """Answer in rounds; take a service `down` while a round is sent, bring it `up` a moment
    later; check nothing acknowledged is lost and the console's tallies came back."""
    deck = load_deck(DECK)
    polls = [p.id for p in deck.polls.values() if p.type == "choice"]
    with cluster(backing, tmp_path, 3) as server:
        server.start(timeout=90)
        server.wait_workers()
        open_all(server, deck)
        phones = Resender(server, polls, phones=16)

        async def run():
            loop = asyncio.get_running_loop()
            await phones.connect()
            await phones.round(0)
            await loop.run_in_executor(None, down)
            during = asyncio.create_task(phones.round(1, spread=1.0))
            await asyncio.sleep(down_for)  # every phone of the round has sent by now
            await loop.run_in_executor(None, up)
            await during
            console.clear()
            await phones.round(2)
            await phones.close()

        with server.facilitator() as console:
            asyncio.run(run())
            console.wait_for("tally", timeout=10)  # broadcasts resumed after the fault
            want = {p: sum(1 for (_, q) in phones.acked if q == p) for p in polls}
            deadline = time.monotonic() + 20  # the console's worker hears the others' answers
            while True:
                tallies = console.call("sync", {})["tallies"]
                seen = {p: tallies[p]["answered"] for p in polls}
                if seen == want or time.monotonic() > deadline:
                    break
                time.sleep(0.5)
            assert seen == want, "the console's tallies never caught up with the room's answers"
            tallies, truth = settled(console, server, deck)
        server.wait_workers()
        assert server.stop() == 0
        assert server.errors() == []
    rows, uids = stored(server)
    assert {k: v for k, v in rows.items() if k[1] in polls} == phones.acked
    assert len(phones.acked) == 16 * 3  # three rounds, each phone on another poll each time
    assert phones.uids <= uids
    assert tallies == truth, differences(tallies, truth)
    assert bool(phones.errors) == errors_expected, phones.errors
    return phones.errors


@pytest.mark.slow
def test_a_redis_restart_mid_session_loses_nothing(backing, tmp_path):
    """Answers are PostgreSQL's: they are acknowledged through a Redis outage; only the
    broadcasts between workers wait for it, and resume."""
    redis, _ = backing
    fault_session(backing, tmp_path, redis.stop, redis.start, 3.0, errors_expected=False)


@pytest.mark.slow
def test_a_postgresql_restart_mid_session_loses_nothing(backing, tmp_path):
    """Answers sent while PostgreSQL is down get an error (or no ack) and are resent by uid.

    Down for longer than the store waits for a connection (5 s), so that some must fail."""
    _, pg = backing
    fault_session(backing, tmp_path, pg.stop, pg.start, 7.0, errors_expected=True)


@pytest.mark.slow
def test_the_cluster_load_test_kills_a_worker_and_loses_nothing(tmp_path):
    """`loadtest --workers 2 --kill-worker 1` starts its own services and counts the kill."""
    import json
    import sys
    services.require("redis", "postgresql", "haproxy")
    out = tmp_path / "cluster.json"
    run = subprocess.run([sys.executable, "-m", "scripts.loadtest", "--workers", "2", "-n", "30",
                          "--polls", "2", "--burst", "1", "--kill-worker", "1", "--ack-timeout", "5",
                          "--no-single", "--keep", str(tmp_path / "keep"), "--json", str(out)],
                         cwd=ROOT, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(out.read_text())
    assert report["connected"] == 30 and report["acked"] == report["stored"] == 60
    assert report["killed"] == 1 and report["worker_restarts"] == 1
    assert report["lost"] == 0 and report["duplicates"] == 0
    assert report["peak_rss_mb"] > 0
    assert set(report["components"]) == {"workers", "haproxy", "supervisor", "redis", "postgresql"}


def test_direct_phones_are_spread_over_the_workers_own_addresses():
    """`loadtest --direct`: phone i connects to worker i mod N, not to the balancer."""
    from types import SimpleNamespace

    from scripts.load.phones import worker_config
    args = SimpleNamespace(seed=1, wave=100, wave_pause=0.0, loop="asyncio", ack_timeout=5)
    urls = ["http://127.0.0.1:1001", "http://127.0.0.1:1002"]
    direct = worker_config(args, {"url": "http://lb", "urls": urls, "code": "ABC"}, 0)
    assert direct["urls"] == urls
    assert [direct["urls"][i % len(direct["urls"])] for i in range(4)] == urls * 2
    assert worker_config(args, {"url": "http://lb", "code": "ABC"}, 0)["urls"] == ["http://lb"]


@pytest.mark.slow
def test_the_direct_cluster_load_test_reaches_every_phone(tmp_path):
    """`loadtest --workers 2 --direct`: the same load, phones on the workers' own ports."""
    import json
    import sys
    services.require("redis", "postgresql", "haproxy")
    out = tmp_path / "direct.json"
    run = subprocess.run([sys.executable, "-m", "scripts.loadtest", "--workers", "2", "--direct", "-n", "20",
                          "--polls", "1", "--burst", "1", "--ack-timeout", "5", "--no-single",
                          "--json", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(out.read_text())
    assert report["connected"] == 20 and report["acked"] == report["stored"] == 20
    assert report["lost"] == 0 and report["duplicates"] == 0
