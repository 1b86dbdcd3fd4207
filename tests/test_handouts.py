"""The handout PDF: the deck laid out for print, room to answer, the room's results.

Also holds the small deck and session the other test_handouts_* files build on
(import them with `from test_handouts import ...`).
"""
from __future__ import annotations

import io
import itertools

import pypdf
import pypdfium2
import pytest
from PIL import ImageStat
from reportlab import rl_config

from handouts import build_handouts, load_results
from workshop import ids
from workshop.deck_file import load_deck
from workshop.store import open_store

MINI_DECK = """\
title: Trust at Work
subtitle: A short test workshop
speaker: Ada Example
source: Written for the tests
language: {language}
minutes: 30
slides:
  - kind: title
    title: Trust at Work
    subtitle: Thirty minutes on teams
  - kind: section
    title: Part one
    subtitle: Why trust
  - kind: bullets
    title: Three parts of the job
    bullets: [Get results, Build the team, Hire and fire]
  - kind: quote
    quote: Leaders help others succeed.
    attribution: Someone Wise
  - kind: text
    title: Doing the right thing
    text: |
      Leaders make sure the team does the right things;
      the team helps the leader do things right.
  - kind: poll
    poll:
      id: pick
      type: choice
      question: Which fruit is a pear?
      options: [Apples, Pears, Plums]
      correct: Pears
  - kind: poll
    poll:
      id: many
      type: choice
      question: Which colours do you like?
      options: [Red, Green, Blue]
      multiple: true
      max: 2
  - kind: poll
    poll:
      id: mood
      type: scale
      question: How do you feel today?
      min: 1
      max: 5
      left: Low energy
      right: High energy
  - kind: poll
    poll:
      id: order
      type: ranking
      question: What comes first?
      items: [Trust, Goal, Talent]
      group: homework
  - kind: scenario
    title: "Scenario: the quiet team"
    story: Wang takes over a team that does not talk.
    poll:
      id: case
      type: choice
      question: What would Wang do first?
      options: [Wait, Act]
    tips_title: Build trust
    tips: [Listen first, Praise in public]
  - kind: poll
    poll:
      id: why
      type: open
      question: Why does trust matter?
      max_length: 300
"""

ANSWERS = {
    "pick": [[1], [1], [1], [0], [2]],
    "many": [[0, 1], [1], [2], [0, 2]],
    "mood": [4, 5, 3, 4],
    "order": [[0, 1, 2], [0, 2, 1], [1, 0, 2]],
    "case": [[1], [1], [0]],
    "why": ["Trust builds teams", "Clear goals matter", "Rude answer to hide", "中文回答：信任最重要"],
}
HIDDEN_TEXT = "Rude answer to hide"
T0 = 1_767_000_000.0


def write_deck(tmp_path, language="en"):
    """Write the mini deck and return it loaded."""
    path = tmp_path / f"mini-{language}.yaml"
    path.write_text(MINI_DECK.format(language=language), encoding="utf-8")
    return load_deck(path)


def make_session(store, deck, session_id="s1", joined=6):
    """Create a session where participant n answers the n-th entry of each ANSWERS list."""
    store.create_session(session_id, deck.path, deck.title, ids.join_code(), "key")
    people = [store.add_participant(session_id, f"token-{session_id}-{n:04d}", ids.pseudonym(n))
              for n in range(1, joined + 1)]
    for poll_id, values in ANSWERS.items():
        for person, value in zip(people, values):
            store.save_answer(session_id, poll_id, person.id, value)
    hidden = people[ANSWERS["why"].index(HIDDEN_TEXT)]
    store.hide_answer(session_id, "why", hidden.id, True)
    store.end_session(session_id)
    return people


def ticking_clock(start=T0, step=7.0):
    """Return a clock that moves `step` seconds each time it is read."""
    counter = itertools.count()
    return lambda: start + step * next(counter)


@pytest.fixture
def mini(tmp_path):
    """Return (deck, results, participants) of a small finished session."""
    deck = write_deck(tmp_path)
    store = open_store(tmp_path / "w.db", clock=ticking_clock())
    people = make_session(store, deck)
    yield deck, load_results(store, deck, "s1"), people
    store.close()


def pdf_text(data: bytes) -> str:
    """Return the text of every page, in order."""
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def flat(text: str) -> str:
    """Return text with all whitespace removed (line breaks fall anywhere in wrapped text)."""
    return "".join(text.split())


def render(data: bytes, pages=None, scale: float = 1.0) -> list:
    """Return PIL images of the given pages (all by default)."""
    doc = pypdfium2.PdfDocument(data)
    try:
        numbers = range(len(doc)) if pages is None else pages
        images = []
        for n in numbers:
            page = doc[n]
            images.append(page.render(scale=scale).to_pil().convert("L"))
            page.close()
        return images
    finally:
        doc.close()


def ink_variance(image) -> float:
    """Return the variance of grey levels: near 0 for a blank page."""
    return ImageStat.Stat(image).var[0]


# ----- the handout without results ----------------------------------------------------------

def test_handout_prints_every_slide_heading_and_every_poll_question(tmp_path):
    deck = write_deck(tmp_path)
    text = pdf_text(build_handouts(deck))
    for slide in deck.slides:
        if slide.title:
            assert slide.title in text
    for poll in deck.polls.values():
        assert poll.question in text
    assert "Leaders help others succeed." in text and "Someone Wise" in text
    assert "Get results" in text and "Hire and fire" in text


