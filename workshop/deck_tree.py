"""Turn a frozen Deck back into its tree (the mapping a YAML deck holds), for the writers."""
from __future__ import annotations

from dataclasses import fields

from . import polltypes
from .deck import Deck, Poll, Slide

_TOP = ("title", "subtitle", "speaker", "source", "language", "minutes", "names", "moderate", "qa",
        "teams")
_TOP_DEFAULTS = {"subtitle": "", "speaker": "", "source": "", "minutes": 0.0,
                 "names": "anonymous", "moderate": False, "qa": True, "teams": ()}
_SLIDE = ("kind", "title", "subtitle", "minutes", "notes", "images", "bullets", "quote",
          "attribution", "text", "story", "poll", "tips_title", "tips", "top", "podium", "activity")
_POLL_COMMON = (("group", ""), ("allow_change", True), ("stays_open", False),
                ("reveal_closes", None), ("compare", ""))


def deck_tree(deck: Deck) -> dict:
    """Return the deck as plain dicts and lists in the YAML format's shape."""
    tree = {}
    for key in _TOP:
        value = getattr(deck, key)
        if key not in _TOP_DEFAULTS or value != _TOP_DEFAULTS[key]:
            tree[key] = _num(value) if key == "minutes" else list(value) if key == "teams" else value
    tree["slides"] = [slide_tree(s) for s in deck.slides]
    return tree


def slide_tree(slide: Slide) -> dict:
    defaults = {f.name: f.default for f in fields(Slide) if f.name != "kind"}
    out = {}
    for key in _SLIDE:
        value = getattr(slide, key)
        if key != "kind" and value == defaults.get(key, value) and key not in ("kind",):
            continue
        if key == "bullets":
            value = _nested(slide.bullets, slide.levels)
        elif key in ("tips", "teams"):
            value = list(value)
        elif key == "activity":
            value = [{"say": p.say, "minutes": _num(p.minutes)} for p in value]
        elif key == "images":
            value = [{"src": i.src, "alt": i.alt, **({"phone": True} if i.phone else {})}
                     for i in value]
        elif key == "poll":
            value = poll_tree(value)
        elif key == "minutes":
            value = _num(value)
        out[key] = value
    return out


def _nested(bullets, levels) -> list:
    out: list = []
    for text, level in zip(bullets, levels):
        if level and out and isinstance(out[-1], list):
            out[-1].append(text)
        elif level:
            out.append([text])
        else:
            out.append(text)
    return out


def poll_tree(poll: Poll) -> dict:
    """Return a poll as its deck mapping: the common keys and its type's own."""
    out = {"id": poll.id, "type": poll.type, "question": poll.question}
    poll_type = polltypes.get(poll.type)
    for key in sorted(poll_type.required) + sorted(poll_type.optional):
        value = _poll_value(poll, key, poll_type)
        if value is not None:
            out[key] = value
    for key, default in _POLL_COMMON:
        if getattr(poll, key) != default:
            out[key] = getattr(poll, key)
    return out


def _poll_value(poll: Poll, key: str, poll_type):
    if key in poll.settings:
        return poll.settings[key]
    if key in ("options", "items"):
        return list(poll.options)
    if key == "min":
        return poll.scale_min
    if key == "max":
        return poll.scale_max if "min" in poll_type.required else poll.max_choices
    if key == "correct":
        picked = [poll.options[i] for i in poll.correct]
        return (picked[0] if len(picked) == 1 and not poll.multiple else picked) or None
    if key == "multiple":
        return True if poll.multiple else None
    if key == "max_length":
        return poll.max_length if poll.max_length != 280 else None
    value = getattr(poll, key, None)
    return value if value not in ("", None) else None


def _num(value):
    return int(value) if float(value).is_integer() else value
