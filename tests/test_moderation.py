"""Moderation of open answers: statuses shown/held/hidden, the word filter's hold, the queue,
the spotlight; in the core, the store (migration and --resume) and through the protocol."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from server import socketio
from server.rooms import RoomRegistry
from workshop.deck_file import parse_deck
from workshop.polltypes.open import FILTERED, HELD, HIDDEN, MODERATION, SHOWN, OpenTally
from workshop.session import ControlError, SessionState, apply
from workshop.store import RoomState, open_store

DECK = """
title: Moderated
slides:
  - kind: poll
    poll: {id: free, type: open, question: "What do you think of the team?"}
  - kind: poll
    poll: {id: checked, type: open, question: "What should change first?", moderate: true}
  - kind: poll
    poll: {id: pick, type: choice, question: "Which one?", options: [A, B]}
"""
FILTERED_TEXT = "this plan is shit"


def make_deck(extra=""):
    return parse_deck(extra + DECK, "moderated.yaml")


@pytest.fixture
def store(tmp_path):
    s = open_store(str(tmp_path / "mod.db"))
    yield s
    s.close()


def new_room(store, deck=None):
    return RoomRegistry(store).create(deck or make_deck(), "moderated.yaml")


def add_people(room, n):
    return [room.join(f"token-{i:016d}").id for i in range(n)]


# ----- the tally ---------------------------------------------------------------------------

def test_held_answers_stay_out_of_terms_and_latest_until_approved():
    tally = OpenTally(make_deck().polls["free"])
    tally.add(1, "trust builds teams", HELD, MODERATION)
    tally.add(2, "clear goals", SHOWN)
    snap = tally.snapshot(True)
    assert [a["text"] for a in snap["latest"]] == ["clear goals"]
    assert "trust" not in dict(snap["terms"])
    assert (snap["held"], snap["hidden"], snap["answered"]) == (1, 0, 2)
    assert tally.set_status(1, SHOWN)
    snap = tally.snapshot(True)
    assert dict(snap["terms"])["trust"] == 1 and snap["held"] == 0
    assert tally.set_status(1, HIDDEN) and not tally.set_status(1, HIDDEN)
    assert "trust" not in dict(tally.snapshot(True)["terms"])
    assert tally.hidden == {1}


def test_removing_a_held_answer_leaves_the_terms_alone():
    tally = OpenTally(make_deck().polls["free"])
    tally.add(1, "trust", SHOWN)
    tally.add(2, "trust", HELD, FILTERED)
    tally.remove(2, "trust")
    assert dict(tally.snapshot(True)["terms"])["trust"] == 1
    assert tally.held == []


# ----- the state machine -------------------------------------------------------------------

def test_moderation_switch_and_spotlight_are_state_changes():
    state = SessionState(make_deck())
    change = apply(state, "moderate", {"on": True})
    assert state.moderate and change.moderation and change.state
    assert not apply(state, "moderate", {"on": True})
    with pytest.raises(ControlError) as exc:
        apply(state, "moderate", {"on": "yes"})
    assert exc.value.code == "bad_value"
    state.spotlight = ("free", 1)
    change = apply(state, "next", {})
    assert state.spotlight is None and change.spotlight and change.state


def test_answer_actions_are_refused_on_choice_polls():
    state = SessionState(make_deck())
    for action in ("approve", "spotlight", "hide_answer"):
        with pytest.raises(ControlError) as exc:
            apply(state, action, {"poll": "pick", "participant": 1})
        assert exc.value.code == "not_open_text"


# ----- the room ----------------------------------------------------------------------------

def test_a_moderated_poll_holds_answers_and_approve_shows_them(store):
    room = new_room(store)
    room.control("goto", {"slide": 1})
    [ana] = add_people(room, 1)
    reply = room.answer(ana, "checked", "More trust between teams", "u1")
    assert reply["held"] == MODERATION
    assert room.snapshot("checked")["latest"] == []
    assert [i["text"] for i in room.queue()] == ["More trust between teams"]
    assert room.queue()[0]["kind"] == "answer" and room.queue()[0]["pseudonym"]
    room.control("approve", {"poll": "checked", "participant": ana})
    assert [a["text"] for a in room.snapshot("checked")["latest"]] == ["More trust between teams"]
    assert room.queue() == []


def test_the_word_filter_holds_an_answer_with_moderation_off(store):
    room = new_room(store)
    room.control("open", {"poll": "free"})
    ana, ben = add_people(room, 2)
    assert room.answer(ana, "free", FILTERED_TEXT)["held"] == FILTERED
    assert "held" not in room.answer(ben, "free", "a class act, assess it")
    assert [i["reason"] for i in room.queue()] == [FILTERED]
    assert [a["text"] for a in room.snapshot("free")["latest"]] == ["a class act, assess it"]


def test_a_changed_answer_goes_back_to_the_queue_when_moderated(store):
    room = new_room(store)
    room.control("open", {"poll": "free"})
    room.control("moderate", {"on": True})
    [ana] = add_people(room, 1)
    room.answer(ana, "free", "first words")
    room.control("approve_all", {})
    assert room.snapshot("free")["held"] == 0
    assert room.answer(ana, "free", "second words")["held"] == MODERATION
    assert room.snapshot("free")["latest"] == [] and room.snapshot("free")["held"] == 1


def test_the_deck_option_starts_the_session_moderated(store):
    room = new_room(store, make_deck("moderate: true\n"))
    assert room.state.moderate and room.facilitator_state("")["moderate"]
    room.control("open", {"poll": "free"})
    [ana] = add_people(room, 1)
    assert room.answer(ana, "free", "hello")["held"] == MODERATION


def test_spotlight_shows_one_answer_and_hiding_it_ends_the_spotlight(store):
    room = new_room(store)
    room.control("open", {"poll": "free"})
    [ana] = add_people(room, 1)
    room.answer(ana, "free", "A long and thoughtful answer")
    version = room.state_version
    room.control("spotlight", {"poll": "free", "participant": ana})
    assert room.facilitator_state("")["spotlight"] == {"poll": "free", "participant": ana,
                                                       "text": "A long and thoughtful answer"}
    assert room.state_version == version + 1
    room.control("hide_answer", {"poll": "free", "participant": ana})
    assert room.facilitator_state("")["spotlight"] is None
    with pytest.raises(ControlError) as exc:
        room.control("spotlight", {"poll": "free", "participant": ana})
    assert exc.value.code == "answer_hidden"


def test_spotlighting_a_held_answer_approves_it(store):
    room = new_room(store)
    room.control("goto", {"slide": 1})
    [ana] = add_people(room, 1)
    room.answer(ana, "checked", "wait for me")
    room.control("spotlight", {"poll": "checked", "participant": ana})
    assert room.queue() == [] and room.snapshot("checked")["latest"][0]["text"] == "wait for me"
    room.control("spotlight_off", {})
    assert room.facilitator_state("")["spotlight"] is None


# ----- the store: statuses and state survive a restart -------------------------------------

def test_resume_restores_the_queue_the_switch_and_the_spotlight(tmp_path):
    path = str(tmp_path / "resume.db")
    store = open_store(path)
    room = new_room(store)
    room.control("open", {"poll": "free"})
    room.control("moderate", {"on": True})
    ana, ben, cy = add_people(room, 3)
    room.answer(ana, "free", "held one")
    room.answer(ben, "free", "approved one")
    room.answer(cy, "free", "hidden one")
    room.control("approve", {"poll": "free", "participant": ben})
    room.control("hide_answer", {"poll": "free", "participant": cy})
    room.control("spotlight", {"poll": "free", "participant": ben})
    before = (room.snapshot("free"), room.queue(), room.facilitator_state("")["spotlight"])
    store.close()
    store = open_store(path)
    again = RoomRegistry(store).resume(room.id, make_deck())
    assert again.state.moderate
    assert (again.snapshot("free"), again.queue(), again.facilitator_state("")["spotlight"]) == before
    assert [(a.participant_id, a.status) for a in store.answers(room.id, "free")] == [
        (ana, HELD), (ben, SHOWN), (cy, HIDDEN)]
    store.close()


def test_a_version_2_database_is_migrated_with_hidden_answers_kept_hidden(tmp_path):
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE sessions (id TEXT PRIMARY KEY, deck_path TEXT NOT NULL, deck_title TEXT NOT NULL,
            join_code TEXT NOT NULL UNIQUE, facilitator_key TEXT NOT NULL, created_at REAL NOT NULL,
            ended_at REAL, current_slide INTEGER NOT NULL DEFAULT 0, qr INTEGER NOT NULL DEFAULT 0,
            takeaways INTEGER NOT NULL DEFAULT 0, state_version INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE participants (id INTEGER PRIMARY KEY, session_id TEXT NOT NULL, token TEXT NOT NULL,
            pseudonym TEXT NOT NULL, nickname TEXT NOT NULL DEFAULT '', joined_at REAL NOT NULL,
            UNIQUE (session_id, token));
        CREATE TABLE answers (session_id TEXT NOT NULL, poll_id TEXT NOT NULL,
            participant_id INTEGER NOT NULL, value TEXT NOT NULL, uid TEXT NOT NULL DEFAULT '',
            first_at REAL NOT NULL, last_at REAL NOT NULL, hidden INTEGER NOT NULL DEFAULT 0,
            UNIQUE (session_id, poll_id, participant_id));
        INSERT INTO sessions VALUES ('s1', 'd.yaml', 'D', 'AAAAAA', 'k', 1.0, NULL, 0, 0, 0, 3);
        INSERT INTO participants VALUES (1, 's1', 'tok', 'Blue Heron', '', 1.0);
        INSERT INTO participants VALUES (2, 's1', 'tok2', 'Red Fox', '', 1.0);
        INSERT INTO answers VALUES ('s1', 'free', 1, '"gone"', 'u1', 1.0, 1.0, 1);
        INSERT INTO answers VALUES ('s1', 'free', 2, '"kept"', 'u2', 2.0, 2.0, 0);
        PRAGMA user_version = 2;
    """)
    db.close()
    store = open_store(str(path))
    assert [(a.value, a.status, a.hidden) for a in store.answers("s1")] == [
        ("gone", HIDDEN, True), ("kept", SHOWN, False)]
    state = store.state("s1")
    assert (state.version, state.moderate, state.spotlight) == (3, False, None)
    saved = store.save_state("s1", RoomState(version=3, moderate=True, spotlight=("free", 2)))
    assert store.state("s1").spotlight == ("free", 2) and saved.version == 4
    assert store.db.execute("PRAGMA user_version").fetchone()[0] >= 3
    store.close()


