"""The store (workshop/store), the one source of truth: every test runs on both backends,
SQLite and PostgreSQL (the tests' own server, tests/support/pg.py), except those marked
`sqlite_only` (WAL files, PRAGMAs, SQLite's migrations). test_store_postgres.py has what
only PostgreSQL can show (restarts, crashes, several processes)."""
from __future__ import annotations

import itertools
import sqlite3
import threading
from pathlib import Path

import psycopg
import pytest

from workshop.store import JoinCodeTaken, PollClosed, RoomState, StaleState, open_store

IntegrityError = (sqlite3.IntegrityError, psycopg.IntegrityError)
sqlite_only = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


class Clock:
    """A clock that moves only when told, so first_at and last_at are exact."""

    def __init__(self, now: float = 1_790_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request):
    """Both stores (overrides conftest's `backend`; `database` follows it)."""
    return request.param


@pytest.fixture
def store(database, clock):
    s = open_store(database, clock=clock)
    yield s
    s.close()


def raw(store, statements):
    """Run SQL written for SQLite (`?` placeholders) in one transaction of either store."""
    if hasattr(store, "db"):  # SQLiteStore
        return store._tx(statements)
    return store._tx([(sql.replace("?", "%s"), params) for sql, params in statements])


def new_session(store, sid="s1", code="ABCDEF"):
    return store.create_session(sid, "/decks/x.yaml", "A title", code, "key-" + sid)


@pytest.fixture
def sid(store):
    return new_session(store).id


@sqlite_only
def test_the_database_is_in_wal_mode(store, database):
    assert store._query("PRAGMA journal_mode")[0][0] == "wal"
    new_session(store)
    assert Path(database + "-wal").exists()
    other = sqlite3.connect(database)  # a second reader sees committed rows
    assert other.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 1
    other.close()


def test_foreign_keys_are_enforced(store, sid):
    with pytest.raises(IntegrityError):
        store.save_answer(sid, "p", 999, [0])  # no such participant
    assert store.answers(sid) == []


def test_session_roundtrip_and_lookup_by_code(store, clock):
    row = new_session(store)
    assert row.id == "s1" and row.join_code == "ABCDEF" and row.facilitator_key == "key-s1"
    assert row.created_at == clock.now and store.state(row.id) == RoomState()
    assert store.session_by_code("ABCDEF") == row
    assert store.session("nope") is None and store.session_by_code("ZZZZZZ") is None


def test_join_codes_are_unique(store):
    new_session(store)
    with pytest.raises(JoinCodeTaken):
        new_session(store, sid="s2", code="ABCDEF")
    assert store.session("s2") is None


def test_the_rooms_state_is_saved_whole_with_a_version(store, sid):
    first = store.save_state(sid, RoomState(slide=7, qr=True, takeaways=True,
                                            polls={"p1": ("open", False), "p2": ("pending", True)}))
    assert first.version == 1 and store.state(sid) == first
    second = store.save_state(sid, first.but(polls={"p1": ("closed", True), "p2": ("pending", True)}))
    assert second.version == 2
    assert store.state(sid) == RoomState(version=2, slide=7, qr=True, takeaways=True,
                                         polls={"p1": ("closed", True), "p2": ("pending", True)})


def test_a_state_saved_from_an_old_version_is_refused_and_changes_nothing(store, sid):
    read = store.state(sid)
    store.save_state(sid, read.but(slide=3))  # another process moved the room meanwhile
    with pytest.raises(StaleState):
        store.save_state(sid, read.but(slide=5, polls={"p1": ("open", True)}))
    assert store.state(sid) == RoomState(version=1, slide=3)


def test_a_token_joins_once_per_session(store, sid):
    first = store.add_participant(sid, "token-aaaaaaaaaaaaaaa", "Amber Badger", "Ana")
    again = store.add_participant(sid, "token-aaaaaaaaaaaaaaa", "Other Name")
    assert again == first and store.participant_count(sid) == 1
    other_session = new_session(store, "s2", "BCDEFG").id
    elsewhere = store.add_participant(other_session, "token-aaaaaaaaaaaaaaa", "Blue Bear")
    assert elsewhere.id != first.id
    with pytest.raises(IntegrityError):
        raw(store, [("INSERT INTO participants (session_id, token, pseudonym, joined_at) VALUES (?,?,?,?)",
                     (sid, "token-aaaaaaaaaaaaaaa", "Dup", 0))])


def test_nickname_is_updated(store, sid):
    p = store.add_participant(sid, "t" * 20, "Amber Badger")
    store.set_nickname(p.id, "Ana")
    assert store.participant(sid, "t" * 20).nickname == "Ana"
    assert [q.nickname for q in store.participants(sid)] == ["Ana"]


