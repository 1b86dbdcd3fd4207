"""Inline Markdown in deck texts: `**strong**`, `*em*`, `` `code` `` and `[text](url)`.

A deck's bullets, texts, stories, tips, quotes, subtitles and notes may hold inline Markdown
source. `runs(text)` parses it once (markdown-it-py, raw HTML off: `<b>` stays the three
characters it is) into Runs of plain text with their emphasis; the pages (`to_html`, the
`inline` filter), the PDFs (handouts/text.py `inline_markup`) and plain text (`plain`) render
the same runs. A link shows as its text: the room cannot follow an address on a projector.
"""
from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass

from markdown_it import MarkdownIt

# "zero" has every rule off; these are the inline ones a deck may use. No `html_inline`,
# `autolink` or `entity`: `<b>`, `<http://x>` and `&amp;` print as written.
_MD = MarkdownIt("zero", {"html": False}).enable(
    ["emphasis", "backticks", "link", "escape", "newline"])
_CJK = re.compile("[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")
_MARKS = frozenset("*_`[]\\")


@dataclass(frozen=True)
class Run:
    """A piece of text set one way."""

    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False
    brk: bool = False  # a line break (the text is "\n")


def runs(text: str) -> tuple[Run, ...]:
    """Return the runs of a deck text; wrapped lines join (with no space between Chinese)."""
    if not text:
        return ()
    if not _MARKS.intersection(text) and "\n" not in text:
        return (Run(text),)  # the common case: nothing to parse
    return _parse(text)


@functools.lru_cache(maxsize=4096)
def _parse(text: str) -> tuple[Run, ...]:
    out: list[Run] = []
    bold = italic = 0
    children = [t for block in _MD.parseInline(text) for t in (block.children or ())]
    for i, token in enumerate(children):
        kind = token.type
        if kind == "text":
            _add(out, Run(token.content, bold > 0, italic > 0))
        elif kind == "code_inline":
            _add(out, Run(token.content, bold > 0, italic > 0, code=True))
        elif kind in ("strong_open", "strong_close"):
            bold += 1 if kind.endswith("open") else -1
        elif kind in ("em_open", "em_close"):
            italic += 1 if kind.endswith("open") else -1
        elif kind == "softbreak":
            before = out[-1].text[-1:] if out else ""
            after = next((c.content[:1] for c in children[i + 1:] if c.content), "")
            if not (_CJK.match(before or " ") and _CJK.match(after or " ")):
                _add(out, Run(" ", bold > 0, italic > 0))
        elif kind == "hardbreak":
            out.append(Run("\n", brk=True))
        # link_open / link_close: the link's text is what the room reads
    return tuple(out)


def _add(out: list[Run], run: Run) -> None:
    """Append a run, joined to the last one when it is set the same way."""
    if not run.text:
        return
    last = out[-1] if out else None
    if last and not last.brk and (last.bold, last.italic, last.code) == \
            (run.bold, run.italic, run.code):
        out[-1] = Run(last.text + run.text, run.bold, run.italic, run.code)
    else:
        out.append(run)


def plain(text: str) -> str:
    """Return a deck text as the words it shows, without its Markdown marks."""
    return "".join(run.text for run in runs(text))


def render(text: str, escape, tags: dict) -> str:
    """Return a deck text in a markup language: each run's words through `escape`, wrapped in
    `tags[flag] = (open, close)` for "code", "italic" and "bold"; `tags["brk"]` a line break."""
    parts = []
    for run in runs(text):
        if run.brk:
            parts.append(tags["brk"])
            continue
        piece = escape(run.text)
        for flag in ("code", "italic", "bold"):  # innermost first
            if getattr(run, flag):
                piece = tags[flag][0] + piece + tags[flag][1]
        parts.append(piece)
    return "".join(parts)


HTML_TAGS = {"brk": "<br>", "code": ("<code>", "</code>"), "italic": ("<em>", "</em>"),
             "bold": ("<strong>", "</strong>")}


def to_html(text: str) -> str:
    """Return escaped HTML of a deck text: <strong>, <em>, <code> and <br> are the only tags."""
    return render(text, lambda words: html.escape(words, quote=False), HTML_TAGS)
