"""The pages and their static files, without a browser: every asset local, no inline script
or handler, every control labelled, deck text escaped, the DOM hooks the e2e tests use."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from scripts import vendor
from workshop.deck_file import parse_deck

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "server" / "static"
OWN_CODE = [p for p in STATIC.rglob("*") if p.suffix in (".js", ".css", ".svg") and "vendor" not in p.parts]
URL = re.compile(r"(?:https?:)?//[\w.-]+\.\w+", re.I)
ALLOWED_URLS = {"http://www.w3.org", "//www.w3.org"}  # SVG's XML namespace, never fetched


class Page(HTMLParser):
    """Collect what the tests look at: tags with attributes, scripts, labels, text."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[tuple[dict, str]] = []
        self._script: dict | None = None
        self._chunks: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = {k: (v if v is not None else "") for k, v in attrs}
        self.tags.append((tag, attrs))
        if tag == "script":
            self._script, self._chunks = attrs, []

    def handle_data(self, data):
        if self._script is not None:
            self._chunks.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._chunks)))
            self._script = None

    def find(self, tag=None, **attrs):
        return [a for t, a in self.tags if (tag is None or t == tag)
                and all(a.get(k.replace("_", "-")) == v for k, v in attrs.items())]

    def testids(self) -> set[str]:
        return {a["data-testid"] for _, a in self.tags if "data-testid" in a}


def facilitator_get(client, room, view: str, lang: str | None = None):
    client.get(f"/s/{room.id}/{view}?key={room.row.facilitator_key}")
    query = f"?lang={lang}" if lang else ""
    return client.get(f"/s/{room.id}/{view}{query}")


@pytest.fixture
def pages(app, client, room):
    """Return every page, rendered by the real routes, as {name: response}."""
    code = room.row.join_code
    zh_client = app.test_client()
    zh_client.set_cookie("lang", "zh")  # what the phone's language switch sets
    return {
        "index": client.get("/"),
        "index_zh": client.get("/?lang=zh"),
        "join_error": client.get("/join?code=NOPE00"),
        "phone": client.get(f"/j/{code}"),
        "phone_zh": zh_client.get(f"/j/{code}"),
        "projector": facilitator_get(client, room, "projector"),
        "console": facilitator_get(client, room, "console"),
        "console_zh": facilitator_get(client, room, "console", "zh"),
        "not_found": client.get("/no/such/page"),
        "check": client.get("/check"),
        "check_zh": client.get("/check?lang=zh"),
        "room_setup": client.get("/help/room-setup"),
    }


def test_every_page_renders_with_its_language(pages):
    for name, response in pages.items():
        assert response.status_code == (404 if name in ("join_error", "not_found") else 200), name
        html = response.get_data(as_text=True)
        lang = "zh" if name.endswith("_zh") else "en"
        assert f'<html lang="{lang}"' in html, name
        assert 'name="viewport"' in html


def test_no_page_loads_anything_from_another_origin(pages):
    for name, response in pages.items():
        page = Page(response.get_data(as_text=True))
        for tag, attrs in page.tags:
            for attr in ("src", "href", "action", "poster", "srcset", "data"):
                value = attrs.get(attr, "")
                assert not URL.match(value), f"{name}: <{tag} {attr}={value!r}>"


def test_own_scripts_and_styles_name_no_external_url():
    for path in OWN_CODE:
        found = {m.group(0) for m in URL.finditer(path.read_text(encoding="utf-8"))}
        assert found <= ALLOWED_URLS, f"{path.relative_to(ROOT)}: {found - ALLOWED_URLS}"


def test_stylesheets_import_only_relative_files():
    for path in STATIC.rglob("*.css"):
        css = path.read_text(encoding="utf-8")
        refs = re.findall(r"url\(\s*['\"]?([^'\")\s]+)", css) + re.findall(r"@import\s+['\"]([^'\"]+)", css)
        for ref in refs:
            assert not URL.match(ref) and not ref.startswith("/"), f"{path.name}: {ref}"
            assert (path.parent / ref).resolve().is_file(), f"{path.name}: {ref} is missing"


def test_every_static_file_a_page_names_is_served(client, pages):
    for name, response in pages.items():
        page = Page(response.get_data(as_text=True))
        refs = [a.get("src") or a.get("href") for _, a in page.tags if a.get("src") or a.get("href")]
        for ref in refs:
            if ref.startswith("/static/"):
                assert client.get(ref).status_code == 200, f"{name}: {ref}"


def test_no_inline_script_or_event_handler(pages):
    for name, response in pages.items():
        page = Page(response.get_data(as_text=True))
        for attrs, body in page.scripts:
            if attrs.get("type") == "application/json":
                json.loads(body)  # data for the scripts, never code
            else:
                assert attrs.get("src") and not body.strip(), f"{name}: inline script"
        for tag, attrs in page.tags:
            handlers = [a for a in attrs if a.startswith("on")]
            assert not handlers, f"{name}: <{tag} {handlers}>"
            assert not attrs.get("href", "").lower().startswith("javascript:")
            assert "style" not in attrs, f"{name}: inline style on <{tag}>"


