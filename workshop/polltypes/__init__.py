"""The poll types: one registry entry each, and the helpers the rest of the kit calls.

A poll type is a PollType (base.py) registered here under its deck name. The deck checker,
the live room, simulate and the reports reach a type only through this registry, so a new
type is one module plus its page widgets and print renderer (docs/architecture.md).
"""
from __future__ import annotations

import json
import random
from typing import Callable, Iterable

from .base import AnswerError, PollType, Tally
from .choice import Choice
from .open import Open
from .ranking import Ranking
from .scale import Scale

__all__ = ["AnswerError", "POLL_TYPES", "PollType", "REGISTRY", "Tally", "answer_generator",
           "describe_answer", "get", "names", "new_tally", "normalize_answer", "register",
           "restore_answer", "statistics"]

REGISTRY: dict[str, PollType] = {}  # type name -> its PollType, in the order decks list them


def register(poll_type: PollType) -> PollType:
    """Add a poll type under its name; return it."""
    if not poll_type.name or poll_type.name in REGISTRY:
        raise ValueError(f"a poll type needs a name of its own, not {poll_type.name!r}")
    REGISTRY[poll_type.name] = poll_type
    return poll_type


for _type in (Choice(), Scale(), Ranking(), Open()):
    register(_type)

POLL_TYPES: tuple[str, ...] = tuple(REGISTRY)  # the built-in types; names() sees later ones too


def names() -> tuple[str, ...]:
    """Return the registered types' names in order."""
    return tuple(REGISTRY)


def get(type_name: str) -> PollType:
    """Return the registered poll type of this name; KeyError if there is none."""
    return REGISTRY[type_name]


def normalize_answer(poll, value):
    """Return the canonical stored form of an answer to `poll`, or raise AnswerError."""
    return REGISTRY[poll.type].normalize(poll, value)


def restore_answer(poll, stored):
    """Return a stored answer as the poll's tally takes it, or None if it no longer fits."""
    return REGISTRY[poll.type].restore(poll, stored)


def new_tally(poll) -> Tally:
    """Return an empty tally for the poll's type."""
    return REGISTRY[poll.type].new_tally(poll)


def statistics(poll, values: Iterable) -> dict:
    """Return the poll type's report figures over everyone's normalised answers."""
    return REGISTRY[poll.type].statistics(poll, values)


def answer_generator(poll, rng: random.Random, language: str) -> Callable[[], object]:
    """Return a function that draws one plausible answer to the poll, for simulate."""
    return REGISTRY[poll.type].answer_generator(poll, rng, language)


def describe_answer(poll, value) -> str:
    """Return an answer as people read it: option labels, "1. X > 2. Y", a number, the text.

    An answer to no known poll, or one that no longer fits its poll, is shown raw.
    """
    valid = restore_answer(poll, value) if poll is not None else None
    if valid is None:
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return REGISTRY[poll.type].describe(poll, valid)
