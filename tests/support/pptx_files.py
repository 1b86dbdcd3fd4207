"""Build .pptx files with python-pptx itself, and hostile ones with zipfile, for import tests."""
from __future__ import annotations

import io
import os
import struct
import zlib
import zipfile
from pathlib import Path

from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.enum.chart import XL_CHART_TYPE
from pptx.enum.shapes import MSO_SHAPE
from pptx.oxml import parse_xml
from pptx.util import Emu, Inches

from PIL import Image

TITLE, TITLE_AND_CONTENT, TITLE_ONLY, BLANK = 0, 1, 5, 6
_NS = ('xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" '
       'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"')
SMARTART = (f'<p:graphicFrame {_NS}><p:nvGraphicFramePr><p:cNvPr id="90" name="Diagram 1"/>'
            '<p:cNvGraphicFramePr/><p:nvPr/></p:nvGraphicFramePr><p:xfrm><a:off x="0" y="0"/>'
            '<a:ext cx="914400" cy="914400"/></p:xfrm><a:graphic><a:graphicData '
            'uri="http://schemas.openxmlformats.org/drawingml/2006/diagram"/></a:graphic>'
            '</p:graphicFrame>')
TRANSITION = f'<p:transition {_NS} spd="med"><p:fade/></p:transition>'
TIMING = (f'<p:timing {_NS}><p:tnLst><p:par><p:cTn id="1" dur="indefinite" restart="never" '
          'nodeType="tmRoot"/></p:par></p:tnLst></p:timing>')


def png(width=64, height=48, color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def noisy_png(width: int, height: int) -> bytes:
    """A PNG that does not compress: random pixels."""
    out = io.BytesIO()
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(out, "PNG")
    return out.getvalue()


def emf() -> bytes:
    """The header of an EMF drawing (what Windows charts and clip art often are)."""
    head = struct.pack("<II4i4i4sIIIHHII", 1, 88, 0, 0, 99, 99, 0, 0, 2000, 2000, b" EMF",
                       0x10000, 88, 1, 1, 0, 0, 0)
    return head + bytes(88 - len(head))


def gif() -> bytes:
    out = io.BytesIO()
    Image.new("P", (40, 30), 3).save(out, "GIF")
    return out.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A PNG that says it is width x height: a few hundred bytes that would take gigabytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(bytes(1000))) + chunk(b"IEND", b""))


def talk(path: Path) -> Path:
    """A small talk: a title slide, bullets at two levels (and a third), notes, a picture
    with a description, a chart, a table, an all-picture slide and a slide of shapes."""
    prs = Presentation()
    s = prs.slides.add_slide(prs.slide_layouts[TITLE])
    s.shapes.title.text = "Leading teams"
    s.placeholders[1].text = "A short talk"
    s.notes_slide.notes_text_frame.text = "Welcome everyone."

    s = prs.slides.add_slide(prs.slide_layouts[TITLE_AND_CONTENT])
    s.shapes.title.text = "Why trust matters"
    body = s.placeholders[1].text_frame
    body.text = "Trust speeds things up"
    for text, level in (("Fewer meetings", 1), ("Faster decisions", 1), ("Even faster", 2),
                        ("Trust is built slowly", 0)):
        p = body.add_paragraph()
        p.text, p.level = text, level
    s.notes_slide.notes_text_frame.text = "Ask for an example.\nThen move on."
    pic = s.shapes.add_picture(io.BytesIO(png()), Inches(7), Inches(5), Inches(2), Inches(1.5))
    pic._element.nvPicPr.cNvPr.set("descr", "A red square")

    s = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY])
    s.shapes.title.text = "Results so far"
    data = CategoryChartData()
    data.categories = ["Q1", "Q2"]
    data.add_series("Sales", (1.0, 2.0))
    s.shapes.add_chart(XL_CHART_TYPE.COLUMN_CLUSTERED, Inches(1), Inches(2), Inches(4), Inches(3), data)
    s.shapes.add_table(2, 3, Inches(5), Inches(2), Inches(4), Inches(2))

    s = prs.slides.add_slide(prs.slide_layouts[BLANK])
    half = Emu(prs.slide_width // 2)
    s.shapes.add_picture(io.BytesIO(png(color=(0, 90, 200))), 0, 0, half, prs.slide_height)
    s.shapes.add_picture(io.BytesIO(png(color=(0, 160, 60))), half, 0, half, prs.slide_height)

    s = prs.slides.add_slide(prs.slide_layouts[BLANK])
    s.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, 0, prs.slide_width, Emu(prs.slide_height * 3 // 4))
    s.shapes.add_shape(MSO_SHAPE.OVAL, Inches(1), Inches(6), Inches(1), Inches(1)).text = "Go"

    s = prs.slides.add_slide(prs.slide_layouts[TITLE_AND_CONTENT])
    s.shapes.title.text = "Homework"
    s.placeholders[1].text_frame.text = "Write down one thing to try"
    s.shapes.add_movie(io.BytesIO(b"not really a film"), Inches(8), Inches(6), Inches(1), Inches(1),
                       mime_type="video/mp4", poster_frame_image=io.BytesIO(png()))
    s.shapes._spTree.append(parse_xml(SMARTART))
    s._element.append(parse_xml(TRANSITION))
    s._element.append(parse_xml(TIMING))
    prs.save(path)
    return path


def with_picture(path: Path, blob: bytes, descr: str = "") -> Path:
    """A one-slide deck with a title and one picture."""
    prs = Presentation()
    s = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY])
    s.shapes.title.text = "A picture"
    pic = s.shapes.add_picture(io.BytesIO(blob), Inches(1), Inches(2), Inches(4), Inches(3))
    if descr:
        pic._element.nvPicPr.cNvPr.set("descr", descr)
    prs.save(path)
    return path


def rezip(source: Path, target: Path, change) -> Path:
    """Copy a .pptx part by part, letting change(name, data) return new data (or None to drop)."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = change(info.filename, src.read(info))
            if data is not None:
                dst.writestr(info.filename, data)
    return target


def zip_bomb(source: Path, target: Path, megabytes: int = 300) -> Path:
    """A real .pptx with one extra part of MEGABYTES of zeros (a thousandth of it compressed)."""
    rezip(source, target, lambda name, data: data)
    with zipfile.ZipFile(target, "a", zipfile.ZIP_DEFLATED) as z:
        with z.open("ppt/media/bomb.bin", "w", force_zip64=True) as f:
            chunk = bytes(1 << 20)
            for _ in range(megabytes):
                f.write(chunk)
    return target
