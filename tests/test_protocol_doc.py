"""docs/protocol.md names every error code the server can reply, every setting a limit uses."""
from __future__ import annotations

import re
from pathlib import Path

from workshop import settings

ROOT = Path(__file__).resolve().parent.parent
PROTOCOL = (ROOT / "docs" / "protocol.md").read_text(encoding="utf-8")
RAISERS = re.compile(r"""\b(?:AnswerError|ControlError|QAError|error|refuse)\(\s*["']([a-z_]+)["']""")
SOURCES = ["server/events.py", "server/rooms.py", "server/moderation.py", "workshop/session.py",
           "server/qa.py", "server/qa_events.py", "workshop/qa.py", "server/timers.py", "server/quiz.py", *sorted(
    str(p.relative_to(ROOT)) for p in (ROOT / "workshop" / "polltypes").glob("*.py"))]


def codes_in(path: str) -> set[str]:
    return set(RAISERS.findall((ROOT / path).read_text(encoding="utf-8")))


def test_every_error_code_the_server_replies_is_in_the_protocol():
    codes = set().union(*(codes_in(path) for path in SOURCES))
    assert {"bad_auth", "unknown_participant", "no_change", "forbidden"} <= codes  # the scan works
    missing = sorted(code for code in codes if f"`{code}`" not in PROTOCOL)
    assert missing == [], f"docs/protocol.md does not mention {missing}"


def test_every_limit_setting_is_in_the_protocol():
    names = {"ANSWER_RATE", "ANSWER_BURST", "JOIN_GUESSES", "MAX_MESSAGE_BYTES", "PING_INTERVAL"}
    assert names <= {s.name for s in settings.SETTINGS}
    assert sorted(n for n in names if f"`{n}`" not in PROTOCOL) == []
