"""The projector and the console show a deck's pictures: loaded, inside the slide, with alt text.

Run with `pytest -m browser tests/test_browser_images.py`.
"""
from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.support.browser import browser  # noqa: F401 - the module's chromium, a fixture
from tests.support.browser import (CONSOLE_VIEWPORT, PageErrors, block_foreign,
                                   facilitator_context, start_server, wait_connected, wait_slide)
from tests.test_browser_a11y import severe_violations

pytestmark = pytest.mark.browser

SVG = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 400" width="600" height="400">
  <rect width="600" height="400" rx="24" fill="#1d4e89"/>
  <text x="300" y="215" text-anchor="middle" font-family="sans-serif" font-size="64"
        fill="#fff">Trust</text></svg>"""
DECK = """title: Pictures
slides:
  - kind: title
    title: Pictures
  - kind: bullets
    title: Three things
    bullets: ["**Trust** first", "A common goal", "Growing talent"]
    images: [{src: pics/trust.svg, alt: "The word Trust on a blue card"}]
    notes: "Point at the **card** & <b>not bold</b>\\nthen move on"
  - kind: image
    title: A very wide picture
    images: [{src: pics/wide.png, alt: A wide orange band}]
  - kind: image
    images:
      - {src: pics/tall.jpg, alt: A tall green column}
      - {src: pics/wide.png, alt: The orange band again}
"""


def picture(kind: str, size, color) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, kind)
    return out.getvalue()


@pytest.fixture(scope="module")
def server(browser, tmp_path_factory):
    folder = tmp_path_factory.mktemp("images")
    (folder / "pics").mkdir()
    (folder / "pics" / "trust.svg").write_text(SVG, encoding="utf-8")
    (folder / "pics" / "wide.png").write_bytes(picture("PNG", (4000, 500), (234, 88, 12)))
    (folder / "pics" / "tall.jpg").write_bytes(picture("JPEG", (300, 2400), (22, 163, 74)))
    (folder / "deck.yaml").write_text(DECK, encoding="utf-8")
    s = start_server(folder, folder / "deck.yaml")
    yield s
    s.kill()
    assert s.errors() == []


@pytest.fixture(scope="module")
def pages(browser, server):
    errors = PageErrors()
    laptop = facilitator_context(browser)
    foreign = block_foreign(laptop, server.base)
    projector = errors.watch(laptop.new_page(), "projector")
    projector.goto(server.urls["projector"])
    console = errors.watch(laptop.new_page(), "console")
    console.set_viewport_size(CONSOLE_VIEWPORT)
    console.goto(server.urls["console"])
    for page in (projector, console):
        wait_connected(page)
    fac = server.facilitator()
    yield projector, console, fac
    fac.close()
    laptop.close()
    assert errors.errors == [] and foreign == []


LOADED = """(root) => { const imgs = [...document.querySelectorAll(root + ' img.picture')];
  return imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth > 0); }"""


def goto(pages, index: int):
    projector, console, fac = pages
    assert fac.call("control", {"action": "goto", "slide": index})["ok"]
    wait_slide(projector, index)
    projector.wait_for_function(LOADED, arg=".slide.is-current")
    console.wait_for_function(LOADED, arg="#stage-current")


def boxes(page, root: str) -> tuple[dict, list[dict]]:
    """Return the slide's box and each picture's box, src, alt and natural width."""
    return page.evaluate("""(root) => {
      const box = (e) => { const r = e.getBoundingClientRect();
        return {x: r.left, y: r.top, right: r.right, bottom: r.bottom, w: r.width, h: r.height}; };
      const slide = document.querySelector(root);
      return [box(slide), [...slide.querySelectorAll('img.picture')].map((i) => ({
        ...box(i), src: i.getAttribute('src'), alt: i.getAttribute('alt'), natural: i.naturalWidth,
        fit: getComputedStyle(i).objectFit}))]; }""", root)


def inside(inner: dict, outer: dict, slack: float = 1.0) -> bool:
    return (inner["x"] >= outer["x"] - slack and inner["y"] >= outer["y"] - slack
            and inner["right"] <= outer["right"] + slack and inner["bottom"] <= outer["bottom"] + slack)


@pytest.mark.parametrize("index, alts", [
    (1, ["The word Trust on a blue card"]),
    (2, ["A wide orange band"]),
    (3, ["A tall green column", "The orange band again"]),
])
def test_the_projector_shows_each_picture_loaded_inside_the_slide_with_its_alt(pages, server, index, alts):
    projector = pages[0]
    goto(pages, index)
    slide, pictures = boxes(projector, ".slide.is-current")
    assert [p["alt"] for p in pictures] == alts
    for p in pictures:
        assert p["natural"] > 0 and p["fit"] == "contain"
        assert p["w"] > 50 and p["h"] > 50, p  # scaled to fit, not squeezed away
        assert inside(p, slide), (p, slide)
        assert p["src"].startswith(f"/j/{server.code}/media/pics/")


def test_a_picture_beside_bullets_leaves_the_text_its_room(pages):
    projector = pages[0]
    goto(pages, 1)
    bullets = projector.locator(".slide.is-current .slide__bullets").bounding_box()
    _, [pic] = boxes(projector, ".slide.is-current")
    assert bullets["x"] + bullets["width"] <= pic["x"] + 1
    assert projector.locator(".slide.is-current .slide__bullets strong").inner_text() == "Trust"


def test_the_console_notes_set_their_markdown_and_keep_html_as_text(pages):
    console = pages[1]
    goto(pages, 1)
    notes = console.get_by_test_id("notes")
    assert notes.locator("strong").inner_text() == "card"
    assert notes.inner_text() == "Point at the card & <b>not bold</b>\nthen move on"
    assert notes.locator("b").count() == 0


def test_the_picture_slide_shows_its_title_and_fills_the_slide(pages):
    projector = pages[0]
    goto(pages, 2)
    assert projector.locator(".slide.is-current .slide__title").inner_text() == "A very wide picture"
    slide, [wide] = boxes(projector, ".slide.is-current")
    assert wide["w"] > 0.7 * slide["w"]  # a wide picture takes the slide's width


def test_the_console_preview_shows_the_pictures(pages):
    console = pages[1]
    goto(pages, 3)
    slide, pictures = boxes(console, "#stage-current .slide")
    assert len(pictures) == 2 and all(p["natural"] > 0 and inside(p, slide) for p in pictures)
    assert "picture" in console.get_by_test_id("goto-3").inner_text().lower()  # kind.image


def test_picture_slides_pass_axe(pages):
    projector, console, _ = pages
    found = []
    for index in (1, 2, 3):
        goto(pages, index)
        found += severe_violations(projector, f"projector slide {index}")
    found += severe_violations(console, "console picture slide")
    assert not found, "\n".join(found)
