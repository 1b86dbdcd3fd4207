"""The handout: the workshop's ideas laid out for print, each question with room to answer."""
from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import (CondPageBreak, Flowable, HRFlowable, KeepTogether,
                                NextPageTemplate, Spacer, Table, TableStyle)

from workshop import polltypes

from .doc import Furniture, build_pdf, frame_width
from .labels import Labels
from .pictures import MAX_HEIGHT, pictures
from .questions import answer_space, kicker, room_chart
from .styles import ACCENT, ACCENT_SOFT, PANEL, RULE, marked, para, rich
from .text import markup, paragraphs
from .widgets import JoinCode, RuledLines


def build_handouts(deck, results=None, paper="a4", join_url=None, join_code=None,
                   invariant=False) -> bytes:
    """Return the handout PDF; with results, each question also shows what the room said."""
    labels = Labels(deck.language)
    width = frame_width(paper)
    when = results.started_at if results else None
    story = cover(deck, labels, labels("handout"), when, width)
    if join_url and not session_over(results):
        story += [Spacer(1, 14 * mm), JoinCode(join_url, join_code, labels)]
    # the workshop starts on the cover's page when there is room: no half-empty first page
    story += [NextPageTemplate("body"), Spacer(1, 12 * mm), CondPageBreak(70 * mm)]
    number = 0
    for index, slide in enumerate(deck.slides):
        if index == 0 and slide.kind == "title":
            continue  # the cover already says it
        if slide.poll:
            number += 1
        story += slide_blocks(slide, number, labels, results, width, deck.folder)
    story += notes_page(labels)
    footer = f"{deck.title} · {labels.date(when)}"
    return build_pdf(story, Furniture(labels, deck.title, labels("handout"), footer), paper,
                     invariant, title=deck.title, author=deck.speaker)


def session_over(results) -> bool:
    """Return whether the results are of a session that has ended: nobody joins it any more.

    Handouts of a live room keep the join QR for latecomers; `workshop handouts --session`
    gives no join address at all.
    """
    return results is not None and results.session.ended_at is not None


def accent_rule(width: float = 42, thickness: float = 3) -> Flowable:
    """Return the short accent bar that opens a cover or a part."""
    return HRFlowable(width=width, thickness=thickness, color=ACCENT, hAlign="LEFT",
                      spaceBefore=0, spaceAfter=10)


def cover(deck, labels: Labels, kind: str, when, width: float, top: float = 22 * mm,
          lead: bool = True) -> list[Flowable]:
    """Return the cover's flowables: kind and date, title, subtitle, credits."""
    story: list[Flowable] = [Spacer(1, top),
                             para(f"{kind} · {labels.date(when)}".upper(), "kicker"),
                             accent_rule(), para(deck.title, "title")]
    if deck.subtitle:
        story.append(para(deck.subtitle, "subtitle"))
    first = deck.slides[0] if deck.slides else None
    if lead and first is not None and first.kind == "title" and first.subtitle and \
            first.subtitle != deck.subtitle:
        story.append(rich(first.subtitle, "body"))
    rows = credit_rows(deck, labels) if lead else []
    if rows:  # a deck may credit nobody: an empty table is an error in ReportLab
        story += [Spacer(1, 10 * mm), facts_table(rows, width)]
    return story


def credit_rows(deck, labels: Labels) -> list[list[Flowable]]:
    """Return the rows that credit the speaker and the source."""
    credits = [(labels("speaker"), deck.speaker), (labels("source"), deck.source)]
    return [[para(key, "factkey"), para(value, "small")] for key, value in credits if value]


def facts_table(rows, width: float, key_width: float = 38 * mm) -> Table:
    """Return a two-column table of facts, keys muted on the left."""
    table = Table(rows, colWidths=[key_width, width - key_width], hAlign="LEFT", splitInRow=1)
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 6),
        ("TOPPADDING", (0, 0), (-1, -1), 5), ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
        ("LINEBELOW", (0, 0), (-1, -1), 0.5, RULE)]))
    return table


def panel(flowables, width: float, background=PANEL, line=None) -> Table:
    """Return flowables set in a tinted box (a story, the tips)."""
    table = Table([[flowables]], colWidths=[width], hAlign="LEFT", splitInRow=1)
    commands = [("BACKGROUND", (0, 0), (-1, -1), background),
                ("LEFTPADDING", (0, 0), (-1, -1), 14), ("RIGHTPADDING", (0, 0), (-1, -1), 14),
                ("TOPPADDING", (0, 0), (-1, -1), 10), ("BOTTOMPADDING", (0, 0), (-1, -1), 8)]
    if line is not None:
        commands.append(("LINEBEFORE", (0, 0), (0, -1), 3, line))
    table.setStyle(TableStyle(commands))
    return table


