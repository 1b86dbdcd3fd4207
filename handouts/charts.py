"""Native ReportLab charts of the room's answers: bars, a scale histogram, ranking stacks."""
from __future__ import annotations

from dataclasses import dataclass

from reportlab.platypus import Flowable

from . import fonts
from .styles import (BAR, CORRECT, INK, MINE, MUTED, RANK_SHADES, RULE, TRACK, WHITE, css,
                     marked)
from .text import clean, markup, shorten

LABEL_LIMIT = 400  # chart labels cannot split across pages: longer ones are cut
POLE_LIMIT = 160
VALUE_W = 74  # room right of each bar for "30 · 73%"


@dataclass
class Bar:
    """One row of a bar list: a label, how long its bar is (0..1) and the printed value."""

    label: str  # untrusted text; escaped here
    fraction: float
    value: str
    correct: bool = False
    mine: bool = False


def _suffix(labels, correct: bool, mine: bool) -> str:
    out = ""
    # the marks go through markup() too: it sets them in a face that has them
    if correct:
        out += (f'  <font name="{fonts.SANS_BOLD}" color="{css(CORRECT)}">'
                f'{markup(chr(0x2714) + " " + labels("correct"))}</font>')
    if mine:
        out += (f'  <font name="{fonts.SANS_BOLD}" color="{css(MINE)}">'
                f'{markup(chr(0x2190) + " " + labels("you"))}</font>')
    return out


class BarList(Flowable):
    """Horizontal bars, each under its wrapped label, with count and percent at the end."""

    BAR_H = 9
    GAP = 8

    def __init__(self, bars: list[Bar], labels):
        super().__init__()
        self.bars = bars
        self.paras = [marked(markup(shorten(b.label, LABEL_LIMIT), newlines=False)
                             + _suffix(labels, b.correct, b.mine), "label") for b in bars]

    def wrap(self, aw, ah):
        self.width = aw
        self.heights = [p.wrap(aw, ah)[1] for p in self.paras]
        self.height = sum(h + 3 + self.BAR_H + self.GAP for h in self.heights)
        return aw, self.height

    def draw(self):
        c = self.canv
        track = self.width - VALUE_W
        y = self.height
        for bar, p, h in zip(self.bars, self.paras, self.heights):
            p.drawOn(c, 0, y - h)
            y -= h + 3 + self.BAR_H
            c.setFillColor(TRACK)
            c.rect(0, y, track, self.BAR_H, stroke=0, fill=1)
            colour = CORRECT if bar.correct else BAR
            length = max(track * min(bar.fraction, 1.0), 1.2 if bar.fraction > 0 else 0)
            c.setFillColor(colour)
            if length:
                c.rect(0, y, length, self.BAR_H, stroke=0, fill=1)
            if bar.mine:
                c.setStrokeColor(MINE)
                c.setLineWidth(1.2)
                c.rect(0, y, track, self.BAR_H, stroke=1, fill=0)
            c.setFillColor(INK)
            fonts.draw_string(c, self.width, y + 1.5, bar.value, fonts.SANS_BOLD, 9, "end")
            y -= self.GAP


class ScaleChart(Flowable):
    """A histogram of a scale's answers with the mean marked and the poles labelled."""

    PLOT_H = 92

    def __init__(self, values, counts, mean, left: str, right: str, labels, mine=None):
        super().__init__()
        self.values, self.counts, self.mean, self.mine = values, counts, mean, mine
        self.labels = labels
        self.left = marked(markup(shorten(left, POLE_LIMIT)), "label") if left else None
        self.right = marked(markup(shorten(right, POLE_LIMIT)), "label_r") if right else None

    def wrap(self, aw, ah):
        self.width = aw
        half = aw / 2 - 10
        self.lh = self.left.wrap(half, ah)[1] if self.left else 0
        self.rh = self.right.wrap(half, ah)[1] if self.right else 0
        self.half = half
        self.height = 30 + self.PLOT_H + 18 + max(self.lh, self.rh) + 4
        return aw, self.height

    def x_of(self, value: float) -> float:
        slot = self.width / len(self.values)
        return slot * (value - self.values[0] + 0.5)

    def draw(self):
        c = self.canv
        n = len(self.values)
        slot = self.width / n
        bar_w = min(slot * 0.64, 40)
        base = max(self.lh, self.rh) + 4 + 18
        top = max(self.counts) or 1
        total = sum(self.counts) or 1
        c.setStrokeColor(RULE)
        c.setLineWidth(0.8)
        c.line(0, base, self.width, base)
        for value, count in zip(self.values, self.counts):
            x = self.x_of(value)
            h = self.PLOT_H * count / top
            mine = self.mine == value
            c.setFillColor(MINE if mine else BAR)
            if count:
                c.rect(x - bar_w / 2, base, bar_w, h, stroke=0, fill=1)
            c.setFillColor(INK)
            pct = f"{count} · {round(100 * count / total)}%" if bar_w > 30 else str(count)
            fonts.draw_string(c, x, base + h + 3, pct, fonts.SANS_BOLD if count else fonts.SANS,
                              7.5, "middle")
            c.setFillColor(MINE if mine else MUTED)
            fonts.draw_string(c, x, base - 11, str(value), fonts.SANS_BOLD, 9, "middle")
            if mine:
                c.setFillColor(MINE)
                fonts.draw_string(c, x, base + h + 13, self.labels("you"), fonts.SANS_BOLD, 8,
                                  "middle")
        if self.mean is not None:
            mx = self.x_of(self.mean)
            c.setStrokeColor(INK)
            c.setDash(2, 2)
            c.setLineWidth(0.8)
            c.line(mx, base, mx, base + self.PLOT_H + 20)
            c.setDash()
            c.setFillColor(INK)
            label = f"{self.labels('mean')} {self.mean:g}"
            anchor = "end" if mx > self.width - 60 else "start" if mx < 60 else "middle"
            fonts.draw_string(c, mx, base + self.PLOT_H + 23, label, fonts.SANS_BOLD, 8, anchor)
        if self.left:
            self.left.drawOn(c, 0, base - 18 - self.lh)
        if self.right:
            self.right.drawOn(c, self.width - self.half, base - 18 - self.rh)


