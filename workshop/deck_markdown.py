"""Read a Markdown deck into the same line-tracked tree as a YAML deck, for DeckChecker.

Front matter (YAML between `---` lines) holds the deck's settings; `---` on its own line
separates slides; a slide may start with an HTML comment holding YAML (its kind and options);
`# ` is the title, `## ` the subtitle, lists the bullets (a nested list the sub-bullets),
`> ` the quote with `— Name` on its last line, paragraphs the text (a scenario's story),
```` ```poll ```` a poll as YAML, `### ` a scenario's tips title over its tips list,
`![alt](src "phone")` the images, and a line `Notes:` starts the speaker notes. Inline
Markdown stays as source text. decks/README.md is the guide.
"""
from __future__ import annotations

import re

import yaml
from markdown_it import MarkdownIt

from . import yaml_lines
from .deck import Deck, DeckError
from .deck_file import DeckChecker, _error_line

SEPARATOR = re.compile(r"^---\s*$")
NOTES = re.compile(r"^Notes?:(?:\s|$)")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
ATTRIBUTION = re.compile(r"^(?:—|―|--)\s*")

# A line that Markdown would read as something other than text; the writer puts a backslash
# before it and the reader takes that backslash away again (escape/unescape below).
_TRIGGER = re.compile(r"""^(?:
    \s | \#{1,6}(?:\s|$) | [-+*](?:\s|$) | > | \d{1,9}[.)](?:\s|$) | (?:[-_*=]\s*)+$
    | `{3,} | ~{3,} | < | Notes?:(?:\s|$) | — | ― | -- | !\[ | \[[^\]]*\]:
    )""", re.X)


def needs_escape(line: str) -> bool:
    """Tell whether a line of text would be misread as Markdown structure."""
    return bool(_TRIGGER.match(line)) or (line.startswith("\\") and needs_escape(line[1:]))


def escape(text: str) -> str:
    """Escape each line of a text field that Markdown would misread."""
    return "\n".join("\\" + ln if needs_escape(ln) else ln for ln in text.split("\n"))


def unescape(text: str) -> str:
    """Undo escape(): the text field's source, as a YAML deck would hold it."""
    return "\n".join(ln[1:] if ln.startswith("\\") and needs_escape(ln[1:]) else ln
                     for ln in text.split("\n"))


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark")
    md.normalizeLink = lambda url: url  # an image's src stays as written
    md.validateLink = lambda url: True  # check() says what is wrong with a src
    return md


_MD = _markdown()


def infer_kind(keys, first: bool) -> str | None:
    """Return the kind a slide with these keys has when its header names none."""
    keys = set(keys)
    if "poll" in keys:
        return "scenario" if keys & {"story", "text", "tips", "tips_title"} else "poll"
    if keys & {"quote", "attribution"}:
        return "quote"
    if "bullets" in keys:
        return "bullets"
    if "story" in keys:
        return "scenario"
    if "text" in keys:
        return "text"
    if "images" in keys:
        return "image"
    if keys & {"title", "subtitle"}:
        return "title" if first else "section"
    return None


