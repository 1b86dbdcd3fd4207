"""The shared store: PostgreSQL through psycopg 3 and a pool of connections, for several server
processes on one database (see the package's docstring for what every store guarantees; the
Q&A half is postgres_qa.py).

Each method borrows a connection from the pool for one statement or one transaction and
commits before it returns. Inside `snapshot()` the reads of the calling thread or greenlet
use the block's one REPEATABLE READ connection (a context variable remembers it), so they
see one state; writes always take their own connection and commit at once. A database that
cannot be reached, or a connection that broke, raises StoreUnavailable within the pool's
`timeout` (a few seconds); the pool checks a connection before lending it and reconnects in
the background, so the same store works again once PostgreSQL is back.

psycopg 3 (3.1.14 and later) waits on its sockets through gevent when gevent has patched the
standard library, so a slow query of one greenlet does not stop the others; the pool's
workers are then greenlets too. psycopg decides when it is first imported (psycopg.waiting
picks `wait_poll` over its C `wait_c` if `select` is patched), so it must be imported after
`gevent.monkey.patch_all()`: server/cli.py patches first, and this module is imported only by
`open_store` for a URL. `_check_gevent` warns if that order was broken.
"""
from __future__ import annotations

import json
import sys
import time
import warnings
from contextlib import contextmanager
from contextvars import ContextVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import errors
from psycopg_pool import ConnectionPool, PoolTimeout

from . import (Answer, JoinCodeTaken, PollClosed, RoomState, SessionRow, StaleState,
               StoreUnavailable)
from .postgres_qa import PostgresQA
from .postgres_schema import migrate
from .rows import SharedRows, percent_markers

ANSWER_COLUMNS = ("session_id, poll_id, participant_id, value, uid, first_at, last_at, hidden, "
                  "status, reason, rev")
POOL_OPTIONS = {"pool_min": ("min_size", int, 1), "pool_max": ("max_size", int, 10),
                "pool_timeout": ("timeout", float, 5.0)}
UNAVAILABLE = (psycopg.OperationalError, PoolTimeout)

# An answer is stored only while its poll's stored status is open (or the poll has no stored
# status: a store used without a room). FOR SHARE makes a close that is committing wait for
# this answer, or this answer wait for the close and then see it. Its uid is remembered by the
# same statement (one statement is one transaction: no BEGIN and COMMIT round trips).
SAVE_ANSWER = (
    "WITH gate AS (SELECT status FROM poll_states WHERE session_id = %(s)s AND poll_id = %(p)s "
    "FOR SHARE), "
    "saved AS (INSERT INTO answers (session_id, poll_id, participant_id, value, uid, first_at, "
    "last_at, hidden, status, reason, rev) "
    "SELECT %(s)s, %(p)s, %(who)s, %(value)s, %(uid)s, %(now)s, %(now)s, %(hidden)s, %(status)s, "
    "%(reason)s, nextval('answer_rev') WHERE NOT EXISTS (SELECT 1 FROM gate WHERE status <> 'open') "
    "ON CONFLICT (session_id, poll_id, participant_id) DO UPDATE SET value = excluded.value, "
    "uid = excluded.uid, last_at = excluded.last_at, hidden = excluded.hidden, "
    "status = excluded.status, reason = excluded.reason, rev = excluded.rev RETURNING rev), "
    "uid AS (INSERT INTO answer_uids (session_id, poll_id, participant_id, uid) "
    "SELECT %(s)s, %(p)s, %(who)s, %(uid)s FROM saved WHERE %(uid)s <> '' ON CONFLICT DO NOTHING) "
    "SELECT rev FROM saved")
REMEMBER_UID = ("INSERT INTO answer_uids (session_id, poll_id, participant_id, uid) "
                "VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING")


def pool_settings(url: str) -> tuple[str, dict]:
    """Split the pool's own options (pool_min, pool_max, pool_timeout) from a URL's query."""
    parts = urlsplit(url)
    query, settings = [], {name: default for name, _, default in POOL_OPTIONS.values()}
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key in POOL_OPTIONS:
            name, kind, _ = POOL_OPTIONS[key]
            settings[name] = kind(value)
        else:
            query.append((key, value))
    settings["max_size"] = max(settings["max_size"], settings["min_size"])
    return urlunsplit(parts._replace(query=urlencode(query))), settings


