"""Audience Q&A: the core's rules and order, the store (one vote per phone and question, uid
resends, the migration, --resume), and through the real protocol."""
from __future__ import annotations

import sqlite3

import pytest

from server import socketio
from server.rooms import RoomRegistry
from workshop import qa
from workshop.deck_file import parse_deck
from workshop.qa import QAError
from workshop.session import ControlError
from workshop.store import open_store

DECK = """
title: Questions
slides:
  - kind: title
    title: Welcome
  - kind: qa
    title: Your questions
"""
FILTERED_TEXT = "this plan is shit"


def make_deck(extra=""):
    return parse_deck(extra + DECK, "qa.yaml")


@pytest.fixture
def store(tmp_path):
    s = open_store(str(tmp_path / "qa.db"))
    yield s
    s.close()


def new_room(store, deck=None):
    return RoomRegistry(store).create(deck or make_deck(), "qa.yaml")


def people(room, n):
    return [room.join(f"token-{i:016d}").id for i in range(n)]


# ----- the core ----------------------------------------------------------------------------

def test_order_by_votes_pinned_first_ties_by_time_and_by_time_newest_first():
    qs = [qa.Question(1, 10, "a", asked_at=1.0, voters={1, 2}),
          qa.Question(2, 11, "b", asked_at=2.0, voters={1, 2}),
          qa.Question(3, 12, "c", asked_at=3.0, voters={1, 2, 3}),
          qa.Question(4, 13, "d", asked_at=4.0, pinned=True)]
    assert [q.id for q in qa.order(qs)] == [4, 3, 1, 2]
    assert [q.id for q in qa.order(qs, qa.BY_TIME)] == [4, 3, 2, 1]


def test_vote_rules_one_per_phone_withdrawable_not_own_not_held():
    board = qa.Board()
    board.add(qa.Question(1, 10, "why?"))
    board.add(qa.Question(2, 11, "held", status=qa.HELD))
    assert board.vote(1, 20, True) and not board.vote(1, 20, True)
    assert board.questions[1].votes == 1
    assert board.vote(1, 20, False) and board.questions[1].votes == 0
    with pytest.raises(QAError) as own:
        board.vote(1, 10, True)
    assert own.value.code == "own_question"
    with pytest.raises(QAError) as held:
        board.vote(2, 20, True)
    assert held.value.code == "unknown_question"
    board.set_status(1, qa.ANSWERED)
    with pytest.raises(QAError) as closed:
        board.vote(1, 20, True)
    assert closed.value.code == "question_closed"


def test_clean_question_and_arrival():
    assert qa.clean_question("  why\x00 now?\u200b ") == "why now?\u200b"
    for value, code in ((5, "bad_value"), ("\u200b \n", "empty"), ("x" * 281, "too_long")):
        with pytest.raises(QAError) as got:
            qa.clean_question(value)
        assert got.value.code == code
    assert qa.arrival(FILTERED_TEXT, False) == (qa.HELD, qa.FILTERED)
    assert qa.arrival("fine", True) == (qa.HELD, qa.MODERATION)
    assert qa.arrival("fine", False) == (qa.SHOWN, "")
    assert qa.asker_name("anonymous", "Ana") == "" and qa.asker_name("named", "Ana") == "Ana"


def test_pinning_moves_and_hiding_unpins():
    board = qa.Board()
    for i in (1, 2):
        board.add(qa.Question(i, 10 + i, str(i)))
    assert board.pin(1) and not board.pin(1) and board.pin(2)
    assert board.pinned.id == 2 and not board.questions[1].pinned
    board.set_status(2, qa.HIDDEN)
    assert board.pinned is None


def test_deck_qa_option_and_slide_kind_in_yaml_and_markdown(tmp_path):
    from workshop.deck_file import load_deck
    from workshop.deck_write import to_markdown
    deck = make_deck("qa: false\n")
    assert deck.qa is False and deck.slides[1].kind == "qa"
    assert make_deck().qa is True
    md = tmp_path / "qa.md"
    md.write_text(to_markdown(deck), encoding="utf-8")
    back = load_deck(str(md))
    assert back.qa is False and back.slides[1].kind == "qa" and back.slides[1].title == "Your questions"


# ----- the room and the store --------------------------------------------------------------

