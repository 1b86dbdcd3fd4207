"""The Socket.IO protocol through Flask-SocketIO's test client (docs/protocol.md)."""
from __future__ import annotations

import pytest

from server import socketio


def received(client, name):
    return [e["args"][0] for e in client.get_received() if e["name"] == name]


def tallies(facilitator) -> dict:
    """Return every poll's tally as the console gets it on `sync`."""
    reply = facilitator.emit("sync", callback=True)
    assert reply["ok"], reply
    return reply["tallies"]


def goto_poll(facilitator, deck, poll_id):
    ack = facilitator.emit("control", {"action": "goto", "slide": deck.poll_slide_index(poll_id)},
                           callback=True)
    assert ack["ok"], ack
    return ack["state"]


def test_phone_gets_welcome_with_state_and_pseudonym(phone):
    p = phone(nickname="Ana")
    welcome = received(p, "welcome")[0]
    assert welcome["session"]["names"] == "anonymous"
    assert welcome["participant"]["nickname"] == ""  # an anonymous session keeps no names
    assert welcome["participant"]["pseudonym"]
    assert welcome["state"]["slide"]["index"] == 0
    assert welcome["answers"] == {}


def test_wrong_join_code_is_refused(app, room):
    c = socketio.test_client(app, auth={"role": "participant", "code": "ZZZZZZ", "token": "t" * 20})
    assert not c.is_connected()


def test_malformed_auth_is_refused(app, room):
    for auth in (None, {}, {"role": "admin"}, {"role": "participant", "code": room.row.join_code},
                 {"role": "participant", "code": room.row.join_code, "token": "short"},
                 {"role": "participant", "code": room.row.join_code, "token": ["x"] * 20}):
        assert not socketio.test_client(app, auth=auth).is_connected()


def test_wrong_facilitator_key_is_refused(app, room):
    real = room.row.facilitator_key
    one_off = real[:-1] + ("y" if real.endswith("x") else "x")
    for key in ("", "nope", one_off, None, 5):
        c = socketio.test_client(app, auth={"role": "facilitator", "session": room.id, "key": key})
        assert not c.is_connected()


def test_participant_answer_is_acked_after_commit_and_counted(phone, facilitator, room, deck, live):
    goto_poll(facilitator, deck, "homework-followers")
    p = phone()
    ack = p.emit("answer", {"poll": "homework-followers", "value": 0, "uid": "a1"}, callback=True)
    assert ack == {"ok": True, "poll": "homework-followers", "value": [0], "duplicate": False}
    stored = room.store.answers(room.id, "homework-followers")
    assert [a.value for a in stored] == [[0]]
    facilitator.get_received()
    live.broadcaster.push()
    tally = received(facilitator, "tally")[0]
    assert tally["polls"]["homework-followers"]["counts"] == [1, 0]
    assert tally["participants"] == 1


def test_phone_can_change_answer_while_poll_open(phone, facilitator, room, deck):
    goto_poll(facilitator, deck, "homework-followers")
    p = phone()
    p.emit("answer", {"poll": "homework-followers", "value": 0, "uid": "a1"}, callback=True)
    ack = p.emit("answer", {"poll": "homework-followers", "value": 1, "uid": "a2"}, callback=True)
    assert ack["ok"] and ack["value"] == [1]
    assert tallies(facilitator)["homework-followers"]["counts"] == [0, 1]
    assert len(room.store.answers(room.id, "homework-followers")) == 1


def test_retry_with_same_uid_counts_once(phone, facilitator, room, deck):
    goto_poll(facilitator, deck, "homework-followers")
    p = phone()
    first = p.emit("answer", {"poll": "homework-followers", "value": 0, "uid": "same"}, callback=True)
    again = p.emit("answer", {"poll": "homework-followers", "value": 0, "uid": "same"}, callback=True)
    assert first["duplicate"] is False and again["duplicate"] is True
    assert tallies(facilitator)["homework-followers"]["answered"] == 1


def test_closed_poll_refuses_answers_and_stores_nothing(phone, facilitator, room, deck):
    goto_poll(facilitator, deck, "homework-followers")
    assert facilitator.emit("control", {"action": "close"}, callback=True)["ok"]
    p = phone()
    ack = p.emit("answer", {"poll": "homework-followers", "value": 0}, callback=True)
    assert ack["ok"] is False and ack["error"] == "poll_not_open"
    assert room.store.answers(room.id) == []


