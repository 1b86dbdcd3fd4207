"""HTTP routes through Flask's test client: pages, keys, headers, joining."""
from __future__ import annotations

from tests.conftest import ROOT

from server import socketio


def test_pages_send_a_strict_content_security_policy(client, room):
    response = client.get(f"/j/{room.row.join_code}")
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def restarted(app):
    """Return a new app on the same database, as after the laptop restarted the server."""
    from server import create_app
    return create_app({k: app.config[k] for k in ("TESTING", "DB", "ASYNC_MODE", "SECRET_KEY",
                                                   "PUBLIC_URL")})


def test_phones_cannot_join_a_session_this_server_does_not_serve(app, room, deck):
    old_code = room.row.join_code
    again = restarted(app)  # which started a new session on the same database
    newer = again.extensions["workshop"].rooms.create(deck, room.row.deck_path)
    refused = socketio.test_client(again, auth={"role": "participant", "code": old_code,
                                                "token": "old-session-token-1234"})
    assert not refused.is_connected()
    joined = socketio.test_client(again, auth={"role": "participant", "code": newer.row.join_code,
                                               "token": "new-session-token-1234"})
    assert joined.is_connected()
    joined.disconnect()
    again.extensions["workshop"].store.close()


def test_resumed_session_is_joinable_again(app, room):
    again = restarted(app)
    resumed = again.extensions["workshop"].rooms.resume(room.id)
    assert resumed.row == room.row
    c = socketio.test_client(again, auth={"role": "participant", "code": room.row.join_code,
                                          "token": "resumed-token-12345678"})
    assert c.is_connected()
    c.disconnect()
    again.extensions["workshop"].store.close()


def test_console_key_is_traded_for_an_httponly_cookie(client, room):
    response = client.get(f"/s/{room.id}/console?key={room.row.facilitator_key}")
    assert response.status_code == 303 and "key=" not in response.headers["Location"]
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    page = client.get(f"/s/{room.id}/console")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"


def test_projector_speaks_the_decks_language_whatever_the_laptops_browser(app, rooms, client):
    from workshop.deck_file import load_deck
    zh = ROOT / "decks" / "leaders-role.zh.yaml"
    room = rooms.create(load_deck(zh), str(zh))
    key = room.row.facilitator_key
    projector = client.get(f"/s/{room.id}/projector?key={key}", follow_redirects=True,
                           headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="zh' in projector.get_data(as_text=True)
    console = client.get(f"/s/{room.id}/console", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="en' in console.get_data(as_text=True)


def test_socket_events_run_in_a_request_context_that_routes_without_an_exception(app):
    """Flask-SocketIO gives every event a request context built from the connection's request.
    If that request matched no route, each event raised and kept a NotFound (with its
    traceback): a cycle of ~50 objects per answer for the garbage collector."""
    from flask import request
    connections = {"websocket": {"Upgrade": "websocket", "Connection": "Upgrade"}, "polling": {}}
    for kind, headers in connections.items():
        with app.test_request_context("/socket.io/", query_string={"EIO": "4", "transport": kind},
                                      headers=headers):
            assert request.routing_exception is None, kind
    http = app.test_client().get("/socket.io/")  # the middleware answers the path, never the view
    assert http.status_code == 400
