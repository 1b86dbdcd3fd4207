"""Decks the tests write for themselves."""
from __future__ import annotations

from pathlib import Path

ALL_TYPES_DECK = """\
title: Every poll type
language: en
slides:
  - kind: title
    title: Every poll type
  - kind: poll
    poll:
      id: pick
      type: choice
      question: Pick up to two
      options: [Red, Green, Blue, Black]
      multiple: true
      max: 2
  - kind: poll
    poll:
      id: quiz
      type: choice
      question: Which is right?
      options: [Right, Wrong, Also wrong]
      correct: Right
  - kind: poll
    poll:
      id: once
      type: choice
      question: No second thoughts
      options: [Yes, No]
      allow_change: false
  - kind: poll
    poll:
      id: scale
      type: scale
      question: How much?
      min: 0
      max: 10
  - kind: poll
    poll:
      id: rank
      type: ranking
      question: Order these
      items: [First, Second, Third]
  - kind: bullets
    title: A slide without a poll
    bullets: [one, two]
  - kind: poll
    poll:
      id: words
      type: open
      question: Say anything
      max_length: 2000
"""


def write_all_types_deck(folder: Path) -> Path:
    """Write a small deck with every poll type (and multiple, quiz, no-change variants)."""
    path = Path(folder) / "all-types.yaml"
    path.write_text(ALL_TYPES_DECK, encoding="utf-8")
    return path