def test_ask_upvote_withdraw_and_rebuild_from_the_store(store):
    room = new_room(store)
    ana, ben, cy = people(room, 3)
    q1 = room.ask(ana, "Why now?", "a1")["question"]["id"]
    q2 = room.ask(ben, "What next?", "b1")["question"]["id"]
    assert room.upvote(ben, q1, True, "v1")["votes"] == 1
    assert room.upvote(cy, q1, True, "v2")["votes"] == 2
    assert room.upvote(cy, q2, True, "v3")["votes"] == 1
    assert room.upvote(cy, q2, False, "v4")["votes"] == 0
    with pytest.raises(QAError):
        room.upvote(ana, q1, True, "v5")
    assert [q["id"] for q in room.phone_questions()["items"]] == [q1, q2]
    before = {q.id: (q.text, q.votes, q.status) for q in room.board.questions.values()}
    room.rebuild()
    assert {q.id: (q.text, q.votes, q.status) for q in room.board.questions.values()} == before
    resumed = RoomRegistry(store).resume(room.id, room.deck)
    assert resumed.board.questions[q1].voters == {ben, cy}
    mine = resumed.qa_mine(cy)
    assert mine["voted"] == [q1] and mine["mine"] == []


def test_a_vote_is_unique_in_the_store_and_resends_change_nothing(store):
    room = new_room(store)
    ana, ben = people(room, 2)
    q = room.ask(ana, "Why?", "a1")["question"]["id"]
    again = room.ask(ana, "Why?", "a1")
    assert again["duplicate"] and again["question"]["id"] == q and len(store.questions(room.id)) == 1
    room.upvote(ben, q, True, "v1")
    store.set_vote(room.id, q, ben, True)  # a second insert is ignored
    with pytest.raises(sqlite3.IntegrityError):
        store.db.execute("INSERT INTO question_votes VALUES (?, ?, 0)", (q, ben))
    room.upvote(ben, q, False, "v2")
    resend = room.upvote(ben, q, True, "v1")  # the first vote again, after it was withdrawn
    assert resend["duplicate"] and resend["voted"] is False
    assert store.question_votes(room.id) == []
    room.rebuild()  # the uids survive a rebuild (and so a restart)
    assert room.upvote(ben, q, True, "v1")["duplicate"]


def test_moderation_holds_questions_in_the_same_queue(store):
    room = new_room(store)
    ana, ben = people(room, 2)
    held = room.ask(ana, FILTERED_TEXT, "a1")
    assert held["held"] == "filtered"
    room.control("moderate", {"on": True})
    waiting = room.ask(ben, "May I ask?", "b1")
    assert waiting["held"] == "moderation"
    assert room.phone_questions()["items"] == []
    queue = room.queue_message()["items"]
    assert [(i["kind"], i["text"]) for i in queue] == [("question", FILTERED_TEXT), ("question", "May I ask?")]
    with pytest.raises(QAError):
        room.upvote(ana, waiting["question"]["id"], True)
    room.control("qa_approve", {"question": waiting["question"]["id"]})
    assert [q["text"] for q in room.phone_questions()["items"]] == ["May I ask?"]
    room.control("qa_pin", {"question": waiting["question"]["id"]})
    room.control("qa_answered", {"question": waiting["question"]["id"]})
    item = room.phone_questions()["items"][0]
    assert item["status"] == "answered" and item["pinned"]
    room.control("qa_archive", {"question": waiting["question"]["id"]})
    assert room.phone_questions()["items"] == [] and room.board.pinned is None
    room.control("qa_approve_all", {})
    assert [q.status for q in room.board.questions.values()] == ["shown", "archived"]
    resumed = RoomRegistry(store).resume(room.id, room.deck)
    assert [q.status for q in resumed.board.questions.values()] == ["shown", "archived"]
    with pytest.raises(ControlError):
        room.control("qa_pin", {"question": 999})


def test_named_session_shows_the_name_anonymous_none(store, tmp_path):
    named = new_room(store, make_deck("names: named\n"))
    ana = named.join("token-aaaaaaaaaaaaaaaa", "Ana").id
    assert named.ask(ana, "Why?")["question"]["name"] == "Ana"
    anon = new_room(store)
    ben = anon.join("token-bbbbbbbbbbbbbbbb", "Ben").id
    asked = anon.ask(ben, "Why?")["question"]
    assert asked["name"] == "" and "Ben" not in str(anon.phone_questions())


