"""Following a room that several processes serve: a mixin of `Room` (rooms.py) and the
`Follower` that feeds it the other processes' events from the bus (server/bus.py).

The store is the truth; each process keeps caches of it. A process that commits something
publishes it; the others either take the row it carries (an answer or a moderation status,
applied only if its store-wide revision is newer than the one held for that row) or reload
from the store what it names (the state at a version, the Q&A). What a process's own clients
must see, it sends them itself, from its caches (broadcast.py): so each client gets every
message once, and the whole room's tallies.
"""
from __future__ import annotations

import time

from workshop import polltypes
from workshop.polltypes import AnswerError
from workshop.session import NOTHING, Change
from workshop.store import PollClosed, RoomState, StoreUnavailable

from .bus import Counts, NullBus, newer

__all__ = ["Follow", "Follower", "StoreUnavailable", "retriable", "state_change"]

# facilitator actions that mean the same on a newer state: applied again after losing a race
ABSOLUTE = {"goto", "open", "close", "reveal", "hide", "reset", "takeaways", "approve", "approve_all",
            "hide_answer", "spotlight", "spotlight_off", "activity_start", "activity_pause"}
CONNECTED_EVERY = 1.0  # seconds between a process's refreshes of its connected count


def retriable(action: str, args: dict) -> bool:
    """Whether an action can be applied again to a state newer than the one it was meant for."""
    return (action in ABSOLUTE or action.startswith("qa_") or (action == "qr" and "show" in args)
            or (action == "moderate" and "on" in args))


def state_change(before: RoomState, after: RoomState) -> Change:
    """What clients must be shown when the state moves from `before` to `after` (a reset is
    not in the state: its event says so)."""
    polls = {p for p in set(before.polls) | set(after.polls) if before.polls.get(p) != after.polls.get(p)}
    polls |= {p for p in set(before.timers) | set(after.timers) if before.timers.get(p) != after.timers.get(p)}
    return Change(slide=before.slide != after.slide, qr=before.qr != after.qr,
                  takeaways=before.takeaways != after.takeaways, polls=frozenset(polls),
                  moderation=before.moderate != after.moderate,
                  spotlight=before.spotlight != after.spotlight,
                  activity=before.activity != after.activity)


