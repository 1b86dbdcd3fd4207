"""A finished (or running) session's results, read from the store into plain data."""
from __future__ import annotations

from dataclasses import dataclass, field

from workshop import names, polltypes
from workshop.deck import Deck
from workshop.store import Answer, Participant, SessionRow, Store


@dataclass(frozen=True)
class OpenAnswer:
    """One visible answer to an open question."""

    participant_id: int
    name: str  # as the facilitator sees it (SessionResults.name)
    text: str


@dataclass
class SessionResults:
    """Everything the reports print about one session; built by load_results."""

    session: SessionRow
    participants: list[Participant]
    answers: list[Answer]  # every stored answer, oldest first, hidden ones included
    names: str = names.ANONYMOUS  # the session's mode: who is shown by name (workshop.names)
    tallies: dict[str, dict] = field(default_factory=dict)  # poll id -> snapshot(revealed=True)
    answered: dict[str, int] = field(default_factory=dict)  # poll id -> people who answered
    response_rate: dict[str, float] = field(default_factory=dict)  # answered / joined
    hidden: dict[str, int] = field(default_factory=dict)  # poll id -> open answers left out (hidden or held)
    open_answers: dict[str, list[OpenAnswer]] = field(default_factory=dict)  # visible only
    statistics: dict[str, dict] = field(default_factory=dict)  # poll id -> its type's figures
    values: dict[str, dict[int, object]] = field(default_factory=dict)  # poll -> participant -> value
    questions: list = field(default_factory=list)  # the audience's questions (handouts/qa.py)
    started_at: float | None = None  # first answer (else the session's creation)
    ended_at: float | None = None  # last answer (else the session's end)
    opened: dict[str, float] = field(default_factory=dict)  # timed quiz poll -> when it opened

    @property
    def joined(self) -> int:
        """Return how many participants joined."""
        return len(self.participants)

    @property
    def answering(self) -> int:
        """Return how many participants answered at least one of the deck's polls."""
        return len({person for by_person in self.values.values() for person in by_person})

    @property
    def rank_positions(self) -> dict[str, list[list[int]]]:
        """Return, per ranking poll, how many people put each item at each place: [item][place]."""
        return {poll_id: figures["positions"] for poll_id, figures in self.statistics.items()
                if "positions" in figures}

    def name(self, participant_id: int) -> str:
        """Return a participant's printed name: the nickname in a named session, else the pseudonym."""
        return self._names.get(participant_id, f"#{participant_id}")

    def value_of(self, poll_id: str, participant_id: int):
        """Return a participant's normalised answer to a poll, or None."""
        return self.values.get(poll_id, {}).get(participant_id)

    def __post_init__(self):
        self._names = {p.id: names.shown_name(self.names, p.pseudonym, p.nickname)
                       for p in self.participants}


def load_results(store: Store, deck: Deck, session_id: str) -> SessionResults:
    """Read a session's participants and answers and tally every poll of the deck."""
    row = store.session(session_id)
    if row is None:
        raise KeyError(session_id)
    participants = store.participants(session_id)
    answers = store.answers(session_id)
    results = SessionResults(session=row, participants=participants,
                             names=names.session_names(row.names, deck.names), answers=answers)
    results.opened = {poll_id: t[0] for poll_id, t in store.state(session_id).timers.items()}
    tallies = {poll_id: polltypes.new_tally(poll) for poll_id, poll in deck.polls.items()}
    for poll_id in deck.polls:
        results.values[poll_id] = {}
        results.hidden[poll_id] = 0
        results.open_answers[poll_id] = []
    for answer in answers:
        poll = deck.polls.get(answer.poll_id)
        value = polltypes.restore_answer(poll, answer.value) if poll else None
        if value is None:
            continue  # an answer to a poll this deck no longer has, or that no longer fits it
        tally = tallies[poll.id]
        tally.add(answer.participant_id, value)
        results.values[poll.id][answer.participant_id] = value
        if polltypes.get(poll.type).free_text:
            if answer.status != "shown":  # hidden, or held and never approved: left out
                tally.set_status(answer.participant_id, answer.status, answer.reason)
                results.hidden[poll.id] += 1
            else:
                results.open_answers[poll.id].append(OpenAnswer(
                    answer.participant_id, results.name(answer.participant_id), value))
    joined = len(participants)
    results.questions = load_questions(store, session_id, results.name)
    for poll_id, tally in tallies.items():
        results.tallies[poll_id] = tally.snapshot(revealed=True)
        results.answered[poll_id] = tally.answered
        results.response_rate[poll_id] = tally.answered / joined if joined else 0.0
        results.statistics[poll_id] = polltypes.statistics(deck.polls[poll_id],
                                                            results.values[poll_id].values())
    if answers:
        results.started_at = min(a.first_at for a in answers)
        results.ended_at = max(a.last_at for a in answers)
    else:
        results.started_at, results.ended_at = row.created_at, row.ended_at
    return results


@dataclass(frozen=True)
class PrintedQuestion:
    id: int
    participant_id: int
    name: str  # who asked, as the facilitator sees them (pseudonym or name)
    text: str
    status: str
    asked_at: float
    voters: frozenset[int] = field(default_factory=frozenset)

    @property
    def votes(self) -> int:
        return len(self.voters)


def load_questions(store, session_id: str, name) -> list[PrintedQuestion]:
    """Every question of a session, most votes first (`name`: participant id -> shown name)."""
    voters: dict[int, set[int]] = {}
    for question_id, voter in store.question_votes(session_id):
        voters.setdefault(question_id, set()).add(voter)
    rows = [PrintedQuestion(q.id, q.participant_id, name(q.participant_id), q.text, q.status,
                            q.asked_at, frozenset(voters.get(q.id, ())))
            for q in store.questions(session_id)]
    return sorted(rows, key=lambda q: (-q.votes, q.asked_at, q.id))
