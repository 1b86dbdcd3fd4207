"""The server under load: a `workshop serve` (or the bare server) subprocess, its CPU and
memory, the rest of the machine's load, and what its database holds afterwards."""
from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.support.server import free_port

ROOT = Path(__file__).resolve().parents[2]


def read_session(proc: subprocess.Popen, timeout: float) -> tuple:
    """Read `workshop serve`'s session id, join code and facilitator key off its output (one
    process or `--workers`); None for what it did not print before exiting or `timeout`. The rest
    of its output is read away in a thread, so that it never blocks on a full pipe."""
    session = code = key = None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not (session and key):
        line = proc.stdout.readline()
        if not line:
            break
        if m := re.search(r"session (\w+), join code (\w+)", line):
            session, code = m.groups()
        if m := re.search(r"Projector URL: .*\?key=(\S+)", line):
            key = m.group(1)
    threading.Thread(target=proc.stdout.read, daemon=True).start()
    return session, code, key


class Server:
    """A server subprocess on 127.0.0.1 with a fresh database; its ids read from its output."""

    def __init__(self, kind: str, workdir: Path, env: dict | None = None, root: Path = ROOT):
        self.kind = kind
        self.port = free_port()
        self.db = str(workdir / f"{kind}-{self.port}.db")
        self.log = open(workdir / f"{kind}-{self.port}.log", "w")
        if kind == "bare":
            cmd = [sys.executable, "-m", "scripts.bare_server", "--port", str(self.port), "--db", self.db]
        else:
            # `-c` from `root` puts that checkout first on sys.path, ahead of this environment's
            # editable install: --server-root measures the other checkout's own code
            cmd = [sys.executable, "-c", "from server.cli import main; main()", "serve",
                   str(root / "decks" / "leaders-role.yaml"), "--host", "127.0.0.1", "--port",
                   str(self.port), "--db", self.db, "--no-qr"]
        self.proc = subprocess.Popen(cmd, cwd=root if kind == "workshop" else ROOT, stdout=subprocess.PIPE,
                                     stderr=self.log, text=True, env={**os.environ, **(env or {})})
        self.pid = self.proc.pid
        self.url = f"http://127.0.0.1:{self.port}"
        self.session, self.code, self.key = read_session(self.proc, 60)
        if not (self.session and self.key):
            self.stop()
            raise SystemExit(f"{kind} server did not print its session; see {self.log.name}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        self.log.close()


class Monitor:
    """Sample the server's RSS every 0.1 s; read its CPU time at marks. Its report workers
    (child processes) count as the server: they are the server's work, on the same laptop."""

    def __init__(self, pid: int | None):
        import psutil
        self.proc = psutil.Process(pid) if pid else None
        self.peak = 0
        self.samples: list[tuple[float, float, float]] = []  # (monotonic, server CPU s, machine busy s)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        if self.proc:
            self.thread.start()

    def _run(self) -> None:
        n = 0
        while not self.stopping.wait(0.1):
            n += 1
            if n % 5 == 0:  # every 0.5 s: which component ran out of CPU, and when
                try:
                    self.samples.append((time.monotonic(), self.cpu(), machine_busy()))
                except Exception:
                    pass
            try:
                rss = self.proc.memory_info().rss
            except Exception:
                return
            for child in self._children():
                try:
                    rss += child.memory_info().rss
                except Exception:  # it ended meanwhile
                    pass
            self.peak = max(self.peak, rss)

    def _children(self) -> list:
        try:
            return self.proc.children(recursive=True)
        except Exception:
            return []

    def cpu(self) -> float | None:
        if not self.proc:
            return None
        t = self.proc.cpu_times()
        total = t.user + t.system + t.children_user + t.children_system  # + children it waited for
        for child in self._children():
            try:
                c = child.cpu_times()
                total += c.user + c.system
            except Exception:
                pass
        return total

    def stop(self) -> None:
        self.stopping.set()
        if self.proc:
            self.thread.join(2)

    def cores(self, start: float, end: float) -> dict:
        """The server's and the whole machine's cores in use between two monotonic times:
        their mean, and the busiest second's (from the 0.5 s samples)."""
        inside = [s for s in self.samples if start <= s[0] <= end]
        if len(inside) < 2:
            return {"server": None, "server_max_1s": None, "machine": None, "machine_max_1s": None}
        (t0, c0, m0), (t1, c1, m1) = inside[0], inside[-1]
        seconds = [(b[1] - a[1], b[2] - a[2], b[0] - a[0]) for a, b in zip(inside, inside[2:])]
        return {"server": round((c1 - c0) / (t1 - t0), 2),
                "server_max_1s": round(max(c / t for c, _, t in seconds), 2) if seconds else None,
                "machine": round((m1 - m0) / (t1 - t0), 2),
                "machine_max_1s": round(max(m / t for _, m, t in seconds), 2) if seconds else None}


def machine_busy() -> float:
    """Return the CPU seconds every process on the machine has used since boot."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def wait_for_quiet(cores: float, timeout: float) -> float:
    """On a shared machine, wait (at most `timeout` s) until others use at most `cores` cores."""
    deadline = time.monotonic() + timeout
    while True:
        busy0, t0 = machine_busy(), time.monotonic()
        time.sleep(5)
        load = (machine_busy() - busy0) / (time.monotonic() - t0)
        if load <= cores or time.monotonic() > deadline:
            return load
        print(f"waiting for a quieter machine: others use {load:.2f} cores", file=sys.stderr, flush=True)


def read_store(db: str, session: str, polls: list[str]) -> dict:
    """Return {(poll, participant): rows} for the test's polls, read by another connection."""
    if "://" in db:  # a cluster's PostgreSQL
        import psycopg
        with psycopg.connect(db) as pg:
            rows = pg.execute("SELECT poll_id, participant_id, COUNT(*) FROM answers WHERE session_id = %s "
                              "AND poll_id = ANY(%s) GROUP BY poll_id, participant_id", [session, polls])
            return {(p, int(pid)): n for p, pid, n in rows}
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        marks = ",".join("?" * len(polls))
        rows = con.execute(f"SELECT poll_id, participant_id, COUNT(*) FROM answers WHERE session_id = ? "
                           f"AND poll_id IN ({marks}) GROUP BY poll_id, participant_id", [session, *polls])
        return {(p, int(pid)): n for p, pid, n in rows}
    finally:
        con.close()
