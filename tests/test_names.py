"""Anonymous or named sessions: what phones are told, and what the facilitator sees where."""
from __future__ import annotations

import csv
import io
import json

import pytest

from handouts import build_summary, build_takeaway, export_csv, export_json, load_results
from server import socketio
from tests.test_handouts import pdf_text, ticking_clock, write_deck
from workshop import ids, names
from workshop.store import open_store

OPEN_POLL = "homework-process"  # the default deck's open question


def received(client, name):
    return [e["args"][0] for e in client.get_received() if e["name"] == name]


def connect(app, room, token, nickname=""):
    return socketio.test_client(app, auth={"role": "participant", "code": room.row.join_code,
                                           "token": token, "nickname": nickname})


# ----- the pseudonyms --------------------------------------------------------------------------

def test_english_pseudonyms_are_unchanged():
    assert ids.pseudonym(1) == ids.pseudonym(1, "en") == "Amber Badger"
    assert ids.pseudonym(2, "en") == "Blue Bear"


def test_chinese_pseudonyms_are_chinese_stable_and_distinct_for_2000_people():
    made = [ids.pseudonym(n, "zh") for n in range(1, 2001)]
    assert len(set(made)) == 2000
    assert made[0] == ids.pseudonym(1, "zh") == "勇敢熊猫"
    assert all(not any("a" <= ch.lower() <= "z" or ch == " " for ch in name) for name in made)
    assert all(4 <= len(name) <= 5 for name in made)  # an adjective and an animal, no number


def test_shown_name_is_the_nickname_only_in_a_named_session():
    assert names.shown_name("named", "Jade Otter", "Ana") == "Ana"
    assert names.shown_name("named", "Jade Otter", "") == "Jade Otter"
    assert names.shown_name("anonymous", "Jade Otter", "Ana") == "Jade Otter"
    assert names.session_names("", "named") == "named"  # a session from before keeps its deck's
    assert names.session_names("anonymous", "named") == "anonymous"


# ----- the live room ---------------------------------------------------------------------------

@pytest.fixture
def named_room(rooms, deck):
    from tests.conftest import DEFAULT_DECK
    return rooms.create(deck, str(DEFAULT_DECK), "named")


def test_an_anonymous_session_keeps_no_names_even_offered_ones(app, room):
    assert room.names == "anonymous" and room.row.names == "anonymous"
    phone = connect(app, room, "t" * 20, nickname="Ana")
    welcome = received(phone, "welcome")[0]
    assert welcome["session"]["names"] == "anonymous"
    assert welcome["participant"]["nickname"] == ""
    assert welcome["participant"]["pseudonym"] == "Amber Badger"
    reply = phone.emit("nickname", {"nickname": "Ana"}, callback=True)
    assert reply["error"] == "anonymous_session"
    assert [p.nickname for p in room.store.participants(room.id)] == [""]


def test_a_named_session_asks_a_name_before_an_answer_and_shows_it(app, named_room, facilitator_of):
    room = named_room
    room.control("goto", {"slide": room.deck.poll_slide_index(OPEN_POLL)})
    room.control("open", {"poll": OPEN_POLL})
    phone = connect(app, room, "t" * 20)
    assert received(phone, "welcome")[0]["session"]["names"] == "named"
    refused = phone.emit("answer", {"poll": OPEN_POLL, "value": "Listen first"}, callback=True)
    assert refused["error"] == "name_required"
    assert phone.emit("nickname", {"nickname": "Ana"}, callback=True) == {"ok": True, "nickname": "Ana"}
    assert phone.emit("answer", {"poll": OPEN_POLL, "value": "Listen first"}, callback=True)["ok"]
    console = facilitator_of(room)
    listed = console.emit("open_answers", {"poll": OPEN_POLL}, callback=True)
    assert [(a["pseudonym"], a["text"]) for a in listed["answers"]] == [("Ana", "Listen first")]


def test_a_name_given_when_joining_lets_the_phone_answer_and_survives_a_rebuild(app, named_room):
    room = named_room
    room.control("goto", {"slide": room.deck.poll_slide_index(OPEN_POLL)})
    room.control("open", {"poll": OPEN_POLL})
    phone = connect(app, room, "u" * 20, nickname="Ben")
    assert received(phone, "welcome")[0]["participant"]["nickname"] == "Ben"
    assert phone.emit("answer", {"poll": OPEN_POLL, "value": "Trust"}, callback=True)["ok"]
    room.rebuild()
    assert room.named == {room.store.participants(room.id)[0].id}


@pytest.fixture
def facilitator_of(app):
    made = []

    def make(room):
        c = socketio.test_client(app, auth={"role": "facilitator", "session": room.id,
                                            "key": room.row.facilitator_key})
        made.append(c)
        return c
    yield make
    for c in made:
        c.disconnect()


# ----- reports ---------------------------------------------------------------------------------

def session_with_names(tmp_path, mode):
    deck = write_deck(tmp_path)
    store = open_store(tmp_path / f"{mode}.db", clock=ticking_clock())
    store.create_session("s1", deck.path, deck.title, "CODE22", "key", mode)
    people = [store.add_participant("s1", "token-000000000000001", "Blue Heron", "Ana Named"),
              store.add_participant("s1", "token-000000000000002", "Jade Otter", "")]
    store.save_answer("s1", "why", people[0].id, "Trust builds teams")
    store.save_answer("s1", "why", people[1].id, "Clear goals")
    store.save_answer("s1", "mood", people[0].id, 4)
    return deck, load_results(store, deck, "s1"), people


def test_a_named_session_prints_names_in_the_summary_csv_and_takeaway(tmp_path):
    deck, results, people = session_with_names(tmp_path, "named")
    rows = list(csv.DictReader(io.StringIO(export_csv(deck, results).decode("utf-8-sig"))))
    assert {row["participant"] for row in rows} == {"Ana Named", "Jade Otter"}
    data = json.loads(export_json(deck, results))
    assert data["session"]["names"] == "named"
    assert {a["participant"] for a in data["answers"]} == {"Ana Named", "Jade Otter"}
    summary = pdf_text(build_summary(deck, results, invariant=True))
    assert "Ana Named" in summary and "Blue Heron" not in summary
    takeaway = pdf_text(build_takeaway(deck, results, people[0].id, invariant=True))
    assert "Ana Named" in takeaway


def test_an_anonymous_session_prints_pseudonyms_only(tmp_path):
    deck, results, people = session_with_names(tmp_path, "anonymous")
    data = export_csv(deck, results).decode("utf-8-sig")
    assert "Blue Heron" in data and "Ana Named" not in data
    summary = pdf_text(build_summary(deck, results, invariant=True))
    assert "Blue Heron" in summary and "Ana Named" not in summary
    takeaway = pdf_text(build_takeaway(deck, results, people[0].id, invariant=True))
    assert "Blue Heron" in takeaway and "Ana Named" not in takeaway


# ----- serve --names, and resume ---------------------------------------------------------------

def test_serve_names_overrides_the_deck_and_resume_keeps_the_stored_mode(tmp_path):
    from tests.support.server import DECK, RealServer

    server = RealServer(tmp_path / "srv", names="named").start()
    try:
        assert "Names: named" in server.stderr
        store = open_store(server.db)
        assert store.session(server.sid).names == "named"
        store.close()
        server.stop()
        server.names = "anonymous"  # the phones were told it is named: that stays
        server.start(resume=server.sid)
        assert "--names anonymous is ignored" in server.stderr
        assert "Names: named" in server.stderr
    finally:
        server.stop()
    assert DECK.exists()
