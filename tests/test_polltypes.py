"""The poll-type registry: every type provides every hook, and a new type is one definition."""
from __future__ import annotations

import inspect
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from handouts import load_results
from handouts.questions import PRINTED
from workshop import polltypes
from workshop.deck import DeckError, Poll
from workshop.deck_file import DeckChecker, load_deck, parse_deck
from workshop.polltypes import (POLL_TYPES, REGISTRY, AnswerError, PollType, Tally,
                                describe_answer, new_tally, normalize_answer)
from workshop.simulate import simulate
from workshop.store import open_store

ROOT = Path(__file__).resolve().parent.parent
HOOKS = ("build", "public", "normalize", "restore", "new_tally", "statistics",
         "answer_generator", "describe")


@pytest.fixture(scope="module")
def english():
    return load_deck(ROOT / "decks" / "leaders-role.yaml")


# ----- the four built-in types ---------------------------------------------------------------

def test_the_registry_lists_the_four_types_in_deck_order():
    assert POLL_TYPES == ("choice", "scale", "ranking", "open") == polltypes.names()
    assert all(polltypes.get(name).name == name for name in POLL_TYPES)


def test_every_registered_type_provides_every_hook():
    for name, poll_type in REGISTRY.items():
        assert isinstance(poll_type, PollType), name
        assert not inspect.isabstract(type(poll_type)), name
        for hook in HOOKS:
            assert callable(getattr(poll_type, hook)), (name, hook)
        assert isinstance(poll_type.required, frozenset) and isinstance(poll_type.optional, frozenset)
        assert not poll_type.required & poll_type.optional, name
        assert 0 < poll_type.answer_rate <= 1 and 0 <= poll_type.change_rate < 1


def test_a_type_missing_a_hook_cannot_be_made():
    class Half(PollType):
        name = "half"

        def build(self, check, data, where):
            return {}

    with pytest.raises(TypeError):
        Half()


def test_a_name_is_registered_once(monkeypatch):
    monkeypatch.setattr(polltypes, "REGISTRY", dict(REGISTRY))
    with pytest.raises(ValueError):
        polltypes.register(polltypes.get("open"))


def test_every_built_in_type_prints(english):
    assert set(PRINTED) == set(POLL_TYPES)
    assert {p.type for p in english.polls.values()} == set(POLL_TYPES)  # the deck shows each


def test_each_type_round_trips_its_simulated_answers_through_its_tally(english):
    rng = random.Random(3)
    for poll in english.polls.values():
        value = polltypes.answer_generator(poll, rng, "en")()
        assert normalize_answer(poll, value) == value, poll.id
        tally = new_tally(poll)
        empty = tally.snapshot(True)
        tally.add(7, value)
        assert tally.snapshot(True)["answered"] == 1
        tally.remove(7, value)
        assert tally.snapshot(True) == empty, poll.id
        assert isinstance(describe_answer(poll, value), str) and describe_answer(poll, value)


def test_the_phone_sees_each_types_keys_and_never_the_correct_answer(english):
    seen = {}
    for poll in english.polls.values():
        public = poll.public()
        assert {"id", "type", "question", "allow_change"} <= set(public)
        assert "correct" not in public
        seen[poll.type] = set(public) - {"id", "type", "question", "allow_change"}
    assert seen == {"choice": {"options", "multiple", "max"},
                    "scale": {"min", "max", "left", "right"},
                    "ranking": {"items"}, "open": {"max_length"}}


# ----- describe_answer, restore, statistics ---------------------------------------------------

COLOURS = Poll(id="c", type="choice", question="?", options=("Red", "Green", "Blue"), multiple=True)
MOOD = Poll(id="m", type="scale", question="?", scale_min=-2, scale_max=2)
ORDER = Poll(id="r", type="ranking", question="?", options=("Trust", "Goal", "Talent"))
WHY = Poll(id="o", type="open", question="?", max_length=5)


