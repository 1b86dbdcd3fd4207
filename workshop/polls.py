"""Answer rules and incremental aggregates for each poll type: pure functions, no I/O."""
from __future__ import annotations

import re
import unicodedata
from collections import Counter

from .deck import Poll


class AnswerError(ValueError):
    """An answer the poll cannot take; `code` is stable, `message` is for people."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def _int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def clean_text(text: str) -> str:
    """Return text safe to store: lone surrogates replaced, control characters dropped."""
    text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc").strip()


NICKNAME_MAX = 40


def clean_nickname(value, cut: bool = False) -> str | None:
    """Return a nickname cleaned for storing, or None if it is not text or is too long; with
    `cut`, a long one is cut to the limit instead (a name sent on connecting)."""
    if not isinstance(value, str):
        return None
    name = clean_text(value)
    if len(name) > NICKNAME_MAX:
        if not cut:
            return None
        name = name[:NICKNAME_MAX].strip()
    return name


def normalize_answer(poll: Poll, value):
    """Return the canonical stored form of an answer, or raise AnswerError."""
    if poll.type == "choice":
        picks = [value] if _int(value) else value
        if not isinstance(picks, list) or not picks or not all(_int(p) for p in picks):
            raise AnswerError("bad_value", "Pick an option: send its number, or a list of numbers.")
        if any(p < 0 or p >= len(poll.options) for p in picks):
            raise AnswerError("unknown_option", f"There is no such option; pick 0 to {len(poll.options) - 1}.")
        picks = sorted(set(picks))
        limit = (poll.max_choices or len(poll.options)) if poll.multiple else 1
        if len(picks) > limit:
            raise AnswerError("too_many", f"Pick at most {limit}.")
        return picks
    if poll.type == "scale":
        if not _int(value):
            raise AnswerError("bad_value", "Send a whole number on the scale.")
        if not poll.scale_min <= value <= poll.scale_max:
            raise AnswerError("out_of_range", f"Pick a number from {poll.scale_min} to {poll.scale_max}.")
        return value
    if poll.type == "ranking":
        n = len(poll.options)
        if not isinstance(value, list) or not all(_int(v) for v in value):
            raise AnswerError("bad_value", "Send the items' numbers in your order.")
        if sorted(value) != list(range(n)):
            raise AnswerError("bad_ranking", f"Put every one of the {n} items in order, each once.")
        return list(value)
    if not isinstance(value, str):
        raise AnswerError("bad_value", "Send your answer as text.")
    text = clean_text(value)
    if not text:
        raise AnswerError("empty", "Write something before sending.")
    if len(text) > poll.max_length:
        raise AnswerError("too_long", f"Keep it to {poll.max_length} characters (this has {len(text)}).")
    return text


# ----- tallies: kept incrementally, rebuilt from the store on resume ----------------------

class Tally:
    """Counts for one poll; add and remove answers, read a snapshot."""

    def __init__(self, poll: Poll):
        self.poll = poll
        self.answered = 0

    def add(self, pid: int, value) -> None:
        self.answered += 1

    def remove(self, pid: int, value) -> None:
        self.answered -= 1

    def snapshot(self, revealed: bool) -> dict:
        return {"poll": self.poll.id, "type": self.poll.type, "answered": self.answered}


class ChoiceTally(Tally):
    def __init__(self, poll):
        super().__init__(poll)
        self.counts = [0] * len(poll.options)

    def add(self, pid, value):
        super().add(pid, value)
        for i in value:
            self.counts[i] += 1

    def remove(self, pid, value):
        super().remove(pid, value)
        for i in value:
            self.counts[i] -= 1

    def snapshot(self, revealed):
        data = super().snapshot(revealed)
        total = self.answered or 1
        data["counts"] = list(self.counts)
        data["percents"] = [round(100 * c / total) for c in self.counts]
        data["correct"] = list(self.poll.correct) if revealed else []
        return data


class ScaleTally(Tally):
    def __init__(self, poll):
        super().__init__(poll)
        self.counts = [0] * (poll.scale_max - poll.scale_min + 1)

    def add(self, pid, value):
        super().add(pid, value)
        self.counts[value - self.poll.scale_min] += 1

    def remove(self, pid, value):
        super().remove(pid, value)
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


class RankingTally(Tally):
    def __init__(self, poll):
        super().__init__(poll)
        self.rank_sums = [0] * len(poll.options)

    def _apply(self, value, sign):
        for position, item in enumerate(value):
            self.rank_sums[item] += sign * (position + 1)

    def add(self, pid, value):
        super().add(pid, value)
        self._apply(value, 1)

    def remove(self, pid, value):
        super().remove(pid, value)
        self._apply(value, -1)

    def snapshot(self, revealed):
        data = super().snapshot(revealed)
        n = self.answered
        avg = [round(s / n, 2) if n else None for s in self.rank_sums]
        data["average_rank"] = avg
        data["order"] = sorted(range(len(avg)), key=lambda i: (avg[i] is None, avg[i] or 0, i))
        return data


class OpenTally(Tally):
    LATEST = 20
    TERMS = 40

    def __init__(self, poll):
        super().__init__(poll)
        self.texts: dict[int, str] = {}  # pid -> text, oldest first
        self.hidden: set[int] = set()
        self.terms: Counter = Counter()

    def add(self, pid, value):
        super().add(pid, value)
        self.texts.pop(pid, None)
        self.texts[pid] = value
        if pid not in self.hidden:
            self.terms.update(set(terms_of(value)))

    def remove(self, pid, value):
        super().remove(pid, value)
        self.texts.pop(pid, None)
        if pid not in self.hidden:
            self.terms.subtract(set(terms_of(value)))
        self.hidden.discard(pid)

    def hide(self, pid: int, hidden: bool) -> bool:
        """Hide or show one answer; return whether anything changed."""
        if pid not in self.texts or (pid in self.hidden) == hidden:
            return False
        sign = -1 if hidden else 1
        self.terms.update({t: sign for t in set(terms_of(self.texts[pid]))})
        (self.hidden.add if hidden else self.hidden.discard)(pid)
        return True

    def snapshot(self, revealed):
        data = super().snapshot(revealed)
        data["terms"] = [[t, c] for t, c in
                         sorted(((t, c) for t, c in self.terms.items() if c > 0),
                                key=lambda tc: (-tc[1], tc[0]))[: self.TERMS]]
        latest = [(pid, text) for pid, text in self.texts.items() if pid not in self.hidden]
        data["latest"] = [{"participant": pid, "text": text} for pid, text in latest[-self.LATEST:]][::-1]
        data["hidden"] = len(self.hidden)
        return data


TALLIES = {"choice": ChoiceTally, "scale": ScaleTally, "ranking": RankingTally, "open": OpenTally}


def new_tally(poll: Poll) -> Tally:
    """Return an empty tally for the poll's type."""
    return TALLIES[poll.type](poll)


