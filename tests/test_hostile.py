"""Hostile input is normal input: junk payloads, floods, oversized messages, code guessing,
and text that tries to be markup or a formula. The server answers with an error (or drops
only the offending client), stays up, and keeps serving everyone else."""
from __future__ import annotations

import asyncio
import csv
import http.client
import io
import json
import time

import psutil
import pytest
import requests
import socketio as socketio_client

from tests.support import (HOST, Peer, RawSocket, RealServer, Refused, new_token, write_all_types_deck)
from server import socketio
from workshop.deck_file import load_deck

ANSWER_CODES = {"bad_payload", "unknown_poll", "poll_not_open", "no_change", "bad_value", "unknown_option",
                "too_many", "out_of_range", "bad_ranking", "empty", "too_long", "rate_limited"}
CONTROL_CODES = {"bad_payload", "unknown_action", "bad_slide", "no_poll", "unknown_poll", "not_open_text",
                 "bad_value", "unknown_participant"}
POLLS = ("pick", "quiz", "once", "scale", "rank", "words")
HUGE = 100_000


def nested(depth: int, inner=0):
    for _ in range(depth):
        inner = [inner]
    return inner


# values that no poll of the all-types deck accepts
JUNK_VALUES = [None, True, False, 1e308, -1e308, 2 ** 70, -2 ** 70, "", "   ", [], {}, [None], [1e308],
               [2 ** 70], [[0]], nested(200), {"value": 0}, "x" * HUGE, {"a": nested(50)}]
JUNK_IDS = [None, 0, True, 1e308, 2 ** 70, "", "nope", "PICK", " pick", "\ud800", "x" * HUGE, [], ["pick"],
            {"id": "pick"}, nested(200)]
NOT_A_DICT = [None, 0, True, 1e308, -2 ** 70, "answer", "x" * HUGE, [], ["pick", 0], nested(200)]
JUNK_UIDS = [None, 5, 1e308, 2 ** 70, [], {}, ["u"], "x" * 65, "has space", "semi;colon", "u1\n", "\ud800",
             "x" * HUGE, "<script>"]


def answer_payloads():
    """Yield (payload, expected error code or None for 'any documented error')."""
    for data in NOT_A_DICT:
        yield data, "bad_payload"
    for data in ({}, {"poll": "scale"}, {"value": 5}, {"uid": "u1"}, {"pol": "scale", "valu": 5}):
        yield data, "bad_payload"
    for junk in JUNK_IDS:
        yield {"poll": junk, "value": 0}, "unknown_poll"
    for poll in POLLS:
        for junk in JUNK_VALUES:
            yield {"poll": poll, "value": junk}, None
    for junk in JUNK_UIDS:
        yield {"poll": "scale", "value": 5, "uid": junk}, "bad_payload"


def nickname_payloads():
    for data in NOT_A_DICT:
        yield data
    for junk in (None, 0, 1e308, 2 ** 70, [], {}, ["Ana"], nested(100), "x" * 41, "x" * HUGE):
        yield {"nickname": junk}


def control_payloads():
    """Yield (payload, expected code or None for 'any documented error')."""
    for data in NOT_A_DICT:
        yield data, "bad_payload"
    for junk in (None, 0, 1e308, [], {}, ["next"], nested(50)):
        yield {"action": junk}, "bad_payload"
    for junk in ("", "x" * HUGE, "\ud800", "NEXT", "next ", "__init__", "<script>"):
        yield {"action": junk}, "unknown_action"
    for junk in (None, True, 1e308, 2 ** 70, -2 ** 70, -1, 10_000, "1", [], {}, nested(50)):
        yield {"action": "goto", "slide": junk}, "bad_slide"
    for action in ("open", "close", "toggle_voting", "reveal", "hide", "toggle_results", "reset"):
        for junk in (1e308, 2 ** 70, [], {}, "nope", "x" * HUGE, "\ud800", nested(50)):
            yield {"action": action, "poll": junk}, "unknown_poll"
        yield {"action": action}, "no_poll"  # the first slide has no poll
    for junk in (None, 1e308, "1", [], {}, True, nested(20)):
        yield {"action": "hide_answer", "poll": "words", "participant": junk}, "bad_value"
    for junk in (2 ** 70, -1, 0, 10 ** 9):
        yield {"action": "hide_answer", "poll": "words", "participant": junk}, "unknown_participant"
    for junk in (None, 1, "true", [], {}):
        yield {"action": "hide_answer", "poll": "words", "participant": 1, "hidden": junk}, "bad_value"
        yield {"action": "qr", "show": junk}, "bad_value"
        yield {"action": "takeaways", "allow": junk}, "bad_value"
    yield {"action": "hide_answer", "poll": "pick", "participant": 1}, "not_open_text"


