"""Import a PowerPoint file as a deck tree: titles, bullet levels, notes and pictures, in order.

`import_pptx` returns the tree (the YAML deck's shape, which deck_write turns into Markdown),
the picture files to write beside it, and a warning per thing that could not be carried over
(`talk.pptx: slide N: ...`); `deck_folder.write_folder` writes it all or nothing.
"""
from __future__ import annotations

import hashlib
import re
import warnings
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from PIL.Image import DecompressionBombError, DecompressionBombWarning

from .pptx_safety import PptxError, check_archive, fit_picture

__all__ = ["Imported", "PptxError", "import_pptx"]

MAX_LEVELS = 2  # a deck's bullets have two levels; deeper ones join the second
GRAPHICS_SHARE = 0.5  # a slide whose graphics cover this much of it, with little text...
LITTLE_TEXT = 40  # ...(at most this many characters besides the title) is "mostly graphics"
DRAWN_SHARE = 0.2  # ...and whose shapes (not pictures) cover this much needs a whole picture
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_FILE_NAME = re.compile(r"^[^\s/\\]+\.(png|jpe?g|gif|bmp|tiff?|svg|emf|wmf)$", re.I)
_SMARTART = "http://schemas.openxmlformats.org/drawingml/2006/diagram"
_MEDIA_TAGS = ("videoFile", "audioFile", "quickTimeFile", "audioCd", "wavAudioFile", "media")


@dataclass
class Imported:
    """What a presentation became: a deck tree, its picture files, and what was left behind."""

    tree: dict
    files: dict[str, bytes] = field(default_factory=dict)  # "images/slide-1-1.png" -> bytes
    warnings: list[str] = field(default_factory=list)


def import_pptx(path, shown: str | None = None) -> Imported:
    """Read a .pptx into a deck tree; raise PptxError with one line if it cannot be read."""
    shown = shown or str(path)
    check_archive(path, shown)
    try:
        from pptx import Presentation
        prs = Presentation(str(path))
        # python-pptx reads each picture's size with Pillow; fit_picture sets the limits
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DecompressionBombWarning)
            return _Importer(prs, shown).run()
    except PptxError:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever a damaged file makes the library raise
        detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:120]
        raise PptxError(f"{shown}: cannot be read as a PowerPoint presentation "
                        f"({detail})") from None


