"""Check a .pptx before python-pptx opens it, and bring its pictures within the deck's limits.

A .pptx is a zip of XML parts. Everything here looks at the archive's own declarations
(names, sizes, compression) and parses each XML part with entities off, so a hostile file
is refused with one clear line before a library spends memory on it.
"""
from __future__ import annotations

import io
import re
import warnings
import zipfile
from dataclasses import dataclass

from lxml import etree

from .deck import MAX_IMAGE_BYTES

MAX_TOTAL_BYTES = 200_000_000  # the whole archive, uncompressed
MAX_RATIO = 100  # uncompressed / compressed, per part: a zip bomb's ratio is in the thousands
RATIO_FLOOR = 1_000_000  # smaller parts may compress well (repeated XML) without harm
MAX_PARTS = 10_000
MAX_XML_BYTES = 50_000_000  # one XML part
MAX_PIXELS = 40_000_000  # a picture larger than this is scaled down
MAX_OPEN_PIXELS = 120_000_000  # beyond this a picture is not even decoded (memory: 4 bytes a pixel)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # PowerPoint 97-2003, and encrypted .pptx
_DRIVE = re.compile(r"^[A-Za-z]:")


class PptxError(Exception):
    """A file that cannot be imported; the message is one line that says why."""


def check_archive(path, shown: str) -> None:
    """Raise PptxError unless the file is a plausible, bounded .pptx with well-formed XML."""
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise PptxError(f"{shown}: no such file") from None
    except IsADirectoryError:
        raise PptxError(f"{shown}: is a folder, not a .pptx file") from None
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        if _starts_with(path, OLE_MAGIC):
            raise PptxError(f"{shown}: is an old .ppt or a password-protected presentation; "
                            f"save it from PowerPoint as .pptx without a password") from None
        raise PptxError(f"{shown}: is not a PowerPoint file (not a zip archive); "
                        f"save it from PowerPoint as .pptx") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_PARTS:
            raise PptxError(f"{shown}: has {len(infos):,} parts; a presentation has at most "
                            f"{MAX_PARTS:,}")
        names = set()
        total = 0
        for info in infos:
            _check_name(info.filename, shown)
            names.add(info.filename)
            total += info.file_size
            if total > MAX_TOTAL_BYTES:
                raise PptxError(f"{shown}: unpacks to more than {MAX_TOTAL_BYTES // 1_000_000} MB; "
                                f"refused (a zip bomb?)")
            packed = max(info.compress_size, 1)
            if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * packed:
                raise PptxError(f"{shown}: part {_safe(info.filename)} is compressed "
                                f"{info.file_size // packed:,} to 1; "
                                f"refused (a zip bomb?)")
        if "[Content_Types].xml" not in names or "ppt/presentation.xml" not in names:
            raise PptxError(f"{shown}: is a zip archive but not a PowerPoint presentation "
                            f"(no ppt/presentation.xml)")
        for info in infos:
            if info.filename.endswith((".xml", ".rels")):
                _check_xml(archive, info, shown)


def _starts_with(path, magic: bytes) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(len(magic)) == magic
    except OSError:
        return False


def _check_name(name: str, shown: str) -> None:
    posix = name.replace("\\", "/")
    if (posix.startswith("/") or _DRIVE.match(posix) or ".." in posix.split("/")
            or "\0" in posix or name != posix):
        raise PptxError(f"{shown}: holds a part named {_safe(name)} that points outside the "
                        f"archive; refused")


def _check_xml(archive: zipfile.ZipFile, info: zipfile.ZipInfo, shown: str) -> None:
    if info.file_size > MAX_XML_BYTES:
        raise PptxError(f"{shown}: part {_safe(info.filename)} is {info.file_size:,} bytes of XML; "
                        f"refused")
    try:
        data = archive.read(info)  # zipfile stops at the declared size and checks the CRC
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise PptxError(f"{shown}: part {_safe(info.filename)} cannot be unpacked "
                        f"({_first_line(exc)})") from None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                             load_dtd=False)
    try:
        etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 1
        raise PptxError(f"{shown}: part {_safe(info.filename)} is broken XML (line {line}: "
                        f"{_first_line(exc.msg or exc)}); the file is damaged") from None


def _safe(name: str) -> str:
    return repr(name[:80])


def _first_line(exc) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:120]


@dataclass
class Picture:
    """A picture ready for the deck: its bytes, its extension, and what was done to it."""

    data: bytes
    ext: str  # png, jpg or svg
    note: str = ""  # why it was changed ("scaled down from 9000x6000"), for a warning


def fit_picture(blob: bytes, ext: str) -> Picture | None:
    """Return the picture as PNG or JPEG within the deck's limits, or None if it cannot be.

    PNG and JPEG pass unchanged when small enough; other formats Pillow reads (GIF, BMP,
    TIFF) become PNG; a picture over 5 MB or 40 megapixels is scaled down and re-encoded.
    """
    from PIL import Image as PILImage
    ext = ext.lower().lstrip(".")
    ext = "jpg" if ext == "jpeg" else ext
    try:
        with warnings.catch_warnings():
            # the size is checked below, before anything is decoded
            warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
            img = PILImage.open(io.BytesIO(blob))
            width, height = img.size
            if width * height > MAX_OPEN_PIXELS or not width or not height:
                return None
            fits = len(blob) <= MAX_IMAGE_BYTES and width * height <= MAX_PIXELS
            if ext in ("png", "jpg") and fits and img.format in ("PNG", "JPEG"):
                return Picture(blob, "png" if img.format == "PNG" else "jpg")
            saved_limit = PILImage.MAX_IMAGE_PIXELS
            PILImage.MAX_IMAGE_PIXELS = MAX_OPEN_PIXELS
            try:
                return _shrink(img, width, height)
            finally:
                PILImage.MAX_IMAGE_PIXELS = saved_limit
    except (OSError, ValueError, SyntaxError, PILImage.DecompressionBombError, MemoryError):
        return None


def _shrink(img, width: int, height: int) -> Picture | None:
    from PIL import Image as PILImage
    scale = min(1.0, (MAX_PIXELS / (width * height)) ** 0.5)
    photo = img.format == "JPEG"
    if photo and scale < 1:
        img.draft("RGB", (int(width * scale) + 1, int(height * scale) + 1))  # decode at a fraction
    img.load()
    alpha = img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)
    img = img.convert("RGBA" if alpha else "RGB")
    # drawings (PNG, GIF, BMP) stay PNG when that fits; photographs, and what is still too big, JPEG
    formats = ["PNG"] if alpha else (["JPEG"] if photo else ["PNG", "JPEG"])
    note = ""
    for step in range(6):
        if scale < 1 or img.width * img.height > MAX_PIXELS:
            size = (max(1, int(width * scale)), max(1, int(height * scale)))
            img = img.resize(size, PILImage.Resampling.LANCZOS)
            note = f"scaled down from {width}x{height} to {size[0]}x{size[1]}"
        for fmt in formats:
            out = io.BytesIO()
            if fmt == "PNG":
                img.save(out, "PNG", optimize=True)
            else:
                img.save(out, "JPEG", quality=85, optimize=True)
            if out.tell() <= MAX_IMAGE_BYTES:
                return Picture(out.getvalue(), "png" if fmt == "PNG" else "jpg",
                               note or f"converted to {fmt}")
        scale = min(scale, 1.0) * 0.7
    return None
