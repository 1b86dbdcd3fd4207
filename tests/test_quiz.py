"""Quiz rounds: the points formula, ranks with ties, teams, the deadline, a recount from the store."""
from __future__ import annotations

import pytest

from server.rooms import Room, RoomRegistry
from tests.support.quizdeck import quiz_deck_text
from workshop import quiz
from workshop.deck import DeckError
from workshop.deck_file import parse_deck
from workshop.polltypes import AnswerError
from workshop.store import open_store


class Clock:
    def __init__(self, t=1000.0):
        self.t = t

    def __call__(self):
        return self.t


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def made(clock, tmp_path):
    store = open_store(str(tmp_path / "q.db"), clock=clock)
    deck = parse_deck(quiz_deck_text(10), "quiz.yaml")
    registry = RoomRegistry(store)
    room = registry.create(deck, "quiz.yaml")
    yield registry, room, store
    store.close()


def test_points_follow_the_documented_formula():
    poll = parse_deck(quiz_deck_text(10)).polls["q1"]
    assert quiz.points(poll, [1], 100.0, 100.0) == 1000  # at once
    assert quiz.points(poll, [1], 105.0, 100.0) == 750  # half way: round(1000 * (1 - 0.25))
    assert quiz.points(poll, [1], 110.0, 100.0) == 500  # at the buzzer
    assert quiz.points(poll, [1], 130.0, 100.0) == 500  # clamped to T
    assert quiz.points(poll, [0], 101.0, 100.0) == 0  # wrong
    untimed = parse_deck(quiz_deck_text(10)).polls["q2"]
    assert quiz.points(untimed, [0], 5.0, None) == 1000


def test_ties_share_a_rank():
    ranked = quiz.rank({1: 900, 2: 900, 3: 500, 4: 0}, {1: "Bo", 2: "Al", 3: "Cy", 4: "Di"})
    assert [(e.rank, e.name, e.points) for e in ranked] == [(1, "Al", 900), (1, "Bo", 900),
                                                            (3, "Cy", 500), (4, "Di", 0)]


def test_teams_rank_by_mean_points():
    totals = {1: 1000, 2: 0, 3: 600}
    teams = quiz.team_totals(totals, {1: "A", 2: "A", 3: "B"}, ["A", "B", "C"])
    assert teams == {"A": 500, "B": 600, "C": 0}


@pytest.mark.parametrize("seconds", [4, 601, "ten"])
def test_seconds_out_of_range_is_a_deck_problem(seconds):
    with pytest.raises(DeckError, match="seconds"):
        parse_deck(quiz_deck_text(10).replace("seconds: 10", f"seconds: {seconds}"))


def test_seconds_needs_a_correct_answer():
    text = quiz_deck_text(10).replace('      correct: "4"\n', "")
    with pytest.raises(DeckError, match="needs 'correct'"):
        parse_deck(text)


def _join(room, token, name, team=""):
    p = room.join(token * 4, name)
    if team:
        room.set_team(p.id, team)
    return p


def test_a_timed_question_refuses_late_answers_and_closes_when_the_timer_fires(made, clock):
    registry, room, store = made
    a = _join(room, "aaaa", "Ann")
    room.control("goto", {"slide": 1})  # opens q1 and starts its clock
    assert room.state.timers["q1"] == (1000.0, 1010.0)
    assert room.timing_view()["timers"]["q1"]["closes_at"] == 1010000
    clock.t = 1010.0  # the deadline, before any timer fired
    with pytest.raises(AnswerError) as err:
        room.answer(a.id, "q1", [1])
    assert err.value.code == "too_late"
    assert room.state.polls["q1"].status == "open"
    change = room.expire()
    assert "q1" in change.polls and room.state.polls["q1"].status == "closed"
    assert store.state(room.id).polls["q1"][0] == "closed"


