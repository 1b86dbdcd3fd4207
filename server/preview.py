"""`workshop preview DECK`: the deck as the projector will show it, reloaded on every save.

A small Flask app of its own, on 127.0.0.1 only (the author's machine): no room, no store,
no Socket.IO. The page asks `/version` a few times a second; the version is the deck file's
mtime, size and hash, and when the deck that loads changes the page loads again (the pages'
scripts never write HTML), so a save shows within a second. A deck with problems keeps the last
good version on screen with its `PATH:LINE: message` lines above it. Polls show the results
of a sample of simulated answers (workshop.simulate.sample_results).
"""
from __future__ import annotations

import hashlib
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, abort, jsonify, render_template, request
from markupsafe import Markup

from workshop import languages
from workshop.deck import IMAGE_TYPES, Deck, DeckError
from workshop.deck_file import load_deck
from workshop.simulate import sample_results

from . import qr
from .app import TEMPLATES
from .media import image_response, media_src
from .routes import CSP, inline_html

SAMPLE_PEOPLE = 24  # the room the preview imagines: enough for bars with a shape
JOIN_CODE = "PREVIEW"
MEDIA_PREFIX = "/media/"
STATIC_SECONDS = 600
WATCH_DEPTH, WATCH_FILES = 3, 1000  # pictures watched beside the deck: a few stats a poll


@dataclass
class Snapshot:
    """The deck file as last seen: its version, its problems, and the last deck that loaded."""

    version: str = ""
    problems: list[str] = field(default_factory=list)
    deck: Deck | None = None
    results: dict = field(default_factory=dict)
    good_version: str = ""  # the version `deck` was read from


class DeckWatch:
    """Read the deck file again whenever it, or a picture in its folder, changed."""

    def __init__(self, path: str):
        self.path = path
        self.folder = os.path.dirname(os.path.abspath(path))
        self.lock = threading.Lock()
        self.stat: tuple = ()
        self.digest = ""
        self.now = Snapshot()

    def refresh(self) -> Snapshot:
        """Return the current snapshot, reading and checking the file only if it changed."""
        with self.lock:
            try:
                st = os.stat(self.path)
                stat = (st.st_mtime_ns, st.st_size, _pictures(self.folder))
            except OSError:
                stat = ("missing", 0, ())
            if stat == self.stat and self.now.version:
                return self.now
            self.stat = stat
            try:
                content = hashlib.sha256(Path(self.path).read_bytes())
                content.update(repr(stat[2]).encode())  # a picture saved counts as a change
                digest = content.hexdigest()[:16]
            except OSError:
                digest = "missing"
            version = f"{stat[0]}-{stat[1]}-{digest}"
            if digest == self.digest and self.now.version:  # touched, not changed
                self.now.version = version
                return self.now
            self.digest = digest
            try:
                deck = load_deck(self.path)
            except DeckError as exc:
                self.now = Snapshot(version, exc.problems, self.now.deck, self.now.results,
                                    self.now.good_version)
            else:
                self.now = Snapshot(version, [], deck, sample_results(deck, SAMPLE_PEOPLE),
                                    version)
            return self.now


def _pictures(folder: str) -> tuple:
    """Return (path, mtime, size) of the pictures in the deck's folder, a few levels down."""
    found = []
    for root, dirs, files in os.walk(folder):
        depth = root[len(folder):].count(os.sep)
        dirs[:] = [] if depth >= WATCH_DEPTH else sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if os.path.splitext(name)[1].lower() in IMAGE_TYPES:
                try:
                    st = os.stat(os.path.join(root, name))
                except OSError:
                    continue
                found.append((os.path.join(root, name), st.st_mtime_ns, st.st_size))
                if len(found) >= WATCH_FILES:
                    return tuple(found)
    return tuple(found)


