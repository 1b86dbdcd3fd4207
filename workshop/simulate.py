"""Synthetic sessions: a finished session with plausible answers, for demos, tests, benchmarks."""
from __future__ import annotations

import random
import time
from pathlib import Path

from . import ids
from .deck import Deck, Poll
from .polls import terms_of

TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"

# Open answers are three phrases: a stance, a core idea, an afterthought (which may be empty).
PHRASES = {
    "en": {
        "follower": (
            ["Followers, because", "I'd rather have followers:", "Followers. In my experience",
             "Followers, no question;", "Honestly followers, since", "I picked followers because",
             "Subordinates at first, because", "I chose subordinates:"],
            ["people who believe in the goal do more than what they are told",
             "followers stay when things get hard, subordinates just comply",
             "a follower chooses to come with you, a subordinate has to",
             "you cannot order someone to care about the customer",
             "trust makes the team faster than any process",
             "the title only gives you subordinates; followers you have to earn",
             "a new team needs clear roles before it can have real followers",
             "followers give you their ideas, not just their hours"],
            ["", ".", " and that is what a new leader needs.", " and it shows in the results.",
             "; the difference is trust.", " - it is about earning respect."]),
        "process": (
            ["Because", "Process matters since", "In my view", "I think", "Without process",
             "We learned the hard way that", "For me"],
            ["a result without a good process cannot be repeated",
             "the process is where people learn and grow",
             "good results from a bad process hide problems that come back later",
             "the way we reach the result shapes the team's culture",
             "process protects the customer when the pressure is high",
             "it lets new people do the work without guessing",
             "you can only improve what you can see, and the process makes it visible"],
            ["", ".", " - shortcuts cost more later.", " and it keeps the team honest.",
             "; results follow a healthy process."]),
        "leader": (
            ["I want to be", "I'd like to become", "My goal is to be", "Someone my team sees as",
             "I hope to be", "Honestly,"],
            ["a leader who helps people grow beyond what they thought they could do",
             "a leader people trust to tell them the truth early",
             "a coach more than a boss", "calm in a crisis and clear about the goal",
             "the kind of leader who makes others successful",
             "someone who listens first and decides firmly",
             "a leader who builds the team and then gets out of its way"],
            ["", ".", " - and still deliver results.", ", even when it is hard.",
             "; that is what my best manager did for me."]),
        "generic": (
            ["I think", "For me,", "In my team,", "My answer:", "Honestly,"],
            ["it comes down to {term}", "{term} matters more than we admit",
             "we should talk about {term} more often", "the real issue is {term}",
             "{term} is where a leader makes the difference"],
            ["", ".", " - and trust.", " and clear goals."]),
    },
    "zh": {
        "follower": (
            ["追随者，因为", "我选追随者：", "我更希望有追随者，", "我选了下属，因为", "说实话是追随者，"],
            ["认同目标的人会主动多做一步", "追随者在困难时会留下来，下属只是服从",
             "追随者是自愿跟你走的，下属是不得不", "你不能命令一个人真心关心客户",
             "信任比任何流程都让团队更快", "职位只能给你下属，追随者要靠自己赢得",
             "新团队先要有清楚的分工，之后才有真正的追随者"],
            ["", "。", "，这正是新管理者需要的。", "，区别在于信任。", "，结果会说明一切。"]),
        "process": (
            ["因为", "我认为", "没有过程的话，", "我们吃过亏：", "在我看来，"],
            ["没有好过程的结果无法复制", "人是在过程中学习和成长的",
             "坏过程得到的好结果会把问题藏起来，以后还会出现", "达成结果的方式决定了团队文化",
             "压力大的时候，过程能保护客户", "过程让新人不用靠猜来做事"],
            ["", "。", "，走捷径以后代价更大。", "，过程健康，结果自然会来。"]),
        "leader": (
            ["我想成为", "我希望成为", "我的目标是成为", "我想做"],
            ["能帮助别人成长、超越自己的领导者", "团队信得过、会早点说真话的领导者",
             "更像教练而不是老板的人", "危机中冷静、目标清楚的领导者",
             "让别人成功的领导者", "先倾听、再果断决定的人"],
            ["", "。", "，同时也能拿到结果。", "，即使很难也要坚持。"]),
        "generic": (
            ["我觉得", "对我来说，", "在我的团队里，", "我的回答："],
            ["关键在于{term}", "{term}比我们想的更重要", "我们应该多谈谈{term}"],
            ["", "。", "，还有信任。"]),
    },
}
TOPICS = {"follower": ("follower", "subordinate", "追随", "下属"),
          "process": ("process", "过程", "流程"), "leader": ("leader", "领导")}


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
        store.create_session(sid, str(Path(deck_path).resolve()), deck.title, code, ids.facilitator_key())
        people = _join(store, sid, participants, rng, now, start, total)
        language = "zh" if (deck.language or "").lower().startswith("zh") else "en"
        for index, slide in enumerate(deck.slides):
            if slide.poll is None:
                continue
            opens, closes = timeline[index]
            _answer_poll(store, sid, slide.poll, people, rng, now, start + opens,
                         start + closes, language)
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


