"""Sessions and participants, read and written the same way by both stores: SQL that SQLite and
PostgreSQL both speak, written once with `?` markers. A mixin of SQLiteStore and PostgresStore,
which provide `_query`, `_tx`, `clock` and `_sql` (their own parameter markers)."""
from __future__ import annotations

from functools import lru_cache

from . import Participant, SessionRow

SESSION_COLUMNS = "id, deck_path, deck_title, join_code, facilitator_key, created_at, ended_at, names"
PARTICIPANT_COLUMNS = "id, session_id, token, pseudonym, nickname, joined_at, team"


@lru_cache(maxsize=None)
def percent_markers(sql: str) -> str:
    """The same statement with psycopg's `%s` markers (the SQL here has no other `?`)."""
    return sql.replace("?", "%s")


class SharedRows:
    """The store's sessions and participants, each write committed before it returns."""

    @staticmethod
    def _sql(sql: str) -> str:
        return sql  # SQLite's markers are `?`; PostgresStore turns them into `%s`

    # ----- sessions -----

    def session(self, session_id: str) -> SessionRow | None:
        rows = self._query(self._sql(f"SELECT {SESSION_COLUMNS} FROM sessions WHERE id = ?"), (session_id,))
        return SessionRow(*rows[0]) if rows else None

    def session_by_code(self, join_code: str) -> SessionRow | None:
        rows = self._query(self._sql(f"SELECT {SESSION_COLUMNS} FROM sessions WHERE join_code = ?"),
                           (join_code,))
        return SessionRow(*rows[0]) if rows else None

    def sessions(self) -> list[dict]:
        """Return every session with its counts, newest first."""
        rows = self._query(
            f"SELECT {SESSION_COLUMNS}, (SELECT COUNT(*) FROM participants p WHERE p.session_id = s.id), "
            "(SELECT COUNT(*) FROM answers a WHERE a.session_id = s.id), "
            "(SELECT MAX(last_at) FROM answers a WHERE a.session_id = s.id) "
            "FROM sessions s ORDER BY s.created_at DESC")
        n = len(SESSION_COLUMNS.split(","))
        return [dict(session=SessionRow(*r[:n]), participants=r[n], answers=r[n + 1],
                     last_answer_at=r[n + 2]) for r in rows]

    def end_session(self, session_id) -> None:
        self._tx([(self._sql("UPDATE sessions SET ended_at = ? WHERE id = ?"), (self.clock(), session_id))])

    # ----- participants -----

    def participant(self, session_id, token) -> Participant | None:
        rows = self._query(self._sql(f"SELECT {PARTICIPANT_COLUMNS} FROM participants "
                                     "WHERE session_id = ? AND token = ?"), (session_id, token))
        return Participant(*rows[0]) if rows else None

    def add_participant(self, session_id, token, pseudonym, nickname="") -> Participant:
        self._tx([(self._sql("INSERT INTO participants (session_id, token, pseudonym, nickname, joined_at) "
                             "VALUES (?, ?, ?, ?, ?) ON CONFLICT (session_id, token) DO NOTHING"),
                   (session_id, token, pseudonym, nickname, self.clock()))])
        return self.participant(session_id, token)

    def set_team(self, participant_id, team) -> None:
        self._tx([(self._sql("UPDATE participants SET team = ? WHERE id = ?"), (team, participant_id))])

    def set_nickname(self, participant_id, nickname) -> None:
        self._tx([(self._sql("UPDATE participants SET nickname = ? WHERE id = ?"), (nickname, participant_id))])

    def participants(self, session_id) -> list[Participant]:
        return [Participant(*r) for r in self._query(
            self._sql(f"SELECT {PARTICIPANT_COLUMNS} FROM participants WHERE session_id = ? ORDER BY id"),
            (session_id,))]

    def participant_count(self, session_id) -> int:
        return self._query(self._sql("SELECT COUNT(*) FROM participants WHERE session_id = ?"),
                           (session_id,))[0][0]
