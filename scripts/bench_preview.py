"""How long after a save the live preview shows the change: `workshop preview` on a copy of a
deck, chromium on its page, the deck saved N times with a new word on slide 4.

    .venv/bin/python -m scripts.bench_preview [--deck decks/leaders-role.yaml] [--saves 15]
"""
from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if not __package__:
    raise SystemExit("run it from the repository root as a module: python -m scripts.bench_preview")

from tests.support.browser import chromium  # noqa: E402

TITLE = "From individual contributor to leader"  # slide 4 of the English leadership deck


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deck", default="decks/leaders-role.yaml")
    parser.add_argument("--saves", type=int, default=15)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    deck = folder / Path(args.deck).name
    shutil.copy(args.deck, deck)
    text = deck.read_text(encoding="utf-8")
    workshop = Path(sys.executable).with_name("workshop")
    proc = subprocess.Popen([str(workshop), "preview", str(deck), "--port", "0"],
                            stdout=subprocess.PIPE, text=True)
    times = []
    try:
        url = re.search(r"http://\S+/", proc.stdout.readline()).group(0)
        with chromium() as browser:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(url)
            page.wait_for_selector(".slide.is-current")
            for i in range(args.saves):
                marker = f"edit{i}x"
                started = time.monotonic()
                deck.write_text(text.replace(TITLE, f"{TITLE} {marker}", 1), encoding="utf-8")
                page.wait_for_function("m => document.querySelector('.slide.is-current')"
                                       "?.textContent.includes(m)", arg=marker, timeout=10_000)
                times.append(time.monotonic() - started)
                time.sleep(0.2)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)
    print(f"save -> shown: median {statistics.median(times):.2f} s, max {max(times):.2f} s "
          f"over {len(times)} saves")


if __name__ == "__main__":
    main()
