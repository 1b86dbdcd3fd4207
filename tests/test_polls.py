"""Answer rules and incremental tallies of the four poll types (workshop/polltypes/), and the text
helpers they use (workshop/text.py): pure functions, no server."""
from __future__ import annotations

import statistics

import pytest

from workshop.deck import Poll
from workshop.polltypes import AnswerError, new_tally, normalize_answer
from workshop.polltypes.choice import ChoiceTally
from workshop.polltypes.open import OpenTally
from workshop.polltypes.ranking import RankingTally
from workshop.polltypes.scale import ScaleTally
from workshop.text import clean_text, terms_of

SINGLE = Poll(id="single", type="choice", question="Pick one", options=("a", "b", "c"))
MULTI = Poll(id="multi", type="choice", question="Pick some", options=("a", "b", "c", "d"), multiple=True,
             max_choices=2)
MULTI_ANY = Poll(id="multi-any", type="choice", question="Pick any", options=("a", "b", "c"), multiple=True)
QUIZ = Poll(id="quiz", type="choice", question="Which?", options=("right", "wrong"), correct=(0,))
SCALE = Poll(id="scale", type="scale", question="How much?", scale_min=0, scale_max=10)
SCALE_1_5 = Poll(id="scale15", type="scale", question="How much?", scale_min=1, scale_max=5)
RANKING = Poll(id="rank", type="ranking", question="Order these", options=("x", "y", "z"))
OPEN = Poll(id="open", type="open", question="Say it", max_length=10)


def code_of(poll, value) -> str:
    with pytest.raises(AnswerError) as exc:
        normalize_answer(poll, value)
    assert exc.value.message  # every refusal says what to do
    return exc.value.code


# ----- normalize_answer: choice --------------------------------------------------------------

@pytest.mark.parametrize("value,stored", [(0, [0]), (2, [2]), ([1], [1])])
def test_single_choice_is_stored_as_a_one_item_list(value, stored):
    assert normalize_answer(SINGLE, value) == stored


def test_multiple_choice_is_a_list_stored_sorted():
    assert normalize_answer(MULTI, [3, 0]) == [0, 3]
    assert normalize_answer(MULTI, [1]) == [1]
    assert normalize_answer(MULTI_ANY, [2, 0, 1]) == [0, 1, 2]


@pytest.mark.parametrize("poll,value,code", [
    (MULTI, [1, 1], "bad_value"), (MULTI, [0, 0], "bad_value"), (SINGLE, [2, 2], "bad_value"),
    (MULTI, 1, "bad_value"), (MULTI, [], "empty"), (SINGLE, [], "empty"),
])
def test_a_choice_is_each_option_once_at_least_one_and_a_list_when_multiple(poll, value, code):
    assert code_of(poll, value) == code


@pytest.mark.parametrize("poll,value,code", [
    (SINGLE, [0, 1], "too_many"),
    (MULTI, [0, 1, 2], "too_many"),
    (SINGLE, 3, "unknown_option"),
    (SINGLE, -1, "unknown_option"),
    (SINGLE, 2 ** 70, "unknown_option"),
    (SINGLE, [0, -2 ** 70], "unknown_option"),
    (SINGLE, True, "bad_value"),
    (SINGLE, [True], "bad_value"),
    (SINGLE, False, "bad_value"),
    (SINGLE, 1.0, "bad_value"),
    (SINGLE, 1e308, "bad_value"),
    (SINGLE, "0", "bad_value"),
    (SINGLE, None, "bad_value"),
    (SINGLE, {"0": 1}, "bad_value"),
    (SINGLE, [[0]], "bad_value"),
    (SINGLE, [0, None], "bad_value"),
])
def test_bad_choice_answers_are_refused(poll, value, code):
    assert code_of(poll, value) == code


# ----- normalize_answer: scale ---------------------------------------------------------------

def test_scale_takes_both_ends_and_everything_between():
    assert [normalize_answer(SCALE, v) for v in range(11)] == list(range(11))


@pytest.mark.parametrize("value,code", [
    (-1, "out_of_range"), (11, "out_of_range"), (2 ** 70, "out_of_range"), (-2 ** 70, "out_of_range"),
    (5.0, "bad_value"), (1e308, "bad_value"), (float("nan"), "bad_value"), (True, "bad_value"),
    ("5", "bad_value"), (None, "bad_value"), ([5], "bad_value"),
])
def test_bad_scale_answers_are_refused(value, code):
    assert code_of(SCALE, value) == code


