"""Live rooms: each session's state and tallies, cached from the store and kept in step with it."""
from __future__ import annotations

import hmac
import threading
import time
from dataclasses import dataclass, field

from workshop import ids
from workshop.deck import Deck, DeckError
from workshop.deck_file import load_deck
from workshop.polltypes import AnswerError, new_tally, normalize_answer
from workshop.polltypes.open import OpenTally
from workshop.session import PENDING, ControlError, SessionState, apply
from workshop.store import SessionRow, Store


@dataclass
class Stored:
    """A participant's answer as the room caches it."""

    value: object
    uid: str


@dataclass
class Room:
    """One live session: the store's truth plus in-memory tallies rebuilt from it."""

    deck: Deck
    row: SessionRow
    store: Store
    state: SessionState = None
    tallies: dict = field(default_factory=dict)
    answers: dict = field(default_factory=dict)  # poll id -> participant id -> Stored
    participants: int = 0
    connected: int = 0
    dirty: set = field(default_factory=set)  # poll ids whose tallies changed since the last push
    phones_dirty: bool = False
    phones_pushed_at: float = 0.0
    version: int = 0  # counts changes to what reports print: one read of the results serves a version

    def __post_init__(self):
        self.lock = threading.RLock()
        self.fanout = threading.Lock()  # held while a broadcast goes out to the phones
        self.state = SessionState(self.deck, slide=min(self.row.current_slide, len(self.deck.slides) - 1),
                                  qr=self.row.qr, takeaways=self.row.takeaways)
        for poll_id, (status, revealed) in self.store.poll_states(self.row.id).items():
            if poll_id in self.state.polls:
                self.state.polls[poll_id].status = status
                self.state.polls[poll_id].revealed = revealed
        self.rebuild()

    @property
    def id(self) -> str:
        return self.row.id

    def rebuild(self) -> None:
        """Recount every tally from the store (on load, and to check the cache in tests)."""
        with self.lock:
            self.tallies = {pid: new_tally(p) for pid, p in self.deck.polls.items()}
            self.answers = {pid: {} for pid in self.deck.polls}
            # in order of each answer's last change, as the live tallies saw them (newest last)
            for a in sorted(self.store.answers(self.row.id), key=lambda a: a.last_at):
                if a.poll_id not in self.tallies:
                    continue  # the deck lost this poll since; the answer stays in the store
                self.answers[a.poll_id][a.participant_id] = Stored(a.value, a.uid)
                self.tallies[a.poll_id].add(a.participant_id, a.value)
                if a.hidden:
                    self.tallies[a.poll_id].hide(a.participant_id, True)
            self.participants = self.store.participant_count(self.row.id)
            self.dirty = set(self.tallies)

    # ----- participants -----

    def join(self, token: str, nickname: str = ""):
        """Return the participant with this token, adding them on first sight."""
        with self.lock:
            p = self.store.participant(self.id, token)
            if p is None:
                p = self.store.add_participant(self.id, token, ids.pseudonym(self.participants + 1), nickname)
                self.participants += 1
                self.version += 1
                self.dirty.add("")  # the participant count changed
            elif nickname and nickname != p.nickname:
                self.set_nickname(p.id, nickname)
            return p

    def set_nickname(self, participant_id: int, nickname: str) -> None:
        with self.lock:
            self.store.set_nickname(participant_id, nickname)
            self.version += 1

    def my_answers(self, participant_id: int) -> dict:
        return {pid: got[participant_id].value for pid, got in self.answers.items() if participant_id in got}

    # ----- answers -----

    def answer(self, participant_id: int, poll_id, value, uid: str = "") -> dict:
        """Validate, commit and count an answer; return the reply for the phone."""
        poll = self.deck.polls.get(poll_id) if isinstance(poll_id, str) else None
        if poll is None:
            raise AnswerError("unknown_poll", "There is no such question in this workshop.")
        with self.lock:
            if not self.state.accepts(poll_id):
                status = self.state.polls[poll_id].status
                raise AnswerError("poll_not_open", "Voting has not started on this question yet."
                                  if status == PENDING else "Voting on this question is closed.")
            previous = self.answers[poll_id].get(participant_id)
            if previous and uid and previous.uid == uid:
                return {"ok": True, "poll": poll_id, "value": previous.value, "duplicate": True}
            if previous and not poll.allow_change:
                raise AnswerError("no_change", "You have answered this one; it cannot be changed.")
            value = normalize_answer(poll, value)
            if previous and previous.value == value:
                return {"ok": True, "poll": poll_id, "value": value, "duplicate": False}
            self.store.save_answer(self.id, poll_id, participant_id, value, uid)
            tally = self.tallies[poll_id]
            if previous:
                tally.remove(participant_id, previous.value)
            tally.add(participant_id, value)
            self.answers[poll_id][participant_id] = Stored(value, uid)
            self.version += 1
            self.dirty.add(poll_id)
            self._mark_phones(poll_id)
            return {"ok": True, "poll": poll_id, "value": value, "duplicate": False}

    def _mark_phones(self, poll_id: str) -> None:
        poll = self.state.current_poll
        if poll and poll.id == poll_id and self.state.polls[poll_id].revealed:
            self.phones_dirty = True

    # ----- facilitator -----

    def control(self, action: str, args: dict) -> set[str]:
        """Apply a facilitator action, persist what changed, and return the change set."""
        with self.lock:
            changed = apply(self.state, action, args)
            self.version += bool(changed)
            for item in changed:
                kind, _, poll_id = item.partition(":")
                ps = self.state.polls.get(poll_id)
                if kind == "poll":
                    self.store.save_poll_state(self.id, poll_id, ps.status, ps.revealed)
                    self.dirty.add(poll_id)
                    self._mark_phones(poll_id)
                elif kind == "reset":
                    self.store.reset_poll(self.id, poll_id, ps.status, ps.revealed)
                    self.tallies[poll_id] = new_tally(self.deck.polls[poll_id])
                    self.answers[poll_id] = {}
                elif kind == "hide":
                    self.hide_answer(poll_id, args["participant"], args.get("hidden", True))
            if changed & {"slide", "qr", "takeaways"}:
                self.store.save_view(self.id, self.state.slide, self.state.qr, self.state.takeaways)
            return changed

    def hide_answer(self, poll_id: str, participant_id: int, hidden: bool) -> None:
        tally = self.tallies[poll_id]
        if participant_id not in self.answers[poll_id]:
            raise ControlError("unknown_participant", "That participant has not answered this question.")
        if isinstance(tally, OpenTally) and tally.hide(participant_id, hidden):
            self.store.hide_answer(self.id, poll_id, participant_id, hidden)
            self.dirty.add(poll_id)
            self._mark_phones(poll_id)

    def open_answers(self, poll_id) -> list[dict]:
        poll = self.deck.polls.get(poll_id) if isinstance(poll_id, str) else None
        if poll is None or poll.type != "open":
            raise ControlError("unknown_poll", "There is no open-text question with that id.")
        names = {p.id: p.nickname or p.pseudonym for p in self.store.participants(self.id)}
        tally = self.tallies[poll_id]
        return [{"participant": pid, "pseudonym": names.get(pid, ""), "text": text,
                 "hidden": pid in tally.hidden} for pid, text in reversed(tally.texts.items())]

    # ----- what clients see -----

    def phone_state(self) -> dict:
        slide = self.deck.slides[self.state.slide]
        poll = slide.poll
        return {"slide": {"index": self.state.slide, "count": len(self.deck.slides), "kind": slide.kind,
                          "title": slide.heading},
                "poll": poll.public() if poll else None,
                "poll_state": self.state.polls[poll.id].as_dict() if poll else None,
                "takeaways": self.state.takeaways, "results": self.phone_results()}

    def take_phone_state(self, now: float) -> dict:
        """The state to broadcast to phones; it carries the results, so none are due until later."""
        with self.lock:
            self.phones_dirty, self.phones_pushed_at = False, now
            return self.phone_state()

    def phone_results(self) -> dict | None:
        poll = self.state.current_poll
        if poll is None or not self.state.polls[poll.id].revealed:
            return None
        return self.tallies[poll.id].snapshot(True)

    def facilitator_state(self, join_url: str) -> dict:
        return {"session": {"id": self.id, "code": self.row.join_code, "join_url": join_url,
                            "title": self.deck.title, "created_at": self.row.created_at},
                "slide": self.state.slide, "qr": self.state.qr, "takeaways": self.state.takeaways,
                "polls": {pid: ps.as_dict() for pid, ps in self.state.polls.items()},
                "participants": self.participants, "connected": self.connected}

    def snapshot(self, poll_id: str) -> dict:
        return self.tallies[poll_id].snapshot(self.state.polls[poll_id].revealed)

    def take_dirty(self) -> set[str]:
        with self.lock:
            dirty, self.dirty = self.dirty, set()
            return dirty


