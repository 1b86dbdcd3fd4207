"""Participants' text: made safe to store, and split into word-cloud terms."""
from __future__ import annotations

import functools
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


# ----- word-cloud terms -----------------------------------------------------------------------
# One implementation for every cloud: the open poll's tally (polltypes/open.py) calls terms_of,
# and the projector, the phones and the PDFs all show that tally's terms.

_WORD = re.compile(r"[^\W\d_](?:[\w'’-]*\w)?", re.UNICODE)
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")

# Stop words are the stopwords-iso collection's (stopwordsiso on PyPI), with two short
# corrections, each for what simulated and real rooms wrote:
# NOISE: the Chinese of English entries the collection has and its Chinese list lacks (without,
# later, think, feel, need, cannot); they led every Chinese cloud.
# KEEP: entries of the collection that are what a workshop's answers are about: the decks ask
# why process matters when results count (结果), and answers weigh work, problems, value, help.
NOISE = {"en": frozenset(), "zh": frozenset("没有 以后 认为 觉得 需要 不能".split())}
KEEP = {"en": frozenset("result results work problem problems value help important".split()),
        "zh": frozenset({"结果"})}


@functools.cache
def stopwords(language: str) -> frozenset[str]:
    """Return the stop words of a language ("en", "zh"): stopwords-iso's, corrected as above."""
    import stopwordsiso  # read on first use: nothing is loaded at import time

    listed = frozenset(stopwordsiso.stopwords(language)) | NOISE.get(language, frozenset())
    return listed - KEEP.get(language, frozenset())


def chinese_words():
    """Return the Chinese segmenter, rjieba (jieba's dictionary and algorithm, in Rust); the
    first call imports it, which builds the dictionary compiled into it."""
    import rjieba  # after the first call, a lookup in sys.modules

    return rjieba


def prepare_terms(sample: str) -> None:
    """Load the stop words, and the Chinese dictionary if sample has Chinese in it, so that the
    first answer does not wait for them (a room calls this when it is built)."""
    stopwords("en"), stopwords("zh")
    if _CJK.search(sample):
        chinese_words()


def terms_of(text: str) -> list[str]:
    """Split an answer into word-cloud terms: its words of two or more characters, Chinese
    segmented with jieba's dictionary, less the stop words of English and Chinese."""
    out = []
    runs = _CJK.findall(text)
    if runs:
        cut, stop = chinese_words().cut, stopwords("zh")
        for run in runs:
            # hmm=False: every word of two or more characters is a dictionary entry; the HMM
            # would guess words beyond the dictionary, often fragments
            words = cut(run, hmm=False)
            if len(run) <= 4 and all(len(w) == 1 for w in words):
                # a short run with no dictionary word in it is a word the dictionary lacks
                # (赋能, 内卷), unless each of its characters is a stop word (是的, 我很好)
                if len(run) > 1 and not all(ch in stop for ch in run):
                    out.append(run)
            else:
                out.extend(w for w in words if len(w) > 1 and w not in stop)
    stop = stopwords("en")
    for word in _WORD.findall(_CJK.sub(" ", text).lower()):
        word = word.replace("’", "'")
        if len(word) > 2 and word not in stop:
            out.append(word)
    return out
