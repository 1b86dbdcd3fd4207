"""Run `workshop serve` as a real subprocess on a free port.

Integration, crash-recovery, hostile-input and browser tests and the screenshot script share
this runner: it starts the server on 127.0.0.1 with a temporary database, parses the URLs
and ids it prints, waits for /healthz, stops it with SIGINT (Ctrl-C) or SIGKILL, and restarts
it with --resume. Its clients are in tests/support/clients.py. Every wait here is bounded.
"""
from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests

from tests.support.clients import Peer

ROOT = Path(__file__).resolve().parents[2]
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
                 env: dict | None = None, public_url: str = "", names: str = ""):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.db = self.workdir / "workshop.db"
        self.port = port or free_port()
        self.chosen_port = port is None  # a port we picked may be taken before the server binds it
        self.deck = deck
        self.env = dict(env or {})
        self.public_url = public_url
        self.names = names  # `--names`: "named" or "anonymous"; "" leaves it to the deck
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
        if self.names:
            argv += ["--names", self.names]
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

    def facilitator_auth(self, key: str | None = None) -> dict:
        return {"role": "facilitator", "session": self.sid, "key": self.key if key is None else key}

    def phone(self, token: str | None = None, nickname: str = "", **kw) -> Peer:
        return Peer.connect(self, self.phone_auth(token, nickname), **kw)

    def facilitator(self, key: str | None = None, **kw) -> Peer:
        return Peer.connect(self, self.facilitator_auth(key), **kw)
