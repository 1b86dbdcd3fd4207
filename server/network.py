"""The laptop on the room's network: its addresses, and what room checks found (see /check)."""
from __future__ import annotations

import re
import socket
import threading
from collections import deque
from dataclasses import asdict, dataclass

import psutil

TRANSPORTS = ("websocket", "polling")
HOST = re.compile(r"^[A-Za-z0-9.:\[\]_-]{1,100}\Z")  # what a phone's address bar had: host[:port]


def ipv4_addresses() -> list[tuple[str, str]]:
    """Return (interface, address) of every IPv4 address the laptop has, but loopback ones."""
    found = []
    for interface, addresses in sorted(psutil.net_if_addrs().items()):
        for address in addresses:
            if address.family == socket.AF_INET and not address.address.startswith("127."):
                found.append((interface, address.address))
    return found


@dataclass(frozen=True)
class RoomCheck:
    """A phone that ran the room check: where it was, how long a round trip took, and how."""

    address: str  # the phone's, as the server saw it
    rtt_ms: int  # the median of its pings
    transport: str  # websocket or polling
    via: str  # the host[:port] the phone opened
    at: float

    @classmethod
    def read(cls, address: str, data: dict, at: float) -> "RoomCheck | None":
        """Return the report a check page sent, or None if it is not one."""
        rtt, transport, via = data.get("rtt_ms"), data.get("transport"), data.get("via", "")
        if (isinstance(rtt, bool) or not isinstance(rtt, (int, float)) or not 0 <= rtt <= 60_000
                or transport not in TRANSPORTS or not isinstance(via, str)
                or (via and not HOST.match(via))):
            return None
        return cls(address or "", round(rtt), transport, via, at)


class RecentChecks:
    """The last few room checks, newest first, for every console of this server."""

    def __init__(self, keep: int = 8):
        self._checks: deque[RoomCheck] = deque(maxlen=keep)
        self._lock = threading.Lock()

    def add(self, check: RoomCheck) -> None:
        with self._lock:
            self._checks.appendleft(check)

    def as_list(self) -> list[dict]:
        with self._lock:
            return [asdict(c) for c in self._checks]
