"""Random identifiers: session ids, join codes, facilitator keys, pseudonyms."""
from __future__ import annotations

import random
import secrets

# No 0/O, 1/I/L: a join code is read off a wall and typed on a phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6

ADJECTIVES = ("Amber Blue Bold Brave Bright Calm Clever Coral Crimson Daring Eager Gentle Golden "
              "Green Happy Honest Jade Keen Kind Lively Lucky Mellow Merry Misty Noble Olive Quick Quiet "
              "Rapid Royal Ruby Sage Silver Steady Sunny Swift Teal Vivid Warm Wise").split()
ANIMALS = ("Badger Bear Bison Crane Dolphin Eagle Falcon Fox Gazelle Heron Ibis Jaguar Koala Lark "
           "Lemur Lion Lynx Marten Moose Narwhal Otter Owl Panda Pelican Puffin Quail Raven Robin "
           "Salmon Seal Sparrow Swan Tiger Toucan Turtle Whale Wolf Wren Yak Zebra").split()


def session_id(rng: secrets.SystemRandom | random.Random | None = None) -> str:
    """Return a new session id: short, URL-safe, unguessable enough to name a session."""
    if rng is None:
        return secrets.token_hex(6)
    return "%012x" % rng.getrandbits(48)


def join_code(rng=None) -> str:
    """Return a new 6-character join code."""
    rng = rng or secrets.SystemRandom()
    return "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def facilitator_key() -> str:
    """Return a new facilitator key of 192 random bits."""
    return secrets.token_urlsafe(24)


def pseudonym(participant_number: int) -> str:
    """Return a friendly, stable pseudonym for the n-th participant of a session."""
    n = participant_number - 1
    adj = ADJECTIVES[n % len(ADJECTIVES)]
    # gcd(len(ADJECTIVES) + 1, len(ANIMALS)) == 1 keeps every pair of a lap distinct
    animal = ANIMALS[(n + n // len(ADJECTIVES)) % len(ANIMALS)]
    lap = n // (len(ADJECTIVES) * len(ANIMALS))
    return f"{adj} {animal}" + (f" {lap + 1}" if lap else "")
