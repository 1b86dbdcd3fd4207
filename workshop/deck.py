"""The deck: a workshop's slides, notes, timing and polls, as frozen values (deck_file.py reads them)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Mapping

from . import polltypes

SLIDE_KINDS = ("title", "section", "bullets", "quote", "text", "poll", "scenario", "image", "qa",
               "leaderboard")
NAMES = ("anonymous", "named")  # a session asks no names, or shows them to the facilitator
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".svg": "image/svg+xml"}
MAX_IMAGE_BYTES = 5_000_000


@dataclass(frozen=True)
class Image:
    """A picture beside the deck file: `src` is relative to the deck's folder, never outside it."""

    src: str
    alt: str
    phone: bool = False  # shown on the phone too (a scenario's or poll's picture)
    line: int = field(default=0, compare=False)

    @property
    def media_type(self) -> str:
        """Return the image's MIME type, from its extension (checked when the deck loads)."""
        return IMAGE_TYPES[self.src[self.src.rfind("."):].lower()]


@dataclass(frozen=True)
class Poll:
    """One question put to the room."""

    id: str
    type: str
    question: str
    options: tuple[str, ...] = ()  # choice options, or ranking items
    multiple: bool = False
    max_choices: int | None = None
    correct: tuple[int, ...] = ()  # indexes into options
    allow_change: bool = True
    scale_min: int = 1
    scale_max: int = 5
    left: str = ""
    right: str = ""
    max_length: int = 280
    group: str = ""
    stays_open: bool = False  # moving on to another slide leaves it open (homework, say)
    reveal_closes: bool | None = None  # revealing closes voting; None: for quizzes and scenarios
    compare: str = ""  # the id of an earlier poll asking the same: a before/after pair
    line: int = field(default=0, compare=False)  # where its id stands in the deck file
    # A registered type's own settings that the attributes above do not cover.
    settings: Mapping[str, object] = field(default_factory=dict, hash=False)

    @property
    def items(self) -> tuple[str, ...]:
        """Return the ranking items (the same tuple as options)."""
        return self.options

    def public(self) -> dict:
        """Return what a phone may see of the poll (never the correct answer)."""
        data = {"id": self.id, "type": self.type, "question": self.question,
                "allow_change": self.allow_change}
        data.update(polltypes.get(self.type).public(self))
        return data


@dataclass(frozen=True)
class Slide:
    """One slide of the deck, of one kind."""

    kind: str
    title: str = ""
    subtitle: str = ""
    bullets: tuple[str, ...] = ()
    quote: str = ""
    attribution: str = ""
    text: str = ""
    story: str = ""
    poll: Poll | None = None
    tips_title: str = ""
    tips: tuple[str, ...] = ()
    notes: str = ""
    minutes: float = 0.0
    images: tuple[Image, ...] = ()
    levels: tuple[int, ...] = ()  # one per bullet: 0 a top-level bullet, 1 a sub-bullet
    activity: tuple = ()  # timed phases (workshop.activity.Phase), on any kind of slide
    top: int = 10  # a leaderboard's number of lines
    podium: bool = False  # a leaderboard shown as the final podium of three
    line: int = field(default=0, compare=False)

    def __post_init__(self):
        if len(self.levels) != len(self.bullets):  # not given: every bullet at the top level
            object.__setattr__(self, "levels", (0,) * len(self.bullets))

    @property
    def heading(self) -> str:
        """Return the line that names this slide in lists and on the waiting screen."""
        return (self.title or (self.poll.question if self.poll else "") or self.quote[:80]
                or (self.images[0].alt[:80] if self.images else ""))


@dataclass(frozen=True)
class Deck:
    """A whole workshop."""

    title: str
    slides: tuple[Slide, ...]
    subtitle: str = ""
    speaker: str = ""
    source: str = ""
    language: str = "en"
    minutes: float = 0.0
    names: str = "anonymous"  # one of NAMES
    moderate: bool = False  # open answers wait for the facilitator's approval before the wall
    qa: bool = True  # phones may ask questions (workshop/qa.py) all along
    teams: tuple[str, ...] = ()  # quiz teams (tables) a phone picks from on joining
    path: str = field(default="", compare=False)  # the same deck may be YAML or Markdown
    polls: dict = field(default_factory=dict, compare=False)  # id -> Poll, in deck order

    @property
    def folder(self) -> str:
        """Return the folder the deck file is in: its images' `src` are relative to it."""
        return os.path.dirname(os.path.abspath(self.path)) if self.path else os.getcwd()

    def images(self) -> dict[str, Image]:
        """Return every image the deck shows, by its `src` (what the server may serve)."""
        return {image.src: image for slide in self.slides for image in slide.images}

    def poll_slide_index(self, poll_id: str) -> int:
        """Return the index of the slide that asks this poll."""
        for i, slide in enumerate(self.slides):
            if slide.poll and slide.poll.id == poll_id:
                return i
        raise KeyError(poll_id)

    def summary(self) -> dict:
        """Return the facts `workshop check --json` prints."""
        counts = {t: 0 for t in polltypes.names()}
        groups: dict[str, int] = {}
        for poll in self.polls.values():
            counts[poll.type] = counts.get(poll.type, 0) + 1
            if poll.group:
                groups[poll.group] = groups.get(poll.group, 0) + 1
        return {"title": self.title, "slides": len(self.slides), "minutes": _num(self.minutes),
                "polls": counts, "scenarios": sum(s.kind == "scenario" for s in self.slides),
                "groups": groups, "language": self.language, "names": self.names,
                "moderate": self.moderate, "qa": self.qa,
                "images": sum(len(s.images) for s in self.slides)}


class DeckError(Exception):
    """A deck that cannot be used; `problems` holds one `PATH:LINE: message` per line."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def _num(value: float):
    return int(value) if float(value).is_integer() else value