class PostgresStore(SharedRows, PostgresQA):
    """One PostgreSQL database of sessions, participants and answers, shared by processes."""

    _sql = staticmethod(percent_markers)  # rows.py writes `?`; psycopg takes `%s`

    def __init__(self, url: str, clock=time.time):
        self.url = url
        self.location = url  # what open_store takes to reach this store again
        self.clock = clock
        _check_gevent()
        conninfo, settings = pool_settings(url)
        kwargs = {"autocommit": True}
        if "connect_timeout" not in conninfo:
            kwargs["connect_timeout"] = max(1, int(settings["timeout"]) - 1)
        self._current: ContextVar[psycopg.Connection | None] = ContextVar(f"pg-{id(self)}", default=None)
        self.pool = ConnectionPool(conninfo, kwargs=kwargs, open=False, name="workshop-store",
                                   check=ConnectionPool.check_connection, **settings)
        try:
            self.pool.open(wait=True, timeout=settings["timeout"])
            with self.pool.connection() as db:
                migrate(db)
        except UNAVAILABLE as exc:
            self.pool.close()
            raise StoreUnavailable(f"PostgreSQL at {_safe(url)}: {exc}") from exc
        except BaseException:
            self.pool.close()
            raise

    def schema_version(self) -> int:
        """The number of the last migration this database had."""
        return self._query("SELECT MAX(version) FROM schema_version")[0][0]

    def close(self) -> None:
        self.pool.close()

    def checkpoint_elsewhere(self) -> None:
        """Nothing to do: PostgreSQL checkpoints by itself (the SQLite store needs this)."""

    def checkpoint(self) -> None:
        """Nothing to do: PostgreSQL checkpoints by itself (the SQLite store needs this)."""

    # ----- connections -----

    @contextmanager
    def _connection(self):
        """Lend a pooled connection; turn a database out of reach into StoreUnavailable."""
        try:
            with self.pool.connection() as db:
                yield db
        except UNAVAILABLE as exc:
            raise StoreUnavailable(str(exc) or type(exc).__name__) from exc

    @contextmanager
    def snapshot(self):
        """Read inside this block from one consistent state (a REPEATABLE READ transaction on
        one connection, which this thread's or greenlet's reads use until the block ends)."""
        if self._current.get() is not None:  # already inside one
            yield
            return
        with self._connection() as db:
            with db.transaction():
                db.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                token = self._current.set(db)
                try:
                    yield
                finally:
                    self._current.reset(token)

    def _query(self, sql, params=()):
        db = self._current.get()
        if db is not None:
            try:
                return db.execute(sql, params).fetchall()
            except UNAVAILABLE as exc:
                raise StoreUnavailable(str(exc)) from exc
        with self._connection() as db:
            return db.execute(sql, params).fetchall()

    @contextmanager
    def _write(self):
        """A transaction on a connection of its own, committed when the block ends."""
        with self._connection() as db, db.transaction():
            yield db

    def _tx(self, statements):
        """Run (sql, params) pairs in one transaction, committed before returning."""
        with self._write() as db:
            return [db.execute(sql, params) for sql, params in statements]

    # ----- sessions -----

    def create_session(self, session_id, deck_path, deck_title, join_code, facilitator_key,
                       names="") -> SessionRow:
        try:
            self._tx([("INSERT INTO sessions (id, deck_path, deck_title, join_code, facilitator_key, "
                       "created_at, names) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                       (session_id, deck_path, deck_title, join_code, facilitator_key, self.clock(),
                        names))])
        except errors.UniqueViolation as exc:
            if exc.diag.constraint_name == "sessions_join_code_key":
                raise JoinCodeTaken(join_code) from None
            raise
        return self.session(session_id)

    # ----- the room's state -----

    def state(self, session_id) -> RoomState:
        with self.snapshot():
            row = self._query("SELECT state_version, current_slide, qr, takeaways, moderate, "
                              "spotlight_poll, spotlight_participant, timing FROM sessions "
                              "WHERE id = %s", (session_id,))
            if not row:
                raise KeyError(session_id)
            polls = self._query("SELECT poll_id, status, revealed FROM poll_states "
                                "WHERE session_id = %s ORDER BY seq", (session_id,))
        row = row[0]
        return RoomState(version=row[0], slide=row[1], qr=row[2], takeaways=row[3],
                         polls={p: (status, revealed) for p, status, revealed in polls},
                         moderate=row[4],
                         spotlight=(row[5], row[6]) if row[5] is not None else None,
                         **_timing(row[7]))

    def save_state(self, session_id, state: RoomState) -> RoomState:
        return self._save_state(session_id, state, None)

    def reset_poll(self, session_id, poll_id, state: RoomState) -> RoomState:
        return self._save_state(session_id, state, poll_id)

    def _save_state(self, session_id, state: RoomState, reset: str | None) -> RoomState:
        """Write a whole state (after deleting a reset poll's answers) in one transaction, if
        its version still stands. The poll rows are locked before any answer row, in the
        order save_answer takes them, so the two never deadlock."""
        timing = json.dumps({"timers": {p: list(t) for p, t in state.timers.items()},
                             "activity": state.activity})
        with self._write() as db:
            moved = db.execute(
                "UPDATE sessions SET state_version = state_version + 1, current_slide = %s, qr = %s, "
                "takeaways = %s, moderate = %s, spotlight_poll = %s, spotlight_participant = %s, "
                "timing = %s WHERE id = %s AND state_version = %s",
                (state.slide, state.qr, state.takeaways, state.moderate,
                 *(state.spotlight or (None, None)), timing, session_id, state.version))
            if moved.rowcount != 1:
                raise StaleState(f"session {session_id} is no longer at version {state.version}")
            db.execute("SELECT 1 FROM poll_states WHERE session_id = %s ORDER BY poll_id FOR UPDATE",
                       (session_id,))
            if reset is not None:
                db.execute("DELETE FROM answers WHERE session_id = %s AND poll_id = %s",
                           (session_id, reset))
            with db.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO poll_states (session_id, poll_id, status, revealed) "
                    "VALUES (%s, %s, %s, %s) ON CONFLICT (session_id, poll_id) DO UPDATE SET "
                    "status = excluded.status, revealed = excluded.revealed",
                    [(session_id, p, status, bool(revealed))
                     for p, (status, revealed) in state.polls.items()])
        return state.but(version=state.version + 1)

    # ----- answers (sessions' reads and participants: rows.py) -----

    def save_answer(self, session_id, poll_id, participant_id, value, uid="", status="shown",
                    reason="") -> int:
        """Insert or replace a participant's answer with its moderation status and remember its
        uid, in one transaction, unless the poll's stored status is not open (PollClosed);
        return the row's new revision."""
        now = self.clock()
        with self._connection() as db:  # autocommit: the one statement commits on return
            row = db.execute(SAVE_ANSWER, dict(
                s=session_id, p=poll_id, who=participant_id, value=json.dumps(value, ensure_ascii=False),
                uid=uid, now=now, hidden=status == "hidden", status=status, reason=reason)).fetchone()
        if row is None:
            raise PollClosed(f"poll {poll_id} of session {session_id} is not open")
        return row[0]

    def remember_uid(self, session_id, poll_id, participant_id, uid) -> None:
        """Add a uid to those an unchanged answer was given under; committed on return."""
        self._tx([(REMEMBER_UID, (session_id, poll_id, participant_id, uid))])

    def answer_uids(self, session_id) -> set[tuple[str, int, str]]:
        """Return every (poll, participant, uid) an answer of the session was given under."""
        return {tuple(r) for r in self._query(
            "SELECT poll_id, participant_id, uid FROM answer_uids WHERE session_id = %s", (session_id,))}

    def answers(self, session_id, poll_id=None, participant_id=None) -> list[Answer]:
        sql, params = f"SELECT {ANSWER_COLUMNS} FROM answers WHERE session_id = %s", [session_id]
        if poll_id is not None:
            sql, params = sql + " AND poll_id = %s", params + [poll_id]
        if participant_id is not None:
            sql, params = sql + " AND participant_id = %s", params + [participant_id]
        rows = self._query(sql + " ORDER BY first_at, seq", params)
        return [Answer(r[0], r[1], r[2], json.loads(r[3]), r[4], r[5], r[6], r[7], r[8], r[9], r[10])
                for r in rows]

    def hide_answer(self, session_id, poll_id, participant_id, hidden: bool) -> int:
        return self.set_answer_status(session_id, poll_id, participant_id, "hidden" if hidden else "shown")

    def set_answer_status(self, session_id, poll_id, participant_id, status, reason="") -> int:
        """Set an answer's moderation status; return its new revision (0: no such answer)."""
        with self._write() as db:
            row = db.execute(
                "UPDATE answers SET status = %s, reason = %s, hidden = %s, rev = nextval('answer_rev') "
                "WHERE session_id = %s AND poll_id = %s AND participant_id = %s RETURNING rev",
                (status, reason, status == "hidden", session_id, poll_id, participant_id)).fetchone()
        return row[0] if row else 0


def _timing(text: str) -> dict:
    """The quiz timers and the activity of a state row (its `timing` JSON)."""
    data = json.loads(text or "{}")
    return {"timers": {p: (float(t[0]), float(t[1])) for p, t in data.get("timers", {}).items()},
            "activity": data.get("activity")}


def _check_gevent() -> None:
    """Warn when gevent patched `select` after psycopg chose its blocking C wait function."""
    monkey = sys.modules.get("gevent.monkey")
    if monkey and monkey.is_module_patched("select"):
        from psycopg import waiting
        if waiting.wait is getattr(waiting, "wait_c", None):
            warnings.warn("psycopg was imported before gevent patched the standard library: "
                          "each query will stop every greenlet until it returns", RuntimeWarning)


def _safe(url: str) -> str:
    """A URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password:
        parts = parts._replace(netloc=parts.netloc.replace(":" + parts.password + "@", ":***@"))
    return urlunsplit(parts)