def test_scale_bounds_are_the_polls_own():
    assert code_of(SCALE_1_5, 0) == "out_of_range"
    assert normalize_answer(SCALE_1_5, 1) == 1


# ----- normalize_answer: ranking -------------------------------------------------------------

def test_ranking_keeps_the_participants_order():
    assert normalize_answer(RANKING, [2, 0, 1]) == [2, 0, 1]
    assert normalize_answer(RANKING, [0, 1, 2]) == [0, 1, 2]


@pytest.mark.parametrize("value,code", [
    ([0, 1], "bad_ranking"), ([0, 1, 1], "bad_ranking"), ([0, 1, 2, 3], "bad_ranking"),
    ([1, 2, 3], "bad_ranking"), ([], "bad_ranking"), ([0, 1, 2 ** 70], "bad_ranking"),
    ([0, 1, 2.0], "bad_value"), ([0, True, 2], "bad_value"), ([0, "1", 2], "bad_value"),
    (0, "bad_value"), ("012", "bad_value"), (None, "bad_value"), ({"0": 0}, "bad_value"),
])
def test_bad_rankings_are_refused(value, code):
    assert code_of(RANKING, value) == code


# ----- normalize_answer: open ----------------------------------------------------------------

def test_open_text_is_trimmed():
    assert normalize_answer(OPEN, "  hello \n") == "hello"


def test_open_text_length_counts_after_cleaning():
    assert normalize_answer(OPEN, "x" * 10) == "x" * 10
    assert normalize_answer(OPEN, "  " + "x" * 10 + "\x00\x01  ") == "x" * 10
    assert code_of(OPEN, "x" * 11) == "too_long"
    assert code_of(OPEN, "x" * 100_000) == "too_long"


@pytest.mark.parametrize("value", ["", "   ", "\n\t ", "\x00\x07\x1b", "\x7f\x85", "\u200b", "\ufeff", "\u180e",
                                   "\u200b\u2060\ufeff", "\u3164 \u2800", "\u00a0\u202e\u200d"])
def test_open_text_with_nothing_left_is_empty(value):
    assert code_of(OPEN, value) == "empty"


@pytest.mark.parametrize("value", [5, None, ["a"], {"text": "a"}, True, b"bytes"])
def test_open_text_must_be_text(value):
    assert code_of(OPEN, value) == "bad_value"


# ----- clean_text ----------------------------------------------------------------------------

def test_clean_text_replaces_lone_surrogates():
    assert clean_text("\ud800") == "\ufffd"
    assert clean_text("a\udfffb") == "a\ufffdb"
    assert clean_text("\ud800\ud800") == "\ufffd\ufffd"
    # a well-formed pair written as two code units is one character, not two replacements
    assert clean_text("\ud83d\ude00") == "\U0001F600"


def test_clean_text_result_can_be_encoded_as_utf8():
    for text in ("\ud800", "x\udc00y", "\ud83d", "ok"):
        clean_text(text).encode("utf-8")


def test_clean_text_drops_control_characters_but_keeps_lines_and_tabs():
    assert clean_text("a\x00b\x07c\x1b[31md\x7fe\x85f") == "abc[31mdef"
    assert clean_text("line one\nline\ttwo") == "line one\nline\ttwo"


@pytest.mark.parametrize("text", [
    "<script>alert(1)</script>", "=HYPERLINK(\"http://x\",\"y\")", "abc\u202edef", "a\u200db",
    "👩‍👩‍👧", "领导者的角色", "\u00e9\u0301",
])
def test_clean_text_keeps_what_people_typed(text):
    assert clean_text(text) == text


# ----- tallies -------------------------------------------------------------------------------

def test_new_tally_matches_the_poll_type():
    assert isinstance(new_tally(SINGLE), ChoiceTally)
    assert isinstance(new_tally(SCALE), ScaleTally)
    assert isinstance(new_tally(RANKING), RankingTally)
    assert isinstance(new_tally(OPEN), OpenTally)


