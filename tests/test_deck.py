"""The deck format: the default decks, every validation message and its line, the model."""
from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from workshop.deck import DeckError
from workshop.deck_file import load_deck, parse_deck
from workshop.polltypes import POLL_TYPES

ROOT = Path(__file__).resolve().parent.parent
EN_DECK = ROOT / "decks" / "leaders-role.yaml"
ZH_DECK = ROOT / "decks" / "leaders-role.zh.yaml"
HOMEWORK = {
    "homework-followers": "choice",
    "homework-followers-why": "open",
    "homework-first-step": "ranking",
    "homework-process": "open",
    "homework-leader": "open",
}
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def en():
    return load_deck(EN_DECK)


@pytest.fixture(scope="module")
def zh():
    return load_deck(ZH_DECK)


# ----- helpers ---------------------------------------------------------------------------

def deck_with_poll(poll: str) -> str:
    """Return a small deck text whose second slide asks the given poll (YAML lines)."""
    body = textwrap.indent(textwrap.dedent(poll).strip("\n"), " " * 6)
    return ("title: Test deck\n"
            "slides:\n"
            "  - kind: title\n"
            "    title: Welcome\n"
            "  - kind: poll\n"
            "    poll:\n"
            f"{body}\n")


def line_of(text: str, needle: str, occurrence: int | None = None) -> int:
    """Return the 1-based line holding needle (its only occurrence, or the n-th)."""
    hits = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    if occurrence is None:
        assert len(hits) == 1, f"{needle!r} must occur once in the fixture: lines {hits}"
        return hits[0]
    assert len(hits) >= occurrence, f"{needle!r} occurs {len(hits)} times in the fixture"
    return hits[occurrence - 1]


def problems_of(tmp_path: Path, text: str) -> tuple[str, list[str]]:
    """Write the deck, load it, and return its path and the problems it must raise."""
    path = tmp_path / "deck.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DeckError) as info:
        load_deck(path)
    problems = info.value.problems
    assert problems, "a DeckError must carry at least one problem"
    for p in problems:
        assert re.match(rf"^{re.escape(str(path))}:\d+: \S", p), f"not PATH:LINE: message: {p!r}"
    return str(path), problems


def at(problems: list[str], path: str, line: int, *fragments: str) -> str:
    """Return the one problem on that line containing every fragment, or fail saying why."""
    prefix = f"{path}:{line}: "
    found = [p for p in problems if p.startswith(prefix) and all(f in p for f in fragments)]
    assert len(found) == 1, (f"expected one problem at line {line} with {fragments}, "
                             f"got:\n" + "\n".join(problems))
    return found[0]


def valid(tmp_path: Path, text: str):
    path = tmp_path / "deck.yaml"
    path.write_text(text, encoding="utf-8")
    return load_deck(path)


CHOICE = "id: pick\ntype: choice\nquestion: Which one?\noptions: [Red, Blue]\n"


# ----- the default decks ---------------------------------------------------------------

def test_default_deck_is_valid(en):
    assert en.title and en.slides and en.polls


def test_default_deck_has_three_scenarios_each_with_a_choice_poll_and_tips(en):
    scenarios = [s for s in en.slides if s.kind == "scenario"]
    assert len(scenarios) >= 3
    for s in scenarios:
        assert s.poll is not None and s.poll.type == "choice", s.title
        assert s.tips and all(tip.strip() for tip in s.tips), s.title
        assert s.story.strip(), s.title


def test_default_deck_asks_the_four_homework_questions(en):
    for poll_id, poll_type in HOMEWORK.items():
        assert poll_id in en.polls, poll_id
        assert en.polls[poll_id].type == poll_type, poll_id
        assert en.polls[poll_id].group == "homework", poll_id


def test_homework_followers_asks_followers_or_subordinates(en):
    options = " ".join(en.polls["homework-followers"].options).lower()
    assert "follower" in options and "subordinate" in options


def test_homework_ranking_orders_the_three_team_components(en):
    assert len(en.polls["homework-first-step"].items) == 3


def test_default_deck_has_at_least_two_scale_polls(en):
    scales = [p for p in en.polls.values() if p.type == "scale"]
    assert len(scales) >= 2
    for p in scales:
        assert p.scale_min < p.scale_max and p.left and p.right


