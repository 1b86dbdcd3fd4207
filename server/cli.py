"""The `workshop` command: check a deck, serve a live session, list sessions, print reports."""
from __future__ import annotations

import enum
import json
import os
import socket
import sys
from pathlib import Path

import click

from .config import DEFAULT_DB, DEFAULT_DECK


class Exit(enum.IntEnum):
    OK = 0
    USER_ERROR = 1


def default_db() -> str:
    return os.environ.get("WORKSHOP_DB") or str(DEFAULT_DB)


def load_or_fail(path):
    """Return the deck, or exit 1 with one `PATH:LINE: message` per problem."""
    from .deck import DeckError, load_deck
    try:
        return load_deck(path)
    except DeckError as exc:
        for line in exc.problems:
            click.echo(line, err=True)
        sys.exit(Exit.USER_ERROR)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="workshop-kit")
def cli():
    """Run a live workshop from one laptop: slides, phone polls, printed handouts."""


@cli.command()
@click.argument("deck", type=click.Path(dir_okay=True), default=str(DEFAULT_DECK))
@click.option("--json", "as_json", is_flag=True, help="Print the deck's facts as JSON.")
def check(deck, as_json):
    """Check a deck file; print its summary, or one PATH:LINE: message per problem."""
    d = load_or_fail(deck)
    facts = d.summary()
    if as_json:
        click.echo(json.dumps(facts, ensure_ascii=False))
        return
    polls = ", ".join(f"{n} {t}" for t, n in facts["polls"].items() if n)
    click.echo(f"{deck}: ok: \"{d.title}\", {facts['slides']} slides, {facts['minutes']} minutes, "
               f"{sum(facts['polls'].values())} polls ({polls})")


def lan_address() -> str:
    """Return this laptop's address on the room's network (no packet is sent)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # TEST-NET-1: a UDP connect only picks the route
        address = probe.getsockname()[0]
    except OSError:
        address = ""
    finally:
        probe.close()
    if not address or address.startswith("127."):
        try:
            address = socket.gethostbyname(socket.gethostname())
        except OSError:
            address = "127.0.0.1"
    return address


@cli.command()
@click.argument("deck", required=False)
@click.option("--host", default="0.0.0.0", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--db", default=None, help="SQLite database. [default: instance/workshop.db]")
@click.option("--resume", "resume_id", default=None, metavar="SESSION_ID",
              help="Carry on a stored session exactly where it was.")
@click.option("--public-url", default="", help="Base URL phones use, e.g. http://workshop.local:5000")
@click.option("--qr/--no-qr", default=True, help="Draw the join QR code in the terminal.")
def serve(deck, host, port, db, resume_id, public_url, qr):
    """Start a live session (or resume one) and print its join, projector and console URLs."""
    from . import runner
    runner.serve(deck, host, port, db or default_db(), resume_id, public_url, qr)


@cli.command()
@click.option("--db", default=None, help="SQLite database. [default: instance/workshop.db]")
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines instead of a table.")
def sessions(db, as_json):
    """List the sessions stored in a database, newest first."""
    from .store import Store
    path = db or default_db()
    if not Path(path).exists():
        raise click.ClickException(f"{path}: no such database; run `workshop serve` first")
    rows = Store(path).sessions()
    if as_json:
        for r in rows:
            s = r["session"]
            click.echo(json.dumps({"id": s.id, "title": s.deck_title, "code": s.join_code,
                                   "created_at": s.created_at, "participants": r["participants"],
                                   "answers": r["answers"], "deck": s.deck_path}, ensure_ascii=False))
        return
    if not rows:
        click.echo("No sessions yet.")
        return
    from datetime import datetime
    click.echo(f"{'SESSION':<14} {'CODE':<7} {'STARTED':<17} {'PEOPLE':>6} {'ANSWERS':>7}  TITLE")
    for r in rows:
        s = r["session"]
        started = datetime.fromtimestamp(s.created_at).strftime("%Y-%m-%d %H:%M")
        click.echo(f"{s.id:<14} {s.join_code:<7} {started:<17} {r['participants']:>6} "
                   f"{r['answers']:>7}  {s.deck_title}")


def _register_report_commands() -> None:
    from handouts import commands
    for name in ("handouts", "summary", "export", "simulate"):
        cli.add_command(getattr(commands, f"{name}_cmd"), name)


def main(argv=None) -> None:
    """Run the CLI; a serving process patches the standard library for gevent first."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["serve"] and os.environ.get("WORKSHOP_ASYNC_MODE", "gevent") == "gevent":
        from gevent import monkey
        monkey.patch_all()
    _register_report_commands()
    cli.main(args=args, prog_name="workshop")