def small(payload) -> bool:
    """Whether a payload fits well under the server's 64 KiB message limit."""
    return len(json.dumps(payload)) < 60_000


def check_error(reply, expected, codes):
    assert isinstance(reply, dict) and reply.get("ok") is False, reply
    assert reply["error"] in codes and isinstance(reply["message"], str) and reply["message"]
    if expected:
        assert reply["error"] == expected, reply


# ----- in process: every handler, every kind of junk (no transport limits in the way) --------

@pytest.fixture
def all_types(tmp_path):
    return write_all_types_deck(tmp_path)


@pytest.fixture
def junk_room(app, rooms, all_types):
    room = rooms.create(load_deck(all_types), str(all_types))
    for poll_id in POLLS:
        room.control("open", {"poll": poll_id})
    app.config["ANSWER_BURST"] = 100_000  # junk by the hundred, faster than the rate limit allows
    return room


@pytest.fixture
def named_junk_room(app, rooms, all_types):
    """A junk room that keeps names (an anonymous one keeps none, hostile or not)."""
    room = rooms.create(load_deck(all_types), str(all_types), "named")
    for poll_id in POLLS:
        room.control("open", {"poll": poll_id})
    app.config["ANSWER_BURST"] = 100_000  # junk by the hundred, faster than the rate limit allows
    return room


def connected(app, auth):
    c = socketio.test_client(app, auth=auth)
    assert c.is_connected()
    return c


def phone_auth(room, **extra):
    return dict({"role": "participant", "code": room.row.join_code, "token": new_token()}, **extra)


def facilitator_auth(room):
    return {"role": "facilitator", "session": room.id, "key": room.row.facilitator_key}


def test_every_hostile_answer_gets_an_error_and_stores_nothing(app, junk_room):
    phone = connected(app, phone_auth(junk_room))
    for payload, expected in answer_payloads():
        check_error(phone.emit("answer", payload, callback=True), expected, ANSWER_CODES)
    assert junk_room.store.answers(junk_room.id) == []
    assert phone.emit("answer", {"poll": "scale", "value": 10}, callback=True)["ok"]


def test_every_hostile_nickname_gets_an_error(app, named_junk_room):
    phone = connected(app, phone_auth(named_junk_room, nickname="Ana"))
    for payload in nickname_payloads():
        check_error(phone.emit("nickname", payload, callback=True), "bad_payload", {"bad_payload"})
    assert [p.nickname for p in named_junk_room.store.participants(named_junk_room.id)] == ["Ana"]


def test_every_hostile_control_gets_an_error_and_changes_nothing(app, junk_room):
    console = connected(app, facilitator_auth(junk_room))
    before = console.emit("sync", {}, callback=True)
    for payload, expected in control_payloads():
        check_error(console.emit("control", payload, callback=True), expected, CONTROL_CODES)
    after = console.emit("sync", {}, callback=True)
    before["state"].pop("server_now"), after["state"].pop("server_now")  # the clock moves on
    assert after == before


def test_hostile_open_answers_requests_get_an_error(app, junk_room):
    console = connected(app, facilitator_auth(junk_room))
    for payload in NOT_A_DICT + [{}, {"poll": "pick"}] + [{"poll": junk} for junk in JUNK_IDS]:
        check_error(console.emit("open_answers", payload, callback=True), "unknown_poll", {"unknown_poll"})


def test_sync_ignores_whatever_payload_it_is_sent(app, junk_room):
    phone = connected(app, phone_auth(junk_room))
    console = connected(app, facilitator_auth(junk_room))
    for payload in NOT_A_DICT[:6]:
        assert phone.emit("sync", payload, callback=True)["ok"]
        assert console.emit("sync", payload, callback=True)["ok"]