def quote_block(slide, width: float) -> Table:
    """Return a pull quote with its attribution."""
    body = [rich(f"\u201c{slide.quote}\u201d", "quote")]
    if slide.attribution:
        body.append(para(f"\u2014 {slide.attribution}", "attribution"))
    table = Table([[body]], colWidths=[width], hAlign="LEFT", splitInRow=1)
    table.setStyle(TableStyle([
        ("LINEBEFORE", (0, 0), (0, -1), 2.5, ACCENT),
        ("LEFTPADDING", (0, 0), (-1, -1), 16), ("RIGHTPADDING", (0, 0), (-1, -1), 8),
        ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
    return table


def bullets(items, name: str = "bullet", levels=()) -> list[Flowable]:
    """Return a bulleted list of deck texts; a bullet of level 1 or more is a sub-bullet."""
    levels = tuple(levels) + (0,) * (len(items) - len(levels))
    return [rich(item, "subbullet", bulletText="\u2013") if level else
            rich(item, name, bulletText="\u2022") for item, level in zip(items, levels)]


def question_block(poll, number: int, labels: Labels, results, width: float,
                   title: str = "") -> list[Flowable]:
    """Return a question with room to answer by hand or, with results, what the room said."""
    head = [kicker(number, poll, labels)]
    if title and title.strip() != poll.question.strip():
        head.append(para(title, "meta"))
    head.append(para(poll.question, "question"))
    if results is not None and poll.id in results.tallies:
        # the room's chart lists the options: marks to fill in would print them twice
        if polltypes.get(poll.type).free_text:
            head.append(RuledLines(4))
        head += [Spacer(1, 6), para(labels("room_said"), "h3")] + room_chart(poll, results, labels)
    else:
        head += answer_space(poll, labels, width)
    # a question stays on one page with the room's answers (KeepTogether splits one taller
    # than a page)
    return [Spacer(1, 6), KeepTogether(head), Spacer(1, 8)]


def slide_blocks(slide, number: int, labels: Labels, results, width: float,
                 folder: str = "") -> list[Flowable]:
    """Return the printed form of one slide, its pictures (from the deck's folder) after it."""
    kind = slide.kind
    shown = pictures(slide.images, folder, width, MAX_HEIGHT * mm) if slide.images else []
    if kind == "image":
        head = [para(slide.title, "h2")] if slide.title else [Spacer(1, 10)]
        return [KeepTogether(head + shown[:1])] + shown[1:]
    if kind in ("title", "section"):
        out = [CondPageBreak(90 * mm), Spacer(1, 10), accent_rule(), para(slide.title, "h1")]
        if slide.subtitle:
            out.append(rich(slide.subtitle, "h1sub"))
        return out + [Spacer(1, 4)] + shown
    if kind == "bullets":
        levels = getattr(slide, "levels", ())  # sub-bullets, where the deck model has them
        return [para(slide.title, "h2")] + bullets(slide.bullets, levels=levels) + shown
    if kind == "text":
        return [para(slide.title, "h2")] + [rich(p, "body") for p in paragraphs(slide.text)] + shown
    if kind == "quote":
        out = [para(slide.title, "h2")] if slide.title else [Spacer(1, 10)]
        return out + [quote_block(slide, width), Spacer(1, 8)] + shown
    if kind == "poll":
        return shown + question_block(slide.poll, number, labels, results, width, slide.title)
    # a scenario: the story, its question, then the tips, all on one page
    out = [para(slide.title, "h2"), story_panel(slide, width)] + shown
    out += question_block(slide.poll, number, labels, results, width)[:-1]
    out += [tips_panel(slide, labels, width)]
    return [KeepTogether(out), Spacer(1, 6)]


def story_panel(slide, width: float) -> Table:
    """Return a scenario's story in a tinted box."""
    return panel([rich(p, "body") for p in paragraphs(slide.story)], width)


def tips_panel(slide, labels: Labels, width: float) -> Table:
    """Return a scenario's tips in an accented box under their title."""
    tips = [marked(f"<b>{markup(slide.tips_title or labels('tips'))}</b>", "h3")]
    return panel(tips + bullets(slide.tips), width, ACCENT_SOFT, ACCENT)


class NoteLines(RuledLines):
    """Ruled lines filling what is left of the page."""

    def wrap(self, aw, ah):
        self.count = max(1, int((ah - 4) // self.spacing))
        return super().wrap(aw, ah)


def notes_page(labels: Labels) -> list[Flowable]:
    """Return ruled lines for notes: the rest of the last page, or a page of its own."""
    return [CondPageBreak(80 * mm), para(labels("notes"), "h1"), Spacer(1, 4), NoteLines(1, 24)]