def test_default_deck_has_a_quiz_with_a_correct_answer(en):
    quizzes = [p for p in en.polls.values() if p.type == "choice" and p.correct]
    assert quizzes
    for p in quizzes:
        assert all(0 <= i < len(p.options) for i in p.correct)


@pytest.mark.parametrize("deck_path", [EN_DECK, ZH_DECK], ids=["en", "zh"])
def test_every_slide_has_speaker_notes(deck_path):
    deck = load_deck(deck_path)
    missing = [i + 1 for i, s in enumerate(deck.slides) if not s.notes.strip()]
    assert not missing, f"slides without notes: {missing}"


@pytest.mark.parametrize("deck_path", [EN_DECK, ZH_DECK], ids=["en", "zh"])
def test_planned_length_is_sixty_to_ninety_minutes(deck_path):
    deck = load_deck(deck_path)
    assert 60 <= deck.minutes <= 90
    assert 60 <= sum(s.minutes for s in deck.slides) <= 90


def test_chinese_deck_has_the_same_polls_in_the_same_order(en, zh):
    def shape(deck):
        return [(p.id, p.type) for p in deck.polls.values()]
    assert shape(zh) == shape(en)


def test_chinese_deck_keeps_option_counts_and_correct_answers(en, zh):
    for poll_id, poll in en.polls.items():
        assert len(zh.polls[poll_id].options) == len(poll.options), poll_id
        assert zh.polls[poll_id].correct == poll.correct, poll_id
        assert zh.polls[poll_id].group == poll.group, poll_id


def test_chinese_deck_is_in_chinese(zh):
    assert zh.language == "zh" or zh.language.startswith("zh-")
    assert CJK.search(zh.title)
    for poll in zh.polls.values():
        assert CJK.search(poll.question), poll.id
    for slide in zh.slides:
        assert CJK.search(slide.heading), slide.heading


def test_english_deck_says_it_is_english(en):
    assert en.language == "en"


# ----- unknown keys ----------------------------------------------------------------------

def test_misspelt_poll_key_suggests_the_right_one(tmp_path):
    text = deck_with_poll("""
        id: pick
        type: choice
        questoin: Which one?
        options: [Red, Blue]
    """)
    path, problems = problems_of(tmp_path, text)
    at(problems, path, line_of(text, "questoin:"), "unknown key 'questoin'",
       "did you mean 'question'")


def test_misspelt_slide_key_suggests_the_right_one(tmp_path):
    text = ("title: T\n"
            "slides:\n"
            "  - kind: bullets\n"
            "    title: Three things\n"
            "    bulets: [a, b, c]\n")
    path, problems = problems_of(tmp_path, text)
    at(problems, path, 5, "unknown key 'bulets'", "did you mean 'bullets'")
    at(problems, path, 3, "missing 'bullets'")


def test_unknown_top_level_key_is_named_with_a_suggestion(tmp_path):
    text = ("title: T\n"
            "speakr: Randy Ou\n"
            "slides:\n"
            "  - kind: title\n"
            "    title: Hi\n")
    path, problems = problems_of(tmp_path, text)
    assert problems == [f"{path}:2: deck: unknown key 'speakr' (did you mean 'speaker'?)"]


def test_unknown_key_without_a_near_match_gets_no_suggestion(tmp_path):
    text = ("title: T\n"
            "slides:\n"
            "  - kind: title\n"
            "    title: Hi\n"
            "colour: blue\n")
    path, problems = problems_of(tmp_path, text)
    message = at(problems, path, 5, "unknown key 'colour'")
    assert "did you mean" not in message
    assert len(problems) == 1


# ----- missing fields --------------------------------------------------------------------

def test_missing_title_is_reported_on_the_deck(tmp_path):
    text = ("# a deck with no title\n"
            "subtitle: S\n"
            "slides:\n"
            "  - kind: title\n"
            "    title: Hi\n")
    path, problems = problems_of(tmp_path, text)
    assert problems == [f"{path}:2: deck: missing 'title'"]


def test_missing_slides_is_reported_on_the_deck(tmp_path):
    path, problems = problems_of(tmp_path, "title: T\nlanguage: en\n")
    assert problems == [f"{path}:1: deck: missing 'slides'"]


