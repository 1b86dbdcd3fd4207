"""Choice: one option, or several (up to `max`), with an optional correct answer (a quiz)."""
from __future__ import annotations

import difflib

from ..quiz import read_seconds
from .base import AnswerError, PollType, Tally, is_int


class ChoiceTally(Tally):
    """How many people picked each option."""

    def __init__(self, poll):
        super().__init__(poll)
        self.counts = [0] * len(poll.options)

    def add(self, participant_id, value):
        super().add(participant_id, value)
        for i in value:
            self.counts[i] += 1

    def remove(self, participant_id, value):
        super().remove(participant_id, value)
        for i in value:
            self.counts[i] -= 1

    def snapshot(self, revealed):
        data = super().snapshot(revealed)
        total = self.answered or 1
        data["counts"] = list(self.counts)
        data["percents"] = [round(100 * c / total) for c in self.counts]
        data["correct"] = list(self.poll.correct) if revealed else []
        return data


def _limit(poll) -> int:
    return (poll.max_choices or len(poll.options)) if poll.multiple else 1


class Choice(PollType):
    name = "choice"
    required = frozenset({"options"})
    optional = frozenset({"multiple", "max", "correct", "seconds"})

    def build(self, check, data, where):
        options = check.texts(data, "options", where, 2, 8)
        multiple = check.flag(data, "multiple", where, False)
        max_choices = None
        if "max" in data:
            if not multiple:
                check.problem(data.lines["max"], f"{where}: 'max' needs 'multiple: true'")
            max_choices = check.number(data, "max", where, None, True, 1, max(len(options), 1))
        seconds = read_seconds(check, data, where)  # a timed quiz question (workshop/quiz.py)
        return dict(options=options, multiple=multiple, max_choices=max_choices,
                    correct=_correct(check, data, options, multiple, where),
                    settings={"seconds": seconds} if seconds else {})

    def public(self, poll):
        data = dict(options=list(poll.options), multiple=poll.multiple,
                    max=poll.max_choices or (len(poll.options) if poll.multiple else 1))
        if poll.settings.get("seconds"):
            data["seconds"] = poll.settings["seconds"]
        return data

    def normalize(self, poll, value):
        """A single choice takes an option's number (or a list of one); a multiple choice a list
        of distinct numbers, one to its `max`."""
        if is_int(value) and not poll.multiple:
            value = [value]
        if not isinstance(value, list) or not all(is_int(p) for p in value):
            raise AnswerError("bad_value", "Send a list of option numbers." if poll.multiple
                              else "Pick an option: send its number.")
        if not value:
            raise AnswerError("empty", "Pick at least one option.")
        if any(p < 0 or p >= len(poll.options) for p in value):
            raise AnswerError("unknown_option", f"There is no such option; pick 0 to {len(poll.options) - 1}.")
        if len(set(value)) != len(value):
            raise AnswerError("bad_value", "Pick each option at most once.")
        limit = _limit(poll)
        if len(value) > limit:
            raise AnswerError("too_many", f"Pick at most {limit}.")
        return sorted(value)

    def new_tally(self, poll):
        return ChoiceTally(poll)

    def answer_generator(self, poll, rng, language):
        n = len(poll.options)
        if poll.correct:
            weights = [3.0 if i in poll.correct else rng.uniform(0.2, 0.9) for i in range(n)]
        else:  # a favourite, a runner-up, and so on: each option a fraction of the one before
            decay = rng.uniform(0.3, 0.6)
            weights = [decay ** place * rng.uniform(0.9, 1.1) for place in rng.sample(range(n), n)]
        limit = _limit(poll)

        def choice():
            k = min(limit, 1 + int(rng.expovariate(1.2))) if limit > 1 else 1
            picked, pool = set(), list(range(n))
            while len(picked) < k:
                i = rng.choices(pool, [weights[j] for j in pool])[0]
                picked.add(i)
                pool.remove(i)
            return sorted(picked)
        return choice

    def describe(self, poll, value):
        return "; ".join(poll.options[i] for i in value)


def _correct(check, data, options, multiple, where) -> tuple[int, ...]:
    """Return the indexes of the deck's 'correct' answers, reporting any that is no option."""
    if "correct" not in data:
        return ()
    value, line = data["correct"], data.lines["correct"]
    wanted = value if isinstance(value, list) else [value]
    out = []
    for item in wanted:
        text = str(item).strip() if not isinstance(item, (bool, list, dict)) and item is not None else None
        if text not in options:
            hint = difflib.get_close_matches(text or "", options, n=1)
            tip = f" (did you mean '{hint[0]}'?)" if hint else ""
            check.problem(line, f"{where}: 'correct' answer {check.shown(item)} is not one of the options{tip}")
        else:
            out.append(options.index(text))
    if len(out) > 1 and not multiple:
        check.problem(line, f"{where}: several 'correct' answers need 'multiple: true'")
    return tuple(sorted(set(out)))
