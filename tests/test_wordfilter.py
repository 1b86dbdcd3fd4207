"""The word filter (workshop/wordfilter.py) on the vendored LDNOOBW lists."""
from __future__ import annotations

import pytest

from workshop import wordfilter
from workshop.wordfilter import WordFilter, default_filter, flagged


@pytest.mark.parametrize("text", [
    "You ass!", "What a SHIT plan", "this is bullshit", "a ball gag", "Ball   gag, really",
    "ＦＵＣＫ this", "sh1t happens", "他妈的", "你这个傻逼", "hello 🖕",
])
def test_listed_words_and_phrases_are_flagged(text):
    assert flagged(text), text


@pytest.mark.parametrize("text", [
    "Scunthorpe United", "a class act", "assess the risk", "assassin", "cocktail hour",
    "an analysis of the grapes", "cumulative", "titanic", "the therapist", "Essex", "Sussex",
    "passion and trust", "page 13.", "重要性", "可能性", "牛奶", "干部", "团队需要激情", "成人之美",
    "Trust builds teams", "领导者要以身作则",
])
def test_ordinary_words_containing_a_listed_word_are_not_flagged(text):
    assert not flagged(text), (text, default_filter().find(text))


def test_a_phrase_needs_its_words_in_a_row():
    f = WordFilter(["ball gag"])
    assert f.find("ball-gag") == "ball gag"
    assert f.find("a ball and a gag") is None
    assert f.find("ballgag") is None


def test_chinese_matches_inside_a_sentence_from_two_characters():
    f = WordFilter(["他妈的", "性"])
    assert f.find("这个他妈的计划") == "他妈的"
    assert f.find("性") is None  # one-character entries are in everyday words


def test_the_lists_are_the_vendored_ones():
    assert len(wordfilter.load_list("en")) > 300 and len(wordfilter.load_list("zh")) > 300
    assert (wordfilter.LISTS / "LICENSE").read_text(encoding="utf-8").startswith("Attribution 4.0")


def test_the_decks_own_words_are_never_flagged():
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent
    for deck in (root / "decks").glob("*.yaml"):
        for number, line in enumerate(deck.read_text(encoding="utf-8").splitlines(), 1):
            assert not flagged(line), f"{deck.name}:{number}: {default_filter().find(line)}"


def test_the_lists_match_their_pins_in_scripts_vendor_json():
    from scripts import vendor
    folders = vendor.load_data_packages()
    assert list(folders) == [wordfilter.LISTS]
    [pkg] = folders[wordfilter.LISTS]
    assert (pkg["name"], pkg["version"], pkg["license"]) == ("naughty-words", "1.2.0", "CC-BY-4.0")
    assert vendor.check(wordfilter.LISTS) == []
    assert "| naughty-words | 1.2.0 | CC-BY-4.0 |" in (wordfilter.LISTS / "README.md").read_text(encoding="utf-8")
