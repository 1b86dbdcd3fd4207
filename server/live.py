"""What the app holds of the live session: rooms, their broadcaster, connections and limits,
reached through `live()`."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app

from .broadcast import Broadcaster
from .limits import GuessLimiter, PerKeyLimits
from .network import RecentChecks
from .rooms import RoomRegistry


@dataclass
class Live:
    """The live side of one app: rooms, who is connected to them, and the limits."""

    rooms: RoomRegistry
    broadcaster: Broadcaster
    guesses: GuessLimiter  # wrong join codes per address
    takeaways: PerKeyLimits  # takeaway downloads per participant
    clients: dict = field(default_factory=dict)  # Socket.IO sid -> events.Client
    checks: RecentChecks = field(default_factory=RecentChecks)  # phones that ran /check
    # room checks per address: a check page sends six messages; nothing needs more
    check_limits: PerKeyLimits = field(default_factory=lambda: PerKeyLimits(2.0, 12))

    @property
    def store(self):
        return self.rooms.store


def live(app=None) -> Live:
    """Return the live side of an app, by default the current one."""
    return (app or current_app).extensions["workshop"]
