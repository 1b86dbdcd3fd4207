"""The facilitator's report: the session's facts, every poll with its chart, every open answer."""
from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import (CondPageBreak, Flowable, HRFlowable, KeepTogether,
                                NextPageTemplate, PageBreak, Spacer, Table)

from workshop import polltypes

from . import fonts
from .doc import Furniture, build_pdf, frame_width
from .handout import cover, credit_rows, facts_table
from .labels import Labels
from .qa import summary_section
from .quiz import quiz_section
from .questions import kicker, printed_answer, room_chart
from .shift import room_shift
from .styles import BAR, GUTTER, MUTED, RULE, TRACK, css, marked, para, ruled_table
from .text import clean, markup


def build_summary(deck, results, invariant=False) -> bytes:
    """Return the session summary PDF for the facilitator."""
    labels = Labels(deck.language)
    width = frame_width("a4")
    numbers = {poll_id: n for n, poll_id in enumerate(deck.polls, 1)}
    story = [NextPageTemplate("body")]
    story += cover(deck, labels, labels("summary"), results.started_at, width, 2 * mm, False)
    facts = session_facts(deck, results, labels) + credit_rows(deck, labels)
    # the rate table may start on the cover and go on overleaf: a heading kept with the whole
    # table (keepWithNext) would move both to page 2 and leave the cover half empty
    heading = para(labels("poll_rate"), "h3")
    heading.keepWithNext = 0
    story += [Spacer(1, 4 * mm), facts_table(facts, width), Spacer(1, 5 * mm), CondPageBreak(40 * mm),
              heading, rate_table(deck, results, labels, width), PageBreak()]
    for poll_id, poll in deck.polls.items():
        shift = room_shift(deck, poll, results, labels, numbers, width)
        story += poll_section(poll, numbers[poll_id], results, labels, width, shift)
    story += summary_section(deck, results, labels)  # handouts/qa.py
    story += quiz_section(deck, results, labels, width)
    story += appendix(deck, results, labels, numbers)
    footer = f"{labels('session')} {results.session.id} · {labels.date(results.started_at)}"
    return build_pdf(story, Furniture(labels, deck.title, labels("summary"), footer), "a4",
                     invariant, title=f"{deck.title} — {labels('summary')}",
                     author=deck.speaker)


def session_facts(deck, results, labels: Labels) -> list[list[Flowable]]:
    """Return the cover's rows of facts: date, time, duration, people."""
    start, end = results.started_at, results.ended_at
    minutes = round((end - start) / 60) if start is not None and end is not None else 0
    duration = labels("minutes", m=minutes)
    if deck.minutes:
        duration += labels("planned", m=f"{deck.minutes:g}")
    rows = [(labels("session"), f"{results.session.id} · {labels('code')} "
                                f"{results.session.join_code}"),
            (labels("date"), labels.date_time(start, end)),
            (labels("duration"), duration),
            (labels("joined"), str(results.joined)),
            (labels("answering"), str(results.answering))]
    return [[para(key, "factkey"), para(value, "factvalue")] for key, value in rows]


class RateBar(Flowable):
    """A small bar showing a response rate."""

    def __init__(self, fraction: float, width: float = 60, height: float = 6):
        super().__init__()
        self.fraction, self.width, self.height = fraction, width, height

    def draw(self):
        c = self.canv
        c.setFillColor(TRACK)
        c.rect(0, 0, self.width, self.height, stroke=0, fill=1)
        c.setFillColor(BAR)
        c.rect(0, 0, self.width * min(self.fraction, 1.0), self.height, stroke=0, fill=1)


def rate_table(deck, results, labels: Labels, width: float) -> Table:
    """Return the table of every question with how many answered it."""
    head = [marked("#", "cellhead"), para(labels("polls"), "cellhead"),
            para(labels("answered_col"), "cellhead"), para(labels("rate"), "cellhead"), ""]
    rows = [head]
    for n, (poll_id, poll) in enumerate(deck.polls.items(), 1):
        rate = results.response_rate[poll_id]
        rows.append([para(str(n), "cell"), para(poll.question, "cell"),
                     para(str(results.answered[poll_id]), "cellnum"),
                     para(labels.percent(rate), "cellnum"), RateBar(rate)])
    widths = [9 * mm, width - 9 * mm - 20 * mm - 18 * mm - 66, 20 * mm, 18 * mm, 66]
    return ruled_table(rows, widths, ("LEFTPADDING", (-1, 0), (-1, -1), 6))


def poll_section(poll, number: int, results, labels: Labels, width: float,
                 shift: list[Flowable] = ()) -> list[Flowable]:
    """Return one poll's part of the report: question, chart, shift, and every open answer."""
    head = [kicker(number, poll, labels), para(poll.question, "question"), Spacer(1, 2)]
    out: list[Flowable] = [CondPageBreak(60 * mm),
                           KeepTogether(head + room_chart(poll, results, labels) + list(shift))]
    if polltypes.get(poll.type).free_text:
        answers = results.open_answers[poll.id]
        if answers:
            out.append(para(f"{labels('answers')} ({len(answers)})", "h3"))
            out += [answer_para(a.name, a.text) for a in answers]
    out += [Spacer(1, 6), HRFlowable(width="100%", thickness=0.6, color=RULE, spaceBefore=4,
                                     spaceAfter=12)]
    return out


def answer_para(label: str, text: str) -> Flowable:
    """Return one open answer with a muted label (a pseudonym, a question) in the left gutter."""
    label = clean(" ".join(label.split()))
    text = printed_answer(text)
    if all(fonts.coverage(ch) == fonts.LATIN for ch in label) and \
            fonts.string_width(label, fonts.SANS, 8) < GUTTER - 6:
        # bulletText is drawn as plain text: no markup to parse, and it cannot inject any
        return marked(markup(text), "answer", bulletText=label)
    return marked(f'<font color="{css(MUTED)}" size="8">{markup(label, newlines=False)}'
                  f"</font>\xa0\xa0\xa0{markup(text)}", "answer")


def appendix(deck, results, labels: Labels, numbers: dict) -> list[Flowable]:
    """Return the appendix: each participant's open answers together."""
    open_ids = [poll_id for poll_id, poll in deck.polls.items() if polltypes.get(poll.type).free_text]
    by_person: dict[int, list[tuple[str, str]]] = {}
    for poll_id in open_ids:
        for a in results.open_answers[poll_id]:
            by_person.setdefault(a.participant_id, []).append((poll_id, a.text))
    if not by_person:
        return []
    # on the page the last section ends on, when the heading and a few answers fit there
    out: list[Flowable] = [CondPageBreak(50 * mm), Spacer(1, 6), para(labels("appendix"), "h1"),
                           Spacer(1, 6)]
    for person in sorted(by_person, key=lambda p: results.name(p).lower()):
        answers = [answer_para(labels("question", n=numbers[poll_id]), text)
                   for poll_id, text in sorted(by_person[person], key=lambda item: numbers[item[0]])]
        out.append(KeepTogether([para(results.name(person), "h4"), answers[0]]))
        out += answers[1:]
    return out
