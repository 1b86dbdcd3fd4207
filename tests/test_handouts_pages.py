"""Pages that break well: no page left mostly empty, a question kept with its chart and tips."""
from __future__ import annotations

import io
from pathlib import Path

import pypdf
import pypdfium2
import pytest
from tests.test_handouts import flat, pdf_text, ticking_clock

from handouts import build_handouts, build_summary, build_takeaway, load_results
from handouts.labels import Labels
from handouts.questions import ANSWER_LINES, printed_answer
from handouts.takeaway import key_ideas
from handouts.text import paragraphs
from workshop.deck_file import load_deck
from workshop.simulate import simulate
from workshop.store import open_store

DECKS = Path(__file__).resolve().parent.parent / "decks"
JOIN_URL, JOIN_CODE = "http://10.0.0.7:5000/j/QR7ZKX", "QR7ZKX"
BODY_TOP, BODY_BOTTOM = 26 / 297, 1 - 24 / 297  # the frame between header and footer (A4)


@pytest.fixture(scope="module", params=["leaders-role.yaml", "leaders-role.zh.yaml"])
def room(request, tmp_path_factory):
    """Return (deck, store, session id) of 60 simulated people on a shipped deck."""
    deck = load_deck(DECKS / request.param)
    store = open_store(tmp_path_factory.mktemp("pages") / "w.db", clock=ticking_clock())
    sid = simulate(store, deck, str(deck.path), 60, seed=5, clock=ticking_clock())
    yield deck, store, sid
    store.close()


def used_height(data: bytes) -> list[float]:
    """Return, per page, how far down its body the ink reaches (0 empty .. 1 full)."""
    doc = pypdfium2.PdfDocument(data)
    try:
        out = []
        for page in doc:
            image = page.render(scale=0.4).to_pil().convert("L")
            w, h = image.size
            top, bottom = int(h * BODY_TOP), int(h * BODY_BOTTOM)
            ink = image.crop((0, top, w, bottom)).point(lambda v: 255 if v < 235 else 0)
            box = ink.getbbox()
            out.append(box[3] / (bottom - top) if box else 0.0)
            page.close()
        return out
    finally:
        doc.close()


def page_count(data: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(data)).pages)


def pages_text(data: bytes) -> list[str]:
    return [flat(page.extract_text()) for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def page_of(pages: list[str], text: str) -> int:
    return next(n for n, page in enumerate(pages) if flat(text) in page)


@pytest.mark.parametrize("kind", ["summary", "handouts", "blank handouts"])
def test_no_page_but_the_last_is_mostly_empty(room, kind):
    deck, store, sid = room
    results = load_results(store, deck, sid)
    data = {"summary": lambda: build_summary(deck, results),
            "handouts": lambda: build_handouts(deck, results),
            "blank handouts": lambda: build_handouts(deck, join_url=JOIN_URL,
                                                     join_code=JOIN_CODE)}[kind]()
    heights = used_height(data)
    assert [n + 1 for n, used in enumerate(heights[:-1]) if used < 0.2] == [], heights
    assert heights[0] > 0.6  # the cover page carries on with the workshop


@pytest.mark.parametrize("with_results", [True, False])
def test_a_scenarios_title_story_question_and_tips_share_a_page(room, with_results):
    deck, store, sid = room
    results = load_results(store, deck, sid) if with_results else None
    pages = pages_text(build_handouts(deck, results))
    scenarios = [s for s in deck.slides if s.kind == "scenario"]
    assert scenarios
    for slide in scenarios:
        page = pages[page_of(pages, slide.title)]
        for text in (paragraphs(slide.story)[-1][-30:], slide.poll.question, slide.tips_title,
                     *slide.tips):
            assert flat(text) in page, (slide.title, text)


def test_a_question_stays_on_the_page_of_the_rooms_chart(room):
    deck, store, sid = room
    results = load_results(store, deck, sid)
    pages = pages_text(build_handouts(deck, results))
    for poll in deck.polls.values():
        if poll.type == "choice":
            assert page_of(pages, poll.question) == page_of(pages, poll.options[-1]), poll.id


def test_a_long_answer_of_newlines_adds_at_most_one_page(tmp_path):
    deck = load_deck(DECKS / "leaders-role.yaml")
    store = open_store(tmp_path / "w.db", clock=ticking_clock())
    sid = simulate(store, deck, str(deck.path), 20, seed=4, clock=ticking_clock())
    person = store.participants(sid)[0]
    results = load_results(store, deck, sid)
    before = page_count(build_summary(deck, results))
    takeaway_before = page_count(build_takeaway(deck, results, person.id))
    poll = next(p for p in deck.polls.values() if p.type == "open" and p.max_length >= 500)
    state = store.state(sid)  # simulate closed every poll: a closed poll takes no answer
    store.save_state(sid, state.but(polls={**state.polls, poll.id: ("open", True)}))
    store.save_answer(sid, poll.id, person.id, "a\n" * 249)
    results = load_results(store, deck, sid)
    assert results.value_of(poll.id, person.id).count("a") == 249  # stored as typed
    assert page_count(build_summary(deck, results)) <= before + 1
    assert page_count(build_takeaway(deck, results, person.id)) <= takeaway_before + 1
    store.close()


def test_a_printed_answer_drops_blank_lines_and_joins_lines_past_the_limit():
    assert printed_answer("one\n\n\n\ntwo") == "one\ntwo"
    lines = printed_answer("a\n" * 249).split("\n")
    assert len(lines) == ANSWER_LINES
    assert lines[-1] == " / ".join(["a"] * (249 - ANSWER_LINES + 1))  # nothing typed is lost
    assert printed_answer("short answer") == "short answer"


def test_handouts_of_an_ended_session_print_no_join_code_or_qr(room):
    deck, store, sid = room
    results = load_results(store, deck, sid)
    assert results.session.ended_at is not None
    data = build_handouts(deck, results, join_url=JOIN_URL, join_code=JOIN_CODE)
    text = pdf_text(data)
    assert JOIN_CODE not in text and JOIN_URL not in flat(text)
    zxingcpp = pytest.importorskip("zxingcpp")
    page = pypdfium2.PdfDocument(data)[0].render(scale=3).to_pil().convert("L")
    assert zxingcpp.read_barcodes(page) == []


def test_handouts_of_a_live_room_keep_the_join_code_for_latecomers(tmp_path):
    deck = load_deck(DECKS / "leaders-role.yaml")
    store = open_store(tmp_path / "w.db", clock=ticking_clock())
    store.create_session("live", deck.path, deck.title, JOIN_CODE, "key")
    person = store.add_participant("live", "token-live-1", "Blue Heron")
    store.save_answer("live", next(iter(deck.polls)), person.id, [0])
    data = build_handouts(deck, load_results(store, deck, "live"), join_url=JOIN_URL,
                          join_code=JOIN_CODE)
    assert JOIN_CODE in pdf_text(data)
    store.close()


def test_the_takeaway_tells_each_scenarios_story_and_tips_beside_the_choice(room):
    deck, store, sid = room
    results = load_results(store, deck, sid)
    person = results.participants[0]
    pages = pages_text(build_takeaway(deck, results, person.id))
    scenarios = [s for s in deck.slides if s.kind == "scenario"]
    for slide in scenarios:
        page = pages[page_of(pages, slide.title)]
        for text in (*paragraphs(slide.story), slide.poll.question, slide.tips_title,
                     *slide.tips):
            assert flat(text) in page, (slide.title, text)
    assert flat(Labels(deck.language)("key_ideas")) in pages[0]
    assert all(flat(idea) in pages[0] for idea in key_ideas(deck))
