"""Talk to a real `workshop serve` over real sockets: a Socket.IO client that records what
it receives, and Engine.IO/Socket.IO spoken by hand for what no client library would send."""
from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

import socketio

if TYPE_CHECKING:
    from tests.support.server import RealServer


class Refused(Exception):
    """The server refused a Socket.IO connection; `data` is its connect_error payload."""

    def __init__(self, data):
        super().__init__(data)
        self.data = data

    @property
    def code(self) -> str | None:
        """Return the protocol's error code (bad_auth, unknown_session, forbidden, rate_limited)."""
        inner = self.data.get("data") if isinstance(self.data, dict) else None
        return inner.get("error") if isinstance(inner, dict) else None


class Peer:
    """A synchronous Socket.IO client over a real websocket that records what it receives."""

    def __init__(self):
        self.sio = socketio.Client(reconnection=False, handle_sigint=False)
        self.events: list[tuple[str, object]] = []
        self.refusal = None
        self.closed = threading.Event()
        self._cond = threading.Condition()

        @self.sio.on("*")
        def anything(event, *args):
            with self._cond:
                self.events.append((event, args[0] if args else None))
                self._cond.notify_all()

        @self.sio.event
        def connect_error(data):
            self.refusal = data

        @self.sio.event
        def disconnect(*_):
            self.closed.set()

    @classmethod
    def connect(cls, server: RealServer, auth: dict, headers: dict | None = None,
                timeout: float = 5.0) -> "Peer":
        """Connect with websocket transport only; raise Refused with the server's reason."""
        peer = cls()
        try:
            peer.sio.connect(server.base, auth=auth, headers=headers or {}, transports=["websocket"],
                             wait_timeout=timeout)
        except (socketio.exceptions.ConnectionError, ValueError):  # ValueError: closed before OPEN
            peer.sio.disconnect()
            raise Refused(peer.refusal) from None
        return peer

    def call(self, event: str, data=None, timeout: float = 5.0):
        return self.sio.call(event, data, timeout=timeout)

    def received(self, name: str) -> list:
        with self._cond:
            return [data for event, data in self.events if event == name]

    def wait_for(self, name: str, predicate=lambda data: True, timeout: float = 5.0):
        """Return the first `name` event (received so far or later) that satisfies predicate."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for event, data in self.events:
                    if event == name and predicate(data):
                        return data
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [e for e, _ in self.events]
                    raise TimeoutError(f"no matching {name!r} in {timeout} s; got {seen}")
                self._cond.wait(left)

    def clear(self) -> None:
        with self._cond:
            self.events.clear()

    @property
    def connected(self) -> bool:
        return self.sio.connected

    def close(self) -> None:
        if self.sio.connected:
            self.sio.disconnect()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def goto_poll(facilitator: Peer, deck, poll_id: str) -> dict:
    """Move the session to the poll's slide (which opens it) and return the facilitator state."""
    ack = facilitator.call("control", {"action": "goto", "slide": deck.poll_slide_index(poll_id)})
    assert ack["ok"], ack
    return ack["state"]


class RawSocket:
    """Engine.IO v4 / Socket.IO v5 spoken by hand over a websocket, to send what no real client
    library would: invalid JSON, absurd nesting, missing or extra arguments."""

    def __init__(self, server: RealServer, origin: str | None = None, timeout: float = 5.0):
        import websocket
        self.timeout = timeout
        url = server.base.replace("http://", "ws://", 1) + "/socket.io/?EIO=4&transport=websocket"
        extra = {"origin": origin} if origin else {}
        try:
            self.ws = websocket.create_connection(url, timeout=timeout, **extra)
        except websocket.WebSocketBadStatusException as exc:  # `serve` refused the upgrade itself
            raise ConnectionRefusedError(f"upgrade refused: {exc}") from None
        try:
            opening = self.ws.recv()
        except (websocket.WebSocketException, OSError):
            opening = ""
        if not (isinstance(opening, str) and opening.startswith("0{")):
            # a server that upgraded anyway and then refused: closed without Engine.IO's OPEN
            self.close()
            raise ConnectionRefusedError(f"no Engine.IO OPEN packet, got {opening!r}")
        self._ids = 0

    def send(self, text: str) -> None:
        self.ws.send(text)

    def recv(self, timeout: float | None = None) -> str:
        """Return the next Socket.IO packet's text, answering Engine.IO pings on the way."""
        import websocket
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no packet")
            self.ws.settimeout(left)
            try:
                text = self.ws.recv()
            except websocket.WebSocketTimeoutException:
                raise TimeoutError("no packet") from None
            except (websocket.WebSocketConnectionClosedException, OSError):
                raise ConnectionError("closed by the server") from None
            if text == "2":
                self.ws.send("3")
                continue
            if isinstance(text, str) and text.startswith("4"):
                return text[1:]
            if text in ("", None):
                raise ConnectionError("closed by the server")

    def connect(self, auth: dict | None) -> tuple[str, object]:
        """Send the Socket.IO CONNECT packet; return ('ok', {sid}) or ('refused', data)."""
        import json
        self.send("40" + (json.dumps(auth) if auth is not None else ""))
        while True:
            packet = self.recv()
            if packet.startswith("0"):
                return "ok", json.loads(packet[1:])
            if packet.startswith("4"):
                return "refused", json.loads(packet[1:])

    def call_raw(self, array_text: str, timeout: float | None = None):
        """Send an EVENT whose JSON array is given as text; return the decoded ack or raise TimeoutError."""
        import json
        self._ids += 1
        ack_id = self._ids
        self.send(f"42{ack_id}{array_text}")
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            packet = self.recv(max(0.01, deadline - time.monotonic()))
            if packet.startswith(f"3{ack_id}["):
                return json.loads(packet[len(str(ack_id)) + 1:])

    def close(self) -> None:
        try:
            self.ws.close()
        except OSError:
            pass

    @property
    def connected(self) -> bool:
        return self.ws.connected

