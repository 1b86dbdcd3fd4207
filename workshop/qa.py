"""Audience Q&A: the questions phones ask the facilitator, their upvotes, their moderation and
their order. Pure: the live room (server/qa.py) keeps a `Board` in step with the store.

A question is `shown` (the room sees it and may upvote it), `held` (waits in the console's
queue: the session moderates, or the word filter flagged it), `hidden` (the facilitator took
it away), `answered` (still shown, marked done) or `archived` (put away after the session).
One phone has at most one vote on a question, never on its own, and may withdraw it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .names import NAMED
from .text import clean_text, has_visible
from .wordfilter import flagged

SHOWN, HELD, HIDDEN, ANSWERED, ARCHIVED = "shown", "held", "hidden", "answered", "archived"
STATUSES = (SHOWN, HELD, HIDDEN, ANSWERED, ARCHIVED)
VISIBLE = (SHOWN, ANSWERED)  # what phones and the projector see
VOTABLE = (SHOWN,)  # an answered question is done: its votes stay as they were
MODERATION, FILTERED = "moderation", "filtered"  # why a held question waits
MAX_LENGTH = 280
BY_VOTES, BY_TIME = "votes", "time"

# what each facilitator action does to a question's status
ACTION_STATUS = {"qa_approve": SHOWN, "qa_show": SHOWN, "qa_hide": HIDDEN,
                 "qa_answered": ANSWERED, "qa_archive": ARCHIVED}
ACTIONS = (*ACTION_STATUS, "qa_pin", "qa_unpin", "qa_approve_all")


class QAError(ValueError):
    """A question or vote that cannot be taken; `code` is stable (docs/protocol.md)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Question:
    """One audience question with the participants who upvoted it."""

    id: int
    participant: int
    text: str
    status: str = SHOWN
    reason: str = ""  # why a held question waits: moderation or filtered
    asked_at: float = 0.0
    name: str = ""  # the asker's name as the room sees it ("" in an anonymous session)
    pinned: bool = False
    uid: str = ""  # the uid the phone sent it under (a resend is recognised by it)
    who: str = ""  # the asker as the facilitator sees them (names.shown_name), kept from asking
    voters: set[int] = field(default_factory=set)

    @property
    def votes(self) -> int:
        return len(self.voters)

    def public(self) -> dict:
        """What phones and the projector see of it."""
        return {"id": self.id, "text": self.text, "votes": self.votes, "name": self.name,
                "status": self.status, "pinned": self.pinned, "asked_at": self.asked_at}


def clean_question(value, max_length: int = MAX_LENGTH) -> str:
    """Return a question's text made safe to store, or raise QAError."""
    if not isinstance(value, str):
        raise QAError("bad_value", "Send your question as text.")
    text = clean_text(value)
    if not has_visible(text):
        raise QAError("empty", "Write something before sending.")
    if len(text) > max_length:
        raise QAError("too_long", f"Keep it to {max_length} characters (this has {len(text)}).")
    return text


def arrival(text: str, moderates: bool) -> tuple[str, str]:
    """Where a new question goes first, (status, reason): held when the word filter flags it
    (even with moderation off) or the session moderates, otherwise shown."""
    if flagged(text):
        return HELD, FILTERED
    if moderates:
        return HELD, MODERATION
    return SHOWN, ""


def asker_name(names: str, nickname: str) -> str:
    """The name shown with a question: the phone's name in a named session, else none at all."""
    return nickname if names == NAMED else ""


def check_vote(question: Question | None, voter: int) -> Question:
    """Return the question a participant may vote on, or raise QAError."""
    if question is None or question.status not in VISIBLE:
        raise QAError("unknown_question", "There is no such question to vote on.")
    if question.participant == voter:
        raise QAError("own_question", "You cannot upvote your own question.")
    if question.status not in VOTABLE:
        raise QAError("question_closed", "This question has been answered; votes are closed.")
    return question


def order(questions, by: str = BY_VOTES) -> list[Question]:
    """Questions in the room's order: the pinned one first; then most votes first (ties: the
    earlier asked first), or by time (newest first)."""
    if by == BY_TIME:
        key = lambda q: (not q.pinned, -q.asked_at, -q.id)  # noqa: E731
    else:
        key = lambda q: (not q.pinned, -q.votes, q.asked_at, q.id)  # noqa: E731
    return sorted(questions, key=key)


class Board:
    """A session's questions by id, with the rules of votes and statuses."""

    def __init__(self):
        self.questions: dict[int, Question] = {}

    def add(self, question: Question) -> None:
        self.questions[question.id] = question

    def vote(self, question_id, voter: int, on: bool) -> bool:
        """Add or withdraw a vote (checked); return whether anything changed."""
        q = check_vote(self.questions.get(question_id) if isinstance(question_id, int) else None, voter)
        if on == (voter in q.voters):
            return False
        (q.voters.add if on else q.voters.discard)(voter)
        return True

    def set_status(self, question_id: int, status: str) -> bool:
        q = self.questions[question_id]
        if q.status == status:
            return False
        q.status = status
        if status not in VISIBLE:
            q.pinned = False
        if status != HELD:
            q.reason = ""
        return True

    def pin(self, question_id: int | None) -> bool:
        """Pin one question (None: none); return whether the pin moved."""
        before = self.pinned
        if before is not None and before.id == question_id:
            return False
        if before is None and question_id is None:
            return False
        for q in self.questions.values():
            q.pinned = q.id == question_id
        return True

    @property
    def pinned(self) -> Question | None:
        return next((q for q in self.questions.values() if q.pinned), None)

    @property
    def held(self) -> list[Question]:
        return sorted((q for q in self.questions.values() if q.status == HELD), key=lambda q: q.id)

    def visible(self, by: str = BY_VOTES, limit: int | None = None) -> list[Question]:
        shown = order((q for q in self.questions.values() if q.status in VISIBLE), by)
        return shown if limit is None else shown[:limit]

    def asked_by(self, participant: int) -> list[int]:
        return [q.id for q in self.questions.values() if q.participant == participant]

    def voted_by(self, participant: int) -> list[int]:
        return [q.id for q in self.questions.values() if participant in q.voters]
