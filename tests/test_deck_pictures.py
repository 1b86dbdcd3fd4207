"""A deck's picture must really be the image its name says: checked inside when the deck loads."""
from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from tests.test_deck_images import PNG, deck_with, problems
from workshop import pictures
from workshop.deck_file import load_deck


def png_header_only(width: int, height: int) -> bytes:
    """Return a tiny, well-formed PNG that claims a canvas of width x height (a bomb)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))


def jpeg(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 80, 20)).save(out, "JPEG")
    return out.getvalue()


def deck_of(tmp_path, name: str, data: bytes):
    path = deck_with(tmp_path, f"      - src: pics/{name}\n        alt: x\n")
    (tmp_path / "pics" / name).write_bytes(data)
    return path


def refused(tmp_path, name: str, data: bytes) -> str:
    path = deck_of(tmp_path, name, data)
    [problem] = problems(path)
    assert problem.startswith(f"{path}:6: slide 1 (image) image 1: 'pics/{name}' ")
    return problem


GOOD_SVG = (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
            b'xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">'
            b'<defs><circle id="c" r="2"/></defs><use xlink:href="#c"/>'
            b'<text font-family="sans-serif">A &amp; B</text></svg>')


@pytest.mark.parametrize("name, data", [
    ("team.png", PNG), ("photo.jpg", jpeg()), ("photo.jpeg", jpeg()), ("plan.svg", GOOD_SVG),
])
def test_real_pictures_load(tmp_path, name, data):
    deck = load_deck(deck_of(tmp_path, name, data))
    assert deck.slides[0].images[0].src == f"pics/{name}"


@pytest.mark.parametrize("name, data, says", [
    ("team.png", b"just some text, not a picture", "is not a PNG image"),
    ("team.png", jpeg(), "is not a PNG image"),
    ("photo.jpg", PNG, "is not a JPEG image"),
    ("team.png", PNG[:-16], "damaged PNG"),
    ("team.png", PNG.replace(b"IDATx", b"IDATy"), "damaged PNG"),
    ("plan.svg", PNG, "is not valid SVG"),
])
def test_a_file_that_is_not_the_image_its_name_says_is_refused(tmp_path, name, data, says):
    assert says in refused(tmp_path, name, data)


def test_a_decompression_bomb_is_refused_with_its_line(tmp_path):
    bomb = png_header_only(50_000, 50_000)  # 2.5 gigapixels in a hundred bytes
    assert len(bomb) < 200
    problem = refused(tmp_path, "team.png", bomb)
    assert "megapixels" in problem


def test_a_picture_just_over_the_pixel_limit_is_refused_and_one_under_it_loads(tmp_path):
    over = refused(tmp_path, "team.png", png_header_only(8000, 5001))
    assert "8000x5001 pixels" in over and "at most 40 megapixels" in over
    assert pictures.raster_problem(str(_write(tmp_path, png_of(4000, 3000))), "PNG") is None


def png_of(width, height) -> bytes:
    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, "PNG")
    return out.getvalue()


def _write(tmp_path, data):
    path = tmp_path / "big.png"
    path.write_bytes(data)
    return path


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&lol2;</text></svg>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>"""


@pytest.mark.parametrize("data, says", [
    (BILLION_LAUGHS, "has a DOCTYPE"),
    (XXE, "has a DOCTYPE"),
    (b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/x.dtd">'
     b'<svg xmlns="http://www.w3.org/2000/svg"/>', "has a DOCTYPE"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "<script>"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "event handler"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
     b'<image x:href="file:///etc/passwd"/></svg>', "refers to 'file:///etc/passwd'"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><image href="../secret.png"/></svg>',
     "must hold everything it draws"),
    (b'<html><body>not a drawing</body></html>', "not SVG (its root is <html>)"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><g></svg>', "is not valid SVG: mismatched tag"),
    (b"", "is not valid SVG"),
])
def test_an_svg_with_a_dtd_script_or_outside_reference_is_refused(tmp_path, data, says):
    assert says in refused(tmp_path, "plan.svg", data)


def test_every_problem_names_the_file_and_says_what_it_is(tmp_path):
    problem = refused(tmp_path, "team.png", b"GIF89a...")
    assert problem.endswith("'pics/team.png' is not a PNG image, whatever its name says")


@pytest.mark.parametrize("svg, says", [
    (b'<svg xmlns="http://www.w3.org/2000/svg" width="abc" height="10"/>',
     "cannot be printed: ValueError"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="5" height="5"/></svg>',
     "cannot be printed: it has no size; give its <svg> a viewBox"),
])
def test_check_refuses_an_svg_the_pdfs_could_not_draw_with_its_line(tmp_path, svg, says):
    from click.testing import CliRunner

    from server.cli import cli
    path = deck_of(tmp_path, "plan.svg", svg)
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 1
    [line] = result.output.splitlines()
    assert line.startswith(f"{path}:6: slide 1 (image) image 1: 'pics/plan.svg' {says}")


def test_check_passes_the_shipped_diagrams():
    from handouts.pictures import undrawable
    from tests.conftest import ROOT
    for name in ("leaders-role.yaml", "leaders-role.zh.yaml"):
        deck = load_deck(ROOT / "decks" / name)
        assert len(deck.images()) == 4 and undrawable(deck) == []
