"""The word clouds of whole simulated sessions, as the projector, the phones and the PDFs show
them (every one shows the open poll's tally, whose terms come from workshop.text.terms_of)."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import rjieba
import stopwordsiso

from handouts import load_results
from workshop.deck_file import load_deck
from workshop.simulate import simulate
from workshop.store import open_store
from workshop.text import KEEP, NOISE, terms_of

DECKS = Path(__file__).resolve().parent.parent / "decks"
CHINESE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def clouds(deck_name: str, tmp_path) -> dict[str, tuple[list[str], list]]:
    """Return each open poll's cloud terms and answers, from a simulated session's results."""
    deck = load_deck(DECKS / deck_name)
    store = open_store(tmp_path / "sim.db")
    try:
        sid = simulate(store, deck, deck.path, 200, seed=7, clock=lambda: 1_767_000_000.0)
        results = load_results(store, deck, sid)
    finally:
        store.close()
    return {pid: ([t for t, _ in results.tallies[pid]["terms"]], results.open_answers[pid])
            for pid, poll in deck.polls.items() if poll.type == "open"}


def in_dictionary(word: str) -> bool:
    """Return whether jieba's dictionary (the one rjieba compiles in) lists word as a word."""
    return rjieba.has_word(word)


def test_the_dictionary_lookup_tells_words_from_fragments():
    assert in_dictionary("信任") and in_dictionary("追随者")
    assert not in_dictionary("者认") and not in_dictionary("希望成为") and not in_dictionary("下属只")


def test_chinese_cloud_of_a_simulated_session_holds_only_dictionary_words(tmp_path):
    # A Chinese term is right when jieba's dictionary lists it, or when an answer has it as a
    # whole word: all the Chinese between two other characters (a one-word answer, a word
    # between commas). Pieces of longer runs (者认, 希望成为, 下属只) are neither.
    for pid, (terms, answers) in clouds("leaders-role.zh.yaml", tmp_path).items():
        whole = {run for a in answers for run in CHINESE.findall(a.text)}
        chinese = [t for t in terms if CHINESE.fullmatch(t)]
        assert len(chinese) >= 20, pid
        assert [t for t in chinese if not in_dictionary(t) and t not in whole] == [], pid


def test_chinese_cloud_talks_about_the_question(tmp_path):
    deck = load_deck(DECKS / "leaders-role.zh.yaml")
    for pid, (terms, _) in clouds("leaders-role.zh.yaml", tmp_path).items():
        assert set(terms_of(deck.polls[pid].question)) & set(terms[:10]), pid


@pytest.mark.parametrize("deck_name", ["leaders-role.yaml", "leaders-role.zh.yaml"])
def test_no_cloud_shows_a_stop_word(tmp_path, deck_name):
    stop = (stopwordsiso.stopwords(["en", "zh"]) - KEEP["en"] - KEEP["zh"]) | NOISE["en"] | NOISE["zh"]
    for pid, (terms, _) in clouds(deck_name, tmp_path).items():
        assert len(terms) >= 20, pid
        assert [t for t in terms if t in stop] == [], pid


def test_a_chinese_open_poll_loads_the_dictionary_when_its_tally_is_built_not_on_an_answer():
    code = """if True:
        import sys
        from workshop.deck import Poll
        from workshop.polltypes import new_tally
        new_tally(Poll(id="en", type="open", question="What do you think?"))
        assert "rjieba" not in sys.modules  # an English room never loads it
        new_tally(Poll(id="zh", type="open", question="你怎么看？"))
        assert "rjieba" in sys.modules
    """
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