def test_pending_poll_refuses_answers(phone, room):
    ack = phone().emit("answer", {"poll": "homework-leader", "value": "x"}, callback=True)
    assert ack["error"] == "poll_not_open"


@pytest.mark.parametrize("payload,code", [
    ("not a dict", "bad_payload"),
    ({"value": 0}, "bad_payload"),
    ({"poll": "homework-followers"}, "bad_payload"),
    ({"poll": "no-such-poll", "value": 0}, "unknown_poll"),
    ({"poll": ["homework-followers"], "value": 0}, "unknown_poll"),
    ({"poll": "homework-followers", "value": 7}, "unknown_option"),
    ({"poll": "homework-followers", "value": [0, 1]}, "too_many"),
    ({"poll": "homework-followers", "value": True}, "bad_value"),
    ({"poll": "homework-followers", "value": None}, "bad_value"),
    ({"poll": "homework-followers", "value": "0"}, "bad_value"),
    ({"poll": "homework-followers", "value": 0, "uid": "x" * 65}, "bad_payload"),
    ({"poll": "homework-followers", "value": 0, "uid": 5}, "bad_payload"),
])
def test_bad_answers_get_an_error_and_change_nothing(phone, facilitator, room, deck, payload, code):
    goto_poll(facilitator, deck, "homework-followers")
    ack = phone().emit("answer", payload, callback=True)
    assert ack["ok"] is False and ack["error"] == code and ack["message"]
    assert room.store.answers(room.id) == []


def test_every_poll_type_is_answered_and_tallied(app, phone, facilitator, room, deck):
    app.config["ANSWER_BURST"] = 50  # one phone answering every poll at once, faster than people
    p = phone()
    values = {"choice": 1, "scale": None, "ranking": None, "open": "Listen first, then decide"}
    for poll in deck.polls.values():
        goto_poll(facilitator, deck, poll.id)
        value = values[poll.type]
        if poll.type == "scale":
            value = poll.scale_max
        if poll.type == "ranking":
            value = list(reversed(range(len(poll.options))))
        ack = p.emit("answer", {"poll": poll.id, "value": value}, callback=True)
        assert ack["ok"], (poll.id, ack)
    assert len(room.store.answers(room.id)) == len(deck.polls)
    rank = room.snapshot("homework-first-step")
    assert rank["average_rank"][-1] == 1.0
    terms = dict(room.snapshot("homework-leader")["terms"])
    assert terms.get("listen") == 1


def test_a_stale_retry_never_takes_an_answer_back_in_time(phone, facilitator, room, deck):
    goto_poll(facilitator, deck, "tension-dream-reality")
    p = phone()
    send = lambda value, uid: p.emit("answer", {"poll": "tension-dream-reality", "value": value,  # noqa: E731
                                                "uid": uid}, callback=True)
    assert send(2, "u1")["duplicate"] is False
    assert send(4, "u2")["duplicate"] is False
    for n in range(3, 8):  # many answers to the same poll, each replacing the last
        assert send(n, f"u{n}")["ok"]
    for uid in ("u1", "u2", "u5"):  # a phone's retry queue after a reconnect
        assert send(2, uid) == {"ok": True, "poll": "tension-dream-reality", "value": 7, "duplicate": True}
    assert [a.value for a in room.store.answers(room.id, "tension-dream-reality")] == [7]
    assert tallies(facilitator)["tension-dream-reality"]["mean"] == 7


def test_a_retry_after_the_poll_closed_is_still_recognised(phone, facilitator, room, deck):
    goto_poll(facilitator, deck, "warmup-role")
    p = phone()
    assert p.emit("answer", {"poll": "warmup-role", "value": 1, "uid": "w1"}, callback=True)["ok"]
    assert facilitator.emit("control", {"action": "next"}, callback=True)["ok"]  # moving on closes it
    again = p.emit("answer", {"poll": "warmup-role", "value": 1, "uid": "w1"}, callback=True)
    assert again == {"ok": True, "poll": "warmup-role", "value": [1], "duplicate": True}
    late = p.emit("answer", {"poll": "warmup-role", "value": 0, "uid": "w2"}, callback=True)
    assert late["error"] == "poll_not_open"


