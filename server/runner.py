"""`workshop serve`: create or resume a session, print its URLs and QR, serve until Ctrl-C."""
from __future__ import annotations

import errno
import signal
import socket
import sys
from pathlib import Path

import click


def raise_open_files_limit(want: int = 65536) -> None:
    """Let one process hold a town hall's sockets: many systems start at 1,024 open files."""
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = want if hard == resource.RLIM_INFINITY else min(want, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def listen(host: str, port: int) -> socket.socket:
    """Bind the listening socket first, so a busy port is one clear line, not a traceback."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            other = 5050 if port != 5050 else 5051
            why = " (on a Mac, the AirPlay Receiver takes it)" if port == 5000 else ""
            raise click.ClickException(
                f"port {port} is busy{why}: choose another with --port {other} "
                f"(make serve ARGS=\"--port {other}\"), or --port 0 for any free one") from None
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.listen(4096)  # a room's worth of phones may connect in the same second
    sock.setblocking(False)
    return sock


def lan_address() -> str:
    """Return this laptop's address on the room's network (no packet is sent)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # TEST-NET-1: a UDP connect only picks the route
        address = probe.getsockname()[0]
    except OSError:
        address = ""
    finally:
        probe.close()
    if not address or address.startswith("127."):
        try:
            address = socket.gethostbyname(socket.gethostname())
        except OSError:
            address = "127.0.0.1"
    return address


def serve(deck, deck_path, host, port, db, resume_id, public_url, show_qr, names=None,
          redis_url: str = "", behind_proxy: bool = False) -> None:
    """Serve a new session on `deck` (read from `deck_path`), or resume a stored one."""
    from .app import create_app
    from .live import live
    from .rooms import Room

    raise_open_files_limit()
    sock = listen(host, port)
    if port == 0:  # the system chose a free port: say which
        port = sock.getsockname()[1]
        click.echo(f"Listening on port {port} (a free one, as --port 0 asks)", err=True)
    if not public_url:
        shown = lan_address() if host in ("0.0.0.0", "::", "") else host
        public_url = f"http://{shown}:{port}"
    app = create_app({"DB": db, "PUBLIC_URL": public_url, "REDIS_URL": redis_url or ""})
    if behind_proxy:  # the balancer's X-Forwarded-For: the join-guess limit is per phone's address
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1)
    lv = live(app)
    if resume_id:
        room: Room | None = lv.rooms.resume(resume_id, deck)
        if room is None:
            sock.close()
            raise click.ClickException(f"no session {resume_id} in {db} (or its deck cannot be "
                                       f"loaded); `workshop sessions --db {db}` lists them")
        if names and names != room.names:  # its phones were told otherwise: keep that promise
            click.echo(f"This session is {room.names}, as its phones were told: --names {names} "
                       f"is ignored (start a new session to change it)", err=True)
    else:
        room = lv.rooms.create(deck, str(Path(deck_path).resolve()), names or "")

    base = public_url.rstrip("/")
    key = room.row.facilitator_key
    click.echo(f"Workshop: {room.deck.title}  (session {room.id}, join code {room.row.join_code})")
    click.echo(f"Join URL: {lv.rooms.join_url(room)}")
    click.echo(f"Projector URL: {base}/s/{room.id}/projector?key={key}")
    click.echo(f"Console URL: {base}/s/{room.id}/console?key={key}")
    if show_qr:
        from . import qr
        click.echo(qr.terminal(lv.rooms.join_url(room)))
    click.echo("Names: " + ("named: phones ask for a name, and you see it next to the answers"
                            if room.names == "named" else "anonymous: phones ask no names"), err=True)
    click.echo(f"Keep the Projector and Console URLs to yourself. Stop with Ctrl-C; "
               f"carry on later with: workshop serve --resume {room.id}", err=True)
    sys.stdout.flush()

    run(app, sock)
    lv.broadcaster.stopping = True
    lv.store.close()
    click.echo(f"Stopped. Resume with: workshop serve --resume {room.id}", err=True)


def checkpoints(store, broadcaster, every: float = 1.0) -> None:
    """Checkpoint the database's WAL about once a second in an OS thread, off the event loop."""
    import gevent
    pool = gevent.get_hub().threadpool
    while not broadcaster.stopping:
        gevent.sleep(every)
        try:
            pool.apply(store.checkpoint)
        except Exception as exc:  # the WAL only grows until the next checkpoint succeeds
            click.echo(f"checkpoint failed: {exc}", err=True)


