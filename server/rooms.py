"""Live rooms: each session's state and tallies, cached from the store and kept in step with it
(also with what other processes serving the session commit: server/follow.py).

A Room is the only thing that changes a live session. Each method that changes something
writes it to the store first, updates the caches under the room's lock, and tells its
listener (the broadcaster) what changed as a `Change`; handlers never touch a room's fields.
"""
from __future__ import annotations

import hmac
import threading
from typing import Callable

from workshop import ids, names, polltypes
from workshop.deck import Deck, DeckError
from workshop.deck_file import load_deck
from workshop.polltypes import AnswerError, new_tally, normalize_answer
from workshop.polltypes.open import HELD, HIDDEN, SHOWN, arrival
from workshop.qa import ACTIONS as QA_ACTIONS
from workshop.session import (ANSWER_ACTIONS, NOTHING, PENDING, Change, ControlError, SessionState,
                              answer_target, apply)
from workshop.store import JoinCodeTaken, PollClosed, RoomState, SessionRow, StaleState, Store

from .bus import NullBus
from .follow import Follow, retriable
from .moderation import Moderation
from .qa import QA
from .phoneview import FacilitatorView, PhoneView
from .quiz import Quiz
from .timers import Timed

Listener = Callable[["Room", Change], None]


def _ignore(room: "Room", change: Change) -> None:
    """The listener of a room nobody shows (reports, tests)."""


