"""Fonts: the Noto family, embedded and subsetted, with a face for every script people type.

Latin, Greek and Cyrillic are set in Noto Sans (regular, bold, italic, bold italic); every
other character in the first face of SCRIPTS whose cmap has it: Noto Sans SC (regular and bold)
for Chinese and kana, Noto Sans KR for Hangul, Noto Sans Arabic, Hebrew, Devanagari, Thai and
fifteen more scripts, Noto Sans Symbols, and Noto Emoji (monochrome). Only a character none of
them has is printed as PLACEHOLDER. The files are in fontfiles.py; ReportLab embeds a subset
of each face a document uses.

Complex scripts (Arabic, Hebrew, the Indic and South-East Asian ones) are shaped by HarfBuzz
through ReportLab (uharfbuzz): joined Arabic letters, Devanagari conjuncts and vowel signs,
Thai marks. Right-to-left text is put in visual order by python-bidi, line by line on the
canvas and paragraph by paragraph in flowing text (see visual()).
"""
from __future__ import annotations

import functools
import itertools
import re
import weakref
from dataclasses import dataclass

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont, shapeStr
from reportlab.platypus import paragraph as rl_paragraph

from .fontfiles import FontFile, FontsMissing, prepare  # noqa: F401  (FontsMissing: re-exported)

SANS = "WK-Sans"
SANS_BOLD = "WK-Sans-Bold"
SANS_ITALIC = "WK-Sans-Italic"
SANS_BOLD_ITALIC = "WK-Sans-BoldItalic"
PLACEHOLDER = "\u25a1"  # □: plainly "a character we cannot print"

LATIN, CHINESE, MISSING = "latin", "cjk", ""
CJK = f"WKS-{CHINESE}"  # the Chinese face (runs of Chinese in markup name it)

_M, _C = "manimgx_fonts", "justmytype_intl_cjk"
_SC = "fonts/ofl/notosanssc/NotoSansSC[wght].ttf"
_LATIN_FACES = {
    SANS: FontFile(_M, "NotoSans[wght].ttf"),
    SANS_BOLD: FontFile(_M, "NotoSans[wght].ttf", 700),
    SANS_ITALIC: FontFile(_M, "NotoSans-Italic[wght].ttf"),
    SANS_BOLD_ITALIC: FontFile(_M, "NotoSans-Italic[wght].ttf", 700),
}


@dataclass(frozen=True)
class Script:
    kind: str
    regular: FontFile
    bold: FontFile | None = None  # None: bold text of this script is set in the regular face
    shaped: bool = False  # needs HarfBuzz (contextual forms, reordering, marks)


def _noto(kind: str, file: str, shaped: bool = True) -> Script:
    return Script(kind, FontFile(_M, f"NotoSans{file}[wght].ttf"), shaped=shaped)


# In order of preference: a character is set in the first face that has it.
SCRIPTS = (
    Script(LATIN, _LATIN_FACES[SANS], _LATIN_FACES[SANS_BOLD]),
    Script(CHINESE, FontFile(_C, _SC, 400), FontFile(_C, _SC, 700)),
    Script("hangul", FontFile(_C, "fonts/ofl/notosanskr/NotoSansKR[wght].ttf", 400)),
    *(_noto(name.lower(), name) for name in (
        "Arabic", "Hebrew", "Devanagari", "Thai", "Bengali", "Gujarati", "Gurmukhi", "Kannada",
        "Malayalam", "Oriya", "Tamil", "Telugu", "Sinhala", "Khmer", "Lao", "Myanmar")),
    *(_noto(name.lower(), name, shaped=False) for name in
      ("Armenian", "Georgian", "Ethiopic", "Symbols")),
    Script("emoji", FontFile(_M, "NotoEmoji[wght].ttf")),
)
_BY_KIND = {s.kind: s for s in SCRIPTS}
_BOLD_FACES = {SANS_BOLD, SANS_BOLD_ITALIC}
# Characters that HarfBuzz must shape, and those written right to left.
_COMPLEX = re.compile("[\u0590-\u08ff\u0900-\u0dff\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff"
                      "\ufb1d-\ufdff\ufe70-\ufefe]")
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefe]")


class _MeasuredFont(TTFont):
    """An embedded TrueType face that remembers the widths and encodings it has worked out.

    Reports measure and print the same words over and over (names, labels, terms), and
    ReportLab works out both character by character in Python.
    """

    LIMIT = 200_000

    def __init__(self, name, filename):
        super().__init__(name, filename)
        self._widths: dict = {}
        self._splits = weakref.WeakKeyDictionary()  # per document: its subsets are its own

    def splitString(self, text, doc, encoding="utf-8"):
        # a character keeps the code it was given in a document, so a text's split does too
        splits = self._splits.get(doc)
        if splits is None:
            splits = self._splits[doc] = {}
        split = splits.get(text)
        if split is None:
            split = splits[text] = super().splitString(text, doc, encoding)
        return split

    def stringWidth(self, text, size, encoding="utf8"):
        key = (text, size)
        width = self._widths.get(key)
        if width is None:
            if len(self._widths) > self.LIMIT:
                self._widths.clear()
            width = self._widths[key] = super().stringWidth(text, size, encoding)
        return width