class MarkdownReader:
    """Turn Markdown deck text into LineDict/LineList values with the file's own lines."""

    def __init__(self, path: str):
        self.path = path
        self.problems: list[str] = []

    def problem(self, line: int, message: str) -> None:
        self.problems.append(f"{self.path}:{line}: {message}")

    def yaml(self, text: str, first_line: int, what: str):
        """Parse YAML whose first line is line `first_line` of the file; None on a problem."""
        padded = "\n" * (first_line - 1) + text
        try:
            return yaml_lines.load(padded)
        except yaml.YAMLError as exc:
            detail = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            self.problem(_error_line(exc, padded), f"{what} is not valid YAML: {detail}")
        except RecursionError:
            self.problem(first_line, f"{what} is nested too deeply")
        return None

    # --- the whole deck ---

    def read(self, text: str) -> yaml_lines.LineDict:
        lines = text.split("\n")
        tree = yaml_lines.LineDict()
        tree.line, tree.lines = 1, {}
        start = 0
        if lines and SEPARATOR.match(lines[0]):
            end = next((i for i in range(1, len(lines)) if SEPARATOR.match(lines[i])), None)
            if end is None:
                self.problem(1, "the front matter's '---' is never closed; end the deck's "
                                "settings with a line '---'")
                return tree
            front = self.yaml("\n".join(lines[1:end]), 2, "the front matter")
            if front is not None and not isinstance(front, dict):
                self.problem(2, "the front matter must hold the deck's settings as "
                                "'key: value' lines (title: ...)")
            elif front:
                if "slides" in front:
                    self.problem(front.lines["slides"], "the slides come after the front "
                                                        "matter, not in it")
                tree.update(front)
                tree.lines.update(front.lines)
            start = end + 1
        else:
            self.problem(1, "a Markdown deck starts with its settings between two '---' lines "
                            "(title: ..., language: ...)")
        slides = yaml_lines.LineList()
        slides.line, slides.lines = start + 1, []
        for first, last in self.chunks(lines, start):
            slide = self.slide(lines, first, last, len(slides) + 1)
            if slide is not None:
                slides.append(slide)
                slides.lines.append(slide.line)
        tree["slides"] = slides
        tree.lines["slides"] = slides.line
        return tree

    def chunks(self, lines: list[str], start: int):
        """Yield each slide's (first, end) line indexes: split at `---` outside blocks."""
        fence, comment, first = None, None, start
        for i in range(start, len(lines)):
            line = lines[i]
            if fence is not None:
                m = FENCE.match(line)
                if m and m.group(1)[0] == fence[0][0] and len(m.group(1)) >= len(fence[0]) \
                        and not line.strip().strip(fence[0][0]):
                    fence = None
                continue
            if comment is not None:
                if "-->" in line:
                    comment = None
                continue
            m = FENCE.match(line)
            if m:
                fence = (m.group(1), i)
            elif line.lstrip().startswith("<!--") and "-->" not in line.split("<!--", 1)[1]:
                comment = i
            elif SEPARATOR.match(line):
                yield first, i
                first = i + 1
        if fence is not None:
            self.problem(fence[1] + 1, f"this {fence[0]} block is never closed; end it with a "
                                       f"line {fence[0]}")
        if comment is not None:
            self.problem(comment + 1, "this <!-- comment is never closed; end it with -->")
        yield first, len(lines)

    # --- one slide ---

    def slide(self, lines, first: int, end: int, number: int):
        """Return one slide's LineDict, or None for a slide with nothing on it."""
        body_end = end
        fence = comment = False
        for i in range(first, end):
            line = lines[i]
            if fence or FENCE.match(line):
                fence = not fence if FENCE.match(line) else fence
                continue
            if comment or line.lstrip().startswith("<!--"):
                comment = "-->" not in line
                continue
            if NOTES.match(line):
                body_end = i
                break
        if not any(ln.strip() for ln in lines[first:end]):
            return None
        where = f"slide {number}"
        parts = SlideParts(self, where)
        tokens = _MD.parse("\n" * first + "\n".join(lines[first:body_end]))
        parts.walk(tokens)
        if body_end < end:
            notes = lines[body_end].split(":", 1)[1].strip()
            notes = "\n".join([notes] + lines[body_end + 1:end]).strip()
            parts.add("notes", notes, body_end + 1)
        slide_line = next(i for i in range(first, end) if lines[i].strip()) + 1
        return parts.tree(slide_line, number == 1)


