"""What only the PostgreSQL store can show: writers racing from many connections, several
processes on one database, a restart and a crash of PostgreSQL itself, a real server resumed
from PostgreSQL, and psycopg under gevent. tests/test_store.py runs the rest on both stores.

The tests that start a PostgreSQL server of their own (to stop or kill it) are slow.
"""
from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from server.rooms import RoomRegistry
from tests.support import services
from tests.support.clients import goto_poll
from tests.support.pg import fresh_database
from tests.support.server import DECK, RealServer, new_token
from workshop.deck_file import load_deck
from workshop.polltypes import AnswerError
from workshop.store import PollClosed, RoomState, StaleState, StoreUnavailable, open_store


@pytest.fixture
def store(postgres_url):
    s = open_store(postgres_url)
    yield s
    s.close()


def people(store, n, sid="s1"):
    if store.session(sid) is None:
        store.create_session(sid, "d.yaml", "Deck", "ABCDEF", "key")
    return [store.add_participant(sid, f"token-{i:016d}", f"P{i}").id for i in range(n)]


def together(n, work):
    """Run work(i) in n threads started at once; return their exceptions."""
    start, errors = threading.Barrier(n), []

    def run(i):
        start.wait(10)
        try:
            work(i)
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads)
    return errors


def test_concurrent_writers_of_one_answer_leave_one_row_with_the_newest_revision(store):
    (pid,) = people(store, 1)
    revs = {}

    def write(i):
        for n in range(20):
            revs[(i, n)] = store.save_answer("s1", "p1", pid, [i, n], f"u-{i}-{n}")

    assert together(8, write) == []
    (row,) = store.answers("s1")
    assert row.rev == max(revs.values()) and len(set(revs.values())) == 160
    assert row.uid == "u-%d-%d" % tuple(row.value)  # the row is the last write, whole
    assert len(store.answer_uids("s1")) == 160


def test_of_two_states_saved_from_one_version_exactly_one_wins(postgres_url):
    stores = [open_store(postgres_url) for _ in range(6)]
    try:
        people(stores[0], 0)
        read = stores[0].state("s1")
        won = []

        def save(i):
            try:
                won.append(stores[i].save_state("s1", read.but(slide=i + 1)))
            except StaleState:
                pass

        assert together(6, save) == []
        assert len(won) == 1 and stores[0].state("s1") == won[0] and won[0].version == 1
    finally:
        for s in stores:
            s.close()


