"""The session state machine (server/session.py): navigation, voting, reveal, reset. Pure."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest

from workshop.deck_file import load_deck
from workshop.session import (ACTIONS, CLOSED, NOTHING, OPEN, PENDING, Change, ControlError, SessionState, apply,
                            default_revealed, reveal_closes)

DEFAULT_DECK = Path(__file__).resolve().parent.parent / "decks" / "leaders-role.yaml"


@pytest.fixture(scope="module")
def deck():
    """The default deck, parsed once: it is frozen, and each test gets a fresh state."""
    return load_deck(DEFAULT_DECK)


@pytest.fixture
def state(deck):
    return SessionState(deck)


def at(deck, poll_id) -> int:
    return deck.poll_slide_index(poll_id)


def no_poll_slide(deck) -> int:
    return next(i for i, s in enumerate(deck.slides) if s.poll is None)


def snapshot(state) -> tuple:
    return (state.slide, state.qr, state.takeaways,
            {pid: (ps.status, ps.revealed) for pid, ps in state.polls.items()})


def reset_of(poll_id: str) -> Change:
    """What a reset changes: the poll's state, its answers and so its tally."""
    one = frozenset({poll_id})
    return Change(polls=one, reset=one, tallies=one)


def test_changes_combine_and_say_whether_the_state_moved():
    both = Change(slide=True) | Change(tallies=frozenset({"p"}))
    assert both == Change(slide=True, tallies=frozenset({"p"})) and both.state
    assert not Change(tallies=frozenset({"p"}), people=True).state and not NOTHING


def refused(state, action, args=None) -> str:
    """Apply an action that must fail; check it changed nothing; return its error code."""
    before = snapshot(state)
    with pytest.raises(ControlError) as exc:
        apply(state, action, args or {})
    assert snapshot(state) == before
    assert exc.value.message
    return exc.value.code


# ----- the start -----------------------------------------------------------------------------

def test_a_new_session_starts_on_the_first_slide_with_every_poll_pending(state):
    assert state.slide == 0 and not state.qr and not state.takeaways
    assert {ps.status for ps in state.polls.values()} == {PENDING}


def test_quizzes_and_scenarios_start_hidden_and_other_polls_start_shown(deck, state):
    assert state.polls["quiz-fire-principle"].revealed is False  # has a correct answer
    assert state.polls["scenario-wang"].revealed is False  # a scenario
    assert state.polls["homework-followers"].revealed is True
    assert state.polls["homework-leader"].revealed is True
    for pid, poll in deck.polls.items():
        assert state.polls[pid].revealed is default_revealed(deck, poll)


# ----- navigation ----------------------------------------------------------------------------

def test_next_and_prev_move_one_slide(deck, state):
    assert apply(state, "next", {}).slide
    assert state.slide == 1
    assert apply(state, "prev", {}).slide
    assert state.slide == 0
    plain = next(i for i in range(1, len(deck.slides) - 1)
                 if not deck.slides[i].poll and not deck.slides[i + 1].poll)
    apply(state, "goto", {"slide": plain})
    assert apply(state, "next", {}) == Change(slide=True)  # no poll to open or close


def test_prev_on_the_first_slide_and_next_on_the_last_change_nothing(deck, state):
    assert apply(state, "prev", {}) == NOTHING and state.slide == 0
    last = len(deck.slides) - 1
    apply(state, "goto", {"slide": last})
    assert apply(state, "next", {}) == NOTHING and state.slide == last


def test_goto_the_current_slide_changes_nothing(state):
    assert apply(state, "goto", {"slide": 0}) == NOTHING


@pytest.mark.parametrize("slide", [-1, 10_000, 2 ** 70, -2 ** 70, "3", 3.0, 1e308, None, True, [3], {"n": 3}])
def test_goto_outside_the_deck_or_not_a_number_is_refused(state, slide):
    assert refused(state, "goto", {"slide": slide}) == "bad_slide"


def test_goto_without_a_slide_is_refused(state):
    assert refused(state, "goto") == "bad_slide"


def test_goto_the_last_slide_is_allowed(deck, state):
    assert apply(state, "goto", {"slide": len(deck.slides) - 1}).slide


def test_arriving_at_a_pending_poll_opens_it(deck, state):
    changed = apply(state, "goto", {"slide": at(deck, "homework-followers")})
    assert changed == Change(slide=True, polls=frozenset({"homework-followers"}))
    assert state.polls["homework-followers"].status == OPEN
    assert state.current_poll.id == "homework-followers"


def test_next_onto_a_poll_slide_opens_it(deck, state):
    apply(state, "goto", {"slide": at(deck, "warmup-role") - 1})
    assert apply(state, "next", {}) == Change(slide=True, polls=frozenset({"warmup-role"}))
    assert state.polls["warmup-role"].status == OPEN