class SlideParts:
    """What one slide's Markdown tokens say, gathered key by key with their lines."""

    def __init__(self, reader: MarkdownReader, where: str):
        self.reader, self.where = reader, where
        self.header: yaml_lines.LineDict | None = None
        self.values: dict = {}
        self.lines: dict = {}
        self.paragraphs: list[str] = []
        self.after_poll = self.after_tips_title = False

    def problem(self, line: int, message: str) -> None:
        self.reader.problem(line, f"{self.where}: {message}")

    def add(self, key: str, value, line: int) -> None:
        if key in self.values:
            self.problem(line, f"two {_NAMES.get(key, repr(key))} (the first at line "
                               f"{self.lines[key]}); a slide has one")
            return
        self.values[key], self.lines[key] = value, line

    def walk(self, tokens) -> None:
        i, count = 0, 0
        while i < len(tokens):
            token = tokens[i]
            line = token.map[0] + 1 if token.map else 0
            close = _closing(tokens, i)
            if token.type == "html_block":
                self.html(token, line, count == 0)
            elif token.type == "heading_open":
                self.heading(token.tag, unescape(tokens[i + 1].content), line)
            elif token.type in ("bullet_list_open", "ordered_list_open"):
                items = self.list(tokens, i, close)
                key = "tips" if self.after_tips_title or self.after_poll else "bullets"
                self.add(key, items, line)
                self.after_tips_title = False
            elif token.type == "paragraph_open":
                self.paragraph(tokens[i + 1], line)
            elif token.type == "blockquote_open":
                self.quote(tokens[i + 1:close], line)
            elif token.type == "fence":
                self.fence(token, line)
            elif token.type == "code_block":
                self.problem(line, "an indented line makes a code block; remove the indentation")
            elif token.type == "hr":
                self.problem(line, "a line of '***' or '___': slides are separated by '---' "
                                   "on a line of its own")
            count += 1
            i = close + 1

    def html(self, token, line: int, first: bool) -> None:
        text = token.content.strip()
        if not text.startswith("<!--"):
            self.problem(line, "HTML is not shown on slides; write Markdown, or put a '\\' "
                               "before the '<'")
        elif first:
            inner = text[4:].split("-->", 1)[0]
            data = self.reader.yaml(inner, line, f"{self.where}: the header comment")
            if data is not None and not isinstance(data, dict):
                self.problem(line, "the header comment must hold YAML keys such as "
                                   "'kind: poll' or 'minutes: 5', not plain text")
            elif isinstance(data, dict):
                self.header = data

    def heading(self, tag: str, text: str, line: int) -> None:
        key = {"h1": "title", "h2": "subtitle", "h3": "tips_title"}.get(tag)
        if key is None:
            self.problem(line, f"a heading with {tag[1]} '#': use '#' for the title, '##' for "
                               f"the subtitle, '###' for a scenario's tips")
            return
        self.add(key, text, line)
        self.after_tips_title = key == "tips_title"

    def list(self, tokens, start: int, end: int):
        items = yaml_lines.LineList()
        items.line, items.lines = tokens[start].map[0] + 1, []
        i = start + 1
        while i < end:
            token = tokens[i]
            if token.type == "list_item_open":
                close = _closing(tokens, i)
                items.append(self.item(tokens, i, close, items, tokens[start].level))
                items.lines.append(token.map[0] + 1)
                i = close
            i += 1
        return _flatten_subs(items)

    def item(self, tokens, start, end, items, level):
        """Return a list item's text, or (for a nested list) a LineList of sub-items."""
        texts, subs = [], None
        i = start + 1
        while i < end:
            token = tokens[i]
            if token.type == "inline":
                texts.append(unescape(token.content))
            elif token.type in ("bullet_list_open", "ordered_list_open"):
                close = _closing(tokens, i)
                if level > 0:
                    self.problem(token.map[0] + 1, "a list nested in a nested list: sub-bullets "
                                                   "have at most two levels")
                else:
                    subs = self.list(tokens, i, close)
                i = close
            elif token.type not in ("paragraph_open", "paragraph_close"):
                self.problem(token.map[0] + 1 if token.map else tokens[start].map[0] + 1,
                             "a list item holds text and sub-bullets only")
            i += 1
        return _Item("\n\n".join(texts), subs)

    def paragraph(self, inline, line: int) -> None:
        kids = inline.children or []
        images = [k for k in kids if k.type == "image"]
        if not images:
            self.paragraphs.append(unescape(inline.content))
            self.lines.setdefault("_text", line)
            return
        if any(k.type not in ("image", "softbreak") and not (k.type == "text" and
                                                              not k.content.strip())
               for k in kids):
            self.problem(line, "an image must stand on a line of its own, not inside text")
            return
        found = self.values.get("images")
        if found is None:
            found = yaml_lines.LineList()
            found.line, found.lines = line, []
            self.add("images", found, line)
        at = line
        for kid in kids:
            if kid.type == "softbreak":
                at += 1
            elif kid.type == "image":
                image = yaml_lines.LineDict(src=kid.attrs.get("src", ""), alt=kid.content)
                image.line, image.lines = at, {"src": at, "alt": at}
                title = kid.attrs.get("title")
                if title == "phone":
                    image["phone"], image.lines["phone"] = True, at
                elif title:
                    self.problem(at, f"an image's title may only be \"phone\" (shown on the "
                                     f"phones too), not '{str(title)[:40]}'")
                found.append(image)
                found.lines.append(at)

    def quote(self, tokens, line: int) -> None:
        texts = [unescape(t.content) for t in tokens if t.type == "inline"]
        if any(t.type not in ("inline", "paragraph_open", "paragraph_close") for t in tokens):
            self.problem(line, "a quote holds text only, with '— Name' on its last line")
        attribution = None
        if texts:
            *rest, last_line = texts[-1].split("\n")
            if ATTRIBUTION.match(last_line):
                attribution = ATTRIBUTION.sub("", last_line, count=1)
                texts[-1] = "\n".join(rest)
        self.add("quote", "\n\n".join(t for t in texts if t), line)
        if attribution is not None:
            end = tokens[-1].map[1] if tokens and tokens[-1].map else line
            self.add("attribution", attribution, max(line, end))

    def fence(self, token, line: int) -> None:
        if token.info.strip() != "poll":
            self.problem(line, f"a {token.markup} block on a slide must be a {token.markup}poll "
                               f"block holding the poll as YAML")
            return
        if "poll" in self.values:
            self.problem(line, f"two polls (the first at line {self.lines['poll']}); a slide "
                               f"asks one")
            return
        data = self.reader.yaml(token.content, line + 1, f"{self.where}: the poll")
        if data is None and not token.content.strip():
            self.problem(line, "the poll block is empty; it needs id, type and question")
        if data is not None:
            self.add("poll", data, line)
            self.after_poll = True

    def tree(self, slide_line: int, first: bool) -> yaml_lines.LineDict:
        if self.paragraphs:
            self.values["_text"] = "\n\n".join(self.paragraphs)
        header = self.header or {}
        keys = set(header) | {"text" if k == "_text" else k for k in self.values}
        kind = header.get("kind") if "kind" in header else infer_kind(keys, first)
        out = yaml_lines.LineDict()
        out.line, out.lines = (header.line if self.header is not None else slide_line), {}
        if kind is not None and "kind" not in header:
            out["kind"], out.lines["kind"] = kind, out.line
        for key, value in header.items():
            out[key], out.lines[key] = value, header.lines[key]
        for key, value in self.values.items():
            line = self.lines[key]
            if key == "_text":
                key = "story" if kind == "scenario" else "text"
            if key in out:
                self.problem(line, f"'{key}' is given twice: in the header comment (line "
                                   f"{out.lines[key]}) and on the slide")
                continue
            out[key], out.lines[key] = value, line
        return out


