"""A deck's pictures in the handouts and takeaway PDFs: embedded, drawn, scaled to fit."""
from __future__ import annotations

import io

import pypdf
import pytest
from PIL import Image

from handouts import build_handouts, build_takeaway, load_results
from tests.test_handouts import MINI_DECK, make_session, pdf_text, render, ticking_clock
from workshop.deck_file import load_deck
from workshop.store import open_store

RED, GREEN, MAGENTA = (255, 0, 0), (0, 170, 0), (192, 38, 211)
SVG = f"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 800 400" width="800" height="400">
  <rect x="0" y="0" width="800" height="300" fill="rgb{MAGENTA}"/>
  <text x="40" y="370" font-family="sans-serif" font-size="48" font-weight="bold">Trust grows 信任</text>
</svg>"""


def raster(kind: str, color, size) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, kind)
    return out.getvalue()


def pictured_deck(tmp_path):
    """The tests' mini deck with a picture slide, an SVG beside bullets, a poll's and a
    scenario's picture."""
    pics = tmp_path / "pics"
    pics.mkdir()
    (pics / "pear.png").write_bytes(raster("PNG", RED, (120, 80)))
    (pics / "office.jpg").write_bytes(raster("JPEG", GREEN, (3000, 2000)))
    (pics / "growth.svg").write_text(SVG, encoding="utf-8")
    text = MINI_DECK.format(language="en")
    text = text.replace("    bullets: [Get results, Build the team, Hire and fire]\n",
                        "    bullets: [Get results, Build the team, Hire and fire]\n"
                        "    images: [{src: pics/growth.svg, alt: Trust growing over time}]\n"
                        "  - kind: image\n    title: The office\n"
                        "    images: [{src: pics/office.jpg, alt: An open-plan office}]\n")
    text = text.replace("  - kind: poll\n    poll:\n      id: pick\n",
                        "  - kind: poll\n    images: [{src: pics/pear.png, alt: A pear, phone: true}]\n"
                        "    poll:\n      id: pick\n")
    text = text.replace("    story: Wang takes over a team that does not talk.\n",
                        "    story: Wang takes over a team that does not talk.\n"
                        "    images: [{src: pics/office.jpg, alt: The quiet office}]\n")
    path = tmp_path / "deck.yaml"
    path.write_text(text, encoding="utf-8")
    return load_deck(path)


def image_xobjects(data: bytes) -> list[tuple[int, int, int]]:
    """Return (page, width, height) of every image the PDF's pages draw."""
    found = []
    for number, page in enumerate(pypdf.PdfReader(io.BytesIO(data)).pages):
        xobjects = page.get("/Resources", {}).get("/XObject", {})
        for ref in xobjects.values():
            obj = ref.get_object()
            if obj.get("/Subtype") == "/Image":
                found.append((number, int(obj["/Width"]), int(obj["/Height"])))
    return found


def pixels_of(data: bytes, color, tolerance=40) -> int:
    """Return how many pixels of the rendered pages are near a colour."""
    count = 0
    for page in render_rgb(data):
        for r, g, b in page.get_flattened_data():
            if abs(r - color[0]) + abs(g - color[1]) + abs(b - color[2]) < tolerance:
                count += 1
    return count


def render_rgb(data: bytes):
    import pypdfium2
    doc = pypdfium2.PdfDocument(data)
    try:
        return [doc[n].render(scale=0.5).to_pil().convert("RGB") for n in range(len(doc))]
    finally:
        doc.close()


@pytest.fixture
def deck(tmp_path):
    return pictured_deck(tmp_path)


def office(sizes) -> list[tuple[int, int]]:
    """Return the embedded sizes of the 3000x2000 office photo (3:2, scaled down)."""
    return [(w, h) for w, h in sizes if w > 200 and abs(w / h - 1.5) < 0.01]


def test_handouts_embed_each_png_and_jpeg_picture(deck):
    data = build_handouts(deck, invariant=True)
    sizes = {(w, h) for _, w, h in image_xobjects(data)}
    assert (120, 80) in sizes and office(sizes)


def test_a_big_photo_is_embedded_at_print_resolution_not_its_own(deck):
    from handouts.pictures import MAX_HEIGHT, PRINT_DPI
    data = build_handouts(deck, invariant=True)
    [(w, h)] = set(office((w, h) for _, w, h in image_xobjects(data)))
    printed_inches = MAX_HEIGHT / 25.4  # the photo is as tall as a picture may be
    assert h == pytest.approx(printed_inches * PRINT_DPI, abs=2)
    assert w < 3000 and len(data) < 1_000_000


def test_handouts_draw_the_pictures_pixels_scaled_to_the_page(deck):
    data = build_handouts(deck, invariant=True)
    assert pixels_of(data, RED) > 200  # the poll's pear
    green = pixels_of(data, GREEN)
    assert green > 5000  # the office, on the picture slide and the scenario
    # a 3000-pixel photo is scaled into the frame, never past the page
    for page in render_rgb(data):
        w, h = page.size
        edge = [page.getpixel((x, y)) for x in (2, w - 3) for y in range(0, h, 7)]
        assert not [p for p in edge if abs(p[1] - 170) < 30 and p[0] < 40]


def test_an_svg_is_drawn_as_vectors_with_its_text_in_embedded_faces(deck):
    data = build_handouts(deck, invariant=True)
    assert pixels_of(data, MAGENTA) > 2000
    assert "Trust grows 信任" in pdf_text(data)
    reader = pypdf.PdfReader(io.BytesIO(data))
    fonts = set()
    for page in reader.pages:
        for font in page.get("/Resources", {}).get("/Font", {}).values():
            font = font.get_object()
            fonts.add((str(font["/BaseFont"]), "/FontDescriptor" in font or
                       "/DescendantFonts" in font))
    assert not [name for name, embedded in fonts if "Helvetica" in name or not embedded], fonts


def test_takeaway_shows_the_pictures_of_its_scenarios_and_polls(deck, tmp_path):
    store = open_store(tmp_path / "w.db", clock=ticking_clock())
    try:
        people = make_session(store, deck)
        data = build_takeaway(deck, load_results(store, deck, "s1"), people[1].id, invariant=True)
    finally:
        store.close()
    sizes = [(w, h) for _, w, h in image_xobjects(data)]
    assert (120, 80) in sizes and office(sizes)
    assert pixels_of(data, RED) > 200 and pixels_of(data, GREEN) > 2000


def test_a_picture_spoiled_after_the_deck_loaded_prints_its_alt_text(deck, tmp_path):
    (tmp_path / "pics" / "pear.png").write_bytes(b"no longer a picture")
    (tmp_path / "pics" / "growth.svg").write_text("<svg", encoding="utf-8")
    text = pdf_text(build_handouts(deck, invariant=True))
    assert "A pear" in text and "Trust growing over time" in text
    assert "Which fruit is a pear?" in text