@pytest.mark.parametrize("poll, value, text", [
    (COLOURS, [2, 0], "Red; Blue"),
    (COLOURS, [1], "Green"),
    (COLOURS, 1, "1"),  # a multiple choice is a list: a bare number no longer fits, shown raw
    (MOOD, -2, "-2"),
    (ORDER, [2, 0, 1], "1. Talent > 2. Trust > 3. Goal"),
    (WHY, "Because it is", "Because it is"),  # stored when the limit was longer: still read
    (COLOURS, [5], "[5]"),  # no longer fits the poll: shown raw
    (ORDER, [0, 0, 1], "[0, 0, 1]"),
    (MOOD, "3", "3"),
    (WHY, "  ", "  "),
    (None, {"x": "é"}, '{"x": "é"}'),
])
def test_describe_answer_reads_each_type_as_people_do(poll, value, text):
    assert describe_answer(poll, value) == text


def test_restore_keeps_stored_open_text_but_drops_answers_that_no_longer_fit():
    assert polltypes.restore_answer(WHY, "longer than five") == "longer than five"
    assert normalize_answer(WHY, "12345") == "12345"
    with pytest.raises(AnswerError):
        normalize_answer(WHY, "longer than five")
    assert polltypes.restore_answer(MOOD, 9) is None
    assert polltypes.restore_answer(COLOURS, [2, 2, 0]) is None  # never stored: a choice is each option once
    assert polltypes.restore_answer(COLOURS, [2, 0]) == [0, 2]


def test_ranking_statistics_count_each_items_places():
    figures = polltypes.statistics(ORDER, [[2, 0, 1], [2, 1, 0], [0, 1, 2]])
    assert figures == {"positions": [[1, 1, 1], [0, 2, 1], [2, 0, 1]]}
    assert polltypes.statistics(MOOD, [1, 2]) == {}


# ----- a new type is one definition -----------------------------------------------------------

class EstimateTally(Tally):
    def __init__(self, poll):
        super().__init__(poll)
        self.total = 0

    def add(self, participant_id, value):
        super().add(participant_id, value)
        self.total += value

    def remove(self, participant_id, value):
        super().remove(participant_id, value)
        self.total -= value

    def snapshot(self, revealed):
        data = super().snapshot(revealed)
        data["mean"] = self.total / self.answered if self.answered else None
        return data


class Estimate(PollType):
    """A toy type: guess a whole number up to a limit, in some unit."""

    name = "estimate"
    required = frozenset({"unit"})
    optional = frozenset({"limit"})

    def build(self, check, data, where):
        return dict(settings={"unit": check.text(data, "unit", where),
                              "limit": check.number(data, "limit", where, 100, integer=True,
                                                    lo=1, hi=1000)})

    def public(self, poll):
        return {"unit": poll.settings["unit"], "limit": poll.settings["limit"]}

    def normalize(self, poll, value):
        if not isinstance(value, int) or isinstance(value, bool):
            raise AnswerError("bad_value", "Send a whole number.")
        if not 0 <= value <= poll.settings["limit"]:
            raise AnswerError("out_of_range", f"Guess 0 to {poll.settings['limit']}.")
        return value

    def new_tally(self, poll):
        return EstimateTally(poll)

    def answer_generator(self, poll, rng, language):
        return lambda: rng.randint(0, poll.settings["limit"])

    def describe(self, poll, value):
        return f"{value} {poll.settings['unit']}"


ESTIMATE_DECK = """\
title: Estimates
slides:
  - kind: poll
    minutes: 2
    poll:
      id: budget
      type: estimate
      question: How many hours a week go to meetings?
      unit: hours
      limit: 60
"""


@pytest.fixture
def estimate(monkeypatch):
    monkeypatch.setitem(REGISTRY, "estimate", Estimate())


