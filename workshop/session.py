"""The live session's state machine: current slide, poll states, facilitator actions. Pure."""
from __future__ import annotations

from dataclasses import dataclass, field, fields

from . import polltypes
from .deck import Deck, Poll

PENDING, OPEN, CLOSED = "pending", "open", "closed"
ACTIONS = ("next", "prev", "goto", "open", "close", "toggle_voting", "reveal", "hide",
           "toggle_results", "reset", "hide_answer", "qr", "takeaways",
           "moderate", "approve", "approve_all", "spotlight", "spotlight_off")
# actions on one answer: only checked here, done by the room (the answers are the room's)
ANSWER_ACTIONS = ("hide_answer", "approve", "spotlight")


class ControlError(ValueError):
    """A facilitator action that cannot be applied; `code` is stable."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Change:
    """What one action changed, for whoever shows it (the server's broadcaster turns it into
    messages; nothing else needs to know how)."""

    slide: bool = False  # the room moved to another slide
    qr: bool = False  # the join code was shown or hidden on the projector
    takeaways: bool = False  # downloading takeaways was allowed or stopped
    polls: frozenset[str] = frozenset()  # polls whose status or reveal changed
    reset: frozenset[str] = frozenset()  # polls whose answers were all deleted
    tallies: frozenset[str] = frozenset()  # polls whose counts changed
    people: bool = False  # how many joined or are connected changed
    moderation: bool = False  # the session's moderation switch was turned on or off
    spotlight: bool = False  # an answer was put in the spotlight, or the spotlight ended
    questions: bool = False  # the audience's questions or their votes changed (server/qa.py)
    activity: bool = False  # a timed activity started, paused, moved to another phase or ended

    def __or__(self, other: "Change") -> "Change":
        return Change(**{f.name: getattr(self, f.name) | getattr(other, f.name) for f in fields(self)})

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))

    @property
    def state(self) -> bool:
        """Whether the room's authoritative state (slide, flags, poll states) changed."""
        return bool(self.slide or self.qr or self.takeaways or self.polls or self.reset
                    or self.moderation or self.spotlight or self.activity)


NOTHING = Change()


@dataclass
class PollState:
    """Whether a poll takes answers, and whether its results are shown to the room."""

    status: str = PENDING
    revealed: bool = False

    def as_dict(self) -> dict:
        return {"status": self.status, "revealed": self.revealed}


def default_revealed(deck: Deck, poll: Poll) -> bool:
    """Show results live by default, except for quizzes and scenarios (shown after the vote)."""
    slide = deck.slides[deck.poll_slide_index(poll.id)]
    return not poll.correct and slide.kind != "scenario"


def reveal_closes(deck: Deck, poll: Poll) -> bool:
    """Whether revealing a poll closes its voting: by default a quiz's correct answer and a
    scenario's tips do (nobody may switch to the answer once it is shown), ordinary results
    do not; a deck says otherwise with `reveal_closes`."""
    if poll.reveal_closes is not None:
        return poll.reveal_closes
    return not default_revealed(deck, poll)


@dataclass
class SessionState:
    """Everything the room sees that is not an answer."""

    deck: Deck
    slide: int = 0
    polls: dict[str, PollState] = field(default_factory=dict)
    qr: bool = False
    takeaways: bool = False
    moderate: bool = False  # open answers wait for approval before the wall (the console's switch)
    spotlight: tuple[str, int] | None = None  # (poll id, participant id) of the answer shown large
    # timed quiz questions: poll id -> (opened_at, closes_at) on the server's clock (workshop/quiz.py)
    timers: dict[str, tuple[float, float]] = field(default_factory=dict)
    activity: dict | None = None  # the current slide's timed activity (workshop/activity.py)

    def __post_init__(self):
        for poll_id, poll in self.deck.polls.items():
            self.polls.setdefault(poll_id, PollState(revealed=default_revealed(self.deck, poll)))

    @property
    def current_poll(self) -> Poll | None:
        return self.deck.slides[self.slide].poll

    def accepts(self, poll_id: str) -> bool:
        return self.polls[poll_id].status == OPEN


def target_poll(state: SessionState, args: dict) -> str:
    """Return the poll an action names with 'poll', by default the current slide's."""
    poll_id = args.get("poll")
    if poll_id is None:
        poll = state.current_poll
        if poll is None:
            raise ControlError("no_poll", "This slide has no poll; name one with 'poll'.")
        poll_id = poll.id
    if not isinstance(poll_id, str) or poll_id not in state.polls:
        raise ControlError("unknown_poll", "There is no such poll in this deck.")
    return poll_id


