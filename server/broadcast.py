"""Broadcasting: how what changed in a room reaches its projector, console and phones.

A room tells the broadcaster each `Change`. What a person must see at once goes out at once
(a new slide, a poll opened or closed, a reset); counts are coalesced and pushed by the ticker
about ten times a second, never once per answer; results shown on the phones go out at most
once a `phone_interval`, and less often in big rooms. A broadcast to thousands of phones is
paced over slices of the room, so that answers arriving meanwhile are not held up behind it.

Every message goes only to this process's own clients (`emit`, never through the message
queue), even when several processes serve the room (server/follow.py): each process learns
the others' changes from the room bus and tells its own clients from its caches, which hold
the whole room's tallies. So a projector gets each tally once, however many processes there
are; a broadcast is paced by this process's own count of phones; and a Redis outage stops
only what crosses processes, never what a process sends its own phones.
"""
from __future__ import annotations

import threading
import time

from workshop import polltypes
from workshop.session import Change

from .extensions import socketio
from .rooms import Room

PHONE_SLICES = 64
SLICE_AT_ONCE = 250  # up to this many phones, a broadcast goes out in one go
FANOUT_PER_SECOND = 5000  # a bigger broadcast is paced at this many messages a second
PHONE_MESSAGES_PER_SECOND = 1000  # `results` fan-out budget: big rooms get them less often


def phones(room: Room) -> str:
    """The Socket.IO room of every phone of a session."""
    return f"phones:{room.id}"


def phone_slice(room: Room, participant_id: int) -> str:
    """The Socket.IO room of one slice of a session's phones."""
    return f"phones:{room.id}:{participant_id % PHONE_SLICES}"


def facilitators(room: Room) -> str:
    """The Socket.IO room of a session's projector and console pages."""
    return f"facilitators:{room.id}"


def emit(event: str, payload, to: str) -> None:
    """Send to this process's clients in a Socket.IO room (or one sid), bypassing the queue."""
    socketio.emit(event, payload, to=to, ignore_queue=True)


def heard(to: str) -> bool:
    """Whether any client of this process is in a Socket.IO room: a process of a cluster with
    no projector or console of its own need not build their messages ten times a second."""
    server = getattr(socketio, "server", None)
    rooms = getattr(getattr(server, "manager", None), "rooms", None)
    return rooms is None or bool(rooms.get("/", {}).get(to))


class Pending:
    """What one room has changed since the ticker last pushed it."""

    def __init__(self, room: Room):
        self.room = room
        self.tallies: set[str] = set()
        self.people = False
        self.phone_results = False
        self.phones_pushed_at = 0.0
        self.questions = False  # the Q&A changed since the last push to facilitators
        self.phone_questions = False  # ... and since the last push to phones
        self.questions_pushed_at = 0.0
        self.fanout = threading.Lock()  # held while a broadcast goes out to the phones