def test_a_registered_type_is_read_from_a_deck_and_shown_to_phones(estimate):
    deck = parse_deck(ESTIMATE_DECK, "est.yaml")
    poll = deck.polls["budget"]
    assert (poll.type, poll.settings, poll.line) == ("estimate", {"unit": "hours", "limit": 60}, 6)
    assert poll.public() == {"id": "budget", "type": "estimate", "allow_change": True,
                             "question": "How many hours a week go to meetings?",
                             "unit": "hours", "limit": 60}
    assert deck.summary()["polls"] == {"choice": 0, "scale": 0, "ranking": 0, "open": 0,
                                       "estimate": 1}


def test_a_registered_types_keys_are_checked_with_path_and_line(estimate):
    text = ESTIMATE_DECK.replace("      unit: hours\n", "      units: hours\n")
    text = text.replace("limit: 60", "limit: lots")
    with pytest.raises(DeckError) as exc:
        parse_deck(text, "est.yaml")
    assert exc.value.problems == [
        "est.yaml:9: slide 1 (poll) poll: unknown key 'units' (did you mean 'unit'?)",
        "est.yaml:6: slide 1 (poll) poll: missing 'unit'",
        "est.yaml:10: slide 1 (poll) poll 'budget': 'limit' must be a whole number, not text",
    ]


def test_an_unknown_type_names_the_registered_ones(estimate):
    with pytest.raises(DeckError) as exc:
        parse_deck(ESTIMATE_DECK.replace("type: estimate", "type: estimat"), "est.yaml")
    assert exc.value.problems == [
        "est.yaml:7: slide 1 (poll) poll: unknown type 'estimat' (did you mean 'estimate'?); "
        "use one of choice, scale, ranking, open, estimate"]


def test_a_registered_type_normalises_tallies_and_describes(estimate):
    poll = parse_deck(ESTIMATE_DECK).polls["budget"]
    assert normalize_answer(poll, 12) == 12
    with pytest.raises(AnswerError) as exc:
        normalize_answer(poll, 61)
    assert exc.value.code == "out_of_range"
    tally = new_tally(poll)
    tally.add(1, 10)
    tally.add(2, 20)
    assert tally.snapshot(False) == {"poll": "budget", "type": "estimate", "answered": 2,
                                     "mean": 15}
    assert describe_answer(poll, 12) == "12 hours"
    assert describe_answer(poll, 99) == "99"  # over the limit: shown raw


def test_a_registered_type_is_simulated_and_read_back_for_reports(estimate, tmp_path):
    path = tmp_path / "est.yaml"
    path.write_text(ESTIMATE_DECK, encoding="utf-8")
    deck = load_deck(path)
    store = open_store(str(tmp_path / "sim.db"))
    try:
        sid = simulate(store, deck, path, 40, seed=5, clock=lambda: 1_767_000_000.0)
        answers = store.answers(sid)
        assert len(answers) > 20
        assert all(0 <= a.value <= 60 for a in answers)
        results = load_results(store, deck, sid)
    finally:
        store.close()
    assert results.answered["budget"] == len(answers)
    mean = sum(a.value for a in answers) / len(answers)
    assert results.tallies["budget"]["mean"] == pytest.approx(mean)


def test_the_checker_hands_types_its_helpers():
    for helper in ("text", "texts", "number", "flag", "problem", "shown"):
        assert callable(getattr(DeckChecker("x.yaml"), helper))


# ----- layers -------------------------------------------------------------------------------

def test_the_core_imports_neither_web_nor_print():
    code = textwrap.dedent("""
        import sys
        import workshop.deck, workshop.deck_file, workshop.polltypes, workshop.simulate
        import workshop.session, workshop.text
        loaded = [m for m in ("flask", "flask_socketio", "reportlab", "handouts", "server")
                  if m in sys.modules]
        print(",".join(loaded))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True)
    assert out.stdout.strip() == ""


def test_the_architecture_section_names_every_hook_and_type():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for word in HOOKS + ("required", "optional", "free_text", "answer_rate", "change_rate",
                         "answer_space", "room_chart", "WIDGETS", "BUILD", "UPDATE"):
        assert f"`{word}" in text, word
    assert all(f"`{name}`" in text for name in POLL_TYPES)
