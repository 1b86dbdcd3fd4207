"""Fonts: Helvetica for Latin text, ReportLab's built-in CID font STSong-Light for Chinese.

Neither family is embedded, so builds stay fast and files small. A character is printed in
Helvetica when the standard Type 1 fonts can draw it (WinAnsi, or ReportLab's automatic
Symbol/ZapfDingbats fallback), otherwise in STSong-Light when its GBK repertoire has it
(Chinese, Japanese kana, Greek, Cyrillic, many symbols); anything else — emoji, Hangul,
Arabic, Devanagari — has no glyph in either and is printed as PLACEHOLDER instead.
"""
from __future__ import annotations

import functools
import itertools

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont

# Our names for the standard faces: same glyphs and PDF font (no embedding), but measured
# through _MeasuredFont, which remembers widths (wrapping measures the same words over and over).
SANS = "WK-Helvetica"
SANS_BOLD = "WK-Helvetica-Bold"
SANS_ITALIC = "WK-Helvetica-Oblique"
SANS_BOLD_ITALIC = "WK-Helvetica-BoldOblique"
SERIF_ITALIC = "WK-Times-Italic"
CJK = "STSong-Light"
PLACEHOLDER = "\u25a1"  # □: drawn by STSong-Light, plainly "a character we cannot print"

LATIN, CHINESE, MISSING = "latin", "cjk", ""
_T1_ENCODINGS = ("winansi", "symbol", "zapfdingbats")  # codecs registered by reportlab


class _MeasuredFont(pdfmetrics.Font):
    """A standard Type 1 font that remembers the widths it has measured."""

    LIMIT = 200_000

    def __init__(self, name, face):
        super().__init__(name, face, "WinAnsiEncoding")
        self._widths: dict = {}

    def stringWidth(self, text, size, encoding="utf8"):
        key = (text, size)
        width = self._widths.get(key)
        if width is None:
            if len(self._widths) > self.LIMIT:
                self._widths.clear()
            width = self._widths[key] = super().stringWidth(text, size, encoding)
        return width


@functools.cache
def register() -> None:
    """Register our fonts once per process (cached: registration is not free)."""
    for name in (SANS, SANS_BOLD, SANS_ITALIC, SANS_BOLD_ITALIC, SERIF_ITALIC):
        pdfmetrics.registerFont(_MeasuredFont(name, name[3:]))
    pdfmetrics.registerFontFamily(SANS, normal=SANS, bold=SANS_BOLD, italic=SANS_ITALIC,
                                  boldItalic=SANS_BOLD_ITALIC)
    for bold in (0, 1):
        addMapping(SERIF_ITALIC, bold, 0, SERIF_ITALIC)
        addMapping(SERIF_ITALIC, bold, 1, SERIF_ITALIC)
    pdfmetrics.registerFont(UnicodeCIDFont(CJK))
    # STSong-Light has no bold or italic face; <b>/<i> around Chinese stay in the same face.
    for bold in (0, 1):
        for italic in (0, 1):
            addMapping(CJK, bold, italic, CJK)


@functools.lru_cache(maxsize=1 << 16)
def coverage(ch: str) -> str:
    """Return which of our fonts draws a character: LATIN, CHINESE or MISSING."""
    for encoding in _T1_ENCODINGS:
        try:
            ch.encode(encoding)
            return LATIN
        except (UnicodeError, LookupError):
            pass
    try:
        ch.encode("gbk")
        return CHINESE
    except UnicodeError:
        return MISSING


def runs(text: str) -> list[tuple[str, str]]:
    """Split clean text into (font kind, segment) runs; LATIN or CHINESE only."""
    if text.isascii():
        return [(LATIN, text)] if text else []
    kind_of = lambda ch: LATIN if coverage(ch) == LATIN else CHINESE  # noqa: E731
    return [(kind, "".join(chars)) for kind, chars in itertools.groupby(text, kind_of)]


def string_width(text: str, font: str, size: float) -> float:
    """Return the printed width of clean text, measuring Chinese runs in the CJK font."""
    register()
    return sum(pdfmetrics.stringWidth(seg, font if kind == LATIN else CJK, size)
               for kind, seg in runs(text))


def draw_string(canvas, x: float, y: float, text: str, font: str, size: float,
                anchor: str = "start") -> float:
    """Draw one line of clean text with per-run fonts; return its width."""
    register()
    width = string_width(text, font, size)
    if anchor == "end":
        x -= width
    elif anchor == "middle":
        x -= width / 2
    line = canvas.beginText(x, y)  # one text object, so that extraction keeps the line whole
    for kind, seg in runs(text):
        line.setFont(font if kind == LATIN else CJK, size)
        line.textOut(seg)
    canvas.drawText(line)
    return width


def fit(text: str, font: str, size: float, room: float) -> str:
    """Return clean text cut with an ellipsis so that it fits in `room` points."""
    if string_width(text, font, size) <= room:
        return text
    lo, hi = 0, min(len(text), int(room / (size * 0.2)) + 1)  # no glyph is narrower than 0.2 em
    while lo < hi:  # the longest prefix that fits with its ellipsis
        mid = (lo + hi + 1) // 2
        if string_width(text[:mid] + "\u2026", font, size) <= room:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + "\u2026"
