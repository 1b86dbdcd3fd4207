"""Synthetic sessions: a finished session with plausible answers, for demos, tests, benchmarks."""
from __future__ import annotations

import random
import time
from pathlib import Path

from . import ids, languages, polltypes
from .deck import Deck, Poll

TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"


def simulate(store, deck: Deck, deck_path, participants: int, seed=None, clock=None) -> str:
    """Create a finished session of `participants` people's plausible answers; return its id."""
    rng = random.Random(seed)
    clock = clock or time.time
    timeline = _timeline(deck)
    total = timeline[-1][1] if timeline else 60.0
    start = clock() - total - 60
    now = [start]
    saved_clock = store.clock
    store.clock = lambda: now[0]  # the store stamps every row with its clock: drive it here
    try:
        sid = ids.session_id(rng)
        while store.session(sid) is not None:
            sid = ids.session_id(rng)
        code = ids.join_code(rng)
        while store.session_by_code(code) is not None:
            code = ids.join_code(rng)
        store.create_session(sid, str(Path(deck_path).resolve()), deck.title, code, ids.facilitator_key(),
                             deck.names)
        people = _join(store, sid, participants, rng, now, start, total, deck.language)
        language = languages.of(deck.language)
        given: dict[str, dict[int, object]] = {}  # poll id -> person -> their last answer
        for index, slide in enumerate(deck.slides):
            if slide.poll is None:
                continue
            opens, closes = timeline[index]
            given[slide.poll.id] = _answer_poll(store, sid, slide.poll, people, rng, now, start + opens,
                                                start + closes, language, given.get(slide.poll.compare, {}))
        # every poll ended closed, with its results shown
        store.save_state(sid, store.state(sid).but(
            polls={poll_id: ("closed", True) for poll_id in deck.polls}))
        now[0] = start + total + 30
        store.end_session(sid)
    finally:
        store.clock = saved_clock
    return sid


def _timeline(deck: Deck) -> list[tuple[float, float]]:
    """Return each slide's (start, end) in seconds, scaled to the deck's planned length."""
    planned = [s.minutes or 1.0 for s in deck.slides]
    scale = (deck.minutes or sum(planned)) / (sum(planned) or 1)
    out, t = [], 0.0
    for minutes in planned:
        length = minutes * scale * 60
        out.append((t, t + length))
        t += length
    return out


def _join(store, sid, count, rng, now, start, total, language="en"):
    """Add participants in the order they arrive; return (id, join time, diligence)."""
    times = sorted(rng.uniform(0, 240) if rng.random() < 0.9 else rng.uniform(0, total * 0.4)
                   for _ in range(count))
    people = []
    for n, t in enumerate(times, 1):
        now[0] = start + t
        token = "".join(rng.choice(TOKEN_ALPHABET) for _ in range(22))
        person = store.add_participant(sid, token, ids.pseudonym(n, language))
        diligence = 0.0 if rng.random() < 0.04 else rng.uniform(0.72, 1.0)
        people.append((person.id, start + t, diligence))
    return people


def _answer_poll(store, sid, poll: Poll, people, rng, now, opens, closes, language, earlier):
    """Have the people answer a poll at plausible moments; return each one's last answer.
    A poll asked again (`compare`) moves from the person's earlier answer, not from nothing."""
    poll_type = polltypes.get(poll.type)
    draw = poll_type.answer_generator(poll, rng, language)
    answers = {}

    def pick(person):
        before = earlier.get(person)
        if before is None:
            return draw()
        if poll.type == "scale":  # most move up a step or two after a workshop, a few down
            return max(poll.scale_min, min(poll.scale_max, before + rng.choice((-1, 0, 0, 1, 1, 1, 2))))
        return before if rng.random() < 0.6 else draw()

    window = max(closes - opens, 20.0)
    for person, joined, diligence in people:
        chance = diligence * poll_type.answer_rate
        if rng.random() >= chance:
            continue
        at = max(opens, joined) + 4 + window * 0.75 * rng.betavariate(1.6, 3.0)
        if at >= closes + window:
            continue  # joined too late for this one
        now[0] = at
        answers[person] = pick(person)
        store.save_answer(sid, poll.id, person, answers[person], "%016x" % rng.getrandbits(64))
        if poll.allow_change and poll_type.change_rate and rng.random() < poll_type.change_rate:
            now[0] = at + rng.uniform(3, window * 0.2)
            answers[person] = pick(person)
            store.save_answer(sid, poll.id, person, answers[person], "%016x" % rng.getrandbits(64))
    return answers


def sample_results(deck: Deck, participants: int = 24, seed=0) -> dict[str, dict]:
    """Return each poll's revealed results from `participants` simulated answers (for a
    preview of what the room will see), drawn as `simulate` draws them."""
    rng = random.Random(seed)
    language = languages.of(deck.language)
    out = {}
    for poll in deck.polls.values():
        poll_type = polltypes.get(poll.type)
        draw = poll_type.answer_generator(poll, rng, language)
        tally = polltypes.new_tally(poll)
        for person in range(1, participants + 1):
            if rng.random() < poll_type.answer_rate * 0.95:
                tally.add(person, draw())
        out[poll.id] = tally.snapshot(True)
    return out