def _register(name: str, file: FontFile) -> None:
    pdfmetrics.registerFont(_MeasuredFont(name, str(file.path())))


@functools.cache
def register() -> None:
    """Register the Latin faces once per process (other scripts register when first used)."""
    for name, file in _LATIN_FACES.items():
        _register(name, file)
    pdfmetrics.registerFontFamily(SANS, normal=SANS, bold=SANS_BOLD, italic=SANS_ITALIC,
                                  boldItalic=SANS_BOLD_ITALIC)
    # A table cell sets its font even when empty, by default the unembedded Helvetica
    from reportlab.platypus.tables import CellStyle
    CellStyle.fontname = SANS
    ttfonts.makeToUnicodeCMap = _to_unicode_cmap
    rl_paragraph.shapeFragWord = _shape_word


_SHAPE_WORD = rl_paragraph.shapeFragWord


def _shape_word(word, *args, **kwargs):
    """Shape a word set in several faces one face at a time.

    ReportLab shapes a whole word with the face of its first piece, so "(مرحبا)" or
    "abcمرحبا" printed the other face's letters as empty boxes.
    """
    parts = word[1:]
    if len({getattr(f, "fontName", None) for f, _ in parts}) < 2 or \
            any(hasattr(f, "cbDefn") for f, _ in parts):
        return _SHAPE_WORD(word, *args, **kwargs)
    width, pieces, changed = 0.0, [], False
    for _, group in itertools.groupby(parts, key=lambda part: part[0].fontName):
        group = list(group)
        sub = word.__class__([sum(pdfmetrics.stringWidth(s, f.fontName, f.fontSize)
                                  for f, s in group)] + group)
        shaped = _SHAPE_WORD(sub, *args, **kwargs)
        changed = changed or shaped is not sub
        width += shaped[0]
        pieces.extend(shaped[1:])
    if not changed:
        return word
    return ttfonts.makeShapedFragWord(word)([width] + pieces)


_TO_UNICODE = ttfonts.makeToUnicodeCMap


def _to_unicode_cmap(fontname, subset):
    """Return ReportLab's ToUnicode CMap with characters past U+FFFF as UTF-16 pairs.

    ReportLab writes them as five hex digits, which no reader takes: copied or extracted,
    an emoji came out as another character.
    """
    cmap = _TO_UNICODE(fontname, subset)
    if all(code <= 0xFFFF for code in subset):
        return cmap
    return re.sub(r"<([0-9A-F]{5,6})>$",
                  lambda m: f"<{chr(int(m.group(1), 16)).encode('utf-16-be').hex().upper()}>",
                  cmap, flags=re.M)


@functools.cache
def face(kind: str, bold: bool = False, italic: bool = False) -> str:
    """Return the registered font name that sets a run of `kind` (registering it if need be)."""
    register()
    if kind == LATIN:
        return ((SANS_BOLD_ITALIC if italic else SANS_BOLD) if bold
                else (SANS_ITALIC if italic else SANS))
    script = _BY_KIND[kind]
    if bold and script.bold is not None:
        name = f"WKS-{kind}-Bold"
        _register(name, script.bold)
    else:
        name = f"WKS-{kind}"
        if bold:
            return face(kind)
        _register(name, script.regular)
        for b, i in itertools.product((0, 1), (0, 1)):  # <b>, <i> keep the script's face
            addMapping(name, b, i, name)
    return name


def all_files() -> list[FontFile]:
    """Return every font file the PDFs may embed."""
    return [f for s in SCRIPTS for f in (s.regular, s.bold) if f] + \
        [_LATIN_FACES[SANS_ITALIC], _LATIN_FACES[SANS_BOLD_ITALIC]]


@functools.cache
def _cmaps() -> tuple[dict[int, str], dict[str, frozenset]]:
    from fontTools.ttLib import TTFont as Reader

    owner: dict[int, str] = {}
    cmaps = {}
    for script in reversed(SCRIPTS):  # earlier scripts overwrite later ones: they are preferred
        cmap = Reader(script.regular.source, lazy=True)["cmap"].getBestCmap()
        cmaps[script.kind] = frozenset(cmap)
        owner.update(dict.fromkeys(cmap, script.kind))
    return owner, cmaps


@functools.lru_cache(maxsize=1 << 16)
def coverage(ch: str) -> str:
    """Return the script kind whose face draws a character, or MISSING."""
    return _cmaps()[0].get(ord(ch), MISSING)


def covers(kind: str, ch: str) -> bool:
    """Tell whether the face of `kind` has a glyph for the character."""
    return ord(ch) in _cmaps()[1][kind]


def needs_shaping(text: str) -> bool:
    """Tell whether text has characters HarfBuzz must shape (complex or right-to-left)."""
    return _COMPLEX.search(text) is not None


def is_shaped(kind: str) -> bool:
    """Tell whether runs of `kind` are shaped."""
    return kind != LATIN and _BY_KIND[kind].shaped