def test_one_answer_per_session_poll_and_participant(store, sid):
    p = store.add_participant(sid, "t" * 20, "Amber Badger")
    store.save_answer(sid, "poll", p.id, [0])
    with pytest.raises(IntegrityError):
        raw(store, [("INSERT INTO answers (session_id, poll_id, participant_id, value, first_at, last_at, "
                     "rev) VALUES (?, ?, ?, ?, 0, 0, 0)", (sid, "poll", p.id, "[1]"))])
    assert [a.value for a in store.answers(sid)] == [[0]]


def test_save_answer_upsert_keeps_first_at_and_unhides(store, sid, clock):
    p = store.add_participant(sid, "t" * 20, "Amber Badger")
    store.save_answer(sid, "open", p.id, "first", "u1")
    store.hide_answer(sid, "open", p.id, True)
    assert store.answers(sid)[0].hidden is True
    first_at = clock.now
    clock.now += 30
    store.save_answer(sid, "open", p.id, "second", "u2")
    (a,) = store.answers(sid)
    assert (a.value, a.uid, a.first_at, a.last_at, a.hidden) == ("second", "u2", first_at, first_at + 30, False)


def test_values_roundtrip_as_json(store, sid):
    p = store.add_participant(sid, "t" * 20, "Amber Badger")
    values = {"c": [0, 3], "s": 10, "r": [2, 0, 1],
              "o": "<script>alert(1)</script> =HYPERLINK(\"x\") \u202e\u200d👍 领导 \ufffd \"quoted\"\n"}
    for poll_id, value in values.items():
        store.save_answer(sid, poll_id, p.id, value)
    assert {a.poll_id: a.value for a in store.answers(sid)} == values


def test_answers_filter_by_poll_and_participant_in_first_answer_order(store, sid, clock):
    a = store.add_participant(sid, "a" * 20, "A")
    b = store.add_participant(sid, "b" * 20, "B")
    for pid, poll in ((a.id, "p1"), (b.id, "p1"), (a.id, "p2")):
        clock.now += 1
        store.save_answer(sid, poll, pid, 1)
    clock.now += 1
    store.save_answer(sid, "p1", a.id, 2)  # a change keeps its place
    assert [(x.poll_id, x.participant_id) for x in store.answers(sid)] == [("p1", a.id), ("p1", b.id),
                                                                          ("p2", a.id)]
    assert [x.participant_id for x in store.answers(sid, "p1")] == [a.id, b.id]
    assert [x.poll_id for x in store.answers(sid, participant_id=a.id)] == ["p1", "p2"]
    assert store.answers(sid, "p2", b.id) == []


def test_reset_poll_deletes_only_that_polls_answers_and_sets_its_state(store, sid):
    other = new_session(store, "s2", "BCDEFG").id
    p = store.add_participant(sid, "a" * 20, "A")
    q = store.add_participant(other, "a" * 20, "A")
    store.save_answer(sid, "p1", p.id, 1)
    store.save_answer(sid, "p2", p.id, 2)
    store.save_answer(other, "p1", q.id, 3)
    closed = store.save_state(sid, RoomState(polls={"p1": ("closed", True)}))
    reset = store.reset_poll(sid, "p1", closed.but(polls={"p1": ("open", False)}))
    assert [(a.poll_id, a.value) for a in store.answers(sid)] == [("p2", 2)]
    assert [a.value for a in store.answers(other)] == [3]
    assert store.state(sid) == reset and reset.version == 2 and reset.polls == {"p1": ("open", False)}
    with pytest.raises(StaleState):  # a reset from an old state deletes nothing
        store.reset_poll(sid, "p2", closed)
    assert [(a.poll_id, a.value) for a in store.answers(sid)] == [("p2", 2)]


def test_a_failed_transaction_changes_nothing(store, sid):
    p = store.add_participant(sid, "a" * 20, "A")
    with pytest.raises(IntegrityError):
        raw(store, [("UPDATE sessions SET qr = NOT qr WHERE id = ?", (sid,)),
                    ("INSERT INTO answers (session_id, poll_id, participant_id, value, first_at, last_at, "
                     "rev) VALUES (?, ?, ?, ?, 0, 0, 0)", (sid, "p", 12345, "1"))])
    assert store.state(sid).qr is False
    store.save_answer(sid, "p", p.id, 1)  # the connection is usable afterwards
    assert len(store.answers(sid)) == 1


