"""Ranking: every item put in order; the room's result is each item's average rank."""
from __future__ import annotations

from .base import AnswerError, PollType, Tally, is_int


class RankingTally(Tally):
    """The sum of the places each item was given, for its average rank."""

    def __init__(self, poll):
        super().__init__(poll)
        self.rank_sums = [0] * len(poll.options)

    def _apply(self, value, sign):
        for position, item in enumerate(value):
            self.rank_sums[item] += sign * (position + 1)

    def add(self, participant_id, value):
        super().add(participant_id, value)
        self._apply(value, 1)

    def remove(self, participant_id, value):
        super().remove(participant_id, value)
        self._apply(value, -1)

    def snapshot(self, revealed):
        data = super().snapshot(revealed)
        n = self.answered
        avg = [round(s / n, 2) if n else None for s in self.rank_sums]
        data["average_rank"] = avg
        data["order"] = sorted(range(len(avg)), key=lambda i: (avg[i] is None, avg[i] or 0, i))
        return data


class Ranking(PollType):
    name = "ranking"
    required = frozenset({"items"})

    def build(self, check, data, where):
        return dict(options=check.texts(data, "items", where, 2, 8))

    def public(self, poll):
        return dict(items=list(poll.options))

    def normalize(self, poll, value):
        n = len(poll.options)
        if not isinstance(value, list) or not all(is_int(v) for v in value):
            raise AnswerError("bad_value", "Send the items' numbers in your order.")
        if sorted(value) != list(range(n)):
            raise AnswerError("bad_ranking", f"Put every one of the {n} items in order, each once.")
        return list(value)

    def new_tally(self, poll):
        return RankingTally(poll)

    def statistics(self, poll, values):
        """Return `positions`: [item][place], how many people put each item at each place."""
        n = len(poll.options)
        positions = [[0] * n for _ in range(n)]
        for value in values:
            for place, item in enumerate(value):
                positions[item][place] += 1
        return {"positions": positions}

    def answer_generator(self, poll, rng, language):
        n = len(poll.options)
        consensus = rng.sample(range(n), n)
        place = {item: i for i, item in enumerate(consensus)}
        return lambda: sorted(range(n), key=lambda item: place[item] + rng.gauss(0, 0.9))

    def describe(self, poll, value):
        return " > ".join(f"{place}. {poll.options[i]}" for place, i in enumerate(value, 1))