class _Importer:
    def __init__(self, prs, shown: str):
        self.prs = prs
        self.shown = shown
        self.out = Imported(tree={})
        self.by_hash: dict[str, str] = {}  # picture bytes' hash -> its file, written once
        self.width = prs.slide_width or 12_192_000
        self.height = prs.slide_height or 6_858_000

    def warn(self, number: int, message: str) -> None:
        self.out.warnings.append(f"{self.shown}: slide {number}: {message}")

    def run(self) -> Imported:
        slides = [self.slide(s, n) for n, s in enumerate(self.prs.slides, 1)]
        if not slides:
            raise PptxError(f"{self.shown}: has no slides")
        title = next((s["title"] for s in slides if s.get("title")), "")
        title = title or _clean(self.prs.core_properties.title or "") or _stem(self.shown)
        tree: dict = {"title": title}
        words = " ".join(str(s.get("title", "")) + " ".join(_flat(s.get("bullets", [])))
                         for s in slides)
        if len(_CJK.findall(words)) > len(words) * 0.2:
            tree["language"] = "zh"
        tree["slides"] = slides
        self.out.tree = tree
        return self.out

    # --- one slide ---

    def slide(self, slide, n: int) -> dict:
        title, subtitle, paragraphs, pictures = "", "", [], []
        drawn = pictured = 0.0  # share of the slide covered by shapes, and by pictures
        for shape in sorted(slide.shapes, key=_reading_order):
            share = self.share(shape)
            kind = self.shape(shape, n, paragraphs, pictures)
            if kind == "title" and not title:
                title = _one_line(shape.text_frame.text)
            elif kind == "subtitle" and not subtitle:
                subtitle = _one_line(shape.text_frame.text)
            elif kind == "picture":
                pictured += share
            elif kind == "drawn":
                drawn += share
        if slide._element.get("show") == "0":
            self.warn(n, "is hidden in PowerPoint; imported as a shown slide")
        self.effects(slide, n)
        bullets = self.bullets(paragraphs, n)
        notes = self.notes(slide)
        text_chars = sum(len(t) for t, _ in paragraphs) + len(subtitle)
        out: dict = {}
        mostly_graphics = drawn + pictured >= GRAPHICS_SHARE and text_chars <= LITTLE_TEXT
        if mostly_graphics and drawn >= DRAWN_SHARE:
            pictures.insert(0, self.placeholder(n, title, slide))
            words = " / ".join(_flat(bullets) + ([subtitle] if subtitle else []))
            if words:  # the picture will show them; until then the notes keep them
                notes = (notes + "\n\n" if notes else "") + f"Text on the slide: {words}"
            bullets, subtitle = [], ""
        if pictures and not bullets and not (n == 1 and title):
            out["kind"] = "image"
            if title:
                out["title"] = title
        elif bullets:
            out["kind"] = "bullets"
            if not title:
                title = f"Slide {n}"
                self.warn(n, f"has no title; called it '{title}'")
            out["title"] = title
            if subtitle and subtitle not in bullets:
                bullets.insert(0, subtitle)
            out["bullets"] = bullets
        else:
            out["kind"] = "title" if n == 1 else "section"
            if not title:
                title = subtitle or f"Slide {n}"
                subtitle = ""
                if title == f"Slide {n}":
                    self.warn(n, f"has no text or picture to import; called it '{title}'")
            out["title"] = title
            if subtitle:
                out["subtitle"] = subtitle
        if pictures:
            out["images"] = pictures
        if notes:
            out["notes"] = notes
        return out

    def shape(self, shape, n: int, paragraphs: list, pictures: list) -> str:
        """Take what a shape holds; return what it was: title, subtitle, text, picture, drawn."""
        from pptx.enum.shapes import MSO_SHAPE_TYPE, PP_PLACEHOLDER
        from pptx.shapes.picture import Movie, Picture
        shape_type = _type(shape)
        if shape_type == MSO_SHAPE_TYPE.GROUP:
            kinds = [self.shape(s, n, paragraphs, pictures) for s in shape.shapes]
            return "picture" if kinds and all(k == "picture" for k in kinds) else "drawn"
        if shape.is_placeholder and shape.has_text_frame:
            ph = shape.placeholder_format.type
            if ph in (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE,
                      PP_PLACEHOLDER.VERTICAL_TITLE):
                return "title" if _clean(shape.text_frame.text) else "empty"
            if ph == PP_PLACEHOLDER.SUBTITLE and _clean(shape.text_frame.text):
                return "subtitle"
            if ph in (PP_PLACEHOLDER.DATE, PP_PLACEHOLDER.FOOTER, PP_PLACEHOLDER.SLIDE_NUMBER,
                      PP_PLACEHOLDER.HEADER):
                return "empty"
        if isinstance(shape, Movie) or _is_media(shape):
            self.warn(n, f"{_name(shape)}: embedded video or sound is not carried over")
            return "drawn"
        if isinstance(shape, Picture):
            picture = self.picture(shape, n, len(pictures) + 1)
            if picture:
                pictures.append(picture)
                return "picture"
            return "drawn"
        if getattr(shape, "has_chart", False):
            chart = shape.chart
            name = _clean(chart.chart_title.text_frame.text) if chart.has_title else ""
            self.warn(n, f"chart{' ' + repr(name) if name else ''} is not carried over; "
                         f"export it as a picture and add it to the slide's images")
            return "drawn"
        if getattr(shape, "has_table", False):
            rows, cols = len(shape.table.rows), len(shape.table.columns)
            self.warn(n, f"table ({rows} rows, {cols} columns) is not carried over; "
                         f"make it bullets or a picture")
            return "drawn"
        if shape_type is None and shape._element.tag.endswith("graphicFrame"):
            uri = getattr(shape._element, "graphicData_uri", "")
            what = "SmartArt diagram" if uri == _SMARTART else "embedded object"
            self.warn(n, f"{what} is not carried over; export it as a picture")
            return "drawn"
        if shape_type in (MSO_SHAPE_TYPE.EMBEDDED_OLE_OBJECT, MSO_SHAPE_TYPE.LINKED_OLE_OBJECT):
            self.warn(n, "embedded object is not carried over; export it as a picture")
            return "drawn"
        if shape.has_text_frame and _clean(shape.text_frame.text):
            base = min((p.level for p in shape.text_frame.paragraphs if _clean(p.text)), default=0)
            for p in shape.text_frame.paragraphs:
                text = _clean(p.text)
                if text:
                    paragraphs.append((text, p.level - base))
            return "text"
        return "drawn"

    def picture(self, shape, n: int, k: int) -> dict | None:
        try:
            image = shape.image
            blob, ext = image.blob, image.ext
        except DecompressionBombError:
            self.warn(n, f"{_name(shape)}: the picture is far too large to open; skipped")
            return None
        except Exception:  # noqa: BLE001 - a linked picture, a missing or unreadable part
            linked = not shape._element.xpath(".//a:blip/@r:embed")
            why = ("the picture is linked, not embedded; not carried over" if linked
                   else "the picture cannot be read; skipped")
            self.warn(n, f"{_name(shape)}: {why}")
            return None
        if ext.lower() in ("emf", "wmf"):
            self.warn(n, f"{_name(shape)}: EMF/WMF pictures cannot be shown; "
                         f"save it as PNG and add it to the slide's images")
            return None
        digest = hashlib.sha256(blob).hexdigest()
        src = self.by_hash.get(digest)
        if src is None:
            fitted = fit_picture(blob, ext)
            if fitted is None:
                self.warn(n, f"{_name(shape)}: the picture ({len(blob):,} bytes) is too large "
                             f"or unreadable; skipped")
                return None
            if fitted.note:
                self.warn(n, f"{_name(shape)}: {fitted.note} to fit the deck's limits")
            src = f"images/slide-{n}-{k}.{fitted.ext}"
            self.out.files[src] = fitted.data
            self.by_hash[digest] = src
        cnv = shape._element.xpath("./*[1]/p:cNvPr")
        descr = _clean(cnv[0].get("descr", "") or cnv[0].get("title", "")) if cnv else ""
        if _FILE_NAME.match(descr):  # what PowerPoint writes when nobody described it
            descr = ""
        alt = descr or _clean(shape.name or "") or f"Picture {k} of slide {n}"
        if not descr:
            self.warn(n, f"{_name(shape)} has no description; its alt text is {alt!r}: "
                         f"describe it in the deck")
        return {"src": src, "alt": alt}

    def placeholder(self, n: int, title: str, slide) -> dict:
        """Stand in for a picture of the whole slide: an SVG of its shapes' outlines."""
        src = f"images/slide-{n}.svg"
        self.out.files[src] = _placeholder_svg(n, title, slide, self.width, self.height)
        self.warn(n, f"is mostly graphics and nothing here can render a slide as a picture "
                     f"(no LibreOffice): {src} is a placeholder; export the slide as PNG from "
                     f"PowerPoint and put it in its place")
        return {"src": src, "alt": f"Slide {n}" + (f": {title}" if title else "")}

    def share(self, shape) -> float:
        try:
            w, h = max(0, shape.width or 0), max(0, shape.height or 0)
        except (AttributeError, ValueError):
            return 0.0
        return min(1.0, (w * h) / (self.width * self.height))

    def bullets(self, paragraphs: list[tuple[str, int]], n: int) -> list:
        out: list = []
        seen_top: set[str] = set()
        folded = False
        for text, level in paragraphs:
            if level >= MAX_LEVELS:
                folded = True
                level = MAX_LEVELS - 1
            if level == 0 or not out:
                if text in seen_top:
                    self.warn(n, f"bullet {text[:40]!r} repeats; kept once")
                    continue
                seen_top.add(text)
                out.append(text)
            else:
                if not isinstance(out[-1], list):
                    out.append([])
                if text in out[-1]:
                    self.warn(n, f"bullet {text[:40]!r} repeats; kept once")
                    continue
                out[-1].append(text)
        if folded:
            self.warn(n, "bullets deeper than two levels were moved up to the second level")
        return out

    def effects(self, slide, n: int) -> None:
        el = slide._element
        if el.xpath("./p:timing//p:par"):
            self.warn(n, "animations are not carried over")
        if el.xpath("./p:transition") or el.xpath("./*[local-name()='AlternateContent']"
                                                  "//*[local-name()='transition']"):
            self.warn(n, "the slide transition is not carried over")

    @staticmethod
    def notes(slide) -> str:
        if not slide.has_notes_slide:
            return ""
        frame = slide.notes_slide.notes_text_frame
        if frame is None:
            return ""
        return "\n".join(_clean(p.text) for p in frame.paragraphs).strip()


