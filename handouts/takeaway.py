"""A participant's own takeaway: their answers beside the room's, and the workshop's key ideas."""
from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, NextPageTemplate, Spacer

from workshop.polltypes import describe_answer

from .doc import Furniture, build_pdf, frame_width
from .handout import accent_rule, bullets, panel, story_panel, tips_panel
from .labels import Labels
from .qa import takeaway_section
from .pictures import MAX_HEIGHT, pictures
from .quiz import takeaway_score
from .questions import kicker, printed_answer, room_chart
from .shift import own_shift
from .styles import MINE, WHITE, css, marked, para
from .text import markup


def build_takeaway(deck, results, participant_id, invariant=False) -> bytes:
    """Return one participant's takeaway PDF: each of their answers beside the room's."""
    person = next((p for p in results.participants if p.id == participant_id), None)
    if person is None:
        raise KeyError(participant_id)
    labels = Labels(deck.language)
    width = frame_width("a4")
    name = results.name(person.id)
    story: list[Flowable] = [
        NextPageTemplate("body"), Spacer(1, 6 * mm),
        para(f"{labels('takeaway')} · {labels.date(results.started_at)}".upper(), "kicker"),
        accent_rule(), para(deck.title, "title")]
    if deck.subtitle:
        story.append(para(deck.subtitle, "subtitle"))
    story.append(para(labels("for", name=name), "meta"))
    ideas = key_ideas(deck)
    if ideas:
        lists = [s for s in deck.slides if s.kind == "bullets"]
        levels = getattr(lists[-1], "levels", ()) if lists else ()  # the recap's sub-bullets
        story += [Spacer(1, 4 * mm), para(labels("key_ideas"), "h2")]
        story += bullets(ideas, levels=levels)
    story.append(Spacer(1, 4 * mm))
    story += takeaway_score(deck, results, person.id, labels)
    scenarios = {s.poll.id: s for s in deck.slides if s.kind == "scenario" and s.poll}
    pictured = {s.poll.id: s.images for s in deck.slides if s.poll and s.images}
    numbers = {poll_id: n for n, poll_id in enumerate(deck.polls, 1)}
    for poll_id, poll in deck.polls.items():
        shift = own_shift(deck, poll, results, person.id, labels, numbers)
        shown = pictures(pictured.get(poll_id, ()), deck.folder, width, MAX_HEIGHT * mm * 0.8)
        story += poll_pair(poll, numbers[poll_id], results, person.id, labels, width,
                           scenarios.get(poll_id), shift, shown)
    story += takeaway_section(results, person.id, labels)  # handouts/qa.py
    while isinstance(story[-1], Spacer):
        story.pop()  # a space after the last question would start a blank page of its own
    footer = f"{deck.title} · {name}"
    return build_pdf(story, Furniture(labels, deck.title, labels("takeaway"), footer), "a4",
                     invariant, title=f"{deck.title} — {labels('takeaway')}",
                     author=deck.speaker)


def key_ideas(deck) -> list[str]:
    """Return the workshop's key ideas: the last bulleted slide (the recap), else text titles."""
    lists = [s for s in deck.slides if s.kind == "bullets"]
    if lists:
        return list(lists[-1].bullets)
    return [s.title for s in deck.slides if s.kind == "text"][:8]


def poll_pair(poll, number: int, results, participant_id: int, labels: Labels,
              width: float, scenario=None, shift=(), shown=()) -> list[Flowable]:
    """Return one question: the participant's answer, then the room's with theirs marked.

    A scenario's question comes after its story and before its tips, all on one page; a
    question asked before too shows the participant's move and the room's (`shift`);
    `shown` are the slide's pictures, before the question.
    """
    value = results.value_of(poll.id, participant_id)
    answer = labels("not_answered") if value is None else printed_answer(describe_answer(poll, value))
    label = marked(f'<font color="{css(MINE)}"><b>{markup(labels("your_answer"))}</b>'
                   f"</font>", "small")
    yours = panel([label, para(answer, "youbox")] + list(shift), width, WHITE, MINE)
    mine = value if poll.type in ("choice", "scale") else None  # marked on the room's chart
    room = [para(labels("room_answers"), "h3")] + room_chart(poll, results, labels, mine)
    head = list(shown) + [kicker(number, poll, labels), para(poll.question, "question"),
                          Spacer(1, 3), yours]
    if scenario is not None:
        head = [para(scenario.title, "h2"), story_panel(scenario, width), Spacer(1, 6)] + head
        room += [Spacer(1, 6), tips_panel(scenario, labels, width)]
    return [Spacer(1, 6), KeepTogether(head + room), Spacer(1, 10)]