class Room(Follow, Moderation, FacilitatorView, PhoneView, QA, Timed, Quiz):
    """One live session: the store's truth plus in-memory tallies rebuilt from it."""

    def __init__(self, deck: Deck, row: SessionRow, store: Store, listener: Listener = _ignore):
        self.deck, self.row, self.store, self.listener = deck, row, store, listener
        self.lock = threading.RLock()
        self.tallies: dict = {}
        self.answers: dict = {}  # poll id -> participant id -> their answer's value
        self.uids: set[tuple[str, int, str]] = set()  # (poll, participant, uid) of every answer given
        self.participants = 0
        self.named: set[int] = set()  # participants who gave a name (a named session needs one)
        # counts changes to what reports print: one read of the results serves a version
        self.results_version = 0
        self.state = SessionState(deck)
        self._follow_init()
        self._load_state(store.state(row.id))
        if self.state_version == 0:  # a new session: its polls' first states are the deck's
            self.state.moderate = deck.moderate
            self._save_state()
        self.rebuild()

    @property
    def id(self) -> str:
        return self.row.id

    @property
    def names(self) -> str:
        """Return whether the session is "anonymous" or "named" (workshop.names)."""
        return names.session_names(self.row.names, self.deck.names)

    def _tell(self, change: Change) -> Change:
        if change:
            self.listener(self, change)
        return change

    # ----- the state, in the store with a version -----

    def _load_state(self, stored: RoomState) -> None:
        state = SessionState(self.deck, slide=min(stored.slide, len(self.deck.slides) - 1),
                             qr=stored.qr, takeaways=stored.takeaways, moderate=stored.moderate,
                             spotlight=stored.spotlight if stored.spotlight
                             and stored.spotlight[0] in self.deck.polls else None,
                             timers={p: t for p, t in stored.timers.items() if p in self.deck.polls},
                             activity=dict(stored.activity) if stored.activity else None)
        for poll_id, (status, revealed) in stored.polls.items():
            if poll_id in state.polls:  # the deck may have lost a poll since
                state.polls[poll_id].status = status
                state.polls[poll_id].revealed = revealed
        self.state, self.state_version = state, stored.version

    def _stored_state(self) -> RoomState:
        s = self.state
        return RoomState(version=self.state_version, slide=s.slide, qr=s.qr, takeaways=s.takeaways,
                         polls={poll_id: (ps.status, ps.revealed) for poll_id, ps in s.polls.items()},
                         moderate=s.moderate, spotlight=s.spotlight, timers=dict(s.timers),
                         activity=s.activity)

    def _save_state(self, reset_poll: str | None = None) -> None:
        stored = self._stored_state()
        if reset_poll:
            saved = self.store.reset_poll(self.id, reset_poll, stored)
        else:
            saved = self.store.save_state(self.id, stored)
        self.state_version = saved.version

    def rebuild(self) -> None:
        """Recount every tally from the store (on load, and to check the cache in tests)."""
        with self.lock:
            self.tallies = {poll_id: new_tally(p) for poll_id, p in self.deck.polls.items()}
            self.answers = {poll_id: {} for poll_id in self.deck.polls}
            # in order of each answer's last change, as the live tallies saw them (newest last)
            for a in sorted(self.store.answers(self.id), key=lambda a: a.last_at):
                if a.poll_id not in self.tallies:
                    continue  # the deck lost this poll since; the answer stays in the store
                self.answers[a.poll_id][a.participant_id] = a.value
                self.revs[(a.poll_id, a.participant_id)] = getattr(a, "rev", 0) or 0
                if polltypes.get(self.deck.polls[a.poll_id].type).free_text:
                    self.tallies[a.poll_id].add(a.participant_id, a.value, a.status, a.reason)
                else:
                    self.tallies[a.poll_id].add(a.participant_id, a.value)
            self.uids = self.store.answer_uids(self.id)
            people = self.store.participants(self.id)
            self._count_people(people)
            self.named = {p.id for p in people if p.nickname}
            self._load_questions()

    # ----- participants -----

    def join(self, token: str, nickname: str = ""):
        """Return the participant with this token, adding them on first sight."""
        with self.lock:
            p = self.store.participant(self.id, token)
            if self.names != names.NAMED:
                nickname = ""  # an anonymous session keeps no names, even offered ones
            if p is None:
                pseudonym = ids.pseudonym(self.participants + 1, self.deck.language)
                p = self.store.add_participant(self.id, token, pseudonym, nickname)
                self.people_ids.add(p.id)  # a set: another process may have added this token
                self.participants = len(self.people_ids)
                if p.nickname:
                    self.named.add(p.id)
                self.results_version += 1
                change = Change(people=True)
                self._publish("joined", who=p.id, named=bool(p.nickname))
            else:
                change = NOTHING
                if nickname and nickname != p.nickname:
                    self.set_nickname(p.id, nickname)
        self._tell(change)
        return p

    def set_nickname(self, participant_id: int, nickname: str) -> None:
        with self.lock:
            self.store.set_nickname(participant_id, nickname)
            (self.named.add if nickname else self.named.discard)(participant_id)
            self.results_version += 1
        self._publish("named", who=participant_id, named=bool(nickname))

    # ----- answers -----

    def answer(self, participant_id: int, poll_id, value, uid: str = "", version=None) -> dict:
        """Validate, commit and count an answer; return the reply for the phone.

        A uid this participant already gave an answer to this poll under is a resend: it is
        acknowledged as a duplicate with the answer stored now, and changes nothing, even when
        that answer has since been replaced or the poll closed (the phone learns it counted).
        `version` is the state the phone answered in: a newer one than ours is read first.
        """
        poll = self.deck.polls.get(poll_id) if isinstance(poll_id, str) else None
        if poll is None:
            raise AnswerError("unknown_poll", "There is no such question in this workshop.")
        self.catch_up(version)
        try:
            return self._answer(poll, participant_id, value, uid)
        except AnswerError as exc:
            if exc.code in ("poll_not_open", "too_late", "no_change") and self.counted_elsewhere(
                    poll.id, participant_id, uid):  # a resend whose first commit we never heard of
                return self._reply(poll.id, participant_id, self.answers[poll.id].get(participant_id), True)
            if exc.code == "poll_not_open":  # perhaps closed by another process: show its state
                self._tell(self.follow_state())
            raise

    def _answer(self, poll, participant_id: int, value, uid: str) -> dict:
        poll_id, event = poll.id, None
        with self.lock:
            if self.names == names.NAMED and participant_id not in self.named:
                raise AnswerError("name_required", "This session shows names: give your name first.")
            stored = self.answers[poll_id].get(participant_id)
            if uid and (poll_id, participant_id, uid) in self.uids:
                return self._reply(poll_id, participant_id, stored, duplicate=True)
            if not self.state.accepts(poll_id):
                status = self.state.polls[poll_id].status
                raise AnswerError("poll_not_open", "Voting has not started on this question yet."
                                  if status == PENDING else "Voting on this question is closed.")
            self.check_deadline(poll_id)
            if stored is not None and not poll.allow_change:
                raise AnswerError("no_change", "You have answered this one; it cannot be changed.")
            value = normalize_answer(poll, value)
            if stored == value:  # the same answer again: only its uid is new
                if uid:
                    self.store.remember_uid(self.id, poll_id, participant_id, uid)
                    self.uids.add((poll_id, participant_id, uid))
                    self._publish("uid", p=poll_id, who=participant_id, uid=uid)
                return self._reply(poll_id, participant_id, value)
            free_text = polltypes.get(poll.type).free_text
            status, reason = arrival(poll, value, self.state.moderate) if free_text else (SHOWN, "")
            try:
                rev = self.store.save_answer(self.id, poll_id, participant_id, value, uid, status, reason)
            except PollClosed:  # another process closed it; answer() then takes its state
                raise AnswerError("poll_not_open", "Voting on this question is closed.") from None
            self.revs[(poll_id, participant_id)] = rev = rev or 0
            event = {"p": poll_id, "who": participant_id, "val": value, "st": status, "why": reason,
                     "uid": uid, "rev": rev}
            if uid:
                self.uids.add((poll_id, participant_id, uid))
            tally = self.tallies[poll_id]
            if stored is not None:
                tally.remove(participant_id, stored)
            if free_text:
                tally.add(participant_id, value, status, reason)
            else:
                tally.add(participant_id, value)
            self.answers[poll_id][participant_id] = value
            self.results_version += 1
            change = Change(tallies=frozenset((poll_id,)))
            if self.state.spotlight == (poll_id, participant_id):  # the wall showed the old words
                try:
                    change |= self._end_spotlight()
                except StaleState:  # another process moved the state: ours is the store's now
                    pass
        self._publish("answer", **event)  # after the commit, before the ack
        self.publish_state(change)
        self._tell(change)
        return self._reply(poll_id, participant_id, value)

    def _reply(self, poll_id: str, participant_id: int, value, duplicate: bool = False) -> dict:
        """The ack of an answer: with `held` (why it waits) while it waits for approval."""
        reply = {"ok": True, "poll": poll_id, "value": value, "duplicate": duplicate}
        tally = self.tallies[poll_id]
        status = getattr(tally, "status", {}).get(participant_id)
        if status == HELD:
            reply["held"] = tally.reasons[participant_id]
        return reply

    # ----- facilitator -----

    def control(self, action: str, args: dict) -> Change:
        """Apply a facilitator action, commit it, and return (and tell) what changed. If another
        process saved the state since we read it, `_commit` took the store's: an action that
        says where to go (goto, open a poll) is applied once more on it; one relative to what
        the facilitator saw (next, a toggle) raises StaleState, as does a second loss."""
        with self.lock:
            before = self.state_now()
            try:
                try:
                    change = self._control(action, args)
                except StaleState:
                    if not retriable(action, args):
                        raise
                    change = self.state_change_from(before) | self._control(action, args)
            except StaleState:
                missed = self.state_change_from(before)
            else:
                missed = None
        if missed is not None:  # told outside the lock: a paced broadcast must not hold answers
            self._tell(missed)
            raise StaleState(f"session {self.id} moved on meanwhile")
        self.publish_state(change)
        return self._tell(change)

    def _control(self, action: str, args: dict) -> Change:
        if action in QA_ACTIONS:
            return self.qa_control(action, args)
        if action in ANSWER_ACTIONS:
            apply(self.state, action, args)  # checks the arguments, changes nothing
            return self._moderate(action, *answer_target(self.state, args), args)
        if action == "approve_all":
            apply(self.state, action, args)
            return self._approve_all(args.get("poll"))
        # the state machine's actions and activity_*, timing what they open (timers.py)
        return self._timed_control(action, args)

    def _commit(self, change: Change) -> None:
        """Save the state `apply` changed in memory; if the store refuses, take the store's."""
        try:
            self._save_state(next(iter(change.reset), None))
        except BaseException:
            self._load_state(self.store.state(self.id))
            raise
        for poll_id in change.reset:
            self.tallies[poll_id] = new_tally(self.deck.polls[poll_id])
            self.answers[poll_id] = {}
        self.results_version += 1

    @property
    def accepting_takeaways(self) -> bool:
        return self.state.takeaways


