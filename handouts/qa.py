"""Audience Q&A in the handouts: the summary's questions with their votes (answered or not),
the takeaway's questions a participant asked and upvoted, and the export's rows."""
from __future__ import annotations

from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer
from reportlab.lib.units import mm

from workshop import languages, qa

from .questions import printed_answer
from .results import PrintedQuestion
from .styles import para

__all__ = ["PrintedQuestion", "summary_section", "takeaway_section"]


def printed(questions) -> list[PrintedQuestion]:
    """The questions the room saw: shown, answered or archived (never held or hidden ones)."""
    return [q for q in questions if q.status in (qa.SHOWN, qa.ANSWERED, qa.ARCHIVED)]


def _line(q: PrintedQuestion, lang: str, with_name: bool = True) -> Flowable:
    """One question: its text, then its votes, whether answered, and (the summary) who asked."""
    state = languages.t(lang, "qa.pdf_answered" if q.status == qa.ANSWERED else "qa.pdf_open")
    label = f"▲ {q.votes} {languages.t(lang, 'qa.pdf_votes')} · {state}"
    if with_name and q.name:
        label += f" · {q.name}"
    return KeepTogether([para(printed_answer(q.text), "body"), para(label, "meta")])


def summary_section(deck, results, labels) -> list[Flowable]:
    """The summary's Q&A: every question the room saw, with its votes, answered or not."""
    questions = printed(results.questions)
    if not questions:  # a session nobody asked in keeps the summary it always had
        return []
    lang = labels.lang
    return [CondPageBreak(40 * mm), Spacer(1, 6),
            para(f"{languages.t(lang, 'qa.pdf_title')} ({len(questions)})", "h1"),
            *[_line(q, lang) for q in questions]]


def takeaway_section(results, participant_id: int, labels) -> list[Flowable]:
    """A participant's questions: the ones they asked and the ones they upvoted."""
    lang = labels.lang
    questions = printed(results.questions)
    asked = [q for q in results.questions if q.participant_id == participant_id
             and q.status != qa.HIDDEN]
    upvoted = [q for q in questions if participant_id in q.voters]
    out: list[Flowable] = []
    for key, items in (("qa.takeaway_asked", asked), ("qa.takeaway_upvoted", upvoted)):
        if items:
            out += [Spacer(1, 4 * mm), para(languages.t(lang, key), "h2")]
            out += [_line(q, lang, with_name=False) for q in items]
    return out
