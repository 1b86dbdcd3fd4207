"""Socket.IO handlers: read the payload, call the room, ack. The room commits before it returns
and tells the broadcaster what changed; nothing here emits to anyone but the caller."""
from __future__ import annotations

import functools
import re
import time
from dataclasses import dataclass

from flask import current_app, request
from flask_socketio import ConnectionRefusedError, join_room

from workshop.polltypes import AnswerError
from workshop.names import NAMED
from workshop.text import clean_nickname
from workshop.session import ControlError
from workshop.store import StaleState

from .broadcast import emit, facilitators, phone_slice, phones
from .extensions import socketio
from .follow import StoreUnavailable
from .live import live
from .limits import RateLimiter
from .network import RoomCheck
from .rooms import NotAllowed, Room

TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}\Z")  # \Z: `$` would let a trailing newline through
UID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}\Z")


@dataclass
class Client:
    """Who is on one Socket.IO connection."""

    role: str
    room: Room
    participant_id: int = 0
    limiter: RateLimiter | None = None


def error(code: str, message: str) -> dict:
    return {"ok": False, "error": code, "message": message}


UNAVAILABLE = ("unavailable", "The server cannot reach its database right now; try again.")


def store_errors(handler):
    """Answer `unavailable` (try again) while the database is unreachable, instead of failing."""
    @functools.wraps(handler)
    def wrapper(*args, **kwargs):
        try:
            return handler(*args, **kwargs)
        except StoreUnavailable:
            return error(*UNAVAILABLE)
    return wrapper


def refuse(code: str, message: str):
    raise ConnectionRefusedError(message, {"error": code, "message": message})


REFUSALS = {404: ("unknown_session", "No session with that id."),
            401: ("forbidden", "The facilitator key is missing or wrong."),
            403: ("forbidden", "The facilitator key is missing or wrong.")}


@socketio.on("connect")
def connect(auth):
    """A phone or a facilitator page connects; it is sent `welcome` or `facilitator_state`."""
    if not isinstance(auth, dict) or auth.get("role") not in ("participant", "facilitator", "check"):
        refuse("bad_auth", "Connect with auth {role: participant, code, token} or {role: facilitator, session}.")
    if auth["role"] == "check":
        return  # the room check (/check): it may only send `check`, and joins no session
    try:
        if auth["role"] == "participant":
            connect_phone(auth)
        else:
            connect_facilitator(auth)
    except StoreUnavailable:
        refuse(*UNAVAILABLE)


def connect_phone(auth: dict) -> None:
    """A phone joins with its join code and token; it is sent `welcome`."""
    lv = live()
    if not lv.guesses.allow(request.remote_addr):
        refuse("rate_limited", "Too many wrong join codes; wait a minute.")
    token, nickname = auth.get("token"), clean_nickname(auth.get("nickname") or "", cut=True)
    if not isinstance(token, str) or not TOKEN.match(token) or nickname is None:
        refuse("bad_auth", "The phone's token must be 16-64 letters, digits, '-' or '_'.")
    room = lv.rooms.by_join_code(auth.get("code"))
    if room is None:
        lv.guesses.fail(request.remote_addr)
        refuse("unknown_session", "No workshop has that join code.")
    participant = room.join(token, nickname)
    c = current_app.config
    lv.clients[request.sid] = Client("participant", room, participant.id,
                                     lv.phone_limiter(room, participant.id, c["ANSWER_RATE"], c["ANSWER_BURST"]))
    join_room(phones(room))
    join_room(phone_slice(room, participant.id))
    room.phone_connected()
    emit("welcome", {
        "participant": {"id": participant.id, "pseudonym": participant.pseudonym,
                        "nickname": (nickname or participant.nickname) if room.names == NAMED else "",
                        "team": participant.team},
        "session": {"id": room.id, "title": room.deck.title, "code": room.row.join_code,
                    "language": room.deck.language, "names": room.names,
                    "teams": list(room.deck.teams)},
        "state": room.phone_state(), "answers": room.my_answers(participant.id)}, to=request.sid)


def connect_facilitator(auth: dict) -> None:
    """A projector or console connects with the session's key (or its cookie)."""
    lv = live()
    session_id = auth.get("session")
    key = auth.get("key") or (request.cookies.get(f"wk_{session_id}") if isinstance(session_id, str) else None)
    try:
        room = lv.rooms.for_facilitator(session_id, key)
    except NotAllowed as exc:
        refuse(*REFUSALS[exc.status])
    lv.clients[request.sid] = Client("facilitator", room)
    join_room(facilitators(room))
    emit("facilitator_state", room.facilitator_state(lv.rooms.join_url(room)), to=request.sid)
    emit("tally", room.tally_message(room.deck.polls), to=request.sid)
    emit("queue", room.queue_message(), to=request.sid)


@socketio.on("disconnect")
def disconnect(*_):
    """A client went away; the participant stays in the session for when it comes back."""
    client = live().clients.pop(request.sid, None)
    if client and client.role == "participant":
        client.room.phone_disconnected()


def participant() -> Client | None:
    client = live().clients.get(request.sid)
    return client if client and client.role == "participant" else None


def facilitator() -> Client | None:
    client = live().clients.get(request.sid)
    return client if client and client.role == "facilitator" else None


