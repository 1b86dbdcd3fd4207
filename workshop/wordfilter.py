"""The word filter: whether an open answer uses a listed word, so it waits for the facilitator.

The lists are the LDNOOBW lists of the npm package `naughty-words` (English and Chinese),
vendored into `workshop/wordlists/` by `scripts/vendor.py` (pinned in scripts/vendor.json).

Matching, after Unicode normalisation (NFKC, then casefold):
- words and phrases with letters (English) match whole words only: "ass" flags "ass" and
  "Ass!", never "class", "assess" or "Scunthorpe"; a phrase matches its words in a row, whatever
  spaces or punctuation stand between them. A word that mixes letters with 0 1 3 4 5 7 is also
  read with those digits as the letters they imitate ("sh1t").
- Chinese entries (no spaces between words) match as substrings, from two characters up: the
  list's one-character entries (性, 奶, 乳, 幹...) are in everyday words (重要性, 牛奶, 幹部) and
  would hold half the room's answers. A few two-character entries are everyday words first
  (激情 passion, 成人 adult, 刚度 stiffness, 靠背 a chair's back): `EVERYDAY` leaves them out.
- a symbol entry (an emoji) matches as a substring; entries of digits and punctuation only
  ("13.") are left out: they would flag page numbers.
"""
from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

LISTS = Path(__file__).parent / "wordlists"
LANGUAGES = ("en", "zh")
_WORD = re.compile(r"\w+")
_CJK = re.compile(r"[\u3400-\u9fff\U00020000-\U0002ffff\uf900-\ufaff]")
_LEET = str.maketrans("013457", "oieast")
EVERYDAY = frozenset({"激情", "成人", "刚度", "靠背"})


def normalize(text: str) -> str:
    """Return text as the filter compares it: NFKC, casefolded."""
    return unicodedata.normalize("NFKC", text).casefold()


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


class WordFilter:
    """Listed words and phrases, compiled once for fast checks of short answers."""

    def __init__(self, entries):
        self.words: set[str] = set()
        self.phrases: dict[str, list[tuple[str, ...]]] = {}  # first word -> whole phrases
        self.substrings: list[str] = []
        for raw in entries:
            entry = normalize(raw).strip()
            if not entry:
                continue
            if _CJK.search(entry):
                if len(entry) >= 2 and entry not in EVERYDAY:
                    self.substrings.append(entry)
                continue
            words = tuple(_words(entry))
            if not any(ch.isalpha() for ch in entry):
                if not words:  # a symbol: no word characters at all
                    self.substrings.append(entry)
                continue
            if len(words) == 1:
                self.words.add(words[0])
            elif words:
                self.phrases.setdefault(words[0], []).append(words)
        self._substrings = (re.compile("|".join(map(re.escape, sorted(set(self.substrings),
                                                                      key=len, reverse=True))))
                            if self.substrings else None)

    def find(self, text: str) -> str | None:
        """Return the first listed word or phrase the text uses, or None."""
        norm = normalize(text)
        if self._substrings is not None:
            hit = self._substrings.search(norm)
            if hit:
                return hit.group(0)
        words = _words(norm)
        for variant in (words, [w.translate(_LEET) if not w.isalpha() and not w.isdigit() else w
                                for w in words]):
            for i, word in enumerate(variant):
                if word in self.words:
                    return word
                for phrase in self.phrases.get(word, ()):
                    if tuple(variant[i:i + len(phrase)]) == phrase:
                        return " ".join(phrase)
        return None

    def flags(self, text: str) -> bool:
        """Return whether the text uses a listed word or phrase."""
        return self.find(text) is not None


def load_list(language: str) -> list[str]:
    """Return one vendored list's entries."""
    return json.loads((LISTS / f"{language}.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def default_filter() -> WordFilter:
    """Return the filter of every vendored list (English and Chinese), built once."""
    return WordFilter(entry for language in LANGUAGES for entry in load_list(language))


def flagged(text: str) -> bool:
    """Return whether an answer uses a word of the vendored lists."""
    return default_filter().flags(text)
