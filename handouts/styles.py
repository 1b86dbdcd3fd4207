"""The look of every PDF: paper, margins, colours and paragraph styles."""
from __future__ import annotations

import functools

from reportlab.lib.colors import HexColor, white
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Table, TableStyle

from . import fonts
from .text import has_cjk, inline_markup, markup

PAPER = {"a4": A4, "letter": LETTER}
MARGIN_X = 22 * mm
MARGIN_TOP = 26 * mm
MARGIN_BOTTOM = 24 * mm
GUTTER = 96  # room left of an open answer for who wrote it, or which question it answers

INK = HexColor("#1f2933")
MUTED = HexColor("#5f6b7a")
FAINT = HexColor("#9aa5b1")
RULE = HexColor("#d3dae3")
ACCENT = HexColor("#1d4e89")
ACCENT_SOFT = HexColor("#e9f0f8")
BAR = HexColor("#3f72af")
TRACK = HexColor("#edf1f6")
CORRECT = HexColor("#1c7c46")
MINE = HexColor("#c2571a")
PANEL = HexColor("#f6f4ef")
WHITE = white
RANK_SHADES = [HexColor(c) for c in ("#1d4e89", "#3f72af", "#7ea3cf", "#b3c8e3",
                                     "#d5e1f0", "#e3e8ee", "#eceff3", "#f3f5f7")]

_BASE = dict(fontName=fonts.SANS, bulletFontName=fonts.SANS, textColor=INK, splitLongWords=1)
STYLES = {
    "title": dict(fontName=fonts.SANS_BOLD, fontSize=30, leading=36, spaceAfter=10),
    "subtitle": dict(fontSize=15, leading=21, textColor=MUTED, spaceAfter=6),
    "kicker": dict(keepWithNext=1, fontName=fonts.SANS_BOLD, fontSize=8.5, leading=11,
                   textColor=ACCENT, spaceAfter=4),
    "h1": dict(keepWithNext=1, fontName=fonts.SANS_BOLD, fontSize=21, leading=26,
               textColor=ACCENT, spaceBefore=4, spaceAfter=4),
    "h1sub": dict(fontSize=12.5, leading=17, textColor=MUTED, spaceAfter=10),
    "h2": dict(keepWithNext=1, fontName=fonts.SANS_BOLD, fontSize=13.5, leading=18,
               spaceBefore=14, spaceAfter=5),
    "h3": dict(keepWithNext=1, fontName=fonts.SANS_BOLD, fontSize=10.5, leading=14,
               spaceBefore=8, spaceAfter=3),
    "body": dict(fontSize=10.5, leading=15.5, spaceAfter=6),
    "bullet": dict(fontSize=10.5, leading=15, leftIndent=15, bulletIndent=3, spaceAfter=3,
                   bulletColor=ACCENT, bulletFontName=fonts.SANS_BOLD),
    "subbullet": dict(fontSize=10, leading=14, leftIndent=30, bulletIndent=18, spaceAfter=2,
                      textColor=HexColor("#323f4b"), bulletColor=ACCENT, bulletFontName=fonts.SANS),
    "quote": dict(fontName=fonts.SANS_ITALIC, fontSize=15, leading=21, spaceAfter=4),
    "attribution": dict(fontSize=9.5, leading=13, textColor=MUTED),
    "question": dict(keepWithNext=1, fontName=fonts.SANS_BOLD, fontSize=12, leading=16,
                     spaceAfter=3),
    "hint": dict(fontName=fonts.SANS_ITALIC, fontSize=8.5, leading=11, textColor=MUTED,
                 spaceAfter=6),
    "meta": dict(fontSize=9, leading=12, textColor=MUTED, spaceAfter=4),
    "label": dict(fontSize=9, leading=11.5),
    "small": dict(fontSize=9, leading=12.5, spaceAfter=3),
    "answer": dict(fontSize=9, leading=12.2, spaceAfter=3.5, leftIndent=GUTTER, bulletIndent=0,
                   bulletFontName=fonts.SANS, bulletFontSize=8, bulletColor=MUTED),
    "h4": dict(fontName=fonts.SANS_BOLD, fontSize=9, leading=12, spaceBefore=6,
               spaceAfter=2),
    "cell": dict(fontSize=9, leading=11.5),
    "cellhead": dict(fontName=fonts.SANS_BOLD, fontSize=8, leading=10, textColor=MUTED),
    "cellnum": dict(fontSize=9, leading=11.5, alignment=TA_RIGHT),
    "factkey": dict(fontSize=9, leading=12, textColor=MUTED),
    "factvalue": dict(fontName=fonts.SANS_BOLD, fontSize=11, leading=14),
    "label_r": dict(fontSize=9, leading=11.5, alignment=TA_RIGHT),
    "code": dict(fontName=fonts.SANS_BOLD, fontSize=24, leading=28, textColor=ACCENT),
    "youbox": dict(fontSize=10, leading=14),
}


def css(color) -> str:
    """Return a colour for a markup attribute; rgb() parses ten times faster than hex."""
    r, g, b = (round(255 * v) for v in color.rgb())
    return f"rgb({r},{g},{b})"


@functools.cache
def style(name: str, cjk: bool = False, shaped: bool = False) -> ParagraphStyle:
    """Return a named paragraph style; the CJK variant wraps between any two characters.

    The shaped variant has HarfBuzz shape each word (Arabic, Hebrew, Indic, Thai...): only
    paragraphs that need it, since shaping every word would slow the long reports down.
    """
    values = {**_BASE, **STYLES[name]}
    if cjk:
        values.update(wordWrap="CJK", leading=values["leading"] * 1.06)
    if shaped:
        values.update(shaping=1)
    return ParagraphStyle(f"{name}{'-cjk' if cjk else ''}{'-shaped' if shaped else ''}",
                          **values)


def para(text, name: str = "body", **kw) -> Paragraph:
    """Return a paragraph that prints untrusted text literally."""
    return marked(markup(text), name, **kw)


def rich(text, name: str = "body", **kw) -> Paragraph:
    """Return a paragraph of a deck text: its inline Markdown set, everything else literal."""
    return marked(inline_markup(text), name, **kw)


def marked(markup_text: str, name: str = "body", cjk: bool | None = None, **kw) -> Paragraph:
    """Return a paragraph of markup built only from markup() pieces and our own tags."""
    fonts.register()
    if cjk is None:
        cjk = has_cjk(markup_text)
    shaped = fonts.needs_shaping(markup_text)
    chosen = style(name, cjk, shaped)
    return Paragraph(fonts.embolden(markup_text, chosen.fontName), chosen, **kw)


def ruled_table(rows, widths, *extra_style, split: bool = True) -> Table:
    """Return a table of figures as every report prints one: a ruled header row, hairlines
    between rows, cells centred on their line (`extra_style`: more TableStyle commands)."""
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT",
                  **({"splitInRow": 1} if split else {}))
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 5),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        *extra_style,
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, MUTED), ("LINEBELOW", (0, 1), (-1, -1), 0.4, RULE)]))
    return table
