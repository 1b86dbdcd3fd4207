"""A poll may `compare` itself with an earlier one asking the same: the deck checker's part."""
from __future__ import annotations

import pytest
from tests.test_deck import at, problems_of, valid

READY = """\
      id: {id}
      type: scale
      question: How ready do you feel?
      min: {lo}
      max: {hi}
"""
PICK = """\
      id: {id}
      type: choice
      question: Which first?
      options: [{options}]
"""


def two_polls(first: str, second: str) -> str:
    """Return a deck of a title slide and two poll slides (the second at line 10 onward)."""
    return ("title: Before and after\n"
            "slides:\n"
            "  - kind: title\n"
            "    title: Welcome\n"
            "  - kind: poll\n"
            "    poll:\n"
            f"{first}"
            "  - kind: poll\n"
            "    poll:\n"
            f"{second}")


def compare_line(text: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if "compare:" in line)


def test_a_scale_asked_twice_is_a_before_and_after_pair(tmp_path):
    text = two_polls(READY.format(id="ready-before", lo=1, hi=5),
                     READY.format(id="ready-after", lo=1, hi=5) + "      compare: ready-before\n")
    deck = valid(tmp_path, text)
    assert deck.polls["ready-after"].compare == "ready-before"
    assert deck.polls["ready-before"].compare == ""


def test_a_choice_asked_twice_with_the_same_options_is_a_pair(tmp_path):
    text = two_polls(PICK.format(id="first", options="Trust, Goal"),
                     PICK.format(id="second", options="Trust, Goal") + "      compare: first\n")
    assert valid(tmp_path, text).polls["second"].compare == "first"


def test_compare_with_an_unknown_poll_suggests_the_near_one(tmp_path):
    text = two_polls(READY.format(id="ready-before", lo=1, hi=5),
                     READY.format(id="ready-after", lo=1, hi=5) + "      compare: ready-befor\n")
    path, problems = problems_of(tmp_path, text)
    problem = at(problems, path, compare_line(text), "compare", "no poll 'ready-befor'")
    assert "(did you mean 'ready-before'?)" in problem
    assert problem.startswith(f"{path}:{compare_line(text)}: slide 3 (poll) poll 'ready-after'")


def test_compare_with_a_later_poll_or_itself_is_refused(tmp_path):
    text = two_polls(READY.format(id="ready-before", lo=1, hi=5) + "      compare: ready-after\n",
                     READY.format(id="ready-after", lo=1, hi=5))
    path, problems = problems_of(tmp_path, text)
    at(problems, path, compare_line(text), "'ready-after' must come before 'ready-before'")
    text = two_polls(READY.format(id="a", lo=1, hi=5),
                     READY.format(id="b", lo=1, hi=5) + "      compare: b\n")
    path, problems = problems_of(tmp_path, text)
    at(problems, path, compare_line(text), "'b' must come before 'b'")


def test_compare_with_a_poll_of_another_type_is_refused(tmp_path):
    text = two_polls(PICK.format(id="first", options="Trust, Goal"),
                     READY.format(id="later", lo=1, hi=5) + "      compare: first\n")
    path, problems = problems_of(tmp_path, text)
    at(problems, path, compare_line(text), "'first' is a choice poll and 'later' a scale poll")


def test_compare_with_another_scale_or_other_options_is_refused(tmp_path):
    text = two_polls(READY.format(id="a", lo=1, hi=5),
                     READY.format(id="b", lo=0, hi=10) + "      compare: a\n")
    path, problems = problems_of(tmp_path, text)
    at(problems, path, compare_line(text), "'a' has other scale")
    text = two_polls(PICK.format(id="a", options="Trust, Goal"),
                     PICK.format(id="b", options="Goal, Trust") + "      compare: a\n")
    path, problems = problems_of(tmp_path, text)
    at(problems, path, compare_line(text), "'a' has other options")


def test_only_choice_and_scale_polls_can_be_compared(tmp_path):
    open_poll = "      id: {id}\n      type: open\n      question: Why?\n"
    text = two_polls(open_poll.format(id="a"), open_poll.format(id="b") + "      compare: a\n")
    path, problems = problems_of(tmp_path, text)
    at(problems, path, compare_line(text), "only choice and scale polls can be compared")


@pytest.mark.parametrize("value", ["", "[a]", "true"])
def test_compare_must_be_a_poll_id(tmp_path, value):
    text = two_polls(READY.format(id="a", lo=1, hi=5),
                     READY.format(id="b", lo=1, hi=5) + f"      compare: {value}\n")
    path, problems = problems_of(tmp_path, text)
    at(problems, path, compare_line(text), "'compare'")
