"""Timed quizzes and activities through the real protocol: a real `workshop serve` process."""
from __future__ import annotations

import time

import pytest

from tests.support.quizdeck import write_quiz_deck
from tests.support.server import RealServer


@pytest.fixture
def server(tmp_path):
    work = tmp_path / "server"
    work.mkdir()
    s = RealServer(work, deck=write_quiz_deck(tmp_path, seconds=5))
    s.start()
    yield s
    if s.running:
        s.stop()


@pytest.mark.slow
def test_a_timed_quiz_closes_at_zero_and_late_answers_are_too_late(server):
    console = server.facilitator()
    early, late = server.phone(nickname="Early"), server.phone(nickname="Late")
    t0 = time.time() * 1000
    state = console.call("control", {"action": "goto", "slide": 1})["state"]
    timer = state["timers"]["q1"]
    assert timer["seconds"] == 5 and timer["closes_at"] - timer["opened_at"] == 5000
    assert abs(state["server_now"] - t0) < 2000  # the same machine: offsets near 0
    phone_state = early.wait_for("state", lambda s: s["poll_state"] and s["poll_state"]["status"] == "open")
    assert phone_state["timers"]["q1"]["closes_at"] == timer["closes_at"] and "server_now" in phone_state
    assert early.call("answer", {"poll": "q1", "value": [1], "uid": "e1"})["ok"]
    pong = early.call("time", {})
    assert pong["ok"] and timer["opened_at"] <= pong["server_now"] < timer["closes_at"]
    closed = early.wait_for("state", lambda s: s["poll_state"]["status"] == "closed", timeout=8)
    closed_at = time.time() * 1000
    assert closed_at >= timer["closes_at"] - 50 and closed_at < timer["closes_at"] + 1500  # at zero
    refused = late.call("answer", {"poll": "q1", "value": [1], "uid": "l1"})
    assert not refused["ok"] and refused["error"] in ("too_late", "poll_not_open")
    score = early.call("my_score", {})
    assert score["ok"] and score["rank"] == 1 and 500 <= score["total"] <= 1000
    board = console.call("control", {"action": "goto", "slide": 3})["state"]["leaderboard"]
    assert board["people"][0] == {"rank": 1, "name": "Early", "points": score["total"]}
    assert board["people"][1] == {"rank": 2, "name": "Late", "points": 0}
    for peer in (console, early, late):
        peer.close()


@pytest.mark.slow
def test_resume_keeps_the_deadline_and_the_activity(server):
    console = server.facilitator()
    state = console.call("control", {"action": "goto", "slide": 1})["state"]
    assert console.call("control", {"action": "activity_start"})["ok"]
    closes_at = state["timers"]["q1"]["closes_at"]
    console.close()
    server.stop()
    server.restart()
    console = server.facilitator()
    again = console.call("sync", {})["state"]
    assert again["timers"]["q1"]["closes_at"] == closes_at
    assert again["activity"]["running"] and again["activity"]["phase"] == 0
    phone = server.phone(nickname="After")
    time.sleep(max(0.0, closes_at / 1000 - time.time()) + 0.3)
    refused = phone.call("answer", {"poll": "q1", "value": [1], "uid": "a1"})
    assert refused["error"] in ("too_late", "poll_not_open")
    assert console.call("sync", {})["state"]["polls"]["q1"]["status"] == "closed"
    for peer in (console, phone):
        peer.close()


def test_activity_controls_need_an_activity(server):
    console = server.facilitator()
    ack = console.call("control", {"action": "activity_start"})
    assert ack == {"ok": False, "error": "no_activity", "message": "This slide has no timed activity."}
    console.close()