def test_empty_tallies_have_empty_snapshots():
    assert new_tally(SINGLE).snapshot(True) == {"poll": "single", "type": "choice", "answered": 0,
                                                "counts": [0, 0, 0], "percents": [0, 0, 0], "correct": []}
    scale = new_tally(SCALE_1_5).snapshot(True)
    assert scale["mean"] is None and scale["median"] is None and scale["values"] == [1, 2, 3, 4, 5]
    rank = new_tally(RANKING).snapshot(True)
    assert rank["average_rank"] == [None, None, None] and rank["order"] == [0, 1, 2]
    assert new_tally(OPEN).snapshot(True) == {"poll": "open", "type": "open", "answered": 0,
                                              "terms": [], "latest": [], "hidden": 0, "held": 0}


def test_choice_tally_counts_and_percents():
    t = new_tally(MULTI)
    t.add(1, [0, 1])
    t.add(2, [1])
    t.add(3, [3])
    snap = t.snapshot(False)
    assert snap["answered"] == 3 and snap["counts"] == [1, 2, 0, 1]
    assert snap["percents"] == [33, 67, 0, 33]  # of people, so a multiple choice may pass 100
    t.remove(2, [1])
    assert t.snapshot(False)["counts"] == [1, 1, 0, 1] and t.answered == 2


def test_choice_tally_shows_correct_answer_only_when_revealed():
    t = new_tally(QUIZ)
    t.add(1, [1])
    assert t.snapshot(False)["correct"] == []
    assert t.snapshot(True)["correct"] == [0]


def test_scale_tally_mean_and_median():
    t = new_tally(SCALE)
    for pid, v in enumerate([0, 10, 4, 3]):
        t.add(pid, v)
    snap = t.snapshot(True)
    assert snap["mean"] == 4.25 and snap["median"] == 3.5
    assert snap["counts"][0] == 1 and snap["counts"][10] == 1 and sum(snap["counts"]) == 4
    t.add(9, 10)
    assert t.snapshot(True)["median"] == 4
    for pid, v in [(0, 0), (1, 10), (2, 4), (3, 3), (9, 10)]:
        t.remove(pid, v)
    snap = t.snapshot(True)
    assert snap["answered"] == 0 and snap["mean"] is None and snap["median"] is None


def test_scale_tally_mean_and_median_agree_with_the_statistics_module():
    values = [1, 1, 2, 5, 5, 5, 3]
    t = new_tally(SCALE_1_5)
    for pid, v in enumerate(values):
        t.add(pid, v)
    assert t.snapshot(True)["median"] == statistics.median(values)
    assert t.snapshot(True)["mean"] == round(statistics.fmean(values), 2)


def test_ranking_tally_average_rank_and_order():
    t = new_tally(RANKING)
    t.add(1, [2, 0, 1])
    t.add(2, [2, 1, 0])
    snap = t.snapshot(True)
    assert snap["average_rank"] == [2.5, 2.5, 1.0]
    assert snap["order"] == [2, 0, 1]  # ties keep item order
    t.remove(1, [2, 0, 1])
    assert t.snapshot(True)["average_rank"] == [3.0, 2.0, 1.0]


def test_open_tally_latest_is_newest_first_and_a_change_moves_to_the_top():
    t = new_tally(OPEN)
    t.add(1, "listen first")
    t.add(2, "decide firmly")
    t.remove(1, "listen first")
    t.add(1, "listen closely")
    latest = t.snapshot(True)["latest"]
    assert latest == [{"participant": 1, "text": "listen closely"},
                      {"participant": 2, "text": "decide firmly"}]
    assert dict(t.snapshot(True)["terms"]) == {"listen": 1, "closely": 1, "decide": 1, "firmly": 1}


def test_open_tally_counts_a_term_once_per_answer():
    t = new_tally(OPEN)
    t.add(1, "trust trust trust")
    t.add(2, "Trust")
    assert t.snapshot(True)["terms"] == [["trust", 2]]


