"""The kit's languages: one table of words per language for the pages and the PDFs.

Page strings are keyed by where they appear (`phone.*`, `chart.*`, ...); words only the
PDFs print are under `pdf.*`. A printed word that the pages also show (poll type names,
"correct", "Mean", the chart headings) is the page's string, so phone and paper agree.
"""
from __future__ import annotations

import functools
import json
from pathlib import Path
from types import MappingProxyType

SUPPORTED = ("en", "zh")
FALLBACK = "en"
PRINT_ONLY = "pdf."
_FOLDER = Path(__file__).with_name("i18n")


def normalise(tag: str | None) -> str | None:
    """Return the supported language a BCP 47 tag means (zh-Hans-CN -> zh), or None."""
    if not isinstance(tag, str):
        return None
    primary = tag.strip().lower().replace("_", "-").split("-", 1)[0]
    return primary if primary in SUPPORTED else None


def of(tag: str | None) -> str:
    """Return the supported language a tag means, English for anything else (a deck's language)."""
    return normalise(tag) or FALLBACK


def negotiate(accept_language: str | None, override: str | None = None,
              default: str = FALLBACK) -> str:
    """Pick the page language: an override (?lang= or the lang cookie) wins, then the
    browser's Accept-Language by quality, then the default."""
    chosen = normalise(override)
    if chosen:
        return chosen
    ranked = []
    for position, part in enumerate((accept_language or "").split(",")[:32]):
        tag, _, params = part.partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        lang = normalise(tag)
        if lang and quality > 0:
            ranked.append((-quality, position, lang))
    if ranked:
        return min(ranked)[2]
    return normalise(default) or FALLBACK


@functools.cache
def _table(lang: str) -> MappingProxyType:
    """Read one language's file once."""
    with open(_FOLDER / f"{lang}.json", encoding="utf-8") as fh:
        return MappingProxyType(json.load(fh))


def strings(lang: str) -> dict:
    """Return every string the pages use in a language, English filling any gap (no `pdf.*`)."""
    lang = of(lang)
    merged = dict(_table(FALLBACK))
    if lang != FALLBACK:
        merged.update(_table(lang))
    return {key: text for key, text in merged.items() if not key.startswith(PRINT_ONLY)}


def t(lang: str, key: str, **kwargs) -> str:
    """Return one string formatted with kwargs; a key missing in every language is a bug."""
    lang = of(lang)
    table = _table(lang)
    if key not in table:
        table = _table(FALLBACK)
    if key not in table:
        raise KeyError(f"no UI string '{key}'")
    return table[key].format(**kwargs) if kwargs else table[key]
