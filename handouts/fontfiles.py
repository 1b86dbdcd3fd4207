"""The font files the PDFs embed: Noto faces from two PyPI packages, static instances made once.

manimgx-fonts ships Noto Sans (upright and italic), Noto Emoji (monochrome), Noto Sans Symbols
and Noto Sans for Arabic, Hebrew, Devanagari, Thai and fifteen more scripts; justmytype-intl-cjk
ships Google Fonts' Noto Sans SC and KR. All are SIL OFL 1.1 (embedding allowed, fsType 0) and
all have TrueType (glyf) outlines, which ReportLab's TTFont needs; the Noto CJK OTC files
elsewhere are CFF and cannot be embedded by ReportLab.

Every file is a variable font. ReportLab reads a variable font's default instance, which is
Regular (400) for the manimgx files but Thin (100) for the CJK ones; so the faces we need at
another weight (Latin bold and bold italic, Chinese regular and bold, Korean regular) are cut
once with fontTools' instancer and kept in a cache folder (`prepare()`, which `make install`
runs: a minute or two, once per environment; a missing one is made on first use).
"""
from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path

_PACKAGES = {"manimgx_fonts": "manimgx-fonts", "justmytype_intl_cjk": "justmytype-intl-cjk"}


class FontsMissing(RuntimeError):
    """The font packages are not installed (or not readable)."""


@dataclass(frozen=True)
class FontFile:
    package: str  # the importable package that ships the file
    file: str  # its path inside the package
    weight: int | None = None  # a static instance at this weight; None: the file as shipped

    @property
    def source(self) -> Path:
        """Return the shipped (variable) font file."""
        try:
            path = Path(str(resources.files(self.package) / self.file))
        except ModuleNotFoundError:
            path = None
        if path is None or not path.is_file():
            name = _PACKAGES.get(self.package, self.package)
            raise FontsMissing(f"the PDF fonts are missing ({name}/{self.file}): run `make "
                               f"install`, or pip install {name}")
        return path

    def cached(self) -> Path:
        """Return where the static instance is kept (named after the package's version)."""
        version = metadata.version(_PACKAGES[self.package])
        name = f"{Path(self.file).name.split('[')[0]}-{self.weight}-{version}.ttf"
        for folder in _cache_folders(self.source):
            if (folder / name).is_file():
                return folder / name
        return cache_folder(self.source) / name

    def path(self) -> Path:
        """Return the file ReportLab should load, making the static instance if it is missing."""
        if self.weight is None:
            return self.source
        target = self.cached()
        if not target.is_file():
            make_instance(self.source, self.weight, target)
        return target


def _cache_folders(source: Path) -> list[Path]:
    """Return where static instances may be: beside the environment that has the font
    package (a venv that borrows another's packages finds its instances too), this
    environment, the user's cache."""
    folders = []
    package_dir = source.resolve().parent
    for parent in package_dir.parents:  # <prefix>/lib/pythonX.Y/site-packages/<package>
        if parent.name == "lib" and parent.parent != Path("/"):
            folders.append(parent.parent / "share" / "workshop-kit" / "fonts")
            break
    folders.append(Path(sys.prefix) / "share" / "workshop-kit" / "fonts")
    folders.append(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
                   / "workshop-kit" / "fonts")
    return list(dict.fromkeys(folders))


def cache_folder(source: Path) -> Path:
    """Return the first writable folder for static instances (made if need be)."""
    for folder in _cache_folders(source):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(folder, os.W_OK):
            return folder
    raise FontsMissing("no writable folder for the font cache: set XDG_CACHE_HOME")


def make_instance(source: Path, weight: int, target: Path) -> None:
    """Write the static instance of a variable font at `weight` (atomically: workers race)."""
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    font = instancer.instantiateVariableFont(TTFont(source), {"wght": weight})
    rename(font, Path(source).name.split("[")[0], weight)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    os.close(fd)
    try:
        font.save(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def rename(font, stem: str, weight: int) -> None:
    """Name a static instance for its weight: the instancer keeps the default's (Thin for CJK).

    The PostScript name is what PDF readers and preflight show (NotoSansSC-Bold).
    """
    family, _, rest = stem.partition("-")
    style = {400: "Regular", 700: "Bold"}.get(weight, str(weight))
    if "Italic" in rest:
        style = "Italic" if weight == 400 else f"{style}Italic"
    table = font["name"]
    table.removeNames(nameID=6)
    table.setName(f"{family}-{style}", 6, 3, 1, 0x409)
    table.setName(f"{family}-{style}", 6, 1, 0, 0)
    table.setName(style, 2, 3, 1, 0x409)


def prepare(files) -> list[Path]:
    """Make every missing static instance (two at a time: the CJK ones take half a minute)."""
    from concurrent.futures import ProcessPoolExecutor

    todo = [f for f in files if f.weight is not None and not f.cached().is_file()]
    if len(todo) > 1:
        with ProcessPoolExecutor(2) as pool:
            list(pool.map(make_instance, [f.source for f in todo], [f.weight for f in todo],
                          [f.cached() for f in todo]))
    return [f.path() for f in files]
