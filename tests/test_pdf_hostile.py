"""Hostile text in decks and answers: builds never crash, markup never applies, text wraps."""
from __future__ import annotations

import csv
import io
import json
import re

import pypdf
import pypdfium2
import pytest
from PIL import ImageChops
from tests.fixtures.hostile_strings import HOSTILE, PRINTABLE
from tests.test_handouts import flat, ink_variance, pdf_text, render, ticking_clock

from handouts import (build_handouts, build_summary, build_takeaway, export_csv, export_json,
                      load_results)
from handouts.results import OpenAnswer
from handouts.styles import MARGIN_X
from handouts.text import clean
from workshop.deck import Deck, Poll, Slide
from workshop.polltypes import normalize_answer
from workshop.store import open_store


def hostile_deck(text: str) -> Deck:
    """Return a deck with the hostile text in every place a deck has text."""
    polls = (Poll(id="c", type="choice", question=text, options=(text, "Plain"), correct=(0,)),
             Poll(id="s", type="scale", question=text, left=text, right=text),
             Poll(id="r", type="ranking", question=text, options=(text, "Other")),
             Poll(id="o", type="open", question=text, max_length=6000))
    slides = (Slide(kind="title", title=text, subtitle=text),
              Slide(kind="section", title=text, subtitle=text),
              Slide(kind="bullets", title=text, bullets=(text, "plain bullet")),
              Slide(kind="quote", title=text, quote=text, attribution=text),
              Slide(kind="text", title=text, text=text),
              Slide(kind="poll", title=text, poll=polls[0]), Slide(kind="poll", poll=polls[1]),
              Slide(kind="scenario", title=text, story=text, poll=polls[2], tips_title=text,
                    tips=(text,)),
              Slide(kind="poll", poll=polls[3]))
    return Deck(title=text, slides=slides, subtitle=text, speaker=text, source=text,
                minutes=10, polls={p.id: p for p in polls})


def hostile_session(tmp_path, text: str):
    """Return (deck, results, participant id) with the text as nickname, answer and raw answer."""
    deck = hostile_deck(text)
    store = open_store(tmp_path / "h.db", clock=ticking_clock())
    store.create_session("h1", "x.yaml", "t", "HOST11", "key")
    person = store.add_participant("h1", "token-hostile-000001", "Blue Heron",
                                   clean(text)[:40])
    other = store.add_participant("h1", "token-hostile-000002", "Red Fox")
    for p in (person, other):
        store.save_answer("h1", "c", p.id, [0])
        store.save_answer("h1", "s", p.id, 3)
        store.save_answer("h1", "r", p.id, [1, 0])
    try:
        store.save_answer("h1", "o", person.id, normalize_answer(deck.polls["o"], text))
    except ValueError:  # nothing left after cleaning: the server would refuse it too
        store.save_answer("h1", "o", person.id, "empty after cleaning")
    results = load_results(store, deck, "h1")
    # What a store could never hold (lone surrogates) must still print safely.
    results.open_answers["o"].append(OpenAnswer(other.id, text, text))
    store.close()
    return deck, results, person.id


def body_text(data: bytes) -> str:
    """Return the text without running headers and footers (cut with an ellipsis, or numbers)."""
    lines = []
    for index, page in enumerate(pypdf.PdfReader(io.BytesIO(data)).pages):
        page_lines = page.extract_text().splitlines()
        lines += [line for line in page_lines[1 if index else 0:]
                  if "\u2026" not in line and not re.search(r"Page \d+ of \d+", line)]
    return "\n".join(lines)


def all_pdfs(deck, results, person):
    return {"handouts": build_handouts(deck, results, join_url="http://x/<b>&", join_code="<i>"),
            "summary": build_summary(deck, results),
            "takeaway": build_takeaway(deck, results, person)}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_text_never_breaks_a_build_or_an_export(tmp_path, name):
    deck, results, person = hostile_session(tmp_path, HOSTILE[name])
    for kind, data in all_pdfs(deck, results, person).items():
        assert data.startswith(b"%PDF-"), kind
        assert ink_variance(render(data, [0])[0]) > 20, kind
        assert "Page 1 of" in pdf_text(data), kind
    assert export_csv(deck, results).startswith(b"\xef\xbb\xbf")
    assert json.loads(export_json(deck, results))["answers"]


