"""The deck: a workshop's slides, notes, timing and polls, loaded from YAML and validated."""
from __future__ import annotations

import difflib
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import yaml_lines

POLL_TYPES = ("choice", "scale", "ranking", "open")
SLIDE_KINDS = ("title", "section", "bullets", "quote", "text", "poll", "scenario")
MAX_DECK_BYTES = 2_000_000
_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


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
    line: int = field(default=0, compare=False)  # where its id stands in the deck file

    @property
    def items(self) -> tuple[str, ...]:
        """Return the ranking items (the same tuple as options)."""
        return self.options

    def public(self) -> dict:
        """Return what a phone may see of the poll (never the correct answer)."""
        data = {"id": self.id, "type": self.type, "question": self.question,
                "allow_change": self.allow_change}
        if self.type == "choice":
            data.update(options=list(self.options), multiple=self.multiple,
                        max=self.max_choices or (len(self.options) if self.multiple else 1))
        elif self.type == "scale":
            data.update(min=self.scale_min, max=self.scale_max, left=self.left, right=self.right)
        elif self.type == "ranking":
            data.update(items=list(self.options))
        else:
            data.update(max_length=self.max_length)
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
    line: int = 0

    @property
    def heading(self) -> str:
        """Return the line that names this slide in lists and on the waiting screen."""
        return self.title or (self.poll.question if self.poll else "") or self.quote[:80]


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
    path: str = ""
    polls: dict = field(default_factory=dict, compare=False)  # id -> Poll, in deck order

    def poll_slide_index(self, poll_id: str) -> int:
        """Return the index of the slide that asks this poll."""
        for i, slide in enumerate(self.slides):
            if slide.poll and slide.poll.id == poll_id:
                return i
        raise KeyError(poll_id)

    def summary(self) -> dict:
        """Return the facts `workshop check --json` prints."""
        counts = {t: 0 for t in POLL_TYPES}
        groups: dict[str, int] = {}
        for poll in self.polls.values():
            counts[poll.type] += 1
            if poll.group:
                groups[poll.group] = groups.get(poll.group, 0) + 1
        return {"title": self.title, "slides": len(self.slides), "minutes": _num(self.minutes),
                "polls": counts, "scenarios": sum(s.kind == "scenario" for s in self.slides),
                "groups": groups, "language": self.language}


