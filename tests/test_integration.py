"""A real `workshop serve` process, real websockets: the room's whole flow end to end."""
from __future__ import annotations

import json
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests
import websocket

from tests.support import (DECK, HOST, Peer, RawSocket, RealServer, Refused, goto_poll, new_token,
                           workshop_command)
from workshop.deck_file import load_deck

pytestmark = pytest.mark.slow  # every test here runs a real `workshop serve`


@pytest.fixture(scope="module")
def deck():
    return load_deck(DECK)


@pytest.fixture
def server(tmp_path):
    s = RealServer(tmp_path / "server")
    s.start()
    yield s
    if s.running:
        s.kill()
    assert s.errors() == [], "the server logged a traceback through server/"


@pytest.fixture
def named_server(tmp_path):
    """A named session (`serve --names named`): nicknames are kept and shown to the facilitator."""
    s = RealServer(tmp_path / "server", names="named")
    s.start()
    yield s
    if s.running:
        s.kill()
    assert s.errors() == [], "the server logged a traceback through server/"


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One server for the tests that change nothing: keys, cookies, origins, public routes."""
    s = RealServer(tmp_path_factory.mktemp("shared"))
    s.public_url = f"http://workshop.test:{s.port}"
    s.start()
    yield s
    s.kill()
    assert s.errors() == [], "the server logged a traceback through server/"


def session(server) -> requests.Session:
    http = requests.Session()
    http.trust_env = False  # traffic stays on 127.0.0.1, whatever the proxy settings say
    return http


def one_off(key: str) -> str:
    """Return the key with its last character changed (to a different one, whatever it was)."""
    return key[:-1] + ("x" if key[-1] != "x" else "y")


def answered(poll_id, n):
    return lambda tally: tally["polls"].get(poll_id, {}).get("answered") == n


# ----- the room's flow -----------------------------------------------------------------------

def test_phone_answer_shows_on_projector_and_results_reach_phone_after_reveal(server, deck):
    projector = server.facilitator()
    phone = server.phone(nickname="Ana")
    welcome = phone.wait_for("welcome")
    assert welcome["session"] == {"id": server.sid, "title": deck.title, "code": server.code, "language": "en",
                                  "names": "anonymous", "teams": []}
    assert welcome["participant"]["nickname"] == "" and welcome["answers"] == {}  # anonymous: no name kept
    goto_poll(projector, deck, "quiz-fire-principle")
    state = phone.wait_for("state", lambda s: s["poll"] and s["poll"]["id"] == "quiz-fire-principle")
    assert state["poll_state"] == {"status": "open", "revealed": False}
    assert "correct" not in json.dumps(state["poll"])  # the phone never learns the answer early

    ack = phone.call("answer", {"poll": "quiz-fire-principle", "value": 2, "uid": "a-1"})
    assert ack == {"ok": True, "poll": "quiz-fire-principle", "value": [2], "duplicate": False}
    tally = projector.wait_for("tally", answered("quiz-fire-principle", 1))
    snap = tally["polls"]["quiz-fire-principle"]
    assert snap["counts"] == [0, 0, 1, 0] and snap["correct"] == [] and tally["participants"] == 1
    assert phone.received("results") == []  # a quiz stays hidden until the facilitator reveals it

    assert projector.call("control", {"action": "reveal"})["ok"]
    state = phone.wait_for("state", lambda s: s["poll_state"]["revealed"])
    results = state["results"]  # the state that reveals carries the results
    assert results["poll"] == "quiz-fire-principle"
    assert results["counts"] == [0, 0, 1, 0] and results["correct"] == [0]


def test_phone_changes_answer_and_the_count_follows(server, deck):
    console = server.facilitator()
    goto_poll(console, deck, "homework-followers")
    phone = server.phone()
    assert phone.call("answer", {"poll": "homework-followers", "value": 0, "uid": "u1"})["value"] == [0]
    console.wait_for("tally", lambda t: t["polls"].get("homework-followers", {}).get("counts") == [1, 0])
    ack = phone.call("answer", {"poll": "homework-followers", "value": 1, "uid": "u2"})
    assert ack == {"ok": True, "poll": "homework-followers", "value": [1], "duplicate": False}
    console.wait_for("tally", lambda t: t["polls"].get("homework-followers", {}).get("counts") == [0, 1])
    again = phone.call("answer", {"poll": "homework-followers", "value": 1, "uid": "u2"})
    assert again["duplicate"] is True
    sync = console.call("sync", {})
    assert sync["tallies"]["homework-followers"]["answered"] == 1


def test_closed_poll_refuses_answers(server, deck):
    console = server.facilitator()
    goto_poll(console, deck, "homework-followers")
    phone = server.phone()
    assert console.call("control", {"action": "close"})["state"]["polls"]["homework-followers"]["status"] == "closed"
    phone.wait_for("state", lambda s: s["poll_state"]["status"] == "closed")
    ack = phone.call("answer", {"poll": "homework-followers", "value": 0})
    assert ack["ok"] is False and ack["error"] == "poll_not_open"
    assert phone.call("answer", {"poll": "homework-leader", "value": "pending"})["error"] == "poll_not_open"
    assert console.call("sync", {})["tallies"]["homework-followers"]["answered"] == 0


def test_participant_control_events_are_refused(server, deck):
    console = server.facilitator()
    phone = server.phone()
    for event, payload in (("control", {"action": "next"}), ("control", {"action": "reset", "poll": "warmup-role"}),
                           ("open_answers", {"poll": "homework-leader"})):
        ack = phone.call(event, payload)
        assert ack["ok"] is False and ack["error"] == "forbidden", (event, ack)
    sync = phone.call("sync", {})  # a phone's sync is its own view, never the facilitator's
    assert sync["ok"] and "tallies" not in sync and "session" not in sync["state"]
    assert console.call("sync", {})["state"]["slide"] == 0


def test_wrong_or_missing_facilitator_key_is_refused_on_the_socket(shared):
    for auth, code in ((shared.facilitator_auth(key="nope"), "forbidden"),
                       (shared.facilitator_auth(key=one_off(shared.key)), "forbidden"),
                       (shared.facilitator_auth(key=""), "forbidden"),
                       ({"role": "facilitator", "session": shared.sid}, "forbidden"),
                       ({"role": "facilitator", "session": "0" * 12, "key": shared.key}, "unknown_session"),
                       ({"role": "admin", "session": shared.sid, "key": shared.key}, "bad_auth")):
        with pytest.raises(Refused) as refused:
            Peer.connect(shared, auth)
        assert refused.value.code == code, auth
    with shared.facilitator() as right:
        assert right.wait_for("facilitator_state")["session"]["id"] == shared.sid


def test_the_facilitator_cookie_opens_the_socket_for_its_session_only(shared):
    ok = Peer.connect(shared, {"role": "facilitator", "session": shared.sid},
                      headers={"Cookie": f"wk_{shared.sid}={shared.key}"})
    assert ok.wait_for("facilitator_state")["session"]["code"] == shared.code
    ok.close()
    with pytest.raises(Refused) as refused:
        Peer.connect(shared, {"role": "facilitator", "session": shared.sid},
                     headers={"Cookie": f"wk_000000000000={shared.key}"})
    assert refused.value.code == "forbidden"


def test_nickname_is_set_and_shown_to_the_facilitator(named_server, deck):
    server = named_server
    console = server.facilitator()
    goto_poll(console, deck, "homework-leader")
    phone = server.phone()
    assert phone.call("nickname", {"nickname": "  Ana  "}) == {"ok": True, "nickname": "Ana"}
    assert phone.call("nickname", {"nickname": "x" * 41})["error"] == "bad_payload"
    assert phone.call("answer", {"poll": "homework-leader", "value": "Listen"})["ok"]
    listed = console.call("open_answers", {"poll": "homework-leader"})
    assert [(a["pseudonym"], a["text"]) for a in listed["answers"]] == [("Ana", "Listen")]


def test_no_client_sees_a_participant_token_or_the_facilitator_key(server, deck):
    console = server.facilitator()
    goto_poll(console, deck, "homework-leader")
    tokens = [new_token() for _ in range(3)]
    phones = [server.phone(token, nickname=f"P{n}") for n, token in enumerate(tokens)]
    for phone in phones:
        assert phone.call("answer", {"poll": "homework-leader", "value": "Listen first"})["ok"]
    console.wait_for("tally", answered("homework-leader", 3))
    seen = [console.events, console.call("sync", {}), console.call("open_answers", {"poll": "homework-leader"})]
    for phone in phones:
        phone.wait_for("results", lambda r: r["answered"] == 3)
        seen += [phone.events, phone.call("sync", {})]
    text = json.dumps(seen, ensure_ascii=False)
    assert not [t for t in tokens if t in text]
    assert server.key not in json.dumps([phone.events for phone in phones])


# ----- HTTP: facilitator key, cookie, downloads ----------------------------------------------

@pytest.mark.parametrize("page", ["projector", "console"])
def test_facilitator_page_trades_the_key_for_a_strict_httponly_cookie(shared, page):
    http = session(shared)
    r = http.get(shared.url(f"/s/{shared.sid}/{page}"), params={"key": shared.key}, allow_redirects=False)
    assert r.status_code == 303
    assert r.headers["Location"].endswith(f"/s/{shared.sid}/{page}")
    assert "key" not in r.headers["Location"] and shared.key not in r.headers["Location"]
    cookie = r.headers["Set-Cookie"]
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert cookie.startswith(f"wk_{shared.sid}={shared.key};")
    assert {"httponly", "samesite", "path"} <= attributes and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert shared.key not in shared.stderr  # requests with ?key= are not logged


def test_wrong_key_is_not_traded_for_a_cookie(shared):
    r = session(shared).get(shared.url(f"/s/{shared.sid}/console"), params={"key": "wrong"},
                            allow_redirects=False)
    assert "Set-Cookie" not in r.headers and r.status_code != 303


@pytest.mark.parametrize("path", ["projector", "console", "summary.pdf", "handouts.pdf", "export.csv",
                                  "export.json"])
def test_facilitator_routes_answer_401_without_key_and_403_with_a_wrong_one(shared, path):
    http = session(shared)
    url = shared.url(f"/s/{shared.sid}/{path}")
    assert http.get(url, allow_redirects=False).status_code == 401
    assert http.get(url, params={"key": "wrong"}, allow_redirects=False).status_code == 403
    assert http.get(url, headers={"X-Workshop-Key": "wrong"}, allow_redirects=False).status_code == 403
    assert http.get(url, headers={"Cookie": f"wk_{shared.sid}=wrong"}, allow_redirects=False).status_code == 403
    other = http.get(url, headers={"Cookie": f"wk_000000000000={shared.key}"}, allow_redirects=False)
    assert other.status_code == 401  # a cookie for another session is no key for this one


@pytest.mark.parametrize("page", ["projector", "console"])
def test_facilitator_pages_open_with_the_cookie_and_leak_nothing(shared, page):
    http = session(shared)
    r = http.get(shared.url(f"/s/{shared.sid}/{page}"), params={"key": shared.key})  # follows the 303
    assert r.status_code == 200 and r.url.endswith(f"/s/{shared.sid}/{page}")
    assert r.headers["Cache-Control"] == "no-store" and r.headers["Referrer-Policy"] == "no-referrer"
    assert shared.key not in r.text  # the page never echoes the key


def test_public_routes(shared):
    http = session(shared)
    assert http.get(shared.url("/healthz")).json() == {"ok": True}
    assert http.get(shared.url(f"/s/{shared.sid}/qr.svg")).status_code == 401  # the session's, not public
    qr = http.get(shared.url(f"/s/{shared.sid}/qr.svg"), headers={"X-Workshop-Key": shared.key})
    assert qr.status_code == 200 and qr.headers["Content-Type"].startswith("image/svg+xml")
    assert shared.key not in qr.text
    js = http.get(shared.url("/static/vendor/socket.io/socket.io.min.js"))
    assert js.status_code == 200 and len(js.content) > 10_000  # served locally, no CDN


# ----- the Origin check ----------------------------------------------------------------------

def polling_handshake(server, origin):
    headers = {"Origin": origin} if origin else {}
    return session(server).get(server.url("/socket.io/"), params={"EIO": "4", "transport": "polling"},
                               headers=headers)


@pytest.mark.parametrize("origin", ["http://evil.example", "null", "http://127.0.0.1:1",
                                    "https://workshop.test", "http://workshop.test.evil.example"])
def test_socketio_from_a_foreign_origin_is_refused(shared, origin):
    r = polling_handshake(shared, origin)
    assert r.status_code in (400, 403), (origin, r.status_code, r.text[:80])
    assert "Access-Control-Allow-Origin" not in r.headers
    with pytest.raises((websocket.WebSocketBadStatusException, ConnectionRefusedError)):
        RawSocket(shared, origin=origin)


def test_socketio_client_with_a_foreign_origin_header_cannot_join(shared):
    with pytest.raises(Refused):
        Peer.connect(shared, shared.phone_auth(), headers={"Origin": "http://evil.example"})


def test_socketio_from_the_servers_own_or_public_origin_is_accepted(shared):
    for origin in (shared.base, shared.public_url, None):
        r = polling_handshake(shared, origin)
        assert r.status_code == 200 and r.text.startswith("0{"), origin
    raw = RawSocket(shared, origin=shared.public_url)
    assert raw.connect(shared.phone_auth())[0] == "ok"
    raw.close()


# ----- serve, stop, resume -------------------------------------------------------------------

def test_ctrl_c_stops_cleanly_with_phones_connected(server):
    phone = server.phone()
    console = server.facilitator()
    phone.wait_for("welcome")
    started = time.monotonic()
    assert server.stop(signal.SIGINT, timeout=10) == 0
    assert time.monotonic() - started < 8
    assert f"Stopped. Resume with: workshop serve --resume {server.sid}" in server.stderr
    assert "Traceback" not in server.stderr
    assert phone.closed.wait(5) and console.closed.wait(5)


def test_resume_keeps_slide_poll_states_answers_and_participants(server, deck):
    console = server.facilitator()
    ana_token, ben_token = new_token(), new_token()
    ana, ben = server.phone(ana_token, "Ana"), server.phone(ben_token)
    ana_id = ana.wait_for("welcome")["participant"]
    goto_poll(console, deck, "homework-followers")
    assert ana.call("answer", {"poll": "homework-followers", "value": 0, "uid": "a1"})["ok"]
    assert ben.call("answer", {"poll": "homework-followers", "value": 1, "uid": "b1"})["ok"]
    goto_poll(console, deck, "tension-dream-reality")
    assert ana.call("answer", {"poll": "tension-dream-reality", "value": 7, "uid": "a2"})["ok"]
    assert console.call("control", {"action": "close"})["ok"]
    assert console.call("control", {"action": "open", "poll": "homework-leader"})["ok"]
    assert ana.call("answer", {"poll": "homework-leader", "value": "Listen first", "uid": "a3"})["ok"]
    assert ben.call("answer", {"poll": "homework-leader", "value": "Something rude", "uid": "b3"})["ok"]
    ben_id = ben.wait_for("welcome")["participant"]["id"]
    assert console.call("control", {"action": "hide_answer", "poll": "homework-leader",
                                    "participant": ben_id})["ok"]
    goto_poll(console, deck, "quiz-fire-principle")
    assert console.call("control", {"action": "reveal"})["ok"]
    assert console.call("control", {"action": "qr", "show": True})["ok"]
    before = console.call("sync", {})
    ana_before = ana.call("sync", {})
    for peer in (ana, ben, console):
        peer.close()
    assert server.stop(signal.SIGINT) == 0
    first_key, first_code = server.key, server.code
    server.restart()
    assert (server.key, server.code) == (first_key, first_code)

    console = server.facilitator()
    after = console.call("sync", {})
    assert after["tallies"] == before["tallies"]
    before["state"]["connected"] = after["state"]["connected"] = 0
    before["state"]["server_now"] = after["state"]["server_now"] = 0  # the clock moved on
    assert after["state"] == before["state"]
    assert after["state"]["slide"] == deck.poll_slide_index("quiz-fire-principle") and after["state"]["qr"]
    assert after["state"]["polls"]["tension-dream-reality"]["status"] == "closed"
    assert after["tallies"]["homework-leader"]["hidden"] == 1

    ana = server.phone(ana_token)
    welcome = ana.wait_for("welcome")
    assert welcome["participant"] == ana_id  # same id, pseudonym and nickname
    assert welcome["answers"] == ana_before["answers"] == {
        "homework-followers": [0], "tension-dream-reality": 7, "homework-leader": "Listen first"}
    welcome["state"]["server_now"] = ana_before["state"]["server_now"] = 0  # the clock moved on
    assert welcome["state"] == ana_before["state"]
    assert ana.call("answer", {"poll": "tension-dream-reality", "value": 1})["error"] == "poll_not_open"
    assert ana.call("answer", {"poll": "quiz-fire-principle", "value": 0})["error"] == "poll_not_open"  # revealed
    assert console.call("control", {"action": "open"})["ok"]
    assert ana.call("answer", {"poll": "quiz-fire-principle", "value": 0})["ok"]
    newcomer = server.phone().wait_for("welcome")["participant"]
    assert newcomer["id"] not in (ana_id["id"], ben_id)
    assert console.wait_for("tally", lambda t: t["participants"] == 3)


def test_a_stale_retry_after_a_restart_changes_nothing(server, deck):
    console = server.facilitator()
    goto_poll(console, deck, "tension-dream-reality")
    token = new_token()
    phone = server.phone(token)
    for value, uid in ((2, "u1"), (4, "u2")):
        assert phone.call("answer", {"poll": "tension-dream-reality", "value": value, "uid": uid})["ok"]
    phone.close()
    console.close()
    server.kill()  # kill -9: nothing but the database survives
    server.restart()
    again = server.phone(token)
    assert again.wait_for("welcome")["answers"]["tension-dream-reality"] == 4
    retry = again.call("answer", {"poll": "tension-dream-reality", "value": 2, "uid": "u1"})
    assert retry == {"ok": True, "poll": "tension-dream-reality", "value": 4, "duplicate": True}
    assert again.call("sync", {})["answers"]["tension-dream-reality"] == 4


def test_resume_of_an_unknown_session_is_one_clear_line(server):
    server.kill()
    server.sid = "0" * 12
    server.spawn(resume=server.sid)
    assert server.proc.wait(20) == 1
    lines = [line for line in server.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "no session 000000000000" in lines[0] and "Traceback" not in server.stderr


def test_serve_on_a_busy_port_is_one_clear_line_and_exit_1(server, tmp_path):
    second = RealServer(tmp_path / "second", port=server.port)
    second.spawn()
    assert second.proc.wait(20) == 1
    lines = [line for line in second.stderr.splitlines() if line.strip()]
    other = 5050 if server.port != 5050 else 5051
    assert lines == [f"Error: port {server.port} is busy: choose another with --port {other} "
                     f"(make serve ARGS=\"--port {other}\"), or --port 0 for any free one"]
    assert "Workshop:" not in second.stdout and not second.db.exists()
    assert requests.get(server.url("/healthz"), timeout=5).ok  # the first server is untouched


def test_serve_on_port_0_picks_a_free_port_and_says_which(tmp_path):
    proc = subprocess.Popen(workshop_command() + ["serve", str(DECK), "--host", HOST, "--port", "0", "--no-qr",
                                                  "--db", str(tmp_path / "w.db")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        said = proc.stderr.readline()
        port = int(re.fullmatch(r"Listening on port (\d+) \(a free one, as --port 0 asks\)\n", said).group(1))
        assert port > 0 and f":{port}/j/" in proc.stdout.readline() + proc.stdout.readline()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                assert requests.get(f"http://{HOST}:{port}/healthz", timeout=2).json() == {"ok": True}
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        else:
            raise AssertionError("the server did not answer on the port it named")
    finally:
        proc.terminate()
        proc.wait(20)


def test_sessions_command_lists_the_session(server, deck):
    console = server.facilitator()
    goto_poll(console, deck, "homework-followers")
    for value in (0, 1):
        assert server.phone().call("answer", {"poll": "homework-followers", "value": value})["ok"]
    table = server.cli("sessions", "--db", str(server.db))
    assert table.returncode == 0, table.stderr
    row = next(line for line in table.stdout.splitlines() if line.startswith(server.sid))
    assert server.code in row and deck.title in row and row.split()[4:6] == ["2", "2"]
    lines = server.cli("sessions", "--db", str(server.db), "--json").stdout.splitlines()
    (facts,) = [json.loads(line) for line in lines]
    assert facts["id"] == server.sid and facts["code"] == server.code
    assert (facts["participants"], facts["answers"], facts["title"]) == (2, 2, deck.title)
    assert server.key not in table.stdout + "".join(lines)  # listing sessions never shows a key
    missing = server.cli("sessions", "--db", str(server.workdir / "none.db"))
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1



# ----- reports from the live server ------------------------------------------------------------

def test_summary_and_handouts_download_with_the_rooms_answers(server, deck):
    """The big reports are built by `handouts/worker.py` in a process of its own."""
    from tests.test_handouts import pdf_text
    console = server.facilitator()
    goto_poll(console, deck, "homework-followers")
    phones = [server.phone(nickname=f"P{n}") for n in range(3)]
    for n, phone in enumerate(phones):
        assert phone.call("answer", {"poll": "homework-followers", "value": min(n, 1)})["ok"]
    http = session(server)
    summary = http.get(server.url(f"/s/{server.sid}/summary.pdf"), headers={"X-Workshop-Key": server.key})
    assert summary.status_code == 200 and summary.headers["Content-Type"] == "application/pdf"
    text = pdf_text(summary.content)
    assert "SESSION SUMMARY" in text.upper() and deck.polls["homework-followers"].question[:30] in text
    assert "3" in text  # three participants
    handouts = http.get(server.url(f"/s/{server.sid}/handouts.pdf"), params={"key": server.key})
    assert handouts.status_code == 200 and handouts.content.startswith(b"%PDF")
    assert server.code in pdf_text(handouts.content)  # the join code printed for latecomers


def test_takeaways_come_from_the_report_worker_and_follow_every_change(named_server, deck):
    from tests.test_handouts import flat, pdf_text
    server = named_server  # the takeaway says whom it is for: a name, in a named session
    console = server.facilitator()
    goto_poll(console, deck, "homework-leader")
    tokens = [new_token() for _ in range(2)]
    phones = [server.phone(token, nickname=f"Taker{n}") for n, token in enumerate(tokens)]
    assert phones[0].call("answer", {"poll": "homework-leader", "value": "Listen before deciding"})["ok"]
    http = session(server)
    url = server.url(f"/j/{server.code}/takeaway.pdf")
    assert http.post(url, data={"token": tokens[0]}).status_code == 403  # not allowed yet
    assert console.call("control", {"action": "takeaways", "allow": True})["ok"]
    first = http.post(url, data={"token": tokens[0]})
    assert first.status_code == 200 and first.headers["Content-Type"] == "application/pdf"
    assert "Listenbeforedeciding" in flat(pdf_text(first.content)) and "Taker0" in pdf_text(first.content)
    # the worker keeps the results it read, but a change makes it read them again
    assert phones[1].call("answer", {"poll": "homework-leader", "value": "Ask what they need"})["ok"]
    second = http.post(url, data={"token": tokens[1]})
    assert second.status_code == 200 and "Askwhattheyneed" in flat(pdf_text(second.content))
    assert phones[1].call("nickname", {"nickname": "Renamed"})["ok"]
    assert "Renamed" in pdf_text(http.post(url, data={"token": tokens[1]}).content)
    # one phone asking again and again waits; the others do not
    again = [http.post(url, data={"token": tokens[0]}) for _ in range(3)]
    assert [r.status_code for r in again] == [200, 200, 429] and "Wait a few seconds" in again[-1].text
    token = new_token()
    assert server.phone(token).wait_for("welcome")
    assert http.post(url, data={"token": token}).status_code == 200
    # the token never travels in a URL, where it would stay in the browser's history
    assert http.get(url, params={"token": token}).status_code == 405


def test_the_report_worker_is_replaced_when_it_dies(server):
    import psutil
    http = session(server)
    get = lambda: http.get(server.url(f"/s/{server.sid}/summary.pdf"), headers={"X-Workshop-Key": server.key})  # noqa: E731
    assert get().status_code == 200
    workers = [p for p in psutil.Process(server.proc.pid).children()
               if "handouts.worker" in " ".join(p.cmdline())]
    assert len(workers) == 1 and workers[0].nice() >= 10  # niced: the room's phones go first
    workers[0].kill()
    workers[0].wait(10)
    assert get().status_code == 200  # a new worker took over
    [worker] = [p for p in psutil.Process(server.proc.pid).children()
                if "handouts.worker" in " ".join(p.cmdline())]
    assert worker.pid != workers[0].pid
    server.stop()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and worker.is_running() and worker.status() != psutil.STATUS_ZOMBIE:
        time.sleep(0.05)
    assert not worker.is_running() or worker.status() == psutil.STATUS_ZOMBIE  # it left with the server


def test_a_report_that_fails_is_one_log_line_and_an_error_page_and_the_room_carries_on(tmp_path):
    import shutil
    copy = tmp_path / "deck.yaml"
    shutil.copy(DECK, copy)
    shutil.copytree(Path(DECK).parent / "pictures", tmp_path / "pictures")  # what the deck shows
    s = RealServer(tmp_path / "server", deck=copy).start()
    try:
        copy.unlink()  # the worker cannot load the deck any more; the server has it in memory
        http = session(s)
        r = http.get(s.url(f"/s/{s.sid}/summary.pdf"), headers={"X-Workshop-Key": s.key})
        assert r.status_code == 500 and "could not be built" in r.text
        assert s.phone().wait_for("welcome")["session"]["id"] == s.sid
        assert http.get(s.url("/healthz")).json() == {"ok": True}
        shutil.copy(DECK, copy)  # the deck is back: the next report is built as usual
        again = http.get(s.url(f"/s/{s.sid}/summary.pdf"), headers={"X-Workshop-Key": s.key})
        assert again.status_code == 200 and again.content.startswith(b"%PDF")
    finally:
        s.kill()
    assert s.errors() == []  # no traceback: one line says why
    log = "".join(p.read_text() for p in (tmp_path / "server").glob("serve-*.err"))
    assert "report failed: DeckError" in log or "report failed: FileNotFoundError" in log, log
