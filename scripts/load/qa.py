"""The `--qa` load: a few questions are asked first, then every phone upvotes one of them in a
burst of `--burst` seconds; a projector client records each coalesced `questions` push.

Counted afterwards from the database: every acknowledged vote must be stored once (UNIQUE per
question and phone makes a second row impossible; a vote stored that no phone was told about
is counted too), and the time from the last ack until the projector's order is the stored one.
"""
from __future__ import annotations

import asyncio
import random
import secrets
import sqlite3
import time

from scripts.load.phones import Workers, worker_config
from scripts.load.report import ms, pct

QUESTIONS = ("Why does trust come before goals?", "How do we coach without micromanaging?",
             "What if the team disagrees with the plan?", "How often should we give feedback?")
WEIGHTS = (0.4, 0.3, 0.2, 0.1)  # a clear order for the projector to reach


def pick_question(ids: list[int], rng: random.Random) -> int:
    return rng.choices(ids, weights=WEIGHTS[:len(ids)])[0]


async def vote(phone, ids: list[int], at: float, rng: random.Random) -> dict:
    """One phone upvotes one question at monotonic time `at`, resending with the same uid."""
    await asyncio.sleep(max(0.0, at - time.monotonic()))
    question = pick_question(ids, rng)
    payload = {"question": question, "on": True, "uid": f"{phone.token[-8:]}-qa-{question}"}
    record = {"pid": phone.pid, "question": question, "at": at, "first": time.monotonic(),
              "attempts": 0, "sent": None, "acked": None, "ok": False, "duplicate": False}
    for _ in range(3):
        record["attempts"] += 1
        got = await phone.send(payload, "upvote")
        if got is not None:
            record["sent"], record["acked"], reply = got
            record["ok"], record["duplicate"] = bool(reply.get("ok")), bool(reply.get("duplicate"))
            record["error"] = reply.get("error")
            return record
        if not phone.sio.connected and not await phone.connect_retrying():
            return record
    return record


async def ask_questions(url: str, code: str) -> tuple[list, list[int]]:
    """Connect one asker phone per question and ask it; return the askers and the ids."""
    import socketio
    askers, ids = [], []
    for n, text in enumerate(QUESTIONS):
        sio = socketio.AsyncClient(reconnection=False, handle_sigint=False)
        await sio.connect(url, transports=["websocket"], wait_timeout=20,
                          auth={"role": "participant", "code": code,
                                "token": f"asker{n}-{secrets.token_hex(8)}"})
        reply = await sio.call("ask", {"text": text, "uid": f"ask-{n}"}, timeout=20)
        if not reply.get("ok"):
            raise SystemExit(f"asking a question was refused: {reply}")
        askers.append(sio)
        ids.append(reply["question"]["id"])
    return askers, ids


def stored_votes(db: str, session: str) -> dict[tuple[int, int], int]:
    """(participant, question) -> rows in the database for the session's votes."""
    con = sqlite3.connect(db)
    try:
        rows = con.execute("SELECT v.participant_id, v.question_id, COUNT(*) FROM question_votes v "
                           "JOIN questions q ON q.id = v.question_id WHERE q.session_id = ? "
                           "GROUP BY v.participant_id, v.question_id", (session,)).fetchall()
    finally:
        con.close()
    return {(p, q): n for p, q, n in rows}


def run_qa(args, target: dict, run_no: int) -> dict:
    """Run the Q&A burst once against a workshop server; return its measurements."""
    workers = Workers(args, worker_config(args, target, run_no))
    tell = workers.ask

    async def drive():
        import socketio
        loop = asyncio.get_running_loop()
        fac = socketio.AsyncClient(reconnection=True, reconnection_delay=0.5, handle_sigint=False)
        pushes: list[tuple[float, dict]] = []
        fac.on("questions", lambda data: pushes.append(
            (time.monotonic(), {q["id"]: q["votes"] for q in data.get("items") or []})))
        await fac.connect(target["url"], transports=["websocket"], wait_timeout=20,
                          auth={"role": "facilitator", "session": target["session"], "key": target["key"]})
        askers, ids = await ask_questions(target["url"], target["code"])
        got = await loop.run_in_executor(None, tell, ("connect",), 60 + args.phones / 20)
        connected = sum(g[1] for g in got)
        start = time.monotonic() + 0.3
        got = await loop.run_in_executor(None, tell, ("qa_burst", ids, start, args.burst),
                                         args.burst + 3 * args.ack_timeout + 60)
        records = [r for g in got for r in g[1]]
        expected: dict[int, int] = {q: 0 for q in ids}
        for r in records:
            if r["ok"]:
                expected[r["question"]] += 1
        last_ack = max((r["acked"] for r in records if r["ok"]), default=time.monotonic())
        deadline = time.monotonic() + 10
        right_at = None
        while time.monotonic() < deadline and right_at is None:
            right_at = next((t for t, votes in pushes if all(votes.get(q) == n for q, n in expected.items())
                             and t >= last_ack - 1), None)
            await asyncio.sleep(0.05)
        await fac.disconnect()
        for sio in askers:
            await sio.disconnect()
        return connected, records, expected, (None if right_at is None else max(0.0, right_at - last_ack))

    try:
        connected, records, expected, order_s = asyncio.run(drive())
        tell(("close",), 60)
    finally:
        workers.stop()
    ok = [r for r in records if r["ok"]]
    acked = {(r["pid"], r["question"]) for r in ok}
    out = {"participants": args.phones, "connected": connected, "qa_votes_sent": len(records),
           "qa_votes_acked": len(ok), "qa_votes_stored": None, "qa_votes_lost": None,
           "qa_votes_duplicates": None,
           "qa_votes_errors": sum(1 for r in records if r["acked"] is not None and not r["ok"]),
           "qa_ack_ms": {"p50": ms(pct([r["acked"] - r["sent"] for r in ok], 50)),
                         "p99": ms(pct([r["acked"] - r["sent"] for r in ok], 99))},
           "qa_projector_order_ms": ms(order_s), "qa_expected_votes": list(expected.values())}
    if target.get("db"):
        stored = stored_votes(target["db"], target["session"])
        out["qa_votes_stored"] = sum(stored.values())
        out["qa_votes_lost"] = len(acked - stored.keys())
        out["qa_votes_duplicates"] = sum(n - 1 for n in stored.values() if n > 1) + len(stored.keys() - acked)
    return out