class DeckError(Exception):
    """A deck that cannot be used; `problems` holds one `PATH:LINE: message` per line."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def _num(value: float):
    return int(value) if float(value).is_integer() else value


# ----- the schema: which keys each part may have -------------------------------------------

TOP_KEYS = {"title", "subtitle", "speaker", "source", "language", "minutes", "slides"}
SLIDE_KEYS = {
    "title": ({"title"}, {"subtitle"}),
    "section": ({"title"}, {"subtitle"}),
    "bullets": ({"title", "bullets"}, set()),
    "quote": ({"quote", "attribution"}, {"title"}),
    "text": ({"title", "text"}, set()),
    "poll": ({"poll"}, {"title"}),
    "scenario": ({"title", "story", "poll", "tips"}, {"tips_title"}),
}
COMMON_SLIDE_KEYS = {"kind", "notes", "minutes"}
POLL_COMMON = {"id", "type", "question", "group", "allow_change"}
POLL_KEYS = {
    "choice": ({"options"}, {"multiple", "max", "correct"}),
    "scale": ({"min", "max"}, {"left", "right"}),
    "ranking": ({"items"}, set()),
    "open": (set(), {"max_length"}),
}


class _Checker:
    """Walk the parsed YAML, collect problems, and build the frozen deck."""

    def __init__(self, path: str):
        self.path = path
        self.problems: list[str] = []

    def problem(self, line: int, message: str) -> None:
        self.problems.append(f"{self.path}:{line}: {message}")

    def keys(self, data: yaml_lines.LineDict, allowed: set, required: set, where: str) -> None:
        for key in data:
            if key not in allowed:
                hint = difflib.get_close_matches(key, sorted(allowed), n=1, cutoff=0.6)
                tip = f" (did you mean '{hint[0]}'?)" if hint else ""
                self.problem(data.lines[key], f"{where}: unknown key '{key}'{tip}")
        for key in sorted(required - set(data)):
            self.problem(data.line, f"{where}: missing '{key}'")

    def text(self, data, key, where, default="", line=None) -> str:
        value = data.get(key, default)
        line = line or data.lines.get(key, data.line)
        if isinstance(value, bool) or value is None or isinstance(value, (list, dict)):
            if key in data:
                self.problem(line, f"{where}: '{key}' must be text, not {_kind(value)}")
            return default
        value = str(value).strip()
        if key in data and not value:
            self.problem(line, f"{where}: '{key}' is empty")
        return value

    def number(self, data, key, where, default, integer=False, lo=None, hi=None):
        if key not in data:
            return default
        value, line = data[key], data.lines[key]
        ok = isinstance(value, int) if integer else isinstance(value, (int, float))
        if isinstance(value, bool) or not ok or not math.isfinite(value):
            want = "a whole number" if integer else "a number"
            self.problem(line, f"{where}: '{key}' must be {want}, not {_kind(value)}")
            return default
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            self.problem(line, f"{where}: '{key}' must be between {lo} and {hi}, not {value}")
            return default
        return value

    def one_of(self, data, key, allowed: tuple[str, ...], where) -> str | None:
        """Return data[key] if it is one of allowed; otherwise report it and return None."""
        value = data.get(key)
        if value in allowed:
            return value
        if key not in data:
            self.problem(data.line, f"{where}: missing '{key}' (one of {', '.join(allowed)})")
            return None
        hint = difflib.get_close_matches(value, allowed, n=1) if isinstance(value, str) else []
        tip = f" (did you mean '{hint[0]}'?)" if hint else ""
        self.problem(data.lines[key], f"{where}: unknown {key} {_shown(value)}{tip}; "
                                      f"use one of {', '.join(allowed)}")
        return None

    def flag(self, data, key, where, default):
        if key not in data:
            return default
        if not isinstance(data[key], bool):
            self.problem(data.lines[key], f"{where}: '{key}' must be true or false, "
                                          f"not {_kind(data[key])}")
            return default
        return data[key]

    def texts(self, data, key, where, lo=1, hi=None) -> tuple[str, ...]:
        if key not in data:
            return ()
        value, line = data[key], data.lines[key]
        if not isinstance(value, list):
            self.problem(line, f"{where}: '{key}' must be a list, not {_kind(value)}")
            return ()
        out = []
        for i, item in enumerate(value):
            if isinstance(item, bool) or item is None or isinstance(item, (list, dict)):
                self.problem(value.lines[i], f"{where}: item {i + 1} of '{key}' must be text, "
                                             f"not {_kind(item)}")
            elif not str(item).strip():
                self.problem(value.lines[i], f"{where}: item {i + 1} of '{key}' is empty")
            else:
                out.append(str(item).strip())
        if len(value) < lo or (hi is not None and len(value) > hi):
            bound = f"{lo} to {hi}" if hi else f"at least {lo}"
            self.problem(line, f"{where}: '{key}' needs {bound} entries, has {len(value)}")
        if len(set(out)) != len(out):
            self.problem(line, f"{where}: '{key}' has the same entry twice")
        return tuple(out)

    # --- parts ---

    def deck(self, data) -> Deck | None:
        if not isinstance(data, dict):
            self.problem(getattr(data, "line", 1), f"a deck must be a mapping with 'title' and "
                                                   f"'slides', not {_kind(data)}")
            return None
        self.keys(data, TOP_KEYS, {"title", "slides"}, "deck")
        title = self.text(data, "title", "deck")
        slides_data = data.get("slides")
        slides: list[Slide] = []
        polls: dict[str, Poll] = {}
        poll_lines: dict[str, int] = {}
        if slides_data is not None and not isinstance(slides_data, list):
            self.problem(data.lines["slides"], f"deck: 'slides' must be a list, "
                                               f"not {_kind(slides_data)}")
        elif isinstance(slides_data, list):
            if not slides_data:
                self.problem(data.lines["slides"], "deck: 'slides' is empty")
            for i, item in enumerate(slides_data):
                slide = self.slide(item, i + 1, slides_data.lines[i])
                if slide is None:
                    continue
                slides.append(slide)
                if slide.poll:
                    if slide.poll.id in polls:
                        self.problem(slide.poll.line, f"slide {i + 1}: duplicate poll id "
                                                 f"'{slide.poll.id}' (first at line "
                                                 f"{poll_lines[slide.poll.id]})")
                    else:
                        polls[slide.poll.id] = slide.poll
                        poll_lines[slide.poll.id] = slide.poll.line
        language = self.text(data, "language", "deck", "en")
        planned = sum(s.minutes for s in slides)
        minutes = self.number(data, "minutes", "deck", planned, lo=1, hi=1440)
        if self.problems:
            return None
        return Deck(title=title, slides=tuple(slides), subtitle=self.text(data, "subtitle", "deck"),
                    speaker=self.text(data, "speaker", "deck"),
                    source=self.text(data, "source", "deck"), language=language,
                    minutes=minutes, path=self.path, polls=polls)

    def slide(self, data, number: int, line: int) -> Slide | None:
        where = f"slide {number}"
        if not isinstance(data, dict):
            self.problem(line, f"{where}: must be a mapping with a 'kind', not {_kind(data)}")
            return None
        kind = self.one_of(data, "kind", SLIDE_KINDS, where)
        if kind is None:
            return None
        required, optional = SLIDE_KEYS[kind]
        self.keys(data, required | optional | COMMON_SLIDE_KEYS, required, f"{where} ({kind})")
        where = f"{where} ({kind})"
        poll = None
        if "poll" in data:
            poll = self.poll(data["poll"], where, data.lines["poll"])
        return Slide(
            kind=kind, title=self.text(data, "title", where),
            subtitle=self.text(data, "subtitle", where),
            bullets=self.texts(data, "bullets", where),
            quote=self.text(data, "quote", where), attribution=self.text(data, "attribution", where),
            text=self.text(data, "text", where), story=self.text(data, "story", where),
            poll=poll, tips_title=self.text(data, "tips_title", where),
            tips=self.texts(data, "tips", where), notes=self.text(data, "notes", where),
            minutes=self.number(data, "minutes", where, 0.0, lo=0, hi=600), line=data.line)

    def poll(self, data, where: str, line: int) -> Poll | None:
        where = f"{where} poll"
        if not isinstance(data, dict):
            self.problem(line, f"{where}: must be a mapping with id, type and question, "
                               f"not {_kind(data)}")
            return None
        ptype = self.one_of(data, "type", POLL_TYPES, where)
        if ptype:
            required, optional = POLL_KEYS[ptype]
            self.keys(data, POLL_COMMON | required | optional, {"id", "question"} | required, where)
        poll_id = self.text(data, "id", where)
        if poll_id and not _SLUG.match(poll_id):
            self.problem(data.lines["id"], f"{where}: id '{poll_id}' must be a slug: lowercase "
                                           f"letters, digits and '-', at most 64")
        if poll_id:
            where = f"{where} '{poll_id}'"
        common = dict(id=poll_id, line=data.lines.get("id", data.line),
                      question=self.text(data, "question", where),
                      group=self.text(data, "group", where),
                      allow_change=self.flag(data, "allow_change", where, True))
        if ptype == "choice":
            options = self.texts(data, "options", where, 2, 8)
            multiple = self.flag(data, "multiple", where, False)
            max_choices = None
            if "max" in data:
                if not multiple:
                    self.problem(data.lines["max"], f"{where}: 'max' needs 'multiple: true'")
                max_choices = self.number(data, "max", where, None, True, 1, max(len(options), 1))
            return Poll(type="choice", options=options, multiple=multiple,
                        max_choices=max_choices, correct=self.correct(data, options, multiple, where),
                        **common)
        if ptype == "scale":
            lo = self.number(data, "min", where, 1, integer=True, lo=-100, hi=100)
            hi = self.number(data, "max", where, 5, integer=True, lo=-100, hi=100)
            if lo >= hi:
                self.problem(data.lines.get("max", data.line),
                             f"{where}: scale 'min' ({lo}) must be below 'max' ({hi})")
            elif hi - lo > 10:
                self.problem(data.lines.get("max", data.line),
                             f"{where}: a scale has at most 11 steps ({lo} to {hi} has {hi - lo + 1})")
            return Poll(type="scale", scale_min=lo, scale_max=hi, left=self.text(data, "left", where),
                        right=self.text(data, "right", where), **common)
        if ptype == "ranking":
            return Poll(type="ranking", options=self.texts(data, "items", where, 2, 8), **common)
        if ptype == "open":
            return Poll(type="open", max_length=self.number(data, "max_length", where, 280,
                                                           integer=True, lo=1, hi=2000), **common)
        return None

    def correct(self, data, options, multiple, where) -> tuple[int, ...]:
        if "correct" not in data:
            return ()
        value, line = data["correct"], data.lines["correct"]
        wanted = value if isinstance(value, list) else [value]
        out = []
        for item in wanted:
            text = str(item).strip() if not isinstance(item, (bool, list, dict)) and item is not None else None
            if text not in options:
                hint = difflib.get_close_matches(text or "", options, n=1)
                tip = f" (did you mean '{hint[0]}'?)" if hint else ""
                self.problem(line, f"{where}: 'correct' answer {_shown(item)} is not one of the options{tip}")
            else:
                out.append(options.index(text))
        if len(out) > 1 and not multiple:
            self.problem(line, f"{where}: several 'correct' answers need 'multiple: true'")
        return tuple(sorted(set(out)))


def _kind(value) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number" if math.isfinite(value) else f"{value}"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _shown(value) -> str:
    """Quote a value for a message, briefly: a YAML alias bomb must never be spelled out."""
    if isinstance(value, str):
        return f"'{value[:60]}'" + ("..." if len(value) > 60 else "")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return _kind(value)


def parse_deck(text: str, path: str = "<deck>") -> Deck:
    """Parse and validate deck text; raise DeckError with every problem found."""
    if not text.strip():
        raise DeckError([f"{path}:1: the deck is empty; it needs at least 'title' and 'slides'"])
    try:
        data = yaml_lines.load(text)
    except yaml.YAMLError as exc:
        raise DeckError([f"{path}:{_error_line(exc, text)}: not valid YAML: "
                         f"{getattr(exc, 'problem', None) or str(exc).splitlines()[0]}"]) from None
    except RecursionError:
        raise DeckError([f"{path}:1: the YAML is nested too deeply to be a deck"]) from None
    checker = _Checker(path)
    try:
        deck = checker.deck(data)
    except RecursionError:
        raise DeckError([f"{path}:1: the YAML is nested too deeply to be a deck"]) from None
    if deck is None:
        raise DeckError(checker.problems or [f"{path}:1: not a usable deck"])
    return deck


def load_deck(path: str | os.PathLike) -> Deck:
    """Read, parse and validate a deck file; raise DeckError with a clear line on any problem."""
    name = str(path)
    p = Path(path)
    if p.is_dir():
        raise DeckError([f"{name}: is a folder, not a deck file"])
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise DeckError([f"{name}: no such file"]) from None
    except OSError as exc:
        raise DeckError([f"{name}: cannot be read ({exc.strerror})"]) from None
    if len(raw) > MAX_DECK_BYTES:
        raise DeckError([f"{name}: is {len(raw)} bytes; a deck is at most {MAX_DECK_BYTES}"])
    if b"\0" in raw:
        raise DeckError([f"{name}: is a binary file, not a YAML deck"])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DeckError([f"{name}:{line}: is not UTF-8 text"]) from None
    return parse_deck(text, name)


def _error_line(exc: yaml.YAMLError, text: str) -> int:
    """Return the line a YAML error is about; PyYAML sometimes points past the end, or at the
    start of the next token, when the cause (an unclosed bracket or quote) is earlier."""
    problem = getattr(exc, "problem_mark", None)
    context = getattr(exc, "context_mark", None)
    lines = len(text.splitlines()) or 1
    if problem is None:
        return context.line + 1 if context else 1
    line = problem.line + 1
    if context is not None and (line > lines or problem.index >= len(text.rstrip())):
        return context.line + 1
    if line > lines or (problem.column == 0 and line > 1):
        return min(line - 1, lines)
    return line
