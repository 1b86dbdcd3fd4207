"""The join QR code: SVG for the projector, block characters for the terminal."""
from __future__ import annotations

import functools
import re
from html import escape

import qrcode
import qrcode.image.svg


@functools.lru_cache(maxsize=64)
def svg(data: str, label: str = "QR code to join") -> str:
    """Return the QR code of data as a standalone, scalable SVG document with an accessible name."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2,
                       image_factory=qrcode.image.svg.SvgPathFillImage)
    qr.add_data(data)
    text = qr.make_image().to_string(encoding="unicode")
    text = text.split("?>", 1)[-1].strip()  # drop the XML declaration to inline it in HTML
    # Size comes from the page's CSS; the viewBox keeps it square and sharp at any size.
    svg_open = f'<svg role="img" aria-label="{escape(label)}"'
    return re.sub(r'^<svg width="[^"]*" height="[^"]*"', lambda _: svg_open, text)


def terminal(data: str) -> str:
    """Return the QR code as lines of half blocks, dark on a light border, for a terminal."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_L, border=2)
    qr.add_data(data)
    qr.make(fit=True)
    m = qr.get_matrix()
    if len(m) % 2:
        m = m + [[False] * len(m[0])]
    # Light modules are drawn as full blocks so that the code reads on a dark terminal.
    chars = {(False, False): "█", (True, False): "▄", (False, True): "▀", (True, True): " "}
    return "\n".join("".join(chars[(m[y][x], m[y + 1][x])] for x in range(len(m[0])))
                     for y in range(0, len(m), 2))
