"""A poll's `compare`: it must name an earlier poll that asked the same question."""
from __future__ import annotations

import difflib

from .deck import Poll, Slide

COMPARABLE = ("choice", "scale")  # types whose before/after the reports can show


def check_compare(check, poll: Poll, line: int, where: str, slides: list[Slide]) -> None:
    """Report a `compare` that does not name an earlier poll asking the same question."""
    order = [s.poll.id for s in slides if s.poll]
    earlier = {s.poll.id: s.poll for s in slides if s.poll}
    target = earlier.get(poll.compare)
    where = f"{where}: compare"
    if target is None:
        hint = difflib.get_close_matches(poll.compare, order, n=1, cutoff=0.6)
        tip = f" (did you mean '{hint[0]}'?)" if hint else ""
        check.problem(line, f"{where}: no poll '{poll.compare}'{tip}")
    elif target is poll or order.index(target.id) > order.index(poll.id):
        check.problem(line, f"{where}: '{target.id}' must come before '{poll.id}' "
                            f"(the question asked first)")
    elif target.type != poll.type:
        check.problem(line, f"{where}: '{target.id}' is a {target.type} poll and "
                            f"'{poll.id}' a {poll.type} poll; compare asks the same question "
                            f"twice")
    elif poll.type not in COMPARABLE:
        check.problem(line, f"{where}: only {' and '.join(COMPARABLE)} polls can be compared")
    elif _asked(target) != _asked(poll):
        check.problem(line, f"{where}: '{target.id}' has other "
                            f"{'options' if poll.type == 'choice' else 'scale'}; "
                            f"compare needs the same on both")


def _asked(poll: Poll) -> tuple:
    """Return what two polls must share to be compared: options, or the scale's range."""
    return (poll.options, poll.multiple, poll.max_choices, poll.scale_min, poll.scale_max)