def key_matches(row: SessionRow, key) -> bool:
    """Return whether a presented facilitator key is this session's, in constant time."""
    # surrogatepass: a key sent over the socket may hold a lone surrogate, which must not raise
    return isinstance(key, str) and hmac.compare_digest(key.encode("utf-8", "surrogatepass"),
                                                        row.facilitator_key.encode())


class NotAllowed(LookupError):
    """A facilitator request for a session that is not there (404) or with a wrong key (401/403)."""

    def __init__(self, status: int):
        super().__init__(status)
        self.status = status


class RoomRegistry:
    """The rooms this process serves, found by session id or join code."""

    JOIN_CODE_TRIES = 100

    def __init__(self, store: Store, base_url: str = "", listener: Listener = _ignore,
                 new_code: Callable[[], str] = ids.join_code,
                 new_session_id: Callable[[], str] = ids.session_id):
        self.store = store
        self.base_url = base_url.rstrip("/")  # what phones type or scan; set by `serve`
        self.listener = listener
        self.new_code, self.new_session_id = new_code, new_session_id
        self.rooms: dict[str, Room] = {}
        self.bus = NullBus()  # server/bus.py: a cluster's rooms publish what they commit
        self._by_code: dict[str, str] = {}  # phones join only the sessions this process serves
        self._lock = threading.Lock()

    def join_url(self, room: Room, base_url: str = "") -> str:
        """Return the URL a phone opens to join this room."""
        return f"{(self.base_url or base_url).rstrip('/')}/j/{room.row.join_code}"

    def create(self, deck: Deck, deck_path: str, names: str = "") -> Room:
        """Start a new session on a deck, under a join code no other session has; it is
        anonymous or named (`names`, else the deck's) for good."""
        for _ in range(self.JOIN_CODE_TRIES):
            try:
                row = self.store.create_session(self.new_session_id(), str(deck_path), deck.title,
                                                self.new_code(), ids.facilitator_key(),
                                                names or deck.names)
                break
            except JoinCodeTaken:
                continue
        else:
            raise RuntimeError(f"no free join code after {self.JOIN_CODE_TRIES} tries")
        return self._serve(Room(deck, row, self.store, self.listener))

    def _serve(self, room: Room) -> Room:
        room.bus = self.bus
        with self._lock:
            self.rooms[room.id] = room
            self._by_code[room.row.join_code] = room.id
        return room

    def _load(self, row: SessionRow, deck: Deck | None = None) -> Room | None:
        """Return the live room of a stored session, loading it (and its deck) on first use."""
        room = self.rooms.get(row.id)
        if room is not None:
            return room
        if deck is None:
            try:
                deck = load_deck(row.deck_path)
            except DeckError:
                return None
        with self._lock:
            room = self.rooms.get(row.id)
            if room is None:
                room = self.rooms[row.id] = Room(deck, row, self.store, self.listener)
                room.bus = self.bus
        return room

    def for_facilitator(self, session_id, key) -> Room:
        """Return a session's room for a facilitator whose key it is; the key is checked against
        the stored session before anything is loaded. Raise NotAllowed(404, 401 or 403)."""
        row = self.store.session(session_id) if isinstance(session_id, str) else None
        if row is None:
            raise NotAllowed(404)
        if not key:
            raise NotAllowed(401)
        if not key_matches(row, key):
            raise NotAllowed(403)
        room = self._load(row)
        if room is None:
            raise NotAllowed(404)
        return room

    def by_join_code(self, code) -> Room | None:
        if not isinstance(code, str):
            return None
        session_id = self._by_code.get(code.strip().upper())
        return self.rooms.get(session_id) if session_id else None

    def resume(self, session_id: str, deck: Deck | None = None) -> Room | None:
        """Serve a stored session again, optionally on a given deck (by default its own)."""
        row = self.store.session(session_id)
        room = self._load(row, deck) if row else None
        return self._serve(room) if room else None
