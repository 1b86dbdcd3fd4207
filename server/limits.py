"""Limits on what one phone or one address may do: a token bucket and a join-code guess counter."""
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
