"""The Origin rule of Socket.IO connections, and the hook that applies it before a websocket upgrade."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from server.app import origin_allowed, refuse_foreign_upgrade

OWN = {"wsgi.url_scheme": "http", "HTTP_HOST": "192.168.1.20:5000"}
UPGRADE = {"HTTP_UPGRADE": "websocket", "HTTP_CONNECTION": "Upgrade"}


def handler(**environ):
    return SimpleNamespace(environ=dict(OWN, **environ))


@pytest.mark.parametrize("origin", ["http://192.168.1.20:5000", "https://workshop.example"])
def test_the_servers_own_origin_and_the_public_url_origin_are_allowed(origin):
    assert origin_allowed(origin, OWN, "https://workshop.example/")


@pytest.mark.parametrize("origin", ["http://evil.example", "null", "http://192.168.1.20:5001",
                                    "https://192.168.1.20:5000", "http://192.168.1.20:5000.evil.example",
                                    "https://workshop.example.evil.example", ""])
def test_any_other_origin_is_refused(origin):
    assert not origin_allowed(origin, OWN, "https://workshop.example")


def test_the_hook_keeps_a_foreign_websocket_from_being_upgraded(app):
    hook = refuse_foreign_upgrade(app)  # conftest's app: PUBLIC_URL http://workshop.test:5000
    assert hook(handler(HTTP_ORIGIN="http://evil.example", **UPGRADE)) is True
    assert hook(handler(HTTP_ORIGIN="http://evil.example", HTTP_UPGRADE="WebSocket")) is True


def test_the_hook_lets_own_origin_no_origin_and_plain_http_through(app):
    hook = refuse_foreign_upgrade(app)
    assert hook(handler(HTTP_ORIGIN="http://192.168.1.20:5000", **UPGRADE)) is False
    assert hook(handler(HTTP_ORIGIN="http://workshop.test:5000", **UPGRADE)) is False
    assert hook(handler(**UPGRADE)) is False  # no Origin: not a browser, as Engine.IO allows
    # plain HTTP (polling) is refused by Engine.IO itself, with a 400 the client reports at once
    assert hook(handler(HTTP_ORIGIN="http://evil.example")) is False
