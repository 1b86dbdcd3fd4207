"""Read a deck file: parse its YAML, check every part, and build the frozen Deck.

Every problem found is one `PATH:LINE: message`; DeckError carries them all.
"""
from __future__ import annotations

import difflib
import math
import os
import re
from pathlib import Path

import yaml

from . import deck_markdown, pictures, polltypes, yaml_lines
from .activity import read_activity
from .deck_bullets import read_bullets
from .deck_compare import check_compare
from .deck import NAMES, SLIDE_KINDS, Deck, DeckError, Image, Poll, Slide

MAX_DECK_BYTES = 2_000_000
MARKDOWN_SUFFIXES = (".md", ".markdown")  # load_deck reads these as Markdown, others as YAML
_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")

# ----- the schema: which keys each part may have (a poll type names its own) ------------

TOP_KEYS = {"title", "subtitle", "speaker", "source", "language", "minutes", "names", "moderate",
            "qa", "slides", "teams"}
SLIDE_KEYS = {
    "title": ({"title"}, {"subtitle"}),
    "section": ({"title"}, {"subtitle"}),
    "bullets": ({"title", "bullets"}, set()),
    "quote": ({"quote", "attribution"}, {"title"}),
    "text": ({"title", "text"}, set()),
    "poll": ({"poll"}, {"title"}),
    "scenario": ({"title", "story", "poll", "tips"}, {"tips_title"}),
    "image": ({"images"}, {"title"}),
    "qa": (set(), {"title"}),  # the audience's questions, live (workshop/qa.py)
    "leaderboard": (set(), {"title", "top", "podium"}),
}
COMMON_SLIDE_KEYS = {"kind", "notes", "minutes", "images", "activity"}
IMAGE_KEYS = {"src", "alt", "phone"}
POLL_COMMON = {"id", "type", "question", "group", "allow_change", "stays_open", "reveal_closes",
               "compare"}  # a type adds its own keys