def test_empty_slides_list_is_refused(tmp_path):
    path, problems = problems_of(tmp_path, "title: T\nslides: []\n")
    at(problems, path, 2, "'slides' is empty")


@pytest.mark.parametrize("missing", ["id", "question", "options"])
def test_choice_poll_missing_a_field_is_reported_on_the_poll(tmp_path, missing):
    lines = [f"{key}: {value}" for key, value in
             [("type", "choice"), ("id", "pick"), ("question", "Which one?"),
              ("options", "[Red, Blue]")] if key != missing]
    text = deck_with_poll("\n".join(lines))
    path, problems = problems_of(tmp_path, text)
    assert problems == [f"{path}:{line_of(text, 'type: choice')}: slide 2 (poll) poll: "
                        f"missing '{missing}'"]


def test_poll_missing_its_type_lists_the_types(tmp_path):
    text = deck_with_poll("""
        id: pick
        question: Which one?
        options: [Red, Blue]
    """)
    path, problems = problems_of(tmp_path, text)
    message = at(problems, path, line_of(text, "id: pick"), "missing 'type'")
    assert all(t in message for t in POLL_TYPES)


def test_slide_missing_its_kind_lists_the_kinds(tmp_path):
    text = ("title: T\n"
            "slides:\n"
            "  - title: Hello\n"
            "    notes: no kind here\n")
    path, problems = problems_of(tmp_path, text)
    assert len(problems) == 1
    message = at(problems, path, 3, "slide 1", "missing 'kind'")
    assert "scenario" in message


@pytest.mark.parametrize(("slide", "missing"), [
    ("- kind: bullets\n    title: B\n", "bullets"),
    ("- kind: quote\n    quote: Q\n", "attribution"),
    ("- kind: text\n    text: words\n", "title"),
    ("- kind: poll\n    title: P\n", "poll"),
    ("- kind: scenario\n    title: S\n    story: once\n"
     "    poll: {id: s, type: open, question: Why}\n", "tips"),
], ids=["bullets", "quote", "text", "poll", "scenario"])
def test_slide_missing_a_required_field_is_reported_on_its_first_line(tmp_path, slide, missing):
    text = "title: T\nslides:\n  - kind: title\n    title: Hi\n  " + slide
    path, problems = problems_of(tmp_path, text)
    assert problems == [f"{path}:5: slide 2 ({slide.split()[2]}): missing '{missing}'"]


@pytest.mark.parametrize(("poll", "missing"), [
    ("id: s\ntype: scale\nquestion: Q?\nmax: 5\n", "min"),
    ("id: s\ntype: scale\nquestion: Q?\nmin: 1\n", "max"),
    ("id: r\ntype: ranking\nquestion: Q?\n", "items"),
])
def test_scale_and_ranking_missing_fields_are_reported(tmp_path, poll, missing):
    text = deck_with_poll(poll)
    path, problems = problems_of(tmp_path, text)
    at(problems, path, line_of(text, "id: "), f"missing '{missing}'")


# ----- wrong types -----------------------------------------------------------------------

def test_options_written_as_one_string_is_refused(tmp_path):
    text = deck_with_poll("""
        id: pick
        type: choice
        question: Which one?
        options: Red, Blue
    """)
    path, problems = problems_of(tmp_path, text)
    assert problems == [f"{path}:{line_of(text, 'options:')}: slide 2 (poll) poll 'pick': "
                        f"'options' must be a list, not text"]


def test_deck_minutes_as_text_is_refused(tmp_path):
    text = ("title: T\n"
            "minutes: seventy-five\n"
            "slides:\n"
            "  - kind: title\n"
            "    title: Hi\n")
    path, problems = problems_of(tmp_path, text)
    assert problems == [f"{path}:2: deck: 'minutes' must be a number, not text"]


def test_slide_minutes_as_text_is_refused(tmp_path):
    text = ("title: T\n"
            "slides:\n"
            "  - kind: title\n"
            "    title: Hi\n"
            "    minutes: '2'\n")
    path, problems = problems_of(tmp_path, text)
    assert problems == [f"{path}:5: slide 1 (title): 'minutes' must be a number, not text"]