@pytest.mark.parametrize("event", ["answer", "nickname", "sync", "control", "open_answers"])
def test_events_with_no_payload_or_extra_arguments_get_a_reply(app, junk_room, event):
    """A hand-written client can send an event with no argument, or several."""
    for auth in (phone_auth(junk_room), facilitator_auth(junk_room)):
        c = connected(app, auth)
        for args in ((), ({"poll": "scale", "value": 5}, "extra"), (None, None, None)):
            reply = c.emit(event, *args, callback=True)
            assert isinstance(reply, dict) and isinstance(reply.get("ok"), bool), (event, args, reply)


@pytest.mark.parametrize("auth", [
    {"role": "participant", "code": None, "token": "t" * 20},
    {"role": "participant", "code": ["ABCDEF"], "token": "t" * 20},
    {"role": "participant", "code": "x" * HUGE, "token": "t" * 20},
    {"role": "participant", "token": "t" * 20},
    {"role": "participant", "code": "CODE", "token": "t" * 15},
    {"role": "participant", "code": "CODE", "token": "t" * 65},
    {"role": "participant", "code": "CODE", "token": "t" * 19 + "\ud800"},
    {"role": "participant", "code": "CODE", "token": "t" * 19 + "é"},
    {"role": "participant", "code": "CODE", "token": "t" * 20 + "\n"},
    {"role": "participant", "code": "CODE", "token": 2 ** 70},
    {"role": "participant", "code": "CODE", "token": "t" * 20, "nickname": ["Ana"]},
    {"role": "participant", "code": "CODE", "token": "t" * 20, "nickname": 5},
    {"role": ["participant"], "code": "CODE", "token": "t" * 20},
    {"role": "facilitator", "session": ["SID"], "key": "KEY"},
    {"role": "facilitator", "session": "SID", "key": ["KEY"]},
    {"role": "facilitator", "session": "SID", "key": 2 ** 70},
    {"role": "facilitator", "session": "SID", "key": "\ud800"},
    [], "participant", 5, None, nested(100),
])
def test_hostile_auth_is_refused(app, junk_room, auth):
    if isinstance(auth, dict):
        auth = {k: (junk_room.row.join_code if v == "CODE" else junk_room.id if v == "SID"
                    else junk_room.row.facilitator_key if v == "KEY" else v) for k, v in auth.items()}
    assert not socketio.test_client(app, auth=auth).is_connected()
    assert junk_room.participants == 0


def test_hostile_nicknames_are_cleaned_and_stored(app, named_junk_room):
    room = named_junk_room
    phone = connected(app, phone_auth(room, nickname="\ud800 <b>Ana</b>\x00" + "x" * 100))
    stored = room.store.participants(room.id)[0].nickname
    assert stored.startswith("\ufffd <b>Ana</b>") and len(stored) <= 40 and "\x00" not in stored
    reply = phone.emit("nickname", {"nickname": "Ben\ud800\x07"}, callback=True)
    assert reply == {"ok": True, "nickname": "Ben\ufffd"}
    assert room.store.participants(room.id)[0].nickname == "Ben\ufffd"


# ----- over a real socket --------------------------------------------------------------------

@pytest.fixture
def junk_server(tmp_path):
    """A real server on the all-types deck with every poll open and the answer rate lifted."""
    s = RealServer(tmp_path / "junk", deck=write_all_types_deck(tmp_path),
                   env={"WORKSHOP_ANSWER_BURST": 100_000})
    s.start()
    with s.facilitator() as console:
        for poll_id in POLLS:
            assert console.call("control", {"action": "open", "poll": poll_id})["ok"]
    yield s
    s.kill()
    assert s.errors() == [], "the server logged a traceback through server/"


@pytest.fixture
def server(tmp_path):
    s = RealServer(tmp_path / "server", deck=write_all_types_deck(tmp_path))
    s.start()
    yield s
    s.kill()
    assert s.errors() == [], "the server logged a traceback through server/"


@pytest.fixture
def named_server(tmp_path):
    """A real server of a named session: hostile names are kept (an anonymous one keeps none)."""
    s = RealServer(tmp_path / "server", deck=write_all_types_deck(tmp_path), names="named")
    s.start()
    yield s
    s.kill()
    assert s.errors() == [], "the server logged a traceback through server/"