@pytest.mark.slow
@pytest.mark.parametrize("name", PRINTABLE)
def test_hostile_text_prints_literally_in_every_pdf(tmp_path, name):
    deck, results, person = hostile_session(tmp_path, HOSTILE[name])
    expected = flat(HOSTILE[name])
    for kind, data in all_pdfs(deck, results, person).items():
        assert expected in flat(pdf_text(data)), kind


def test_markup_in_text_is_printed_not_applied(tmp_path):
    deck, results, person = hostile_session(tmp_path, HOSTILE["font_tag"])
    data = build_summary(deck, results)
    pdf = pypdfium2.PdfDocument(data)
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            image = page.render(scale=1).to_pil().convert("RGB")
            page.close()
            r, g, b = (image.getchannel(c) for c in "RGB")
            mask = ImageChops.multiply(ImageChops.multiply(
                r.point(lambda v: 255 if v > 200 else 0), g.point(lambda v: 255 if v < 90 else 0)),
                b.point(lambda v: 255 if v < 90 else 0))
            reds = mask.histogram()[255]
            assert reds == 0, f"red ink on page {index + 1}"
    finally:
        pdf.close()


@pytest.mark.slow
def test_a_long_unbroken_string_wraps_inside_the_margins(tmp_path):
    deck, results, person = hostile_session(tmp_path, HOSTILE["long_word"])
    for kind, data in all_pdfs(deck, results, person).items():
        assert "W" * 5000 in flat(body_text(data)), kind
        for number, image in enumerate(render(data)):
            width = image.width
            strip = image.crop((int(width - MARGIN_X + 3), 0, width, image.height))
            assert strip.getextrema()[0] >= 250, f"{kind} page {number + 1} inks the margin"


def test_emoji_print_as_black_and_white_glyphs_without_joiners(tmp_path):
    deck, results, person = hostile_session(tmp_path, HOSTILE["emoji"])
    text = pdf_text(build_summary(deck, results))
    assert "emoji \U0001f600 thumbs \U0001f44d\U0001f3fd family" in text
    assert "\u200d" not in text and "□" not in text


@pytest.mark.parametrize("name, printed", [("rtl_override", "abcdcba end"),
                                           ("zero_width", "zerowidthjoinernonbom")])
def test_bidi_overrides_and_zero_width_marks_are_dropped(tmp_path, name, printed):
    deck, results, person = hostile_session(tmp_path, HOSTILE[name])
    text = pdf_text(build_handouts(deck, results))
    assert not set("\u202e\u202c\u200b\u200c\u200d\ufeff") & set(text)
    assert printed in text


def test_lone_surrogates_print_as_replacement_characters(tmp_path):
    deck, results, person = hostile_session(tmp_path, HOSTILE["lone_surrogate"])
    text = pdf_text(build_handouts(deck, results))
    assert "lone \ufffd surrogate \ufffd here" in text


def test_hostile_answers_are_neutralised_in_csv(tmp_path):
    formulas = [HOSTILE[n] for n in ("hyperlink_formula", "plus_formula", "minus_formula",
                                     "at_formula", "tab_start", "cr_start")]
    for index, text in enumerate(formulas):
        deck, results, person = hostile_session(tmp_path / str(index), text)
        rows = list(csv.reader(io.StringIO(export_csv(deck, results).decode("utf-8-sig"),
                                           newline="")))
        for row in rows[1:]:
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_short_hostile_names_in_the_answer_gutter_print_literally(tmp_path):
    deck, results, person = hostile_session(tmp_path, "plain answer")
    results.open_answers["o"].append(OpenAnswer(person, "&amp; <b>x", "gutter test"))
    text = pdf_text(build_summary(deck, results))
    assert "&amp; <b>x gutter test" in text
