"""Scale: one whole number between two poles, e.g. 1 (not at all) to 5 (completely)."""
from __future__ import annotations

from .base import AnswerError, PollType, Tally, is_int


class ScaleTally(Tally):
    """How many people picked each step, with the mean and the median."""

    def __init__(self, poll):
        super().__init__(poll)
        self.counts = [0] * (poll.scale_max - poll.scale_min + 1)

    def add(self, participant_id, value):
        super().add(participant_id, value)
        self.counts[value - self.poll.scale_min] += 1

    def remove(self, participant_id, value):
        super().remove(participant_id, value)
        self.counts[value - self.poll.scale_min] -= 1

    def snapshot(self, revealed):
        data = super().snapshot(revealed)
        lo = self.poll.scale_min
        data["counts"] = list(self.counts)
        data["values"] = list(range(lo, self.poll.scale_max + 1))
        data["mean"] = data["median"] = None
        if self.answered:
            data["mean"] = round(sum((lo + i) * c for i, c in enumerate(self.counts)) / self.answered, 2)
            data["median"] = _median_of_counts(lo, self.counts, self.answered)
        return data


def _median_of_counts(lo: int, counts: list[int], n: int) -> float:
    def nth(k):  # 0-based k-th smallest value
        seen = 0
        for i, c in enumerate(counts):
            seen += c
            if seen > k:
                return lo + i
        raise IndexError(k)
    return (nth((n - 1) // 2) + nth(n // 2)) / 2


class Scale(PollType):
    name = "scale"
    required = frozenset({"min", "max"})
    optional = frozenset({"left", "right"})

    def build(self, check, data, where):
        lo = check.number(data, "min", where, 1, integer=True, lo=-100, hi=100)
        hi = check.number(data, "max", where, 5, integer=True, lo=-100, hi=100)
        if lo >= hi:
            check.problem(data.lines.get("max", data.line),
                          f"{where}: scale 'min' ({lo}) must be below 'max' ({hi})")
        elif hi - lo > 10:
            check.problem(data.lines.get("max", data.line),
                          f"{where}: a scale has at most 11 steps ({lo} to {hi} has {hi - lo + 1})")
        return dict(scale_min=lo, scale_max=hi, left=check.text(data, "left", where),
                    right=check.text(data, "right", where))

    def public(self, poll):
        return dict(min=poll.scale_min, max=poll.scale_max, left=poll.left, right=poll.right)

    def normalize(self, poll, value):
        if not is_int(value):
            raise AnswerError("bad_value", "Send a whole number on the scale.")
        if not poll.scale_min <= value <= poll.scale_max:
            raise AnswerError("out_of_range", f"Pick a number from {poll.scale_min} to {poll.scale_max}.")
        return value

    def new_tally(self, poll):
        return ScaleTally(poll)

    def answer_generator(self, poll, rng, language):
        lo, hi = poll.scale_min, poll.scale_max
        centre = lo + (hi - lo) * rng.uniform(0.3, 0.75)
        spread = (hi - lo) * rng.uniform(0.14, 0.24)
        return lambda: min(hi, max(lo, round(rng.gauss(centre, spread))))

    def describe(self, poll, value):
        return str(value)