def test_sessions_lists_newest_first_with_counts(store, clock):
    old = new_session(store, "old", "AAAAAA").id
    clock.now += 100
    new = new_session(store, "new", "BBBBBB").id
    people = [store.add_participant(old, c * 20, c) for c in "abc"]
    store.add_participant(new, "z" * 20, "z")
    for p in people[:2]:
        clock.now += 1
        store.save_answer(old, "p1", p.id, 1)
        store.save_answer(old, "p2", p.id, 1)
    rows = store.sessions()
    assert [r["session"].id for r in rows] == ["new", "old"]
    assert (rows[1]["participants"], rows[1]["answers"], rows[1]["last_answer_at"]) == (3, 4, clock.now)
    assert (rows[0]["participants"], rows[0]["answers"], rows[0]["last_answer_at"]) == (1, 0, None)


def test_everything_survives_closing_and_reopening(database, clock):
    path = database
    s = open_store(path, clock=clock)
    sid = new_session(s).id
    p = s.add_participant(sid, "a" * 20, "A")
    s.save_answer(sid, "p1", p.id, "text", "uid-1")
    saved = s.save_state(sid, RoomState(slide=4, takeaways=True, polls={"p1": ("closed", True)}))
    s.close()
    s = open_store(path, clock=clock)
    assert [(a.value, a.uid) for a in s.answers(sid)] == [("text", "uid-1")]
    assert s.state(sid) == saved
    assert not hasattr(s, "integrity_check") or s.integrity_check() == "ok"
    s.close()


