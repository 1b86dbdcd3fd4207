"""`workshop serve --workers N`: N one-process servers behind HAProxy, supervised.

The session is created (or resumed) once, by the first worker; the others resume it. HAProxy
listens where one process would have (--host/--port) and spreads phones over the workers; a
worker that dies is started again with --resume while its phones reconnect through HAProxy
to the others. Ctrl-C or SIGTERM stops HAProxy first (no new connections), then the workers.
docs/scale-out.md explains the deployment and why the balancer is set up as it is.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import click
import requests

from .lbconfig import haproxy_config

LOCAL = "127.0.0.1"
HEADLINES = ("Workshop:", "Join URL:", "Projector URL:", "Console URL:")


def check_topology(workers: int, db: str, redis_url: str) -> None:
    """Refuse, in one line each, the clusters that cannot keep one room."""
    if workers < 1:
        raise click.ClickException("--workers must be at least 1")
    if workers > 1 and not redis_url:
        raise click.ClickException(f"--workers {workers} needs --redis redis://HOST:PORT/0: the "
                                   f"workers share one room's broadcasts and limits through Redis")
    if workers > 1 and "://" not in db:
        raise click.ClickException(
            f"--workers {workers} needs a PostgreSQL --database (postgresql://...): processes "
            f"writing one SQLite file wait for each other's write lock, stopping each other's "
            f"event loop; one process on SQLite holds 10,000 phones (docs/scale-out.md)")
    if not shutil.which("haproxy"):
        raise click.ClickException("--workers needs HAProxy as its load balancer: "
                                   "apt-get install haproxy (or brew install haproxy)")


def _die_with_parent() -> None:
    """Have the kernel stop this child when the supervisor dies, even by SIGKILL."""
    import ctypes
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:  # not Linux: a killed supervisor leaves its children to be stopped by hand
        pass


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind((LOCAL, 0))
        return s.getsockname()[1]


class Worker:
    """One `workshop serve` process on 127.0.0.1, named w1..wN, restartable with --resume."""

    def __init__(self, name: str, port: int, folder: Path, common: list[str]):
        self.name, self.port, self.folder, self.common = name, port, folder, common
        self.proc: subprocess.Popen | None = None
        self.started = 0.0
        self.restarts = 0

    @property
    def log(self) -> Path:
        return self.folder / f"{self.name}.log"

    def start(self, first: list[str]) -> None:
        """Start it; `first` is the deck (to create a session) or `--resume SID`."""
        argv = [sys.executable, "-c", "from server.cli import main; main()", "serve", *first,
                "--host", LOCAL, "--port", str(self.port), "--no-qr", "--behind-proxy",
                *self.common]
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        env["WORKSHOP_WORKER_ID"] = self.name  # set for the worker (settings.WORKER_ID), not read
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=log, env=env,
                                         stdin=subprocess.DEVNULL, start_new_session=True,
                                         preexec_fn=_die_with_parent, text=True)
        self.started = time.monotonic()

    def headlines(self, timeout: float = 60.0) -> list[str]:
        """Read its output up to the Console URL line; then keep draining it."""
        lines: list[str] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            if line.startswith(HEADLINES):
                lines.append(line.rstrip("\n"))
            if line.startswith("Console URL:"):
                break
        self.drain()
        return lines

    def drain(self) -> None:
        import threading
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()

    def wait_healthy(self, timeout: float = 60.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                if requests.get(f"http://{LOCAL}:{self.port}/healthz", timeout=1).ok:
                    return True
            except requests.RequestException:
                pass
            time.sleep(0.05)
        return False

    def stop(self, sig: int = signal.SIGINT, timeout: float = 15.0) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def tail(self, lines: int = 15) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


class Cluster:
    """The workers, HAProxy in front, and the loop that keeps them running."""

    def __init__(self, workers: int, host: str, port: int, common: list[str], folder: Path):
        self.host, self.port, self.folder = host, port, folder
        self.workers = [Worker(f"w{i}", free_port(), folder, common) for i in range(1, workers + 1)]
        self.haproxy: subprocess.Popen | None = None
        self.stopping = False
        self.sid = ""

    def start(self, deck_path: str | None, resume_id: str | None, names: str | None) -> list[str]:
        """Start the first worker (it creates or resumes the session), then the rest and HAProxy."""
        first = self.workers[0]
        first.start(["--resume", resume_id] if resume_id
                    else [deck_path] + (["--names", names] if names else []))
        lines = first.headlines()
        if len(lines) < 4 or not first.wait_healthy():
            self.stop()
            raise click.ClickException(f"worker w1 did not start; its log {first.log}:\n"
                                       f"{first.tail()}")
        self.sid = lines[0].split("(session ", 1)[1].split(",", 1)[0]
        for w in self.workers[1:]:
            w.start(["--resume", self.sid])
            w.drain()
        for w in self.workers[1:]:
            if not w.wait_healthy():
                self.stop()
                raise click.ClickException(f"worker {w.name} did not start; its log {w.log}:\n"
                                           f"{w.tail()}")
        self._start_haproxy()
        return lines

    def _start_haproxy(self) -> None:
        config = self.folder / "haproxy.cfg"
        config.write_text(haproxy_config(self.host, self.port,
                                         [(w.name, f"{LOCAL}:{w.port}") for w in self.workers]))
        log = open(self.folder / "haproxy.log", "ab")
        self.haproxy = subprocess.Popen(["haproxy", "-db", "-f", str(config)], stdout=log,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                        start_new_session=True, preexec_fn=_die_with_parent)
        shown = LOCAL if self.host in ("0.0.0.0", "::", "") else self.host
        url = f"http://{shown}:{self.port}/healthz".replace("http://::", "http://[::1]")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and self.haproxy.poll() is None:
            try:
                if requests.get(url, timeout=1).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.05)
        self.stop()
        text = (self.folder / "haproxy.log").read_text(errors="replace")
        raise click.ClickException(f"HAProxy did not start on {self.host}:{self.port}:\n{text}")

    def supervise(self, every: float = 0.2) -> None:
        """Restart any worker that exits (after a pause if it died young) until told to stop."""
        while not self.stopping:
            time.sleep(every)
            if self.haproxy.poll() is not None and not self.stopping:
                click.echo(f"HAProxy exited with {self.haproxy.returncode}; stopping "
                           f"(log: {self.folder / 'haproxy.log'})", err=True)
                break
            for w in self.workers:
                if self.stopping or w.proc.poll() is None:
                    continue
                if w.restarts and time.monotonic() - w.started < 2:  # crashing at start
                    continue  # wait a little, rather than spin
                w.restarts += 1
                click.echo(f"worker {w.name} exited with {w.proc.returncode}; restarting it "
                           f"(log: {w.log})", err=True)
                w.start(["--resume", self.sid])
                w.drain()
        self.stop()

    def stop(self) -> None:
        """Stop HAProxy, so no phone is sent to a stopping worker, then every worker at once."""
        self.stopping = True
        if self.haproxy and self.haproxy.poll() is None:
            self.haproxy.terminate()
            try:
                self.haproxy.wait(10)
            except subprocess.TimeoutExpired:
                self.haproxy.kill()
        running = [w for w in self.workers if w.proc and w.proc.poll() is None]
        for w in running:
            w.proc.send_signal(signal.SIGINT)
        for w in running:
            w.stop()


def serve(workers: int, deck_path: str | None, host: str, port: int, db: str, redis_url: str,
          resume_id: str | None, public_url: str, show_qr: bool, names: str | None) -> None:
    """Run a session on `workers` processes behind HAProxy until Ctrl-C or SIGTERM."""
    from .runner import lan_address, listen, raise_open_files_limit
    check_topology(workers, db, redis_url)
    deck_path = str(Path(deck_path).resolve()) if deck_path else None  # workers run elsewhere
    raise_open_files_limit(200_000)  # HAProxy holds two sockets a phone; children inherit it
    probe = listen(host, port)  # a busy port: the same one clear line as one process
    port = probe.getsockname()[1]
    probe.close()
    if not public_url:
        shown = lan_address() if host in ("0.0.0.0", "::", "") else host
        public_url = f"http://{shown}:{port}"
    common = ["--database", db, "--public-url", public_url]
    if redis_url:
        common += ["--redis", redis_url]
    folder = Path(tempfile.mkdtemp(prefix="workshop-cluster-"))
    cluster = Cluster(workers, host, port, common, folder)

    def stop(*_):
        cluster.stopping = True
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    lines = cluster.start(deck_path, resume_id, names)
    for line in lines:
        click.echo(line)
    if show_qr:
        from . import qr
        click.echo(qr.terminal(lines[1].split(": ", 1)[1]))
    click.echo(f"{workers} worker{'s' if workers > 1 else ''} behind HAProxy on {host}:{port}; their logs and the "
               f"balancer's config are in {folder}", err=True)
    click.echo(f"Keep the Projector and Console URLs to yourself. Stop with Ctrl-C; carry on "
               f"later with: workshop serve --workers {workers} --resume {cluster.sid}", err=True)
    sys.stdout.flush()
    cluster.supervise()
    if any(w.restarts or "Traceback" in w.tail(10**6) for w in cluster.workers):
        click.echo(f"Workers were restarted or logged errors: their logs are kept in {folder}",
                   err=True)
    else:
        shutil.rmtree(folder, ignore_errors=True)
    click.echo(f"Stopped. Resume with: workshop serve --workers {workers} --resume {cluster.sid}",
               err=True)