def test_arriving_at_a_closed_poll_does_not_reopen_it(deck, state):
    apply(state, "goto", {"slide": at(deck, "homework-followers")})
    apply(state, "close", {})
    apply(state, "goto", {"slide": 0})
    assert apply(state, "goto", {"slide": at(deck, "homework-followers")}) == Change(slide=True)
    assert state.polls["homework-followers"].status == CLOSED


def test_leaving_a_poll_that_stays_open_keeps_it_open(deck, state):
    assert deck.polls["homework-followers"].stays_open  # homework: people may finish it later
    apply(state, "goto", {"slide": at(deck, "homework-followers")})
    assert apply(state, "goto", {"slide": 0}) == Change(slide=True)
    assert state.polls["homework-followers"].status == OPEN
    assert state.current_poll is None


def before_a_plain_slide(deck) -> str:
    """Return the first poll that closes when the room moves on to a slide without a poll."""
    return next(slide.poll.id for slide, after in zip(deck.slides, deck.slides[1:])
                if slide.poll and not slide.poll.stays_open and not after.poll)


def test_moving_on_closes_the_poll_the_room_leaves(deck, state):
    poll_id = before_a_plain_slide(deck)
    apply(state, "goto", {"slide": at(deck, poll_id)})
    assert apply(state, "next", {}) == Change(slide=True, polls=frozenset({poll_id}))
    assert state.polls[poll_id].status == CLOSED
    walked = SessionState(deck)
    for _ in deck.slides:
        apply(walked, "next", {})
    still_open = {pid for pid, ps in walked.polls.items() if ps.status == OPEN}
    assert still_open == {pid for pid, poll in deck.polls.items() if poll.stays_open}


def test_leaving_a_closed_or_pending_poll_changes_only_the_slide(deck, state):
    poll_id = before_a_plain_slide(deck)
    apply(state, "goto", {"slide": at(deck, poll_id)})
    apply(state, "close", {})
    assert apply(state, "next", {}) == Change(slide=True)
    assert state.polls[poll_id].status == CLOSED


# ----- voting and results --------------------------------------------------------------------

def test_open_and_close_a_named_poll_from_any_slide(state):
    assert apply(state, "open", {"poll": "homework-leader"}) == Change(polls=frozenset({"homework-leader"}))
    assert state.polls["homework-leader"].status == OPEN and state.slide == 0
    assert apply(state, "close", {"poll": "homework-leader"}) == Change(polls=frozenset({"homework-leader"}))
    assert state.polls["homework-leader"].status == CLOSED


def test_a_missing_poll_means_the_current_slides_poll(deck, state):
    apply(state, "goto", {"slide": at(deck, "quiz-fire-principle")})
    apply(state, "reveal", {})
    assert state.polls["quiz-fire-principle"].revealed is True


def test_toggle_voting(deck, state):
    apply(state, "goto", {"slide": at(deck, "homework-followers")})
    apply(state, "toggle_voting", {})
    assert state.polls["homework-followers"].status == CLOSED
    apply(state, "toggle_voting", {})
    assert state.polls["homework-followers"].status == OPEN
    apply(state, "toggle_voting", {"poll": "homework-leader"})  # pending counts as not open
    assert state.polls["homework-leader"].status == OPEN


def test_revealing_a_quiz_or_a_scenario_closes_its_voting_first(deck, state):
    for poll_id in ("quiz-fire-principle", "scenario-wang"):
        apply(state, "goto", {"slide": at(deck, poll_id)})
        assert state.polls[poll_id].status == OPEN
        assert apply(state, "reveal", {}) == Change(polls=frozenset({poll_id}))
        assert (state.polls[poll_id].status, state.polls[poll_id].revealed) == (CLOSED, True)
    assert reveal_closes(deck, deck.polls["quiz-fire-principle"])


def test_revealing_an_ordinary_poll_leaves_voting_open(deck, state):
    apply(state, "goto", {"slide": at(deck, "homework-followers")})
    apply(state, "hide", {})
    apply(state, "reveal", {})
    assert (state.polls["homework-followers"].status, state.polls["homework-followers"].revealed) == (OPEN, True)


def test_a_deck_decides_whether_revealing_closes_a_poll():
    from workshop.deck_file import parse_deck
    deck = parse_deck("""
title: Reveal rules
slides:
  - kind: title
    title: Reveal rules
  - kind: poll
    poll: {id: quiz-open, type: choice, question: Which, options: [a, b], correct: a, reveal_closes: false}
  - kind: poll
    poll: {id: plain-closed, type: scale, question: How much, min: 1, max: 5, reveal_closes: true}
""")
    state = SessionState(deck)
    apply(state, "goto", {"slide": 1})
    apply(state, "reveal", {})
    assert state.polls["quiz-open"].status == OPEN
    apply(state, "open", {"poll": "plain-closed"})
    apply(state, "reveal", {"poll": "plain-closed"})
    assert state.polls["plain-closed"].status == CLOSED