def open_all(server):
    with server.facilitator() as console:
        for poll_id in POLLS:
            assert console.call("control", {"action": "open", "poll": poll_id})["ok"]


def still_serving(server) -> None:
    """A normal phone joins and answers, and /healthz answers."""
    with server.phone(nickname="Calm") as calm:  # a name, for a named session's sake
        ack = calm.call("answer", {"poll": "scale", "value": 3, "uid": "calm-1"})
        assert ack == {"ok": True, "poll": "scale", "value": 3, "duplicate": False}
    assert requests.get(server.url("/healthz"), timeout=5).json() == {"ok": True}


@pytest.mark.slow
def test_hostile_payloads_over_a_real_socket_get_errors_and_the_server_stays_up(junk_server):
    phone, console = junk_server.phone(), junk_server.facilitator()
    for payload, expected in answer_payloads():
        if small(payload):
            check_error(phone.call("answer", payload), expected, ANSWER_CODES)
    for payload in filter(small, nickname_payloads()):
        check_error(phone.call("nickname", payload), "bad_payload", {"bad_payload"})
    for payload, expected in control_payloads():
        if small(payload):
            check_error(console.call("control", payload), expected, CONTROL_CODES)
            check_error(phone.call("control", payload), "forbidden", {"forbidden"})
    for event in ("answer", "nickname", "control", "open_answers", "sync"):
        for peer in (phone, console):
            assert isinstance(peer.call(event, timeout=3)["ok"], bool), event  # no argument at all
            assert isinstance(peer.call(event, ({"poll": "x"}, 2), timeout=3)["ok"], bool)  # two
    assert phone.connected and console.connected
    still_serving(junk_server)


@pytest.mark.slow
def test_binary_payloads_get_errors(junk_server):
    with junk_server.phone() as phone:
        for payload in (b"\x00\xff" * 100, {"poll": b"pick", "value": 0}, {"poll": "words", "value": b"text"},
                        {"poll": "scale", "value": 5, "uid": b"u1"}):
            check_error(phone.call("answer", payload), None, ANSWER_CODES)
    still_serving(junk_server)


@pytest.mark.slow
def test_frames_no_client_library_would_send_leave_the_server_up(junk_server):
    raw = RawSocket(junk_server)
    assert raw.connect(junk_server.phone_auth())[0] == "ok"
    answer = '["answer",{"poll":"words","value":%s}]'
    assert raw.call_raw(answer % '"fine"')[0]["ok"]
    assert raw.call_raw(answer % ("[" * 500 + "]" * 500))[0]["error"] == "bad_value"
    with pytest.raises(TimeoutError):  # 40 KB, under the size limit but over the JSON decoder's
        raw.call_raw(answer % ("[" * 20_000 + "]" * 20_000), timeout=0.5)  # depth: no ack id, no reply
    for text in ('["answer"', "nonsense", "[]", "[5]", "[null]", '{"a": 1}', '["answer",{"poll":"words",'
                 '"value":"\\ud800\\udfff"}]x', "[" * 30_000):
        with pytest.raises(TimeoutError):
            raw.call_raw(text, timeout=0.3)
    assert raw.call_raw('["answer",{"poll":"scale","value":1e999}]')[0]["error"] == "bad_value"  # inf
    assert raw.call_raw('["answer",{"poll":"scale","value":NaN}]')[0]["error"] == "bad_value"
    assert raw.call_raw('["answer",{"poll":"words","value":"%s"}]' % ("\\u0000" * 10))[0]["error"] == "empty"
    for packet in ("40/admin,{}", "41", "45-[]", "46", "49", "4x", "9", "4", "5", "6"):
        raw.send(packet)
    still_serving(junk_server)


@pytest.mark.slow
def test_a_binary_packet_cannot_announce_endless_attachments(server):
    """Socket.IO lets a packet announce up to 9,999,999,999 binary attachments and keeps every
    frame until they have all come: one phone could fill the laptop's memory 60 KB at a time."""
    open_all(server)
    process = psutil.Process(server.proc.pid)
    raw = RawSocket(server)
    assert raw.connect(server.phone_auth())[0] == "ok"
    before = process.memory_info().rss
    raw.send('45999999999-["answer",{"_placeholder":true,"num":0}]')
    for _ in range(400):  # 24 MB
        raw.ws.send_binary(b"\0" * 60_000)
    assert raw.call_raw('["sync",{}]', timeout=10)[0]["ok"]  # the same socket is served again
    assert process.memory_info().rss - before < 12_000_000
    raw.close()
    still_serving(server)


