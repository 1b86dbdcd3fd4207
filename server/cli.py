"""The `workshop` command: check a deck, serve a live session, list sessions, print reports."""
from __future__ import annotations

import enum
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from workshop import settings
from workshop.deck import NAMES
from .lbconfig import lb_config

if TYPE_CHECKING:
    from workshop.store import Store


class Exit(enum.IntEnum):
    OK = 0
    USER_ERROR = 1


DEFAULT_DECK = settings.shipped_deck()
DB_SHOWN = "workshop.db in the instance folder, or $WORKSHOP_DB"  # settings.db_path decides


def default_db() -> str:
    return settings.db_path()


def load_or_fail(path):
    """Return the deck, or exit 1 with one `PATH:LINE: message` per problem."""
    from workshop.deck import DeckError
    from workshop.deck_file import load_deck
    from handouts.pictures import undrawable
    try:
        deck = load_deck(path)
        problems = undrawable(deck)  # a picture the PDFs cannot draw: found now, not at print
    except DeckError as exc:
        problems = exc.problems
    for line in problems:
        click.echo(line, err=True)
    if problems:
        sys.exit(Exit.USER_ERROR)
    return deck


@click.group(context_settings={"help_option_names": ["-h", "--help"]},
             commands=[lb_config])  # server/lbconfig.py: HAProxy for workers on several hosts
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


@cli.command()
@click.argument("deck", required=False)
@click.option("--host", default="0.0.0.0", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on; 0 picks a free one and says which.")
@click.option("--db", "--database", "db", default=None, metavar="PATH_OR_URL",
              help=f"The store: a SQLite file, or postgresql://user@host/db for a cluster. "
                   f"[default: {DB_SHOWN}]")
@click.option("--redis", "redis_url", default=None, metavar="URL",
              help="redis://host:port/0: the message queue joining several server processes "
                   "(docs/scale-out.md). [default: $WORKSHOP_REDIS_URL, else none]")
@click.option("--resume", "resume_id", default=None, metavar="SESSION_ID",
              help="Carry on a stored session exactly where it was.")
@click.option("--public-url", default="", help="Base URL phones use, e.g. http://workshop.local:5000")
@click.option("--qr/--no-qr", default=True, help="Draw the join QR code in the terminal.")
@click.option("--names", type=click.Choice(NAMES), default=None,
              help="Anonymous (no names asked) or named (names shown to you); default: the deck's.")
@click.option("--workers", type=int, metavar="N", help="Run N processes behind HAProxy on "
              "--host/--port (docs/scale-out.md).")
@click.option("--behind-proxy", is_flag=True, help="Take phones' addresses from X-Forwarded-For "
              "(only where phones reach this server through the balancer alone).")
def serve(deck, host, port, db, redis_url, resume_id, public_url, qr, names, workers, behind_proxy):
    """Start a live session (or resume one) and print its join, projector and console URLs."""
    from . import runner
    if deck is None and not resume_id:
        deck = settings.default_deck()
    loaded = load_or_fail(deck) if deck else None  # a resumed session keeps its own deck
    redis_url = redis_url if redis_url is not None else settings.get("REDIS_URL")
    if workers is not None:
        from . import cluster
        return cluster.serve(workers, deck, host, port, db or default_db(), redis_url, resume_id,
                             public_url, qr, names)
    runner.serve(loaded, deck, host, port, db or default_db(), resume_id, public_url, qr, names,
                 redis_url=redis_url, behind_proxy=behind_proxy)


@cli.command()
@click.option("--db", default=None, help=f"SQLite database. [default: {DB_SHOWN}]")
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines instead of a table.")
def sessions(db, as_json):
    """List the sessions stored in a database, newest first."""
    from workshop.store import open_store
    path = db or default_db()
    if "://" not in path and not Path(path).exists():
        raise click.ClickException(f"{path}: no such database; run `workshop serve` first")
    rows = open_store(path).sessions()
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


# ----- reports -----

class _Command(click.Command):
    """A command whose usage errors exit with 1, like every other user error."""

    def parse_args(self, ctx, args):
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            exc.exit_code = 1
            raise

    def invoke(self, ctx):
        from handouts.fontfiles import FontsMissing
        try:
            return super().invoke(ctx)
        except FontsMissing as exc:  # the PDF fonts' packages: one line that says what to do
            raise click.ClickException(str(exc)) from None


def _db_option(f):
    return click.option("--db", "db", default=default_db, show_default=DB_SHOWN,
                        type=click.Path(dir_okay=False),
                        help="The session database (or set WORKSHOP_DB).")(f)


def _output_option(f):
    return click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
                        help="File to write ('-' for standard output).")(f)


