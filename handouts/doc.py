"""Page furniture and the build itself: running header, "Page X of Y" footer, invariant output."""
from __future__ import annotations

import contextlib
import io
import threading

from reportlab import rl_config
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

from . import fonts
from .labels import Labels
from .styles import FAINT, MARGIN_BOTTOM, MARGIN_TOP, MARGIN_X, MUTED, PAPER, RULE
from .text import clean

_INVARIANT_LOCK = threading.Lock()


@contextlib.contextmanager
def invariant_output(enabled: bool):
    """Set reportlab.rl_config.invariant for one build and restore it afterwards."""
    if not enabled:
        yield
        return
    with _INVARIANT_LOCK:
        saved = rl_config.invariant
        rl_config.invariant = 1
        try:
            yield
        finally:
            rl_config.invariant = saved


def page_size(paper: str) -> tuple[float, float]:
    """Return the page size of a paper name, a4 or letter."""
    try:
        return PAPER[paper.lower()]
    except (KeyError, AttributeError):
        raise ValueError(f"unknown paper '{paper}': use a4 or letter") from None


def frame_width(paper: str) -> float:
    """Return the width text may use on this paper."""
    return page_size(paper)[0] - 2 * MARGIN_X


class Furniture:
    """What every page prints around the story: header on inner pages, footer on all."""

    def __init__(self, labels: Labels, title: str, kind: str, footer_left: str):
        self.labels = labels
        self.title = clean(" ".join(str(title).split()))
        self.kind = kind
        self.footer_left = clean(footer_left)

    def header(self, canvas, doc) -> None:
        width, height = doc.pagesize
        y = height - 15 * mm
        canvas.saveState()
        canvas.setFillColor(MUTED)
        room = width - 2 * MARGIN_X - fonts.string_width(self.kind, fonts.SANS_BOLD, 8) - 24
        title = fonts.fit(self.title, fonts.SANS, 8, room)
        fonts.draw_string(canvas, MARGIN_X, y, title, fonts.SANS, 8)
        fonts.draw_string(canvas, width - MARGIN_X, y, self.kind, fonts.SANS_BOLD, 8, "end")
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.6)
        canvas.line(MARGIN_X, y - 5, width - MARGIN_X, y - 5)
        canvas.restoreState()

    def footer(self, canvas, page: int, total: int) -> None:
        width, _ = canvas._pagesize
        y = MARGIN_BOTTOM - 26
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.6)
        canvas.line(MARGIN_X, y + 11, width - MARGIN_X, y + 11)
        number = self.labels("page", x=page, y=total)
        room = width - 2 * MARGIN_X - fonts.string_width(number, fonts.SANS, 8) - 24
        canvas.setFillColor(FAINT)
        fonts.draw_string(canvas, MARGIN_X, y, fonts.fit(self.footer_left, fonts.SANS, 7.5, room),
                          fonts.SANS, 7.5)
        canvas.setFillColor(MUTED)
        fonts.draw_string(canvas, width - MARGIN_X, y, number, fonts.SANS, 8, "end")
        canvas.restoreState()


def _canvas_class(furniture: Furniture):
    class NumberedCanvas(Canvas):
        """Hold every page until the end so that each footer can say how many there are."""

        def __init__(self, *args, **kwargs):
            # ReportLab's default would put an unembedded Helvetica on every page
            super().__init__(*args, **{**kwargs, "initialFontName": fonts.SANS})
            self._pages: list[dict] = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                furniture.footer(self, self._pageNumber, total)
                Canvas.showPage(self)
            Canvas.save(self)

    return NumberedCanvas


def build_pdf(story: list, furniture: Furniture, paper: str, invariant: bool,
              title: str = "", author: str = "") -> bytes:
    """Lay out a story (first page is the cover, without header) and return the PDF bytes."""
    fonts.register()
    size = page_size(paper)
    out = io.BytesIO()
    with invariant_output(invariant):
        doc = BaseDocTemplate(
            out, pagesize=size, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
            bottomMargin=MARGIN_BOTTOM, title=clean(title), author=clean(author),
            creator="workshop-kit", subject=furniture.kind, invariant=1 if invariant else None)
        frame = Frame(MARGIN_X, MARGIN_BOTTOM, size[0] - 2 * MARGIN_X,
                      size[1] - MARGIN_TOP - MARGIN_BOTTOM, id="body", leftPadding=0,
                      rightPadding=0, topPadding=0, bottomPadding=0)
        doc.addPageTemplates([PageTemplate("cover", frames=[frame]),
                              PageTemplate("body", frames=[frame], onPage=furniture.header)])
        doc.build(story, canvasmaker=_canvas_class(furniture))
    return out.getvalue()