@socketio.on("answer")
@store_errors
def answer(data=None, *_):  # a hand-made client may send no argument, or several
    """A phone answers a poll; acked only after the commit; tallies go out on the next tick.
    `version` (optional) is the state the phone answered in (docs/protocol.md)."""
    client = participant()
    if client is None:
        return error("forbidden", "Only participants answer.")
    if not client.limiter.allow():
        return error("rate_limited", "Slow down: too many messages at once.")
    if not isinstance(data, dict) or "poll" not in data or "value" not in data:
        return error("bad_payload", "Send {poll, value, uid}.")
    uid = data.get("uid", "")
    if not isinstance(uid, str) or (uid and not UID.match(uid)):
        return error("bad_payload", "'uid' must be 1-64 letters, digits or -_.:")
    version = data.get("version")
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
        return error("bad_payload", "'version' must be the state's version, an integer.")
    try:
        return client.room.answer(client.participant_id, data["poll"], data["value"], uid, version)
    except AnswerError as exc:
        return error(exc.code, exc.message)


@socketio.on("nickname")
@store_errors
def nickname(data=None, *_):
    """A phone sets the name it wants shown to the facilitator."""
    client = participant()
    if client is None:
        return error("forbidden", "Only participants have nicknames.")
    if not client.limiter.allow():
        return error("rate_limited", "Slow down: too many messages at once.")
    name = clean_nickname(data.get("nickname")) if isinstance(data, dict) else None
    if name is None:
        return error("bad_payload", "Send {nickname}: text of at most 40 characters.")
    if client.room.names != NAMED:
        return error("anonymous_session", "This session is anonymous: it keeps no names.")
    client.room.set_nickname(client.participant_id, name)
    return {"ok": True, "nickname": name}


@socketio.on("time")
@store_errors
def server_time(data=None, *_):
    """A page pings to learn its clock's offset from the server's (docs/protocol.md, "Time")."""
    client = live().clients.get(request.sid)
    if client is None:
        return error("forbidden", "Connect first.")
    return {"ok": True, "server_now": round(client.room.now() * 1000)}


@socketio.on("my_score")
@store_errors
def my_score(data=None, *_):
    """A phone asks its quiz points, total and rank (after a question's results, on a leaderboard)."""
    client = participant()
    if client is None:
        return error("forbidden", "Only participants have scores.")
    if not client.limiter.allow():
        return error("rate_limited", "Slow down: too many messages at once.")
    return {"ok": True, **client.room.my_score(client.participant_id)}


@socketio.on("team")
@store_errors
def team(data=None, *_):
    """A phone picks its team (table) from the deck's `teams`."""
    client = participant()
    if client is None:
        return error("forbidden", "Only participants join teams.")
    if not client.limiter.allow():
        return error("rate_limited", "Slow down: too many messages at once.")
    try:
        picked = client.room.set_team(client.participant_id, data.get("team") if isinstance(data, dict) else None)
    except AnswerError as exc:
        return error(exc.code, exc.message)
    client.room._publish("team", who=client.participant_id)  # other processes count scores again
    return {"ok": True, "team": picked}


@socketio.on("sync")
@store_errors
def sync(data=None, *_):
    """Either side asks for the whole picture again (after a reconnect, say)."""
    client = live().clients.get(request.sid)
    if client is None:
        return error("forbidden", "Connect first.")
    room = client.room
    if client.role == "participant":
        if not client.limiter.allow():
            return error("rate_limited", "Slow down: too many messages at once.")
        return {"ok": True, "state": room.phone_state(), "answers": room.my_answers(client.participant_id)}
    return {"ok": True, "state": room.facilitator_state(live().rooms.join_url(room)),
            "tallies": room.tally_message(room.deck.polls)["polls"], "queue": room.queue_message()}


@socketio.on("control")
@store_errors
def control(data=None, *_):
    """A facilitator acts; every projector, console and phone of the session follows."""
    client = facilitator()
    if client is None:
        return error("forbidden", "Only the facilitator controls the session.")
    if not isinstance(data, dict) or not isinstance(data.get("action"), str):
        return error("bad_payload", "Send {action, ...arguments}.")
    room = client.room
    try:
        room.control(data["action"], data)
    except ControlError as exc:
        return error(exc.code, exc.message)
    except StaleState:  # another process moved the room since this console's view: it has the new one
        return error("stale_state", "The session changed meanwhile (another console?); look and try again.")
    return {"ok": True, "state": room.facilitator_state(live().rooms.join_url(room))}


@socketio.on("open_answers")
@store_errors
def open_answers(data=None, *_):
    """The console lists an open question's answers, hidden ones included, to moderate them."""
    client = facilitator()
    if client is None:
        return error("forbidden", "Only the facilitator sees every answer.")
    try:
        return {"ok": True, "answers": client.room.open_answers((data or {}).get("poll")
                                                                 if isinstance(data, dict) else None)}
    except ControlError as exc:
        return error(exc.code, exc.message)


@socketio.on("check")
def check(data=None, *_):
    """The room check page pings (`{}`), then reports its round trip; consoles list the reports."""
    lv = live()
    if not lv.check_limits.allow(request.remote_addr):
        return error("rate_limited", "Slow down: too many checks at once.")
    if isinstance(data, dict) and "rtt_ms" in data:
        report = RoomCheck.read(request.remote_addr, data, time.time())
        if report is None:
            return error("bad_payload", "Send {rtt_ms: 0-60000, transport: websocket|polling}.")
        lv.checks.add(report)
    return {"ok": True, "address": request.remote_addr}
