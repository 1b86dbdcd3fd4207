"""One slide of a Markdown deck: its tokens gathered into the YAML format's keys, with lines.

Also what reader and writer share: how a line of text is escaped so Markdown does not misread
it, and which kind a slide has when its header names none.
"""
from __future__ import annotations

import re

from markdown_it import MarkdownIt

from . import yaml_lines

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
    # backslashes before such a line are escaped too, so that unescape takes away only ours
    return bool(_TRIGGER.match(line.lstrip("\\")))


def escape(text: str) -> str:
    """Escape each line of a text field that Markdown would misread."""
    return "\n".join("\\" + ln if needs_escape(ln) else ln for ln in text.split("\n"))


def unescape(text: str) -> str:
    """Undo escape(): the text field's source, as a YAML deck would hold it."""
    return "\n".join(ln[1:] if ln.startswith("\\") and needs_escape(ln[1:]) else ln
                     for ln in text.split("\n"))


MAX_BRACKETS = 40  # a paragraph with images holds at most this many '[' (parsing stays linear)


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark")
    md.normalizeLink = lambda url: url  # an image's src stays as written
    md.validateLink = lambda url: True  # check() says what is wrong with a src
    return md


# Blocks only: text fields keep their inline source, and inline parsing takes quadratic time
# on some input ('[' repeated); _INLINE parses just the paragraphs that hold images.
_MD = _markdown().disable("inline")
_INLINE = _markdown()


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
        elif "-->" in text and text.split("-->", 1)[1].strip():
            self.problem(line, "put nothing after '-->' on its line; the slide starts on the "
                               "next line")
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
        kids = []
        if "![" in inline.content:
            if inline.content.count("[") > MAX_BRACKETS:
                self.problem(line, f"a paragraph with images in it has at most {MAX_BRACKETS} "
                                   f"'['; put each image on a line of its own")
                return
            kids = _INLINE.parseInline(inline.content)[0].children or []
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
                alt = re.sub(r"\\([\[\]\\])", r"\1", kid.content)  # what the writer escapes
                image = yaml_lines.LineDict(src=kid.attrs.get("src", ""), alt=alt)
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
