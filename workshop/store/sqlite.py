"""The embedded store: one SQLite file in WAL mode, the only module with SQL with its Q&A
mixin sqlite_qa.py (see the package's docstring for what every store guarantees)."""
from __future__ import annotations

import json
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from . import Answer, JoinCodeTaken, PollClosed, RoomState, SessionRow, StaleState
from .rows import SharedRows
from .sqlite_qa import SQLiteQA

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    deck_path TEXT NOT NULL,
    deck_title TEXT NOT NULL,
    join_code TEXT NOT NULL UNIQUE,
    facilitator_key TEXT NOT NULL,
    created_at REAL NOT NULL,
    ended_at REAL,
    current_slide INTEGER NOT NULL DEFAULT 0,
    qr INTEGER NOT NULL DEFAULT 0,
    takeaways INTEGER NOT NULL DEFAULT 0,
    state_version INTEGER NOT NULL DEFAULT 0,
    moderate INTEGER NOT NULL DEFAULT 0,
    spotlight_poll TEXT,
    spotlight_participant INTEGER,
    names TEXT NOT NULL DEFAULT '',
    timing TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS poll_states (
    session_id TEXT NOT NULL REFERENCES sessions(id),
    poll_id TEXT NOT NULL,
    status TEXT NOT NULL,
    revealed INTEGER NOT NULL,
    PRIMARY KEY (session_id, poll_id)
);
CREATE TABLE IF NOT EXISTS participants (
    id INTEGER PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions(id),
    token TEXT NOT NULL,
    pseudonym TEXT NOT NULL,
    nickname TEXT NOT NULL DEFAULT '',
    joined_at REAL NOT NULL,
    team TEXT NOT NULL DEFAULT '',
    UNIQUE (session_id, token)
);
CREATE TABLE IF NOT EXISTS answers (
    session_id TEXT NOT NULL REFERENCES sessions(id),
    poll_id TEXT NOT NULL,
    participant_id INTEGER NOT NULL REFERENCES participants(id),
    value TEXT NOT NULL,
    uid TEXT NOT NULL DEFAULT '',
    first_at REAL NOT NULL,
    last_at REAL NOT NULL,
    hidden INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'shown',
    reason TEXT NOT NULL DEFAULT '',
    UNIQUE (session_id, poll_id, participant_id)
);
CREATE TABLE IF NOT EXISTS answer_uids (
    session_id TEXT NOT NULL,
    poll_id TEXT NOT NULL,
    participant_id INTEGER NOT NULL,
    uid TEXT NOT NULL,
    PRIMARY KEY (session_id, poll_id, participant_id, uid)
) WITHOUT ROWID;
"""

ANSWER_COLUMNS = ("session_id, poll_id, participant_id, value, uid, first_at, last_at, hidden, "
                  "status, reason, rev")
# Every change of an answer row takes the next number of one counter (answer_rev, one row):
# a revision that only grows, even across resets that delete rows.
NEXT_REV = "UPDATE answer_rev SET n = n + 1 RETURNING n"
# An answer is stored only while its poll's stored status is open (or the poll has no stored
# status: a store used without a room); BEGIN IMMEDIATE orders it with every close.
SAVE_ANSWER = ("INSERT INTO answers (session_id, poll_id, participant_id, value, uid, first_at, "
               "last_at, hidden, status, reason, rev) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? "
               "WHERE NOT EXISTS (SELECT 1 FROM poll_states WHERE session_id = ? AND poll_id = ? "
               "AND status != 'open') "
               "ON CONFLICT (session_id, poll_id, participant_id) DO UPDATE SET "
               "value = excluded.value, uid = excluded.uid, last_at = excluded.last_at, "
               "hidden = excluded.hidden, status = excluded.status, reason = excluded.reason, "
               "rev = excluded.rev")


class SQLiteStore(SharedRows, SQLiteQA):
    """One SQLite database of sessions, participants and answers; safe to share across threads."""

    def __init__(self, path: str | Path, clock=time.time):
        self.path = str(path)
        self.location = self.path  # what open_store takes to reach this store again
        self.clock = clock
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self.db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        # A committed transaction is in the WAL file once write() returns, so it survives
        # kill -9 of the server; FULL would only add protection against power loss.
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.execute("PRAGMA busy_timeout=5000")
        self.db.executescript(SCHEMA)
        self._migrate()

    def _migrate(self) -> None:
        """Bring a database made by an earlier version up to this schema."""
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version < 1:  # the room's state got a version
            columns = {r[1] for r in self.db.execute("PRAGMA table_info(sessions)")}
            if "state_version" not in columns:
                self.db.execute("ALTER TABLE sessions ADD COLUMN state_version INTEGER NOT NULL DEFAULT 0")
            self.db.execute("PRAGMA user_version = 1")
        if version < 2:  # every uid an answer was given under, not only the last one
            self.db.execute("INSERT OR IGNORE INTO answer_uids (session_id, poll_id, participant_id, uid) "
                            "SELECT session_id, poll_id, participant_id, uid FROM answers WHERE uid != ''")
            self.db.execute("PRAGMA user_version = 2")
        if version < 3:  # moderation: each answer's status, the switch and the spotlight
            self._add_columns("sessions", {"moderate": "INTEGER NOT NULL DEFAULT 0",
                                           "spotlight_poll": "TEXT",
                                           "spotlight_participant": "INTEGER"})
            self._add_columns("answers", {"status": "TEXT NOT NULL DEFAULT 'shown'",
                                          "reason": "TEXT NOT NULL DEFAULT ''"})
            self.db.execute("UPDATE answers SET status = 'hidden' WHERE hidden = 1")
            self.db.execute("PRAGMA user_version = 3")
        if version < 4:  # whether a session is anonymous or named is kept with it (workshop.names)
            self._add_columns("sessions", {"names": "TEXT NOT NULL DEFAULT ''"})
            self.db.execute("PRAGMA user_version = 4")
        if version < 5:  # audience Q&A: questions, their votes and uids (sqlite_qa.py)
            self._migrate_qa()
            self.db.execute("PRAGMA user_version = 5")
        if version < 6:  # quiz timers and the running activity (JSON), and each phone's team
            self._add_columns("sessions", {"timing": "TEXT NOT NULL DEFAULT '{}'"})
            self._add_columns("participants", {"team": "TEXT NOT NULL DEFAULT ''"})
            self.db.execute("PRAGMA user_version = 6")
        if version < 7:  # each answer row's revision, from one counter (NEXT_REV)
            self._add_columns("answers", {"rev": "INTEGER NOT NULL DEFAULT 0"})
            self.db.execute("CREATE TABLE IF NOT EXISTS answer_rev (n INTEGER NOT NULL)")
            self.db.execute("UPDATE answers SET rev = rowid")
            self.db.execute("INSERT INTO answer_rev (n) SELECT IFNULL(MAX(rev), 0) FROM answers")
            self.db.execute("PRAGMA user_version = 7")

    def _add_columns(self, table: str, columns: dict[str, str]) -> None:
        """Add the columns a table made by an earlier version lacks."""
        have = {r[1] for r in self.db.execute(f"PRAGMA table_info({table})")}
        for name, decl in columns.items():
            if name not in have:
                self.db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {decl}")

    def close(self) -> None:
        with self._lock:
            self.db.close()

    def checkpoint_elsewhere(self) -> None:
        """Stop automatic checkpoints on this connection: the caller runs `checkpoint` instead."""
        with self._lock:
            self.db.execute("PRAGMA wal_autocheckpoint=0")

    def checkpoint(self) -> None:
        """Copy committed pages from the WAL into the database file, syncing both to disk.

        It opens a connection of its own so that another OS thread can wait for the disk:
        a checkpoint is the only time a commit waits for fsync, and on a busy disk one took
        seconds while every phone of the event loop waited with it.
        """
        if self.path == ":memory:":
            return
        db = sqlite3.connect(self.path, isolation_level=None)
        try:
            db.execute("PRAGMA wal_checkpoint(PASSIVE)")  # never waits for readers or writers
        finally:
            db.close()

    @contextmanager
    def snapshot(self):
        """Read inside this block from one consistent state of the database (a read transaction)."""
        with self._lock:
            self.db.execute("BEGIN")
            try:
                yield
            finally:
                self.db.execute("COMMIT")

    @contextmanager
    def _write(self):
        """A write transaction (BEGIN IMMEDIATE: one writer at a time), committed at the end."""
        with self._lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise

    def _tx(self, statements):
        """Run (sql, params) pairs in one transaction, committed before returning."""
        with self._write() as db:
            return [db.execute(sql, params) for sql, params in statements]

    def _query(self, sql, params=()):
        with self._lock:
            return self.db.execute(sql, params).fetchall()

    # ----- sessions -----

    def create_session(self, session_id, deck_path, deck_title, join_code, facilitator_key,
                       names="") -> SessionRow:
        try:
            self._tx([("INSERT INTO sessions (id, deck_path, deck_title, join_code, facilitator_key, "
                       "created_at, names) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (session_id, deck_path, deck_title, join_code, facilitator_key, self.clock(),
                        names))])
        except sqlite3.IntegrityError as exc:
            if "join_code" in str(exc):
                raise JoinCodeTaken(join_code) from None
            raise
        return self.session(session_id)

    # ----- the room's state -----

    def state(self, session_id) -> RoomState:
        with self._lock:
            row = self.db.execute("SELECT state_version, current_slide, qr, takeaways, moderate, "
                                  "spotlight_poll, spotlight_participant, timing FROM sessions "
                                  "WHERE id = ?", (session_id,)).fetchone()
            if row is None:
                raise KeyError(session_id)
            polls = self.db.execute("SELECT poll_id, status, revealed FROM poll_states "
                                    "WHERE session_id = ? ORDER BY rowid", (session_id,)).fetchall()
        return RoomState(version=row[0], slide=row[1], qr=bool(row[2]), takeaways=bool(row[3]),
                         polls={p: (status, bool(revealed)) for p, status, revealed in polls},
                         moderate=bool(row[4]),
                         spotlight=(row[5], row[6]) if row[5] is not None else None,
                         **_timing(row[7]))

    def save_state(self, session_id, state: RoomState) -> RoomState:
        return self._save_state(session_id, state, [])

    def reset_poll(self, session_id, poll_id, state: RoomState) -> RoomState:
        return self._save_state(session_id, state, [
            ("DELETE FROM answers WHERE session_id = ? AND poll_id = ?", (session_id, poll_id))])

    def _save_state(self, session_id, state: RoomState, before) -> RoomState:
        """Write a whole state after `before`, in one transaction, if its version still stands."""
        with self._write() as db:
            moved = db.execute(
                "UPDATE sessions SET state_version = state_version + 1, current_slide = ?, qr = ?, "
                "takeaways = ?, moderate = ?, spotlight_poll = ?, spotlight_participant = ?, timing = ? "
                "WHERE id = ? AND state_version = ?",
                (state.slide, int(state.qr), int(state.takeaways), int(state.moderate),
                 *(state.spotlight or (None, None)),
                 json.dumps({"timers": {p: list(t) for p, t in state.timers.items()},
                             "activity": state.activity}), session_id, state.version))
            if moved.rowcount != 1:
                raise StaleState(f"session {session_id} is no longer at version {state.version}")
            for sql, params in before:
                db.execute(sql, params)
            db.executemany(
                "INSERT INTO poll_states (session_id, poll_id, status, revealed) VALUES (?,?,?,?) "
                "ON CONFLICT (session_id, poll_id) DO UPDATE SET status = excluded.status, "
                "revealed = excluded.revealed",
                [(session_id, p, status, int(revealed)) for p, (status, revealed) in state.polls.items()])
        return state.but(version=state.version + 1)

    # ----- answers (sessions' reads and participants: rows.py) -----

    def save_answer(self, session_id, poll_id, participant_id, value, uid="", status="shown",
                    reason="") -> int:
        """Insert or replace a participant's answer to a poll with its moderation status, and
        remember its uid among the ones this answer was given under, unless the poll's stored
        status is not open (PollClosed); committed on return; return the row's new revision."""
        now = self.clock()
        with self._write() as db:
            rev = db.execute(NEXT_REV).fetchone()[0]
            stored = db.execute(SAVE_ANSWER, (
                session_id, poll_id, participant_id, json.dumps(value, ensure_ascii=False), uid,
                now, now, int(status == "hidden"), status, reason, rev, session_id, poll_id))
            if stored.rowcount != 1:
                raise PollClosed(f"poll {poll_id} of session {session_id} is not open")
            if uid:
                db.execute("INSERT OR IGNORE INTO answer_uids (session_id, poll_id, participant_id, "
                           "uid) VALUES (?, ?, ?, ?)", (session_id, poll_id, participant_id, uid))
        return rev

    def remember_uid(self, session_id, poll_id, participant_id, uid) -> None:
        """Add a uid to those an unchanged answer was given under; committed on return."""
        self._tx([("INSERT OR IGNORE INTO answer_uids (session_id, poll_id, participant_id, uid) "
                   "VALUES (?, ?, ?, ?)", (session_id, poll_id, participant_id, uid))])

    def answer_uids(self, session_id) -> set[tuple[str, int, str]]:
        """Return every (poll, participant, uid) an answer of the session was given under."""
        return set(self._query("SELECT poll_id, participant_id, uid FROM answer_uids WHERE session_id = ?",
                               (session_id,)))

    def answers(self, session_id, poll_id=None, participant_id=None) -> list[Answer]:
        sql, params = f"SELECT {ANSWER_COLUMNS} FROM answers WHERE session_id = ?", [session_id]
        if poll_id is not None:
            sql, params = sql + " AND poll_id = ?", params + [poll_id]
        if participant_id is not None:
            sql, params = sql + " AND participant_id = ?", params + [participant_id]
        rows = self._query(sql + " ORDER BY first_at, rowid", params)
        return [Answer(r[0], r[1], r[2], json.loads(r[3]), r[4], r[5], r[6], bool(r[7]), r[8], r[9],
                       r[10]) for r in rows]

    def hide_answer(self, session_id, poll_id, participant_id, hidden: bool) -> int:
        return self.set_answer_status(session_id, poll_id, participant_id, "hidden" if hidden else "shown")

    def set_answer_status(self, session_id, poll_id, participant_id, status, reason="") -> int:
        """Set an answer's moderation status (`hidden` stays its mirror for older readers);
        return its new revision (0: no such answer)."""
        with self._write() as db:
            row = db.execute("UPDATE answers SET status = ?, reason = ?, hidden = ?, rev = "
                             "(SELECT n + 1 FROM answer_rev) WHERE session_id = ? AND poll_id = ? "
                             "AND participant_id = ? RETURNING rev",
                             (status, reason, int(status == "hidden"), session_id, poll_id,
                              participant_id)).fetchone()
            if row:
                db.execute(NEXT_REV).fetchone()
        return row[0] if row else 0

    def integrity_check(self) -> str:
        return self._query("PRAGMA integrity_check")[0][0]


def _timing(text: str) -> dict:
    """The quiz timers and the activity of a state row (its `timing` JSON)."""
    data = json.loads(text or "{}")
    return {"timers": {p: (float(t[0]), float(t[1])) for p, t in data.get("timers", {}).items()},
            "activity": data.get("activity")}