def _type(shape):
    try:
        return shape.shape_type
    except NotImplementedError:  # a shape python-pptx does not name
        return None


def _reading_order(shape) -> tuple[int, int]:
    try:
        return (shape.top or 0, shape.left or 0)
    except (AttributeError, ValueError):
        return (0, 0)


def _is_media(shape) -> bool:
    return any(shape._element.xpath(f".//*[local-name()='{tag}']") for tag in _MEDIA_TAGS)


def _name(shape) -> str:
    return repr(_clean(shape.name or "") or "a shape")


def _clean(text: str) -> str:
    text = (text or "").replace("\x0b", " ").replace("\r", "\n")
    return re.sub(r"[ \t]+", " ", _CONTROL.sub("", text)).strip()


def _one_line(text: str) -> str:
    """Return a title's lines as one (a line break in PowerPoint is for the layout)."""
    lines = [line for line in _clean(text).split("\n") if line.strip()]
    joiner = "" if lines and _CJK.search(lines[0][-1:]) else " "
    return joiner.join(line.strip() for line in lines)


def _flat(items) -> list[str]:
    return [x for item in items for x in (item if isinstance(item, list) else [item])]


def _stem(shown: str) -> str:
    return Path(shown).stem or "Imported deck"


def _placeholder_svg(n: int, title: str, slide, width: int, height: int) -> bytes:
    w, h = 1600, max(1, round(1600 * height / width))
    sx, sy = w / width, h / height
    boxes = []
    for shape in slide.shapes:
        try:
            x, y, bw, bh = (shape.left or 0) * sx, (shape.top or 0) * sy, \
                (shape.width or 0) * sx, (shape.height or 0) * sy
        except (AttributeError, ValueError):
            continue
        boxes.append(f'<rect x="{x:.0f}" y="{y:.0f}" width="{bw:.0f}" height="{bh:.0f}" rx="8" '
                     f'fill="#e2e8f0" stroke="#94a3b8" stroke-width="3"/>')
    heading = escape((f"Slide {n}" + (f": {title}" if title else ""))[:200])  # cut, then escape
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" '
            f'height="{h}" role="img" aria-label="{heading}">\n'
            f'<rect width="{w}" height="{h}" fill="#f8fafc"/>\n' + "\n".join(boxes) +
            f'\n<text x="{w / 2:.0f}" y="{h / 2 - 20:.0f}" text-anchor="middle" '
            f'font-family="sans-serif" font-size="44" fill="#0f172a">{heading}</text>\n'
            f'<text x="{w / 2:.0f}" y="{h / 2 + 40:.0f}" text-anchor="middle" '
            f'font-family="sans-serif" font-size="30" fill="#475569">Placeholder: export this '
            f'slide as a picture from PowerPoint and save it here</text>\n</svg>\n').encode()
