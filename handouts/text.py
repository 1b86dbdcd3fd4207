"""The two escaping helpers: untrusted text made safe for ReportLab markup and for CSV cells.

Every text the PDFs print goes through markup() (or clean() when drawn on the canvas); every
CSV cell goes through csv_cell(). What markup() does, and why:
- <, > and & are escaped, so tags such as <b>, <img> or <font> print literally;
- lone surrogates become U+FFFD, control characters and format marks (bidi overrides,
  zero-width joiners, BOMs) are dropped: they have no glyph and can reorder what is read;
- characters none of our fonts can draw print as □, one per emoji cluster, rather than as
  nothing or a wrong glyph (fonts.py: that is rare now);
- runs of another script than Latin are set in that script's face (fonts.runs), the rest in
  the paragraph's own font; right-to-left text is put in visual order (fonts.visual);
- long unbroken strings wrap because every style sets splitLongWords (see styles.py).
"""
from __future__ import annotations

import re
import unicodedata
from xml.sax.saxutils import escape

from workshop import inline
from workshop.text import first_visible

from . import fonts

_CJK = re.compile("[\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
                  "\uf900-\ufaff\uff00-\uffef]")
_ZWJ = "\u200d"
_SKIN = range(0x1F3FB, 0x1F400)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_BLANK_LINES = re.compile(r"\n{3,}")


def fix_surrogates(text: str) -> str:
    """Return text with surrogate pairs joined and lone surrogates replaced by U+FFFD."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def clean(value) -> str:
    """Return printable text: surrogates fixed, invisible marks dropped, glyphless ones as □."""
    text = value if isinstance(value, str) else str(value)
    if text.isascii() and text.isprintable():
        return text
    text = unicodedata.normalize("NFC", fix_surrogates(text)).replace("\r\n", "\n")
    out: list[str] = []
    joined = False  # the previous character was a zero-width joiner
    for ch in text:
        if ch == "\n":
            out.append(ch)
            continue
        if ch == "\t":
            out.append(" ")
            continue
        category = unicodedata.category(ch)
        if category in ("Zl", "Zp"):
            out.append("\n")
            continue
        if category in ("Cc", "Cf", "Cs", "Co", "Cn"):
            # controls, bidi overrides (U+202E), zero-width marks, BOMs: nothing to print
            joined = ch == _ZWJ and bool(out) and out[-1] == fonts.PLACEHOLDER
            continue
        if fonts.coverage(ch) == fonts.MISSING:
            if category.startswith("M"):
                continue  # a variation selector or combining mark we cannot draw
            if category == "Zs":
                out.append(" ")  # an exotic space is still a space
                continue
            # One □ per emoji cluster: skin tones and ZWJ sequences join the previous one.
            if out and out[-1] == fonts.PLACEHOLDER and (joined or ord(ch) in _SKIN):
                joined = False
                continue
            ch = fonts.PLACEHOLDER
        joined = False
        out.append(ch)
    return "".join(out)


def shorten(value, limit: int) -> str:
    """Return text cut to `limit` characters with an ellipsis (for labels that cannot split)."""
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def has_cjk(text: str) -> bool:
    """Return whether text has Chinese or Japanese characters (so wants CJK line wrapping)."""
    return bool(_CJK.search(text))


def markup(value, newlines: bool = True) -> str:
    """Return paragraph markup that prints value literally, each script's runs in its face."""
    text = clean(value)
    if newlines:
        text = _BLANK_LINES.sub("\n\n", text.strip("\n"))
    else:
        text = " ".join(text.split())
    parts = []
    for kind, segment in fonts.runs(fonts.visual(text)):
        segment = escape(segment)
        if kind != fonts.LATIN:
            segment = f'<font name="{fonts.face(kind)}">{segment}</font>'
        parts.append(segment)
    return "".join(parts).replace("\n", "<br/>")


CODE_TINT = "#edf1f6"  # code spans: our faces have no monospace, so a tint marks them


PDF_TAGS = {"brk": "<br/>", "code": (f'<font backColor="{CODE_TINT}">', "</font>"),
            "italic": ("<i>", "</i>"), "bold": ("<b>", "</b>")}


def inline_markup(value) -> str:
    """Return paragraph markup of a deck text's inline Markdown (workshop/inline.py): each
    run printed literally through markup(), in <b>, <i> or a tinted code span."""
    return inline.render(str(value), markup, PDF_TAGS)


def paragraphs(value) -> list[str]:
    """Split deck text at blank lines and join wrapped lines (with no space between Chinese)."""
    out = []
    for block in re.split(r"\n\s*\n", str(value).strip()):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        text = ""
        for line in lines:
            if text and not (has_cjk(text[-1]) and has_cjk(line[0])):
                text += " "
            text += line
        if text:
            out.append(text)
    return out


def csv_cell(value) -> str:
    """Return a CSV cell: numbers as they are; text fixed, and a formula start neutralised."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    text = fix_surrogates(str(value))
    text = "".join(ch for ch in text
                   if ch in "\t\r\n" or unicodedata.category(ch) != "Cc")
    # a spreadsheet skips invisible characters before a formula: "\ufeff=1+1" is one too
    if text.startswith(_FORMULA_START) or first_visible(text) in _FORMULA_START[:4]:
        return "'" + text
    return text