@pytest.mark.parametrize("value", [".nan", ".inf", "-1", "601"])
def test_slide_minutes_outside_zero_to_six_hundred_is_refused(tmp_path, value):
    text = ("title: T\n"
            "slides:\n"
            "  - kind: title\n"
            "    title: Hi\n"
            f"    minutes: {value}\n")
    path, problems = problems_of(tmp_path, text)
    at(problems, path, 5, "'minutes'")


@pytest.mark.parametrize("value", [".nan", ".inf", "0", "1441"])
def test_deck_minutes_must_be_a_real_length(tmp_path, value):
    text = ("title: T\n"
            f"minutes: {value}\n"
            "slides:\n"
            "  - kind: title\n"
            "    title: Hi\n")
    path, problems = problems_of(tmp_path, text)
    assert len(problems) == 1
    at(problems, path, 2, "deck: 'minutes'")


@pytest.mark.parametrize("value", ["yes", '"yes"', "1", "on"])
def test_multiple_must_be_true_or_false(tmp_path, value):
    text = deck_with_poll(f"""
        id: pick
        type: choice
        question: Which ones?
        options: [Red, Blue, Green]
        multiple: {value}
    """)
    path, problems = problems_of(tmp_path, text)
    assert len(problems) == 1
    at(problems, path, line_of(text, "multiple:"), "'multiple' must be true or false")


def test_allow_change_must_be_true_or_false(tmp_path):
    text = deck_with_poll(CHOICE + "allow_change: no\n")
    path, problems = problems_of(tmp_path, text)
    assert problems == [f"{path}:{line_of(text, 'allow_change')}: slide 2 (poll) poll 'pick': "
                        f"'allow_change' must be true or false, not text"]


def test_bullet_written_as_a_mapping_is_refused_on_its_own_line(tmp_path):
    text = ("title: T\n"
            "slides:\n"
            "  - kind: bullets\n"
            "    title: Three parts\n"
            "    bullets:\n"
            "      - Get the results\n"
            "      - Build the team: with care\n"
            "      - Hire and fire\n")
    path, problems = problems_of(tmp_path, text)
    assert problems == [f"{path}:7: slide 1 (bullets): item 2 of 'bullets' must be text, "
                        f"not a mapping"]


@pytest.mark.parametrize(("top", "line", "fragment"), [
    ("title: [a, b]\nslides:\n  - kind: title\n    title: Hi\n", 1,
     "'title' must be text, not a list"),
    ("title: T\nslides:\n  kind: title\n", 2, "'slides' must be a list, not a mapping"),
    ("title: T\nslides:\n  - just a sentence\n", 3, "must be a mapping with a 'kind', not text"),
    ("title: T\nslides:\n  - kind: poll\n    poll: What now?\n", 4,
     "must be a mapping with id, type"),
], ids=["title-list", "slides-mapping", "slide-text", "poll-text"])
def test_parts_of_the_wrong_shape_are_refused(tmp_path, top, line, fragment):
    path, problems = problems_of(tmp_path, top)
    at(problems, path, line, fragment)


def test_max_length_out_of_range_is_refused(tmp_path):
    text = deck_with_poll("id: o\ntype: open\nquestion: Why?\nmax_length: 5000\n")
    path, problems = problems_of(tmp_path, text)
    at(problems, path, line_of(text, "max_length"), "'max_length' must be between 1 and 2000")


# ----- duplicate ids, option counts, scales, quizzes ---------------------------------------

def test_duplicate_poll_id_names_the_line_of_the_first(tmp_path):
    text = ("title: T\n"
            "slides:\n"
            "  - kind: poll\n"
            "    notes: first time\n"
            "    poll:\n"
            "      id: pick\n"
            "      type: open\n"
            "      question: Why?\n"
            "  - kind: poll\n"
            "    notes: second time\n"
            "    poll:\n"
            "      id: pick\n"
            "      type: open\n"
            "      question: Why again?\n")
    path, problems = problems_of(tmp_path, text)
    assert len(problems) == 1
    at(problems, path, line_of(text, "id: pick", occurrence=2), "duplicate poll id 'pick'",
       f"first at line {line_of(text, 'id: pick', occurrence=1)}")


def test_one_option_is_too_few(tmp_path):
    text = deck_with_poll("id: pick\ntype: choice\nquestion: Q?\noptions: [Only]\n")
    path, problems = problems_of(tmp_path, text)
    assert problems == [f"{path}:{line_of(text, 'options:')}: slide 2 (poll) poll 'pick': "
                        f"'options' needs 2 to 8 entries, has 1"]


