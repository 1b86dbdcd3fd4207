"""Sub-bullets (Slide.levels) shown nested on the projector and in the handouts."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from handouts.handout import build_handouts
from workshop.deck import Slide
from workshop.deck_file import load_deck


@pytest.fixture
def nested(tmp_path):
    path = tmp_path / "deck.yaml"
    path.write_text("title: Levels\nslides:\n  - kind: bullets\n    title: Three parts\n"
                    "    bullets: [Build the team, [Trust, '**Common** goal'], Hire and fire]\n",
                    encoding="utf-8")
    deck = load_deck(path)
    assert deck.slides[0].levels == (0, 1, 1, 0)
    return deck


def test_the_projector_nests_sub_bullets(client, rooms, nested):
    room = rooms.create(nested, nested.path)
    html = client.get(f"/s/{room.id}/projector",
                      headers={"X-Workshop-Key": room.row.facilitator_key}).get_data(as_text=True)
    assert ('<li>Build the team</li><li class="sub sub--1">Trust</li>'
            '<li class="sub sub--1"><strong>Common</strong> goal</li><li>Hire and fire</li>') in html


def test_handouts_indent_sub_bullets_under_their_bullet(nested):
    reader = PdfReader(io.BytesIO(build_handouts(nested, invariant=True)))
    where = {}

    def visit(text, cm, tm, font, size):
        if text.strip():
            where.setdefault(text.strip(), tm[4] + cm[4])
    reader.pages[0].extract_text(visitor_text=visit)
    text = reader.pages[0].extract_text()
    assert "\u2013" in text and "**" not in text
    top, sub = where["Build the team"], where["Trust"]
    assert sub > top + 10  # indented
    assert where["Hire and fire"] == pytest.approx(top, abs=0.5)


def test_a_slide_without_levels_shows_every_bullet_on_top(client):
    from flask import render_template_string
    slide = Slide(kind="bullets", title="T", bullets=("a", "b"))
    with client.application.test_request_context():
        html = render_template_string('{% import "_slides.html" as s with context %}'
                                      '{{ s.bullet_list(slide) }}', slide=slide)
    assert "<li>a</li><li>b</li>" in html and "sub" not in html
