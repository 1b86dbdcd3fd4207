"""A small timed quiz deck, with teams, a leaderboard and an activity, for the quiz tests."""
from __future__ import annotations

QUIZ_DECK = """
title: Quiz night
names: named
teams: [Table 1, Table 2]
slides:
  - kind: title
    title: Quiz night
  - kind: poll
    activity:
      - {say: Think alone, minutes: 0.25}
      - {say: Pairs, minutes: 0.5}
    poll:
      id: q1
      type: choice
      question: Two plus two?
      options: ["3", "4", "5"]
      correct: "4"
      seconds: SECONDS
  - kind: poll
    poll:
      id: q2
      type: choice
      question: Capital of France?
      options: [Paris, Rome]
      correct: Paris
  - kind: leaderboard
    title: Standings
    top: 5
"""


def quiz_deck_text(seconds: int = 10) -> str:
    return QUIZ_DECK.replace("SECONDS", str(seconds))


def write_quiz_deck(folder, seconds: int = 10) -> str:
    path = folder / "quiz.yaml"
    path.write_text(quiz_deck_text(seconds), encoding="utf-8")
    return str(path)
