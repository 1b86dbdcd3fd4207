"""A deck's pictures in the PDFs: PNG and JPEG as images, SVG as vector drawings, scaled to fit.

The deck checker has made sure each file is the picture its name says (workshop/pictures.py),
and the commands that load a deck (`workshop check`, `serve`, `handouts`) refuse one the PDFs
could not draw (`undrawable`). Should a picture still fail (changed on disk since), the page
shows a framed box with its alt text instead: a report is never lost to a picture.
"""
from __future__ import annotations

import io
import logging
import math
import os

from reportlab.graphics.shapes import Drawing, Group, String
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable, Image, Spacer, Table, TableStyle

from . import fonts
from .styles import FAINT, para
from .text import has_cjk

log = logging.getLogger(__name__)
MAX_HEIGHT = 95  # mm: a picture leaves room on its page for the slide's words
PRINT_DPI = 200  # finer than a laser printer shows a photo; a bigger picture is scaled down


def picture(image, folder: str, width: float, height: float) -> Flowable:
    """Return the deck picture `image` (a workshop Image) at most width x height points."""
    path = os.path.join(folder, image.src)
    try:
        if image.src.lower().endswith(".svg"):
            drawn = _svg(path, width, height)
        else:
            drawn = _raster(path, width, height)
    except Exception as exc:  # noqa: BLE001 - any decoder's failure prints the stand-in
        log.warning("picture %s cannot be drawn: %s", image.src, exc)
        drawn = None
    if drawn is None:
        return placeholder(image.alt, width)
    drawn.hAlign = "CENTER"
    return drawn


def undrawable(deck) -> list[str]:
    """Return one `PATH:LINE: message` per picture of the deck that the PDFs could not draw."""
    out = []
    for number, slide in enumerate(deck.slides, 1):
        for k, image in enumerate(slide.images, 1):
            why = _why_not(os.path.join(deck.folder, image.src), image.src)
            if why:
                out.append(f"{deck.path}:{image.line}: slide {number} ({slide.kind}) image {k}: "
                           f"'{image.src[:80]}' cannot be printed: {why}")
    return out


def _why_not(path: str, src: str) -> str | None:
    try:
        if src.lower().endswith(".svg"):
            from svglib.svglib import svg2rlg
            drawing = svg2rlg(path)
            if drawing is None:
                return "svglib cannot read this SVG"
            if not drawing.width or not drawing.height:
                return "it has no size; give its <svg> a viewBox, or a width and a height"
        else:
            ImageReader(path).getSize()
    except Exception as exc:  # noqa: BLE001 - whatever the decoder says, in one line
        return f"{type(exc).__name__}: {str(exc)[:100]}"
    return None


def pictures(images, folder: str, width: float, height: float) -> list[Flowable]:
    """Return a slide's pictures one under the other, each with a little space after it."""
    out: list[Flowable] = []
    for image in images:
        out += [picture(image, folder, width, height), Spacer(1, 6)]
    return out


def _fit(w: float, h: float, width: float, height: float) -> float:
    return min(width / w, height / h)


def _raster(path: str, width: float, height: float) -> Flowable:
    w, h = ImageReader(path).getSize()
    scale = _fit(w, h, width, height)
    shown = (w * scale, h * scale)
    needed = tuple(math.ceil(side / 72 * PRINT_DPI) for side in shown)
    source = path
    if w * h > 2 * needed[0] * needed[1]:
        # A 36-megapixel PNG took 5 s and 5 MB of PDF at full size (docs/performance.md)
        source = _smaller(path, needed)
    return Image(source, width=shown[0], height=shown[1])


def _smaller(path: str, size: tuple[int, int]) -> io.BytesIO:
    """Return the picture scaled down to size: a JPEG, or a PNG when it has transparency."""
    from PIL import Image as PILImage

    with PILImage.open(path) as image:
        image.draft("RGB", size)  # a JPEG decodes at a fraction of its size at once
        image.thumbnail(size, PILImage.Resampling.LANCZOS)
        out = io.BytesIO()
        if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
            image.save(out, "PNG")
        else:
            image.convert("RGB").save(out, "JPEG", quality=88)
    out.seek(0)
    return out


def _svg(path: str, width: float, height: float) -> Flowable | None:
    from svglib.svglib import svg2rlg

    drawing = svg2rlg(path)  # entities are never resolved (svglib's default)
    if drawing is None or not drawing.width or not drawing.height:
        return None
    scale = _fit(drawing.width, drawing.height, width, height)
    _embed_fonts(drawing)
    drawing.initialFontName = fonts.SANS  # the renderer's first setFont: Helvetica otherwise
    drawing.scale(scale, scale)
    drawing.width, drawing.height = drawing.width * scale, drawing.height * scale
    return drawing


def _embed_fonts(node) -> None:
    """Set an SVG's texts in the PDFs' embedded Noto faces (svglib picks the unembedded
    Helvetica for `sans-serif`, which has no Chinese)."""
    fonts.register()
    for child in getattr(node, "contents", ()):
        if isinstance(child, String):
            bold = "Bold" in child.fontName
            if has_cjk(child.text):
                child.fontName = fonts.face(fonts.CHINESE, bold)
            else:
                child.fontName = fonts.SANS_BOLD if bold else fonts.SANS
        elif isinstance(child, (Group, Drawing)):
            _embed_fonts(child)


def placeholder(alt: str, width: float) -> Table:
    """Return a framed box saying what the picture that cannot be drawn shows."""
    box = Table([[para(alt, "meta")]], colWidths=[width], hAlign="LEFT")
    box.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.8, FAINT),
                             ("TOPPADDING", (0, 0), (-1, -1), 18),
                             ("BOTTOMPADDING", (0, 0), (-1, -1), 18),
                             ("LEFTPADDING", (0, 0), (-1, -1), 12)]))
    return box
