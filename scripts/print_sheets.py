"""Contact sheets of the printed PDFs, English and Chinese, for review and for the README.

Simulates a finished session of each leadership deck, builds its summary, its handouts with
the room's results and one participant's takeaway, renders every page at 100 dpi with
pdfium, and writes one contact sheet per PDF (pages side by side, in order) and the first
page of each into docs/print/.

    .venv/bin/python -m scripts.print_sheets [--out docs/print] [--participants 60]   # or `make print-sheets`
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import pypdfium2
from PIL import Image, ImageDraw

from handouts import build_handouts, build_summary, build_takeaway, load_results
from workshop.deck_file import load_deck
from workshop.simulate import simulate
from workshop.store import open_store

ROOT = Path(__file__).resolve().parent.parent
DECKS = {"en": ROOT / "decks" / "leaders-role.yaml", "zh": ROOT / "decks" / "leaders-role.zh.yaml"}
DPI = 100
COLUMNS = 6
THUMB_WIDTH = 260  # pixels of one page on a contact sheet (an A4 page at 100 dpi is 827)
GAP = 16


def pages(pdf: bytes, dpi: int = DPI) -> list[Image.Image]:
    """Render every page of a PDF to an RGB image."""
    doc = pypdfium2.PdfDocument(pdf)
    try:
        return [page.render(scale=dpi / 72).to_pil().convert("RGB") for page in doc]
    finally:
        doc.close()


def contact_sheet(images: list[Image.Image]) -> Image.Image:
    """Lay pages out in rows of COLUMNS, each THUMB_WIDTH wide, numbered, on grey."""
    thumbs = [im.resize((THUMB_WIDTH, round(im.height * THUMB_WIDTH / im.width)), Image.LANCZOS)
              for im in images]
    height = max(t.height for t in thumbs)
    rows = (len(thumbs) + COLUMNS - 1) // COLUMNS
    columns = min(COLUMNS, len(thumbs))
    sheet = Image.new("RGB", (GAP + columns * (THUMB_WIDTH + GAP), GAP + rows * (height + GAP + 14)),
                      (226, 230, 236))
    draw = ImageDraw.Draw(sheet)
    for n, thumb in enumerate(thumbs):
        x = GAP + (n % COLUMNS) * (THUMB_WIDTH + GAP)
        y = GAP + (n // COLUMNS) * (height + GAP + 14)
        sheet.paste(thumb, (x, y + 14))
        draw.text((x, y), str(n + 1), fill=(60, 70, 90))
    return sheet


def save(image: Image.Image, path: Path) -> None:
    """Save a page image small: 64 colours are plenty for print proofs in the repository."""
    image.quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


def build(lang: str, participants: int, workdir: Path) -> dict[str, bytes]:
    """Return the three PDFs of a simulated session of the deck in one language."""
    deck = load_deck(DECKS[lang])
    store = open_store(str(workdir / f"{lang}.db"))
    try:
        session = simulate(store, deck, DECKS[lang], participants, seed=7)
        results = load_results(store, deck, session)
        someone = max(results.participants,  # the one who answered most: a full takeaway
                      key=lambda p: sum(p.id in by_person for by_person in results.values.values()))
        return {"summary": build_summary(deck, results),
                "handouts": build_handouts(deck, results),
                "takeaway": build_takeaway(deck, results, someone.id)}
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "print")
    parser.add_argument("--participants", type=int, default=60)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for lang in DECKS:
            for name, pdf in build(lang, args.participants, Path(tmp)).items():
                images = pages(pdf)
                save(contact_sheet(images), args.out / f"{name}-{lang}.png")
                first = images[0]
                save(first.resize((first.width // 2, first.height // 2), Image.LANCZOS),
                     args.out / f"{name}-{lang}-page1.png")
                print(f"{name}-{lang}: {len(images)} pages")


if __name__ == "__main__":
    main()
