"""The official socket.io-client (npm) against a real `workshop serve`: the worked client of
docs/protocol.md, run exactly as the document shows it, and what such a client sees when its
message is too big or its Origin is foreign."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support import ROOT, RealServer, write_all_types_deck

pytestmark = pytest.mark.slow  # real servers, node processes, and an npm install on first run

JS = ROOT / "tests" / "js"  # package.json and package-lock.json pin socket.io-client
PROTOCOL = ROOT / "docs" / "protocol.md"
EXAMPLE = re.compile(r"<!-- client\.mjs: begin -->\n```js\n(?P<code>.*?)```\n<!-- client\.mjs: end -->", re.S)


def missing_node_reason() -> str | None:
    """Return why node and npm cannot be used, or None when they can."""
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    return f"{' and '.join(missing)} not found: install Node.js 18 or newer" if missing else None


def require_node() -> None:
    """Skip the calling test when node or npm is missing; fail it instead under CI=true."""
    reason = missing_node_reason()
    if reason is None:
        return
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def node_modules():
    """Install the pinned socket.io-client into tests/js/node_modules once (kept, git-ignored)."""
    require_node()
    if not (JS / "node_modules" / "socket.io-client" / "package.json").is_file():
        done = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=JS, capture_output=True,
                              text=True, timeout=300, stdin=subprocess.DEVNULL)
        assert done.returncode == 0, f"npm ci failed:\n{done.stdout}\n{done.stderr}"
    return JS / "node_modules"


def node(script: Path, *args: str, timeout: float = 60) -> dict:
    """Run a node script in tests/js and return the JSON object on its last line of output."""
    done = subprocess.run(["node", str(script), *args], cwd=JS, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, f"node {script.name} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def example_client() -> Path:
    """Write the document's client.mjs block where node finds socket.io-client; return its path."""
    found = EXAMPLE.search(PROTOCOL.read_text(encoding="utf-8"))
    assert found, "docs/protocol.md has no client.mjs block between its markers"
    path = JS / "client.mjs"  # git-ignored: the document is the one copy
    path.write_text(found["code"], encoding="utf-8")
    return path


@pytest.fixture
def server(tmp_path):
    workdir = tmp_path / "server"
    s = RealServer(workdir, deck=write_all_types_deck(tmp_path))
    s.start()
    yield s
    if s.running:
        s.kill()
    assert s.errors() == [], "the server logged a traceback through server/"


@pytest.fixture
def named_server(tmp_path):
    """A named session: the documented client gives a name, and sets it again with `nickname`."""
    workdir = tmp_path / "server"
    s = RealServer(workdir, deck=write_all_types_deck(tmp_path), names="named")
    s.start()
    yield s
    if s.running:
        s.kill()
    assert s.errors() == [], "the server logged a traceback through server/"


POLLS = ("scale", "pick", "quiz", "once", "rank", "words")  # every type; the first is changed


def test_the_documented_javascript_client_joins_answers_every_type_retries_and_is_refused(
        node_modules, named_server):
    server = named_server
    with server.facilitator() as console:
        for poll in POLLS:  # open every poll first, so the client may answer them in any order
            assert console.call("control", {"action": "open", "poll": poll})["ok"]
        answers = {"scale": 7, "pick": [2, 0], "quiz": 0, "once": [1], "rank": [2, 0, 1],
                   "words": "Trust comes first"}
        report = node(example_client(), server.base, server.code, json.dumps(answers), "8")

        stored = {"scale": 7, "pick": [0, 2], "quiz": [0], "once": [1], "rank": [2, 0, 1],
                  "words": "Trust comes first"}
        assert report["answers"] == {poll: {"ok": True, "poll": poll, "value": value, "duplicate": False}
                                     for poll, value in stored.items()}
        assert report["changed"] == {"ok": True, "poll": "scale", "value": 8, "duplicate": False}
        assert report["answers_after_reconnect"] == dict(stored, scale=8)  # the welcome catches up
        # the replayed first answer (uid of the 7) is a duplicate and does not go back to 7
        assert report["retry"] == {"ok": True, "poll": "scale", "value": 8, "duplicate": True}
        assert report["nickname"] == {"ok": True, "nickname": "Node client"}
        assert report["bad_answer"]["error"] == "unknown_poll"
        assert report["control"]["ok"] is False and report["control"]["error"] == "forbidden"
        assert report["open_answers"]["error"] == "forbidden"
        assert report["unknown_event"] == {"timeout": "operation has timed out"}  # never acked

        tallies = console.call("sync", {})["tallies"]
    assert tallies["scale"]["answered"] == 1 and tallies["scale"]["mean"] == 8
    assert tallies["pick"]["counts"] == [1, 0, 1, 0]
    assert tallies["quiz"]["counts"] == [1, 0, 0] and tallies["once"]["counts"] == [0, 1]
    assert tallies["rank"]["average_rank"] == [2.0, 3.0, 1.0]
    assert [a["text"] for a in tallies["words"]["latest"]] == ["Trust comes first"]
    assert report["participant"]["id"] == tallies["words"]["latest"][0]["participant"]


def test_a_message_over_the_size_limit_closes_the_official_clients_connection_without_an_ack(
        node_modules, server):
    with server.facilitator() as console:
        assert console.call("control", {"action": "open", "poll": "words"})["ok"]
        seen = node(JS / "transport.mjs", "oversize", server.base, server.code)
        assert seen["disconnect"] == "transport close"  # the websocket closed by the server
        assert seen["ack"] == "socket has been disconnected"  # the callback's error; no reply came
        assert seen["reconnected"] is True and seen["small"]["ok"] is True  # a new connection works
        assert console.call("sync", {})["tallies"]["words"]["answered"] == 1  # only the small one


def test_a_foreign_origin_gets_connect_error_at_once_over_polling_and_websocket(node_modules, server):
    polling = node(JS / "transport.mjs", "origin-polling", server.base, server.code)
    assert polling["connect_error"] == "xhr poll error" and polling["status"] == 400
    # `serve` refuses a foreign websocket before gevent-websocket answers the upgrade
    # (server.app.refuse_foreign_upgrade), so the client is told at once, not at its time-out
    websocket = node(JS / "transport.mjs", "origin-websocket", server.base, server.code)
    assert websocket["connect_error"] == "websocket error" and websocket["connected"] is False
    own = node(JS / "transport.mjs", "origin-own", server.base, server.code)
    assert own == {"connected": True}  # the server's own origin still connects over websocket
    assert server.errors() == []
