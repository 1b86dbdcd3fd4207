"""Room to answer by hand: tick boxes, a scale to circle, rank boxes, ruled lines; the join QR."""
from __future__ import annotations

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.platypus import Flowable, Table, TableStyle

from . import fonts
from .styles import FAINT, INK, RULE, marked, para
from .text import markup, shorten


class Mark(Flowable):
    """An empty circle (pick one), box (pick several) or rank box (write a number) to fill in."""

    def __init__(self, shape: str = "circle"):
        super().__init__()
        self.shape = shape
        self.size = 15 if shape == "rank" else 10
        self.width = self.height = self.size

    def draw(self):
        c = self.canv
        c.setStrokeColor(INK)
        c.setLineWidth(0.9)
        if self.shape == "circle":
            c.circle(self.size / 2, self.size / 2, self.size / 2, stroke=1, fill=0)
        else:
            c.roundRect(0, 0, self.size, self.size, 1.5, stroke=1, fill=0)


def option_marks(options, width: float, shape: str = "circle") -> Table:
    """Return the options, each after a mark to fill in by hand; long ones split across pages."""
    mark_w = 30 if shape == "rank" else 24
    rows = [[Mark(shape), para(option, "body")] for option in options]
    table = Table(rows, colWidths=[mark_w, width - mark_w], hAlign="LEFT", splitInRow=1)
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6 if shape == "rank" else 3),
        # centre each mark on the x-height of its first line of 10.5 pt text
        ("TOPPADDING", (0, 0), (0, -1), 4 if shape != "rank" else 1.5)]))
    return table


class ScaleToCircle(Flowable):
    """A row of numbers to circle, with the two poles' labels under its ends."""

    def __init__(self, lo: int, hi: int, left: str, right: str):
        super().__init__()
        self.values = list(range(lo, hi + 1))
        self.left = para(shorten(left, 160), "label") if left else None
        self.right = para(shorten(right, 160), "label_r") if right else None

    def wrap(self, aw, ah):
        self.width = aw
        self.slot = min(aw / len(self.values), 80)
        self.span = self.slot * len(self.values)
        half = max(self.span / 2 - 8, 60)
        self.lh = self.left.wrap(half, ah)[1] if self.left else 0
        self.rh = self.right.wrap(half, ah)[1] if self.right else 0
        self.half = half
        self.height = 30 + max(self.lh, self.rh) + 4
        return aw, self.height

    def draw(self):
        c = self.canv
        top = self.height
        cy = top - 13
        c.setStrokeColor(RULE)
        c.setLineWidth(1)
        c.line(self.slot / 2, cy, self.span - self.slot / 2, cy)
        for i, value in enumerate(self.values):
            x = self.slot * (i + 0.5)
            c.setFillColorRGB(1, 1, 1)
            c.setStrokeColor(INK)
            c.setLineWidth(0.9)
            c.circle(x, cy, 10.5, stroke=1, fill=1)
            c.setFillColor(INK)
            fonts.draw_string(c, x, cy - 3.6, str(value), fonts.SANS_BOLD, 10, "middle")
        y = top - 28
        if self.left:
            self.left.drawOn(c, 0, y - self.lh)
        if self.right:
            self.right.drawOn(c, self.span - self.half, y - self.rh)


class RuledLines(Flowable):
    """Lines to write on."""

    def __init__(self, count: int, spacing: float = 22):
        super().__init__()
        self.count, self.spacing = count, spacing

    def wrap(self, aw, ah):
        self.width = aw
        self.height = self.count * self.spacing + 4
        return aw, self.height

    def draw(self):
        c = self.canv
        c.setStrokeColor(FAINT)
        c.setLineWidth(0.5)
        for i in range(1, self.count + 1):
            y = self.height - i * self.spacing
            c.line(0, y, self.width, y)


class JoinCode(Flowable):
    """The join QR code with its join code and address beside it."""

    def __init__(self, url: str, code: str | None, labels, size: float = 118):
        super().__init__()
        self.size = size
        widget = QrCodeWidget(url, barLevel="M")
        x1, y1, x2, y2 = widget.getBounds()
        self.qr = Drawing(size, size, transform=[size / (x2 - x1), 0, 0, size / (y2 - y1), 0, 0])
        self.qr.add(widget)
        self.title = marked(f"<b>{markup(labels('join_title'))}</b>", "h3")
        self.code = para(shorten(code, 40), "code") if code else None
        self.hint = para(labels("join_hint", url=shorten(url, 300)), "meta")

    def wrap(self, aw, ah):
        self.width = aw
        text_w = aw - self.size - 24
        self.parts = [p for p in (self.title, self.code, self.hint) if p is not None]
        self.heights = [p.wrap(text_w, ah)[1] for p in self.parts]
        self.height = max(self.size, sum(self.heights) + 8 * len(self.parts)) + 16
        return aw, self.height

    def draw(self):
        c = self.canv
        c.setStrokeColor(RULE)
        c.setLineWidth(0.8)
        c.roundRect(0, 0, self.width, self.height, 6, stroke=1, fill=0)
        self.qr.drawOn(c, 8, (self.height - self.size) / 2)
        y = self.height - 14
        for p, h in zip(self.parts, self.heights):
            p.drawOn(c, self.size + 24, y - h)
            y -= h + 8
