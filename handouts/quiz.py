"""The quiz on paper: the summary's section (each question's right answers, the final ranking)
and a participant's score on the takeaway. Points as on the leaderboard (workshop/quiz.py),
counted from the stored answers and the questions' stored opening times."""
from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Spacer

from workshop import quiz

from .labels import Labels
from .styles import para, ruled_table

MAX_RANKED = 30  # the summary prints the first places (ties may add a few)


def standings(deck, results):
    """Return (points per participant per poll, the ranked totals) of a session's quiz."""
    per_poll = quiz.scores(deck, results.answers, results.opened)
    totals = quiz.totals(per_poll, [p.id for p in results.participants])
    return per_poll, quiz.rank(totals, {p.id: results.name(p.id) for p in results.participants})


def quiz_section(deck, results, labels: Labels, width: float) -> list[Flowable]:
    """Return the summary's quiz section, or nothing in a deck without quiz questions."""
    polls = [p for p in deck.polls.values() if quiz.is_quiz(p)]
    if not polls:
        return []
    numbers = {poll_id: n for n, poll_id in enumerate(deck.polls, 1)}
    rows = [[para("#", "cellhead"), para(labels("quiz_question"), "cellhead"),
             para(labels("quiz_right"), "cellhead")]]
    for poll in polls:
        values = results.values.get(poll.id, {}).values()
        right = sum(quiz.is_correct(poll, v) for v in values)
        answered = len(results.values.get(poll.id, {}))
        rows.append([para(str(numbers[poll.id]), "cell"), para(poll.question, "cell"),
                     para(labels.percent(right / answered if answered else 0.0), "cellnum")])
    out: list[Flowable] = [CondPageBreak(40 * mm), para(labels("quiz"), "h2"),
                           ruled_table(rows, [9 * mm, width - 9 * mm - 30 * mm, 30 * mm]), Spacer(1, 5 * mm)]
    _, ranked = standings(deck, results)
    shown = [e for e in ranked if e.rank <= MAX_RANKED]
    if shown:
        rows = [[para(labels("quiz_rank"), "cellhead"), para(labels("quiz_name"), "cellhead"),
                 para(labels("quiz_points"), "cellhead")]]
        rows += [[para(str(e.rank), "cell"), para(e.name, "cell"), para(str(e.points), "cellnum")]
                 for e in shown]
        heading = para(labels("quiz_ranking"), "h3")
        heading.keepWithNext = 0  # kept with the whole table, both would move to a new page
        out += [heading,
                ruled_table(rows, [15 * mm, width - 15 * mm - 30 * mm, 30 * mm]), Spacer(1, 6 * mm)]
    return out


def takeaway_score(deck, results, participant_id: int, labels: Labels) -> list[Flowable]:
    """Return a participant's quiz score, rank and each quiz answer's points, or nothing."""
    polls = [p for p in deck.polls.values() if quiz.is_quiz(p)]
    if not polls:
        return []
    per_poll, ranked = standings(deck, results)
    mine = next((e for e in ranked if e.key == participant_id), None)
    out: list[Flowable] = [para(labels("quiz"), "h2"),
                           para(labels("quiz_score", total=mine.points if mine else 0,
                                       rank=mine.rank if mine else "-", of=len(ranked)), "body")]
    numbers = {poll_id: n for n, poll_id in enumerate(deck.polls, 1)}
    for poll in polls:
        got = per_poll.get(participant_id, {}).get(poll.id)
        verdict = labels("quiz_none") if got is None else labels("quiz_points_of", points=got)
        out.append(para(f"{numbers[poll.id]}. {poll.question} — {verdict}", "body"))
    return out + [Spacer(1, 4 * mm)]