def runs(text: str) -> list[tuple[str, str]]:
    """Split clean text into (script kind, segment) runs, each set in one face.

    Punctuation and digits next to a complex script's letters stay in its run when its face
    has them, so that a shaped word is one face (HarfBuzz shapes a word with one font).
    """
    if text.isascii():
        return [(LATIN, text)] if text else []
    kinds = [coverage(ch) or LATIN for ch in text]
    if needs_shaping(text):
        for i, ch in enumerate(text):
            if kinds[i] == LATIN and not ch.isalpha() and not ch.isspace():
                near = _neighbour(text, kinds, i)
                if near and covers(near, ch):
                    kinds[i] = near
    return [(kind, "".join(ch for _, ch in group))
            for kind, group in itertools.groupby(zip(kinds, text), lambda pair: pair[0])]


def _neighbour(text: str, kinds: list[str], i: int) -> str | None:
    """Return the complex script of the nearest letter in the same word, if any."""
    for step in (-1, 1):
        j = i + step
        while 0 <= j < len(text) and not text[j].isspace():
            if text[j].isalpha():
                return kinds[j] if kinds[j] != LATIN and is_shaped(kinds[j]) else None
            j += step
    return None


def visual(text: str) -> str:
    """Return one line in visual order, each right-to-left word still in logical order.

    python-bidi orders the line (Unicode bidi algorithm) and reverses right-to-left
    characters; each right-to-left word is turned back, since HarfBuzz shapes a word in
    logical order and lays it out right to left itself. Applied to a paragraph before it is
    wrapped, a right-to-left text of several lines has its lines in reverse order: answers
    are short, and each line is in the right order.
    """
    if _RTL.search(text) is None:
        return text
    # bidi.algorithm, python-bidi's pure-Python implementation, also mirrors brackets in
    # right-to-left runs; its Rust get_display leaves "(" facing the wrong way
    from bidi.algorithm import get_display

    return "\n".join(_RTL_WORD.sub(lambda m: m.group(0)[::-1], get_display(line))
                     for line in text.split("\n"))


_RTL_WORD = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefe]+")


def _bold(font: str) -> bool:
    return font in _BOLD_FACES


def _pieces(text: str, font: str, size: float):
    """Yield (font name, str or shaped str) pieces of one line of clean text, in visual order."""
    register()
    bold = _bold(font)
    for kind, seg in runs(visual(text)):
        if kind == LATIN:
            yield font, seg
            continue
        name = face(kind, bold)
        yield name, (shapeStr(seg, name, size) if is_shaped(kind) else seg)


def _width(piece, name: str, size: float) -> float:
    data = getattr(piece, "__shapeData__", None)
    if data is not None:
        return sum(d.x_advance for d in data) * size / 1000
    return pdfmetrics.stringWidth(piece, name, size)


def string_width(text: str, font: str, size: float) -> float:
    """Return the printed width of one line of clean text, each run in its own face."""
    if text.isascii():
        register()
        return pdfmetrics.stringWidth(text, font, size)
    return sum(_width(piece, name, size) for name, piece in _pieces(text, font, size))


def draw_string(canvas, x: float, y: float, text: str, font: str, size: float,
                anchor: str = "start") -> float:
    """Draw one line of clean text with per-run faces; return its width."""
    pieces = list(_pieces(text, font, size))
    width = sum(_width(piece, name, size) for name, piece in pieces)
    if anchor == "end":
        x -= width
    elif anchor == "middle":
        x -= width / 2
    line = canvas.beginText(x, y)  # one text object, so that extraction keeps the line whole
    for name, piece in pieces:
        line.setFont(name, size)
        line.textOut(piece)
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


_FONT_TAG = re.compile(r'<(/?)(b|strong|i|em|font)\b([^>]*)>')
_NAME = re.compile(r'name="(WKS-[a-z]+)"')


def embolden(markup_text: str, font: str) -> str:
    """Return markup whose script runs inside bold text name the script's bold face.

    ReportLab's <font name=...> resets bold and italic to those of the named face, so a
    Chinese run in a bold heading would print in the regular face without this.
    """
    if "WKS-" not in markup_text:
        return markup_text
    stack = [_bold(font)]

    def tag(m):
        closing, name, attrs = m.groups()
        if closing:
            if len(stack) > 1:
                stack.pop()
            return m.group(0)
        if name in ("b", "strong"):
            stack.append(True)
        elif name in ("i", "em"):
            stack.append(stack[-1])
        else:
            script = _NAME.search(attrs)
            if script is None:
                named = re.search(r'name="([^"]+)"', attrs)
                stack.append(_bold(named.group(1)) if named else stack[-1])
                return m.group(0)
            stack.append(stack[-1])
            if stack[-1]:
                bold = face(script.group(1)[4:], True)
                return m.group(0).replace(script.group(0), f'name="{bold}"')
        return m.group(0)

    return _FONT_TAG.sub(tag, markup_text)


def prepare_all() -> list:
    """Make the static font instances now (`make install` runs this); return every file."""
    return prepare(all_files())