def test_open_tally_hide_removes_text_and_terms_and_show_restores_them():
    t = new_tally(OPEN)
    t.add(1, "rude feedback here")
    t.add(2, "honest feedback")
    assert t.hide(1, True) is True
    snap = t.snapshot(True)
    assert snap["hidden"] == 1 and [a["participant"] for a in snap["latest"]] == [2]
    assert dict(snap["terms"]) == {"feedback": 1, "honest": 1}
    assert t.hide(1, True) is False  # already hidden
    assert t.hide(99, True) is False  # never answered
    assert t.hide(1, False) is True
    assert dict(t.snapshot(True)["terms"]) == {"feedback": 2, "honest": 1, "rude": 1}


def test_open_tally_removing_a_hidden_answer_forgets_it_was_hidden():
    t = new_tally(OPEN)
    t.add(1, "rude words")
    t.hide(1, True)
    t.remove(1, "rude words")
    snap = t.snapshot(True)
    assert snap == {"poll": "open", "type": "open", "answered": 0, "terms": [], "latest": [], "hidden": 0, "held": 0}
    t.add(1, "better words")
    assert t.snapshot(True)["latest"] == [{"participant": 1, "text": "better words"}]


def test_open_tally_limits_latest_and_terms():
    t = new_tally(Poll(id="o", type="open", question="?", max_length=500))
    for pid in range(30):
        t.add(pid, f"word{chr(97 + pid % 26)}xx distinct{pid:02d}zz")
    snap = t.snapshot(True)
    assert len(snap["latest"]) == OpenTally.LATEST and snap["latest"][0]["participant"] == 29
    assert len(snap["terms"]) == OpenTally.TERMS
    counts = [c for _, c in snap["terms"]]
    assert counts == sorted(counts, reverse=True)


# ----- terms for the word cloud --------------------------------------------------------------

def test_english_terms_drop_stopwords_short_words_and_numbers():
    assert terms_of("The leader IS listening to the team, 2024 ok?") == ["leader", "listening", "team"]


def test_english_terms_keep_hyphens_and_apostrophes():
    assert terms_of("self-aware leader’s trust") == ["self-aware", "leader's", "trust"]
    assert terms_of("I think we don't really need this") == []


def test_english_terms_drop_filler_from_the_maintained_stop_word_list():
    assert terms_of("A follower chooses to come along with you") == ["follower", "chooses"]


def test_english_terms_keep_the_words_a_workshop_is_about():
    assert terms_of("Process matters, results follow") == ["process", "matters", "results", "follow"]


@pytest.mark.parametrize("answer, words", [
    pytest.param("我希望成为一个善于倾听的领导", ["希望", "成为", "善于", "倾听", "领导"], id="listening-leader"),
    pytest.param("领导者要以身作则，给团队明确的方向", ["领导者", "以身作则", "团队", "明确", "方向"],
                 id="lead-by-example"),
    pytest.param("作为管理者，我希望帮助下属成长", ["管理者", "希望", "帮助", "下属", "成长"], id="help-grow"),
    pytest.param("我觉得最重要的是沟通和信任", ["重要", "沟通", "信任"], id="talk-and-trust"),
    pytest.param("没有好过程的结果无法复制", ["过程", "结果", "无法", "复制"], id="process-and-result"),
])
def test_chinese_answers_split_into_the_words_a_reader_sees(answer, words):
    assert terms_of(answer) == words


def test_chinese_terms_are_single_words_never_runs_or_pairs():
    # what splitting at function characters gave: runs of two words, and overlapping pairs
    assert terms_of("信任") == ["信任"]
    assert terms_of("倾听 信任 授权") == ["倾听", "信任", "授权"]
    assert terms_of("领导者的角色") == ["领导者", "角色"]
    assert terms_of("团队目标清楚") == ["团队", "目标", "清楚"]


def test_a_short_chinese_answer_the_dictionary_lacks_stays_one_word():
    assert terms_of("赋能") == ["赋能"]
    assert terms_of("内卷，躺平") == ["内卷", "躺平"]
    assert terms_of("是的") == [] and terms_of("我很好") == []  # stop words, one by one


def test_chinese_stopwords_and_mixed_text():
    assert terms_of("我们 的") == []
    assert terms_of("trust 信任") == ["信任", "trust"]


@pytest.mark.parametrize("text", ["<script>alert(1)</script>", "\u202e\u200d👍", "\ufffd" * 3, "x" * 2000])
def test_terms_of_hostile_text_does_not_fail(text):
    assert all(isinstance(t, str) and t for t in terms_of(text))
