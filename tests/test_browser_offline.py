"""The room has no internet: every page loads everything from the laptop's own server.

Each page is loaded in a fresh browser context that records every request and aborts (and
counts) any request that leaves the server's origin; same-origin assets must all load, and
the pages' Content-Security-Policy must never have to block anything. The vendored
front-end files must match the pins of scripts/vendor.json.
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest

from scripts import vendor
from tests.support import DECK, ROOT, new_token
from tests.support.browser import browser  # noqa: F401 - the module's chromium, a fixture
from tests.support.browser import (
    PageErrors, facilitator_context, phone_context, start_server, wait_connected)
from workshop.deck_file import load_deck

VENDOR = ROOT / "server" / "static" / "vendor"

CSP_PROBE = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation',
    (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


@dataclass
class Traffic:
    """Everything one page asked for."""

    origin: str
    requests: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    responses: list[tuple[str, int]] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    sockets: list[str] = field(default_factory=list)

    def local(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about"):
            return True
        return f"{parts.scheme.replace('ws', 'http', 1)}://{parts.netloc}" == self.origin

    def route(self, route) -> None:
        if self.local(route.request.url):
            route.continue_()
        else:
            self.foreign.append(route.request.url)
            route.abort("internetdisconnected")


@pytest.fixture(scope="module")
def server(browser, tmp_path_factory):
    s = start_server(tmp_path_factory.mktemp("browser-offline"))
    deck = load_deck(DECK)
    fac = s.facilitator()
    # an open question with answers, revealed: the pages draw word clouds, bars and badges
    fac.call("control", {"action": "goto", "slide": deck.poll_slide_index("homework-followers-why")})
    for text in ("Trust and listening", "Followers choose their leader", "信任和倾听"):
        peer = s.phone(new_token())
        peer.call("answer", {"poll": "homework-followers-why", "value": text, "uid": new_token()})
        peer.close()
    fac.close()
    yield s
    s.kill()
    assert s.errors() == []


def load(browser, server, path: str, context_factory=facilitator_context, live: bool = False,
         **context_options) -> tuple[Traffic, int, list[str]]:
    """Load one page offline-style; return its traffic, the document's status and CSP reports."""
    traffic = Traffic(origin=server.base)
    ctx = context_factory(browser, **context_options)
    errors = PageErrors()
    try:
        ctx.route("**/*", traffic.route)
        ctx.add_init_script(CSP_PROBE)
        page = errors.watch(ctx.new_page(), path)
        page.on("request", lambda r: traffic.requests.append(r.url))
        page.on("response", lambda r: traffic.responses.append((r.url, r.status)))
        page.on("requestfailed", lambda r: traffic.failed.append(f"{r.url} {r.failure}"))
        page.on("websocket", lambda ws: traffic.sockets.append(ws.url))
        response = page.goto(server.url(path))
        if live:
            wait_connected(page)
        page.evaluate("() => document.fonts.ready.then(() => true)")
        page.wait_for_load_state("networkidle")
        csp = page.evaluate("() => window.__cspViolations")
        assert errors.errors == []
        return traffic, response.status, csp
    finally:
        ctx.close()


PAGES = {
    "index": ("/", 200, False),
    "unknown code": ("/join?code=ZZZZZZ", 404, False),
    "error page": ("/no/such/page", 404, False),
    "projector without key": ("/s/{sid}/projector", 401, False),
    "phone": ("/j/{code}", 200, True),
    "projector": ("/s/{sid}/projector?key={key}", 200, True),
    "console": ("/s/{sid}/console?key={key}", 200, True),
}


@pytest.mark.browser
@pytest.mark.parametrize("name", list(PAGES))
def test_page_loads_nothing_from_outside_the_server(browser, server, name):
    template, status, live = PAGES[name]
    path = template.format(sid=server.sid, code=server.code, key=server.key)
    factory = phone_context if name in ("phone", "index", "unknown code") else facilitator_context
    traffic, got_status, csp = load(browser, server, path, factory, live)
    assert got_status == status
    assert traffic.foreign == [], f"{name} asked for {len(traffic.foreign)} outside URLs"
    assert all(traffic.local(url) for url in traffic.requests + traffic.sockets)
    assert traffic.failed == []
    document = server.url(path.split("?")[0])
    broken = [(url, code) for url, code in traffic.responses
              if code >= 400 and not (url.split("?")[0] == document and code == status)]
    assert broken == [], f"same-origin requests failed: {broken}"
    assert csp == [], f"the Content-Security-Policy had to block: {csp}"
    assert any("/static/css/base.css" in url for url in traffic.requests)
    if live:
        assert any("/static/vendor/socket.io/socket.io.min.js" in url for url in traffic.requests)
        assert any("/static/vendor/notosans/" in url and url.endswith(".woff2") for url in traffic.requests)
        assert traffic.sockets and all(s.startswith(f"ws://127.0.0.1:{server.port}/socket.io/")
                                       for s in traffic.sockets)


# ----- the vendored files ------------------------------------------------------------------

def test_vendor_check_passes_from_the_command_line():
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "vendor.py"), "--check"],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""


def test_vendor_check_notices_a_changed_file(tmp_path):
    copy = tmp_path / "vendor"
    shutil.copytree(VENDOR, copy)
    script = copy / "socket.io" / "socket.io.min.js"
    script.write_bytes(script.read_bytes() + b"\n// tampered\n")
    (copy / "notosans" / "LICENSE").unlink()
    assert sorted(vendor.check(copy)) == ["notosans/LICENSE: missing",
                                          "socket.io/socket.io.min.js: changed since it was vendored"]


def test_vendored_files_are_exactly_the_pinned_ones():
    pinned = set()
    for pkg in vendor.load_manifest():
        pinned |= {f["to"] for f in pkg["files"]} | ({pkg["css"]["to"]} if "css" in pkg else set())
    sums = {}
    for line in (VENDOR / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, rel = line.split("  ", 1)
        sums[rel] = digest
    assert set(sums) == pinned
    on_disk = {p.relative_to(VENDOR).as_posix() for p in VENDOR.rglob("*") if p.is_file()}
    assert on_disk == pinned | {"SHA256SUMS", "README.md"}
    for rel, digest in sums.items():
        assert hashlib.sha256((VENDOR / rel).read_bytes()).hexdigest() == digest, rel


def test_vendored_versions_are_the_pinned_versions():
    pins = {p["name"]: p["version"] for p in vendor.load_manifest()}
    banner = (VENDOR / "socket.io" / "socket.io.min.js").read_text(encoding="utf-8")[:200]
    assert re.search(r"Socket\.IO v(\d+\.\d+\.\d+)", banner)[1] == pins["socket.io-client"]
    notice = (VENDOR / "README.md").read_text(encoding="utf-8")
    for name, version in pins.items():
        assert f"| {name} | {version} |" in notice
    manifest = json.loads((ROOT / "scripts" / "vendor.json").read_text(encoding="utf-8"))
    assert all("://" not in f["from"] for p in manifest["packages"] for f in p["files"])
