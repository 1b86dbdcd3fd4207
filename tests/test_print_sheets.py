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