def _store(db: str, create: bool = False) -> Store:
    from workshop.store import open_store
    if not create and "://" not in db and not Path(db).is_file():
        raise click.ClickException(f"no database at {db}; run a session first, or pass --db")
    try:
        return open_store(db)
    except Exception as exc:  # sqlite3 errors: not a database, locked, unreadable folder
        raise click.ClickException(f"cannot open the database {db}: {exc}") from None


def _results(store: Store, deck, session_id: str, db: str):
    from handouts import load_results
    if store.session(session_id) is None:
        raise click.ClickException(f"no session '{session_id}' in {db}")
    return load_results(store, deck, session_id)


def _session_deck(store: Store, session_id: str, db: str, deck_path):
    row = store.session(session_id)
    if row is None:
        raise click.ClickException(f"no session '{session_id}' in {db}")
    return load_or_fail(deck_path or row.deck_path)


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


@cli.command("handouts", cls=_Command)
@click.argument("deck", default=settings.default_deck, type=click.Path(dir_okay=True))
@_output_option
@click.option("--paper", type=click.Choice(["a4", "letter"], case_sensitive=False),
              default="a4", show_default=True, help="Paper size.")
@click.option("--session", "session_id", default=None,
              help="Add what the room said, from this session's answers.")
@_db_option
def handouts_cmd(deck, output, paper, session_id, db):
    """Print the handout of a deck (with a session's results, if given) to a PDF."""
    loaded = load_or_fail(deck)
    results = None
    if session_id:
        results = _results(_store(db), loaded, session_id, db)
    from handouts import build_handouts
    _write(output, build_handouts(loaded, results, paper=paper.lower()))


@cli.command("summary", cls=_Command)
@click.argument("session_id", metavar="SESSION")
@_output_option
@click.option("--deck", "deck_path", default=None, type=click.Path(dir_okay=True),
              help="Deck to use instead of the one the session ran.")
@_db_option
def summary_cmd(session_id, output, deck_path, db):
    """Print the facilitator's summary of a session to a PDF."""
    from handouts import build_summary
    store = _store(db)
    deck = _session_deck(store, session_id, db, deck_path)
    _write(output, build_summary(deck, _results(store, deck, session_id, db)))


@cli.command("export", cls=_Command)
@click.argument("session_id", metavar="SESSION")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"], case_sensitive=False),
              default="csv", show_default=True, help="File format.")
@_output_option
@click.option("--deck", "deck_path", default=None, type=click.Path(dir_okay=True),
              help="Deck to use instead of the one the session ran.")
@_db_option
def export_cmd(session_id, fmt, output, deck_path, db):
    """Export every answer of a session, one row each, as CSV or JSON."""
    from handouts import export_csv, export_json
    store = _store(db)
    deck = _session_deck(store, session_id, db, deck_path)
    results = _results(store, deck, session_id, db)
    _write(output, (export_json if fmt.lower() == "json" else export_csv)(deck, results))


@cli.command("simulate", cls=_Command)
@click.argument("deck", default=settings.default_deck, type=click.Path(dir_okay=True))
@click.option("--participants", "-n", type=click.IntRange(1, 100_000), required=True,
              help="How many people take part.")
@click.option("--seed", type=int, default=None, help="Seed, for the same session every time.")
@_db_option
def simulate_cmd(deck, participants, seed, db):
    """Create a finished session with synthetic answers; print its id on the last line."""
    from workshop.simulate import simulate
    loaded = load_or_fail(deck)
    store = _store(db, create=True)
    session_id = simulate(store, loaded, deck, participants, seed=seed)
    answers = len(store.answers(session_id))
    click.echo(f"Simulated {participants} participants and {answers} answers on "
               f"'{loaded.title}' in {db}")
    click.echo(session_id)


# ----- Markdown decks: convert between the formats, start a new deck -----

def _refuse_existing(path: Path, force: bool = False) -> None:
    if path.exists() and not force:
        raise click.ClickException(f"{path} exists; pass --force to overwrite it"
                                   if force is not None else f"{path} exists; choose another name")


@cli.command("convert", cls=_Command)
@click.argument("deck", type=click.Path(dir_okay=True))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="The deck to write: a .md file for Markdown, .yaml for YAML.")
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
def convert_cmd(deck, output, force):
    """Turn a YAML deck into Markdown or a Markdown deck into YAML, without loss."""
    from workshop.deck import DeckError
    from workshop.deck_file import MARKDOWN_SUFFIXES, parse_deck, parse_markdown_deck
    from workshop.deck_write import convert
    out = Path(output)
    suffix = out.suffix.lower()
    if suffix not in MARKDOWN_SUFFIXES + (".yaml", ".yml"):
        raise click.ClickException(f"{output}: name a .md (Markdown) or .yaml (YAML) file")
    _refuse_existing(out, force)
    loaded = load_or_fail(deck)
    try:
        text = convert(deck, suffix)
    except DeckError as exc:
        raise click.ClickException(exc.problems[0]) from None
    parse = parse_markdown_deck if suffix in MARKDOWN_SUFFIXES else parse_deck
    if parse(text, output, loaded.folder) != loaded:  # never write a deck that reads otherwise
        raise click.ClickException(f"{deck}: could not be written as {suffix} without loss")
    _write(output, text.encode("utf-8"))
    if loaded.images() and out.resolve().parent != Path(loaded.folder).resolve():
        click.echo(f"Its pictures are relative to {loaded.folder}: copy them beside {output}",
                   err=True)