def test_threads_sharing_the_store_lose_no_answer(store, sid):
    people = [store.add_participant(sid, f"{i:020d}", str(i)).id for i in range(8)]
    errors = []

    def answer_all(pid):
        try:
            for n in range(25):
                store.save_answer(sid, f"p{n % 5}", pid, n)
        except Exception as exc:  # pragma: no cover - the test fails below
            errors.append(exc)

    threads = [threading.Thread(target=answer_all, args=(pid,)) for pid in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == [] and not any(t.is_alive() for t in threads)
    rows = store.answers(sid)
    assert len(rows) == 8 * 5
    assert {(a.poll_id, a.value) for a in rows} == {(f"p{n}", 20 + n) for n in range(5)}
    keys = [(a.session_id, a.poll_id, a.participant_id) for a in rows]
    assert len(keys) == len(set(keys))
    assert not hasattr(store, "integrity_check") or store.integrity_check() == "ok"


def test_two_stores_on_one_database_see_each_others_commits(database, clock):
    """Several processes share a database: a commit is visible to the others."""
    one, two = open_store(database, clock=clock), open_store(database, clock=clock)
    try:
        sid = new_session(one).id
        p = two.add_participant(sid, "a" * 20, "A")
        for n, writer in zip(range(6), itertools.cycle((one, two))):
            writer.save_answer(sid, "p1", p.id, n)
        assert [a.value for a in one.answers(sid)] == [5] == [a.value for a in two.answers(sid)]
    finally:
        one.close()
        two.close()


def test_a_snapshot_reads_one_state_while_another_connection_writes(database):
    reader, writer = open_store(database), open_store(database)
    writer.create_session("s1", "deck.yaml", "Deck", "ABCDEF", "key")
    with reader.snapshot():
        before = reader.participant_count("s1")
        writer.add_participant("s1", "token-written-meanwhile-1", "Owl")
        assert reader.participant_count("s1") == before  # the snapshot does not move
    assert reader.participant_count("s1") == before + 1
    reader.close()
    writer.close()


@sqlite_only
def test_a_database_from_before_the_state_had_a_version_is_migrated(tmp_path, backend):
    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    old.executescript("""
        CREATE TABLE sessions (id TEXT PRIMARY KEY, deck_path TEXT NOT NULL, deck_title TEXT NOT NULL,
            join_code TEXT NOT NULL UNIQUE, facilitator_key TEXT NOT NULL, created_at REAL NOT NULL,
            ended_at REAL, current_slide INTEGER NOT NULL DEFAULT 0, qr INTEGER NOT NULL DEFAULT 0,
            takeaways INTEGER NOT NULL DEFAULT 0);
        INSERT INTO sessions VALUES ('s1', 'd.yaml', 'Old', 'ABCDEF', 'k', 1.0, NULL, 5, 1, 0);
    """)
    old.close()
    s = open_store(path)
    assert s.state("s1") == RoomState(version=0, slide=5, qr=True)
    assert s.save_state("s1", s.state("s1").but(slide=6)).version == 1
    s.close()


def test_every_change_of_an_answer_takes_a_newer_revision_from_one_counter(store, sid):
    a = store.add_participant(sid, "a" * 20, "A")
    b = store.add_participant(sid, "b" * 20, "B")
    revs = [store.save_answer(sid, "p1", a.id, 1), store.save_answer(sid, "p1", b.id, 1),
            store.save_answer(sid, "p1", a.id, 2), store.set_answer_status(sid, "p1", b.id, "held", "moderation"),
            store.hide_answer(sid, "p1", a.id, True)]
    assert revs == sorted(revs) and len(set(revs)) == 5 and revs[0] >= 1
    assert {x.participant_id: x.rev for x in store.answers(sid)} == {a.id: revs[4], b.id: revs[3]}
    assert store.set_answer_status(sid, "p1", 12345, "shown") == 0  # no such answer
    closed = store.save_state(sid, RoomState(polls={"p1": ("closed", True)}))
    store.reset_poll(sid, "p1", closed.but(polls={"p1": ("open", False)}))
    assert store.save_answer(sid, "p1", a.id, 3) > revs[-1]  # a reset does not reuse revisions


def test_no_answer_is_stored_to_a_poll_whose_stored_status_is_not_open(store, sid):
    p = store.add_participant(sid, "a" * 20, "A")
    state = store.save_state(sid, RoomState(polls={"p1": ("open", False), "p2": ("pending", False)}))
    rev = store.save_answer(sid, "p1", p.id, "before", "u1")
    with pytest.raises(PollClosed):
        store.save_answer(sid, "p2", p.id, "too early", "u2")
    store.save_state(sid, state.but(polls={"p1": ("closed", True), "p2": ("pending", False)}))
    with pytest.raises(PollClosed):
        store.save_answer(sid, "p1", p.id, "too late", "u3")
    assert [(a.value, a.uid, a.rev) for a in store.answers(sid)] == [("before", "u1", rev)]
    assert store.answer_uids(sid) == {("p1", p.id, "u1")}  # nor their uids
    assert store.save_answer(sid, "p9", p.id, "no stored status") > rev  # a store without a room


def test_resend_uids_survive_a_reset_of_the_poll(store, sid):
    p = store.add_participant(sid, "a" * 20, "A")
    state = store.save_state(sid, RoomState(polls={"p1": ("open", False)}))
    store.save_answer(sid, "p1", p.id, 1, "u1")
    store.save_answer(sid, "p1", p.id, 2, "u2")
    store.remember_uid(sid, "p1", p.id, "u2-again")
    store.reset_poll(sid, "p1", state)
    assert store.answers(sid) == []
    assert store.answer_uids(sid) == {("p1", p.id, "u1"), ("p1", p.id, "u2"), ("p1", p.id, "u2-again")}


def test_questions_votes_and_their_uids_roundtrip(store, sid):
    a = store.add_participant(sid, "a" * 20, "A")
    b = store.add_participant(sid, "b" * 20, "B")
    q1 = store.add_question(sid, a.id, "Why?", uid="qa-1")
    q2 = store.add_question(sid, b.id, "How?", "held", "moderation", "qa-2")
    store.set_vote(sid, q1.id, b.id, True, "v-1")
    store.set_vote(sid, q1.id, b.id, True, "v-1")  # at most once
    store.set_vote(sid, q2.id, a.id, True)
    store.set_vote(sid, q2.id, a.id, False, "v-2")
    store.pin_question(sid, q2.id)
    store.pin_question(sid, q1.id)
    store.set_question_status(sid, q2.id, "answered")
    assert [(q.id, q.text, q.status, q.reason, q.pinned, q.uid) for q in store.questions(sid)] == [
        (q1.id, "Why?", "shown", "", True, "qa-1"), (q2.id, "How?", "answered", "", False, "qa-2")]
    assert store.question_votes(sid) == [(q1.id, b.id)]
    assert store.qa_uids(sid) == {(a.id, "qa-1"), (b.id, "qa-2"), (b.id, "v-1"), (a.id, "v-2")}
    store.pin_question(sid, None)
    assert not any(q.pinned for q in store.questions(sid))


@sqlite_only
def test_answers_of_a_database_from_before_revisions_get_one_each(database, backend, clock):
    s = open_store(database, clock=clock)
    sid = new_session(s).id
    people = [s.add_participant(sid, c * 20, c).id for c in "ab"]
    for pid in people:
        s.save_answer(sid, "p1", pid, 1)
    s.close()
    old = sqlite3.connect(database)  # as schema version 6 left it
    old.executescript("ALTER TABLE answers DROP COLUMN rev; DROP TABLE answer_rev; PRAGMA user_version = 6;")
    old.close()
    s = open_store(database, clock=clock)
    try:
        revs = [a.rev for a in s.answers(sid)]
        assert len(set(revs)) == 2 and min(revs) >= 1
        assert s.save_answer(sid, "p1", people[0], 2) > max(revs)
    finally:
        s.close()
