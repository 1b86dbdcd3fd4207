"""Run `workshop serve` as a real subprocess on a free port, and talk to it over real sockets.

Integration, crash-recovery and hostile-input tests share this helper: it starts the server
on 127.0.0.1 with a temporary database, parses the URLs and ids it prints, waits for
/healthz, stops it with SIGINT (Ctrl-C) or SIGKILL, and restarts it with --resume.
Every wait here is bounded in time.
"""
from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests
import socketio

ROOT = Path(__file__).resolve().parent.parent
DECK = ROOT / "decks" / "leaders-role.yaml"
HOST = "127.0.0.1"

HEADLINE = re.compile(r"^Workshop: (?P<title>.*)  \(session (?P<sid>[0-9a-f]+), join code (?P<code>[A-Z0-9]+)\)$",
                      re.M)
URL_LINE = re.compile(r"^(?P<name>Join|Projector|Console) URL: (?P<url>\S+)$", re.M)


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def new_token() -> str:
    """Return a participant token as a phone makes one (16-64 of A-Z a-z 0-9 _ -)."""
    return secrets.token_urlsafe(18)


def workshop_command() -> list[str]:
    """Return the argv prefix that runs the `workshop` console script of this environment."""
    script = Path(sys.executable).with_name("workshop")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from server.cli import main; main()"]


class ServerFailed(RuntimeError):
    """The server did not start (or did not print what it should have)."""