# ----- through the protocol ----------------------------------------------------------------

@pytest.fixture
def mod_room(rooms, tmp_path):
    path = tmp_path / "moderated.yaml"
    path.write_text(DECK, encoding="utf-8")
    return rooms.create(make_deck(), str(path))


def connect(app, room, role="participant"):
    if role == "participant":
        return socketio.test_client(app, auth={"role": "participant", "code": room.row.join_code,
                                               "token": f"tok-{id(room)}-{len(room.queue())}-abcdefgh"})
    return socketio.test_client(app, auth={"role": "facilitator", "session": room.id,
                                           "key": room.row.facilitator_key})


def projector_poll(client, poll_id):
    reply = client.emit("sync", callback=True)
    return reply["tallies"][poll_id], reply["queue"]


def test_protocol_moderated_answer_reaches_the_projector_only_after_approve(app, live, mod_room):
    projector = connect(app, mod_room, "facilitator")
    assert projector.emit("control", {"action": "goto", "slide": 1}, callback=True)["ok"]
    phone = connect(app, mod_room)
    ack = phone.emit("answer", {"poll": "checked", "value": "Share the plan early", "uid": "u1"},
                     callback=True)
    assert ack["ok"] and ack["held"] == "moderation"
    projector.get_received()
    live.broadcaster.push()
    got = {e["name"]: e["args"][0] for e in projector.get_received()}
    assert got["tally"]["polls"]["checked"]["latest"] == [] and got["tally"]["polls"]["checked"]["terms"] == []
    assert [i["text"] for i in got["queue"]["items"]] == ["Share the plan early"]
    who = got["queue"]["items"][0]["participant"]
    assert projector.emit("control", {"action": "approve", "poll": "checked", "participant": who},
                          callback=True)["ok"]
    tally, queue = projector_poll(projector, "checked")
    assert [a["text"] for a in tally["latest"]] == ["Share the plan early"]
    assert queue["items"] == []