@cli.command("new", cls=_Command)
@click.argument("title")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True,
              help="The deck's language.")
@click.option("-o", "--output", default=None, type=click.Path(dir_okay=False),
              help="The Markdown deck to write. [default: the title as a file name, .md]")
def new_cmd(title, lang, output):
    """Write a starter Markdown deck: one slide of each kind, one poll of each type."""
    from workshop.deck_starter import starter, starter_picture
    if not title.strip():
        raise click.ClickException("give the deck a title, e.g. workshop new \"Team trust\"")
    out = Path(output or _file_name(title) + ".md")
    picture = out.with_name(out.stem + "-picture.svg")
    for path in (out, picture):
        _refuse_existing(path, None)
    out.parent.mkdir(parents=True, exist_ok=True)
    _write(str(picture), starter_picture(lang).encode("utf-8"))
    _write(str(out), starter(title, lang, picture.name).encode("utf-8"))
    click.echo(f"Next: edit {out}, then `workshop check {out}` and `workshop serve {out}`",
               err=True)


def _file_name(title: str) -> str:
    """Return a file name from a title: its words joined by '-', or 'deck' if none are left."""
    import re
    name = re.sub(r"[^\w]+", "-", title.strip().lower(), flags=re.UNICODE).strip("-")
    return name[:60] or "deck"


# ----- PowerPoint in, and a live preview while writing -----

@cli.command("import", cls=_Command)
@click.argument("pptx", type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False),
              help="Folder to write the Markdown deck and its images/ into (empty, or --force).")
@click.option("--force", is_flag=True, help="Write into a folder that is not empty (the deck "
              "file and its pictures are replaced).")
def import_cmd(pptx, output, force):
    """Turn a PowerPoint file into a Markdown deck with its pictures; warn what stays behind."""
    import re

    from workshop.deck import DeckError
    from workshop.deck_file import load_deck
    from workshop.deck_write import to_markdown
    from workshop.deck_folder import FolderError, write_folder
    from workshop.pptx_import import PptxError, import_pptx

    def check(path):
        try:
            load_deck(path)
        except DeckError as exc:  # a bug of the importer: say so rather than write a bad deck
            raise PptxError(f"{pptx}: the imported deck does not pass check "
                            f"({exc.problems[0]}); please report this") from None

    stem = re.sub(r"[^\w.-]+", "-", Path(pptx).stem).strip(".-") or "deck"
    try:
        imported = import_pptx(pptx, pptx)
        written = write_folder(imported.files, output, stem, to_markdown(imported.tree), force,
                               check)
    except (PptxError, FolderError) as exc:
        raise click.ClickException(str(exc)) from None
    for warning in imported.warnings:
        click.echo(warning, err=True)
    slides = len(imported.tree["slides"])
    click.echo(f"Wrote {written}: {slides} slides, {len(imported.files)} images, "
               f"{len(imported.warnings)} warnings. Next: add polls, then "
               f"`workshop preview {written}` and `workshop serve {written}`")


@cli.command("preview", cls=_Command)
@click.argument("deck", type=click.Path(dir_okay=False))
@click.option("--port", default=5055, show_default=True, type=click.IntRange(0, 65535),
              help="Port on 127.0.0.1; 0 picks a free one and says which.")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in the browser too.")
def preview_cmd(deck, port, open_browser):
    """Show a deck as the projector will, with its notes, reloading whenever you save it."""
    from . import preview
    if not Path(deck).is_file():
        raise click.ClickException(f"{deck}: no such file")
    try:
        preview.serve(deck, port, open_browser, echo=click.echo)
    except OSError as exc:  # the port is taken
        raise click.ClickException(f"cannot listen on 127.0.0.1:{port} ({exc.strerror or exc}); "
                                   f"try --port 0") from None


def main(argv=None) -> None:
    """Run the CLI; a serving process patches the standard library for gevent first."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["serve"] and settings.get("ASYNC_MODE") == "gevent":
        from gevent import monkey
        monkey.patch_all()
    cli.main(args=args, prog_name="workshop")
