"""The live preview in a browser: a save shows within a second or so, a broken save lists its
problem with the line while the last good slide stays, and a poll shows simulated bars."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.browser import browser  # noqa: F401 - the module's chromium, a fixture
from tests.support.browser import PageErrors

pytestmark = pytest.mark.browser

DECK = """---
title: Browser preview
---

# Browser preview
## First version

Notes:
Welcome the room.

---

# Points

- Alpha
- Beta

---

```poll
id: pick
type: choice
question: Which one?
options: [Red, Green, Blue]
```
"""


def save(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


@pytest.fixture
def preview(tmp_path):
    deck = tmp_path / "talk.md"
    save(deck, DECK)
    workshop = Path(sys.executable).with_name("workshop")
    proc = subprocess.Popen([str(workshop), "preview", str(deck), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        match = re.search(r"http://127\.0\.0\.1:\d+/", proc.stdout.readline())
        assert match
        yield deck, match.group(0)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def current(page):
    return page.locator(".slide.is-current")


def test_preview_follows_saves_and_keeps_the_last_good_slide(browser, preview):  # noqa: F811
    deck, url = preview
    errors = PageErrors()
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = errors.watch(context.new_page(), "preview")
    page.goto(url)
    page.wait_for_selector(".slide.is-current .slide__title")
    assert current(page).locator(".slide__title").inner_text() == "Browser preview"
    assert page.get_by_test_id("preview-notes").inner_text() == "Welcome the room."
    assert page.get_by_test_id("preview-count").inner_text() == "Slide 1 of 3"
    page.get_by_test_id("preview-status").filter(has_text="Checked").wait_for()

    # a save shows within about a second, on the slide that changed
    started = time.monotonic()
    save(deck, DECK.replace("- Beta", "- Beta, edited"))
    page.wait_for_function("() => document.querySelector('.slide.is-current')"
                           "?.textContent.includes('Beta, edited')", timeout=5000)
    assert time.monotonic() - started < 1.5
    assert page.get_by_test_id("preview-count").inner_text() == "Slide 2 of 3"

    # a broken save: the problem with its line, the last good slide still drawn
    broken = DECK.replace("- Beta", "- Beta, edited").replace("- Alpha", "- Beta, edited")
    save(deck, broken)
    problems = page.get_by_test_id("preview-problems")
    problems.wait_for(state="visible", timeout=5000)
    line = broken.splitlines().index("- Beta, edited") + 1
    text = problems.inner_text()
    assert f"{deck}:" in text and re.search(rf":{line - 1}:|:{line}:", text), text
    assert page.get_by_test_id("preview-status").get_attribute("data-state") == "problems"
    assert "Beta, edited" in current(page).inner_text()
    assert page.locator(".slide").count() == 3

    # fixed: the problems go, the change shows
    save(deck, DECK.replace("- Alpha", "- Gamma"))
    problems.wait_for(state="hidden", timeout=5000)
    page.wait_for_function("() => document.querySelector('.slide.is-current')"
                           "?.textContent.includes('Gamma')", timeout=5000)

    # keys move between slides; the poll shows bars of simulated answers
    page.keyboard.press("ArrowRight")
    assert page.get_by_test_id("preview-count").inner_text() == "Slide 3 of 3"
    bars = current(page).locator("[data-testid=option-count]")
    assert bars.count() == 3
    counts = [int(re.sub(r"\D.*", "", b.inner_text()) or 0) for b in bars.all()]
    assert sum(counts) > 0, counts
    assert page.get_by_test_id("preview-sample").is_visible()
    assert errors.errors == []
    context.close()


def test_an_imported_talk_previews_with_its_pictures(browser, tmp_path):  # noqa: F811
    from tests.support import pptx_files
    workshop = Path(sys.executable).with_name("workshop")
    talk = pptx_files.talk(tmp_path / "talk.pptx")
    done = subprocess.run([str(workshop), "import", str(talk), "-o", str(tmp_path / "talk")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    proc = subprocess.Popen([str(workshop), "preview", str(tmp_path / "talk" / "talk.md"),
                             "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    try:
        url = re.search(r"http://127\.0\.0\.1:\d+/", proc.stdout.readline()).group(0)
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        errors = PageErrors()
        errors.watch(page, "preview")
        page.goto(url)
        page.get_by_test_id("preview-next").click()
        picture = current(page).locator("img[alt='A red square']")
        picture.wait_for()
        page.wait_for_function("img => img.complete && img.naturalWidth === 64",
                               arg=picture.element_handle())
        assert "Ask for an example." in page.get_by_test_id("preview-notes").inner_text()
        assert errors.errors == []
        context.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_every_slide_of_the_leadership_deck_previews_without_an_error(browser, tmp_path):  # noqa: F811
    deck = Path(__file__).resolve().parent.parent / "decks" / "leaders-role.yaml"
    workshop = Path(sys.executable).with_name("workshop")
    proc = subprocess.Popen([str(workshop), "preview", str(deck), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        url = re.search(r"http://127\.0\.0\.1:\d+/", proc.stdout.readline()).group(0)
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        errors = PageErrors()
        page = errors.watch(context.new_page(), "preview")
        page.goto(url)
        page.wait_for_selector(".slide.is-current")
        total = page.locator(".slide").count()
        types = set()
        for i in range(total):
            slide = current(page)
            kind = slide.get_attribute("data-poll-type")
            if kind:  # each poll type draws the room's sample: something, not an empty chart
                types.add(kind)
                assert slide.locator("[data-role=results]").inner_text().strip(), (i, kind)
                assert int(slide.locator("[data-role=answered]").get_attribute("data-answered")) > 0
            page.keyboard.press("ArrowRight")
        assert types == {"choice", "scale", "ranking", "open"}
        assert page.get_by_test_id("preview-count").inner_text() == f"Slide {total} of {total}"
        assert errors.errors == []
        context.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
