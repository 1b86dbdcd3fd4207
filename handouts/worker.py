"""Build reports in a process of their own, for the live server (`server/reports.py`).

A summary of a town hall is about a second of pure-Python CPU, and reading 3,000 people's
answers back from the store a quarter of one; in the server's process that time held the
interpreter lock while thousands of phones waited for their acks (docs/performance.md).
Here it takes the laptop's other core instead, at a lower priority.

    python -m handouts.worker        # jobs one per line on stdin, until stdin closes

A job is one JSON object:

    {"db": PATH, "deck": PATH, "session": ID, "version": N, "builder": "build_summary",
     "kwargs": {...}}

`version` is the room's count of changes: results read for one version serve every report of
that version (a room asking for 3,000 takeaways reads the answers once). The worker reads
what the server committed, through SQLite's WAL, and writes nothing. Each reply is
`OK <length>\n` and the report's bytes, or `ERR <one line>\n`. (`workshop summary`,
`handouts` and `export` build the same reports from the command line.)
"""
from __future__ import annotations

import json
import os
import signal
import sys

from workshop import settings

BUILDERS = ("build_summary", "build_handouts", "build_takeaway", "export_csv", "export_json")


class Builder:
    """Builds reports, keeping the last deck and results it read."""

    def __init__(self):
        self.decks: dict = {}  # (path, mtime) -> Deck
        self.results: dict = {}  # (db, (deck path, mtime), session) -> (version, SessionResults)

    def deck(self, path: str):
        from workshop.deck_file import load_deck
        key = (path, os.stat(path).st_mtime_ns)
        if key not in self.decks:
            self.decks = {key: load_deck(path)}
        return key, self.decks[key]

    def session_results(self, db: str, deck_key, deck, session: str, version):
        import handouts
        from workshop.store import is_url, open_store
        key = (db, deck_key, session)  # results are tallied by a deck: an edited deck reads again
        cached = self.results.get(key)
        if cached is None or version is None or cached[0] != version:
            if not is_url(db) and not os.path.isfile(db):
                raise FileNotFoundError(f"no database at {db}")
            store = open_store(db)
            try:
                with store.snapshot():  # the server writes meanwhile: one consistent state
                    cached = (version, handouts.load_results(store, deck, session))
            finally:
                store.close()
            self.results = {key: cached}
        return cached[1]

    def build(self, job) -> bytes:
        import handouts
        if not isinstance(job, dict) or job.get("builder") not in BUILDERS:
            raise ValueError(f"unknown report {job.get('builder') if isinstance(job, dict) else job!r}")
        deck_key, deck = self.deck(job["deck"])
        results = self.session_results(job["db"], deck_key, deck, job["session"], job.get("version"))
        return getattr(handouts, job["builder"])(deck, results, **job.get("kwargs", {}))


def one_line(exc: Exception) -> str:
    return " ".join(f"{type(exc).__name__}: {exc}".split())


def serve(stdin, stdout) -> None:
    builder = Builder()
    for line in stdin:
        try:
            data = builder.build(json.loads(line))
        except Exception as exc:  # one line back to the server; the next job is served as usual
            stdout.write(f"ERR {one_line(exc)}\n".encode("utf-8", "replace"))
        else:
            stdout.write(b"OK %d\n" % len(data))
            stdout.write(data)
        stdout.flush()


def main() -> int:
    try:
        os.nice(settings.get("REPORT_NICE"))  # the room's phones go first
    except OSError:
        pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server; it closes our stdin
    replies = os.fdopen(os.dup(1), "wb")  # the replies get a descriptor of their own, and
    os.dup2(2, 1)  # anything a library prints goes to stderr, never into the framing
    sys.stdout = sys.stderr
    serve(sys.stdin.buffer, replies)
    return 0


if __name__ == "__main__":
    sys.exit(main())
