"""What every poll type provides: deck keys, validation, answers, tally, simulation, words."""
from __future__ import annotations

import random
from abc import ABC, abstractmethod
from typing import Callable, Iterable


class AnswerError(ValueError):
    """An answer the poll cannot take; `code` is stable, `message` is for people."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def is_int(value) -> bool:
    """Return whether value is a whole number (JSON's true/false are not)."""
    return isinstance(value, int) and not isinstance(value, bool)


class Tally:
    """Counts for one poll, kept incrementally and rebuilt from the store on resume."""

    def __init__(self, poll):
        self.poll = poll
        self.answered = 0

    def add(self, participant_id: int, value) -> None:
        """Count one participant's normalised answer."""
        self.answered += 1

    def remove(self, participant_id: int, value) -> None:
        """Take back an answer counted before (the participant changed it, or a reset)."""
        self.answered -= 1

    def snapshot(self, revealed: bool) -> dict:
        """Return the counts as JSON-ready data; `revealed` says whether the answer key shows."""
        return {"poll": self.poll.id, "type": self.poll.type, "answered": self.answered}


class PollType(ABC):
    """One kind of question. Polls are workshop.deck.Poll values; this module never imports it."""

    name: str = ""
    required: frozenset[str] = frozenset()  # deck keys a poll of this type must have
    optional: frozenset[str] = frozenset()  # deck keys it may have (beside id, type, question...)
    # Answers are people's own words: the facilitator may hide one (the tally has hide()),
    # and reports list them by author instead of charting them.
    free_text: bool = False
    # Simulation: the share of willing participants who answer (writing takes more than a
    # tap), and the share who then change their answer.
    answer_rate: float = 1.0
    change_rate: float = 0.05

    @abstractmethod
    def build(self, check, data, where: str) -> dict:
        """Return the Poll fields of this type read from the deck's mapping `data`.

        `check` is the deck checker: report problems through its helpers (text, texts,
        number, flag, problem, shown) so that each message keeps its PATH:LINE.
        """

    @abstractmethod
    def public(self, poll) -> dict:
        """Return what a phone may see of the poll beside id, type, question, allow_change."""

    @abstractmethod
    def normalize(self, poll, value):
        """Return the canonical stored form of a participant's answer, or raise AnswerError."""

    def restore(self, poll, stored):
        """Return a stored answer in the form the tally takes, or None if it no longer fits."""
        try:
            return self.normalize(poll, stored)
        except AnswerError:
            return None

    @abstractmethod
    def new_tally(self, poll) -> Tally:
        """Return an empty tally for the poll."""

    def statistics(self, poll, values: Iterable) -> dict:
        """Return figures for the printed reports beyond the tally's snapshot."""
        return {}

    @abstractmethod
    def answer_generator(self, poll, rng: random.Random, language: str) -> Callable[[], object]:
        """Return a function that draws one plausible normalised answer, for simulate."""

    @abstractmethod
    def describe(self, poll, value) -> str:
        """Return a normalised answer as people read it (CSV export, takeaways)."""