_NAMES = {"title": "'#' titles", "subtitle": "'##' subtitles", "tips_title": "'###' headings",
          "bullets": "lists", "tips": "tips lists", "quote": "quotes", "images": "image lines",
          "attribution": "attributions", "notes": "'Notes:' lines"}


class _Item(str):
    """A list item's text with its sub-items (None when it has none)."""

    def __new__(cls, text, subs):
        item = super().__new__(cls, text)
        item.subs = subs
        return item


def _flatten_subs(items: yaml_lines.LineList) -> yaml_lines.LineList:
    """Put each item's sub-items right after it, as the YAML format writes them."""
    out = yaml_lines.LineList()
    out.line, out.lines = items.line, []
    for item, line in zip(items, items.lines):
        out.append(str(item))
        out.lines.append(line)
        if getattr(item, "subs", None) is not None:
            out.append(item.subs)
            out.lines.append(item.subs.line)
    return out


def _closing(tokens, i: int) -> int:
    """Return the index of the token closing tokens[i] (itself when it is not an opening)."""
    token = tokens[i]
    if token.nesting != 1:
        return i
    depth = 0
    for j in range(i, len(tokens)):
        depth += tokens[j].nesting
        if depth == 0:
            return j
    return len(tokens) - 1


def markdown_tree(text: str, path: str = "<deck>") -> yaml_lines.LineDict:
    """Return the deck's tree (as yaml_lines would load the YAML deck); DeckError if the
    Markdown's structure is wrong."""
    reader = MarkdownReader(path)
    tree = reader.read(text.replace("\r\n", "\n").replace("\r", "\n"))
    if reader.problems:
        raise DeckError(reader.problems)
    return tree


def parse_markdown_deck(text: str, path: str = "<deck>", folder: str | None = None) -> Deck:
    """Parse and validate a Markdown deck; raise DeckError with every problem found."""
    if not text.strip():
        raise DeckError([f"{path}:1: the deck is empty; it needs its settings between '---' "
                         f"lines and at least one slide"])
    try:
        tree = markdown_tree(text, path)
    except RecursionError:
        raise DeckError([f"{path}:1: the Markdown is nested too deeply to be a deck"]) from None
    checker = DeckChecker(path, folder)
    deck = checker.deck(tree)
    if deck is None:
        raise DeckError(checker.problems or [f"{path}:1: not a usable deck"])
    return deck