def test_scores_and_leaderboard_equal_a_recount_from_the_store(made, clock):
    registry, room, store = made
    a, b, c = _join(room, "aaaa", "Ann", "Table 1"), _join(room, "bbbb", "Bob", "Table 2"), \
        _join(room, "cccc", "Cat", "Table 2")
    room.control("goto", {"slide": 1})
    clock.t = 1002.0
    room.answer(a.id, "q1", [1])  # 900
    room.answer(b.id, "q1", [0])
    clock.t = 1004.0
    room.answer(b.id, "q1", [1])  # changed: scores by its last change, 800
    room.answer(c.id, "q1", [1])  # 800
    room.control("goto", {"slide": 2})
    room.answer(a.id, "q2", [1])  # wrong: 0
    board = room.leaderboard()
    assert board["people"] == [{"rank": 1, "name": "Ann", "points": 900},
                               {"rank": 2, "name": "Bob", "points": 800},
                               {"rank": 2, "name": "Cat", "points": 800}]
    assert board["teams"] == [{"rank": 1, "name": "Table 1", "points": 900},
                              {"rank": 2, "name": "Table 2", "points": 800}]
    assert room.my_score(b.id) == {"points": {"q1": 800}, "total": 800, "rank": 2, "of": 3}
    # a room rebuilt from the database counts the same
    again = Room(room.deck, store.session(room.id), store)
    assert again.leaderboard() == board
    assert quiz.scores(room.deck, store.answers(room.id), again.opened_at()) == \
        {a.id: {"q1": 900, "q2": 0}, b.id: {"q1": 800}, c.id: {"q1": 800}}


def test_a_resumed_room_keeps_the_deadline_and_closes_a_past_one(made, clock):
    registry, room, store = made
    room.control("goto", {"slide": 1})
    again = RoomRegistry(store).resume(room.id, room.deck)
    assert again is not room and again.state.timers["q1"] == (1000.0, 1010.0)
    clock.t = 1020.0
    again.expire()
    assert again.state.polls["q1"].status == "closed"


def test_an_unknown_team_is_refused(made):
    registry, room, store = made
    p = _join(room, "dddd", "Dan")
    with pytest.raises(AnswerError) as err:
        room.set_team(p.id, "Table 9")
    assert err.value.code == "unknown_team"


def test_the_summary_and_the_takeaway_print_the_quiz(made, clock):
    from handouts.results import load_results
    from handouts.summary import build_summary
    from handouts.takeaway import build_takeaway
    from tests.test_handouts import pdf_text
    registry, room, store = made
    a, b = _join(room, "aaaa", "Ann"), _join(room, "bbbb", "Bob")
    room.control("goto", {"slide": 1})
    clock.t = 1005.0
    room.answer(a.id, "q1", [1])  # 750
    room.answer(b.id, "q1", [2])  # wrong
    results = load_results(store, room.deck, room.id)
    assert results.opened == {"q1": 1000.0}
    summary = " ".join(pdf_text(build_summary(room.deck, results, invariant=True)).split())
    assert "Quiz" in summary and "Final ranking" in summary and "50%" in summary
    assert "1 Ann 750" in summary and "2 Bob 0" in summary
    mine = " ".join(pdf_text(build_takeaway(room.deck, results, a.id, invariant=True)).split())
    assert "Your score: 750 points, rank 1 of 2." in mine and "Two plus two? — 750 points" in mine


def test_too_late_and_teams_through_the_socket(app, live, tmp_path):
    """The protocol's handlers on the test client, the store's clock held still (no ticker runs)."""
    from server import socketio
    from tests.support.quizdeck import write_quiz_deck
    from workshop.deck_file import load_deck
    now = [2000.0]
    live.store.clock = lambda: now[0]
    path = write_quiz_deck(tmp_path, seconds=5)
    room = live.rooms.create(load_deck(path), path)
    phone = socketio.test_client(app, auth={"role": "participant", "code": room.row.join_code,
                                            "token": "t" * 20, "nickname": "Ann"})
    welcome = phone.get_received()[0]["args"][0]
    assert welcome["session"]["teams"] == ["Table 1", "Table 2"] and welcome["participant"]["team"] == ""
    assert phone.emit("team", {"team": "Table 9"}, callback=True)["error"] == "unknown_team"
    assert phone.emit("team", {"team": "Table 2"}, callback=True) == {"ok": True, "team": "Table 2"}
    room.control("goto", {"slide": 1})
    assert phone.emit("time", {}, callback=True) == {"ok": True, "server_now": 2000000}
    now[0] = 2005.0
    late = phone.emit("answer", {"poll": "q1", "value": [1], "uid": "u1"}, callback=True)
    assert late["error"] == "too_late" and room.store.answers(room.id) == []
    phone.disconnect()
