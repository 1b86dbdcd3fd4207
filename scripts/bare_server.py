"""A bare Flask-SocketIO + SQLite server: the yardstick the load test holds workshop-kit to.

It runs on the same stack as `workshop serve` (gevent pywsgi with gevent-websocket, one
SQLite file in WAL mode with synchronous=NORMAL, one commit per answer before the ack) and
speaks just enough of docs/protocol.md for scripts/loadtest.py: participant and facilitator
auth on connect, `welcome`, `control` (any action succeeds and sends `state` to the phones),
`answer` with an ack after the commit, and `tally` pushes coalesced every 0.1 s carrying
only `answered` per poll. It has no deck, no validation beyond types, no rooms to rebuild:
whatever it costs is the floor of the framework, the WebSocket stack and SQLite.

    python scripts/bare_server.py --port 5001 --db /tmp/bare.db

It prints the same lines as `workshop serve` (join code, session id, projector URL with key).
"""
from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import json  # noqa: E402
import secrets  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import sqlite3  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

from flask import Flask, request  # noqa: E402
from flask_socketio import ConnectionRefusedError, SocketIO, join_room  # noqa: E402

SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    session_id TEXT NOT NULL,
    poll_id TEXT NOT NULL,
    participant_id INTEGER NOT NULL,
    value TEXT NOT NULL,
    uid TEXT NOT NULL DEFAULT '',
    at REAL NOT NULL,
    UNIQUE (session_id, poll_id, participant_id)
);
"""


def create(db_path: str, session_id: str, code: str, key: str):
    """Return the bare app, its Socket.IO server and the ticker that pushes tallies."""
    app = Flask(__name__)
    sio = SocketIO(app, async_mode="gevent", manage_session=False, ping_interval=10, ping_timeout=20)
    db = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.executescript(SCHEMA)
    participants: dict[str, int] = {}   # token -> id
    who: dict[str, int] = {}            # sid -> participant id (0 for the facilitator)
    answered: dict[str, set] = {}       # poll -> participant ids
    dirty: set = set()

    @sio.on("connect")
    def connect(auth):
        if not isinstance(auth, dict):
            raise ConnectionRefusedError("bad auth", {"error": "bad_auth", "message": "bad auth"})
        if auth.get("role") == "facilitator":
            if auth.get("session") != session_id or auth.get("key") != key:
                raise ConnectionRefusedError("forbidden", {"error": "forbidden", "message": "wrong key"})
            who[request.sid] = 0
            join_room("facilitators")
            sio.emit("tally", {"polls": {p: {"poll": p, "answered": len(s)} for p, s in answered.items()}},
                     to=request.sid)
            return
        token = auth.get("token")
        if auth.get("code") != code or not isinstance(token, str):
            raise ConnectionRefusedError("unknown", {"error": "unknown_session", "message": "no such code"})
        pid = participants.setdefault(token, len(participants) + 1)
        who[request.sid] = pid
        join_room("phones")
        sio.emit("welcome", {"participant": {"id": pid}, "session": {"id": session_id, "code": code}},
                 to=request.sid)

    @sio.on("disconnect")
    def disconnect(*_):
        who.pop(request.sid, None)

    @sio.on("control")
    def control(data):
        if who.get(request.sid) != 0:
            return {"ok": False, "error": "forbidden"}
        sio.emit("state", {"slide": {"index": (data or {}).get("slide")}}, to="phones")
        return {"ok": True, "state": {}}

    @sio.on("answer")
    def answer(data):
        pid = who.get(request.sid)
        if not pid or not isinstance(data, dict) or not isinstance(data.get("poll"), str):
            return {"ok": False, "error": "bad_payload"}
        poll, value, uid = data["poll"], data.get("value"), str(data.get("uid", ""))
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO answers (session_id, poll_id, participant_id, value, uid, at) "
                   "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (session_id, poll_id, participant_id) "
                   "DO UPDATE SET value = excluded.value, uid = excluded.uid",
                   (session_id, poll, pid, json.dumps(value), uid, time.time()))
        db.execute("COMMIT")
        answered.setdefault(poll, set()).add(pid)
        dirty.add(poll)
        return {"ok": True, "poll": poll, "value": value, "duplicate": False}

    def ticker():
        while True:
            sio.sleep(0.1)
            if dirty:
                polls = {p: {"poll": p, "answered": len(answered[p])} for p in dirty}
                dirty.clear()
                sio.emit("tally", {"polls": polls}, to="facilitators")

    return app, sio, ticker


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5001)
    parser.add_argument("--db", required=True)
    args = parser.parse_args(argv)

    from gevent import signal_handler
    from gevent.pywsgi import WSGIServer
    from geventwebsocket.handler import WebSocketHandler

    session_id, code, key = secrets.token_hex(6), "BARE01", secrets.token_urlsafe(24)
    app, sio, ticker = create(args.db, session_id, code, key)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    sock.listen(4096)  # the same backlog as `workshop serve`
    sock.setblocking(False)
    base = f"http://{args.host}:{args.port}"
    print(f"Bare server  (session {session_id}, join code {code})")
    print(f"Join URL: {base}/j/{code}")
    print(f"Projector URL: {base}/s/{session_id}/projector?key={key}")
    sys.stdout.flush()
    sio.start_background_task(ticker)
    server = WSGIServer(sock, app, handler_class=WebSocketHandler, log=None)
    stop = lambda *_: server.stop(timeout=1)  # noqa: E731
    signal_handler(signal.SIGTERM, stop)
    signal_handler(signal.SIGINT, stop)
    server.serve_forever()


if __name__ == "__main__":
    main()
