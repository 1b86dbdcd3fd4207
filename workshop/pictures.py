"""A deck's picture files: inside the deck's folder, and really the image their name says.

The deck checker (deck_file.py) asks `file_problem(folder, src)` of every image it lists, when
the deck loads. The path must stay inside the deck's folder (links too); a PNG or JPEG must
be one (Pillow reads its header, and a PNG's chunks are verified), at most MAX_PIXELS (a
small file can claim a huge canvas: a decompression bomb); an SVG must be XML whose root is
<svg>, with no DOCTYPE (so no entities, external or billion-laughs), no script, no event
handlers, and no reference to another file or address. So the projector, the phones and the
PDFs are only ever given pictures they can draw.
"""
from __future__ import annotations

import os
import re
import warnings
from xml.parsers import expat

from .deck import IMAGE_TYPES, MAX_IMAGE_BYTES

MAX_PIXELS = 40_000_000  # 40 megapixels: a large photo; decoded, about 160 MB
FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
_LOCAL_REF = re.compile(r"^\s*(#|data:image/(png|jpeg|gif);)", re.I)


def file_problem(folder: str, src: str) -> str | None:
    """Return why `src` cannot be one of a deck's pictures, or None: it must be a relative path
    that stays inside the deck's folder (links too), to a PNG, JPEG or SVG file of at most
    MAX_IMAGE_BYTES that really is the picture its name says."""
    shown = src[:80]
    posix = src.replace("\\", "/")
    if posix.startswith("/") or re.match(r"^[A-Za-z]:", posix) or "://" in posix:
        return (f"'{shown}' must be a path relative to the deck's folder, not an absolute path "
                f"or an address")
    if ".." in posix.split("/") or "\0" in posix:
        return f"'{shown}' leaves the deck's folder; images must be inside it"
    ext = os.path.splitext(posix)[1].lower()
    if ext not in IMAGE_TYPES:
        return f"'{shown}' is not a PNG, JPEG or SVG image (.png, .jpg, .jpeg, .svg)"
    root = os.path.realpath(folder)
    full = os.path.realpath(os.path.join(root, posix))
    if os.path.commonpath([root, full]) != root:
        return f"'{shown}' leads outside the deck's folder (a link?); images must be inside it"
    if not os.path.isfile(full):
        return f"no image file '{shown}' beside the deck"
    size = os.path.getsize(full)
    if size > MAX_IMAGE_BYTES:
        return f"'{shown}' is {size:,} bytes; an image is at most {MAX_IMAGE_BYTES:,}"
    wrong = problem(full, ext)
    return f"'{shown}' {wrong}" if wrong else None


def problem(path: str, ext: str) -> str | None:
    """Return why the file at `path` is not a usable picture of type `ext`, or None."""
    if ext == ".svg":
        return svg_problem(path)
    return raster_problem(path, FORMATS[ext])


def raster_problem(path: str, kind: str) -> str | None:
    """Return why a PNG or JPEG file is not one, or is too big to decode; None if it is fine."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            # Pillow warns of (and past twice its limit refuses) huge canvases; ours is lower
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path, formats=[kind]) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    return (f"is {width}x{height} pixels ({width * height / 1e6:.0f} megapixels); "
                            f"a picture is at most {MAX_PIXELS // 1_000_000} megapixels")
                if width < 1 or height < 1:
                    return "has no pixels"
                if kind == "PNG":
                    image.verify()  # every chunk's checksum: a truncated or damaged file fails
    except Image.DecompressionBombError:
        return (f"claims a canvas of over {2 * Image.MAX_IMAGE_PIXELS // 1_000_000} megapixels; "
                f"a picture is at most {MAX_PIXELS // 1_000_000}")
    except UnidentifiedImageError:
        return f"is not a {kind} image, whatever its name says"
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        return f"is a damaged {kind} image ({str(exc)[:80] or type(exc).__name__})"
    return None


class _Refused(Exception):
    """An SVG feature a deck's picture may not use."""


def svg_problem(path: str) -> str | None:
    """Return why a file is not a plain SVG drawing (XML, <svg> root, nothing external)."""
    root: list[str] = []

    def doctype(*_):
        raise _Refused("has a DOCTYPE; a picture's SVG may declare no DTD or entities")

    def entity(*_):
        raise _Refused("declares an entity; a picture's SVG may declare none")

    def start(name, attrs):
        ns, _, local = name.rpartition(" ")
        if not root:
            root.append(name)
            if local != "svg" or ns not in (SVG_NS, ""):
                raise _Refused(f"is XML but not SVG (its root is <{local}>)")
        if local == "script":
            raise _Refused("has a <script>; a picture may not run code")
        for key, value in attrs.items():
            attr = key.rpartition(" ")[2]
            if attr.lower().startswith("on"):
                raise _Refused(f"has an event handler ('{attr}'); a picture may not run code")
            if attr == "href" and value.strip() and not _LOCAL_REF.match(value):
                raise _Refused(f"refers to '{value.strip()[:60]}'; an SVG picture must hold "
                               f"everything it draws (no other file or address)")

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.ExternalEntityRefHandler = entity
    parser.StartElementHandler = start
    try:
        with open(path, "rb") as f:
            parser.ParseFile(f)
    except _Refused as exc:
        return str(exc)
    except expat.ExpatError as exc:
        return f"is not valid SVG: {expat.ErrorString(exc.code)} at its line {exc.lineno}"
    except (OSError, ValueError) as exc:
        return f"cannot be read ({exc})"
    return None if root else "is empty, not SVG"