@pytest.mark.slow
def test_a_message_over_the_size_limit_drops_only_that_client(server):
    open_all(server)
    big, other = server.phone(), server.phone()
    acks = []
    big.sio.emit("answer", {"poll": "words", "value": "x" * HUGE}, callback=acks.append)
    assert big.closed.wait(5), "the oversized client is disconnected"
    assert other.connected
    assert other.call("answer", {"poll": "words", "value": "still here"})["ok"]
    other.sio.emit("nickname", {"nickname": "n" * 70_000}, callback=acks.append)
    assert other.closed.wait(5)
    assert acks == []  # neither message was handled
    still_serving(server)
    with server.facilitator() as console:
        assert console.call("sync", {})["tallies"]["words"]["latest"][0]["text"] == "still here"


@pytest.mark.slow
def test_a_flood_from_one_phone_is_rate_limited_while_another_stays_responsive(server):
    open_all(server)

    async def run():
        flooder = socketio_client.AsyncClient(reconnection=False, handle_sigint=False)
        calm = socketio_client.AsyncClient(reconnection=False, handle_sigint=False)
        for c in (flooder, calm):
            await c.connect(server.base, auth=server.phone_auth(), transports=["websocket"], wait_timeout=10)
        replies = []
        done = asyncio.Event()

        def on_ack(reply):
            replies.append(reply)
            if len(replies) == 1000:
                done.set()

        async def flood():
            started = time.monotonic()
            for i in range(1000):  # 1,000 answers in about a second
                await flooder.emit("answer", {"poll": "pick", "value": [i % 4], "uid": f"f{i}"}, callback=on_ack)
                if i % 10 == 9:
                    await asyncio.sleep(max(0.0, started + (i + 1) / 1000 - time.monotonic()))
            return time.monotonic() - started

        async def measure():
            latencies = []
            await asyncio.sleep(0.1)
            for i in range(10):
                t = time.monotonic()
                ack = await calm.call("answer", {"poll": "pick", "value": [i % 2], "uid": f"c{i}"}, timeout=5)
                latencies.append(time.monotonic() - t)
                assert ack["ok"] and ack["duplicate"] is False, ack
                await asyncio.sleep(0.08)
            return latencies

        flood_seconds, latencies = await asyncio.gather(flood(), measure())
        await asyncio.wait_for(done.wait(), 15)
        for c in (flooder, calm):
            await c.disconnect()
        return flood_seconds, latencies, replies

    flood_seconds, latencies, replies = asyncio.run(run())
    accepted = sum(r["ok"] for r in replies)
    limited = sum(r.get("error") == "rate_limited" for r in replies)
    assert accepted + limited == 1000
    assert accepted <= 10 + 5 * (flood_seconds + 2)  # the burst, then 5 a second
    assert max(latencies) < 0.2, f"a calm phone waited {max(latencies):.3f} s during the flood"
    assert flood_seconds < 5


# ----- join-code guessing --------------------------------------------------------------------

def get_from(server, path, source="127.0.0.1", method="GET", body=None) -> int:
    """GET (or send) a path from a given loopback source address; return the status code."""
    conn = http.client.HTTPConnection(HOST, server.port, timeout=5, source_address=(source, 0))
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
    try:
        conn.request(method, path, body, headers)
        return conn.getresponse().status
    finally:
        conn.close()


def socket_join(server, code) -> str:
    try:
        Peer.connect(server, server.phone_auth(code=code)).close()
        return "ok"
    except Refused as refused:
        return refused.code


WRONG = [f"ZZZZ{a}{b}" for a in "AB" for b in "ABCDEFGHJK"][:12]


@pytest.mark.slow
def test_guessing_join_codes_over_http_is_rate_limited(server):
    statuses = [get_from(server, f"/join?code={code}") for code in WRONG[:10]]
    assert statuses == [404] * 10
    assert get_from(server, f"/join?code={WRONG[10]}") == 429
    assert get_from(server, f"/join?code={server.code}") == 429  # the right code too, or guessing goes on
    assert socket_join(server, server.code) == "rate_limited"  # one budget for both ways in
    assert get_from(server, f"/join?code={server.code}", source="127.0.0.2") == 303  # per address


