"""The UI's strings in English and Chinese, and the choice of language for a request."""
from __future__ import annotations

import functools
import json
from pathlib import Path
from types import MappingProxyType

SUPPORTED = ("en", "zh")
FALLBACK = "en"
_FOLDER = Path(__file__).with_name("i18n")


def normalise(tag: str | None) -> str | None:
    """Return the supported language a BCP 47 tag means (zh-Hans-CN -> zh), or None."""
    if not isinstance(tag, str):
        return None
    primary = tag.strip().lower().replace("_", "-").split("-", 1)[0]
    return primary if primary in SUPPORTED else None


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
    """Return every UI string of a language, English filling any gap."""
    lang = normalise(lang) or FALLBACK
    merged = dict(_table(FALLBACK))
    if lang != FALLBACK:
        merged.update(_table(lang))
    return merged


def t(lang: str, key: str, **kwargs) -> str:
    """Return one UI string formatted with kwargs; a key missing in every language is a bug."""
    lang = normalise(lang) or FALLBACK
    table = _table(lang)
    if key not in table:
        table = _table(FALLBACK)
    if key not in table:
        raise KeyError(f"no UI string '{key}'")
    return table[key].format(**kwargs) if kwargs else table[key]