def test_handout_cover_has_title_subtitle_credits_and_date(tmp_path):
    deck = write_deck(tmp_path)
    first_page = pypdf.PdfReader(io.BytesIO(build_handouts(deck))).pages[0].extract_text()
    for expected in ("Trust at Work", "A short test workshop", "Ada Example",
                     "Written for the tests", "HANDOUT"):
        assert expected in first_page


def test_handout_gives_room_to_answer_each_poll_type_by_hand(tmp_path):
    text = pdf_text(build_handouts(write_deck(tmp_path)))
    assert "Tick one." in text
    assert "Tick up to 2." in text
    assert "Circle one number." in text and "Low energy" in text and "High energy" in text
    assert "Number the items in your order: 1 = first, 3 = last." in text
    assert "Write your answer." in text


def test_handout_scenario_has_story_question_and_tips(tmp_path):
    text = pdf_text(build_handouts(write_deck(tmp_path)))
    story = text.index("Wang takes over a team")
    assert story < text.index("What would Wang do first?") < text.index("Listen first")
    assert "Build trust" in text and "Praise in public" in text


def test_handout_numbers_every_page_of_the_total(tmp_path):
    data = build_handouts(write_deck(tmp_path))
    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    assert len(pages) >= 3
    for n, page in enumerate(pages, 1):
        assert f"Page {n} of {len(pages)}" in page.extract_text()


def test_handout_without_results_shows_no_room_results(tmp_path):
    text = pdf_text(build_handouts(write_deck(tmp_path)))
    assert "What the room said" not in text
    assert "answered" not in text


@pytest.mark.parametrize("paper, size", [("a4", (595, 842)), ("letter", (612, 792)),
                                         ("LETTER", (612, 792))])
def test_handout_comes_in_a4_and_letter(tmp_path, paper, size):
    data = build_handouts(write_deck(tmp_path), paper=paper)
    box = pypdf.PdfReader(io.BytesIO(data)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == size


def test_handout_refuses_an_unknown_paper(tmp_path):
    with pytest.raises(ValueError, match="a4 or letter"):
        build_handouts(write_deck(tmp_path), paper="legal")


def test_handout_cover_prints_join_code_and_a_qr_that_scans_to_the_join_url(tmp_path):
    zxingcpp = pytest.importorskip("zxingcpp")
    url = "http://192.168.1.20:5000/j/K7QM2X"
    data = build_handouts(write_deck(tmp_path), join_url=url, join_code="K7QM2X")
    assert "K7QM2X" in pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text()
    found = zxingcpp.read_barcodes(render(data, [0], scale=3)[0])
    assert [b.text for b in found] == [url]


def test_handout_pages_are_not_blank_when_rendered(tmp_path):
    for image in render(build_handouts(write_deck(tmp_path))):
        assert ink_variance(image) > 20


# ----- with results ------------------------------------------------------------------------

def test_handout_with_results_shows_what_the_room_said_for_every_poll(mini):
    deck, results, _ = mini
    text = pdf_text(build_handouts(deck, results))
    assert text.count("What the room said") == len(deck.polls)
    assert "3 · 60%" in text  # Pears: 3 of 5
    assert "5 of 6 answered (83%)" in text
    assert "correct" in text


def test_handout_with_results_stays_print_quality_on_every_page(mini):
    deck, results, _ = mini
    for image in render(build_handouts(deck, results, paper="letter")):
        assert ink_variance(image) > 20


# ----- deterministic output ------------------------------------------------------------------

def test_invariant_builds_are_byte_identical_and_the_setting_is_restored(mini):
    deck, results, _ = mini
    before = rl_config.invariant
    first = build_handouts(deck, results, invariant=True)
    second = build_handouts(deck, results, invariant=True)
    assert first == second
    assert rl_config.invariant == before


def test_builds_without_invariant_differ_in_their_stamps(mini, monkeypatch):
    deck, results, _ = mini
    first = build_handouts(deck, results)
    import time as real_time
    later = real_time.time() + 3600
    monkeypatch.setattr(real_time, "time", lambda: later)
    assert build_handouts(deck, results) != first


# ----- Chinese ------------------------------------------------------------------------------

def test_chinese_deck_prints_chinese_labels_and_page_numbers(tmp_path):
    deck = write_deck(tmp_path, language="zh-CN")
    data = build_handouts(deck)
    text = pdf_text(data)
    pages = len(pypdf.PdfReader(io.BytesIO(data)).pages)
    assert f"第 1 页，共 {pages} 页" in text
    assert "请选一项。" in text and "讲义" in text
    assert "Page 1 of" not in text


@pytest.mark.parametrize("name", ["leaders-role.yaml", "leaders-role.zh.yaml"])
def test_the_shipped_decks_make_handouts(name):
    from pathlib import Path
    path = Path(__file__).resolve().parent.parent / "decks" / name
    if not path.exists():
        pytest.skip(f"{name} is not in this checkout")
    deck = load_deck(path)
    text = pdf_text(build_handouts(deck, paper="letter"))
    for poll in deck.polls.values():
        assert flat(poll.question) in flat(text)
