"""The tests' PostgreSQL: one server for the whole run (tests/support/services.py) and one
database that each test gets emptied, so that a test on PostgreSQL costs little more than
on SQLite (emptying the tables takes milliseconds; CREATE DATABASE took about 150 ms). Its
commits do not wait for the disk (synchronous_commit = off): that database checks behaviour;
the durability tests use databases of their own.

A test that needs a database of its own (several stores, a real server, a restart) asks
the server for one with `Postgres.create_database`.
"""
from __future__ import annotations

import itertools

import pytest

from tests.support import services

SHARED = "workshop_tests"
TABLES = ("sessions, poll_states, participants, answers, answer_uids, questions, question_votes, "
          "qa_uids")
IDENTITIES = (("poll_states", "seq"), ("participants", "id"), ("answers", "seq"),
              ("questions", "id"), ("question_votes", "seq"))
_names = itertools.count(1)
_emptiers: dict = {}


def empty(url: str) -> None:
    """Delete every row and restart every counter (ids, answer revisions) of a store's database,
    in one round trip on a connection kept for it (DELETE, not TRUNCATE: on a few rows it takes
    a millisecond, TRUNCATE about 100)."""
    import psycopg
    db = _emptiers.get(url)
    if db is None or db.closed:
        db = _emptiers[url] = psycopg.connect(url, autocommit=True)
    db.execute("BEGIN; " + "".join(f"DELETE FROM {t}; " for t in reversed(TABLES.split(", ")))
               + "".join(f"SELECT setval(pg_get_serial_sequence('{t}', '{c}'), 1, false); "
                         for t, c in IDENTITIES)
               + "SELECT setval('answer_rev', 1, false); COMMIT")


def fresh_database(server: services.Postgres) -> str:
    """A new empty database on the tests' server; return its URL."""
    return server.create_database(f"workshop_{next(_names)}")


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory):
    """The tests' PostgreSQL server, started once, with the shared database migrated."""
    services.require("postgresql")
    server = services.Postgres(tmp_path_factory.mktemp("postgres")).start()
    import psycopg

    from workshop.store import open_store
    open_store(server.create_database(SHARED)).close()  # migrated once
    with psycopg.connect(server.url, autocommit=True) as db:
        # The protocol tests check behaviour, not durability (test_store_postgres.py does,
        # on databases of its own): a commit here need not wait for the disk.
        db.execute(f'ALTER DATABASE "{SHARED}" SET synchronous_commit = off')
    yield server
    for db in _emptiers.values():
        db.close()
    server.stop()


@pytest.fixture
def postgres_url(postgres_server):
    """The URL of the shared database, emptied for this test."""
    url = postgres_server.url_of(SHARED)
    empty(url)
    return url
