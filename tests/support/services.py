"""Real services for the tests: Redis, PostgreSQL and HAProxy from Debian's packages, each
started by the test itself on 127.0.0.1 in a temporary folder, stopped when it is done.

Nothing here needs a service running beforehand. Where a package is missing, `require`
skips the calling test with the reason (`apt-get install ...`); under CI=true it fails
instead, like the browser tests, because `.ci/run` installs them. PostgreSQL refuses to run
as root: as root, its server runs as the `postgres` user the package made (or `nobody`).
Every wait is bounded.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

HOST = "127.0.0.1"
PACKAGES = {"redis": "redis-server", "postgresql": "postgresql", "haproxy": "haproxy"}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def postgres_bin(name: str) -> str | None:
    """Return the path of a PostgreSQL server program (initdb, pg_ctl, postgres), newest version."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                   key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    return found[-1] if found else None


def missing(service: str) -> str | None:
    """Return why a service cannot be started here, or None when it can."""
    if service == "redis":
        ok = shutil.which("redis-server")
    elif service == "haproxy":
        ok = shutil.which("haproxy")
    elif service == "postgresql":
        ok = postgres_bin("initdb") and postgres_bin("postgres")
    else:
        raise ValueError(service)
    return None if ok else f"{service} is not installed: apt-get install {PACKAGES[service]}"


def require(*services: str, env: dict | None = None) -> None:
    """Skip the calling test when a service is missing; fail it instead under CI=true."""
    reasons = [r for r in (missing(s) for s in services) if r]
    if not reasons:
        return
    if (os.environ if env is None else env).get("CI", "").strip().lower() == "true":
        pytest.fail("; ".join(reasons), pytrace=False)
    pytest.skip("; ".join(reasons))


def wait_port(port: int, timeout: float = 20.0, proc: subprocess.Popen | None = None) -> None:
    """Wait until something accepts connections on 127.0.0.1:port."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}")
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {HOST}:{port} after {timeout} s")


def _stop(proc: subprocess.Popen, sig=signal.SIGTERM, timeout: float = 10.0) -> None:
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


class Redis:
    """A redis-server on 127.0.0.1 with its files in a folder; restartable on the same port."""

    def __init__(self, folder: Path, port: int | None = None):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def start(self) -> "Redis":
        log = open(self.folder / "redis.log", "ab")
        self.proc = subprocess.Popen(
            ["redis-server", "--bind", HOST, "--port", str(self.port), "--dir", str(self.folder),
             "--save", "", "--appendonly", "no", "--protected-mode", "yes"],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        wait_port(self.port, proc=self.proc)
        return self

    def stop(self, sig=signal.SIGTERM) -> None:
        if self.proc:
            _stop(self.proc, sig)

    def restart(self, down_for: float = 0.0) -> None:
        self.stop()
        time.sleep(down_for)
        self.start()


class Postgres:
    """A PostgreSQL server of its own (initdb in a folder), on 127.0.0.1, trust auth for
    local connections only; as root its files belong to an unprivileged user."""

    def __init__(self, folder: Path, port: int | None = None):
        self.folder = Path(folder)
        self.data = self.folder / "data"
        self.port = port or free_port()
        self.user = None
        if os.geteuid() == 0:  # PostgreSQL will not run as root
            try:
                self.user = pwd.getpwnam("postgres")
            except KeyError:
                self.user = pwd.getpwnam("nobody")
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return self.url_of("postgres")

    def url_of(self, database: str) -> str:
        return f"postgresql://workshop@{HOST}:{self.port}/{database}"

    def _run(self, argv: list[str], **kw) -> subprocess.CompletedProcess:
        return subprocess.run(argv, check=True, capture_output=True, text=True,
                              user=self.user.pw_uid if self.user else None,
                              group=self.user.pw_gid if self.user else None, **kw)

    def _own(self, path: Path) -> None:
        if self.user:
            os.chown(path, self.user.pw_uid, self.user.pw_gid)

    def init(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._own(self.folder)
        self._reachable()
        self._run([postgres_bin("initdb"), "-D", str(self.data), "-U", "workshop", "-A", "trust",
                   "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"], cwd=self.folder)

    def _reachable(self) -> None:
        """Let the server's user reach its folder. Again at each start: a pytest run starting
        meanwhile sets /tmp/pytest-of-USER back to 0700, and a restart would then fail."""
        if not self.user:
            return
        for parent in self.folder.parents:
            if parent == Path("/") or os.stat(parent).st_mode & 0o001:
                continue
            os.chmod(parent, os.stat(parent).st_mode | 0o001)

    def start(self) -> "Postgres":
        if not self.data.exists():
            self.init()
        self._reachable()
        log = self.folder / "postgres.log"
        log.touch()
        self._own(log)
        self.proc = subprocess.Popen(
            [postgres_bin("postgres"), "-D", str(self.data), "-h", HOST, "-p", str(self.port),
             "-k", str(self.folder), "-c", "fsync=on", "-c", "max_connections=200",
             "-c", "shared_buffers=128MB"],
            stdout=open(log, "ab"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            user=self.user.pw_uid if self.user else None, group=self.user.pw_gid if self.user else None,
            cwd=self.folder)
        wait_port(self.port, timeout=30, proc=self.proc)
        self._wait_ready()
        return self

    def _wait_ready(self, timeout: float = 30.0) -> None:
        import psycopg
        deadline = time.monotonic() + timeout
        while True:
            try:
                psycopg.connect(self.url, connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def create_database(self, name: str) -> str:
        """Create an empty database; return its URL."""
        import psycopg
        with psycopg.connect(self.url, autocommit=True) as db:
            db.execute(f'CREATE DATABASE "{name}"')
        return self.url_of(name)

    def stop(self, sig=signal.SIGINT) -> None:
        """Stop the server (SIGINT: fast shutdown; SIGKILL: a crash)."""
        if self.proc:
            _stop(self.proc, sig, timeout=30)

    def restart(self, down_for: float = 0.0) -> None:
        self.stop()
        time.sleep(down_for)
        self.start()


@contextmanager
def running(service):
    """Start a service, yield it, stop it."""
    service.start()
    try:
        yield service
    finally:
        service.stop()
