"""The room bus: small JSON events on Redis pub/sub that keep several server processes of one
session in step (docs/protocol.md, "Several processes").

Each process publishes what it committed (a new state version, an answer with its revision, a
moderation status, a participant, a Q&A change, its count of connected phones) on the channel
`workshop:<session id>`, after the commit, and applies what the others published (server/
follow.py). The store stays the truth: an event only says what to take from it, or carries a
row with its store-wide revision, so that a process applies only newer ones.

Redis may go away: publishing then fails quietly (the answer is committed, its ack goes out)
and is skipped for a moment rather than retried per answer; the subscriber reconnects, and
since events were missed meanwhile every room is rebuilt from the store and the others are
told to rebuild too (`resync`). With no Redis configured, `NullBus` does nothing.
"""
from __future__ import annotations

import json
import os
import secrets
import threading
import time

CHANNEL = "workshop:"  # + session id; Flask-SocketIO's own channel is SOCKETIO_CHANNEL
SOCKETIO_CHANNEL = "workshop-socketio"
QUIET_AFTER_FAILURE = 1.0  # seconds publishing is skipped after Redis failed
CONNECTED_FRESH = 5.0  # seconds another process's count of connected phones stays counted


def worker_name(configured: str = "") -> str:
    """This process's name on the bus: unique even when two processes share a WORKER_ID."""
    return f"{configured or 'w'}.{os.getpid()}.{secrets.token_hex(3)}"


def encode(worker: str, kind: str, **fields) -> str:
    """One bus event: `w` the sender, `k` its kind, then the kind's fields (docs/protocol.md)."""
    return json.dumps({"w": worker, "k": kind, **fields}, separators=(",", ":"))


def decode(data) -> dict | None:
    """An event as a dict, or None for anything that is not one of ours."""
    try:
        event = json.loads(data)
    except (TypeError, ValueError):
        return None
    return event if isinstance(event, dict) and isinstance(event.get("k"), str) else None


def newer(rev, held) -> bool:
    """Whether a row at revision `rev` replaces the one held at `held`. A store that numbers no
    revisions (0 or None) leaves it to arrival order: the event is applied."""
    return not rev or rev > (held or 0)


class Counts:
    """The other processes' counts of connected phones, each dropped once it goes stale
    (a process killed with SIGKILL stops refreshing its own)."""

    def __init__(self, fresh: float = CONNECTED_FRESH, clock=time.monotonic):
        self.fresh, self.clock = fresh, clock
        self.seen: dict[str, tuple[int, float]] = {}

    def put(self, worker: str, count: int) -> bool:
        """Take a process's count; return whether the total changed."""
        before = self.seen.get(worker, (0, 0))[0]
        self.seen[worker] = (count, self.clock())
        return before != count

    def expire(self) -> bool:
        """Drop stale counts; return whether any that counted was dropped."""
        cutoff = self.clock() - self.fresh
        gone = [w for w, (n, at) in self.seen.items() if at < cutoff]
        counted = [self.seen.pop(w)[0] for w in gone]
        return any(counted)

    def total(self) -> int:
        cutoff = self.clock() - self.fresh
        return sum(n for n, at in self.seen.values() if at >= cutoff)


_clients: dict[str, object] = {}
_clients_lock = threading.Lock()


def redis_client(url: str):
    """One redis-py client per URL in this process (a connection pool), with short time-outs:
    a Redis that is down must cost an answer milliseconds, not seconds."""
    with _clients_lock:
        client = _clients.get(url)
        if client is None:
            import redis
            client = _clients[url] = redis.Redis.from_url(
                url, socket_timeout=1.0, socket_connect_timeout=0.5, health_check_interval=10)
        return client


class Shared:
    """Redis for what several processes count together, with a fuse: after a failure Redis is
    left alone for `QUIET_AFTER_FAILURE` and the caller's local fallback answers."""

    def __init__(self, url: str, clock=time.monotonic):
        self.url, self.clock = url, clock
        self.redis = redis_client(url)
        self.down_until = 0.0
        self._scripts: dict[str, object] = {}

    def script(self, lua: str):
        """A registered Lua script (EVALSHA, loaded again if Redis restarted empty)."""
        script = self._scripts.get(lua)
        if script is None:
            script = self._scripts[lua] = self.redis.register_script(lua)
        return script

    def call(self, fn, fallback):
        """Return fn(redis), or fallback() while Redis is unreachable."""
        if self.clock() < self.down_until:
            return fallback()
        try:
            return fn(self.redis)
        except Exception:  # redis.RedisError, OSError: Redis is down or restarting
            self.down_until = self.clock() + QUIET_AFTER_FAILURE
            return fallback()


class NullBus:
    """No Redis: one process, nothing to follow."""

    worker = "local"
    enabled = False

    def publish(self, session_id: str, kind: str, **fields) -> None:
        pass


class Bus(NullBus):
    """Redis pub/sub of room events for this process."""

    enabled = True

    def __init__(self, url: str, worker: str, log=None, clock=time.monotonic):
        self.url, self.worker, self.log, self.clock = url, worker, log, clock
        self.shared = Shared(url, clock)
        self.down = False  # set on a failure; cleared once the subscriber is back
        self.publish_failures = 0
        self.missed: set[str] = set()  # sessions whose events were lost: `resync` them once back

    def publish(self, session_id: str, kind: str, **fields) -> None:
        """Publish one event after its commit; never raises (the caller's work is done)."""
        if self.down and self.clock() < self.shared.down_until:
            self.missed.add(session_id)
            return
        try:
            self.shared.redis.publish(CHANNEL + session_id, encode(self.worker, kind, **fields))
            while self.missed:  # back after a failure the subscriber may not have seen
                self.shared.redis.publish(CHANNEL + self.missed.pop(), encode(self.worker, "resync"))
        except Exception:
            self.publish_failures += 1
            self.missed.add(session_id)
            self.down = True  # the subscriber's reconnection rebuilds everyone
            self.shared.down_until = self.clock() + QUIET_AFTER_FAILURE

    def listen(self, on_event, on_reconnect, stopping, sleep=time.sleep) -> None:
        """Deliver every other process's events to on_event(session_id, event) until stopped;
        after each (re)subscription call on_reconnect(first), so that the caller rebuilds what
        it may have missed. Runs as a background task."""
        import redis
        first, backoff = True, 0.2
        while not stopping():
            pubsub = None
            try:
                pubsub = redis.Redis.from_url(self.url, socket_connect_timeout=0.5,
                                              health_check_interval=5).pubsub(ignore_subscribe_messages=True)
                pubsub.psubscribe(CHANNEL + "*")
                self.down, backoff = False, 0.2
                self.shared.down_until = 0.0
                on_reconnect(first)
                first = False
                while not stopping():
                    message = pubsub.get_message(timeout=1.0)
                    if message is None or message.get("type") != "pmessage":
                        continue
                    channel = message["channel"].decode("utf-8", "replace")
                    event = decode(message["data"])
                    if event is not None and event.get("w") != self.worker:
                        try:
                            on_event(channel[len(CHANNEL):], event)
                        except Exception:  # one bad event must not drop the subscription
                            if self.log:
                                self.log.exception("room bus: event %s failed", event.get("k"))
            except Exception as exc:  # Redis down or restarting: try again, then resync
                self.down = True
                if self.log and not first:
                    self.log.warning("room bus: %s; reconnecting", exc)
                sleep(backoff)
                backoff = min(backoff * 2, 2.0)
            finally:
                if pubsub is not None:
                    try:
                        pubsub.close()
                    except Exception:
                        pass