# ----- terms for the word cloud -------------------------------------------------------------

STOPWORDS = frozenset("""
a about above after again all also am an and any are as at be because been being but by can
could did do does doing don't for from further had has have having he her here hers him his how
i if in into is it it's its itself just me more most my no nor not of off on once only or other
our ours out over own same she should so some such than that that's the their theirs them then
there these they this those through to too under until up very was we were what when where which
while who whom why will with would you your yours yourself i'm we're they're it's can't won't
think really much many make makes one get like need
的 了 和 是 在 我 有 也 就 不 人 都 一 一个 上 很 到 说 要 去 你 会 着 没有 看 好 自己 这 那 我们 他们
""".split())
_WORD = re.compile(r"[^\W\d_](?:[\w'’-]*\w)?", re.UNICODE)
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


# Function characters split a Chinese phrase into content words well enough for a word
# cloud, with no dictionary to ship: 我希望成为一个善于倾听的领导 -> 希望成为, 善于倾听, 领导.
_CJK_BREAKS = re.compile("[的了是在和与及或也就都要会这那个一不有我你他她它们把被对从而让给很着过吗呢吧啊并但还又]+")


def terms_of(text: str) -> list[str]:
    """Split an answer into word-cloud terms: words for Latin text, short runs for Chinese."""
    out = []
    for run in _CJK.findall(text):
        for chunk in _CJK_BREAKS.split(run):
            if len(chunk) <= 4:
                out.append(chunk)
            else:  # a long run with no break: overlapping pairs stand in for words
                out.extend(chunk[i:i + 2] for i in range(len(chunk) - 1))
    latin = _CJK.sub(" ", text).lower()
    out.extend(w.replace("’", "'") for w in _WORD.findall(latin))
    return [t for t in out if t not in STOPWORDS and (len(t) > 2 or (len(t) > 1 and _CJK.match(t)))]
