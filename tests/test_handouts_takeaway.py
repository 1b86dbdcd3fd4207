"""A participant's takeaway: their own answers beside the room's, and the key ideas."""
from __future__ import annotations

import pytest
from tests.test_handouts import ink_variance, mini, pdf_text, render  # noqa: F401

from handouts import build_takeaway


def test_takeaway_shows_the_participants_own_answers(mini):
    deck, results, people = mini
    text = pdf_text(build_takeaway(deck, results, people[1].id))
    assert "Your answer" in text
    assert "Pears" in text  # their choice
    assert "1. Trust > 2. Talent > 3. Goal" in " ".join(text.split())  # their ranking
    assert "Clear goals matter" in text  # their own open answer
    assert "5" in text  # their scale answer


def test_takeaway_marks_the_participants_choice_on_the_room_chart(mini):
    deck, results, people = mini
    text = pdf_text(build_takeaway(deck, results, people[3].id))
    lines = text.splitlines()
    assert "Apples \u2190 you" in lines
    assert "Red \u2190 you" in lines and "Blue \u2190 you" in lines  # several picks: each marked
    assert not [line for line in lines if line.startswith(("Pears", "Plums", "Green"))
                and "you" in line]


def test_takeaway_says_when_the_participant_did_not_answer(mini):
    deck, results, people = mini
    text = pdf_text(build_takeaway(deck, results, people[5].id))
    assert text.count("You did not answer this one.") == len(deck.polls)


def test_takeaway_lists_the_workshops_key_ideas(mini):
    deck, results, people = mini
    text = pdf_text(build_takeaway(deck, results, people[0].id))
    assert "Key ideas" in text and "Build the team" in text


def test_takeaway_keeps_other_peoples_open_answers_private(mini):
    deck, results, people = mini
    text = pdf_text(build_takeaway(deck, results, people[0].id))
    assert "Trust builds teams" in text
    assert "Clear goals matter" not in text


def test_takeaway_of_an_unknown_participant_is_a_key_error(mini):
    deck, results, _ = mini
    with pytest.raises(KeyError):
        build_takeaway(deck, results, 987654)


def test_takeaway_pages_render_with_ink(mini):
    deck, results, people = mini
    for image in render(build_takeaway(deck, results, people[0].id)):
        assert ink_variance(image) > 20
