"""Shared fixtures: an app on a temporary database, its HTTP and Socket.IO test clients.

The protocol suites (BOTH_BACKENDS) run their `app` twice: on SQLite and on PostgreSQL (the
tests' own server, tests/support/pg.py; skipped with the reason where PostgreSQL is not
installed, failed under CI=true). Every other module's app stays on SQLite.
"""
from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from server import create_app, socketio
from tests.support.pg import postgres_server, postgres_url  # noqa: F401 (fixtures)
from workshop.deck_file import load_deck

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DECK = ROOT / "decks" / "leaders-role.yaml"


@pytest.fixture
def deck():
    return load_deck(DEFAULT_DECK)


# The modules whose `app` runs on both stores: the Socket.IO protocol.
BOTH_BACKENDS = {"test_events", "test_rooms", "test_qa", "test_moderation", "test_names",
                 "test_quiz", "test_hostile"}


def pytest_generate_tests(metafunc):
    if "backend" in metafunc.fixturenames and metafunc.module.__name__.rsplit(".", 1)[-1] in BOTH_BACKENDS:
        metafunc.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def backend(request):
    """The store an `app` uses: "sqlite", or "postgresql" in the BOTH_BACKENDS modules."""
    return getattr(request, "param", "sqlite")


@pytest.fixture
def database(backend, tmp_path, request):
    """The `app`'s database: a SQLite file, or the tests' emptied PostgreSQL database."""
    if backend == "postgresql":
        return request.getfixturevalue("postgres_url")
    return str(tmp_path / "test.db")


@pytest.fixture
def app(database):
    app = create_app({"TESTING": True, "DB": database, "ASYNC_MODE": "threading",
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


@pytest.fixture(scope="module")
def redis(tmp_path_factory):
    """A Redis of the tests' own for one module (tests/support/services.py)."""
    from tests.support import services
    services.require("redis")
    server = services.Redis(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()