class Broadcaster:
    """Turns rooms' changes into Socket.IO messages; the listener of every room."""

    def __init__(self, join_url, phone_interval: float = 1.0, clock=time.monotonic):
        self.join_url = join_url  # room -> the URL its phones join with
        self.phone_interval = phone_interval
        self.clock = clock
        self.pending: dict[str, Pending] = {}  # room id -> its pending changes
        self.busy_at = 0.0  # when the ticker last had a change to push: idle rooms can take a GC pause
        self.stopping = False
        self._lock = threading.Lock()

    def _pending(self, room: Room) -> Pending:
        p = self.pending.get(room.id)
        if p is None:
            with self._lock:
                p = self.pending.setdefault(room.id, Pending(room))
        return p

    def __call__(self, room: Room, change: Change) -> None:
        """Take a room's change: send what is urgent now, keep the rest for the ticker."""
        p = self._pending(room)
        with self._lock:
            p.tallies |= change.tallies | change.polls
            p.people |= change.people
            if change.questions:
                p.questions = p.phone_questions = True
            if change.tallies and room.shows_results_of(change.tallies):
                p.phone_results = True
        if change.state and heard(facilitators(room)):
            emit("facilitator_state", room.facilitator_state(self.join_url(room)), to=facilitators(room))
        if change.state:
            for poll_id in sorted(change.reset):
                self.to_phones(room, "reset", {"poll": poll_id})
            current = room.state.current_poll
            if (change.slide or change.takeaways or change.activity
                    or (current and current.id in change.polls)):
                self.send_phone_state(room)

    def send_phone_state(self, room: Room) -> None:
        """Send every phone the state; it carries the results, so none are due until later."""
        p = self._pending(room)
        with self._lock:
            p.phone_results, p.phones_pushed_at = False, self.clock()
        self.to_phones(room, "state", room.phone_state())

    def to_phones(self, room: Room, event: str, payload) -> None:
        """Send an event to every phone of a room, a slice at a time when the room is big."""
        with self._pending(room).fanout:  # one broadcast per room at a time, in order
            if room.connected <= SLICE_AT_ONCE:
                emit(event, payload, to=phones(room))
                return
            pause = room.connected / FANOUT_PER_SECOND / PHONE_SLICES
            for k in range(PHONE_SLICES):
                emit(event, payload, to=f"phones:{room.id}:{k}")
                socketio.sleep(pause)  # answers that arrive meanwhile go first

    def push(self) -> None:
        """Send each room's changed tallies to its facilitators, and revealed results to phones."""
        now = self.clock()
        for p in list(self.pending.values()):
            room = p.room
            with self._lock:
                tallies, people = p.tallies, p.people
                p.tallies, p.people = set(), False
                interval = max(self.phone_interval, room.connected / PHONE_MESSAGES_PER_SECOND)
                results_due = p.phone_results and now - p.phones_pushed_at >= interval
                if results_due:
                    p.phone_results, p.phones_pushed_at = False, now
            if tallies or people:
                self.busy_at = now
            watched = heard(facilitators(room))
            if watched and (tallies or people):
                emit("tally", room.tally_message(tallies), to=facilitators(room))
            if watched and any(poll_id in room.deck.polls
                               and polltypes.get(room.deck.polls[poll_id].type).free_text
                               for poll_id in tallies):
                emit("queue", room.queue_message(), to=facilitators(room))
            self.push_questions(p, now)
            results = room.phone_results() if results_due else None
            if results and room.connected > SLICE_AT_ONCE:  # spread out, without holding up tallies
                socketio.start_background_task(self.to_phones, room, "results", results)
            elif results:
                self.to_phones(room, "results", results)

    def push_questions(self, p: Pending, now: float) -> None:
        """The Q&A, coalesced: facilitators get every tick's changes (the projector's order),
        phones the shown questions at most once a `phone_interval`, less often in big rooms."""
        room = p.room
        with self._lock:
            to_facilitators, p.questions = p.questions, False
            interval = max(self.phone_interval, room.connected / PHONE_MESSAGES_PER_SECOND)
            to_phones = p.phone_questions and now - p.questions_pushed_at >= interval
            if to_phones:
                p.phone_questions, p.questions_pushed_at = False, now
        if to_facilitators and heard(facilitators(room)):
            self.busy_at = now
            emit("questions", room.facilitator_questions(), to=facilitators(room))
            emit("queue", room.queue_message(), to=facilitators(room))
        if to_phones and room.connected > SLICE_AT_ONCE:
            socketio.start_background_task(self.to_phones, room, "questions", room.phone_questions())
        elif to_phones:
            self.to_phones(room, "questions", room.phone_questions())

    def run(self, tick_seconds: float, log) -> None:
        """Push coalesced updates every tick until stopped (the ticker's background task)."""
        while not self.stopping:
            socketio.sleep(tick_seconds)
            try:
                self.push()
            except Exception:  # a push that fails must not stop the next ones
                log.exception("push failed")
