"""The facilitator's summary: facts, a chart per poll, every visible open answer, an appendix."""
from __future__ import annotations

import io

import pypdf
from tests.test_handouts import (ANSWERS, HIDDEN_TEXT, ink_variance, make_session,  # noqa: F401
                           mini, pdf_text, render, ticking_clock, write_deck)

from handouts import build_summary, load_results
from workshop.store import open_store


def test_summary_lists_every_poll_question(mini):
    deck, results, _ = mini
    text = pdf_text(build_summary(deck, results))
    for poll in deck.polls.values():
        assert text.count(poll.question) >= 2  # in the cover's table and in its own section


def test_summary_cover_states_people_joined_answering_and_duration(mini):
    deck, results, _ = mini
    cover = pypdf.PdfReader(io.BytesIO(build_summary(deck, results))).pages[0].extract_text()
    assert "Participants joined\n6" in cover or "Participants joined 6" in cover
    assert "Participants answering\n5" in cover or "Participants answering 5" in cover
    assert "planned 30 min" in cover
    assert "Session summary".upper() in cover
    assert results.session.join_code in cover


def test_summary_cover_gives_each_polls_response_rate(mini):
    deck, results, _ = mini
    cover = pypdf.PdfReader(io.BytesIO(build_summary(deck, results))).pages[0].extract_text()
    assert "83%" in cover  # pick: 5 of 6
    assert "67%" in cover  # many, mood, why: 4 of 6
    assert "50%" in cover  # order, case: 3 of 6


def test_summary_charts_choices_with_counts_and_percentages(mini):
    deck, results, _ = mini
    text = pdf_text(build_summary(deck, results))
    assert "3 · 60%" in text and "1 · 20%" in text
    assert "5 of 6 answered (83%)" in text


def test_summary_marks_the_correct_answer_in_words_not_only_colour(mini):
    deck, results, _ = mini
    text = pdf_text(build_summary(deck, results))
    line = next(line for line in text.splitlines() if "Pears" in line and "correct" in line)
    assert "Apples" not in line


def test_summary_scale_shows_mean_and_median(mini):
    deck, results, _ = mini
    text = pdf_text(build_summary(deck, results))
    assert "Mean 4 · Median 4" in " ".join(text.split())


def test_summary_ranking_lists_items_by_average_rank(mini):
    deck, results, _ = mini
    text = pdf_text(build_summary(deck, results))
    section = text[text.index("What comes first?", text.index("QUESTION 4")):]
    assert section.index("1. Trust") < section.index("2. Goal") < section.index("3. Talent")
    assert "avg. rank 1.33" in section and "avg. rank 2.67" in section


def test_summary_prints_every_visible_open_answer_and_counts_hidden_ones(mini):
    deck, results, _ = mini
    text = pdf_text(build_summary(deck, results))
    for answer in ANSWERS["why"]:
        if answer == HIDDEN_TEXT:
            assert answer not in text
        else:
            assert text.count(answer) == 2  # in the poll's section and in the appendix
    assert "1 hidden by the facilitator" in text


def test_summary_shows_the_most_frequent_terms_of_open_answers(tmp_path):
    deck = write_deck(tmp_path)
    store = open_store(tmp_path / "w.db", clock=ticking_clock())
    make_session(store, deck)
    people = store.participants("s1")
    for person in people[:4]:
        store.save_answer("s1", "why", person.id, "Listening builds trust")
    text = pdf_text(build_summary(deck, load_results(store, deck, "s1")))
    section = text[text.index("Most frequent terms"):].split("\n")
    assert section[1:4] == ["builds 4", "listening 4", "trust 4"]


def test_summary_appendix_groups_open_answers_by_participant(mini):
    deck, results, people = mini
    text = pdf_text(build_summary(deck, results))
    appendix = text[text.index("Appendix"):]
    first = people[0].pseudonym
    assert first in appendix
    assert appendix.index(first) < appendix.index("Trust builds teams")


def test_summary_of_a_session_nobody_answered_still_builds(tmp_path):
    deck = write_deck(tmp_path)
    store = open_store(tmp_path / "w.db", clock=ticking_clock())
    store.create_session("empty", deck.path, deck.title, "EMPTY2", "key")
    data = build_summary(deck, load_results(store, deck, "empty"))
    text = pdf_text(data)
    assert text.count("Nobody answered.") == len(deck.polls)
    assert "Page 1 of" in text


def test_summary_numbers_its_pages(mini):
    deck, results, _ = mini
    data = build_summary(deck, results)
    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    assert f"Page 1 of {len(pages)}" in pages[0].extract_text()
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1].extract_text()


def test_summary_pages_render_with_ink(mini):
    deck, results, _ = mini
    for image in render(build_summary(deck, results)):
        assert ink_variance(image) > 20


def test_summary_in_chinese_extracts_chinese_answers_as_chinese(tmp_path):
    deck = write_deck(tmp_path, language="zh")
    store = open_store(tmp_path / "w.db", clock=ticking_clock())
    make_session(store, deck)
    text = pdf_text(build_summary(deck, load_results(store, deck, "s1")))
    assert "中文回答：信任最重要" in text
    assert "活动总结报告" in text and "第 1 页，共" in text