def test_protocol_filtered_word_is_held_with_moderation_off(app, mod_room):
    projector = connect(app, mod_room, "facilitator")
    projector.emit("control", {"action": "open", "poll": "free"}, callback=True)
    phone = connect(app, mod_room)
    ack = phone.emit("answer", {"poll": "free", "value": FILTERED_TEXT, "uid": "u1"}, callback=True)
    assert ack["ok"] and ack["held"] == "filtered"
    tally, queue = projector_poll(projector, "free")
    assert tally["latest"] == [] and tally["held"] == 1
    assert queue == {"moderate": False, "items": [
        {"kind": "answer", "poll": "free", "participant": queue["items"][0]["participant"],
         "text": FILTERED_TEXT, "reason": "filtered", "pseudonym": queue["items"][0]["pseudonym"]}]}


def test_protocol_a_participant_cannot_approve(app, mod_room):
    projector = connect(app, mod_room, "facilitator")
    projector.emit("control", {"action": "goto", "slide": 1}, callback=True)
    phone = connect(app, mod_room)
    phone.emit("answer", {"poll": "checked", "value": "let me in", "uid": "u1"}, callback=True)
    who = mod_room.queue()[0]["participant"]
    for action in ("approve", "approve_all", "spotlight", "moderate"):
        reply = phone.emit("control", {"action": action, "poll": "checked", "participant": who},
                           callback=True)
        assert reply["error"] == "forbidden"
    assert len(mod_room.queue()) == 1 and not mod_room.state.moderate