def _join(store, sid, count, rng, now, start, total):
    """Add participants in the order they arrive; return (id, join time, diligence)."""
    times = sorted(rng.uniform(0, 240) if rng.random() < 0.9 else rng.uniform(0, total * 0.4)
                   for _ in range(count))
    people = []
    for n, t in enumerate(times, 1):
        now[0] = start + t
        token = "".join(rng.choice(TOKEN_ALPHABET) for _ in range(22))
        person = store.add_participant(sid, token, ids.pseudonym(n))
        diligence = 0.0 if rng.random() < 0.04 else rng.uniform(0.72, 1.0)
        people.append((person.id, start + t, diligence))
    return people


def _answer_poll(store, sid, poll: Poll, people, rng, now, opens, closes, language):
    pick = _chooser(poll, rng, language)
    window = max(closes - opens, 20.0)
    for pid, joined, diligence in people:
        chance = diligence * (0.8 if poll.type == "open" else 1.0)
        if rng.random() >= chance:
            continue
        at = max(opens, joined) + 4 + window * 0.75 * rng.betavariate(1.6, 3.0)
        if at >= closes + window:
            continue  # joined too late for this one
        now[0] = at
        store.save_answer(sid, poll.id, pid, pick(), "%016x" % rng.getrandbits(64))
        if poll.allow_change and poll.type != "open" and rng.random() < 0.05:
            now[0] = at + rng.uniform(3, window * 0.2)
            store.save_answer(sid, poll.id, pid, pick(), "%016x" % rng.getrandbits(64))


def _chooser(poll: Poll, rng: random.Random, language: str):
    """Return a function that draws one plausible answer to the poll."""
    if poll.type == "choice":
        n = len(poll.options)
        if poll.correct:
            weights = [3.0 if i in poll.correct else rng.uniform(0.2, 0.9) for i in range(n)]
        else:  # a favourite, a runner-up, and so on: each option a fraction of the one before
            decay = rng.uniform(0.3, 0.6)
            weights = [decay ** place * rng.uniform(0.9, 1.1) for place in rng.sample(range(n), n)]
        limit = (poll.max_choices or n) if poll.multiple else 1

        def choice():
            k = min(limit, 1 + int(rng.expovariate(1.2))) if limit > 1 else 1
            picked, pool = set(), list(range(n))
            while len(picked) < k:
                i = rng.choices(pool, [weights[j] for j in pool])[0]
                picked.add(i)
                pool.remove(i)
            return sorted(picked)
        return choice
    if poll.type == "scale":
        lo, hi = poll.scale_min, poll.scale_max
        centre = lo + (hi - lo) * rng.uniform(0.3, 0.75)
        spread = (hi - lo) * rng.uniform(0.14, 0.24)
        return lambda: min(hi, max(lo, round(rng.gauss(centre, spread))))
    if poll.type == "ranking":
        n = len(poll.options)
        consensus = rng.sample(range(n), n)
        place = {item: i for i, item in enumerate(consensus)}
        return lambda: sorted(range(n), key=lambda item: place[item] + rng.gauss(0, 0.9))
    return _open_writer(poll, rng, language)


def _open_writer(poll: Poll, rng: random.Random, language: str):
    question = poll.question.lower()
    topic = next((name for name, words in TOPICS.items() if any(w in question for w in words)),
                 "generic")
    stances, cores, endings = PHRASES[language][topic]
    terms = [t for t in terms_of(poll.question) if len(t) > 3 or language == "zh"] or ["trust"]
    space = "" if language == "zh" else " "

    def write():
        text = f"{rng.choice(stances)}{space}{rng.choice(cores)}{rng.choice(endings)}"
        text = text.replace("{term}", rng.choice(terms))
        return text[: poll.max_length].strip()
    return write
