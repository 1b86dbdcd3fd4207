"""Several `workshop serve` processes serving one session on one store, joined by one Redis:
the first creates the session, the others `--resume` it (on the same SQLite file here; a
postgresql:// URL works the same). Every process is a RealServer (tests/support/server.py),
so each can be killed, restarted and talked to on its own port."""
from __future__ import annotations

import time
from pathlib import Path

from tests.support.server import DECK, RealServer


class Cluster:
    """`size` processes of one session; `procs[k]` is the k-th, `recount()` the store's tallies."""

    def __init__(self, folder: Path, redis_url: str, size: int = 3, deck=DECK, env: dict | None = None,
                 database: str | None = None):
        self.folder, self.redis_url, self.size, self.deck = Path(folder), redis_url, size, deck
        self.env = {"WORKSHOP_REDIS_URL": redis_url, **(env or {})}
        self.database = database
        self.procs: list[RealServer] = []

    def _server(self, k: int) -> RealServer:
        server = RealServer(self.folder / f"p{k}", deck=self.deck,
                            env={**self.env, "WORKSHOP_WORKER_ID": f"p{k}"})
        if self.procs:
            server.db = self.procs[0].db
        if self.database:
            server.db = self.database
        return server

    def start(self) -> "Cluster":
        first = self._server(0).start()
        self.procs.append(first)
        for k in range(1, self.size):
            self.procs.append(self._server(k).start(resume=first.sid))
        return self

    @property
    def sid(self) -> str:
        return self.procs[0].sid

    @property
    def db(self):
        return self.procs[0].db

    def stop(self) -> None:
        for p in self.procs:
            if p.running:
                p.kill()

    def errors(self) -> list[str]:
        return [e for p in self.procs for e in p.errors()]

    def __enter__(self) -> "Cluster":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # ----- what the store says -----

    def recount(self) -> dict:
        """Every poll's tally as a process starting now would count it (the truth)."""
        from server.rooms import Room
        from workshop.deck_file import load_deck
        from workshop.store import open_store
        store = open_store(str(self.database or self.db))
        try:
            row = store.session(self.sid)
            room = Room(load_deck(row.deck_path), row, store)
            return room.tally_message(room.deck.polls)["polls"]
        finally:
            store.close()


def wait_until(check, timeout: float = 10.0, every: float = 0.1, what: str = "condition"):
    """Return check()'s first truthy value, polling; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        got = check()
        if got:
            return got
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not met in {timeout} s (last: {got!r})")
        time.sleep(every)
