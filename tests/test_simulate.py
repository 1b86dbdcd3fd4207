"""Simulated sessions: finished, plausible, reproducible, fast."""
from __future__ import annotations

import statistics
import time
from collections import Counter
from pathlib import Path

import pytest

from workshop.deck_file import load_deck
from workshop.polltypes import normalize_answer
from workshop.simulate import simulate
from workshop.store import open_store
from workshop.text import terms_of

DECKS = Path(__file__).resolve().parent.parent / "decks"
NOW = 1_767_000_000.0


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "sim.db")
    yield s
    s.close()


@pytest.fixture(scope="module")
def english():
    return load_deck(DECKS / "leaders-role.yaml")


def run(store, deck, n=200, seed=7):
    return simulate(store, deck, deck.path, n, seed=seed, clock=lambda: NOW)


def test_simulation_creates_a_finished_session_with_every_poll_closed_and_revealed(store, english):
    sid = run(store, english)
    row = store.session(sid)
    assert row.deck_title == english.title and row.deck_path == english.path
    assert row.ended_at is not None and row.ended_at <= NOW
    assert store.state(sid).polls == {pid: ("closed", True) for pid in english.polls}
    assert len(store.participants(sid)) == 200


def test_simulated_answers_are_valid_for_their_polls(store, english):
    sid = run(store, english)
    for answer in store.answers(sid):
        poll = english.polls[answer.poll_id]
        assert normalize_answer(poll, answer.value) == answer.value


def test_most_people_answer_most_polls_and_a_few_skip(store, english):
    sid = run(store, english)
    answers = store.answers(sid)
    per_poll = Counter(a.poll_id for a in answers)
    for pid in english.polls:
        assert 0.55 * 200 <= per_poll[pid] < 200
    per_person = Counter(a.participant_id for a in answers)
    assert len(per_person) < 200  # someone joined and never answered


def test_choices_are_skewed_and_quiz_answers_lean_correct(store, english):
    sid = run(store, english, n=400)
    for pid, poll in english.polls.items():
        if poll.type != "choice":
            continue
        counts = Counter(i for a in store.answers(sid, pid) for i in a.value)
        shares = [counts[i] for i in range(len(poll.options))]
        assert max(shares) > 1.3 * min(shares) + 5, pid
        if poll.correct:
            assert counts.most_common(1)[0][0] in poll.correct


def test_scale_answers_spread_around_a_middle(store, english):
    sid = run(store, english, n=400)
    for pid, poll in english.polls.items():
        if poll.type == "scale":
            values = [a.value for a in store.answers(sid, pid)]
            assert len(set(values)) >= 3
            assert poll.scale_min < statistics.mean(values) < poll.scale_max


def test_rankings_are_noisy_around_a_consensus(store, english):
    sid = run(store, english, n=300)
    poll = next(p for p in english.polls.values() if p.type == "ranking")
    orders = Counter(tuple(a.value) for a in store.answers(sid, poll.id))
    top, count = orders.most_common(1)[0]
    assert 1 < len(orders) and count > sum(orders.values()) / len(orders)


def test_open_answers_talk_about_the_question(store, english):
    sid = run(store, english)
    for pid, poll in english.polls.items():
        if poll.type != "open":
            continue
        texts = [a.value for a in store.answers(sid, pid)]
        assert len(set(texts)) > 10
        words = Counter(t for text in texts for t in terms_of(text))
        question_words = set(terms_of(poll.question))
        assert question_words & {w for w, _ in words.most_common(25)}, pid


def test_chinese_deck_gets_chinese_open_answers(store):
    deck = load_deck(DECKS / "leaders-role.zh.yaml")
    sid = run(store, deck, n=60)
    open_ids = [pid for pid, p in deck.polls.items() if p.type == "open"]
    texts = [a.value for a in store.answers(sid) if a.poll_id in open_ids]
    assert texts and all(any("\u4e00" <= ch <= "\u9fff" for ch in text) for text in texts)


def test_timestamps_fall_within_the_planned_minutes_in_deck_order(store, english):
    sid = run(store, english)
    row = store.session(sid)
    answers = store.answers(sid)
    assert all(row.created_at <= a.first_at <= a.last_at <= row.ended_at for a in answers)
    assert row.ended_at - row.created_at <= english.minutes * 60 + 120
    firsts = {pid: min(a.first_at for a in answers if a.poll_id == pid) for pid in english.polls}
    assert list(firsts.values()) == sorted(firsts.values())
    assert any(a.last_at > a.first_at for a in answers)  # a few people changed their mind


def test_the_same_seed_gives_the_same_session(tmp_path, english):
    one, two = open_store(tmp_path / "a.db"), open_store(tmp_path / "b.db")
    a, b = run(one, english, 50, seed=3), run(two, english, 50, seed=3)
    assert a == b
    def strip(rows):
        return [(r.poll_id, r.participant_id, r.value, r.first_at) for r in rows]
    assert strip(one.answers(a)) == strip(two.answers(b))
    assert strip(one.answers(a)) != strip(one.answers(run(one, english, 50, seed=4)))


def test_simulating_twice_with_one_seed_in_one_database_makes_two_sessions(store, english):
    assert run(store, english, 10, seed=1) != run(store, english, 10, seed=1)


def test_the_store_clock_is_restored(store, english):
    clock = store.clock
    run(store, english, 5)
    assert store.clock is clock


@pytest.mark.slow
def test_a_thousand_participants_take_a_few_seconds(store, english):
    started = time.perf_counter()
    sid = simulate(store, english, english.path, 1000, seed=1)
    assert time.perf_counter() - started < 5.0
    assert len(store.participants(sid)) == 1000


def test_a_poll_asked_again_moves_from_each_persons_earlier_answer(tmp_path):
    deck = load_deck(DECKS / "leaders-role.yaml")
    store = open_store(str(tmp_path / "pair.db"))
    try:
        sid = simulate(store, deck, DECKS / "leaders-role.yaml", 120, seed=3)
        before = {a.participant_id: a.value for a in store.answers(sid, "ready-before")}
        after = {a.participant_id: a.value for a in store.answers(sid, "ready-after")}
        both = before.keys() & after.keys()
        assert len(both) > 60
        assert all(-1 <= after[p] - before[p] <= 2 for p in both)  # a step back at most
        assert sum(after[p] > before[p] for p in both) > sum(after[p] < before[p] for p in both)
    finally:
        store.close()
