"""The join QR code, as the terminal draws it and as the projector shows it."""
from __future__ import annotations

import io

import pytest
import zxingcpp
from PIL import Image

from server import qr

URL = "http://192.168.1.20:5000/j/K7QM2X"
# Light modules are drawn, dark ones left blank: (top light, bottom light) per character.
HALVES = {"█": (1, 1), "▀": (1, 0), "▄": (0, 1), " ": (0, 0)}


def terminal_image(text: str, scale: int = 8) -> Image.Image:
    rows = []
    for line in text.splitlines():
        top, bottom = zip(*(HALVES[ch] for ch in line))
        rows += [top, bottom]
    img = Image.new("L", (len(rows[0]), len(rows)))
    img.putdata([255 if light else 0 for row in rows for light in row])
    quiet = Image.new("L", (img.width + 8, img.height + 8), 255)
    quiet.paste(img, (4, 4))
    return quiet.resize((quiet.width * scale, quiet.height * scale), Image.NEAREST)


def test_terminal_qr_code_decodes_to_the_join_url():
    found = zxingcpp.read_barcodes(terminal_image(qr.terminal(URL)))
    assert [r.text for r in found] == [URL]


def test_svg_qr_code_is_inline_ready_and_named():
    svg = qr.svg(URL)
    assert svg.startswith('<svg role="img" aria-label="QR code to join"')
    assert "<?xml" not in svg and 'width="' not in svg.split(">", 1)[0]


@pytest.mark.parametrize("label", ['"><script>', "Scan & join"])
def test_svg_label_is_escaped(label):
    assert "<script>" not in qr.svg(URL, label) and "&amp;" in qr.svg(URL, "Scan & join")
