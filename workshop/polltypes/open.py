"""Open: a short text in the participant's own words; the room sees terms and latest answers."""
from __future__ import annotations

from collections import Counter

from ..text import clean_text, has_visible, prepare_terms, terms_of
from ..wordfilter import default_filter, flagged
from .base import AnswerError, PollType, Tally
from .open_phrases import PHRASES, TOPICS


SHOWN, HELD, HIDDEN = "shown", "held", "hidden"  # an answer's place: the wall, the queue, nowhere
STATUSES = (SHOWN, HELD, HIDDEN)
MODERATION, FILTERED = "moderation", "filtered"  # why a held answer waits


class OpenTally(Tally):
    """The answers' texts, the word-cloud terms, and each answer's moderation status: only
    shown answers reach the cloud and the latest answers; held ones wait in the queue."""

    LATEST = 20
    TERMS = 40

    def __init__(self, poll):
        super().__init__(poll)
        self.texts: dict[int, str] = {}  # participant id -> text, oldest first
        self.answer_terms: dict[int, frozenset[str]] = {}  # participant id -> its text's terms
        self.status: dict[int, str] = {}  # participant id -> shown, held or hidden
        self.reasons: dict[int, str] = {}  # participant id -> why a held answer waits
        self.terms: Counter = Counter()
        prepare_terms(poll.question)  # loaded as the room is built, not on its first answer
        default_filter()  # the word lists too

    @property
    def hidden(self) -> set[int]:
        """The participants whose answers the facilitator hid."""
        return {who for who, status in self.status.items() if status == HIDDEN}

    @property
    def held(self) -> list[int]:
        """The participants whose answers wait for approval, oldest first."""
        return [who for who in self.texts if self.status.get(who) == HELD]

    def add(self, participant_id, value, status=SHOWN, reason=""):
        super().add(participant_id, value)
        self.texts.pop(participant_id, None)
        self.texts[participant_id] = value
        # segmented once per answer: a change or a hide takes the terms kept here
        self.answer_terms[participant_id] = terms = frozenset(terms_of(value))
        self.status[participant_id] = status
        self.reasons[participant_id] = reason if status == HELD else ""
        if status == SHOWN:
            self.terms.update(terms)

    def remove(self, participant_id, value):
        super().remove(participant_id, value)
        self.texts.pop(participant_id, None)
        terms = self.answer_terms.pop(participant_id, None)
        if terms is None:
            terms = frozenset(terms_of(value))
        if self.status.pop(participant_id, SHOWN) == SHOWN:
            self.terms.subtract(terms)
        self.reasons.pop(participant_id, None)

    def set_status(self, participant_id: int, status: str, reason: str = "") -> bool:
        """Move one answer to the wall, the queue or out of sight; return whether it moved."""
        if participant_id not in self.texts or self.status[participant_id] == status:
            return False
        before = self.status[participant_id]
        if SHOWN in (before, status):
            sign = 1 if status == SHOWN else -1
            self.terms.update({t: sign for t in self.answer_terms[participant_id]})
        self.status[participant_id] = status
        self.reasons[participant_id] = reason if status == HELD else ""
        return True

    def hide(self, participant_id: int, hidden: bool) -> bool:
        """Hide or show one answer; return whether anything changed."""
        return self.set_status(participant_id, HIDDEN if hidden else SHOWN)

    def snapshot(self, revealed):
        data = super().snapshot(revealed)
        data["terms"] = [[t, c] for t, c in
                         sorted(((t, c) for t, c in self.terms.items() if c > 0),
                                key=lambda tc: (-tc[1], tc[0]))[: self.TERMS]]
        latest = [(who, text) for who, text in self.texts.items() if self.status[who] == SHOWN]
        data["latest"] = [{"participant": who, "text": text} for who, text in latest[-self.LATEST:]][::-1]
        counts = Counter(self.status.values())
        data["hidden"], data["held"] = counts[HIDDEN], counts[HELD]
        return data


def arrival(poll, text: str, session_moderates: bool) -> tuple[str, str]:
    """Return where a new or changed open answer goes first, (status, reason): held when the
    word filter flags it (even with moderation off), held when the poll or the session
    moderates, otherwise shown."""
    if flagged(text):
        return HELD, FILTERED
    if session_moderates or poll.settings.get("moderate"):
        return HELD, MODERATION
    return SHOWN, ""


class Open(PollType):
    name = "open"
    optional = frozenset({"max_length", "moderate"})
    free_text = True
    answer_rate = 0.8
    change_rate = 0.0

    def build(self, check, data, where):
        return dict(max_length=check.number(data, "max_length", where, 280,
                                            integer=True, lo=1, hi=2000),
                    settings={"moderate": check.flag(data, "moderate", where, False)})

    def public(self, poll):
        return dict(max_length=poll.max_length)

    def normalize(self, poll, value):
        if not isinstance(value, str):
            raise AnswerError("bad_value", "Send your answer as text.")
        text = clean_text(value)
        if not has_visible(text):
            raise AnswerError("empty", "Write something before sending.")
        if len(text) > poll.max_length:
            raise AnswerError("too_long", f"Keep it to {poll.max_length} characters (this has {len(text)}).")
        return text

    def restore(self, poll, stored):
        # stored already cleaned; a later, shorter max_length still counts
        return stored if isinstance(stored, str) and has_visible(stored) else None

    def new_tally(self, poll):
        return OpenTally(poll)

    def answer_generator(self, poll, rng, language):
        question = poll.question.lower()
        topic = next((name for name, words in TOPICS.items() if any(w in question for w in words)),
                     "generic")
        stances, cores, endings = PHRASES[language][topic]
        terms = [t for t in terms_of(poll.question) if len(t) > 3 or language == "zh"] or ["trust"]
        space = "" if language == "zh" else " "

        def write():
            text = f"{rng.choice(stances)}{space}{rng.choice(cores)}{rng.choice(endings)}"
            text = text.replace("{term}", rng.choice(terms))
            return text[: poll.max_length].strip()
        return write

    def describe(self, poll, value):
        return value
