"""The store: the one source of truth, behind an interface a second backend can implement.

The live room keeps caches (tallies, the current state) that it can rebuild from a store at
any time; everything a room promises a phone is promised by the store first. A backend
provides the methods of `Store` below with these guarantees:

- **Committed before it returns.** Every method that writes has committed when it returns:
  the server acknowledges an answer only after `save_answer` returned, so an acknowledged
  answer survives `kill -9` of the server.
- **One answer per participant per poll.** `save_answer` replaces the participant's answer to
  that poll (keeping when it was first given, setting its moderation `status` to the one given:
  `shown`, or `held` for approval) atomically; two writers never leave two rows.
- **No answer after a close.** `save_answer` raises `PollClosed` and writes nothing when the
  poll's stored status (in the state below) is not open, checked in the transaction that
  would write it: once a close has committed, no process stores an answer to that poll. (A
  poll with no stored status at all, as in a store used without a room, takes answers.)
- **Every change of an answer row has a revision.** `save_answer` and `set_answer_status`
  return `rev`, taken in the same transaction from one counter of the whole store that only
  grows; `answers()` gives each row's `rev`. A process that copies answer changes from another
  applies a row only if its `rev` is newer than the one it holds.
- **An answer's moderation status is stored** (`shown`, `held` with the reason it waits,
  `hidden`), so a restarted room has the same queue.
- **Resends are recognised by uid.** Each answer carries the `uid` the phone chose for it (a
  retry after a reconnect sends the same uid). The store keeps, in the same transaction as the
  answer, every uid a participant's answer to a poll was ever given under (`answer_uids`), not
  only the last, and keeps them through a reset: a room rebuilt from the store still knows
  that a resend of an answer since replaced is stale, and changes nothing.
- **The room's state is versioned.** The authoritative state that is not an answer (current
  slide, QR and takeaway flags, the moderation switch, the spotlit answer, each poll's status
  and reveal, timed questions' opening and closing times, the running activity) is one `RoomState` with a version. `save_state` and `reset_poll` write a whole state in one transaction, only if the
  stored version is still the one the writer read (compare-and-set), and return it with the
  next version; a writer that lost the race gets `StaleState` and must re-read. So a second
  process can follow a room by its version.
- **Audience questions and votes** (workshop/qa.py): one vote per participant per question
  (UNIQUE), a vote and a question committed before the phone's ack, and every uid a question or
  vote came under kept in the same transaction (`qa_uids`), so a resend changes nothing.
- **Reads are consistent inside `snapshot()`**, while other connections write.
- **A store out of reach says so.** A backend on a server (PostgreSQL) raises
  `StoreUnavailable` within a few seconds when the database cannot be reached or a connection
  broke mid-transaction (nothing is acknowledged then: the phone resends by uid), and works
  again by itself once the database is back.

`open_store(location)` returns the backend for a location: a `postgresql://` (or
`postgres://`) URL gives the PostgreSQL store (postgres.py, for several server processes);
anything else is a SQLite file path (sqlite.py, the embedded default).
"""
from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from typing import Mapping, Protocol


class StaleState(Exception):
    """The room's state was saved by someone else since it was read: read it again."""


class JoinCodeTaken(Exception):
    """Another session already has this join code: pick another."""


class PollClosed(Exception):
    """The poll's stored status is not open: the answer was not stored."""


class StoreUnavailable(Exception):
    """The database cannot be reached right now (or the connection broke): try again later."""


@dataclass(frozen=True)
class SessionRow:
    """A session as stored: who may control it and how phones find it."""

    id: str
    deck_path: str
    deck_title: str
    join_code: str
    facilitator_key: str
    created_at: float
    ended_at: float | None
    names: str = ""  # "anonymous" or "named" (workshop.names); "" in a session from before


@dataclass(frozen=True)
class RoomState:
    """The room's authoritative state that is not an answer, at one version."""

    version: int = 0
    slide: int = 0
    qr: bool = False
    takeaways: bool = False
    polls: Mapping[str, tuple[str, bool]] = field(default_factory=dict)  # id -> (status, revealed)
    moderate: bool = False  # the session's moderation switch
    spotlight: tuple[str, int] | None = None  # (poll id, participant id) shown large
    timers: Mapping[str, tuple[float, float]] = field(default_factory=dict)  # poll -> (opened, closes)
    activity: Mapping | None = None  # the running activity (workshop/activity.py), or None

    def but(self, **changes) -> RoomState:
        """Return a copy with some fields changed (the version stays: the store moves it)."""
        return replace(self, **changes)


@dataclass(frozen=True)
class Participant:
    id: int
    session_id: str
    token: str
    pseudonym: str
    nickname: str
    joined_at: float
    team: str = ""  # the quiz team (table) the phone picked, from the deck's `teams`


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
    status: str = "shown"  # moderation: shown, held (waits for approval) or hidden
    reason: str = ""  # why a held answer waits: moderation or filtered
    rev: int = 0  # the revision of its last change, from the store-wide counter


@dataclass(frozen=True)
class StoredQuestion:
    id: int
    session_id: str
    participant_id: int
    text: str
    status: str  # workshop.qa: shown, held, hidden, answered, archived
    reason: str
    pinned: bool
    uid: str
    asked_at: float


