"""Participants' text: made safe to store, and split into word-cloud terms."""
from __future__ import annotations

import re
import unicodedata


def clean_text(text: str) -> str:
    """Return text safe to store: lone surrogates replaced, control characters dropped."""
    text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc").strip()


# Letters that draw nothing although Unicode does not call them spaces or formats: Hangul
# fillers, the braille blank, the combining grapheme joiner.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f")


def visible(ch: str) -> bool:
    """Return whether a character draws something: not a space, a control or a format
    character (zero-width spaces and joiners, the BOM, bidi marks), nor a blank letter."""
    return unicodedata.category(ch)[0] not in "CZ" and ch not in _BLANK_LETTERS


def has_visible(text: str) -> bool:
    """Return whether any character of text draws something."""
    return any(visible(ch) for ch in text)


def first_visible(text: str) -> str:
    """Return the first character of text that draws something, or ''."""
    return next((ch for ch in text if visible(ch)), "")


NICKNAME_MAX = 40


def clean_nickname(value, cut: bool = False) -> str | None:
    """Return a nickname cleaned for storing ('' if nothing in it is visible), or None if it
    is not text or is too long; with `cut`, a long one is cut to the limit instead (a name sent
    on connecting)."""
    if not isinstance(value, str):
        return None
    name = clean_text(value)
    if not has_visible(name):
        return ""  # only invisible characters: no name at all
    if len(name) > NICKNAME_MAX:
        if not cut:
            return None
        name = name[:NICKNAME_MAX].strip()
    return name


STOPWORDS = frozenset("""
a about above after again all also am an and any are as at be because been being but by can
could did do does doing don't for from further had has have having he her here hers him his how
i if in into is it it's its itself just me more most my no nor not of off on once only or other
our ours out over own same she should so some such than that that's the their theirs them then
there these they this those through to too under until up very was we were what when where which
while who whom why will with would you your yours yourself i'm we're they're it's can't won't
think really much many make makes one get like need
的 了 和 是 在 我 有 也 就 不 人 都 一 一个 上 很 到 说 要 去 你 会 着 没有 看 好 自己 这 那 我们 他们
""".split())
_WORD = re.compile(r"[^\W\d_](?:[\w'’-]*\w)?", re.UNICODE)
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


# Function characters split a Chinese phrase into content words well enough for a word
# cloud, with no dictionary to ship: 我希望成为一个善于倾听的领导 -> 希望成为, 善于倾听, 领导.
_CJK_BREAKS = re.compile("[的了是在和与及或也就都要会这那个一不有我你他她它们把被对从而让给很着过吗呢吧啊并但还又]+")


def terms_of(text: str) -> list[str]:
    """Split an answer into word-cloud terms: words for Latin text, short runs for Chinese."""
    out = []
    for run in _CJK.findall(text):
        for chunk in _CJK_BREAKS.split(run):
            if len(chunk) <= 4:
                out.append(chunk)
            else:  # a long run with no break: overlapping pairs stand in for words
                out.extend(chunk[i:i + 2] for i in range(len(chunk) - 1))
    latin = _CJK.sub(" ", text).lower()
    out.extend(w.replace("’", "'") for w in _WORD.findall(latin))
    return [t for t in out if t not in STOPWORDS and (len(t) > 2 or (len(t) > 1 and _CJK.match(t)))]
