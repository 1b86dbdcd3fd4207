"""The app factory: config, store, live rooms, Socket.IO and routes wired together."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask
from flask.sessions import SessionInterface
from socketio.packet import Packet

from workshop import settings
from .extensions import socketio

TEMPLATES = settings.data_folder(Path(__file__).resolve().parent, "templates")


class NoSession(SessionInterface):
    """Keep no Flask session: nothing uses one (facilitators carry their own wk_SID cookie)."""

    def open_session(self, app, request):
        # Flask-SocketIO opens the session on every event; the signed-cookie default spent
        # about a tenth of the server's CPU per answer on a session nobody reads.
        return None

    def save_session(self, app, session, response) -> None:
        pass


class FewAttachments(Packet):
    """Socket.IO packets that may announce only a few binary attachments (the protocol is JSON)."""

    MAX_ATTACHMENTS = 4

    def decode(self, encoded_packet):
        # Socket.IO keeps a client's binary frames until the announced count (up to ten digits)
        # has arrived: without a cap one phone could fill the laptop's memory 64 KiB at a time.
        count = super().decode(encoded_packet)
        if count and count > self.MAX_ATTACHMENTS:
            raise ValueError("too many binary attachments")
        return count


def origin_allowed(origin: str, environ: dict, public_url: str = "") -> bool:
    """Allow the page's own origin and the --public-url origin, never any other."""
    own = f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', '')}"
    public = "{0.scheme}://{0.netloc}".format(urlsplit(public_url)) if public_url else None
    return origin in (own, public)


def refuse_foreign_upgrade(app: Flask):
    """Return a gevent-websocket `pre_start_hook` that keeps a foreign-origin websocket from
    being upgraded: Engine.IO then answers it 400 over plain HTTP, and the client gets
    `connect_error` at once instead of waiting for its own time-out.

    gevent-websocket's handler sends `101 Switching Protocols` before the application sees
    the request, so no WSGI middleware can refuse in time; the hook runs before that. Install
    it on the server: `WSGIServer(..., handler_class=WebSocketHandler).pre_start_hook = ...`.
    """
    def hook(handler) -> bool:  # True: serve the request as plain HTTP, without the upgrade
        environ = handler.environ
        origin = environ.get("HTTP_ORIGIN")
        return (bool(origin) and environ.get("HTTP_UPGRADE", "").lower() == "websocket"
                and not origin_allowed(origin, environ, app.config["PUBLIC_URL"]))
    return hook


def create_app(config: dict | None = None) -> Flask:
    """Create the Flask app with its store, live rooms and Socket.IO attached."""
    config = config or {}
    instance = config.get("INSTANCE") or settings.instance_path()
    app = Flask(__name__, instance_path=str(instance), instance_relative_config=True,
                template_folder=str(TEMPLATES))
    app.config.update(settings.from_env())
    app.config.update(config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = settings.secret_key(app.instance_path)
    app.config["DB"] = app.config["DB"] or str(Path(app.instance_path) / "workshop.db")
    app.config["MAX_CONTENT_LENGTH"] = 1_000_000
    app.session_interface = NoSession()

    from workshop.store import open_store

    from .broadcast import Broadcaster
    from .live import Live
    from .limits import GuessLimiter, PerKeyLimits
    from .rooms import RoomRegistry

    store = app.config.get("STORE") or open_store(app.config["DB"])
    rooms = RoomRegistry(store, app.config["PUBLIC_URL"])
    broadcaster = Broadcaster(rooms.join_url, app.config["PHONE_RESULTS_SECONDS"])
    rooms.listener = broadcaster  # every room tells it what changed
    lv = app.extensions["workshop"] = Live(rooms=rooms, broadcaster=broadcaster,
                                           guesses=GuessLimiter(app.config["JOIN_GUESSES"]),
                                           # a takeaway is a report worker's time: one phone asking
                                           # again and again must not keep the others waiting
                                           takeaways=PerKeyLimits(0.1, 3))
    queue = {}
    if app.config.get("REDIS_URL"):  # one of several processes serving a room (docs/scale-out.md)
        queue = join_cluster(app, lv)

    public = app.config["PUBLIC_URL"]

    def same_origin(origin, environ) -> bool:
        return origin_allowed(origin, environ, public)

    from . import events, qa_events, roomcheck, routes  # noqa: F401 - handlers must be known before init_app binds them
    socketio.init_app(app, async_mode=app.config["ASYNC_MODE"], cors_allowed_origins=same_origin,
                      max_http_buffer_size=app.config["MAX_MESSAGE_BYTES"],
                      ping_interval=app.config["PING_INTERVAL"], ping_timeout=20,
                      manage_session=False, serializer=FewAttachments, **queue)

    app.register_blueprint(routes.bp)
    app.register_blueprint(roomcheck.bp)
    return app


def join_cluster(app: Flask, lv) -> dict:
    """Follow the other processes of the room through Redis: the room bus (server/bus.py and
    follow.py), limits counted in Redis, and Flask-SocketIO's message queue (JSON, on its own
    channel) for any emit not kept to this process. Return init_app's queue options."""
    from . import bus, follow
    from .limits import SharedGuessLimiter
    url = app.config["REDIS_URL"]
    lv.bus = lv.rooms.bus = bus.Bus(url, bus.worker_name(app.config.get("WORKER_ID", "")), app.logger)
    lv.shared = lv.bus.shared
    lv.guesses = SharedGuessLimiter(lv.shared, app.config["JOIN_GUESSES"])

    def tell_later(room, change):
        socketio.start_background_task(room._tell, change)
    lv.follower = follow.Follower(lv.rooms, lv.bus, app.logger, tell_later)
    return {"message_queue": url, "channel": bus.SOCKETIO_CHANNEL}


def start_ticker(app: Flask):
    """Start the background task that pushes coalesced updates."""
    from .live import live
    from . import timers
    broadcaster = live(app).broadcaster
    socketio.start_background_task(timers.run, live(app).rooms, app.config["TICK_SECONDS"], app.logger,
                                   lambda: broadcaster.stopping)  # quiz deadlines, activity phases
    follower = live(app).follower
    if follower is not None:  # one of several processes: follow the others
        stopping = lambda: broadcaster.stopping  # noqa: E731
        socketio.start_background_task(follower.bus.listen, follower.on_event, follower.on_reconnect,
                                       stopping, socketio.sleep)
        socketio.start_background_task(follower.run, app.config["TICK_SECONDS"] * 2, stopping, socketio.sleep)
    return socketio.start_background_task(broadcaster.run, app.config["TICK_SECONDS"], app.logger)
