"""Who a participant is to the facilitator: the one place that decides the name shown.

A session is anonymous (no names asked: everyone is a pseudonym, to the facilitator too) or
named (the phone asks a name before answering, and the facilitator sees it next to the
answers: console, summary, exports, takeaway). The deck chooses (`names:`), `workshop serve
--names` overrides, and the session stores its mode, so a resumed session keeps the promise
its phones made.
"""
from __future__ import annotations

from .deck import NAMES

ANONYMOUS, NAMED = NAMES


def session_names(stored: str, deck_names: str) -> str:
    """Return a session's mode: the one stored with it, else (an older session) its deck's."""
    return stored if stored in NAMES else (deck_names if deck_names in NAMES else ANONYMOUS)


def shown_name(names: str, pseudonym: str, nickname: str = "") -> str:
    """Return the name the facilitator sees: the nickname in a named session, else the pseudonym."""
    return nickname if names == NAMED and nickname else pseudonym
