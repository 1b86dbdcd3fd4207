"""Time on the server's clock: timed quiz questions and timed activities. A mixin of `Room`
(rooms.py), which provides the deck, the state, the store (its `clock` stamps every answer and
every deadline), the lock, `_commit` and `_tell`; and `run`, the background task that fires
the deadlines (started beside the broadcaster's ticker, so it works under gevent and threads).

Phones and projectors never count from their own start time: every state they get carries
`server_now` (ms) and the deadlines in server time (docs/protocol.md, "Time").
"""
from __future__ import annotations

from workshop import activity, quiz
from workshop.polltypes import AnswerError
from workshop.session import NOTHING, OPEN, CLOSED, Change, ControlError, apply
from workshop.store import StaleState

from .extensions import socketio

__all__ = ["ACTIVITY_ACTIONS", "Timed", "run"]

ACTIVITY_ACTIONS = ("activity_start", "activity_pause", "activity_skip", "activity_extend")


def ms(t: float | None) -> int | None:
    return None if t is None else round(t * 1000)


class Timed:
    """The timers of a Room."""

    def now(self) -> float:
        return self.store.clock()

    # ----- quiz deadlines -----

    def _timed_control(self, action: str, args: dict) -> Change:
        """An activity_* action, or the state machine's with the clocks of the timed questions
        it opens; committed (the caller holds the lock)."""
        if action.startswith("activity_"):
            change = self._activity_control(action, args)
        else:
            before = self._poll_statuses()
            change = apply(self.state, action, args)
            self._time_polls(before, change)
        if change.state:
            self._commit(change)
        return change

    def _poll_statuses(self) -> dict[str, str]:
        return {poll_id: ps.status for poll_id, ps in self.state.polls.items()}

    def _time_polls(self, before: dict[str, str], change: Change) -> None:
        """Start the clock of each timed question the change opened (or reset while open)."""
        now = None
        for poll_id in change.polls:
            poll = self.deck.polls[poll_id]
            if not quiz.seconds(poll) or self.state.polls[poll_id].status != OPEN:
                continue
            if before.get(poll_id) != OPEN or poll_id in change.reset:
                now = now if now is not None else self.now()
                self.state.timers[poll_id] = (now, now + quiz.seconds(poll))

    def check_deadline(self, poll_id: str) -> None:
        """Refuse an answer after its question's deadline, even before the timer closed it."""
        timer = self.state.timers.get(poll_id)
        if timer and quiz.seconds(self.deck.polls[poll_id]) and self.now() >= timer[1]:
            raise AnswerError("too_late", "Time is up: this question no longer takes answers.")

    def opened_at(self) -> dict[str, float]:
        return {poll_id: t[0] for poll_id, t in self.state.timers.items()}

    # ----- the activity -----

    def _activity_state(self) -> dict:
        a = self.state.activity
        return dict(a) if a and a.get("slide") == self.state.slide else activity.idle(self.state.slide)

    def _activity_control(self, action: str, args: dict) -> Change:
        phases = self.deck.slides[self.state.slide].activity
        if not phases:
            raise ControlError("no_activity", "This slide has no timed activity.")
        if action not in ACTIVITY_ACTIONS:
            raise ControlError("unknown_action", f"Unknown action '{action}'.")
        a, now = self._activity_state(), self.now()
        activity.advance(a, phases, now)
        if action == "activity_start":
            activity.start(a, phases, now)
        elif action == "activity_pause":
            activity.pause(a, now)
        elif action == "activity_skip":
            activity.skip(a, phases, now)
        else:
            minutes = args.get("minutes", 1)
            if isinstance(minutes, bool) or not isinstance(minutes, (int, float)) or not 0 < minutes <= 30:
                raise ControlError("bad_value", "'minutes' must be a number from 0 to 30.")
            activity.extend(a, phases, minutes * 60)
        self.state.activity = a
        return Change(activity=True)

    # ----- firing -----

    @property
    def timed(self) -> bool:
        """Whether anything here waits for a deadline."""
        a = self.state.activity
        return bool(self.state.timers) or bool(a and a.get("running"))

    def expire(self) -> Change:
        """Close timed questions whose time is up and move running activities past ended
        phases; commit and tell it, as any facilitator action. Every process of a room fires
        the same deadlines: one wins the store's compare-and-set, the others take its state."""
        with self.lock:
            before = self.state_now()
            now, closed = self.now(), set()
            for poll_id, (_, closes_at) in self.state.timers.items():
                if (now >= closes_at and self.state.polls[poll_id].status == OPEN
                        and quiz.seconds(self.deck.polls[poll_id])):  # the deck may have changed
                    self.state.polls[poll_id].status = CLOSED
                    closed.add(poll_id)
            a = self.state.activity
            moved = bool(a) and a["slide"] < len(self.deck.slides) and activity.advance(
                a, self.deck.slides[a["slide"]].activity, now)
            change = Change(polls=frozenset(closed), activity=moved) if closed or moved else NOTHING
            lost = False
            if change:
                try:
                    self._commit(change)
                except StaleState:  # another process fired it first; `_commit` took the store's state
                    change, lost = self.state_change_from(before), True
        if lost:
            return self._tell(change)
        self.publish_state(change)
        return self._tell(change)

    # ----- what clients see -----

    def timing_view(self) -> dict:
        """`server_now`, the open timed questions' deadlines and the current slide's activity."""
        now = self.now()
        timers = {poll_id: {"opened_at": ms(o), "closes_at": ms(c), "seconds": quiz.seconds(self.deck.polls[poll_id])}
                  for poll_id, (o, c) in self.state.timers.items() if poll_id in self.deck.polls}
        phases = self.deck.slides[self.state.slide].activity
        view = None
        if phases:
            a = self._activity_state()
            done = a["phase"] >= len(phases)
            view = {"phases": [{"say": p.say, "seconds": p.seconds} for p in phases],
                    "phase": a["phase"], "running": a["running"], "done": done,
                    "ends_at": ms(a["ends_at"]), "left_ms": ms(activity.left(a, phases, now))}
        return {"server_now": ms(now), "timers": timers, "activity": view}


def run(rooms, tick_seconds: float, log, stopping) -> None:
    """Fire every room's due deadlines each tick until `stopping()` (a background task)."""
    while not stopping():
        socketio.sleep(tick_seconds)
        for room in list(rooms.rooms.values()):
            try:
                if room.timed:
                    room.expire()
            except Exception:  # one room's failure must not stop the others' timers
                log.exception("timer failed")