def test_nine_options_are_too_many(tmp_path):
    options = "".join(f"  - Option {n}\n" for n in range(1, 10))
    text = deck_with_poll("id: pick\ntype: choice\nquestion: Q?\noptions:\n" + options)
    path, problems = problems_of(tmp_path, text)
    assert problems == [f"{path}:{line_of(text, 'options:')}: slide 2 (poll) poll 'pick': "
                        f"'options' needs 2 to 8 entries, has 9"]


def test_eight_options_and_two_options_are_fine(tmp_path):
    options = ", ".join(f"O{n}" for n in range(1, 9))
    deck = valid(tmp_path, deck_with_poll(
        f"id: p\ntype: choice\nquestion: Q?\noptions: [{options}]\n"))
    assert len(deck.polls["p"].options) == 8
    assert valid(tmp_path, deck_with_poll(CHOICE)).polls["pick"].options == ("Red", "Blue")


def test_the_same_option_twice_is_refused(tmp_path):
    text = deck_with_poll("id: pick\ntype: choice\nquestion: Q?\noptions: [Red, Red]\n")
    path, problems = problems_of(tmp_path, text)
    at(problems, path, line_of(text, "options:"), "same entry twice")


def test_ranking_with_one_item_is_refused(tmp_path):
    text = deck_with_poll("id: r\ntype: ranking\nquestion: Q?\nitems: [Only]\n")
    path, problems = problems_of(tmp_path, text)
    at(problems, path, line_of(text, "items:"), "'items' needs 2 to 8 entries, has 1")


@pytest.mark.parametrize(("lo", "hi"), [(5, 5), (5, 1)])
def test_scale_min_must_be_below_max(tmp_path, lo, hi):
    text = deck_with_poll(f"id: s\ntype: scale\nquestion: Q?\nmin: {lo}\nmax: {hi}\n")
    path, problems = problems_of(tmp_path, text)
    assert problems == [f"{path}:{line_of(text, 'max:')}: slide 2 (poll) poll 's': "
                        f"scale 'min' ({lo}) must be below 'max' ({hi})"]


def test_scale_of_twelve_steps_is_refused(tmp_path):
    text = deck_with_poll("id: s\ntype: scale\nquestion: Q?\nmin: 0\nmax: 11\n")
    path, problems = problems_of(tmp_path, text)
    assert problems == [f"{path}:{line_of(text, 'max:')}: slide 2 (poll) poll 's': "
                        f"a scale has at most 11 steps (0 to 11 has 12)"]


def test_scale_of_eleven_steps_is_fine(tmp_path):
    poll = valid(tmp_path, deck_with_poll("id: s\ntype: scale\nquestion: Q?\nmin: 0\nmax: 10\n"
                                          "left: never\nright: always\n")).polls["s"]
    assert (poll.scale_min, poll.scale_max, poll.left, poll.right) == (0, 10, "never", "always")


def test_scale_bounds_must_be_whole_numbers(tmp_path):
    text = deck_with_poll("id: s\ntype: scale\nquestion: Q?\nmin: one\nmax: 5\n")
    path, problems = problems_of(tmp_path, text)
    at(problems, path, line_of(text, "min:"), "'min' must be a whole number, not text")


def test_correct_answer_not_among_options_suggests_the_nearest(tmp_path):
    text = deck_with_poll(CHOICE + "correct: Bleu\n")
    path, problems = problems_of(tmp_path, text)
    assert problems == [f"{path}:{line_of(text, 'correct:')}: slide 2 (poll) poll 'pick': "
                        f"'correct' answer 'Bleu' is not one of the options (did you mean 'Blue'?)"]


def test_several_correct_answers_need_multiple(tmp_path):
    text = deck_with_poll(CHOICE + "correct: [Red, Blue]\n")
    path, problems = problems_of(tmp_path, text)
    assert problems == [f"{path}:{line_of(text, 'correct:')}: slide 2 (poll) poll 'pick': "
                        f"several 'correct' answers need 'multiple: true'"]


def test_several_correct_answers_with_multiple_are_kept_as_indexes(tmp_path):
    deck = valid(tmp_path, deck_with_poll(CHOICE + "multiple: true\ncorrect: [Blue, Red]\n"))
    assert deck.polls["pick"].correct == (0, 1)