def test_revealing_a_quiz_closes_voting_and_phones_are_told(phone, facilitator, room, deck):
    goto_poll(facilitator, deck, "quiz-fire-principle")
    p = phone()
    wrong = next(i for i in range(len(deck.polls["quiz-fire-principle"].options))
                 if i not in deck.polls["quiz-fire-principle"].correct)
    assert p.emit("answer", {"poll": "quiz-fire-principle", "value": wrong}, callback=True)["ok"]
    p.get_received()
    ack = facilitator.emit("control", {"action": "reveal"}, callback=True)
    assert ack["state"]["polls"]["quiz-fire-principle"] == {"status": "closed", "revealed": True}
    state = received(p, "state")[-1]
    assert state["poll_state"] == {"status": "closed", "revealed": True}
    switch = p.emit("answer", {"poll": "quiz-fire-principle",
                               "value": deck.polls["quiz-fire-principle"].correct[0]}, callback=True)
    assert switch["error"] == "poll_not_open"


def test_participant_control_events_are_refused(phone, room):
    p = phone()
    for event, payload in (("control", {"action": "next"}), ("open_answers", {"poll": "homework-leader"})):
        ack = p.emit(event, payload, callback=True)
        assert ack == {"ok": False, "error": "forbidden", "message": ack["message"]}
    assert room.phone_state()["slide"]["index"] == 0


def test_facilitator_navigation_moves_phones(phone, facilitator, room):
    p = phone()
    p.get_received()
    assert facilitator.emit("control", {"action": "next"}, callback=True)["ok"]
    states = received(p, "state")
    assert states and states[-1]["slide"]["index"] == 1
    assert room.store.state(room.id).slide == 1


def test_arriving_at_a_poll_opens_it(facilitator, room, deck):
    state = goto_poll(facilitator, deck, "homework-process")
    assert state["polls"]["homework-process"]["status"] == "open"


def test_reveal_sends_results_to_phones_and_marks_correct(phone, facilitator, room, deck, live):
    goto_poll(facilitator, deck, "quiz-fire-principle")
    p = phone()
    correct = deck.polls["quiz-fire-principle"].correct[0]
    p.emit("answer", {"poll": "quiz-fire-principle", "value": correct}, callback=True)
    assert room.phone_results() is None  # a quiz starts hidden
    p.get_received()
    assert facilitator.emit("control", {"action": "reveal"}, callback=True)["ok"]
    state = received(p, "state")[-1]
    assert state["poll_state"]["revealed"] is True  # the state that reveals carries the results
    results = state["results"]
    assert results["counts"][correct] == 1 and results["correct"] == [correct]
    live.broadcaster.push()
    assert received(p, "results") == []  # so no separate results broadcast is due


def test_reset_needs_facilitator_and_clears_answers(phone, facilitator, room, deck, live):
    goto_poll(facilitator, deck, "homework-followers")
    p = phone()
    p.emit("answer", {"poll": "homework-followers", "value": 0}, callback=True)
    ack = facilitator.emit("control", {"action": "reset", "poll": "homework-followers"}, callback=True)
    assert ack["ok"]
    assert room.store.answers(room.id) == []
    assert tallies(facilitator)["homework-followers"]["answered"] == 0
    assert {"poll": "homework-followers"} in received(p, "reset")


def test_hidden_open_answer_leaves_projector_but_stays_stored(phone, facilitator, room, deck):
    goto_poll(facilitator, deck, "homework-leader")
    p = phone()
    p.emit("answer", {"poll": "homework-leader", "value": "<script>alert(1)</script> rude"}, callback=True)
    pid = room.snapshot("homework-leader")["latest"][0]["participant"]
    ack = facilitator.emit("control", {"action": "hide_answer", "poll": "homework-leader",
                                       "participant": pid}, callback=True)
    assert ack["ok"], ack
    snap = room.snapshot("homework-leader")
    assert snap["latest"] == [] and snap["hidden"] == 1 and snap["terms"] == []
    listed = facilitator.emit("open_answers", {"poll": "homework-leader"}, callback=True)
    assert listed["answers"][0]["hidden"] is True
    assert room.store.answers(room.id)[0].hidden is True


@pytest.mark.parametrize("payload,code", [
    ({"action": "fly"}, "unknown_action"),
    ({"action": "goto", "slide": 999}, "bad_slide"),
    ({"action": "goto", "slide": "3"}, "bad_slide"),
    ({"action": "open", "poll": "nope"}, "unknown_poll"),
    ({"action": "hide_answer", "poll": "homework-followers", "participant": 1}, "not_open_text"),
    ({"action": "qr", "show": "yes"}, "bad_value"),
    ({"nothing": 1}, "bad_payload"),
])
def test_bad_control_gets_an_error(facilitator, payload, code):
    ack = facilitator.emit("control", payload, callback=True)
    assert ack["ok"] is False and ack["error"] == code