def test_qa_off_refuses_questions(store):
    room = new_room(store, make_deck("qa: false\n"))
    with pytest.raises(QAError) as got:
        room.ask(people(room, 1)[0], "Why?")
    assert got.value.code == "qa_off"


def test_migration_from_version_4_adds_the_tables(tmp_path):
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    db.executescript("CREATE TABLE sessions (id TEXT PRIMARY KEY, deck_path TEXT NOT NULL, "
                     "deck_title TEXT NOT NULL, join_code TEXT NOT NULL UNIQUE, facilitator_key TEXT "
                     "NOT NULL, created_at REAL NOT NULL, ended_at REAL); PRAGMA user_version = 4;")
    db.close()
    s = open_store(str(path))
    assert s.db.execute("PRAGMA user_version").fetchone()[0] >= 5
    tables = {r[0] for r in s.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"questions", "question_votes", "qa_uids"} <= tables
    s.close()


# ----- through the protocol ----------------------------------------------------------------

@pytest.fixture
def qa_room(rooms, tmp_path):
    path = tmp_path / "qa.yaml"
    path.write_text(DECK, encoding="utf-8")
    return rooms.create(make_deck(), str(path))


def phone(app, room, n):
    return socketio.test_client(app, auth={"role": "participant", "code": room.row.join_code,
                                           "token": f"phone-token-{n:08d}"})


def console(app, room):
    return socketio.test_client(app, auth={"role": "facilitator", "session": room.id,
                                           "key": room.row.facilitator_key})


def test_protocol_ask_upvote_withdraw_duplicate_and_push(app, live, qa_room):
    ana, ben, cy = (phone(app, qa_room, i) for i in range(3))
    projector = console(app, qa_room)
    asked = ana.emit("ask", {"text": "Why now?", "uid": "q-1"}, callback=True)
    assert asked["ok"] and asked["question"]["votes"] == 0
    qid = asked["question"]["id"]
    assert ana.emit("ask", {"text": "Why now?", "uid": "q-1"}, callback=True)["duplicate"]
    assert ana.emit("upvote", {"question": qid, "uid": "v-0"}, callback=True)["error"] == "own_question"
    assert ben.emit("upvote", {"question": qid, "uid": "v-1"}, callback=True)["votes"] == 1
    dup = ben.emit("upvote", {"question": qid, "uid": "v-1"}, callback=True)
    assert dup["duplicate"] and dup["votes"] == 1
    assert cy.emit("upvote", {"question": qid, "uid": "v-2"}, callback=True)["votes"] == 2
    assert cy.emit("upvote", {"question": qid, "on": False, "uid": "v-3"}, callback=True)["votes"] == 1
    projector.get_received()
    live.broadcaster.push()
    got = {e["name"]: e["args"][0] for e in projector.get_received()}
    assert [(q["id"], q["votes"]) for q in got["questions"]["items"]] == [(qid, 1)]
    assert got["questions"]["items"][0]["who"]  # the facilitator sees who asked (a pseudonym)
    mine = ben.emit("questions", {}, callback=True)
    assert mine["voted"] == [qid] and mine["items"][0]["name"] == ""
    assert len(live.store.question_votes(qa_room.id)) == 1


@pytest.mark.parametrize("event, payload, code", [
    ("ask", {"text": 5, "uid": "a"}, "bad_value"),
    ("ask", {"text": "x" * 300, "uid": "a"}, "too_long"),
    ("ask", {"text": "hi", "uid": "bad uid!"}, "bad_payload"),
    ("ask", "nope", "bad_payload"),
    ("upvote", {"question": 999, "uid": "b"}, "unknown_question"),
    ("upvote", {"question": "1", "uid": "b"}, "unknown_question"),
    ("upvote", {"question": 1, "on": "yes", "uid": "b"}, "bad_value"),
])
def test_protocol_qa_errors(app, qa_room, event, payload, code):
    reply = phone(app, qa_room, 1).emit(event, payload, callback=True)
    assert reply["ok"] is False and reply["error"] == code