def test_max_needs_multiple(tmp_path):
    text = deck_with_poll(CHOICE + "max: 2\n")
    path, problems = problems_of(tmp_path, text)
    assert problems == [f"{path}:{line_of(text, 'max:')}: slide 2 (poll) poll 'pick': "
                        f"'max' needs 'multiple: true'"]


def test_max_with_multiple_is_kept(tmp_path):
    deck = valid(tmp_path, deck_with_poll(
        "id: pick\ntype: choice\nquestion: Q?\noptions: [A, B, C]\nmultiple: true\nmax: 2\n"))
    assert deck.polls["pick"].public()["max"] == 2


@pytest.mark.parametrize("bad_id", ["Pick", "pick one", "pick_one", "-pick", "pick-", "p" * 65,
                                    "选择"])
def test_poll_id_must_be_a_slug(tmp_path, bad_id):
    text = deck_with_poll(f"id: '{bad_id}'\ntype: open\nquestion: Q?\n")
    path, problems = problems_of(tmp_path, text)
    assert problems == [f"{path}:{line_of(text, 'id:')}: slide 2 (poll) poll: id '{bad_id}' "
                        f"must be a slug: lowercase letters, digits and '-', at most 64"]


def test_unknown_slide_kind_suggests_the_nearest(tmp_path):
    text = ("title: T\n"
            "slides:\n"
            "  - title: Part one\n"
            "    kind: secton\n")
    path, problems = problems_of(tmp_path, text)
    assert len(problems) == 1
    message = at(problems, path, 4, "unknown kind 'secton'", "did you mean 'section'")
    assert "bullets" in message  # and lists the kinds there are


def test_unknown_poll_type_is_named(tmp_path):
    text = deck_with_poll("id: p\ntype: rating\nquestion: Q?\n")
    path, problems = problems_of(tmp_path, text)
    assert len(problems) == 1
    message = at(problems, path, line_of(text, "type: rating"), "unknown type 'rating'")
    assert all(t in message for t in POLL_TYPES)


def test_misspelt_poll_type_suggests_the_nearest(tmp_path):
    text = deck_with_poll("id: p\ntype: choise\nquestion: Q?\noptions: [A, B]\n")
    path, problems = problems_of(tmp_path, text)
    at(problems, path, line_of(text, "type: choise"), "unknown type 'choise'",
       "did you mean 'choice'")


def test_every_problem_is_reported_at_once(tmp_path):
    text = ("title: T\n"
            "minutes: lots\n"
            "slides:\n"
            "  - kind: secton\n"
            "    title: One\n"
            "  - kind: poll\n"
            "    poll:\n"
            "      id: p\n"
            "      type: scale\n"
            "      question: Q?\n"
            "      min: 3\n"
            "      max: 2\n")
    path, problems = problems_of(tmp_path, text)
    assert sorted(int(p.split(":")[1]) for p in problems) == [2, 4, 12]


def test_parse_deck_names_the_given_path(tmp_path):
    with pytest.raises(DeckError) as info:
        parse_deck("title: T\nslides: 3\n", "talk.yaml")
    assert info.value.problems == ["talk.yaml:2: deck: 'slides' must be a list, not a number"]


# ----- YAML 1.2 booleans and other YAML traps -----------------------------------------------

def test_yes_and_no_options_stay_text(tmp_path):
    deck = valid(tmp_path, deck_with_poll(
        "id: yn\ntype: choice\nquestion: Agree?\noptions: [Yes, No, On, Off]\ncorrect: Yes\n"))
    poll = deck.polls["yn"]
    assert poll.options == ("Yes", "No", "On", "Off")
    assert poll.correct == (0,)


def test_yes_and_no_ranking_items_and_titles_stay_text(tmp_path):
    text = ("title: No\n"
            "slides:\n"
            "  - kind: bullets\n"
            "    title: yes\n"
            "    bullets: [y, n, off]\n")
    deck = valid(tmp_path, text)
    assert deck.title == "No"
    assert deck.slides[0].title == "yes"
    assert deck.slides[0].bullets == ("y", "n", "off")