def test_toggle_results(state):
    apply(state, "toggle_results", {"poll": "quiz-fire-principle"})
    assert state.polls["quiz-fire-principle"].revealed is True
    apply(state, "toggle_results", {"poll": "quiz-fire-principle"})
    assert state.polls["quiz-fire-principle"].revealed is False
    apply(state, "hide", {"poll": "homework-leader"})
    assert state.polls["homework-leader"].revealed is False


def test_poll_actions_on_a_slide_without_a_poll_need_a_poll_id(deck, state):
    apply(state, "goto", {"slide": no_poll_slide(deck)})
    for action in ("open", "close", "toggle_voting", "reveal", "hide", "toggle_results", "reset"):
        assert refused(state, action) == "no_poll"


@pytest.mark.parametrize("poll", ["nope", "", 5, ["homework-leader"], {"id": "homework-leader"}, True])
def test_unknown_polls_are_refused(state, poll):
    assert refused(state, "open", {"poll": poll}) == "unknown_poll"


@pytest.mark.parametrize("action", ["fly", "", "NEXT", "__class__", "apply"])
def test_unknown_actions_are_refused(state, action):
    assert refused(state, action, {"poll": "homework-leader"}) == "unknown_action"


# ----- reset ---------------------------------------------------------------------------------

def test_reset_of_the_current_poll_reopens_it_and_restores_default_reveal(deck, state):
    apply(state, "goto", {"slide": at(deck, "quiz-fire-principle")})
    apply(state, "close", {})
    apply(state, "reveal", {})
    assert apply(state, "reset", {}) == reset_of("quiz-fire-principle")
    assert state.polls["quiz-fire-principle"].status == OPEN
    assert state.polls["quiz-fire-principle"].revealed is False


def test_reset_of_another_poll_makes_it_pending_again(deck, state):
    apply(state, "open", {"poll": "homework-leader"})
    apply(state, "hide", {"poll": "homework-leader"})
    assert apply(state, "reset", {"poll": "homework-leader"}) == reset_of("homework-leader")
    assert state.polls["homework-leader"].status == PENDING
    assert state.polls["homework-leader"].revealed is True


# ----- hide an open answer -------------------------------------------------------------------

def test_hide_answer_is_for_open_text_only(state):
    assert refused(state, "hide_answer", {"poll": "homework-followers", "participant": 1}) == "not_open_text"


@pytest.mark.parametrize("args", [{}, {"participant": "1"}, {"participant": True}, {"participant": None},
                                  {"participant": 1.5}, {"participant": 1, "hidden": "yes"},
                                  {"participant": 1, "hidden": None}, {"participant": 1, "hidden": 1}])
def test_hide_answer_needs_a_participant_number_and_a_boolean(state, args):
    assert refused(state, "hide_answer", dict(args, poll="homework-leader")) == "bad_value"


def test_hide_answer_reports_the_change_for_the_room_to_apply(state):
    assert apply(state, "hide_answer", {"poll": "homework-leader", "participant": 3}) == NOTHING  # the room hides it
    assert apply(state, "hide_answer", {"poll": "homework-leader", "participant": 3, "hidden": False}) \
        == NOTHING


# ----- projector and takeaways ---------------------------------------------------------------

def test_qr_toggles_or_takes_a_boolean(state):
    assert apply(state, "qr", {}) == Change(qr=True) and state.qr is True
    apply(state, "qr", {})
    assert state.qr is False
    apply(state, "qr", {"show": True})
    apply(state, "qr", {"show": True})
    assert state.qr is True


@pytest.mark.parametrize("value", ["yes", 1, None, [True]])
def test_qr_and_takeaways_refuse_non_booleans(state, value):
    assert refused(state, "qr", {"show": value}) == "bad_value"
    assert refused(state, "takeaways", {"allow": value}) == "bad_value"


def test_takeaways_are_allowed_by_default_and_can_be_withdrawn(state):
    assert apply(state, "takeaways", {}) == Change(takeaways=True) and state.takeaways is True
    apply(state, "takeaways", {"allow": False})
    assert state.takeaways is False


def test_every_documented_action_is_known(state):
    for action in ACTIONS:
        try:
            apply(copy.deepcopy(state), action, {"poll": "homework-leader", "participant": 1, "slide": 1})
        except ControlError as exc:
            assert exc.code != "unknown_action"
