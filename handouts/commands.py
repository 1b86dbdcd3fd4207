"""The `workshop handouts`, `summary`, `export` and `simulate` commands."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from server import config
from server.deck import DeckError, load_deck
from server.store import Store

from . import build_handouts, build_summary, export_csv, export_json, load_results

# Absolute, so the commands work from any folder, as `workshop serve` does.
DEFAULT_DECK = str(config.DEFAULT_DECK)
DEFAULT_DB = str(config.DEFAULT_DB)


class _Command(click.Command):
    """A command whose usage errors exit with 1, like every other user error."""

    def parse_args(self, ctx, args):
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            exc.exit_code = 1
            raise


def _db_option(f):
    return click.option("--db", "db", default=DEFAULT_DB, envvar="WORKSHOP_DB",
                        show_default=True, type=click.Path(dir_okay=False),
                        help="The session database (or set WORKSHOP_DB).")(f)


def _output_option(f):
    return click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
                        help="File to write ('-' for standard output).")(f)


def _deck(path) -> object:
    try:
        return load_deck(path)
    except DeckError as exc:
        raise click.ClickException("\n".join(exc.problems)) from None


def _store(db: str, create: bool = False) -> Store:
    if not create and not Path(db).is_file():
        raise click.ClickException(f"no database at {db}; run a session first, or pass --db")
    try:
        return Store(db)
    except Exception as exc:  # sqlite3 errors: not a database, locked, unreadable folder
        raise click.ClickException(f"cannot open the database {db}: {exc}") from None


def _results(store: Store, deck, session_id: str, db: str):
    if store.session(session_id) is None:
        raise click.ClickException(f"no session '{session_id}' in {db}")
    return load_results(store, deck, session_id)


def _session_deck(store: Store, session_id: str, db: str, deck_path):
    row = store.session(session_id)
    if row is None:
        raise click.ClickException(f"no session '{session_id}' in {db}")
    return _deck(deck_path or row.deck_path)


def _write(output: str, data: bytes) -> None:
    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    try:
        Path(output).write_bytes(data)
    except OSError as exc:
        raise click.ClickException(f"cannot write {output}: {exc.strerror or exc}") from None
    click.echo(f"Wrote {output} ({len(data):,} bytes)", err=True)


@click.command("handouts", cls=_Command)
@click.argument("deck", default=DEFAULT_DECK, envvar="WORKSHOP_DECK", type=click.Path(dir_okay=True))
@_output_option
@click.option("--paper", type=click.Choice(["a4", "letter"], case_sensitive=False),
              default="a4", show_default=True, help="Paper size.")
@click.option("--session", "session_id", default=None,
              help="Add what the room said, from this session's answers.")
@_db_option
def handouts_cmd(deck, output, paper, session_id, db):
    """Print the handout of a deck (with a session's results, if given) to a PDF."""
    loaded = _deck(deck)
    results = None
    if session_id:
        results = _results(_store(db), loaded, session_id, db)
    _write(output, build_handouts(loaded, results, paper=paper.lower()))


@click.command("summary", cls=_Command)
@click.argument("session_id", metavar="SESSION")
@_output_option
@click.option("--deck", "deck_path", default=None, type=click.Path(dir_okay=True),
              help="Deck to use instead of the one the session ran.")
@_db_option
def summary_cmd(session_id, output, deck_path, db):
    """Print the facilitator's summary of a session to a PDF."""
    store = _store(db)
    deck = _session_deck(store, session_id, db, deck_path)
    _write(output, build_summary(deck, load_results(store, deck, session_id)))


@click.command("export", cls=_Command)
@click.argument("session_id", metavar="SESSION")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"], case_sensitive=False),
              default="csv", show_default=True, help="File format.")
@_output_option
@click.option("--deck", "deck_path", default=None, type=click.Path(dir_okay=True),
              help="Deck to use instead of the one the session ran.")
@_db_option
def export_cmd(session_id, fmt, output, deck_path, db):
    """Export every answer of a session, one row each, as CSV or JSON."""
    store = _store(db)
    deck = _session_deck(store, session_id, db, deck_path)
    results = load_results(store, deck, session_id)
    _write(output, (export_json if fmt.lower() == "json" else export_csv)(deck, results))


@click.command("simulate", cls=_Command)
@click.argument("deck", default=DEFAULT_DECK, envvar="WORKSHOP_DECK", type=click.Path(dir_okay=True))
@click.option("--participants", "-n", type=click.IntRange(1, 100_000), required=True,
              help="How many people take part.")
@click.option("--seed", type=int, default=None, help="Seed, for the same session every time.")
@_db_option
def simulate_cmd(deck, participants, seed, db):
    """Create a finished session with synthetic answers; print its id on the last line."""
    from server.simulate import simulate

    loaded = _deck(deck)
    store = _store(db, create=True)
    session_id = simulate(store, loaded, deck, participants, seed=seed)
    answers = len(store.answers(session_id))
    click.echo(f"Simulated {participants} participants and {answers} answers on "
               f"'{loaded.title}' in {db}")
    click.echo(session_id)


COMMANDS = (handouts_cmd, summary_cmd, export_cmd, simulate_cmd)