def test_protocol_a_participant_cannot_moderate_questions(app, qa_room):
    ana = phone(app, qa_room, 1)
    qid = ana.emit("ask", {"text": "Keep me?", "uid": "q1"}, callback=True)["question"]["id"]
    for action in ("qa_hide", "qa_pin", "qa_answered", "qa_archive"):
        reply = ana.emit("control", {"action": action, "question": qid}, callback=True)
        assert reply["error"] == "forbidden"
    assert qa_room.board.questions[qid].status == "shown" and not qa_room.board.questions[qid].pinned
    boss = console(app, qa_room)
    assert boss.emit("control", {"action": "qa_pin", "question": qid}, callback=True)["ok"]
    assert boss.emit("questions", {}, callback=True)["items"][0]["pinned"] is True
    assert boss.emit("control", {"action": "qa_hide", "question": "x"}, callback=True)["error"] == "unknown_question"


def test_protocol_asks_are_rate_limited(app, qa_room):
    ana = phone(app, qa_room, 1)
    replies = [ana.emit("ask", {"text": f"q {i}", "uid": f"u{i}"}, callback=True) for i in range(40)]
    assert any(r.get("error") == "rate_limited" for r in replies)


# ----- the handouts ------------------------------------------------------------------------

def test_summary_export_and_takeaway_have_the_questions(store):
    import json

    from pypdf import PdfReader
    import io

    from handouts import export_csv, export_json, load_results
    from handouts.summary import build_summary
    from handouts.takeaway import build_takeaway
    room = new_room(store)
    ana, ben, cy = people(room, 3)
    q1 = room.ask(ana, "Why does trust come first?")["question"]["id"]
    q2 = room.ask(ben, "Where do goals fit?")["question"]["id"]
    room.ask(cy, FILTERED_TEXT)  # held: left out of the summary, kept in the export
    room.upvote(ben, q1, True)
    room.upvote(cy, q1, True)
    room.upvote(ana, q2, True)
    room.control("qa_answered", {"question": q1})
    results = load_results(store, room.deck, room.id)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(build_summary(room.deck, results))).pages)
    assert "Questions from the room (2)" in text and "Why does trust come first?" in text
    assert "2 votes · answered" in " ".join(text.split()) and "shit" not in text
    csv_text = export_csv(room.deck, results).decode("utf-8-sig")
    qa_rows = [line.split(",") for line in csv_text.splitlines() if ",qa,," in line]
    assert [(r[4], r[7], r[8]) for r in qa_rows] == [("Why does trust come first?", "answered", "2"),
                                                     ("Where do goals fit?", "shown", "1"),
                                                     (FILTERED_TEXT, "held", "0")]
    data = json.loads(export_json(room.deck, results))
    assert [(q["text"], q["votes"]) for q in data["questions"]][:2] == [
        ("Why does trust come first?", 2), ("Where do goals fit?", 1)]
    mine = "".join(p.extract_text() for p in PdfReader(io.BytesIO(
        build_takeaway(room.deck, results, ana))).pages)
    flat = " ".join(mine.split())
    assert "Questions you asked" in flat and "Why does trust come first?" in flat
    assert "Questions you upvoted" in flat and "Where do goals fit?" in flat


def test_a_burst_of_votes_is_one_push_not_one_per_vote(app, live, qa_room):
    asker = phone(app, qa_room, 0)
    qid = asker.emit("ask", {"text": "Which first?", "uid": "q"}, callback=True)["question"]["id"]
    projector = console(app, qa_room)
    voters = [phone(app, qa_room, i) for i in range(1, 13)]
    live.broadcaster.push()
    projector.get_received()
    for i, voter in enumerate(voters):
        assert voter.emit("upvote", {"question": qid, "uid": f"v{i}"}, callback=True)["ok"]
    assert [e for e in projector.get_received() if e["name"] == "questions"] == []  # nothing per vote
    live.broadcaster.push()
    pushed = [e["args"][0] for e in projector.get_received() if e["name"] == "questions"]
    assert len(pushed) == 1 and pushed[0]["items"][0]["votes"] == 12
    live.broadcaster.push()  # nothing changed since: nothing goes out
    assert [e for e in projector.get_received() if e["name"] == "questions"] == []
