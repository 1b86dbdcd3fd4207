"""Socket.IO handlers: check the payload, call the room, ack after commit, mark for broadcast."""
from __future__ import annotations

import re
import time
from dataclasses import dataclass

from flask import current_app, request
from flask_socketio import ConnectionRefusedError, join_room

from .extensions import socketio
from .live import RateLimiter, Room, key_matches
from workshop.polltypes import AnswerError
from workshop.text import clean_text
from workshop.session import ControlError

TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}\Z")  # \Z: `$` would let a trailing newline through
UID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}\Z")


@dataclass
class Client:
    """Who is on one Socket.IO connection."""

    role: str
    room: Room
    participant_id: int = 0
    limiter: RateLimiter | None = None


def hub():
    return current_app.extensions["workshop"]


def error(code: str, message: str) -> dict:
    return {"ok": False, "error": code, "message": message}


def refuse(code: str, message: str):
    raise ConnectionRefusedError(message, {"error": code, "message": message})


# A session's phones are also spread over slices (Socket.IO rooms) so that a broadcast to
# thousands can be paced: one emit to 3,000 sockets is ~150 ms of writes that every answer
# arriving meanwhile waits behind (docs/performance.md).
PHONE_SLICES = 64
SLICE_AT_ONCE = 250  # up to this many phones, a broadcast goes out in one go
FANOUT_PER_SECOND = 5000  # a bigger broadcast is paced at this many messages a second
PHONE_MESSAGES_PER_SECOND = 1000  # `results` fan-out budget: big rooms get them less often


def phones(room: Room) -> str:
    return f"phones:{room.id}"


def phone_slice(room: Room, participant_id: int) -> str:
    return f"phones:{room.id}:{participant_id % PHONE_SLICES}"


def to_phones(room: Room, event: str, payload) -> None:
    """Send an event to every phone of a room, a slice at a time when the room is big."""
    with room.fanout:  # one broadcast per room at a time, so every phone sees them in order
        if room.connected <= SLICE_AT_ONCE:
            socketio.emit(event, payload, to=phones(room))
            return
        pause = room.connected / FANOUT_PER_SECOND / PHONE_SLICES
        for k in range(PHONE_SLICES):
            socketio.emit(event, payload, to=f"phones:{room.id}:{k}")
            socketio.sleep(pause)  # answers that arrive meanwhile go first


def facilitators(room: Room) -> str:
    return f"facilitators:{room.id}"


@socketio.on("connect")
def connect(auth):
    """A phone or a facilitator page connects; it is sent `welcome` or `facilitator_state`."""
    h = hub()
    if not isinstance(auth, dict) or auth.get("role") not in ("participant", "facilitator"):
        refuse("bad_auth", "Connect with auth {role: participant, code, token} or {role: facilitator, session}.")
    if auth["role"] == "participant":
        if not h.guesses.allow(request.remote_addr):
            refuse("rate_limited", "Too many wrong join codes; wait a minute.")
        token, nickname = auth.get("token"), auth.get("nickname") or ""
        if not isinstance(token, str) or not TOKEN.match(token) or not isinstance(nickname, str):
            refuse("bad_auth", "The phone's token must be 16-64 letters, digits, '-' or '_'.")
        nickname = clean_text(nickname)[:40]  # a lone surrogate cannot even be stored
        room = h.by_join_code(auth.get("code"))
        if room is None:
            h.guesses.fail(request.remote_addr)
            refuse("unknown_session", "No workshop has that join code.")
        participant = room.join(token, nickname.strip()[:40])
        c = current_app.config
        h.clients[request.sid] = Client("participant", room, participant.id,
                                        RateLimiter(c["ANSWER_RATE"], c["ANSWER_BURST"]))
        join_room(phones(room))
        join_room(phone_slice(room, participant.id))
        room.connected += 1
        room.dirty.add("")  # the console's connected count changed
        socketio.emit("welcome", {
            "participant": {"id": participant.id, "pseudonym": participant.pseudonym,
                            "nickname": nickname.strip()[:40] or participant.nickname},
            "session": {"id": room.id, "title": room.deck.title, "code": room.row.join_code,
                        "language": room.deck.language},
            "state": room.phone_state(), "answers": room.my_answers(participant.id),
            "results": room.phone_results()}, to=request.sid)
        return
    room = h.get(auth.get("session"))
    if room is None:
        refuse("unknown_session", "No session with that id.")
    key = auth.get("key") or request.cookies.get(f"wk_{room.id}")
    if not key_matches(room, key):
        refuse("forbidden", "The facilitator key is missing or wrong.")
    h.clients[request.sid] = Client("facilitator", room)
    join_room(facilitators(room))
    socketio.emit("facilitator_state", room.facilitator_state(h.join_url(room)), to=request.sid)
    socketio.emit("tally", tally_payload(room, room.deck.polls), to=request.sid)


