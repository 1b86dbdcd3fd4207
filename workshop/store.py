"""The store: SQLite in WAL mode, the only module with SQL and the one source of truth."""
from __future__ import annotations

import json
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

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
    takeaways INTEGER NOT NULL DEFAULT 0
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
    UNIQUE (session_id, poll_id, participant_id)
);
"""


@dataclass(frozen=True)
class SessionRow:
    id: str
    deck_path: str
    deck_title: str
    join_code: str
    facilitator_key: str
    created_at: float
    ended_at: float | None
    current_slide: int
    qr: bool
    takeaways: bool


@dataclass(frozen=True)
class Participant:
    id: int
    session_id: str
    token: str
    pseudonym: str
    nickname: str
    joined_at: float


@dataclass(frozen=True)
class Answer:
    session_id: str
    poll_id: str
    participant_id: int
    value: object  # decoded JSON: list[int], int or str
    uid: str
    first_at: float
    last_at: float
    hidden: bool


class Store:
    """One SQLite database of sessions, participants and answers; safe to share across threads."""

    def __init__(self, path: str | Path, clock=time.time):
        self.path = str(path)
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

    def _tx(self, statements):
        """Run (sql, params) pairs in one transaction, committed before returning."""
        with self._lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                results = [self.db.execute(sql, params) for sql, params in statements]
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            return results

    def _query(self, sql, params=()):
        with self._lock:
            return self.db.execute(sql, params).fetchall()

    # ----- sessions -----

    def create_session(self, session_id, deck_path, deck_title, join_code, facilitator_key) -> SessionRow:
        self._tx([("INSERT INTO sessions (id, deck_path, deck_title, join_code, facilitator_key, "
                   "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                   (session_id, deck_path, deck_title, join_code, facilitator_key, self.clock()))])
        return self.session(session_id)

    def session(self, session_id: str) -> SessionRow | None:
        rows = self._query("SELECT * FROM sessions WHERE id = ?", (session_id,))
        return _session(rows[0]) if rows else None

    def session_by_code(self, join_code: str) -> SessionRow | None:
        rows = self._query("SELECT * FROM sessions WHERE join_code = ?", (join_code,))
        return _session(rows[0]) if rows else None

    def sessions(self) -> list[dict]:
        """Return every session with its counts, newest first."""
        rows = self._query(
            "SELECT s.*, (SELECT COUNT(*) FROM participants p WHERE p.session_id = s.id), "
            "(SELECT COUNT(*) FROM answers a WHERE a.session_id = s.id), "
            "(SELECT MAX(last_at) FROM answers a WHERE a.session_id = s.id) "
            "FROM sessions s ORDER BY s.created_at DESC")
        return [dict(session=_session(r[:10]), participants=r[10], answers=r[11], last_answer_at=r[12])
                for r in rows]

    def save_view(self, session_id, slide: int, qr: bool, takeaways: bool) -> None:
        self._tx([("UPDATE sessions SET current_slide = ?, qr = ?, takeaways = ? WHERE id = ?",
                   (slide, int(qr), int(takeaways), session_id))])

    def end_session(self, session_id) -> None:
        self._tx([("UPDATE sessions SET ended_at = ? WHERE id = ?", (self.clock(), session_id))])

    def poll_states(self, session_id) -> dict[str, tuple[str, bool]]:
        rows = self._query("SELECT poll_id, status, revealed FROM poll_states WHERE session_id = ?",
                           (session_id,))
        return {r[0]: (r[1], bool(r[2])) for r in rows}

    def save_poll_state(self, session_id, poll_id, status, revealed) -> None:
        self._tx([("INSERT INTO poll_states (session_id, poll_id, status, revealed) VALUES (?,?,?,?) "
                   "ON CONFLICT (session_id, poll_id) DO UPDATE SET status = excluded.status, "
                   "revealed = excluded.revealed", (session_id, poll_id, status, int(revealed)))])

    # ----- participants -----

    def participant(self, session_id, token) -> Participant | None:
        rows = self._query("SELECT * FROM participants WHERE session_id = ? AND token = ?",
                           (session_id, token))
        return Participant(*rows[0]) if rows else None

    def add_participant(self, session_id, token, pseudonym, nickname="") -> Participant:
        self._tx([("INSERT INTO participants (session_id, token, pseudonym, nickname, joined_at) "
                   "VALUES (?, ?, ?, ?, ?) ON CONFLICT (session_id, token) DO NOTHING",
                   (session_id, token, pseudonym, nickname, self.clock()))])
        return self.participant(session_id, token)

    def set_nickname(self, participant_id, nickname) -> None:
        self._tx([("UPDATE participants SET nickname = ? WHERE id = ?", (nickname, participant_id))])

    def participants(self, session_id) -> list[Participant]:
        return [Participant(*r) for r in self._query(
            "SELECT * FROM participants WHERE session_id = ? ORDER BY id", (session_id,))]

    def participant_count(self, session_id) -> int:
        return self._query("SELECT COUNT(*) FROM participants WHERE session_id = ?", (session_id,))[0][0]

    # ----- answers -----

    def save_answer(self, session_id, poll_id, participant_id, value, uid="") -> None:
        """Insert or replace a participant's answer to a poll; committed on return."""
        now = self.clock()
        self._tx([("INSERT INTO answers (session_id, poll_id, participant_id, value, uid, first_at, "
                   "last_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                   "ON CONFLICT (session_id, poll_id, participant_id) DO UPDATE SET "
                   "value = excluded.value, uid = excluded.uid, last_at = excluded.last_at, hidden = 0",
                   (session_id, poll_id, participant_id,
                    json.dumps(value, ensure_ascii=False), uid, now, now))])

    def answers(self, session_id, poll_id=None, participant_id=None) -> list[Answer]:
        sql, params = "SELECT * FROM answers WHERE session_id = ?", [session_id]
        if poll_id is not None:
            sql, params = sql + " AND poll_id = ?", params + [poll_id]
        if participant_id is not None:
            sql, params = sql + " AND participant_id = ?", params + [participant_id]
        rows = self._query(sql + " ORDER BY first_at, rowid", params)
        return [Answer(r[0], r[1], r[2], json.loads(r[3]), r[4], r[5], r[6], bool(r[7])) for r in rows]

    def hide_answer(self, session_id, poll_id, participant_id, hidden: bool) -> None:
        self._tx([("UPDATE answers SET hidden = ? WHERE session_id = ? AND poll_id = ? "
                   "AND participant_id = ?", (int(hidden), session_id, poll_id, participant_id))])

    def reset_poll(self, session_id, poll_id, status, revealed) -> None:
        """Delete a poll's answers and set its state, in one transaction."""
        self._tx([("DELETE FROM answers WHERE session_id = ? AND poll_id = ?", (session_id, poll_id)),
                  ("INSERT INTO poll_states (session_id, poll_id, status, revealed) VALUES (?,?,?,?) "
                   "ON CONFLICT (session_id, poll_id) DO UPDATE SET status = excluded.status, "
                   "revealed = excluded.revealed", (session_id, poll_id, status, int(revealed)))])

    def integrity_check(self) -> str:
        return self._query("PRAGMA integrity_check")[0][0]


def _session(row) -> SessionRow:
    r = list(row)
    r[8], r[9] = bool(r[8]), bool(r[9])
    return SessionRow(*r)