def test_no_answer_is_stored_once_a_close_has_committed(postgres_url):
    writer, closer = open_store(postgres_url), open_store(postgres_url)
    try:
        pids = people(writer, 8)
        opened = closer.save_state("s1", RoomState(polls={"p1": ("open", False)}))
        closing, refused = threading.Event(), []

        def answer(i):
            for n in range(400):
                try:
                    writer.save_answer("s1", "p1", pids[i], n, f"u-{i}-{n}")
                except PollClosed:
                    refused.append(i)
                    return
                if n == 10:
                    closing.set()

        threads = [threading.Thread(target=answer, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        assert closing.wait(30)
        closer.save_state("s1", opened.but(polls={"p1": ("closed", True)}))
        at_close = {(a.participant_id, a.rev) for a in closer.answers("s1")}
        for t in threads:
            t.join(60)
        assert sorted(refused) == list(range(8))  # every writer was refused in the end
        assert {(a.participant_id, a.rev) for a in closer.answers("s1")} == at_close
    finally:
        writer.close()
        closer.close()


def test_a_room_of_another_process_that_has_not_heard_of_a_close_refuses_the_answer(postgres_url):
    """Two registries on one database stand for two server processes."""
    deck = load_deck(DECK)
    here, there = open_store(postgres_url), open_store(postgres_url)
    try:
        room = RoomRegistry(here).create(deck, str(DECK))
        poll = next(p for p in deck.polls.values() if p.type == "choice")
        room.control("open", {"poll": poll.id})
        other = RoomRegistry(there).resume(room.id, deck)  # loads the poll open
        pid = room.join(new_token()).id
        other.control("close", {"poll": poll.id})  # `room` still believes the poll is open
        with pytest.raises(AnswerError) as refused:
            room.answer(pid, poll.id, [0], "uid-1")
        assert refused.value.code == "poll_not_open"
        assert here.answers(room.id) == []
    finally:
        here.close()
        there.close()


def test_a_snapshot_holds_for_its_own_thread_only_and_writes_inside_it_commit_at_once(store):
    people(store, 1)
    seen = {}
    with store.snapshot():
        before = store.participant_count("s1")
        store.add_participant("s1", "token-written-inside-1", "Owl")  # its own connection
        other = threading.Thread(target=lambda: seen.update(n=store.participant_count("s1")))
        other.start()
        other.join(10)
        assert store.participant_count("s1") == before  # this thread's snapshot does not move
    assert seen["n"] == before + 1  # another thread reads outside it: the write had committed
    assert store.participant_count("s1") == before + 1


def test_processes_migrating_one_database_at_once_leave_one_schema(postgres_server):
    url = fresh_database(postgres_server)
    opened = []
    assert together(6, lambda i: opened.append(open_store(url))) == []
    try:
        from workshop.store.postgres_schema import MIGRATIONS
        assert {s.schema_version() for s in opened} == {len(MIGRATIONS)}
        assert opened[0]._query("SELECT COUNT(*) FROM schema_version")[0][0] == len(MIGRATIONS)
    finally:
        for s in opened:
            s.close()


def test_pool_options_come_from_the_url_query(postgres_url):
    s = open_store(postgres_url + "?pool_min=2&pool_max=3&pool_timeout=1.5&application_name=kit")
    try:
        assert (s.pool.min_size, s.pool.max_size, s.pool.timeout) == (2, 3, 1.5)
        assert s._query("SELECT current_setting('application_name')")[0][0] == "kit"
    finally:
        s.close()


def test_a_database_out_of_reach_raises_store_unavailable():
    with pytest.raises(StoreUnavailable):
        open_store(f"postgresql://workshop@127.0.0.1:{services.free_port()}/none?pool_timeout=1")


# ----- PostgreSQL stopped, restarted, killed: a server of the test's own -----

@pytest.fixture
def own_postgres(tmp_path):
    services.require("postgresql")
    server = services.Postgres(tmp_path / "pg").start()
    yield server
    server.stop()


def until(check, seconds: float):
    """Call check() until it returns without StoreUnavailable; return its result."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return check()
        except StoreUnavailable:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.mark.slow
def test_calls_fail_fast_while_postgresql_restarts_and_work_again_after(own_postgres):
    store = open_store(own_postgres.create_database("w") + "?pool_timeout=2")
    try:
        (pid,) = people(store, 1)
        store.save_answer("s1", "p1", pid, 1, "u1")
        own_postgres.stop()
        for call in (lambda: store.save_answer("s1", "p1", pid, 2, "u2"), lambda: store.answers("s1"),
                     lambda: store.state("s1")):
            started = time.monotonic()
            with pytest.raises(StoreUnavailable):
                call()
            assert time.monotonic() - started < 10  # bounded: not a hang (pool_timeout is 2 s)
        own_postgres.start()
        until(lambda: store.save_answer("s1", "p1", pid, 3, "u3"), 30)  # the same store
        assert [a.value for a in store.answers("s1")] == [3]
        assert store.answer_uids("s1") == {("p1", pid, "u1"), ("p1", pid, "u3")}
    finally:
        store.close()


@pytest.mark.slow
def test_every_committed_answer_survives_a_crash_of_postgresql(own_postgres):
    url = own_postgres.create_database("w")
    store = open_store(url + "?pool_timeout=2")
    try:
        pids = people(store, 50)
        revs = {pid: store.save_answer("s1", "p1", pid, pid, f"u{pid}") for pid in pids}
        own_postgres.stop(signal.SIGKILL)
        own_postgres.start()
        assert until(lambda: {a.participant_id: a.rev for a in store.answers("s1")}, 30) == revs
    finally:
        store.close()


@pytest.mark.slow
def test_a_real_server_on_postgresql_resumes_its_session(tmp_path, postgres_server):
    server = RealServer(tmp_path / "serve")
    server.db = fresh_database(postgres_server)  # `--db URL`
    deck = load_deck(DECK)
    poll = next(p for p in deck.polls.values() if p.type == "choice")
    with server:
        server.start()
        with server.facilitator() as console, server.phone(token="token-resume-00000001") as phone:
            goto_poll(console, deck, poll.id)
            assert phone.call("answer", {"poll": poll.id, "value": [0], "uid": "r1"})["ok"]
        server.stop(signal.SIGKILL)
        server.start(resume=server.sid)
        with server.phone(token="token-resume-00000001") as phone:
            again = phone.call("answer", {"poll": poll.id, "value": [0], "uid": "r1"})
            assert again["ok"] and again["duplicate"]
    store = open_store(server.db)
    try:
        assert [(a.poll_id, a.value, a.uid) for a in store.answers(server.sid)] == [(poll.id, [0], "r1")]
    finally:
        store.close()


# ----- gevent -----

GEVENT_CHECK = textwrap.dedent("""
    from gevent import monkey
    monkey.patch_all()
    import sys, time, gevent
    from workshop.store import open_store
    store = open_store(sys.argv[1] + "?pool_max=4")
    from psycopg import waiting
    assert waiting.wait is not getattr(waiting, "wait_c", None), "psycopg chose its blocking wait"
    ticks = []
    def ticker():
        while len(ticks) < 1000:
            ticks.append(time.monotonic())
            gevent.sleep(0.01)
    t = gevent.spawn(ticker)
    started = time.monotonic()
    slow = [gevent.spawn(store._query, "SELECT pg_sleep(0.5)") for _ in range(8)]
    gevent.joinall(slow, timeout=30, raise_error=True)
    took = time.monotonic() - started
    during = sum(1 for x in ticks if x < started + took)
    t.kill()
    store.close()
    print(during, round(took, 2))
""")


@pytest.mark.slow
def test_psycopg_under_gevent_lets_other_greenlets_run_during_a_slow_query(postgres_url):
    """Eight 0.5 s queries through a pool of four: two rounds; the ticker greenlet ran all along."""
    done = subprocess.run([sys.executable, "-c", GEVENT_CHECK, postgres_url], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    ticks, took = done.stdout.split()
    assert float(took) >= 1.0  # the pool of four made them wait their turn: two rounds
    assert int(ticks) >= 40  # 10 ms ticks went on all along (blocking would give about 1)