class RankChart(Flowable):
    """Items by average rank, each bar split into how many put it first, second, and so on."""

    BAR_H = 12
    GAP = 9

    def __init__(self, items, positions, average, order, labels):
        super().__init__()
        self.order = order
        self.positions = positions
        self.average = average
        self.labels = labels
        self.paras = [marked(f"<b>{place}.</b> "
                             + markup(shorten(items[item], LABEL_LIMIT), newlines=False), "label")
                      for place, item in enumerate(order, 1)]

    def wrap(self, aw, ah):
        self.width = aw
        self.heights = [p.wrap(aw, ah)[1] for p in self.paras]
        self.height = 16 + sum(h + 3 + self.BAR_H + self.GAP for h in self.heights)
        return aw, self.height

    def draw(self):
        c = self.canv
        track = self.width - VALUE_W
        n = len(self.order)
        y = self.height - 9
        x = 0
        c.setFillColor(MUTED)
        x += fonts.draw_string(c, 0, y, self.labels("rank_legend") + ":", fonts.SANS, 7.5) + 6
        for place in range(n):
            c.setFillColor(RANK_SHADES[place])
            c.rect(x, y - 1, 9, 8, stroke=0, fill=1)
            c.setFillColor(MUTED)
            x += 12 + fonts.draw_string(c, x + 12, y, f"#{place + 1}", fonts.SANS, 7.5) + 8
        y = self.height - 16
        for item, p, h in zip(self.order, self.paras, self.heights):
            p.drawOn(c, 0, y - h)
            y -= h + 3 + self.BAR_H
            counts = self.positions[item]
            total = sum(counts) or 1
            x = 0
            for place, count in enumerate(counts):
                w = track * count / total
                if not w:
                    continue
                c.setFillColor(RANK_SHADES[place])
                c.rect(x, y, w, self.BAR_H, stroke=0, fill=1)
                if w > 26:
                    c.setFillColor(WHITE if place < 3 else INK)
                    fonts.draw_string(c, x + w / 2, y + 3, f"{round(100 * count / total)}%",
                                      fonts.SANS_BOLD, 7, "middle")
                x += w
            if not sum(counts):
                c.setFillColor(TRACK)
                c.rect(0, y, track, self.BAR_H, stroke=0, fill=1)
            c.setFillColor(INK)
            avg = self.average[item]
            text = self.labels("avg_rank", rank=f"{avg:.2f}") if avg is not None else "–"
            fonts.draw_string(c, self.width, y + 3, text, fonts.SANS_BOLD, 8, "end")
            y -= self.GAP


def choice_bars(poll, tally: dict, labels, mine=()) -> BarList:
    """Return the bars of a choice poll, the correct options marked in words."""
    answered = tally["answered"] or 1
    bars = [Bar(option, count / answered, f"{count} · {pct}%", i in tally.get("correct", ()),
                i in (mine or ()))
            for i, (option, count, pct) in enumerate(zip(poll.options, tally["counts"],
                                                         tally["percents"]))]
    return BarList(bars, labels)


class TermBars(Flowable):
    """Short labels (an open question's frequent terms), each with its bar on the same line."""

    ROW = 15
    LABEL_W = 0.28

    def __init__(self, terms):
        super().__init__()
        self.terms = [(clean(term), count) for term, count in terms]

    def wrap(self, aw, ah):
        self.width = aw
        self.height = self.ROW * len(self.terms)
        return aw, self.height

    def draw(self):
        c = self.canv
        label_w = self.width * self.LABEL_W
        track = self.width - label_w - 44
        most = max((count for _, count in self.terms), default=1) or 1
        y = self.height
        for term, count in self.terms:
            y -= self.ROW
            c.setFillColor(INK)
            label = fonts.fit(term, fonts.SANS, 9, label_w - 8)
            fonts.draw_string(c, 0, y + 4, label, fonts.SANS, 9)
            c.setFillColor(TRACK)
            c.rect(label_w, y + 3, track, 9, stroke=0, fill=1)
            c.setFillColor(BAR)
            c.rect(label_w, y + 3, max(track * count / most, 1.2), 9, stroke=0, fill=1)
            c.setFillColor(INK)
            fonts.draw_string(c, self.width, y + 4, str(count), fonts.SANS_BOLD, 9, "end")


def term_bars(terms, limit: int = 12) -> TermBars:
    """Return the most frequent terms of an open question as bars."""
    return TermBars(terms[:limit])


def scale_chart(poll, tally: dict, labels, mine=None) -> ScaleChart:
    """Return the histogram of a scale poll."""
    return ScaleChart(tally["values"], tally["counts"], tally["mean"], poll.left, poll.right,
                      labels, mine)


def rank_chart(poll, tally: dict, positions, labels) -> RankChart:
    """Return the ranking chart: items by average rank with their place distribution."""
    return RankChart(poll.options, positions, tally["average_rank"], tally["order"], labels)

