"""Write a deck file and the files beside it into a folder, all or nothing."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


class FolderError(Exception):
    """The folder cannot take the deck; the message is one line that says why."""


def write_folder(files: dict, out, stem: str, text: str, force: bool = False,
                 check=None) -> Path:
    """Write the deck text as OUT/STEM.md with its pictures, all or nothing; return its path.

    Refuses a non-empty folder unless `force` (then only the deck file and its pictures are
    replaced). `check(path)` may validate the written deck before it takes the folder's place.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise FolderError(f"{out}: is a file; give a folder to write the deck into")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise FolderError(f"{out}: is not empty; choose an empty folder, or pass --force to "
                          f"replace the deck and its pictures there")
    parent = out.parent if str(out.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=parent))
    except OSError as exc:
        raise FolderError(f"{out}: cannot be written ({exc.strerror or exc})") from None
    try:
        deck = stage / f"{stem}.md"
        deck.write_text(text, encoding="utf-8")
        for name, data in files.items():
            (stage / name).parent.mkdir(parents=True, exist_ok=True)
            (stage / name).write_bytes(data)
        if check is not None:
            check(deck)
        if not out.exists() or not any(out.iterdir()):
            if out.exists():
                out.rmdir()
            os.replace(stage, out)
        else:
            for item in stage.iterdir():
                target = out / item.name
                if item.is_dir():
                    target.mkdir(exist_ok=True)
                    for sub in item.rglob("*"):
                        if sub.is_file():
                            os.replace(sub, target / sub.relative_to(item))
                else:
                    os.replace(item, target)
    except OSError as exc:
        raise FolderError(f"{out}: cannot be written ({exc.strerror or exc})") from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return out / f"{stem}.md"