class Follow:
    """The cluster side of a Room: revisions held, remote counts, catching up with the store."""

    bus = NullBus()

    def _follow_init(self) -> None:
        self._connected = 0  # phones connected to this process
        self.revs: dict[tuple[str, int], int] = {}  # (poll, participant) -> revision held
        self.people_ids: set[int] = set()
        self.remote = Counts()
        self.qa_stale = self.stale = False  # reload the Q&A / everything on the next tick
        self.connected_sent = (-1, 0.0)  # (count, when) last published

    @property
    def connected(self) -> int:
        """How many phones are connected to this process right now (what paces its broadcasts)."""
        return self._connected

    def phone_connected(self) -> None:
        """Count a phone that connected."""
        with self.lock:
            self._connected += 1
        self._tell(Change(people=True))

    def phone_disconnected(self) -> None:
        """Count a phone that went away (it stays a participant, for when it comes back)."""
        with self.lock:
            self._connected -= 1
        self._tell(Change(people=True))

    @property
    def connected_total(self) -> int:
        """Phones connected to every process of the room (what the facilitator is shown)."""
        return self._connected + self.remote.total()

    def _publish(self, kind: str, **fields) -> None:
        self.bus.publish(self.id, kind, **fields)

    def _count_people(self, people) -> None:
        self.people_ids = {p.id for p in people}
        self.participants = len(self.people_ids)

    # ----- the state -----

    def state_now(self) -> RoomState:
        """The state in memory, copied (an activity is a dict that moves in place)."""
        s = self._stored_state()
        return s.but(activity=dict(s.activity) if s.activity else None, timers=dict(s.timers))

    def state_change_from(self, before: RoomState) -> Change:
        return state_change(before, self._stored_state())

    def follow_state(self) -> Change:
        """Take the store's state if it is newer than ours; return what clients must see."""
        with self.lock:
            stored = self.store.state(self.id)
            if stored.version <= self.state_version:
                return NOTHING
            before = self.state_now()
            self._load_state(stored)  # keeps only what this deck has
            self.results_version += 1
            return self.state_change_from(before)

    def catch_up(self, version) -> None:
        """An answer came against a state newer than ours: read it first, or refuse."""
        if isinstance(version, bool) or not isinstance(version, int) or version <= self.state_version:
            return
        self._tell(self.follow_state())
        if version > self.state_version:
            raise AnswerError("unknown_version", "The server has not got this version of the "
                              "session yet; reload the page.")

    def publish_state(self, change: Change) -> None:
        """Tell the other processes the state moved to our version (after its commit)."""
        if change.state:
            self._publish("state", v=self.state_version, reset=sorted(change.reset))

    # ----- answers committed elsewhere -----

    def _apply_answer(self, e: dict) -> Change:
        poll_id, who, uid = e.get("p"), e.get("who"), e.get("uid") or ""
        if poll_id not in self.tallies or not isinstance(who, int):
            return NOTHING
        if uid:
            self.uids.add((poll_id, who, uid))
        if not newer(e.get("rev"), self.revs.get((poll_id, who))):
            return NOTHING
        self.revs[(poll_id, who)] = e.get("rev") or 0
        tally, stored = self.tallies[poll_id], self.answers[poll_id].get(who)
        if stored is not None:
            tally.remove(who, stored)
        if polltypes.get(self.deck.polls[poll_id].type).free_text:
            tally.add(who, e.get("val"), e.get("st") or "shown", e.get("why") or "")
        else:
            tally.add(who, e.get("val"))
        self.answers[poll_id][who] = e.get("val")
        self.results_version += 1
        return Change(tallies=frozenset((poll_id,)))

    def _apply_status(self, e: dict) -> Change:
        poll_id, who = e.get("p"), e.get("who")
        tally = self.tallies.get(poll_id)
        if tally is None or who not in self.answers[poll_id] or not newer(e.get("rev"), self.revs.get((poll_id, who))):
            return NOTHING
        self.revs[(poll_id, who)] = e.get("rev") or 0
        if not tally.set_status(who, e.get("st")):
            return NOTHING
        self.results_version += 1
        return Change(tallies=frozenset((poll_id,)))

    def counted_elsewhere(self, poll_id: str, participant_id: int, uid: str) -> bool:
        """Whether the store holds this very answer (by uid) though our caches missed it (its
        process died before publishing it); if so the caches take it."""
        if not uid:
            return False
        rows = self.store.answers(self.id, poll_id, participant_id)
        if not rows or rows[0].uid != uid:
            return False
        a = rows[0]
        self._tell(self._apply_answer({"p": poll_id, "who": participant_id, "val": a.value, "st": a.status,
                                       "why": a.reason, "uid": uid, "rev": getattr(a, "rev", 0)}))
        return True

    # ----- events from the bus -----

    def on_event(self, e: dict) -> Change:
        """Apply another process's event; return what this process's clients must be shown."""
        kind = e["k"]
        with self.lock:
            if kind == "answer":
                return self._apply_answer(e)
            if kind == "uid":
                self.uids.add((e.get("p"), e.get("who"), e.get("uid")))
                return NOTHING
            if kind == "status":
                return self._apply_status(e)
            if kind == "joined":
                who = e.get("who")
                if who not in self.people_ids:
                    self.people_ids.add(who)
                    self.participants = len(self.people_ids)
                    self.results_version += 1
                if e.get("named"):
                    self.named.add(who)
                return Change(people=True)
            if kind == "named":
                (self.named.add if e.get("named") else self.named.discard)(e.get("who"))
                self.results_version += 1
                return NOTHING
            if kind == "team":
                self.results_version += 1
                return NOTHING
            if kind == "connected":
                return Change(people=True) if self.remote.put(e["w"], int(e.get("n", 0))) else NOTHING
            if kind == "qa":
                self.qa_stale = True
                return NOTHING
            if kind == "resync":
                self.stale = True
                return NOTHING
        if kind == "state":
            change = self.follow_state()
            if e.get("reset"):
                self.rebuild()
                change |= Change(reset=frozenset(p for p in e["reset"] if p in self.deck.polls))
            return change
        return NOTHING

    def follow_tick(self, now: float) -> Change:
        """Once a tick: publish our connected count (on change, and to stay fresh), drop the
        stale counts of processes gone quiet, and reload what events marked stale."""
        change = NOTHING
        count, sent_at = self.connected_sent
        if count != self._connected or now - sent_at >= CONNECTED_EVERY:
            self.connected_sent = (self._connected, now)
            self._publish("connected", n=self._connected)
        with self.lock:
            if self.remote.expire():
                change |= Change(people=True)
        if self.stale:
            self.stale = self.qa_stale = False
            self.rebuild()
            change |= self.follow_state() | Change(people=True, questions=True,
                                                    tallies=frozenset(self.deck.polls))
        elif self.qa_stale:
            self.qa_stale = False
            with self.lock:
                self._load_questions()  # moves qa_version
                self.results_version += 1
            change |= Change(questions=True)
        return change


class Follower:
    """Feeds the bus's events to this process's rooms and runs their follow ticks."""

    def __init__(self, rooms, bus, log, tell_later):
        self.rooms, self.bus, self.log = rooms, bus, log
        self.tell_later = tell_later  # (room, change) -> None: state changes are sent in a task
        self.ready = False  # /healthz says so: a balancer sends no phone here before it is

    def on_event(self, session_id: str, event: dict) -> None:
        room = self.rooms.rooms.get(session_id)
        if room is None:
            return
        change = room.on_event(event)
        if change.state:  # a paced broadcast must not hold up the next events
            self.tell_later(room, change)
        elif change:
            room._tell(change)

    def on_reconnect(self, first: bool) -> None:
        """Events were (or may have been) missed: rebuild every room; after an outage, tell the
        others to rebuild too (they may have missed ours).

        The first time, the rooms are rebuilt here and now, before this process says it is
        ready: they were loaded before the subscription began, and a phone sent here in between
        (a worker restarted after a crash fills up first) would be welcomed with answers that
        other processes have since replaced."""
        for room in list(self.rooms.rooms.values()):
            if not first:
                room.stale = True
                room._publish("resync")
                continue
            try:
                room.rebuild()
                change = room.follow_state()
            except StoreUnavailable:
                room.stale = True  # the next tick tries again
                continue
            if change.state:
                self.tell_later(room, change)
            elif change:
                room._tell(change)
        self.ready = True

    def tick(self) -> None:
        now = time.monotonic()
        for room in list(self.rooms.rooms.values()):
            try:
                change = room.follow_tick(now)
            except StoreUnavailable:
                room.stale = True  # try again on the next tick
                continue
            if change.state:
                self.tell_later(room, change)
            elif change:
                room._tell(change)

    def run(self, tick_seconds: float, stopping, sleep) -> None:
        while not stopping():
            sleep(tick_seconds)
            try:
                self.tick()
            except Exception:
                self.log.exception("follow tick failed")
