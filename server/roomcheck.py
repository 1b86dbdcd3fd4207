"""The room check: /check on the join address (no key), the console's panel, and the venue guide
served by the kit itself (/help/room-setup), so that the first five minutes need no internet."""
from __future__ import annotations

import functools
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, abort, jsonify, request, url_for
from markdown_it import MarkdownIt
from markupsafe import Markup

from workshop import languages, settings

from . import network, qr
from .live import live
from .routes import base_url, facilitator_room, page_lang, render

bp = Blueprint("roomcheck", __name__)
DOCS = settings.data_folder(Path(__file__).resolve().parent, "docs")
GUIDES = {"room-setup": "room-setup.md"}


@bp.route("/check")
def check():
    """Serve the room check page: a phone says whether it reaches the laptop, and how fast."""
    return render("check.html")


@functools.lru_cache(maxsize=4)
def guide_html(name: str) -> str:
    """Return a guide of docs/ as HTML; raw HTML in the Markdown is shown as text, never run."""
    text = (DOCS / GUIDES[name]).read_text(encoding="utf-8")
    return MarkdownIt("commonmark", {"html": False}).enable("table").render(text)


@bp.route("/help/<name>")
def guide(name):
    """Serve a venue guide of the kit (today: room-setup), readable without internet."""
    if name not in GUIDES:
        abort(404)
    return render("help.html", body=Markup(guide_html(name)))


@bp.route("/s/<session_id>/room-check.json")
def checks(session_id):
    """List the phones that ran the room check lately, newest first (facilitator only)."""
    facilitator_room(session_id)
    response = jsonify(checks=live().checks.as_list())
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_template_global("room_check")
def room_check() -> dict:
    """Return what the console's room check panel shows: the advertised check URL and its QR,
    and the laptop's other addresses (phones may reach one of them when not that one)."""
    advertised = base_url()
    parts = urlsplit(advertised)
    port = parts.port or urlsplit(request.host_url).port or (443 if parts.scheme == "https" else 80)
    shown = "" if port in (80, 443) else f":{port}"
    others = [{"interface": interface, "url": f"http://{address}{shown}/check"}
              for interface, address in network.ipv4_addresses() if address != parts.hostname]
    url = f"{advertised}/check"
    label = languages.t(page_lang(), "rc.qr_label")
    return {"url": url, "qr_svg": Markup(qr.svg(url, label)), "others": others,
            "help_url": url_for("roomcheck.guide", name="room-setup")}