class RealServer:
    """One `workshop serve` process, restartable on the same port and database."""

    def __init__(self, workdir: Path, port: int | None = None, deck: Path | str | None = DECK,
                 env: dict | None = None, public_url: str = ""):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.db = self.workdir / "workshop.db"
        self.port = port or free_port()
        self.chosen_port = port is None  # a port we picked may be taken before the server binds it
        self.deck = deck
        self.env = dict(env or {})
        self.public_url = public_url
        self.proc: subprocess.Popen | None = None
        self.runs = 0
        self.sid = self.code = self.key = self.title = ""
        self.urls: dict[str, str] = {}
        self._out = self._err = None

    # ----- addresses -----

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    # ----- running -----

    def command(self, resume: str | None = None) -> list[str]:
        argv = workshop_command() + ["serve"]
        if self.deck and not resume:
            argv.append(str(self.deck))
        argv += ["--host", HOST, "--port", str(self.port), "--db", str(self.db), "--no-qr"]
        if resume:
            argv += ["--resume", resume]
        if self.public_url:
            argv += ["--public-url", self.public_url]
        return argv

    def process_env(self) -> dict:
        env = dict(os.environ)
        env.pop("WORKSHOP_DB", None)
        env["PYTHONUNBUFFERED"] = "1"
        env.update({k: str(v) for k, v in self.env.items()})
        return env

    def spawn(self, resume: str | None = None, argv: list[str] | None = None) -> subprocess.Popen:
        """Start the process without waiting for it; output goes to files in workdir."""
        assert self.proc is None or self.proc.poll() is not None, "server already running"
        self.runs += 1
        self._out = self.workdir / f"serve-{self.runs}.out"
        self._err = self.workdir / f"serve-{self.runs}.err"
        with open(self._out, "wb") as out, open(self._err, "wb") as err:
            self.proc = subprocess.Popen(argv or self.command(resume), cwd=self.workdir, stdout=out,
                                         stderr=err, stdin=subprocess.DEVNULL, env=self.process_env())
        return self.proc

    def start(self, resume: str | None = None, timeout: float = 20.0) -> "RealServer":
        """Start (or resume) the server and return once it printed its URLs and /healthz answers."""
        self.spawn(resume)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.stdout
            if "Console URL:" in text and text.endswith("\n"):
                self._parse(text)
                break
            if self.proc.poll() is not None:
                if self.chosen_port and not self.sid and "is busy" in self.stderr and self.runs < 4:
                    self.port = free_port()  # someone else took the free port first: pick another
                    return self.start(resume, timeout)
                raise ServerFailed(f"workshop serve exited with {self.proc.returncode}:\n"
                                   f"{self.stdout}\n{self.stderr}")
            time.sleep(0.02)
        else:
            self.kill()
            raise ServerFailed(f"workshop serve printed no URLs in {timeout} s:\n{self.stdout}\n{self.stderr}")
        if resume:
            assert self.sid == resume, (self.sid, resume)
        self.wait_healthy(max(1.0, deadline - time.monotonic()))
        return self

    def restart(self, timeout: float = 20.0) -> "RealServer":
        """Start again with --resume on the same port and database."""
        return self.start(resume=self.sid, timeout=timeout)

    def _parse(self, text: str) -> None:
        head = HEADLINE.search(text)
        if head is None:
            raise ServerFailed(f"no 'Workshop:' line in:\n{text}")
        self.title, self.sid, self.code = head["title"], head["sid"], head["code"]
        self.urls = {m["name"].lower(): m["url"] for m in URL_LINE.finditer(text)}
        keys = {parse_qs(urlsplit(self.urls[n]).query)["key"][0] for n in ("projector", "console")}
        if len(keys) != 1:
            raise ServerFailed(f"projector and console keys differ: {keys}")
        self.key = keys.pop()

    def wait_healthy(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ServerFailed(f"server exited with {self.proc.returncode}:\n{self.stderr}")
            try:
                if requests.get(self.url("/healthz"), timeout=1).json() == {"ok": True}:
                    return
            except (requests.RequestException, ValueError):
                pass
            time.sleep(0.02)
        raise ServerFailed(f"/healthz did not answer in {timeout} s")

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig: int = signal.SIGINT, timeout: float = 10.0) -> int:
        """Send a signal (Ctrl-C by default), wait for the exit, and return the exit code."""
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
                raise ServerFailed(f"server ignored signal {sig} for {timeout} s") from None
        return self.proc.returncode

    def kill(self) -> int:
        """Kill the server with SIGKILL, as a crash or a pulled plug would."""
        return self.stop(signal.SIGKILL, timeout=10)

    def errors(self) -> list[str]:
        """Return every traceback in the server's logs (all runs) that passes through server/."""
        found = []
        for log in sorted(self.workdir.glob("serve-*.err")):
            for block in re.split(r"(?m)^(?=Traceback \(most recent call last\))", log.read_text(errors="replace")):
                ours = [line for line in block.splitlines() if f'File "{ROOT / "server"}' in line]
                if ours and not ours[-1].endswith(", in decode"):  # FewAttachments refusing a frame
                    found.append(block)
        return found

    @property
    def stdout(self) -> str:
        return self._out.read_text(errors="replace") if self._out and self._out.exists() else ""

    @property
    def stderr(self) -> str:
        return self._err.read_text(errors="replace") if self._err and self._err.exists() else ""

    def __enter__(self) -> "RealServer":
        return self

    def __exit__(self, *exc) -> None:
        if self.running:
            self.kill()

    # ----- the other CLI commands -----

    def cli(self, *args: str, timeout: float = 30.0) -> subprocess.CompletedProcess:
        """Run another `workshop` command (e.g. sessions) and return its result."""
        return subprocess.run(workshop_command() + list(args), cwd=self.workdir, capture_output=True,
                              text=True, timeout=timeout, env=self.process_env(), stdin=subprocess.DEVNULL)

    # ----- clients -----

    def phone_auth(self, token: str | None = None, nickname: str = "", code: str | None = None) -> dict:
        return {"role": "participant", "code": code or self.code, "token": token or new_token(),
                "nickname": nickname}

    def facilitator_auth(self, key: str | None = None, view: str = "console") -> dict:
        return {"role": "facilitator", "session": self.sid, "key": self.key if key is None else key,
                "view": view}

    def phone(self, token: str | None = None, nickname: str = "", **kw) -> "Peer":
        return Peer.connect(self, self.phone_auth(token, nickname), **kw)

    def facilitator(self, key: str | None = None, view: str = "console", **kw) -> "Peer":
        return Peer.connect(self, self.facilitator_auth(key, view), **kw)


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
        url = f"ws://{HOST}:{server.port}/socket.io/?EIO=4&transport=websocket"
        extra = {"origin": origin} if origin else {}
        self.ws = websocket.create_connection(url, timeout=timeout, **extra)
        try:
            opening = self.ws.recv()
        except (websocket.WebSocketException, OSError):
            opening = ""
        if not (isinstance(opening, str) and opening.startswith("0{")):
            # gevent-websocket upgrades before Engine.IO checks the Origin, so a refusal is
            # a websocket closed without Engine.IO's OPEN packet rather than an HTTP 400
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


ALL_TYPES_DECK = """\
title: Every poll type
language: en
slides:
  - kind: title
    title: Every poll type
  - kind: poll
    poll:
      id: pick
      type: choice
      question: Pick up to two
      options: [Red, Green, Blue, Black]
      multiple: true
      max: 2
  - kind: poll
    poll:
      id: quiz
      type: choice
      question: Which is right?
      options: [Right, Wrong, Also wrong]
      correct: Right
  - kind: poll
    poll:
      id: once
      type: choice
      question: No second thoughts
      options: [Yes, No]
      allow_change: false
  - kind: poll
    poll:
      id: scale
      type: scale
      question: How much?
      min: 0
      max: 10
  - kind: poll
    poll:
      id: rank
      type: ranking
      question: Order these
      items: [First, Second, Third]
  - kind: bullets
    title: A slide without a poll
    bullets: [one, two]
  - kind: poll
    poll:
      id: words
      type: open
      question: Say anything
      max_length: 2000
"""


def write_all_types_deck(folder: Path) -> Path:
    """Write a small deck with every poll type (and multiple, quiz, no-change variants)."""
    path = Path(folder) / "all-types.yaml"
    path.write_text(ALL_TYPES_DECK, encoding="utf-8")
    return path