def test_true_and_false_are_still_booleans(tmp_path):
    deck = valid(tmp_path, deck_with_poll(CHOICE + "multiple: true\nallow_change: false\n"))
    assert deck.polls["pick"].multiple is True
    assert deck.polls["pick"].allow_change is False


def test_python_tags_are_refused_by_the_safe_loader(tmp_path):
    text = ("title: !!python/object/apply:os.system ['touch pwned']\n"
            "slides:\n"
            "  - kind: title\n"
            "    title: Hi\n")
    path, problems = problems_of(tmp_path, text)
    assert len(problems) == 1 and problems[0].startswith(f"{path}:1: ")
    assert not (tmp_path / "pwned").exists()


def test_deeply_nested_yaml_is_refused_with_a_clear_line(tmp_path):
    text = "title: T\nslides: " + "[" * 1000 + "]" * 1000 + "\n"
    path, problems = problems_of(tmp_path, text)
    assert len(problems) == 1 and problems[0].startswith(f"{path}:")


@pytest.mark.parametrize(("text", "line"), [
    ("title: x\nslides:\n  - kind: title\n    title: a: b\n", 4),
    ("title: x\nslides:\n  - kind: title\n   title: a\n", 4),
    ("title: x\nslides:\n  - kind: title\n    title: [oops\n", 4),
    ('title: "x\nslides: []\n', 1),
    ("title: x\nslides:\n  - kind: title\n    title: x\n  oops\n", 5),
], ids=["colon-in-value", "bad-indent", "unclosed-bracket", "unclosed-quote", "stray-word"])
def test_broken_yaml_points_at_the_line_where_the_trouble_starts(tmp_path, text, line):
    path, problems = problems_of(tmp_path, text)
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}:{line}: not valid YAML")
    assert line <= len(text.splitlines())


# ----- the deck model --------------------------------------------------------------------

def _keys(value):
    if isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _keys(v)
    elif isinstance(value, list):
        for v in value:
            yield from _keys(v)


@pytest.mark.parametrize("deck_path", [EN_DECK, ZH_DECK], ids=["en", "zh"])
def test_public_poll_never_holds_the_correct_answer(deck_path):
    deck = load_deck(deck_path)
    assert any(p.correct for p in deck.polls.values())
    for poll in deck.polls.values():
        public = poll.public()
        assert "correct" not in set(_keys(public)), poll.id
        assert set(public) >= {"id", "type", "question", "allow_change"}


def test_public_quiz_poll_gives_options_but_not_which_is_right(tmp_path):
    poll = valid(tmp_path, deck_with_poll(CHOICE + "correct: Blue\n")).polls["pick"]
    assert poll.correct == (1,)
    assert poll.public() == {"id": "pick", "type": "choice", "question": "Which one?",
                             "allow_change": True, "options": ["Red", "Blue"],
                             "multiple": False, "max": 1}


def test_deck_polls_are_in_deck_order(en):
    assert list(en.polls) == [s.poll.id for s in en.slides if s.poll]
    assert list(en.polls)[0] == "warmup-role"


def test_poll_slide_index_finds_the_slide_that_asks_each_poll(en):
    for poll_id in en.polls:
        index = en.poll_slide_index(poll_id)
        assert en.slides[index].poll.id == poll_id
    assert en.slides[en.poll_slide_index("scenario-wang")].kind == "scenario"


def test_poll_slide_index_of_an_unknown_poll_raises_key_error(en):
    with pytest.raises(KeyError):
        en.poll_slide_index("no-such-poll")


def test_slides_remember_their_line(tmp_path):
    text = "title: T\nslides:\n  - kind: title\n    title: A\n\n  - kind: section\n    title: B\n"
    deck = valid(tmp_path, text)
    assert [s.line for s in deck.slides] == [3, 6]


def test_deck_minutes_default_to_the_sum_of_slide_minutes(tmp_path):
    text = ("title: T\nslides:\n"
            "  - kind: title\n    title: A\n    minutes: 2\n"
            "  - kind: section\n    title: B\n    minutes: 1.5\n")
    assert valid(tmp_path, text).minutes == 3.5


def test_summary_counts_polls_by_type(en):
    facts = en.summary()
    assert facts["slides"] == len(en.slides)
    assert sum(facts["polls"].values()) == len(en.polls)
    assert facts["polls"]["ranking"] == 1
    assert facts["groups"]["homework"] == len(HOMEWORK)
