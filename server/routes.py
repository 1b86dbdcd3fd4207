"""HTTP routes: the join page, projector, console, QR and downloads."""
from __future__ import annotations

from flask import (Blueprint, Response, abort, current_app, redirect, render_template, request,
                   url_for)
from markupsafe import Markup

from workshop import inline, languages
from workshop.session import reveal_closes

from . import qr, reports
from .live import live
from .media import image_response, media_src
from .reports import ReportError
from .rooms import NotAllowed, Room

bp = Blueprint("workshop", __name__)


def page_lang(default: str = "en") -> str:
    return languages.negotiate(request.headers.get("Accept-Language"),
                          request.args.get("lang") or request.cookies.get("lang"), default)


def render(template: str, http_status: int = 200, lang: str | None = None, **context):
    # not `status`: the error page's context has a `status` of its own
    lang = lang or page_lang()
    return render_template(template, lang=lang, strings=languages.strings(lang), **context), http_status


def base_url() -> str:
    """Return the URL phones use: --public-url, else this request's host."""
    return live().rooms.base_url or request.host_url.rstrip("/")


CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")


@bp.after_app_request
def security_headers(response: Response) -> Response:
    """Forbid scripts from anywhere but this server, framing, sniffing and leaking referrers."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", CSP)
    return response


@bp.app_errorhandler(404)
def not_found(_):
    return render("error.html", 404, status=404, message=languages.t(page_lang(), "error_not_found"))


@bp.app_errorhandler(401)
@bp.app_errorhandler(403)
def forbidden(exc):
    return render("error.html", exc.code, status=exc.code,
                  message=languages.t(page_lang(), "error_no_key" if exc.code == 401 else "error_bad_key"))


@bp.app_errorhandler(429)
def too_many(_):
    return render("error.html", 429, status=429, message=languages.t(page_lang(), "error_too_many"))


@bp.route("/")
def index():
    """Show the form where a participant types the join code."""
    return render("index.html", error=None, code="")


@bp.route("/join")
def join():
    """Send a typed join code to its phone page; wrong codes are rate-limited per address."""
    code = request.args.get("code", "").strip().upper()[:16]
    guesses = live().guesses
    if not guesses.allow(request.remote_addr):
        return render("index.html", 429, error=languages.t(page_lang(), "error_too_many_guesses"), code=code)
    if live().rooms.by_join_code(code) is None:
        guesses.fail(request.remote_addr)
        return render("index.html", 404, error=languages.t(page_lang(), "error_unknown_code"), code=code)
    return redirect(url_for(".phone", code=code), 303)


def room_of_code(code: str) -> Room:
    """Return the room of a join code; a wrong code counts as a guess, as on /join (429 after too many)."""
    guesses = live().guesses
    if not guesses.allow(request.remote_addr):
        abort(429)
    room = live().rooms.by_join_code(code)
    if room is None:
        guesses.fail(request.remote_addr)
        abort(404)
    return room


@bp.route("/j/<code>")
def phone(code):
    """Serve the phone page of a session."""
    room = room_of_code(code)
    return render("phone.html", lang=page_lang(room.deck.language), session=session_info(room))


@bp.route("/j/<code>/media/<path:src>")
def media(code, src):
    """Serve one of the pictures the session's deck lists (server/media.py), to anyone in the room."""
    return image_response(room_of_code(code).deck, src)


bp.add_app_template_global(media_src)


@bp.app_template_filter("inline")
def inline_html(text) -> Markup:
    """Return a deck text's inline Markdown as escaped HTML (workshop/inline.py)."""
    return Markup(inline.to_html(str(text or "")))


@bp.route("/j/<code>/takeaway.pdf", methods=["POST"])
def takeaway(code):
    """Let a participant download their own answers beside the room's, once allowed. The phone
    posts its token in the body: in a URL it would stay in the browser's history."""
    room = room_of_code(code)
    if not room.accepting_takeaways:
        abort(403)
    token = request.form.get("token", "")
    participant = room.store.participant(room.id, token) if token else None
    if participant is None:
        abort(404)
    if not live().takeaways.allow(participant.id):
        abort(429)
    pdf = report(room, "build_takeaway", participant_id=participant.id)
    return attachment(pdf, f"takeaway-{room.row.join_code}.pdf")


def session_info(room: Room) -> dict:
    return {"id": room.id, "code": room.row.join_code, "title": room.deck.title,
            "language": room.deck.language, "join_url": live().rooms.join_url(room, base_url()),
            "names": room.names, "qa": room.deck.qa}


def facilitator_room(session_id: str) -> Room:
    """Return the room if the request carries its facilitator key; 404, 401 or 403 otherwise.
    The key is checked before the session's deck is loaded."""
    key = (request.args.get("key") or request.headers.get("X-Workshop-Key")
           or request.cookies.get(f"wk_{session_id}"))
    try:
        return live().rooms.for_facilitator(session_id, key)
    except NotAllowed as exc:
        abort(exc.status)


