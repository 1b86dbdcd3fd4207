"""The room check: the `check` event, the laptop's addresses, the console's panel, the guide."""
from __future__ import annotations

import socket

from server import network, socketio


def checker(app, **environ):
    return socketio.test_client(app, auth={"role": "check"}, **({"environ_base": environ} if environ else {}))


def test_a_check_connection_needs_no_session_and_is_acked(app):
    c = checker(app)
    assert c.is_connected()
    assert c.get_received() == []  # no welcome, no state: it joined no session
    reply = c.emit("check", {}, callback=True)
    assert reply["ok"] is True and "address" in reply


def test_a_check_connection_may_do_nothing_but_check(app, room):
    c = checker(app)
    for event, payload in (("sync", None), ("answer", {"poll": "x", "value": 1}),
                           ("control", {"action": "next"}), ("nickname", {"nickname": "x"}),
                           ("open_answers", {"poll": "x"})):
        assert c.emit(event, payload, callback=True)["error"] == "forbidden", event


def test_a_report_reaches_the_console_list_newest_first(app, room, live, client):
    c = checker(app)
    assert c.emit("check", {"rtt_ms": 12.4, "transport": "websocket", "via": "192.168.1.10:5000"},
                  callback=True)["ok"]
    assert c.emit("check", {"rtt_ms": 80, "transport": "polling"}, callback=True)["ok"]
    listed = client.get(f"/s/{room.id}/room-check.json?key={room.row.facilitator_key}").get_json()
    assert [(x["rtt_ms"], x["transport"]) for x in listed["checks"]] == [(80, "polling"), (12, "websocket")]
    assert listed["checks"][1]["via"] == "192.168.1.10:5000"
    assert client.get(f"/s/{room.id}/room-check.json").status_code == 401  # facilitator only


def test_a_bad_report_is_refused_and_listed_nowhere(app, live):
    c = checker(app)
    for bad in ({"rtt_ms": -1, "transport": "websocket"}, {"rtt_ms": "5", "transport": "websocket"},
                {"rtt_ms": True, "transport": "websocket"}, {"rtt_ms": 5, "transport": "carrier pigeon"},
                {"rtt_ms": 5, "transport": "polling", "via": "<script>"}, {"rtt_ms": 1e9, "transport": "polling"}):
        assert c.emit("check", bad, callback=True)["error"] == "bad_payload", bad
    assert live.checks.as_list() == []


def test_checks_are_rate_limited_per_address(app):
    c = checker(app)
    replies = [c.emit("check", {}, callback=True) for _ in range(40)]
    assert replies[0]["ok"] and replies[-1]["error"] == "rate_limited"


def test_the_laptop_lists_its_ipv4_addresses_but_loopback(monkeypatch):
    class Addr:
        def __init__(self, family, address):
            self.family, self.address = family, address
    monkeypatch.setattr(network.psutil, "net_if_addrs", lambda: {
        "lo": [Addr(socket.AF_INET, "127.0.0.1")],
        "wlan0": [Addr(socket.AF_INET, "192.168.1.10"), Addr(socket.AF_INET6, "fe80::1")],
        "eth0": [Addr(socket.AF_INET, "10.0.0.5")]})
    assert network.ipv4_addresses() == [("eth0", "10.0.0.5"), ("wlan0", "192.168.1.10")]


def test_the_console_shows_the_check_qr_the_advertised_address_and_the_others(client, room, monkeypatch):
    monkeypatch.setattr(network, "ipv4_addresses", lambda: [("wlan0", "192.168.1.10"), ("eth0", "10.0.0.5")])
    page = client.get(f"/s/{room.id}/console?key={room.row.facilitator_key}", follow_redirects=True)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'data-testid="room-check"' in html
    assert "http://workshop.test:5000/check" in html  # the advertised address (PUBLIC_URL)
    assert "http://192.168.1.10:5000/check" in html and "http://10.0.0.5:5000/check" in html
    assert 'aria-label="QR code of the room check page"' in html
    assert "/help/room-setup" in html and "js/roomcheck.js" in html


def test_the_check_page_needs_no_key_and_uses_the_phone_s_socket_client(client):
    page = client.get("/check")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "js/check.js" in html and "socket.io.min.js" in html
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]


def test_the_room_setup_guide_renders_without_running_raw_html(client, monkeypatch, tmp_path):
    page = client.get("/help/room-setup")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<h1>" in html and "<h2>" in html
    assert client.get("/help/anything-else").status_code == 404
    from server import roomcheck
    (tmp_path / "room-setup.md").write_text("# Hi\n\n<script>alert(1)</script>\n", encoding="utf-8")
    monkeypatch.setattr(roomcheck, "DOCS", tmp_path)
    roomcheck.guide_html.cache_clear()
    try:
        body = roomcheck.guide_html("room-setup")
    finally:
        roomcheck.guide_html.cache_clear()
    assert "<script>" not in body and "&lt;script&gt;" in body