@pytest.mark.parametrize("payload, code", [
    ({"action": "approve", "poll": "free"}, "bad_value"),
    ({"action": "approve", "poll": "free", "participant": 999}, "unknown_participant"),
    ({"action": "spotlight", "poll": "pick", "participant": 1}, "not_open_text"),
    ({"action": "moderate", "on": 1}, "bad_value"),
    ({"action": "approve_all", "poll": "nope"}, "unknown_poll"),
])
def test_protocol_moderation_errors(app, mod_room, payload, code):
    projector = connect(app, mod_room, "facilitator")
    reply = projector.emit("control", payload, callback=True)
    assert reply["ok"] is False and reply["error"] == code


def test_protocol_moderation_switch_is_in_the_facilitator_state(app, mod_room):
    projector = connect(app, mod_room, "facilitator")
    reply = projector.emit("control", {"action": "moderate", "on": True}, callback=True)
    assert reply["ok"] and reply["state"]["moderate"] is True
    assert reply["state"]["spotlight"] is None


def test_the_summary_leaves_held_and_hidden_answers_out_and_the_export_says_why(store):
    from handouts import export_csv, load_results
    room = new_room(store)
    room.control("open", {"poll": "free"})
    ana, ben, cy = add_people(room, 3)
    room.answer(ana, "free", FILTERED_TEXT)
    room.answer(ben, "free", "kept for the summary")
    room.answer(cy, "free", "hidden from the summary")
    room.control("hide_answer", {"poll": "free", "participant": cy})
    results = load_results(store, room.deck, room.id)
    assert [a.text for a in results.open_answers["free"]] == ["kept for the summary"]
    assert results.hidden["free"] == 2
    assert "shit" not in dict(results.tallies["free"]["terms"])
    csv_text = export_csv(room.deck, results).decode("utf-8-sig")
    rows = [line.split(",") for line in csv_text.splitlines()[1:]]
    assert sorted(row[7] for row in rows) == ["held", "hidden", "shown"]  # the status column