class Store(Protocol):
    """What the live room, the reports and the CLI need of a store."""

    clock: object  # returns the time every row is stamped with; simulate drives it
    location: str  # what open_store takes to reach this store again (a report worker does)

    # sessions
    def create_session(self, session_id: str, deck_path: str, deck_title: str, join_code: str,
                       facilitator_key: str, names: str = "") -> SessionRow:
        """Add a session (at version 0 of an empty state), anonymous or named for good; raise
        JoinCodeTaken on a used code."""
    def session(self, session_id: str) -> SessionRow | None: ...
    def session_by_code(self, join_code: str) -> SessionRow | None: ...
    def sessions(self) -> list[dict]:
        """Every session, newest first, with counts of participants and answers."""
    def end_session(self, session_id: str) -> None: ...

    # the room's state
    def state(self, session_id: str) -> RoomState:
        """Return the session's latest state and its version."""
    def save_state(self, session_id: str, state: RoomState) -> RoomState:
        """Save a whole state if `state.version` is still the stored one; return it at the
        next version, or raise StaleState."""
    def reset_poll(self, session_id: str, poll_id: str, state: RoomState) -> RoomState:
        """Delete a poll's answers and save the state, in one transaction, as save_state."""

    # participants
    def participant(self, session_id: str, token: str) -> Participant | None: ...
    def add_participant(self, session_id: str, token: str, pseudonym: str,
                        nickname: str = "") -> Participant:
        """Add a participant once per token and session; return the stored one either way."""
    def set_nickname(self, participant_id: int, nickname: str) -> None: ...
    def set_team(self, participant_id: int, team: str) -> None: ...
    def participants(self, session_id: str) -> list[Participant]: ...
    def participant_count(self, session_id: str) -> int: ...

    # answers
    def save_answer(self, session_id: str, poll_id: str, participant_id: int, value,
                    uid: str = "", status: str = "shown", reason: str = "") -> int:
        """Insert or replace a participant's answer to a poll, with its moderation status;
        committed on return; return the row's new `rev`. Raise PollClosed (writing nothing)
        when the poll's stored status is not open."""
    def remember_uid(self, session_id: str, poll_id: str, participant_id: int, uid: str) -> None:
        """Add a uid to those an unchanged answer was given under; committed on return."""
    def answer_uids(self, session_id: str) -> set[tuple[str, int, str]]:
        """Every (poll id, participant id, uid) an answer of the session was given under."""
    def answers(self, session_id: str, poll_id: str | None = None,
                participant_id: int | None = None) -> list[Answer]:
        """Stored answers, oldest first answer first."""
    def hide_answer(self, session_id: str, poll_id: str, participant_id: int, hidden: bool) -> int: ...
    def set_answer_status(self, session_id: str, poll_id: str, participant_id: int, status: str,
                          reason: str = "") -> int:
        """Set an answer's moderation status (shown, held, hidden); committed on return; return
        the row's new `rev` (0 when there is no such answer)."""

    # audience Q&A
    def add_question(self, session_id: str, participant_id: int, text: str, status: str = "shown",
                     reason: str = "", uid: str = "") -> StoredQuestion:
        """Add a question (and its uid); committed on return."""
    def questions(self, session_id: str) -> list[StoredQuestion]: ...
    def set_question_status(self, session_id: str, question_id: int, status: str,
                            reason: str = "") -> None: ...
    def pin_question(self, session_id: str, question_id: int | None) -> None:
        """Pin one question (None: none) and unpin the others, in one transaction."""
    def set_vote(self, session_id: str, question_id: int, participant_id: int, on: bool,
                 uid: str = "") -> None:
        """Add (at most once) or withdraw a vote and remember its uid; committed on return."""
    def question_votes(self, session_id: str) -> list[tuple[int, int]]: ...
    def qa_uids(self, session_id: str) -> set[tuple[int, str]]: ...

    # the connection
    def snapshot(self) -> AbstractContextManager:
        """Read inside this block from one consistent state of the store."""
    def checkpoint_elsewhere(self) -> None:
        """SQLite: leave WAL checkpoints to `checkpoint` (server/runner.py); others: nothing."""
    def checkpoint(self) -> None:
        """SQLite: copy the WAL into the database file; others: nothing."""
    def close(self) -> None: ...


def is_url(location) -> bool:
    """Whether a location names a PostgreSQL database rather than a SQLite file."""
    return str(location).startswith(("postgresql://", "postgres://"))


def open_store(location, clock=None) -> Store:
    """Return the store at a location: a SQLite file path (or ':memory:'), or a PostgreSQL
    URL, `postgresql://user:password@host:port/database?options`. Besides libpq's own options
    (`connect_timeout`, `sslmode`, ...) the URL's query may size the process's pool:
    `pool_min` (default 1), `pool_max` (default 10) and `pool_timeout`, the seconds a call
    waits for a connection before StoreUnavailable (default 5)."""
    kwargs = {} if clock is None else {"clock": clock}
    if is_url(location):
        from .postgres import PostgresStore
        return PostgresStore(str(location), **kwargs)
    from .sqlite import SQLiteStore
    return SQLiteStore(location, **kwargs)


__all__ = ["Answer", "JoinCodeTaken", "Participant", "PollClosed", "RoomState", "SessionRow",
           "StaleState", "Store", "StoreUnavailable", "StoredQuestion", "is_url", "open_store"]