class Collector:
    """When to run Python's full garbage collection, so that no phone waits for it.

    With thousands of connections a full collection scans millions of objects, long enough for
    every phone to feel it with the event loop stopped (docs/performance.md), every few
    seconds while phones connect and answer. The full one runs here instead, once the rooms have been quiet for a moment, and everything that
    survives it is frozen (`gc.freeze`): later collections skip it. In a room that is never
    quiet, once a minute, the young generations are collected and what survives is frozen in
    turn, a few milliseconds; what the frozen objects leave as cyclic garbage (a phone that
    went away) waits for the next quiet moment, or ten minutes at most, so that memory stays
    bounded in a room that is never quiet.

    A full collection's pause grows with the room: ~10 ms at 100 phones, about a second at
    10,000 on a shared laptop core (docs/performance.md, "10,000 phones on one process"). So
    the quiet it waits for and the spacing between two grow with the last one's pause: a
    room must have been quiet for 5 pauses, and 30 pauses must have passed (the server
    stopped at most ~3% of the time); a 2 s quiet and 5 s at the least, as for a small room.
    Before the first full one has been timed, its pause is guessed from the connections
    (~70 us each, measured at 10,000), so that a room that has just filled is not stopped
    for a second by the first 2 s of quiet, which is often just before a poll's burst.
    """

    QUIET_PAUSES, SPACING_PAUSES = 5, 30
    PAUSE_PER_CONNECTION = 70e-6  # seconds of a full collection per connected phone

    def __init__(self, gc, clock, quiet: float = 2.0, at_most_every: float = 5.0,
                 at_least_every: float = 60.0, full_at_least_every: float = 600.0, log=None,
                 log_over: float = 0.05):
        self.gc, self.clock, self.log, self.log_over = gc, clock, log, log_over
        self.quiet, self.at_most_every, self.at_least_every = quiet, at_most_every, at_least_every
        self.full_at_least_every = full_at_least_every
        self.last = self.last_full = clock()
        self.full_took = 0.0  # the last full collection's pause, seconds

    def step(self, busy_at: float, connections: int = 0) -> str:
        """Collect if it is time; return "full", "recent" or "" (nothing)."""
        now = self.clock()
        pause = max(self.full_took, connections * self.PAUSE_PER_CONNECTION)
        quiet = max(self.quiet, self.QUIET_PAUSES * pause)
        spacing = max(self.at_most_every, self.SPACING_PAUSES * pause)
        if ((now - busy_at > quiet and now - self.last > spacing)
                or now - self.last_full > self.full_at_least_every):
            self.gc.unfreeze()
            self.gc.collect()
            done, self.last_full = "full", now
        elif now - self.last > self.at_least_every:
            # the young generations only, then freeze: what came since the last freeze can be a
            # whole room that filled meanwhile (0.7 s at 10,000 phones), and its cyclic garbage
            # can wait for the full one, as the frozen objects' does
            self.gc.collect(1)
            done = "recent"
        else:
            return ""
        took = self.clock() - now
        if done == "full":
            self.full_took = took
        self.gc.freeze()
        self.last = self.clock()
        if self.log and took > self.log_over:
            self.log(f"gc: a {done} collection paused the server {took * 1000:.0f} ms (at {now:.1f})")
        return done


def collect_garbage_when_idle(broadcaster, clients: dict) -> None:
    """Collect garbage while no phone waits for an ack (`Collector`), every half second."""
    import gc
    import time

    import gevent
    gc.set_threshold(700, 10, 1_000_000)  # the default young collections; the full one is ours
    from workshop import settings
    log_ms = settings.get("GC_LOG_MS")  # a room of thousands: when did the server stop, for how long
    log = (lambda line: click.echo(line, err=True)) if log_ms > 0 else None
    collector = Collector(gc, time.monotonic, log=log, log_over=log_ms / 1000)
    while not broadcaster.stopping:
        gevent.sleep(0.5)
        collector.step(broadcaster.busy_at, len(clients))


def run(app, sock) -> None:
    """Serve the app on the bound socket with the configured async mode until interrupted."""
    from .app import refuse_foreign_upgrade, start_ticker
    from .extensions import socketio
    from .live import live
    start_ticker(app)
    if app.config["ASYNC_MODE"] == "gevent":
        import gevent
        from gevent import signal_handler
        from gevent.pywsgi import WSGIServer
        from geventwebsocket.handler import WebSocketHandler

        # Every Socket.IO event runs in a new greenlet; recording each one's spawning stack
        # (a debugging aid) made spawning one measurably slower (docs/performance.md).
        gevent.config.track_greenlet_tree = False
        lv = live(app)
        lv.store.checkpoint_elsewhere()
        gevent.spawn(checkpoints, lv.store, lv.broadcaster)
        gevent.spawn(collect_garbage_when_idle, lv.broadcaster, lv.clients)
        server = WSGIServer(sock, app, handler_class=WebSocketHandler, log=None)
        server.pre_start_hook = refuse_foreign_upgrade(app)  # before gevent-websocket's 101
        stop = lambda *_: server.stop(timeout=1)  # noqa: E731
        signal_handler(signal.SIGTERM, stop)
        signal_handler(signal.SIGINT, stop)
        server.serve_forever()
        return
    host, port = sock.getsockname()[:2]
    sock.close()  # threading mode: werkzeug binds its own socket
    try:
        socketio.run(app, host=host, port=port, allow_unsafe_werkzeug=True, log_output=False)
    except KeyboardInterrupt:
        pass
