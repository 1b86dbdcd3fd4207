"""Shared fixtures: an app on a temporary database, its HTTP and Socket.IO test clients."""
from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from server import create_app, socketio
from workshop.deck_file import load_deck

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DECK = ROOT / "decks" / "leaders-role.yaml"


@pytest.fixture
def deck():
    return load_deck(DEFAULT_DECK)


@pytest.fixture
def app(tmp_path):
    app = create_app({"TESTING": True, "DB": str(tmp_path / "test.db"), "ASYNC_MODE": "threading",
                      "SECRET_KEY": "test-only-" + secrets.token_hex(8),
                      "PUBLIC_URL": "http://workshop.test:5000"})
    yield app
    app.extensions["workshop"].store.close()


@pytest.fixture
def live(app):
    """The app's live side: rooms, broadcaster, connections."""
    return app.extensions["workshop"]


@pytest.fixture
def rooms(live):
    return live.rooms


@pytest.fixture
def room(rooms, deck):
    return rooms.create(deck, str(DEFAULT_DECK))


@pytest.fixture
def client(app):
    return app.test_client()


def new_token() -> str:
    return secrets.token_urlsafe(16)


@pytest.fixture
def phone(app, room):
    """Return a function that connects a new phone (or an old one, given its token)."""
    made = []

    def connect(token=None, nickname="", code=None):
        c = socketio.test_client(app, auth={"role": "participant", "code": code or room.row.join_code,
                                            "token": token or new_token(), "nickname": nickname})
        made.append(c)
        return c
    yield connect
    for c in made:
        if c.is_connected():
            c.disconnect()


@pytest.fixture
def facilitator(app, room):
    c = socketio.test_client(app, auth={"role": "facilitator", "session": room.id,
                                        "key": room.row.facilitator_key})
    yield c
    if c.is_connected():
        c.disconnect()