def test_scripts_never_write_html():
    for path in (STATIC / "js").glob("*.js"):
        text = path.read_text(encoding="utf-8")
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                     "new Function"):
            assert sink not in text, f"{path.name} uses {sink}"


def test_every_form_control_has_a_label(pages):
    for name, response in pages.items():
        page = Page(response.get_data(as_text=True))
        labelled = {a.get("for") for a in page.find("label")}
        for tag, attrs in page.tags:
            if tag in ("input", "textarea", "select") and attrs.get("type") != "hidden":
                ok = attrs.get("id") in labelled or attrs.get("aria-label") or attrs.get("aria-labelledby")
                assert ok, f"{name}: <{tag} id={attrs.get('id')}> has no label"
            if tag == "img":
                assert "alt" in attrs, f"{name}: <img src={attrs.get('src')}> has no alt"


DOM_HOOKS = {
    "index": {"join-form", "join-code", "join-submit"},
    "phone": {"connection", "waiting", "waiting-slide", "poll", "poll-question", "submit",
              "answer-status", "phone-results", "takeaway", "lang-en", "lang-zh",
              "nickname-edit", "nickname-input", "nickname-save", "phone-voting-state"},
    "projector": {"projector", "connection", "qr-overlay", "join-code", "voting-state",
                  "reveal-state", "answered-count", "participants", "scenario-tips"},
    "console": {"connection", "con-prev", "con-next", "con-voting", "con-results", "con-reset",
                "con-qr", "con-takeaways", "reset-dialog", "reset-confirm", "reset-cancel",
                "slide-list", "goto-0", "notes", "timer-elapsed", "timer-pace",
                "participants-connected", "participants-joined", "console-poll",
                "console-results", "open-answers", "download-summary", "download-handouts",
                "download-export_csv", "download-export_json", "preview-current", "preview-next"},
}


def test_pages_carry_the_dom_hooks_of_the_browser_tests(pages):
    for name, hooks in DOM_HOOKS.items():
        found = Page(pages[name].get_data(as_text=True)).testids()
        assert hooks <= found, f"{name} lacks {sorted(hooks - found)}"


def test_projector_draws_every_slide_and_shows_the_join_code(pages, room):
    html = pages["projector"].get_data(as_text=True)
    page = Page(html)
    slides = [a for t, a in page.tags if t == "section" and "slide" in a.get("class", "").split()]
    assert len(slides) == len(room.deck.slides)
    assert room.row.join_code in html
    assert "<svg" in html  # the big QR overlay, drawn by the server
    polls = json.loads(next(b for a, b in page.scripts if a.get("id") == "wk-polls"))
    assert set(polls) == set(room.deck.polls)
    assert all("correct" not in p for p in polls.values())


def test_deck_and_participant_text_is_escaped(app, client):
    hostile = parse_deck("""
title: "<script>alert(1)</script>"
slides:
  - kind: title
    title: "<img src=x onerror=alert(1)>"
  - kind: quote
    quote: "</script><script>alert(2)</script>"
    attribution: "a & b"
    notes: "<b onclick=x>notes</b>"
  - kind: poll
    poll:
      id: q
      type: choice
      question: "<svg onload=alert(3)>"
      options: ["</script>", "<a href=javascript:x>"]
""", "hostile.yaml")
    room = app.extensions["workshop"].rooms.create(hostile, "hostile.yaml")
    for view in ("projector", "console"):
        html = facilitator_get(client, room, view).get_data(as_text=True)
        page = Page(html)
        assert not page.find("img", src="x")
        assert not [a for t, a in page.tags if any(k.startswith("on") for k in a)]
        assert all(a.get("src") for a, body in page.scripts if a.get("type") != "application/json")
        assert "&lt;img src=x onerror=alert(1)&gt;" in html
    phone = client.get(f"/j/{room.row.join_code}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in phone


def test_vendored_files_match_their_checksums():
    assert vendor.check() == []


def test_vendor_manifest_pins_exact_versions():
    packages = vendor.load_manifest()
    names = {p["name"]: p for p in packages}
    assert re.fullmatch(r"4\.8\.\d+", names["socket.io-client"]["version"])
    for pkg in packages:
        assert re.fullmatch(r"\d+\.\d+\.\d+", pkg["version"]), pkg["name"]
        assert pkg["integrity"].startswith("sha512-")
        assert pkg["license"]


def test_no_large_font_is_shipped():
    for path in STATIC.rglob("*"):
        if path.is_file():
            assert path.stat().st_size < 300_000, f"{path.relative_to(ROOT)} is too big to ship"
    assert not list(STATIC.rglob("*.otf")) and not list(STATIC.rglob("*.ttc"))
