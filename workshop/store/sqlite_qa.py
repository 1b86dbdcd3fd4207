"""The embedded store's audience Q&A: questions, their votes and the uids they came under
(a mixin of SQLiteStore, which provides `_tx`, `_query` and `clock`)."""
from __future__ import annotations

from . import StoredQuestion

QA_SCHEMA = """
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions(id),
    participant_id INTEGER NOT NULL REFERENCES participants(id),
    text TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'shown',
    reason TEXT NOT NULL DEFAULT '',
    pinned INTEGER NOT NULL DEFAULT 0,
    uid TEXT NOT NULL DEFAULT '',
    asked_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS questions_session ON questions (session_id);
CREATE TABLE IF NOT EXISTS question_votes (
    question_id INTEGER NOT NULL REFERENCES questions(id),
    participant_id INTEGER NOT NULL REFERENCES participants(id),
    voted_at REAL NOT NULL,
    UNIQUE (question_id, participant_id)
);
CREATE TABLE IF NOT EXISTS qa_uids (
    session_id TEXT NOT NULL,
    participant_id INTEGER NOT NULL,
    uid TEXT NOT NULL,
    PRIMARY KEY (session_id, participant_id, uid)
) WITHOUT ROWID;
"""

QUESTION_COLUMNS = "id, session_id, participant_id, text, status, reason, pinned, uid, asked_at"
_UID = "INSERT OR IGNORE INTO qa_uids (session_id, participant_id, uid) VALUES (?, ?, ?)"


class SQLiteQA:
    """Questions and votes, each committed before it returns."""

    def _migrate_qa(self) -> None:
        """Schema version 5: the audience's questions and votes."""
        self.db.executescript(QA_SCHEMA)

    def add_question(self, session_id, participant_id, text, status="shown", reason="",
                     uid="") -> StoredQuestion:
        now = self.clock()
        statements = [("INSERT INTO questions (session_id, participant_id, text, status, reason, uid, "
                       "asked_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (session_id, participant_id, text, status, reason, uid, now))]
        if uid:
            statements.append((_UID, (session_id, participant_id, uid)))
        cursor = self._tx(statements)[0]
        return StoredQuestion(cursor.lastrowid, session_id, participant_id, text, status, reason,
                              False, uid, now)

    def questions(self, session_id) -> list[StoredQuestion]:
        rows = self._query(f"SELECT {QUESTION_COLUMNS} FROM questions WHERE session_id = ? "
                           "ORDER BY id", (session_id,))
        return [StoredQuestion(*r[:6], bool(r[6]), *r[7:]) for r in rows]

    def set_question_status(self, session_id, question_id, status, reason="") -> None:
        self._tx([("UPDATE questions SET status = ?, reason = ? WHERE session_id = ? AND id = ?",
                   (status, reason, session_id, question_id))])

    def pin_question(self, session_id, question_id) -> None:
        """Pin one question of the session (None: none), unpinning the others, in one transaction."""
        self._tx([("UPDATE questions SET pinned = (id IS ?) WHERE session_id = ? "
                   "AND (pinned = 1 OR id IS ?)", (question_id, session_id, question_id))])

    def set_vote(self, session_id, question_id, participant_id, on: bool, uid="") -> None:
        """Add (once) or withdraw a participant's vote, remembering its uid; committed on return."""
        if on:
            statements = [("INSERT OR IGNORE INTO question_votes (question_id, participant_id, voted_at) "
                           "VALUES (?, ?, ?)", (question_id, participant_id, self.clock()))]
        else:
            statements = [("DELETE FROM question_votes WHERE question_id = ? AND participant_id = ?",
                           (question_id, participant_id))]
        if uid:
            statements.append((_UID, (session_id, participant_id, uid)))
        self._tx(statements)

    def question_votes(self, session_id) -> list[tuple[int, int]]:
        """Every (question id, participant id) vote of the session, oldest first."""
        return self._query("SELECT v.question_id, v.participant_id FROM question_votes v "
                           "JOIN questions q ON q.id = v.question_id WHERE q.session_id = ? "
                           "ORDER BY v.rowid", (session_id,))

    def qa_uids(self, session_id) -> set[tuple[int, str]]:
        """Every (participant id, uid) a question or vote of the session came under."""
        return set(self._query("SELECT participant_id, uid FROM qa_uids WHERE session_id = ?",
                               (session_id,)))
