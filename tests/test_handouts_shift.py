"""A question asked twice (compare:): each takeaway shows one's own move, the summary the room's."""
from __future__ import annotations

from pathlib import Path

import pytest
from tests.test_handouts import flat, pdf_text, ticking_clock

from handouts import build_summary, build_takeaway, load_results
from workshop import ids
from workshop.deck_file import load_deck
from workshop.simulate import simulate
from workshop.store import open_store

DECKS = Path(__file__).resolve().parent.parent / "decks"

CHOICE_PAIR = """\
title: Before and after
language: en
slides:
  - kind: poll
    poll:
      id: first-step
      type: choice
      question: What would you do first?
      options: [Listen, Decide, Wait]
  - kind: poll
    poll:
      id: first-step-again
      type: choice
      question: What would you do first?
      options: [Listen, Decide, Wait]
      compare: first-step
"""


@pytest.fixture(scope="module", params=["leaders-role.yaml", "leaders-role.zh.yaml"])
def ready(request, tmp_path_factory):
    """Return (deck, results) of 40 simulated people on a shipped deck."""
    deck = load_deck(DECKS / request.param)
    store = open_store(tmp_path_factory.mktemp("shift") / "w.db", clock=ticking_clock())
    sid = simulate(store, deck, str(deck.path), 40, seed=11, clock=ticking_clock())
    yield deck, load_results(store, deck, sid)
    store.close()


def words(deck):
    if deck.language.startswith("zh"):
        return "你：{a}\u2192{b}", "全场平均：{a}\u2192{b}"
    return "You:{a}\u2192{b}", "Theroom'smean:{a}\u2192{b}"


def test_both_leadership_decks_ask_readiness_at_the_start_and_again_at_the_end(ready):
    deck, _ = ready
    ids_in_order = list(deck.polls)
    assert deck.polls["ready-after"].compare == "ready-before"
    assert ids_in_order.index("ready-before") < 3
    assert ids_in_order.index("ready-after") == len(ids_in_order) - 1
    assert deck.polls["ready-before"].question == deck.polls["ready-after"].question
    for poll_id in ("ready-before", "ready-after"):
        assert deck.slides[deck.poll_slide_index(poll_id)].notes


def test_the_takeaway_shows_both_of_ones_answers_and_the_rooms_two_means(ready):
    deck, results = ready
    person = next(p.id for p in results.participants
                  if results.value_of("ready-before", p.id) is not None
                  and results.value_of("ready-after", p.id) is not None)
    text = flat(pdf_text(build_takeaway(deck, results, person)))
    yours, room = words(deck)
    assert yours.format(a=results.value_of("ready-before", person),
                        b=results.value_of("ready-after", person)) in text
    means = [results.tallies[poll_id]["mean"] for poll_id in ("ready-before", "ready-after")]
    assert room.format(a=f"{means[0]:g}", b=f"{means[1]:g}") in text


def test_the_takeaway_of_someone_who_answered_only_once_shows_a_dash(ready):
    deck, results = ready
    person = next((p.id for p in results.participants
                   if results.value_of("ready-before", p.id) is None
                   and results.value_of("ready-after", p.id) is not None), None)
    if person is None:
        pytest.skip("everyone who answered at the end answered at the start")
    text = flat(pdf_text(build_takeaway(deck, results, person)))
    assert words(deck)[0].format(a="\u2013", b=results.value_of("ready-after", person)) in text


def test_the_summary_shows_the_rooms_shift(ready):
    deck, results = ready
    text = flat(pdf_text(build_summary(deck, results)))
    means = [results.tallies[poll_id]["mean"] for poll_id in ("ready-before", "ready-after")]
    assert words(deck)[1].format(a=f"{means[0]:g}", b=f"{means[1]:g}") in text
    before, after = (results.values[p] for p in ("ready-before", "ready-after"))
    both = [(before[p], after[p]) for p in before if p in after]
    up = sum(b > a for a, b in both)
    if deck.language == "en":
        assert f"{len(both)}answeredbothtimes:{up}higher" in text
    else:
        assert f"{len(both)}人两次都回答了：{up}人更高" in text


def test_a_choice_asked_twice_shows_the_pick_then_and_now_with_the_rooms_share(tmp_path):
    path = tmp_path / "pair.yaml"
    path.write_text(CHOICE_PAIR, encoding="utf-8")
    deck = load_deck(path)
    store = open_store(tmp_path / "w.db", clock=ticking_clock())
    store.create_session("s1", deck.path, deck.title, ids.join_code(), "key")
    people = [store.add_participant("s1", f"t{n}", ids.pseudonym(n)) for n in range(4)]
    for person, (then, now) in zip(people, [(2, 0), (2, 0), (0, 0), (1, 1)]):
        store.save_answer("s1", "first-step", person.id, [then])
        store.save_answer("s1", "first-step-again", person.id, [now])
    results = load_results(store, deck, "s1")
    text = flat(pdf_text(build_takeaway(deck, results, people[0].id)))
    assert "Then:Wait(50%oftheroom)" in text and "Now:Listen(75%oftheroom)" in text
    summary = flat(pdf_text(build_summary(deck, results)))
    assert "4answeredbothtimes:2changedtheiranswer" in summary
    assert "Listen1·25%3·75%+50" in summary and "Wait2·50%0·0%-50" in summary
    store.close()