def test_reconnecting_phone_keeps_identity_and_answers(phone, facilitator, room, deck):
    goto_poll(facilitator, deck, "homework-followers")
    token = "phone-token-0123456789"
    p = phone(token=token)
    first = received(p, "welcome")[0]["participant"]
    p.emit("answer", {"poll": "homework-followers", "value": 1}, callback=True)
    p.disconnect()
    again = phone(token=token)
    welcome = received(again, "welcome")[0]
    assert welcome["participant"]["id"] == first["id"]
    assert welcome["answers"] == {"homework-followers": [1]}
    assert room.participants == 1


def test_rate_limit_refuses_a_flood_but_not_others(phone, facilitator, room, deck):
    goto_poll(facilitator, deck, "homework-followers")
    flood = phone()
    acks = [flood.emit("answer", {"poll": "homework-followers", "value": i % 2}, callback=True)
            for i in range(40)]
    assert any(a.get("error") == "rate_limited" for a in acks)
    calm = phone()
    assert calm.emit("answer", {"poll": "homework-followers", "value": 0}, callback=True)["ok"]


def test_tally_pushes_are_coalesced(phone, facilitator, room, deck, live):
    goto_poll(facilitator, deck, "homework-followers")
    phones = [phone() for _ in range(12)]
    facilitator.get_received()
    for p in phones:
        p.emit("answer", {"poll": "homework-followers", "value": 0}, callback=True)
    assert received(facilitator, "tally") == []  # nothing per answer
    live.broadcaster.push()
    tallies = received(facilitator, "tally")
    assert len(tallies) == 1 and tallies[0]["polls"]["homework-followers"]["answered"] == 12


def test_every_setting_is_documented():
    from pathlib import Path

    from workshop.settings import SETTINGS
    doc = (Path(__file__).resolve().parent.parent / "docs" / "deployment.md").read_text()
    assert [s.name for s in SETTINGS if f"WORKSHOP_{s.name}" not in doc] == []


def test_results_follow_answers_but_not_sooner_than_the_interval_after_a_state(phone, facilitator,
                                                                               room, deck, live):
    goto_poll(facilitator, deck, "homework-followers")  # shown to the room from the start
    p = phone()
    assert received(p, "welcome")[0]["state"]["results"]["answered"] == 0
    assert p.emit("answer", {"poll": "homework-followers", "value": 1}, callback=True)["ok"]
    live.broadcaster.push()
    assert received(p, "results") == []  # the state went out just now, with the results
    later = live.broadcaster.clock() + live.broadcaster.phone_interval
    live.broadcaster.clock = lambda: later
    live.broadcaster.push()
    results = received(p, "results")
    assert len(results) == 1 and results[0]["counts"] == [0, 1]
    live.broadcaster.push()
    assert received(p, "results") == []  # nothing changed since


def test_a_big_room_gets_its_broadcasts_slice_by_slice_in_order(phone, facilitator, room, deck,
                                                                monkeypatch):
    import server.broadcast as broadcast
    monkeypatch.setattr(broadcast, "SLICE_AT_ONCE", 2)  # pace from the third phone on
    monkeypatch.setattr(broadcast, "FANOUT_PER_SECOND", 10_000)
    phones = [phone() for _ in range(broadcast.PHONE_SLICES + 3)]  # every slice, some twice
    for p in phones:
        p.get_received()
    goto_poll(facilitator, deck, "homework-followers")
    goto_poll(facilitator, deck, "homework-process")
    for p in phones:
        titles = [s["poll"]["id"] for s in received(p, "state")]
        assert titles == ["homework-followers", "homework-process"]


def test_no_projector_here_means_no_tally_is_built(live, room, phone, facilitator, monkeypatch):
    """A process with no projector or console of its own (a cluster's other workers) builds no
    tally for them on its tick; with one, it does."""
    built = []
    real = room.tally_message
    monkeypatch.setattr(room, "tally_message", lambda polls: built.append(set(polls)) or real(polls))
    p = phone()
    room.control("goto", {"slide": room.deck.poll_slide_index("warmup-role")})
    p.emit("answer", {"poll": "warmup-role", "value": 1, "uid": "u1"}, callback=True)
    live.broadcaster.push()
    assert built, "a console is connected: its tally is built"
    facilitator.disconnect()
    built.clear()
    p.emit("answer", {"poll": "warmup-role", "value": 2, "uid": "u2"}, callback=True)
    live.broadcaster.push()
    assert built == []
