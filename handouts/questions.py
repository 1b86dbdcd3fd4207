"""One question on paper: its heading, room to answer by hand, and the room's results.

Each poll type's printed form is one entry of PRINTED, found by the poll's type name.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from reportlab.platypus import Flowable, Spacer

from . import charts
from .labels import Labels
from .styles import marked, para
from .text import markup
from .widgets import RuledLines, ScaleToCircle, option_marks

ANSWER_LINES = 6  # a printed answer keeps at most this many of its lines


def printed_answer(text: str, lines: int = ANSWER_LINES) -> str:
    """Return a participant's answer as printed: no blank lines, and at most `lines` lines.

    An answer is at most a few hundred characters, but "a\n" * 249 is within the limit and
    would take five pages: blank lines are dropped, and lines past the last kept one are
    joined onto it with " / ", so nothing typed is lost and an answer stays a paragraph.
    """
    kept = [line.strip() for line in str(text).splitlines() if line.strip()]
    if len(kept) > lines:
        kept = kept[: lines - 1] + [" / ".join(kept[lines - 1:])]
    return "\n".join(kept)


@dataclass(frozen=True)
class PrintedType:
    """How one poll type prints: room to answer by hand, and the room's results."""

    # (poll, labels, width) -> (the instruction line, the flowable to mark by hand)
    answer_space: Callable[..., tuple[str, Flowable]]
    # (poll, tally snapshot, results, labels, mine) -> flowables below the answered line
    room_chart: Callable[..., list[Flowable]]


def kicker(number: int, poll, labels: Labels) -> Flowable:
    """Return the small line above a question: its number, type and group."""
    parts = [labels("question", n=number), labels.poll_type(poll)]
    if poll.group:
        parts.append(labels.group(poll.group))
    return marked(" · ".join(markup(p, newlines=False) for p in parts).upper(), "kicker")


def answer_space(poll, labels: Labels, width: float) -> list[Flowable]:
    """Return the instructions and the marks, scale, boxes or lines to answer by hand."""
    hint, marks = PRINTED[poll.type].answer_space(poll, labels, width)
    return [para(hint, "hint"), marks]


def room_chart(poll, results, labels: Labels, mine=None) -> list[Flowable]:
    """Return the room's results for one poll: a chart and its key numbers."""
    tally = results.tallies[poll.id]
    answered = results.answered[poll.id]
    line = labels("answered_of", n=answered, joined=results.joined,
                  rate=labels.percent(results.response_rate[poll.id]))
    out: list[Flowable] = [para(line, "meta")]
    if not answered:
        return out + [para(labels("no_answers"), "small")]
    return out + PRINTED[poll.type].room_chart(poll, tally, results, labels, mine)


# ----- the four types ----------------------------------------------------------------------

def _choice_space(poll, labels, width):
    if poll.multiple:
        limit = poll.max_choices or len(poll.options)
        hint = labels("tick_all") if limit >= len(poll.options) else labels("tick_many", n=limit)
    else:
        hint = labels("tick_one")
    return hint, option_marks(poll.options, width, "box" if poll.multiple else "circle")


def _choice_chart(poll, tally, results, labels, mine):
    return [charts.choice_bars(poll, tally, labels, mine or ())]


def _scale_space(poll, labels, width):
    return labels("circle_one"), ScaleToCircle(poll.scale_min, poll.scale_max, poll.left, poll.right)


def _scale_chart(poll, tally, results, labels, mine):
    return [charts.scale_chart(poll, tally, labels, mine), Spacer(1, 4),
            marked(f"<b>{markup(labels('mean'))}</b> {tally['mean']:g}   ·   "
                   f"<b>{markup(labels('median'))}</b> {tally['median']:g}", "small")]


def _ranking_space(poll, labels, width):
    return labels("rank", n=len(poll.options)), option_marks(poll.options, width, "rank")


def _ranking_chart(poll, tally, results, labels, mine):
    positions = results.statistics[poll.id]["positions"]
    return [charts.rank_chart(poll, tally, positions, labels)]


def _open_space(poll, labels, width):
    return labels("write"), RuledLines(max(4, min(9, poll.max_length // 60)))


def _open_chart(poll, tally, results, labels, mine):
    out: list[Flowable] = []
    if tally["terms"]:
        out.append(para(labels("terms"), "h3"))
        out.append(charts.term_bars(tally["terms"]))
    if results.hidden[poll.id]:
        out.append(para(labels("hidden", n=results.hidden[poll.id]), "meta"))
    return out


PRINTED: dict[str, PrintedType] = {
    "choice": PrintedType(_choice_space, _choice_chart),
    "scale": PrintedType(_scale_space, _scale_chart),
    "ranking": PrintedType(_ranking_space, _ranking_chart),
    "open": PrintedType(_open_space, _open_chart),
}
