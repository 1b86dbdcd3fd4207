"""Timed activities: a slide's phases ("Think alone 1 min, Pairs 2, Fours 4, Whole room 5") and
the arithmetic of running them. Pure: every function takes the time `now` (server seconds).

The running state is a small dict, saved with the room's state:
  {"slide": i, "phase": k, "running": bool, "ends_at": float | None, "remaining": float}
`phase` == number of phases means the activity is over. While running, `ends_at` is when
the current phase ends on the server's clock; while paused, `remaining` holds the seconds left.
A phase that ends while running starts the next one at once (the chime marks it).
"""
from __future__ import annotations

from dataclasses import dataclass

MIN_MINUTES, MAX_MINUTES = 0.25, 120
MAX_PHASES = 12
EXTEND_SECONDS = 60


@dataclass(frozen=True)
class Phase:
    say: str
    minutes: float

    @property
    def seconds(self) -> float:
        return self.minutes * 60


def read_activity(check, data, where) -> tuple[Phase, ...]:
    """Read a slide's `activity`: a list of {say, minutes}, each minutes 0.25..120."""
    if "activity" not in data:
        return ()
    value, line = data["activity"], data.lines["activity"]
    if not isinstance(value, list) or not value or len(value) > MAX_PHASES:
        check.problem(line, f"{where}: 'activity' must be a list of 1 to {MAX_PHASES} phases "
                            f"{{say, minutes}}")
        return ()
    out = []
    for i, item in enumerate(value):
        at = f"{where} activity phase {i + 1}"
        if not isinstance(item, dict):
            check.problem(value.lines[i], f"{at}: must be a mapping with say and minutes, "
                                          f"not {check.shown(item)}")
            continue
        check.keys(item, {"say", "minutes"}, {"say", "minutes"}, at)
        say = check.text(item, "say", at)
        minutes = check.number(item, "minutes", at, None, False, MIN_MINUTES, MAX_MINUTES)
        if say and minutes is not None:
            out.append(Phase(say, float(minutes)))
    return tuple(out)


def idle(slide: int) -> dict:
    """An activity not started yet."""
    return {"slide": slide, "phase": 0, "running": False, "ends_at": None, "remaining": None}


def advance(state: dict, phases, now: float) -> bool:
    """Move past every phase that ended by `now`; return whether the phase changed."""
    moved = False
    while state["running"] and state["ends_at"] is not None and now >= state["ends_at"]:
        state["phase"] += 1
        moved = True
        if state["phase"] >= len(phases):
            state.update(running=False, ends_at=None, remaining=0.0, phase=len(phases))
        else:  # the next phase starts when the last one ended: no drift however late the tick
            state["ends_at"] += phases[state["phase"]].seconds
    return moved


def start(state: dict, phases, now: float) -> None:
    """Start (or resume) the current phase; start again from the first once it is over."""
    if state["running"]:
        return
    if state["phase"] >= len(phases):
        state["phase"], state["remaining"] = 0, None
    left = state["remaining"] if state["remaining"] is not None else phases[state["phase"]].seconds
    state.update(running=True, ends_at=now + left, remaining=None)


def pause(state: dict, now: float) -> None:
    if state["running"]:
        state.update(running=False, remaining=max(state["ends_at"] - now, 0.0), ends_at=None)


def skip(state: dict, phases, now: float) -> None:
    """End the current phase now and go to the next (running or paused as before)."""
    if state["phase"] >= len(phases):
        return
    state["phase"] += 1
    if state["phase"] >= len(phases):
        state.update(running=False, ends_at=None, remaining=0.0)
    elif state["running"]:
        state["ends_at"] = now + phases[state["phase"]].seconds
    else:
        state["remaining"] = None


def extend(state: dict, phases, seconds: float = EXTEND_SECONDS) -> None:
    """Give the current phase more time (+1 minute by default)."""
    if state["phase"] >= len(phases):
        return
    if state["running"]:
        state["ends_at"] += seconds
    else:
        base = state["remaining"] if state["remaining"] is not None else phases[state["phase"]].seconds
        state["remaining"] = base + seconds


def left(state: dict, phases, now: float) -> float:
    """Seconds left in the current phase."""
    if state["phase"] >= len(phases):
        return 0.0
    if state["running"]:
        return max(state["ends_at"] - now, 0.0)
    return state["remaining"] if state["remaining"] is not None else phases[state["phase"]].seconds