class Hub:
    """Every room this process serves, found by session id or join code."""

    def __init__(self, store: Store, base_url: str = "", phone_interval: float = 1.0,
                 join_guesses: int = 10):
        self.store = store
        self.base_url = base_url.rstrip("/")  # what phones type or scan; set by `serve`
        self.phone_interval = phone_interval
        self.rooms: dict[str, Room] = {}
        self.by_code: dict[str, str] = {}
        self.clients: dict = {}  # Socket.IO sid -> events.Client
        self.guesses = GuessLimiter(join_guesses)
        self.takeaway_limits: dict[int, RateLimiter] = {}  # participant id -> their downloads
        self.stopping = False
        self.busy_at = 0.0  # when the ticker last had a change to push: idle rooms can take a GC pause
        self._lock = threading.Lock()

    def join_url(self, room: Room, base_url: str = "") -> str:
        """Return the URL a phone opens to join this room."""
        return f"{(self.base_url or base_url).rstrip('/')}/j/{room.row.join_code}"

    def create(self, deck: Deck, deck_path: str) -> Room:
        """Start a new session on a deck."""
        for _ in range(20):
            code = ids.join_code()
            if self.store.session_by_code(code) is None:
                break
        row = self.store.create_session(ids.session_id(), str(deck_path), deck.title, code,
                                        ids.facilitator_key())
        room = Room(deck, row, self.store)
        for pid, ps in room.state.polls.items():
            self.store.save_poll_state(row.id, pid, ps.status, ps.revealed)
        self.by_code[code] = row.id  # phones join only the sessions this process serves
        return self._add(room)

    def _add(self, room: Room) -> Room:
        with self._lock:
            self.rooms[room.id] = room
        return room

    def get(self, session_id) -> Room | None:
        """Return the live room of a session, loading it from the store on first use."""
        if not isinstance(session_id, str):
            return None
        room = self.rooms.get(session_id)
        if room is not None:
            return room
        row = self.store.session(session_id)
        if row is None:
            return None
        try:
            deck = load_deck(row.deck_path)
        except DeckError:
            return None
        with self._lock:
            if session_id in self.rooms:
                return self.rooms[session_id]
        return self._add(Room(deck, row, self.store))

    def by_join_code(self, code) -> Room | None:
        if not isinstance(code, str):
            return None
        session_id = self.by_code.get(code.strip().upper())
        return self.rooms.get(session_id) if session_id else None

    def resume(self, session_id: str, deck: Deck | None = None) -> Room | None:
        """Serve a stored session again, optionally on a given deck (by default its own)."""
        if deck is None:
            room = self.get(session_id)
        else:
            row = self.store.session(session_id)
            room = self._add(Room(deck, row, self.store)) if row else None
        if room is not None:
            self.by_code[room.row.join_code] = room.id
        return room


def key_matches(room: Room, key) -> bool:
    """Return whether a presented facilitator key is this room's, in constant time."""
    # surrogatepass: a key sent over the socket may hold a lone surrogate, which must not raise
    return isinstance(key, str) and hmac.compare_digest(key.encode("utf-8", "surrogatepass"),
                                                        room.row.facilitator_key.encode())


class RateLimiter:
    """A token bucket: `rate` a second sustained, `burst` at once."""

    def __init__(self, rate: float, burst: int, clock=time.monotonic):
        self.rate, self.burst, self.clock = rate, burst, clock
        self.tokens, self.at = float(burst), clock()

    def allow(self) -> bool:
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

    def _recent(self, addr) -> list[float]:
        cutoff = self.clock() - 60
        recent = [t for t in self.fails.get(addr, ()) if t > cutoff]
        if recent:
            self.fails[addr] = recent
        else:
            self.fails.pop(addr, None)
        return recent

    def allow(self, addr) -> bool:
        return len(self._recent(addr)) < self.per_minute

    def fail(self, addr) -> None:
        self._recent(addr)
        self.fails.setdefault(addr, []).append(self.clock())
