"""Quiz rounds: points for timed answers, and the leaderboard. Pure: times come in, scores out.

Points (documented in docs/protocol.md and decks/README.md): a correct answer given `t`
seconds after its question opened, in a question of `T` seconds, scores
round(1000 * (1 - (t / T) / 2)) -- 1000 at once, 500 at the buzzer (Kahoot's formula). A
correct answer to a quiz question without `seconds` scores 1000. A wrong answer, or none,
scores 0. A changed answer scores by its last change (`last_at`). `t` is clamped to 0..T.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

MIN_SECONDS, MAX_SECONDS = 5, 600
FULL = 1000


def seconds(poll) -> int:
    """Return a poll's time limit in seconds (0: none)."""
    return int(poll.settings.get("seconds", 0)) if poll is not None else 0


def is_quiz(poll) -> bool:
    """Whether a poll scores points: a choice poll with a correct answer."""
    return poll is not None and poll.type == "choice" and bool(poll.correct)


def is_correct(poll, value) -> bool:
    """Whether an answer is right: exactly the correct options."""
    return isinstance(value, list) and sorted(value) == sorted(poll.correct)


def points(poll, value, answered_at: float, opened_at: float | None) -> int:
    """Return the points of one answer given at `answered_at` to a question opened at `opened_at`."""
    if not is_quiz(poll) or not is_correct(poll, value):
        return 0
    limit = seconds(poll)
    if not limit or opened_at is None:
        return FULL
    t = min(max(answered_at - opened_at, 0.0), float(limit))
    return round(FULL * (1 - (t / limit) / 2))


@dataclass(frozen=True)
class Entry:
    """One line of the leaderboard."""

    rank: int
    key: object  # a participant id, or a team's name
    name: str
    points: int


def rank(scores: Mapping[object, int], names: Mapping[object, str]) -> list[Entry]:
    """Rank by points, highest first; equal points share a rank (1, 1, 3); ties listed by name."""
    order = sorted(scores, key=lambda k: (-scores[k], names.get(k, ""), str(k)))
    out: list[Entry] = []
    for i, key in enumerate(order):
        shared = out and out[-1].points == scores[key]
        out.append(Entry(out[-1].rank if shared else i + 1, key, names.get(key, ""), scores[key]))
    return out


def scores(deck, answers: Iterable, opened: Mapping[str, float]) -> dict[int, dict[str, int]]:
    """Return participant id -> poll id -> points, from stored answers (store.Answer rows) and
    each poll's opening time (`opened`)."""
    out: dict[int, dict[str, int]] = {}
    for a in answers:
        poll = deck.polls.get(a.poll_id)
        if not is_quiz(poll):
            continue
        out.setdefault(a.participant_id, {})[a.poll_id] = points(poll, a.value, a.last_at,
                                                                  opened.get(a.poll_id))
    return out


def totals(per_poll: Mapping[int, Mapping[str, int]], people: Iterable[int]) -> dict[int, int]:
    """Every participant's total (0 for those who answered no quiz question)."""
    return {p: sum(per_poll.get(p, {}).values()) for p in people}


def team_totals(totals_: Mapping[int, int], teams: Mapping[int, str], listed: Iterable[str]) -> dict[str, int]:
    """Each team's mean points per member, rounded: a mean, so that a table of four is not
    beaten by a table of eight for being smaller. Teams without members score 0."""
    members: dict[str, list[int]] = {t: [] for t in listed}
    for person, team in teams.items():
        if team in members:
            members[team].append(totals_.get(person, 0))
    return {t: round(sum(v) / len(v)) if v else 0 for t, v in members.items()}


def read_seconds(check, data, where) -> int:
    """Read a choice poll's `seconds` (MIN_SECONDS..MAX_SECONDS); it needs `correct`."""
    if "seconds" not in data:
        return 0
    value = check.number(data, "seconds", where, 0, True, MIN_SECONDS, MAX_SECONDS)
    if value and "correct" not in data:
        check.problem(data.lines["seconds"], f"{where}: 'seconds' times a quiz question: it needs 'correct'")
    return value
