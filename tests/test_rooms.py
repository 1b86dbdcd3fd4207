"""Live rooms (server/rooms.py): the room owns its state, tells what changed, and the registry
finds rooms only for those who may have them."""
from __future__ import annotations

from pathlib import Path

import pytest

from server import socketio
from server.rooms import Room, RoomRegistry
from workshop.session import Change
from workshop.store import StaleState, open_store

ROOT = Path(__file__).resolve().parent.parent
DECK_PATH = ROOT / "decks" / "leaders-role.yaml"


@pytest.fixture
def store(tmp_path):
    s = open_store(str(tmp_path / "rooms.db"))
    yield s
    s.close()


def test_a_taken_join_code_is_drawn_again(store, deck):
    taken = RoomRegistry(store, new_code=lambda: "AAAAAA").create(deck, str(DECK_PATH))
    codes = iter(["AAAAAA"] * 30 + ["BBBBBB"])
    room = RoomRegistry(store, new_code=lambda: next(codes)).create(deck, str(DECK_PATH))
    assert (taken.row.join_code, room.row.join_code) == ("AAAAAA", "BBBBBB")


def test_no_free_join_code_is_one_clear_error(store, deck):
    RoomRegistry(store, new_code=lambda: "AAAAAA").create(deck, str(DECK_PATH))
    with pytest.raises(RuntimeError, match="no free join code"):
        RoomRegistry(store, new_code=lambda: "AAAAAA").create(deck, str(DECK_PATH))
    assert len(store.sessions()) == 1


def test_every_change_is_told_to_the_listener_after_it_is_stored(store, deck):
    told = []

    def listener(room, change):
        told.append((change, room.store.state(room.id).slide))
    room = RoomRegistry(store, listener=listener).create(deck, str(DECK_PATH))
    poll_slide = deck.poll_slide_index("homework-followers")
    room.control("goto", {"slide": poll_slide})
    assert told == [(Change(slide=True, polls=frozenset({"homework-followers"})), poll_slide)]
    person = room.join("token-for-the-listener-1")
    room.answer(person.id, "homework-followers", 1, "u1")
    assert told[1:] == [(Change(people=True), poll_slide),
                        (Change(tallies=frozenset({"homework-followers"})), poll_slide)]
    room.answer(person.id, "homework-followers", 1, "u1")  # a resend changes nothing
    room.control("goto", {"slide": poll_slide})  # nor does staying put
    assert len(told) == 3


def test_each_saved_state_moves_the_version_and_a_resumed_room_starts_from_it(store, deck):
    room = RoomRegistry(store).create(deck, str(DECK_PATH))
    first = room.state_version
    room.control("next", {})
    room.control("qr", {"show": True})
    assert room.state_version == first + 2 == store.state(room.id).version
    again = Room(deck, store.session(room.id), store)
    assert again.state_version == room.state_version
    assert again.facilitator_state("") == room.facilitator_state("")


def test_a_state_the_store_refuses_leaves_the_room_as_stored(store, deck):
    room = RoomRegistry(store).create(deck, str(DECK_PATH))
    other = Room(deck, store.session(room.id), store)  # as a second process would
    other.control("goto", {"slide": 3})
    with pytest.raises(StaleState):
        room.control("next", {})
    assert room.phone_state()["slide"]["index"] == 3  # the room took the store's state


def test_a_facilitator_request_with_a_wrong_key_loads_nothing(app, rooms, deck, tmp_path):
    stored = open_store(app.config["DB"])
    try:
        row = stored.create_session("abcdef123456", str(DECK_PATH), deck.title, "QWERTY", "right-key")
    finally:
        stored.close()
    client = app.test_client()
    for key, status in (("", 401), ("wrong-key", 403)):
        url = f"/s/{row.id}/console" + (f"?key={key}" if key else "")
        assert client.get(url).status_code == status
        assert client.get(f"/s/{row.id}/qr.svg", headers={"X-Workshop-Key": key}).status_code == status
        assert socketio.test_client(app, auth={"role": "facilitator", "session": row.id,
                                               "key": key}).is_connected() is False
    assert row.id not in rooms.rooms  # its deck was never read
    assert client.get(f"/s/{row.id}/qr.svg", headers={"X-Workshop-Key": "right-key"}).status_code == 200
    assert row.id in rooms.rooms


def test_the_welcome_carries_the_results_once_inside_the_state(app, room, facilitator, deck, phone):
    assert facilitator.emit("control", {"action": "goto",
                                        "slide": deck.poll_slide_index("homework-followers")},
                            callback=True)["ok"]
    p = phone()
    welcome = [e["args"][0] for e in p.get_received() if e["name"] == "welcome"][0]
    assert "results" not in welcome and welcome["state"]["results"]["poll"] == "homework-followers"
    synced = p.emit("sync", callback=True)
    assert "results" not in synced and synced["state"]["results"]["answered"] == 0


def test_connected_phones_are_counted_by_the_room(app, room, phone, facilitator):
    phones = [phone() for _ in range(3)]
    phones[0].disconnect()
    assert facilitator.emit("sync", callback=True)["state"]["connected"] == 2
    assert room.connected == 2


def test_a_takeaway_is_posted_never_asked_for_in_a_url(app, room, facilitator, phone, client):
    token = "takeaway-token-0123456789"
    phone(token=token)
    url = f"/j/{room.row.join_code}/takeaway.pdf"
    assert client.post(url, data={"token": token}).status_code == 403  # not allowed yet
    assert facilitator.emit("control", {"action": "takeaways", "allow": True}, callback=True)["ok"]
    assert client.get(url, query_string={"token": token}).status_code == 405
    got = client.post(url, data={"token": token})
    assert got.status_code == 200 and got.data.startswith(b"%PDF")
    assert client.post(url, data={"token": "not-a-participant-token"}).status_code == 404
    page = client.get(f"/j/{room.row.join_code}").get_data(as_text=True)
    assert 'method="post"' in page and f'action="{url}"' in page and "?token=" not in page


@pytest.mark.parametrize("name,cut,expected", [
    ("  Ana  ", False, "Ana"), ("A\x00n\x07a", False, "Ana"), ("x" * 41, False, None),
    ("x" * 41, True, "x" * 40), (5, True, None), ("Ben\ud800", False, "Ben\ufffd"),
])
def test_a_nickname_is_cleaned_in_one_place(name, cut, expected):
    from workshop.text import clean_nickname
    assert clean_nickname(name, cut=cut) == expected



def test_phones_get_a_scenario_s_words_without_their_markdown_marks(store, tmp_path):
    from workshop.deck_file import parse_deck
    deck = parse_deck("title: T\nslides:\n  - kind: scenario\n    title: The **new** lead\n"
                      "    story: Build **trust** first, then `ship` it.\n    tips: [Listen]\n"
                      "    poll: {id: s, type: choice, question: Which one, options: [A, B]}\n",
                      str(tmp_path / "deck.yaml"))
    room = RoomRegistry(store).create(deck, str(tmp_path / "deck.yaml"))
    slide = room.phone_state()["slide"]
    assert (slide["title"], slide["story"]) == ("The new lead", "Build trust first, then ship it.")
