"""Timed activities: reading phases, and start/pause/skip/extend arithmetic on an injected clock."""
from __future__ import annotations

import pytest

from server.rooms import RoomRegistry
from tests.support.quizdeck import quiz_deck_text
from workshop import activity
from workshop.activity import Phase
from workshop.deck import DeckError
from workshop.deck_file import parse_deck
from workshop.session import ControlError
from workshop.store import open_store

PHASES = (Phase("Think", 1), Phase("Pairs", 2), Phase("All", 4))


def test_phases_run_one_after_another_without_drift():
    a = activity.idle(0)
    activity.start(a, PHASES, 100.0)
    assert a["ends_at"] == 160.0 and activity.left(a, PHASES, 130.0) == 30.0
    assert activity.advance(a, PHASES, 175.0)  # a late tick: the next phase started at 160
    assert a["phase"] == 1 and a["ends_at"] == 280.0
    assert activity.advance(a, PHASES, 1000.0)
    assert a["phase"] == 3 and not a["running"] and activity.left(a, PHASES, 1000.0) == 0


def test_pause_extend_and_skip():
    a = activity.idle(0)
    activity.start(a, PHASES, 0.0)
    activity.pause(a, 20.0)
    assert a["remaining"] == 40.0 and not a["running"]
    activity.extend(a, PHASES)  # +1 minute while paused
    assert activity.left(a, PHASES, 999.0) == 100.0
    activity.start(a, PHASES, 50.0)
    assert a["ends_at"] == 150.0
    activity.extend(a, PHASES, 30)
    assert a["ends_at"] == 180.0
    activity.skip(a, PHASES, 60.0)
    assert a["phase"] == 1 and a["ends_at"] == 180.0  # Pairs: 2 minutes from the skip
    activity.skip(a, PHASES, 61.0)
    activity.skip(a, PHASES, 62.0)
    assert a["phase"] == 3 and not a["running"]
    activity.start(a, PHASES, 70.0)  # starting a finished activity starts it again
    assert a["phase"] == 0 and a["ends_at"] == 130.0


@pytest.mark.parametrize("phase, message", [
    ("{say: Pairs, minutes: 0.1}", "between 0.25 and 120"),
    ("{say: '', minutes: 1}", "empty"),
    ("{minutes: 1}", "missing 'say'"),
    ("Pairs", "must be a mapping"),
])
def test_bad_phases_are_deck_problems(phase, message):
    text = quiz_deck_text().replace("      - {say: Pairs, minutes: 0.5}", f"      - {phase}")
    with pytest.raises(DeckError, match=message):
        parse_deck(text)


def test_the_room_runs_an_activity_on_its_saved_state(tmp_path):
    now = [500.0]
    store = open_store(str(tmp_path / "a.db"), clock=lambda: now[0])
    room = RoomRegistry(store).create(parse_deck(quiz_deck_text()), "quiz.yaml")
    with pytest.raises(ControlError) as err:
        room.control("activity_start", {})  # the title slide has none
    assert err.value.code == "no_activity"
    room.control("goto", {"slide": 1})
    assert room.timing_view()["activity"]["phase"] == 0
    room.control("activity_start", {})
    view = room.timing_view()["activity"]
    assert view["running"] and view["ends_at"] == 515000 and view["phases"][0]["say"] == "Think alone"
    now[0] = 516.0
    change = room.expire()  # the ticker moves it on
    assert change.activity and room.timing_view()["activity"]["phase"] == 1
    room.control("activity_pause", {})
    room.control("activity_extend", {})
    assert room.timing_view()["activity"]["left_ms"] == 89000  # 29 s left + 60
    again = RoomRegistry(store).resume(room.id, room.deck)  # a restart keeps it
    assert again.timing_view()["activity"] == room.timing_view()["activity"]
    again.control("activity_skip", {})
    assert again.timing_view()["activity"]["done"]
    store.close()
