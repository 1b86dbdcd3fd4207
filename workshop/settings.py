"""Every setting in one place: defaults, `WORKSHOP_*` environment variables, the instance folder."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DECK = ROOT / "decks" / "leaders-role.yaml"
DEFAULT_DB = ROOT / "instance" / "workshop.db"


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    help: str
    type: type = str


SETTINGS = (
    Setting("DB", "", "SQLite database file; empty means instance/workshop.db"),
    Setting("DECK", str(DEFAULT_DECK), "deck file that `serve`, `handouts` and `simulate` use by default"),
    Setting("PUBLIC_URL", "", "base URL phones use to reach the server, when the LAN address is not it"),
    Setting("ASYNC_MODE", "gevent", "Socket.IO async mode: gevent (measured best) or threading"),
    Setting("TICK_SECONDS", 0.1, "how often changed results are pushed to projector and console", float),
    Setting("PHONE_RESULTS_SECONDS", 1.0, "how often revealed results are pushed to phones", float),
    Setting("ANSWER_RATE", 5.0, "messages a second one phone may send, sustained", float),
    Setting("ANSWER_BURST", 10, "messages one phone may send at once before the rate applies", int),
    Setting("JOIN_GUESSES", 10, "wrong join codes one address may try a minute", int),
    Setting("MAX_MESSAGE_BYTES", 65536, "largest Socket.IO message the server accepts", int),
    Setting("REPORT_WORKERS", 2, "processes that build reports (PDFs, exports) beside the server, niced", int),
    Setting("PING_INTERVAL", 10, "seconds between Socket.IO pings (how soon a dropped phone is noticed)", int),
)


def from_env(environ=os.environ) -> dict:
    """Return the settings from `WORKSHOP_*` environment variables over the defaults."""
    config = {}
    for s in SETTINGS:
        raw = environ.get(f"WORKSHOP_{s.name}")
        try:
            config[s.name] = s.default if raw is None or raw == "" else s.type(raw)
        except ValueError:
            raise ValueError(f"WORKSHOP_{s.name}={raw!r} is not a valid {s.type.__name__}") from None
    return config


def secret_key(instance_path: str | Path) -> str:
    """Return the app's secret key, made once and kept in the instance folder."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key