def answer_target(state: SessionState, args: dict) -> tuple[str, int]:
    """Return the (poll, participant) of an action on one free-text answer, checked."""
    poll_id = target_poll(state, args)
    if not polltypes.get(state.deck.polls[poll_id].type).free_text:
        raise ControlError("not_open_text", "Only open-text answers can be moderated.")
    participant = args.get("participant")
    if not isinstance(participant, int) or isinstance(participant, bool):
        raise ControlError("bad_value", "Name the answer with 'participant', a number.")
    return poll_id, participant


def _spotlight_off(state: SessionState, poll_id: str | None = None) -> bool:
    """End the spotlight (only if it shows an answer of poll_id, when given); return whether it did."""
    if state.spotlight is None or (poll_id is not None and state.spotlight[0] != poll_id):
        return False
    state.spotlight = None
    return True


def apply(state: SessionState, action: str, args: dict) -> Change:
    """Apply a facilitator action in place and return what changed; raise ControlError for an
    impossible one. The actions on one answer (ANSWER_ACTIONS) and `approve_all` are only
    checked here: the answers are the room's, not the state's."""
    deck = state.deck
    if action == "moderate":
        on = args.get("on", not state.moderate)
        if not isinstance(on, bool):
            raise ControlError("bad_value", "'on' must be true or false.")
        if on == state.moderate:
            return NOTHING
        state.moderate = on
        return Change(moderation=True)
    if action == "spotlight_off":
        return Change(spotlight=True) if _spotlight_off(state) else NOTHING
    if action in ANSWER_ACTIONS:
        answer_target(state, args)
        if not isinstance(args.get("hidden", True), bool):
            raise ControlError("bad_value", "'hidden' must be true or false.")
        return NOTHING
    if action == "approve_all":
        if args.get("poll") is not None:
            target_poll(state, args)
        return NOTHING
    if action in ("next", "prev", "goto"):
        target = {"next": state.slide + 1, "prev": state.slide - 1}.get(action)
        if action == "goto":
            target = args.get("slide")
            if not isinstance(target, int) or isinstance(target, bool):
                raise ControlError("bad_slide", "goto needs 'slide', a slide number from 0.")
            if not 0 <= target < len(deck.slides):
                raise ControlError("bad_slide", f"There is no slide {target}; "
                                                f"use 0 to {len(deck.slides) - 1}.")
        target = max(0, min(len(deck.slides) - 1, target))
        if target == state.slide:
            return NOTHING
        moved = set()
        left = state.current_poll
        if left and state.polls[left.id].status == OPEN and not left.stays_open:
            state.polls[left.id].status = CLOSED  # the room has moved past this question
            moved.add(left.id)
        state.slide = target
        spotlit = _spotlight_off(state)  # the spotlight belongs to the slide it was shown on
        poll = state.current_poll
        if poll and state.polls[poll.id].status == PENDING:
            state.polls[poll.id].status = OPEN  # arriving at a question opens it, as in the room
            moved.add(poll.id)
        return Change(slide=True, polls=frozenset(moved), spotlight=spotlit)
    if action == "qr":
        show = args.get("show", not state.qr)
        if not isinstance(show, bool):
            raise ControlError("bad_value", "'show' must be true or false.")
        state.qr = show
        return Change(qr=True)
    if action == "takeaways":
        allow = args.get("allow", True)
        if not isinstance(allow, bool):
            raise ControlError("bad_value", "'allow' must be true or false.")
        state.takeaways = allow
        return Change(takeaways=True)
    if action not in ACTIONS:
        raise ControlError("unknown_action", f"Unknown action '{action}'; use one of {', '.join(ACTIONS)}.")
    poll_id = target_poll(state, args)
    ps = state.polls[poll_id]
    if action == "toggle_voting":
        action = "close" if ps.status == OPEN else "open"
    if action == "toggle_results":
        action = "hide" if ps.revealed else "reveal"
    if action == "open":
        ps.status = OPEN
    elif action == "close":
        ps.status = CLOSED
    elif action == "reveal":
        ps.revealed = True
        if ps.status == OPEN and reveal_closes(deck, deck.polls[poll_id]):
            ps.status = CLOSED
    elif action == "hide":
        ps.revealed = False
    elif action == "reset":
        current = state.current_poll
        ps.status = OPEN if current and current.id == poll_id else PENDING  # as if just arrived
        ps.revealed = default_revealed(deck, deck.polls[poll_id])
        return Change(polls=frozenset({poll_id}), reset=frozenset({poll_id}), tallies=frozenset({poll_id}),
                      spotlight=_spotlight_off(state, poll_id))
    return Change(polls=frozenset({poll_id}))
