"""The contact sheets of the printed PDFs (scripts/print_sheets.py)."""
from __future__ import annotations

from PIL import Image

from scripts.print_sheets import COLUMNS, GAP, THUMB_WIDTH, contact_sheet, pages
from tests.test_handouts import mini  # noqa: F401 - a small simulated session, a fixture


def test_a_contact_sheet_lays_pages_out_in_rows_in_order():
    red, blue = Image.new("RGB", (827, 1169), "red"), Image.new("RGB", (827, 1169), "blue")
    sheet = contact_sheet([red] * COLUMNS + [blue])
    assert sheet.width == GAP + COLUMNS * (THUMB_WIDTH + GAP)
    rows_y = GAP + 14 + 5
    assert sheet.getpixel((GAP + 5, rows_y))[0] > 200  # first page, first row: red
    second_row = rows_y + round(1169 * THUMB_WIDTH / 827) + GAP + 14
    assert sheet.getpixel((GAP + 5, second_row))[2] > 200  # the seventh page starts row two: blue


def test_every_page_of_a_pdf_is_rendered(mini):
    from handouts import build_summary
    deck, results, _ = mini
    images = pages(build_summary(deck, results))
    assert len(images) >= 2 and all(im.width == round(595.27 * 100 / 72) for im in images)


def test_the_readme_shows_print_pages_that_are_there():
    import re
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent
    shown = re.findall(r'src="(docs/print/[^"]+\.png)"', (root / "README.md").read_text(encoding="utf-8"))
    assert len(shown) == 3
    for path in shown:
        with Image.open(root / path) as image:
            assert image.width >= 400 and image.height > image.width  # a portrait page
    sheets = sorted(p.name for p in (root / "docs" / "print").glob("*.png"))
    assert [s for s in sheets if not s.endswith("page1.png")] == [
        f"{name}-{lang}.png" for name in ("handouts", "summary", "takeaway") for lang in ("en", "zh")]