class DeckChecker:
    """Walk the parsed YAML, collect problems, and build the frozen deck.

    Poll types read their own keys through the helpers here (text, texts, number, flag,
    problem, shown), so every message has the same form and its line.
    """

    def __init__(self, path: str, folder: str | None = None):
        self.path = path
        # images are looked up here; None: beside the deck file
        self.folder = folder if folder is not None else os.path.dirname(os.path.abspath(path))
        self.problems: list[str] = []
        self.compares: list[tuple[Poll, int, str]] = []  # (later poll, line of compare, where)

    def problem(self, line: int, message: str) -> None:
        """Record one problem at a line of the deck file."""
        self.problems.append(f"{self.path}:{line}: {message}")

    @staticmethod
    def shown(value) -> str:
        """Quote a value for a message, briefly."""
        return _shown(value)

    def keys(self, data: yaml_lines.LineDict, allowed: set, required: set, where: str) -> None:
        """Report keys that are not allowed (with a did-you-mean) and required ones missing."""
        for key in data:
            if key not in allowed:
                hint = difflib.get_close_matches(key, sorted(allowed), n=1, cutoff=0.6)
                tip = f" (did you mean '{hint[0]}'?)" if hint else ""
                self.problem(data.lines[key], f"{where}: unknown key '{key}'{tip}")
        for key in sorted(required - set(data)):
            self.problem(data.line, f"{where}: missing '{key}'")

    def text(self, data, key, where, default="", line=None) -> str:
        """Return data[key] as stripped text, or default; report a non-text or empty value."""
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
        """Return data[key] if it is a number within lo..hi; otherwise report it, return default."""
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
        """Return data[key] if it is true or false; otherwise report it and return default."""
        if key not in data:
            return default
        if not isinstance(data[key], bool):
            self.problem(data.lines[key], f"{where}: '{key}' must be true or false, "
                                          f"not {_kind(data[key])}")
            return default
        return data[key]

    def texts(self, data, key, where, lo=1, hi=None) -> tuple[str, ...]:
        """Return data[key], a list of lo..hi distinct texts; report each item that is not."""
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
        for poll, line, where in self.compares:
            check_compare(self, poll, line, where, slides)
        language = self.text(data, "language", "deck", "en")
        names = "anonymous"
        if "names" in data:
            names = self.one_of(data, "names", NAMES, "deck") or names
        moderate = self.flag(data, "moderate", "deck", False)
        qa = self.flag(data, "qa", "deck", True)
        planned = sum(s.minutes for s in slides)
        minutes = self.number(data, "minutes", "deck", planned, lo=1, hi=1440)
        if self.problems:
            return None
        return Deck(title=title, slides=tuple(slides), subtitle=self.text(data, "subtitle", "deck"),
                    speaker=self.text(data, "speaker", "deck"),
                    source=self.text(data, "source", "deck"), language=language,
                    minutes=minutes, names=names, moderate=moderate, qa=qa, path=self.path, polls=polls,
                    teams=self.texts(data, "teams", "deck", 2, 40))

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
        bullets, levels = read_bullets(self, data, where)
        return Slide(
            kind=kind, title=self.text(data, "title", where),
            subtitle=self.text(data, "subtitle", where),
            bullets=bullets, levels=levels,
            quote=self.text(data, "quote", where), attribution=self.text(data, "attribution", where),
            text=self.text(data, "text", where), story=self.text(data, "story", where),
            poll=poll, tips_title=self.text(data, "tips_title", where),
            tips=self.texts(data, "tips", where), notes=self.text(data, "notes", where),
            minutes=self.number(data, "minutes", where, 0.0, lo=0, hi=600),
            images=self.images(data, where), activity=read_activity(self, data, where),
            top=self.number(data, "top", where, 10, True, 1, 50),
            podium=self.flag(data, "podium", where, False), line=data.line)

    def images(self, data, where: str) -> tuple[Image, ...]:
        """Return the slide's images: files inside the deck's folder, each with its alt text."""
        if "images" not in data:
            return ()
        value, line = data["images"], data.lines["images"]
        if not isinstance(value, list) or not value:
            self.problem(line, f"{where}: 'images' must be a list of {{src, alt}}, "
                               f"not {_kind(value) if value != [] else 'an empty list'}")
            return ()
        out = []
        for i, item in enumerate(value):
            at = f"{where} image {i + 1}"
            if not isinstance(item, dict):
                self.problem(value.lines[i], f"{at}: must be a mapping with src and alt, "
                                             f"not {_kind(item)}")
                continue
            self.keys(item, IMAGE_KEYS, {"src", "alt"}, at)
            src, alt = self.text(item, "src", at), self.text(item, "alt", at)
            phone = self.flag(item, "phone", at, False)
            if src and self.image_file(src, item.lines.get("src", item.line), at) and alt:
                out.append(Image(src=src.replace("\\", "/"), alt=alt, phone=phone, line=item.line))
        return tuple(out)

    def image_file(self, src: str, line: int, where: str) -> bool:
        """Report an image path that leaves the deck's folder, is missing, too big or not an image."""
        wrong = pictures.file_problem(self.folder, src)  # workshop/pictures.py
        if wrong:
            self.problem(line, f"{where}: {wrong}")
        return not wrong

    def poll(self, data, where: str, line: int) -> Poll | None:
        where = f"{where} poll"
        if not isinstance(data, dict):
            self.problem(line, f"{where}: must be a mapping with id, type and question, "
                               f"not {_kind(data)}")
            return None
        type_name = self.one_of(data, "type", polltypes.names(), where)
        poll_type = polltypes.get(type_name) if type_name else None
        if poll_type:
            required, optional = poll_type.required, poll_type.optional
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
                      allow_change=self.flag(data, "allow_change", where, True),
                      stays_open=self.flag(data, "stays_open", where, False),
                      reveal_closes=self.flag(data, "reveal_closes", where, None),
                      compare=self.text(data, "compare", where))
        if poll_type is None:
            return None
        poll = Poll(type=type_name, **common, **poll_type.build(self, data, where))
        if poll.compare:
            self.compares.append((poll, data.lines["compare"], where))
        return poll


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


def parse_deck(text: str, path: str = "<deck>", folder: str | None = None) -> Deck:
    """Parse and validate deck text; raise DeckError with every problem found."""
    if not text.strip():
        raise DeckError([f"{path}:1: the deck is empty; it needs at least 'title' and 'slides'"])
    try:
        data = yaml_lines.load(text)
    except yaml.YAMLError as exc:
        raise DeckError([f"{path}:{yaml_lines.error_line(exc, text)}: not valid YAML: "
                         f"{getattr(exc, 'problem', None) or str(exc).splitlines()[0]}"]) from None
    except RecursionError:
        raise DeckError([f"{path}:1: the YAML is nested too deeply to be a deck"]) from None
    checker = DeckChecker(path, folder)
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
        raise DeckError([f"{name}: is a binary file, not a deck"])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DeckError([f"{name}:{line}: is not UTF-8 text"]) from None
    if p.suffix.lower() in MARKDOWN_SUFFIXES:
        return parse_markdown_deck(text, name)
    return parse_deck(text, name)


def parse_markdown_deck(text: str, path: str = "<deck>", folder: str | None = None) -> Deck:
    """Parse and validate a Markdown deck; raise DeckError with every problem found."""
    if not text.strip():
        raise DeckError([f"{path}:1: the deck is empty; it needs its settings between '---' "
                         f"lines and at least one slide"])
    try:
        tree = deck_markdown.markdown_tree(text, path)
    except RecursionError:
        raise DeckError([f"{path}:1: the Markdown is nested too deeply to be a deck"]) from None
    checker = DeckChecker(path, folder)
    deck = checker.deck(tree)
    if deck is None:
        raise DeckError(checker.problems or [f"{path}:1: not a usable deck"])
    return deck
