"""Every answer as one row, for spreadsheets (CSV) and programs (JSON)."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone

from workshop.polltypes import describe_answer

from .text import csv_cell, fix_surrogates

COLUMNS = ("session", "poll_id", "question", "participant", "answer", "first_answered_at",
           "last_answered_at", "status", "votes")
QA_POLL_ID = "qa"  # the poll_id column of the audience's questions (their text is the answer)


def iso(ts: float | None) -> str:
    """Return a timestamp as ISO 8601 in UTC, e.g. 2025-03-12T09:30:00Z."""
    if ts is None:
        return ""
    moment = datetime.fromtimestamp(ts, timezone.utc)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def rows(deck, results) -> list[dict]:
    """Return one dict per stored answer, hidden ones included, oldest first."""
    out = []
    for answer in results.answers:
        poll = deck.polls.get(answer.poll_id)
        out.append({
            "session": results.session.id, "poll_id": answer.poll_id,
            "question": poll.question if poll else "",
            "participant": results.name(answer.participant_id),
            "answer": describe_answer(poll, answer.value),
            "first_answered_at": iso(answer.first_at), "last_answered_at": iso(answer.last_at),
            "status": answer.status, "votes": ""})  # shown, held or hidden: the raw record keeps all
    return out


def question_rows(results) -> list[dict]:
    """One dict per audience question, every status (handouts/qa.py), most votes first."""
    return [{"session": results.session.id, "poll_id": QA_POLL_ID, "question": "",
             "participant": q.name, "answer": q.text, "first_answered_at": iso(q.asked_at),
             "last_answered_at": iso(q.asked_at), "status": q.status, "votes": q.votes}
            for q in results.questions]


def export_csv(deck, results) -> bytes:
    """Return every answer as CSV: UTF-8 with a BOM, formula-like cells neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows(deck, results) + question_rows(results):
        writer.writerow([csv_cell(row[column]) for column in COLUMNS])
    return out.getvalue().encode("utf-8-sig")


def export_json(deck, results) -> bytes:
    """Return every answer as JSON: the session's facts and a list of answer rows."""
    data = {
        "session": {"id": results.session.id, "deck": deck.title,
                    "join_code": results.session.join_code,
                    "started_at": iso(results.started_at), "ended_at": iso(results.ended_at),
                    "participants": results.joined, "answering": results.answering,
                    "names": results.names},
        "polls": [{"id": poll_id, "type": poll.type, "question": poll.question,
                   "answered": results.answered.get(poll_id, 0),
                   "response_rate": round(results.response_rate.get(poll_id, 0.0), 4)}
                  for poll_id, poll in deck.polls.items()],
        "answers": [{**row, "value": answer.value, "hidden": answer.hidden}
                    for row, answer in zip(rows(deck, results), results.answers)],
        "questions": [{"id": q.id, "text": q.text, "participant": q.name, "status": q.status,
                       "votes": q.votes, "asked_at": iso(q.asked_at),
                       "upvoted_by": sorted(results.name(v) for v in q.voters)}
                      for q in results.questions]}
    text = json.dumps(data, ensure_ascii=False, indent=2)
    return fix_surrogates(text).encode("utf-8")

