"""A finished (or running) session's results, read from the store into plain data."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from workshop.deck import Deck, Poll
from workshop.polls import AnswerError, new_tally, normalize_answer
from workshop.store import Answer, Participant, SessionRow, Store


@dataclass(frozen=True)
class OpenAnswer:
    """One visible answer to an open question."""

    participant_id: int
    pseudonym: str
    text: str


@dataclass
class SessionResults:
    """Everything the reports print about one session; built by load_results."""

    session: SessionRow
    participants: list[Participant]
    answers: list[Answer]  # every stored answer, oldest first, hidden ones included
    tallies: dict[str, dict] = field(default_factory=dict)  # poll id -> snapshot(revealed=True)
    answered: dict[str, int] = field(default_factory=dict)  # poll id -> people who answered
    response_rate: dict[str, float] = field(default_factory=dict)  # answered / joined
    hidden: dict[str, int] = field(default_factory=dict)  # poll id -> hidden open answers
    open_answers: dict[str, list[OpenAnswer]] = field(default_factory=dict)  # visible only
    rank_positions: dict[str, list[list[int]]] = field(default_factory=dict)  # [item][place]
    values: dict[str, dict[int, object]] = field(default_factory=dict)  # poll -> pid -> value
    started_at: float | None = None  # first answer (else the session's creation)
    ended_at: float | None = None  # last answer (else the session's end)

    @property
    def joined(self) -> int:
        """Return how many participants joined."""
        return len(self.participants)

    @property
    def answering(self) -> int:
        """Return how many participants answered at least one of the deck's polls."""
        return len({pid for by_pid in self.values.values() for pid in by_pid})

    def pseudonym(self, participant_id: int) -> str:
        """Return a participant's printed name: the pseudonym, never the nickname."""
        return self._names.get(participant_id, f"#{participant_id}")

    def value_of(self, poll_id: str, participant_id: int):
        """Return a participant's normalised answer to a poll, or None."""
        return self.values.get(poll_id, {}).get(participant_id)

    def __post_init__(self):
        self._names = {p.id: p.pseudonym for p in self.participants}


def load_results(store: Store, deck: Deck, session_id: str) -> SessionResults:
    """Read a session's participants and answers and tally every poll of the deck."""
    row = store.session(session_id)
    if row is None:
        raise KeyError(session_id)
    participants = store.participants(session_id)
    answers = store.answers(session_id)
    results = SessionResults(session=row, participants=participants, answers=answers)
    tallies = {pid: new_tally(poll) for pid, poll in deck.polls.items()}
    for pid, poll in deck.polls.items():
        results.values[pid] = {}
        results.hidden[pid] = 0
        results.open_answers[pid] = []
        if poll.type == "ranking":
            n = len(poll.options)
            results.rank_positions[pid] = [[0] * n for _ in range(n)]
    for answer in answers:
        poll = deck.polls.get(answer.poll_id)
        value = _valid(poll, answer.value) if poll else None
        if value is None:
            continue  # an answer to a poll this deck no longer has, or that no longer fits it
        tally = tallies[poll.id]
        tally.add(answer.participant_id, value)
        results.values[poll.id][answer.participant_id] = value
        if poll.type == "open":
            if answer.hidden:
                tally.hide(answer.participant_id, True)
                results.hidden[poll.id] += 1
            else:
                results.open_answers[poll.id].append(OpenAnswer(
                    answer.participant_id, results.pseudonym(answer.participant_id), value))
        elif poll.type == "ranking":
            for place, item in enumerate(value):
                results.rank_positions[poll.id][item][place] += 1
    joined = len(participants)
    for pid, tally in tallies.items():
        results.tallies[pid] = tally.snapshot(revealed=True)
        results.answered[pid] = tally.answered
        results.response_rate[pid] = tally.answered / joined if joined else 0.0
    if answers:
        results.started_at = min(a.first_at for a in answers)
        results.ended_at = max(a.last_at for a in answers)
    else:
        results.started_at, results.ended_at = row.created_at, row.ended_at
    return results


def _valid(poll: Poll, value):
    if poll.type == "open":  # stored already cleaned; a later, shorter max_length still counts
        return value if isinstance(value, str) and value.strip() else None
    try:
        return normalize_answer(poll, value)
    except AnswerError:
        return None


def describe_answer(poll: Poll | None, value) -> str:
    """Return an answer as people read it: option labels, "1. X > 2. Y", a number, or the text."""
    if poll is None:
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    valid = _valid(poll, value)
    if valid is None:
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if poll.type == "choice":
        return "; ".join(poll.options[i] for i in valid)
    if poll.type == "ranking":
        return " > ".join(f"{place}. {poll.options[i]}" for place, i in enumerate(valid, 1))
    if poll.type == "scale":
        return str(valid)
    return valid