def create_preview_app(deck_path: str) -> Flask:
    """Create the preview app for one deck file."""
    app = Flask(__name__, template_folder=str(TEMPLATES))
    app.config["MAX_CONTENT_LENGTH"] = 1024
    # the page loads again on every save: its scripts and styles need not be asked for each time
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = STATIC_SECONDS
    watch = DeckWatch(deck_path)
    # the projector's own template helpers: pictures' addresses and deck texts' inline Markdown
    app.add_template_global(media_src)
    app.add_template_filter(inline_html, "inline")

    def page_lang(deck: Deck | None) -> str:
        default = deck.language if deck else "en"
        return languages.negotiate(request.headers.get("Accept-Language"),
                                   request.args.get("lang"), default)

    def session(deck: Deck | None) -> dict:
        return {"id": "preview", "code": JOIN_CODE, "title": deck.title if deck else "",
                "join_url": f"{request.host_url}j/{JOIN_CODE}", "media_prefix": MEDIA_PREFIX}

    @app.after_request
    def headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("Cache-Control", "no-store")
        if response.mimetype == "text/html":
            response.headers.setdefault("Content-Security-Policy", CSP)
        return response

    @app.route("/")
    def page():
        """Show the last good deck drawn as the projector draws it, with its notes, sample
        results and the file's problems; the page's script reloads it after a save."""
        now = watch.refresh()
        deck = now.deck
        lang = page_lang(deck)
        stage, data = Markup(""), {"version": now.good_version, "slides": [], "polls": {},
                                   "results": {}, "people": SAMPLE_PEOPLE}
        if deck is not None:
            deck_strings = languages.strings(languages.of(deck.language))
            stage = Markup(render_template("_preview_stage.html", deck=deck, session=session(deck),
                                           strings=deck_strings, lang=lang))
            drawn = re.split(r'(?=<section class="slide )', str(stage))[1:]
            data.update(
                deck_strings=deck_strings,
                slides=[{"kind": s.kind, "notes": s.notes, "poll": s.poll.id if s.poll else None,
                         "drawn": hashlib.sha256(html.encode()).hexdigest()[:16]}
                        for s, html in zip(deck.slides, drawn)],
                polls={p.id: p.public() for p in deck.polls.values()}, results=now.results)
        return render_template("preview.html", lang=lang, strings=languages.strings(lang),
                               path=deck_path, title=deck.title if deck else deck_path,
                               stage=stage, problems=now.problems, ok=not now.problems, data=data,
                               slides=deck.slides if deck else ())

    @app.route("/version")
    def version():
        """Tell the page the file's version, the version it would draw, and the problems."""
        now = watch.refresh()
        return jsonify(version=now.version, good_version=now.good_version,
                       ok=not now.problems, problems=now.problems)

    @app.route("/s/preview/qr.svg")
    def qr_svg():
        """Draw the sample join QR code the title and poll slides show."""
        return app.response_class(qr.svg(f"{request.host_url}j/{JOIN_CODE}"),
                                  mimetype="image/svg+xml")

    @app.route(MEDIA_PREFIX + "<path:src>")
    def media(src):
        """Serve a picture the last good deck lists, from its folder."""
        deck = watch.refresh().deck
        if deck is None:
            abort(404)
        return image_response(deck, src)

    app.extensions["preview"] = watch
    return app


def serve(deck_path: str, port: int, open_browser: bool = False, echo=print) -> None:
    """Serve the preview on 127.0.0.1 until interrupted; say where."""
    from werkzeug.serving import WSGIRequestHandler, make_server

    class Quiet(WSGIRequestHandler):
        def log_request(self, *args, **kwargs):  # a line per poll would bury the author's terminal
            pass

    app = create_preview_app(deck_path)
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=Quiet)
    url = f"http://127.0.0.1:{server.server_port}/"
    now = app.extensions["preview"].refresh()
    echo(f"Preview of {deck_path}: {url}")
    for problem in now.problems:
        echo(problem)
    echo("It reloads when you save the deck. Stop with Ctrl-C.")
    if open_browser:
        import webbrowser
        webbrowser.open(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()

