"""Before and after: a question asked twice (a poll's `compare`), the room's shift and one's own."""
from __future__ import annotations

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table

from workshop.polltypes import describe_answer

from .labels import Labels
from .styles import marked, para, ruled_table
from .text import markup


def earlier(deck, poll):
    """Return the poll this one repeats (its `compare`), or None."""
    return deck.polls.get(poll.compare) if poll.compare else None


def _mean(tally) -> str:
    return "\u2013" if tally.get("mean") is None else f"{tally['mean']:g}"  # as the chart says


def _median(tally) -> str:
    return "\u2013" if tally.get("median") is None else f"{tally['median']:g}"


def _heading(before, after, labels: Labels, numbers: dict) -> list[Flowable]:
    asked = labels("shift_asked", first=numbers[before.id], then=numbers[after.id])
    return [para(labels("shift"), "h3"), para(asked, "meta")]


def room_shift(deck, poll, results, labels: Labels, numbers: dict,
               width: float) -> list[Flowable]:
    """Return the room's move between the two askings: means, and each step's or option's share."""
    before = earlier(deck, poll)
    if before is None:
        return []
    then, now = results.tallies[before.id], results.tallies[poll.id]
    out = _heading(before, poll, labels, numbers)
    both = [(v, results.values[poll.id][p]) for p, v in results.values[before.id].items()
            if p in results.values[poll.id]]
    if poll.type == "scale":
        out.append(marked(f"<b>{markup(labels('shift_room_mean', before=_mean(then), after=_mean(now)))}"
                          f"</b> \u00b7 {markup(labels('shift_room_median', before=_median(then), after=_median(now)))}",
                          "small"))
        rows = [str(value) for value in now["values"]]
        up = sum(b > a for a, b in both)
        down = sum(b < a for a, b in both)
        line = labels("shift_both", n=len(both), up=up, down=down, same=len(both) - up - down)
    else:
        rows = list(poll.options)
        line = labels("shift_moved", n=len(both), moved=sum(a != b for a, b in both))
    out += [para(line, "meta"), shift_table(rows, then, now, labels, width)]
    return out


def _share(tally, i: int) -> tuple[str, int]:
    """Return a row's 'count · percent' and its percent of the people who answered."""
    count = tally["counts"][i]
    percent = round(100 * count / tally["answered"]) if tally["answered"] else 0
    return f"{count} \u00b7 {percent}%", percent


def shift_table(rows: list[str], then: dict, now: dict, labels: Labels, width: float) -> Table:
    """Return a table of each option (or scale step) with its share then and now."""
    head = [para("", "cellhead")] + [_right(para(word, "cellhead")) for word in
                                     (labels("shift_then"), labels("shift_now"),
                                      labels("shift_change"))]
    body = [head]
    for i, row in enumerate(rows):
        (a, pa), (b, pb) = _share(then, i), _share(now, i)
        body.append([para(row, "cell"), para(a, "cellnum"), para(b, "cellnum"),
                     para(f"{pb - pa:+d}" if pb != pa else "\u00b10", "cellnum")])
    numbers = 22 * mm
    return ruled_table(body, [width - 3 * numbers, numbers, numbers, numbers], split=False)


def _right(paragraph):
    """Return a paragraph set flush right (a column head over numbers)."""
    paragraph.style = ParagraphStyle(f"{paragraph.style.name}-right", parent=paragraph.style,
                                     alignment=TA_RIGHT)
    return paragraph


def own_shift(deck, poll, results, participant_id: int, labels: Labels,
              numbers: dict) -> list[Flowable]:
    """Return a participant's move beside the room's: 'You: 2 → 4 · the room's mean: 2.8 → 3.9'."""
    before = earlier(deck, poll)
    if before is None:
        return []
    values = (results.value_of(before.id, participant_id), results.value_of(poll.id, participant_id))
    tallies = (results.tallies[before.id], results.tallies[poll.id])
    if poll.type == "scale":
        mine = ["\u2013" if v is None else describe_answer(poll, v) for v in values]
        line = (f"<b>{markup(labels('shift_you', before=mine[0], after=mine[1]))}</b> \u00b7 "
                + markup(labels("shift_room_mean", before=_mean(tallies[0]),
                                after=_mean(tallies[1]))))
    else:
        picks = [_picks(poll, v, t, labels) for v, t in zip(values, tallies)]
        line = (f"<b>{markup(labels('shift_then'))}:</b> {markup(picks[0])}<br/>"
                f"<b>{markup(labels('shift_now'))}:</b> {markup(picks[1])}")
    return [Spacer(1, 4)] + _heading(before, poll, labels, numbers) + [marked(line, "small")]


def _picks(poll, value, tally, labels: Labels) -> str:
    """Return a choice answer with the share of the room on each option picked."""
    if value is None:
        return labels("not_answered")
    return "; ".join(labels("shift_pick", answer=poll.options[i],
                            share=f"{_share(tally, i)[1]}%") for i in value)
