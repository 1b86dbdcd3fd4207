"""Every setting in one place: defaults, `WORKSHOP_*` environment variables, the instance folder."""
from __future__ import annotations

import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

PACKAGE = Path(__file__).resolve().parent
CHECKOUT = PACKAGE.parent  # the repository, when the code runs from one (editable install)
DECK_FILE = "leaders-role.yaml"


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    help: str
    type: type = str


SETTINGS = (
    Setting("DB", "", "the store: a SQLite database file, or a postgresql:// URL (a cluster's); "
                      "empty means workshop.db in the instance folder"),
    Setting("REDIS_URL", "", "redis:// URL of a cluster's message queue and shared limits; empty: one "
                             "process, no Redis (docs/scale-out.md)"),
    Setting("WORKER_ID", "", "this process's name in a cluster (set by `serve --workers`); empty: "
                             "one made up at start"),
    Setting("DECK", "", "deck file that `serve`, `handouts` and `simulate` use by default; "
                        "empty means the shipped leaders-role.yaml"),
    Setting("INSTANCE", "", "folder of the database and the secret key; empty means instance/ in a "
                            "checkout, the per-user data folder in an installed copy"),
    Setting("PUBLIC_URL", "", "base URL phones use to reach the server, when the LAN address is not it"),
    Setting("ASYNC_MODE", "gevent", "Socket.IO async mode: gevent (measured best) or threading"),
    Setting("TICK_SECONDS", 0.1, "how often changed results are pushed to projector and console", float),
    Setting("PHONE_RESULTS_SECONDS", 1.0, "how often revealed results are pushed to phones", float),
    Setting("ANSWER_RATE", 5.0, "messages a second one phone may send, sustained", float),
    Setting("ANSWER_BURST", 10, "messages one phone may send at once before the rate applies", int),
    Setting("JOIN_GUESSES", 10, "wrong join codes one address may try a minute", int),
    Setting("MAX_MESSAGE_BYTES", 65536, "largest Socket.IO message the server accepts", int),
    Setting("REPORT_WORKERS", 2, "processes that build reports (PDFs, exports) beside the server, niced", int),
    Setting("REPORT_NICE", 10, "how much lower the report workers' priority is than the server's", int),
    Setting("PING_INTERVAL", 10, "seconds between Socket.IO pings (how soon a dropped phone is noticed)", int),
    Setting("GC_LOG_MS", 0, "log each garbage collection that paused the server longer than this (ms; 0: none)", int),
)
_BY_NAME = {s.name: s for s in SETTINGS}


def get(name: str, environ: Mapping[str, str] | None = None):
    """Return one setting: its `WORKSHOP_*` environment variable, or its default."""
    s = _BY_NAME[name]
    raw = (os.environ if environ is None else environ).get(f"WORKSHOP_{name}")
    if raw is None or raw == "":
        return s.default
    try:
        return s.type(raw)
    except ValueError:
        raise ValueError(f"WORKSHOP_{name}={raw!r} is not a valid {s.type.__name__}") from None


def from_env(environ: Mapping[str, str] | None = None) -> dict:
    """Return every setting from `WORKSHOP_*` environment variables over the defaults."""
    return {s.name: get(s.name, environ) for s in SETTINGS}


def in_checkout() -> bool:
    """Tell whether the code runs from the repository (editable install) rather than a wheel."""
    return (CHECKOUT / "pyproject.toml").is_file() and (CHECKOUT / "decks" / DECK_FILE).is_file()


def data_folder(package_dir: Path, checkout_name: str) -> Path:
    """Return a folder shipped beside a package (a wheel), or its top-level twin in a checkout.

    `templates/` and `decks/` stay at the repository's top level; pyproject.toml's
    package-dir maps them into the wheel as `server/templates` and `workshop/decks`.
    """
    shipped = package_dir / checkout_name
    return shipped if shipped.is_dir() else CHECKOUT / checkout_name


def decks_folder() -> Path:
    """Return the folder of the shipped decks."""
    return data_folder(PACKAGE, "decks")


def shipped_deck() -> Path:
    """Return the default deck that comes with the kit."""
    return decks_folder() / DECK_FILE


def default_deck(environ: Mapping[str, str] | None = None) -> str:
    """Return the deck to use when none is named: WORKSHOP_DECK, or the shipped one."""
    return get("DECK", environ) or str(shipped_deck())


def user_data_folder(environ: Mapping[str, str] | None = None) -> Path:
    """Return this user's data folder for the kit (XDG_DATA_HOME, else ~/.local/share)."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_DATA_HOME") or str(Path(env.get("HOME") or Path.home()) / ".local" / "share")
    return Path(base) / "workshop-kit"


def instance_path(environ: Mapping[str, str] | None = None) -> Path:
    """Return the instance folder: WORKSHOP_INSTANCE, instance/ in a checkout, else per-user.

    Never inside site-packages: an installed copy may be read-only, is replaced on upgrade,
    and is shared by every user of the machine.
    """
    chosen = get("INSTANCE", environ)
    if chosen:
        return Path(chosen).absolute()
    return CHECKOUT / "instance" if in_checkout() else user_data_folder(environ)


def db_path(environ: Mapping[str, str] | None = None) -> str:
    """Return the session database: WORKSHOP_DB, or workshop.db in the instance folder."""
    return get("DB", environ) or str(instance_path(environ) / "workshop.db")


def secret_key(instance: str | Path) -> str:
    """Return the app's secret key, made once and kept in the instance folder.

    Several processes may start at once (a server and its report commands, a cluster): the
    key is written to a temporary file and linked into place, so whoever comes second finds
    a whole key, never an empty or half-written file, and every process uses the same one.
    """
    path = Path(instance) / "secret_key"
    key = _read_key(path)
    if key:
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")  # mode 0600
    try:
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)  # fails if another process linked its key first: that one wins
        except FileExistsError:
            if not _read_key(path):  # an empty file a crash left behind: replace it
                os.replace(tmp, path)
        except OSError:  # a file system without hard links: rename is atomic too
            os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return _read_key(path)


def _read_key(path: Path) -> str:
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        return ""