@socketio.on("disconnect")
def disconnect(*_):
    """A client went away; the participant stays in the session for when it comes back."""
    client = hub().clients.pop(request.sid, None)
    if client and client.role == "participant":
        client.room.connected -= 1
        client.room.dirty.add("")


def participant() -> Client | None:
    client = hub().clients.get(request.sid)
    return client if client and client.role == "participant" else None


def facilitator() -> Client | None:
    client = hub().clients.get(request.sid)
    return client if client and client.role == "facilitator" else None


@socketio.on("answer")
def answer(data=None, *_):  # a hand-made client may send no argument, or several
    """A phone answers a poll; acked only after the commit; tallies go out on the next tick."""
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
    try:
        return client.room.answer(client.participant_id, data["poll"], data["value"], uid)
    except AnswerError as exc:
        return error(exc.code, exc.message)


@socketio.on("nickname")
def nickname(data=None, *_):
    """A phone sets the name it wants shown to the facilitator."""
    client = participant()
    if client is None:
        return error("forbidden", "Only participants have nicknames.")
    if not client.limiter.allow():
        return error("rate_limited", "Slow down: too many messages at once.")
    name = data.get("nickname") if isinstance(data, dict) else None
    name = clean_text(name) if isinstance(name, str) else None
    if name is None or len(name) > 40:
        return error("bad_payload", "Send {nickname}: text of at most 40 characters.")
    client.room.set_nickname(client.participant_id, name)
    return {"ok": True, "nickname": name}


@socketio.on("sync")
def sync(data=None, *_):
    """Either side asks for the whole picture again (after a reconnect, say)."""
    client = hub().clients.get(request.sid)
    if client is None:
        return error("forbidden", "Connect first.")
    room = client.room
    if client.role == "participant":
        if not client.limiter.allow():
            return error("rate_limited", "Slow down: too many messages at once.")
        return {"ok": True, "state": room.phone_state(), "answers": room.my_answers(client.participant_id),
                "results": room.phone_results()}
    return {"ok": True, "state": room.facilitator_state(hub().join_url(room)),
            "tallies": {pid: room.snapshot(pid) for pid in room.deck.polls}}


@socketio.on("control")
def control(data=None, *_):
    """A facilitator acts; every projector, console and phone of the session follows."""
    client = facilitator()
    if client is None:
        return error("forbidden", "Only the facilitator controls the session.")
    if not isinstance(data, dict) or not isinstance(data.get("action"), str):
        return error("bad_payload", "Send {action, ...arguments}.")
    room = client.room
    try:
        changed = room.control(data["action"], data)
    except ControlError as exc:
        return error(exc.code, exc.message)
    state = room.facilitator_state(hub().join_url(room))
    if changed:
        socketio.emit("facilitator_state", state, to=facilitators(room))
    for item in changed:
        if item.startswith("reset:"):
            to_phones(room, "reset", {"poll": item[6:]})
    current = room.state.current_poll
    if changed & {"slide", "takeaways"} or (current and f"poll:{current.id}" in changed):
        to_phones(room, "state", room.take_phone_state(time.monotonic()))
    return {"ok": True, "state": state}


@socketio.on("open_answers")
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


def tally_payload(room: Room, poll_ids) -> dict:
    return {"participants": room.participants, "connected": room.connected,
            "polls": {pid: room.snapshot(pid) for pid in poll_ids if pid}}


def push_changes(h) -> None:
    """Send each room's changed tallies to its facilitators, and revealed results to phones."""
    now = time.monotonic()
    for room in list(h.rooms.values()):
        dirty = room.take_dirty()
        if dirty:
            h.busy_at = now
            socketio.emit("tally", tally_payload(room, dirty), to=facilitators(room))
        interval = max(h.phone_interval, room.connected / PHONE_MESSAGES_PER_SECOND)
        if room.phones_dirty and now - room.phones_pushed_at >= interval:
            room.phones_dirty = False
            room.phones_pushed_at = now
            results = room.phone_results()
            if results and room.connected > SLICE_AT_ONCE:  # spread out, without holding up tallies
                socketio.start_background_task(to_phones, room, "results", results)
            elif results:
                to_phones(room, "results", results)


def ticker(app) -> None:
    """Push coalesced updates about ten times a second, never once per answer."""
    h = app.extensions["workshop"]
    interval = app.config["TICK_SECONDS"]
    while not h.stopping:
        socketio.sleep(interval)
        try:
            with app.app_context():
                push_changes(h)
        except Exception:  # a push that fails must not stop the next ones
            app.logger.exception("push failed")
