"""Limits on what one phone or one address may do: a token bucket and a join-code guess counter,
kept in this process, or in Redis when several processes serve a room (so that a limit holds
whichever process a phone reaches)."""
from __future__ import annotations

import threading
import time


class RateLimiter:
    """A token bucket: `rate` a second sustained, `burst` at once."""

    def __init__(self, rate: float, burst: int, clock=time.monotonic):
        self.rate, self.burst, self.clock = rate, burst, clock
        self.tokens, self.at = float(burst), clock()
        self._lock = threading.Lock()  # threading mode: one phone's events may race

    def allow(self) -> bool:
        with self._lock:
            now = self.clock()
            self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
            self.at = now
            if self.tokens >= 1:
                self.tokens -= 1
                return True
            return False


class GuessLimiter:
    """Count wrong join codes per address over the last minute."""

    def __init__(self, per_minute: int, clock=time.monotonic):
        self.per_minute, self.clock = per_minute, clock
        self.fails: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, addr) -> list[float]:
        cutoff = self.clock() - 60
        recent = [t for t in self.fails.get(addr, ()) if t > cutoff]
        if recent:
            self.fails[addr] = recent
        else:
            self.fails.pop(addr, None)
        return recent

    def allow(self, addr) -> bool:
        with self._lock:
            return len(self._recent(addr)) < self.per_minute

    def fail(self, addr) -> None:
        with self._lock:
            self._recent(addr)
            self.fails.setdefault(addr, []).append(self.clock())


class PerKeyLimits:
    """One RateLimiter per key (a participant's downloads, say), made on first use."""

    def __init__(self, rate: float, burst: int):
        self.rate, self.burst = rate, burst
        self.limiters: dict = {}
        self._lock = threading.Lock()

    def allow(self, key) -> bool:
        with self._lock:
            limiter = self.limiters.get(key)
            if limiter is None:
                limiter = self.limiters[key] = RateLimiter(self.rate, self.burst)
        return limiter.allow()


# ----- across the processes of a cluster (Redis), falling back to the limits above -----

# A token bucket in Redis, one round trip: refilled at ARGV[1] a second up to ARGV[2], on
# Redis's own clock (the processes' clocks may differ); returns 1 if a token was taken.
TOKEN_BUCKET = """
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens, at = tonumber(b[1]) or burst, tonumber(b[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local taken = 0
if tokens >= 1 then tokens = tokens - 1; taken = 1 end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return taken
"""


class SharedRateLimiter:
    """A RateLimiter whose bucket is in Redis under `key` (a participant's, so that the limit
    holds across their connections and the processes); the local bucket answers while Redis
    is unreachable."""

    def __init__(self, shared, key: str, rate: float, burst: int):
        self.shared, self.key, self.rate, self.burst = shared, key, rate, burst
        self.local = RateLimiter(rate, burst)

    def allow(self) -> bool:
        script = self.shared.script(TOKEN_BUCKET)
        return self.shared.call(lambda r: bool(script(keys=[self.key], args=[self.rate, self.burst])),
                                self.local.allow)


class SharedGuessLimiter(GuessLimiter):
    """Wrong join codes per address counted in Redis (INCR and EXPIRE in one round trip), a
    minute from the first; counted here too, for when Redis is unreachable."""

    def __init__(self, shared, per_minute: int, clock=time.monotonic):
        super().__init__(per_minute, clock)
        self.shared = shared

    def _key(self, addr) -> str:
        return f"workshop:guesses:{addr}"

    def allow(self, addr) -> bool:
        def ask(r):
            got = r.get(self._key(addr))
            return int(got or 0) < self.per_minute
        return self.shared.call(ask, lambda: super(SharedGuessLimiter, self).allow(addr))

    def fail(self, addr) -> None:
        super().fail(addr)

        def count(r):
            pipe = r.pipeline()
            pipe.incr(self._key(addr))
            pipe.expire(self._key(addr), 60, nx=True)
            pipe.execute()
        self.shared.call(count, lambda: None)