def trade_key_for_cookie(room: Room) -> Response | None:
    """Answer a page request that carries ?key= with the cookie and a redirect without the key,
    so that a projector never shows the key in its address bar."""
    if "key" not in request.args:
        return None
    response = redirect(request.path, 303)
    response.set_cookie(f"wk_{room.id}", request.args["key"], httponly=True, samesite="Strict",
                        max_age=7 * 24 * 3600)
    return response


def facilitator_page(room: Room, template: str, lang: str, **extra) -> Response:
    join_url = live().rooms.join_url(room, base_url())
    body, status = render(template, lang=lang, deck=room.deck, session=session_info(room),
                          qr_svg=Markup(qr.svg(join_url)), **extra)
    return Response(body, status, headers={"Cache-Control": "no-store"})


@bp.route("/s/<session_id>/projector")
def projector(session_id):
    """Serve the projector page (facilitator only), in the deck's language: it speaks to the room."""
    room = facilitator_room(session_id)
    lang = languages.negotiate(None, request.args.get("lang"), room.deck.language)
    return trade_key_for_cookie(room) or facilitator_page(room, "projector.html", lang)


@bp.route("/s/<session_id>/console")
def console(session_id):
    """Serve the facilitator console (facilitator only), in its reader's language."""
    room = facilitator_room(session_id)
    if (traded := trade_key_for_cookie(room)) is not None:
        return traded
    deck_meta = [{"index": i, "kind": s.kind, "heading": inline.plain(s.heading), "notes": s.notes,
                  "minutes": s.minutes,
                  "poll": dict(s.poll.public(), correct=list(s.poll.correct), stays_open=s.poll.stays_open,
                               reveal_closes=reveal_closes(room.deck, s.poll)) if s.poll else None}
                 for i, s in enumerate(room.deck.slides)]
    downloads = {name: url_for(f".{endpoint}", session_id=room.id) for name, endpoint in
                 (("summary", "summary"), ("handouts", "handouts_pdf"),
                  ("export_csv", "export_csv"), ("export_json", "export_json"))}
    return facilitator_page(room, "console.html", page_lang(room.deck.language),
                            deck_meta=deck_meta, downloads=downloads)


@bp.route("/s/<session_id>/qr.svg")
def qr_svg(session_id):
    """Serve the join QR code to the projector and console (facilitator only, like the session)."""
    room = facilitator_room(session_id)
    return Response(qr.svg(live().rooms.join_url(room, base_url())), mimetype="image/svg+xml",
                    headers={"Cache-Control": "no-store"})


def report(room: Room, builder: str, **kwargs) -> bytes:
    return reports.report(room, builder, current_app.config, **kwargs)


@bp.app_errorhandler(ReportError)
def report_failed(exc):
    current_app.logger.error("%s", exc)
    return render("error.html", 500, status=500, message=languages.t(page_lang(), "error_report"))


def attachment(data: bytes, filename: str, mimetype: str = "application/pdf") -> Response:
    return Response(data, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "no-store"})


@bp.route("/s/<session_id>/summary.pdf")
def summary(session_id):
    """Download the facilitator's session summary."""
    room = facilitator_room(session_id)
    return attachment(report(room, "build_summary"), f"summary-{room.id}.pdf")


@bp.route("/s/<session_id>/handouts.pdf")
def handouts_pdf(session_id):
    """Download the handouts with the room's results."""
    room = facilitator_room(session_id)
    pdf = report(room, "build_handouts", join_url=live().rooms.join_url(room, base_url()),
                 join_code=room.row.join_code)
    return attachment(pdf, f"handouts-{room.id}.pdf")


@bp.route("/s/<session_id>/export.csv")
def export_csv(session_id):
    """Download every answer as CSV."""
    room = facilitator_room(session_id)
    return attachment(report(room, "export_csv"), f"answers-{room.id}.csv", "text/csv; charset=utf-8")


@bp.route("/s/<session_id>/export.json")
def export_json(session_id):
    """Download every answer as JSON."""
    room = facilitator_room(session_id)
    return attachment(report(room, "export_json"), f"answers-{room.id}.json", "application/json")


@bp.route("/healthz")
def healthz():
    """The balancer's check: a process of a cluster is healthy once it follows the room."""
    follower = live().follower
    if follower is not None and not follower.ready:
        return {"ok": False, "error": "starting", "message": "Not yet following the room."}, 503
    return {"ok": True}


@bp.route("/socket.io/", endpoint="socketio_websocket", websocket=True)
@bp.route("/socket.io/")
def socketio_path():
    """Never served from here: the Socket.IO middleware answers this path before Flask.

    Flask-SocketIO runs every event inside a request context built from the connection's
    request, and Flask matches that request against the routes. Without a route for the
    Socket.IO path (a websocket one for websocket connections) each event raised a NotFound
    on the way, and its traceback left a cycle of ~50 objects per event for the garbage
    collector (docs/performance.md, change 11).
    """
    abort(404)
