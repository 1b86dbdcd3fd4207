"""Reports for the live server: built in a worker process under gevent, in-process otherwise;
in a cluster, at most REPORT_WORKERS at a time across its processes (`ClusterSlots`)."""
from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from workshop.store import is_url

from .rooms import Room

WORKER_TIMEOUT = 300  # seconds one report may take before the worker is replaced


def worker_command() -> list[str]:
    """Return the argv of a report worker: this Python, the current folder kept off sys.path
    (-P), so that a `handouts` folder wherever the server was started cannot stand in for ours."""
    return [sys.executable, "-P", "-m", "handouts.worker"]


def worker_env() -> dict:
    """Return the worker's environment: it imports the `handouts` this server imports, from
    the checkout when that is not on the interpreter's own path (an editable install)."""
    import importlib.util
    import site
    home = str(Path(importlib.util.find_spec("handouts").origin).resolve().parent.parent)
    installed = {str(Path(p).resolve()) for p in [*site.getsitepackages(), site.getusersitepackages()]}
    if home in installed:
        return dict(os.environ)
    extra = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": home + (os.pathsep + extra if extra else "")}


class ReportError(Exception):
    """A report that could not be built: one line for the log, an error page for the browser."""


class Worker:
    """One long-lived, niced `python -m handouts.worker`, building one report at a time.

    A report in a thread of the server held the interpreter lock for most of its second (a
    summary) or quarter second (reading 3,000 people's answers for a takeaway), and every
    phone's ack waited behind it; a process of its own only takes the laptop's other core.
    It is started on first use and again after it dies; it exits when the server does
    (its standard input closes).
    """

    def __init__(self):
        self.proc = None
        self.lock = threading.Lock()  # a gevent lock once `serve` has monkey-patched

    def build(self, job: dict) -> bytes:
        import gevent
        with self.lock:
            try:
                with gevent.Timeout(WORKER_TIMEOUT):
                    return self._ask(job)
            except ReportError:  # the worker said why, and serves the next job
                raise
            except gevent.Timeout:  # stuck: replace it
                self.stop()
                raise ReportError(f"report failed: no report within {WORKER_TIMEOUT} s") from None
            except Exception as exc:  # dead, or the pipe out of step: replace it
                self.stop()
                raise ReportError(f"report failed: the report worker stopped ({exc})") from None
            except BaseException:  # this greenlet was killed mid-reply: the next job needs a fresh pipe
                self.stop()
                raise

    def _ask(self, job: dict) -> bytes:
        if self.proc is None or self.proc.poll() is not None:
            self.proc = subprocess.Popen(worker_command(), env=worker_env(),
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.proc.stdin.write(json.dumps(job).encode() + b"\n")
        self.proc.stdin.flush()
        head = self.proc.stdout.readline()
        if head.startswith(b"ERR "):
            raise ReportError("report failed: " + head[4:].decode("utf-8", "replace").strip())
        if not head.startswith(b"OK "):
            raise OSError("no reply" if not head else f"bad reply {head[:40]!r}")
        size = int(head[3:])
        data = self.proc.stdout.read(size)
        if len(data) != size:
            raise OSError(f"{len(data)} of {size} bytes")
        return data

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


class Pool:
    """A few workers; a report goes to whichever is free. Niced, they take what the room leaves:
    two of them let the end of a town hall (thousands of takeaways) use both cores."""

    def __init__(self, size: int):
        self.idle = [Worker() for _ in range(max(1, size))]
        self.free = threading.Semaphore(len(self.idle))

    def build(self, job: dict) -> bytes:
        with self.free:
            worker = self.idle.pop()
            try:
                return worker.build(job)
            finally:
                self.idle.append(worker)


# deletes a slot only if it still holds our token: a slot that expired and was taken by
# another process's build is not ours to free
RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"


class ClusterSlots:
    """Report builds across the processes of a cluster, at most `size` at a time: each holds a
    Redis key (SET NX PX with a token of its own) while it builds. A build that finds every slot
    taken waits up to `wait` seconds, then fails (the page can be asked again). A slot of a
    process that died frees itself after `hold_ms`. While Redis is unreachable the build goes
    ahead: a slow report beats none."""

    def __init__(self, shared, size: int, wait: float = 60.0, hold_ms: int = (WORKER_TIMEOUT + 30) * 1000,
                 sleep=time.sleep, clock=time.monotonic):
        self.shared, self.size, self.wait, self.hold_ms = shared, max(1, size), wait, hold_ms
        self.sleep, self.clock = sleep, clock

    def _take(self, r, token: str) -> str:
        for k in range(self.size):
            key = f"workshop:reports:{k}"
            if r.set(key, token, nx=True, px=self.hold_ms):
                return key
        return ""

    @contextmanager
    def slot(self):
        token, deadline = secrets.token_hex(8), self.clock() + self.wait
        while True:
            key = self.shared.call(lambda r: self._take(r, token), lambda: None)
            if key is None or key:  # None: Redis is unreachable, build without a slot
                break
            if self.clock() > deadline:
                raise ReportError(f"report failed: every report builder of the cluster was busy "
                                  f"for {self.wait:.0f} s; try again")
            self.sleep(0.1)
        try:
            yield
        finally:
            if key:
                release = self.shared.script(RELEASE)
                self.shared.call(lambda r: release(keys=[key], args=[token]), lambda: None)


_slots: dict[str, ClusterSlots] = {}


def cluster_slots(config: dict):
    """The cluster's report slots when there is a Redis, else a slot that is always free."""
    url = config.get("REDIS_URL")
    if not url:
        return _free()
    if url not in _slots:
        from .bus import Shared
        _slots[url] = ClusterSlots(Shared(url), config["REPORT_WORKERS"])
    return _slots[url].slot()


@contextmanager
def _free():
    yield


_pool: Pool | None = None
_lock = threading.Lock()  # in-process: ReportLab keeps global state, one build at a time


def report(room: Room, builder: str, config: dict, **kwargs) -> bytes:
    """Build a report (a `handouts` builder) from the room's stored results."""
    with cluster_slots(config):
        return _build(room, builder, config, **kwargs)


def _build(room: Room, builder: str, config: dict, **kwargs) -> bytes:
    global _pool
    location = room.store.location  # a SQLite file or a postgresql:// URL: the worker opens it too
    if config["ASYNC_MODE"] == "gevent" and location != ":memory:" and room.deck.path:
        _pool = _pool or Pool(config["REPORT_WORKERS"])
        db = location if is_url(location) else os.path.abspath(location)
        return _pool.build({"db": db, "deck": os.path.abspath(room.deck.path),
                              "session": room.id, "version": room.results_version, "builder": builder,
                              "kwargs": kwargs})
    import handouts  # the tests' threading mode, and in-memory stores
    with _lock:
        results = handouts.load_results(room.store, room.deck, room.id)
        return getattr(handouts, builder)(room.deck, results, **kwargs)
