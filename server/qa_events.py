"""Socket.IO handlers of the audience Q&A (server/qa.py does the work): a phone asks, upvotes
and reads the questions; the console and projector read them all. Thin, as events.py: check
the payload and the rate, call the room, ack after its commit."""
from __future__ import annotations

from workshop.qa import QAError

from .events import UID, error, facilitator, participant, store_errors
from .extensions import socketio


def _phone():
    """The phone on this connection if it may send now, else the error reply."""
    client = participant()
    if client is None:
        return None, error("forbidden", "Only participants ask and vote.")
    if not client.limiter.allow():
        return None, error("rate_limited", "Slow down: too many messages at once.")
    return client, None


def _uid(data: dict):
    uid = data.get("uid", "")
    return uid if isinstance(uid, str) and (not uid or UID.match(uid)) else None


@socketio.on("ask")
@store_errors
def ask(data=None, *_):
    """A phone asks a question: {text, uid}; acked with the question once committed."""
    client, refused = _phone()
    if refused:
        return refused
    if not isinstance(data, dict) or "text" not in data or _uid(data) is None:
        return error("bad_payload", "Send {text, uid}; 'uid' is 1-64 letters, digits or -_.:")
    try:
        return client.room.ask(client.participant_id, data["text"], _uid(data))
    except QAError as exc:
        return error(exc.code, exc.message)


@socketio.on("upvote")
@store_errors
def upvote(data=None, *_):
    """A phone upvotes a question, or withdraws its vote: {question, on, uid}."""
    client, refused = _phone()
    if refused:
        return refused
    if not isinstance(data, dict) or "question" not in data or _uid(data) is None:
        return error("bad_payload", "Send {question, on, uid}; 'uid' is 1-64 letters, digits or -_.:")
    try:
        return client.room.upvote(client.participant_id, data["question"], data.get("on", True),
                                  _uid(data))
    except QAError as exc:
        return error(exc.code, exc.message)


@socketio.on("questions")
@store_errors
def questions(data=None, *_):
    """Ask for the Q&A: a phone gets the shown questions, its own and its votes; the console
    and projector every question with its status."""
    client = facilitator()
    if client is not None:
        return {"ok": True, **client.room.facilitator_questions()}
    client, refused = _phone()
    if refused:
        return refused
    return client.room.qa_mine(client.participant_id)
