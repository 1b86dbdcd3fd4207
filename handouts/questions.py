"""One question on paper: its heading, room to answer by hand, and the room's results."""
from __future__ import annotations

from reportlab.platypus import Flowable, Spacer

from . import charts
from .labels import Labels
from .styles import marked, para
from .text import markup
from .widgets import RuledLines, ScaleToCircle, option_marks


def kicker(number: int, poll, labels: Labels) -> Flowable:
    """Return the small line above a question: its number, type and group."""
    parts = [labels("question", n=number), labels.poll_type(poll)]
    if poll.group:
        parts.append(labels.group(poll.group))
    return marked(" · ".join(markup(p, newlines=False) for p in parts).upper(), "kicker")


def answer_space(poll, labels: Labels, width: float) -> list[Flowable]:
    """Return the instructions and the marks, scale, boxes or lines to answer by hand."""
    if poll.type == "choice":
        if poll.multiple:
            limit = poll.max_choices or len(poll.options)
            every = limit >= len(poll.options)
            hint = labels("tick_all") if every else labels("tick_many", n=limit)
        else:
            hint = labels("tick_one")
        marks = option_marks(poll.options, width, "box" if poll.multiple else "circle")
    elif poll.type == "scale":
        hint = labels("circle_one")
        marks = ScaleToCircle(poll.scale_min, poll.scale_max, poll.left, poll.right)
    elif poll.type == "ranking":
        hint = labels("rank", n=len(poll.options))
        marks = option_marks(poll.options, width, "rank")
    else:
        hint = labels("write")
        marks = RuledLines(max(4, min(9, poll.max_length // 60)))
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
    if poll.type == "choice":
        out.append(charts.choice_bars(poll, tally, labels, mine or ()))
    elif poll.type == "scale":
        out.append(charts.scale_chart(poll, tally, labels, mine))
        out.append(Spacer(1, 4))
        out.append(marked(f"<b>{markup(labels('mean'))}</b> {tally['mean']:g}   ·   "
                          f"<b>{markup(labels('median'))}</b> {tally['median']:g}", "small"))
    elif poll.type == "ranking":
        out.append(charts.rank_chart(poll, tally, results.rank_positions[poll.id], labels))
    else:
        if tally["terms"]:
            out.append(para(labels("terms"), "h3"))
            out.append(charts.term_bars(tally["terms"]))
        if results.hidden[poll.id]:
            out.append(para(labels("hidden", n=results.hidden[poll.id]), "meta"))
    return out
