"""Run `workshop serve --workers N` as a real subprocess: the supervisor, its workers and
HAProxy, against the tests' own Redis and PostgreSQL (tests/support/services.py).

`ClusterServer` is a `RealServer` (same parsing, clients and stop/kill) whose command adds
--workers, --database URL and --redis URL, and which can find and kill one worker the way a
crash would, while the supervisor and HAProxy carry on.
"""
from __future__ import annotations

import random
import signal
import time
from pathlib import Path

import psutil

from tests.support.server import RealServer


class ClusterServer(RealServer):
    """`workshop serve --workers N --database URL --redis URL` on a free port of 127.0.0.1."""

    def __init__(self, workdir: Path, workers: int, database: str, redis_url: str = "", **kw):
        super().__init__(workdir, **kw)
        self.workers, self.database, self.redis_url = workers, database, redis_url
        self.env.setdefault("TMPDIR", str(self.workdir))  # the workers' logs, kept with the test's

    def command(self, resume: str | None = None) -> list[str]:
        argv = super().command(resume)
        argv[argv.index("--db") + 1] = self.database
        argv += ["--workers", str(self.workers)]
        return argv + (["--redis", self.redis_url] if self.redis_url else [])

    def children(self) -> dict[str, psutil.Process]:
        """Return the running workers by name (w1..wN), and HAProxy as "haproxy"."""
        found = {}
        for p in psutil.Process(self.proc.pid).children():
            try:
                argv = p.cmdline()
                if argv and Path(argv[0]).name == "haproxy":
                    found["haproxy"] = p
                elif "--behind-proxy" in argv and p.status() != psutil.STATUS_ZOMBIE:
                    found[p.environ().get("WORKSHOP_WORKER_ID", "?")] = p
            except psutil.Error:  # it ended meanwhile
                pass
        return found

    def wait_workers(self, timeout: float = 30.0) -> dict[str, psutil.Process]:
        """Wait until all N workers run and answer /healthz on their own ports."""
        import requests
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = {k: p for k, p in self.children().items() if k != "haproxy"}
            healthy = 0
            for p in found.values():
                port = p.cmdline()[p.cmdline().index("--port") + 1]
                try:
                    healthy += requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok
                except requests.RequestException:
                    pass
            if healthy == self.workers:
                return found
            time.sleep(0.1)
        raise TimeoutError(f"{self.workers} healthy workers not there in {timeout} s: {found}")

    def kill_worker(self, rng: random.Random) -> str:
        """SIGKILL one running worker picked at random; return its name."""
        workers = {k: p for k, p in self.children().items() if k != "haproxy"}
        name = rng.choice(sorted(workers))
        workers[name].send_signal(signal.SIGKILL)
        return name

    def errors(self) -> list[str]:
        """Every traceback through server/ in the supervisor's and the workers' logs (a clean
        stop removes the workers' logs only when they hold none)."""
        import re
        from tests.support.server import ROOT
        found = super().errors()
        for log in sorted(self.workdir.glob("workshop-cluster-*/w*.log")):
            for block in re.split(r"(?m)^(?=Traceback \(most recent call last\))",
                                  log.read_text(errors="replace")):
                if f'File "{ROOT / "server"}' in block:
                    found.append(f"{log.name}: {block}")
        return found

    def all_pids(self) -> list[int]:
        return [self.proc.pid] + [p.pid for p in self.children().values()]
