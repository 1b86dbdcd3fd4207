"""What the app holds of the live session: rooms, their broadcaster, connections and limits,
reached through `live()`."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app

from .broadcast import Broadcaster
from .bus import NullBus
from .limits import GuessLimiter, PerKeyLimits, RateLimiter, SharedRateLimiter
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
    bus: object = field(default_factory=NullBus)  # the room bus (server/bus.py) of a cluster
    shared: object = None  # bus.Shared: Redis for limits and locks, when there is one
    follower: object = None  # follow.Follower, when there is a bus

    def phone_limiter(self, room, participant_id: int, rate: float, burst: int):
        """A phone's message budget: per connection alone, per participant in a cluster."""
        if self.shared is None:
            return RateLimiter(rate, burst)
        return SharedRateLimiter(self.shared, f"workshop:rate:{room.id}:{participant_id}", rate, burst)

    @property
    def store(self):
        return self.rooms.store


def live(app=None) -> Live:
    """Return the live side of an app, by default the current one."""
    return (app or current_app).extensions["workshop"]