@pytest.mark.slow
def test_guessing_join_codes_over_the_socket_is_rate_limited(server):
    assert [socket_join(server, code) for code in WRONG[:10]] == ["unknown_session"] * 10
    assert socket_join(server, WRONG[10]) == "rate_limited"
    assert socket_join(server, server.code) == "rate_limited"
    assert get_from(server, f"/join?code={server.code}") == 429
    assert get_from(server, f"/j/{server.code}", source="127.0.0.2") == 200
    with server.facilitator() as console:  # the facilitator is never locked out
        assert console.wait_for("facilitator_state")


@pytest.mark.slow
def test_the_phone_page_is_no_way_around_the_guess_limit(server):
    """GET /j/CODE answers 404 for a wrong code: it must count as a guess like /join does."""
    assert get_from(server, f"/j/{server.code}") == 200
    statuses = [get_from(server, f"/j/{code}") for code in WRONG[:10]]
    statuses += [get_from(server, f"/j/{code}/takeaway.pdf", method="POST", body=f"token={new_token()}")
                 for code in WRONG[10:12]]
    assert statuses[:10] == [404] * 10 and statuses[10:] == [429, 429]
    assert socket_join(server, server.code) == "rate_limited"


# ----- hostile text, shown literally ---------------------------------------------------------

HOSTILE_TEXTS = {
    "script": "<script>alert(1)</script>",
    "img": "<img src=x onerror=alert(1)>",
    "formula": '=HYPERLINK("http://x","y")',
    "rtl": "abc\u202edef",
    "zwj": "a\u200db \U0001F468\u200d\U0001F469\u200d\U0001F467",
    "emoji": "👍🏽 🎉",
    "long": "long " + "é" * 1995,
    "surrogate": "lone \ud800 surrogate",
}


def stored_form(text: str) -> str:
    return text.replace("\ud800", "\ufffd")


@pytest.mark.slow
def test_hostile_text_is_stored_and_comes_back_literally(named_server):
    server = named_server
    open_all(server)
    console = server.facilitator()
    tokens = {}
    for name, text in HOSTILE_TEXTS.items():
        tokens[name] = new_token()
        with server.phone(tokens[name], nickname=text[:40]) as phone:
            ack = phone.call("answer", {"poll": "words", "value": text, "uid": name})
            assert ack["ok"] and ack["value"] == stored_form(text), name
    expected = [stored_form(t) for t in HOSTILE_TEXTS.values()]

    tally = console.wait_for("tally", lambda t: t["polls"].get("words", {}).get("answered") == len(expected))
    assert [a["text"] for a in tally["polls"]["words"]["latest"]] == expected[::-1]
    listed = console.call("open_answers", {"poll": "words"})["answers"]
    assert [a["text"] for a in listed] == expected[::-1]
    assert [a["pseudonym"] for a in listed] == [stored_form(t[:40]).strip() for t in HOSTILE_TEXTS.values()][::-1]

    with server.phone(tokens["surrogate"]) as again:
        assert again.wait_for("welcome")["answers"]["words"] == "lone \ufffd surrogate"
    assert console.call("control", {"action": "goto", "slide": 7})["ok"]  # the words poll, revealed
    with server.phone() as watcher:
        results = watcher.wait_for("welcome")["state"]["results"]
        assert [a["text"] for a in results["latest"]] == expected[::-1]

    http = requests.Session()
    http.trust_env = False
    exported = http.get(server.url(f"/s/{server.sid}/export.csv"), headers={"X-Workshop-Key": server.key})
    assert exported.status_code == 200
    cells = {row[4] for row in csv.reader(io.StringIO(exported.content.decode("utf-8-sig")))}
    assert "'" + HOSTILE_TEXTS["formula"] in cells and HOSTILE_TEXTS["formula"] not in cells
    assert HOSTILE_TEXTS["script"] in cells and stored_form(HOSTILE_TEXTS["surrogate"]) in cells
    data = http.get(server.url(f"/s/{server.sid}/export.json"), headers={"X-Workshop-Key": server.key}).json()
    assert sorted(a["value"] for a in data["answers"]) == sorted(expected)
    console.close()
    still_serving(server)
