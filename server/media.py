"""A deck's pictures over HTTP: only the files the deck lists, read from the deck's folder.

`image_response(deck, src)` is the whole rule, shared by the room's route
(`/j/<code>/media/<src>`) and the live preview. The deck checker already refused paths that
leave the folder when the deck loaded; the file is checked again here because it may have
been replaced (by a link out of the folder, or a bigger file) since.
"""
from __future__ import annotations

import os
from urllib.parse import quote

from flask import Response, abort, send_file

from workshop.deck import MAX_IMAGE_BYTES, Deck

# An SVG opened on its own is a document: no script, no request, no form, no plug-in; the
# inline styles of a drawing still apply. Sent with every picture, harmless for PNG and JPEG.
IMAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


def media_url(join_code: str, src: str) -> str:
    """Return the address a room's pages load one of its deck's pictures from."""
    return f"/j/{quote(join_code, safe='')}/media/{quote(src, safe='/')}"


def media_src(session: dict, src: str) -> str:
    """Return the address a page loads a deck picture from (the templates' `media_src`).

    `session` is the page's session info; a page without a room (the live preview) puts its
    own `media_prefix` in it, and the picture's quoted `src` is added to that.
    """
    if session.get("media_prefix"):
        return session["media_prefix"] + quote(src, safe="/")
    return media_url(session["code"], src)


def image_file(deck: Deck, src: str) -> str | None:
    """Return the real path of a picture the deck lists, or None when it must not be served."""
    image = deck.images().get(src)
    if image is None:  # the whitelist: `../x`, `/etc/passwd`, `%2e%2e/x` are never listed
        return None
    folder = os.path.realpath(deck.folder)
    full = os.path.realpath(os.path.join(folder, image.src))
    if os.path.commonpath([folder, full]) != folder:  # a link out of the folder, made later
        return None
    try:
        if not os.path.isfile(full) or os.path.getsize(full) > MAX_IMAGE_BYTES:
            return None
    except OSError:
        return None
    return full


def image_response(deck: Deck, src: str) -> Response:
    """Return the picture `src` of the deck, or abort with 404 if the deck does not list it.

    The response has the picture's own type (never sniffed), a sandboxing CSP and cache
    validators: an ETag and Last-Modified, answered 304 when they still match (the browser
    asks again each time, so an edited picture shows at once).
    """
    full = image_file(deck, src)
    if full is None:
        abort(404)
    response = send_file(full, mimetype=deck.images()[src].media_type, conditional=True,
                         etag=True, max_age=None)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = IMAGE_CSP
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
