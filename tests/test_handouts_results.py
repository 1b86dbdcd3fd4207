"""Session results read from the store: tallies, response rates, hidden answers, times."""
from __future__ import annotations

import pytest
from tests.test_handouts import (ANSWERS, HIDDEN_TEXT, T0, make_session, mini,  # noqa: F401
                           ticking_clock, write_deck)

from handouts import load_results
from workshop.polltypes import describe_answer
from workshop.store import open_store


def test_results_tally_every_poll_with_the_correct_answer_revealed(mini):
    deck, results, _ = mini
    assert set(results.tallies) == set(deck.polls)
    assert results.tallies["pick"]["counts"] == [1, 3, 1]
    assert results.tallies["pick"]["correct"] == [1]
    assert results.tallies["mood"]["mean"] == 4.0 and results.tallies["mood"]["median"] == 4.0
    assert results.tallies["order"]["order"] == [0, 1, 2]


def test_response_rate_is_answered_over_everyone_who_joined(mini):
    _, results, _ = mini
    assert results.joined == 6 and results.answering == 5
    assert results.answered["pick"] == 5
    assert results.response_rate["pick"] == pytest.approx(5 / 6)
    assert results.response_rate["order"] == pytest.approx(3 / 6)


def test_hidden_open_answers_are_counted_but_not_listed(mini):
    _, results, _ = mini
    assert results.answered["why"] == 4
    assert results.hidden["why"] == 1
    texts = [a.text for a in results.open_answers["why"]]
    assert HIDDEN_TEXT not in texts and len(texts) == 3
    assert "rude" not in dict(results.tallies["why"]["terms"])


def test_open_answers_name_their_authors_by_pseudonym(mini):
    _, results, people = mini
    first = results.open_answers["why"][0]
    assert first.name == people[0].pseudonym and first.text == ANSWERS["why"][0]


def test_ranking_places_are_counted_per_item(mini):
    _, results, _ = mini
    assert results.rank_positions["order"] == [[2, 1, 0], [1, 1, 1], [0, 1, 2]]


def test_start_and_end_come_from_the_first_and_last_answer(mini):
    _, results, _ = mini
    firsts = [a.first_at for a in results.answers]
    lasts = [a.last_at for a in results.answers]
    assert results.started_at == min(firsts) > T0
    assert results.ended_at == max(lasts) > results.started_at


def test_answers_the_deck_no_longer_fits_are_left_out_of_the_tallies(tmp_path):
    deck = write_deck(tmp_path)
    store = open_store(tmp_path / "w.db", clock=ticking_clock())
    people = make_session(store, deck)
    store.save_answer("s1", "pick", people[5].id, [7])  # an option the deck no longer has
    store.save_answer("s1", "gone", people[0].id, [0])  # a poll the deck no longer has
    results = load_results(store, deck, "s1")
    assert results.answered["pick"] == 5
    assert "gone" not in results.tallies
    assert len(results.answers) == sum(len(v) for v in ANSWERS.values()) + 2


def test_values_are_kept_per_participant(mini):
    _, results, people = mini
    assert results.value_of("mood", people[1].id) == 5
    assert results.value_of("mood", people[5].id) is None


def test_loading_an_unknown_session_is_a_key_error(tmp_path):
    deck = write_deck(tmp_path)
    with pytest.raises(KeyError):
        load_results(open_store(tmp_path / "w.db"), deck, "nope")


def test_answers_are_described_as_people_read_them(mini):
    deck, _, _ = mini
    assert describe_answer(deck.polls["many"], [0, 2]) == "Red; Blue"
    assert describe_answer(deck.polls["order"], [2, 0, 1]) == "1. Talent > 2. Trust > 3. Goal"
    assert describe_answer(deck.polls["mood"], 3) == "3"
    assert describe_answer(deck.polls["why"], "Because") == "Because"
    assert describe_answer(deck.polls["pick"], [9]) == "[9]"  # no longer fits: shown raw
    assert describe_answer(None, {"x": 1}) == '{"x": 1}'
