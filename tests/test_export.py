"""Export: one row per answer, human-readable, as CSV (Excel-safe) or JSON."""
from __future__ import annotations

import csv
import io
import json

from tests.test_handouts import (ANSWERS, HIDDEN_TEXT, make_session, mini,  # noqa: F401
                           ticking_clock, write_deck)

from handouts import export_csv, export_json, load_results
from handouts.export import COLUMNS
from workshop.store import open_store


def read_csv(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_is_utf8_with_a_bom_and_a_header(mini):
    deck, results, _ = mini
    data = export_csv(deck, results)
    assert data.startswith(b"\xef\xbb\xbf")
    assert data[3:].split(b"\r\n")[0].decode() == ",".join(COLUMNS)


def test_csv_has_one_row_per_answer_hidden_ones_included(mini):
    deck, results, _ = mini
    rows = read_csv(export_csv(deck, results))
    assert len(rows) == sum(len(values) for values in ANSWERS.values())
    assert HIDDEN_TEXT in [row["answer"] for row in rows]


def test_csv_answers_are_human_readable(mini):
    deck, results, people = mini
    rows = read_csv(export_csv(deck, results))
    mine = {row["poll_id"]: row for row in rows if row["participant"] == people[0].pseudonym}
    assert mine["pick"]["answer"] == "Pears"
    assert mine["many"]["answer"] == "Red; Green"
    assert mine["mood"]["answer"] == "4"
    assert mine["order"]["answer"] == "1. Trust > 2. Goal > 3. Talent"
    assert mine["why"]["answer"] == "Trust builds teams"
    assert mine["pick"]["question"] == "Which fruit is a pear?"
    assert mine["pick"]["session"] == "s1"


def test_csv_times_are_iso_8601_utc(mini):
    deck, results, _ = mini
    row = read_csv(export_csv(deck, results))[0]
    # T0 is 2025-12-29T09:20:00Z; the first answer is the 8th clock read, 7 x 7 s later
    assert row["first_answered_at"] == "2025-12-29T09:20:49Z"
    assert row["last_answered_at"].endswith("Z")


def test_csv_neutralises_formulas_in_answers_and_names(tmp_path):
    deck = write_deck(tmp_path)
    store = open_store(tmp_path / "w.db", clock=ticking_clock())
    store.create_session("s1", deck.path, deck.title, "CODE22", "key")
    formulas = ['=HYPERLINK("http://x","click")', "+1+2", "-1+2", "@SUM(A1)", "\tTab", "\rCR"]
    for n, formula in enumerate(formulas):
        person = store.add_participant("s1", f"token-{n:020d}", f"=cmd|{n}")
        store.save_answer("s1", "why", person.id, formula)
    rows = read_csv(export_csv(deck, load_results(store, deck, "s1")))
    assert [row["answer"] for row in rows] == ["'" + f for f in formulas]
    assert all(row["participant"].startswith("'=") for row in rows)


def test_csv_uses_pseudonyms_never_nicknames(tmp_path):
    deck = write_deck(tmp_path)
    store = open_store(tmp_path / "w.db", clock=ticking_clock())
    store.create_session("s1", deck.path, deck.title, "CODE22", "key")
    person = store.add_participant("s1", "token-0000000000000001", "Blue Heron", "Ana Secret")
    store.save_answer("s1", "mood", person.id, 3)
    data = export_csv(deck, load_results(store, deck, "s1"))
    assert b"Blue Heron" in data and b"Ana Secret" not in data


def test_json_export_has_the_session_its_polls_and_every_answer(mini):
    deck, results, _ = mini
    data = json.loads(export_json(deck, results))
    assert data["session"]["id"] == "s1"
    assert data["session"]["participants"] == 6 and data["session"]["answering"] == 5
    assert [p["id"] for p in data["polls"]] == list(deck.polls)
    assert data["polls"][0]["answered"] == 5
    assert len(data["answers"]) == sum(len(values) for values in ANSWERS.values())
    hidden = [a for a in data["answers"] if a["hidden"]]
    assert len(hidden) == 1 and hidden[0]["answer"] == HIDDEN_TEXT
    ranking = next(a for a in data["answers"] if a["poll_id"] == "order")
    assert ranking["value"] == [0, 1, 2] and ranking["answer"].startswith("1. Trust")


def test_json_export_keeps_chinese_readable(tmp_path):
    deck = write_deck(tmp_path, language="zh")
    store = open_store(tmp_path / "w.db", clock=ticking_clock())
    make_session(store, deck)
    data = export_json(deck, load_results(store, deck, "s1"))
    assert "中文回答：信任最重要".encode() in data
