"""`workshop preview DECK` over HTTP: the version follows the file, problems come with their
lines, the last good deck stays drawn, polls carry simulated results, only 127.0.0.1 listens."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from server.preview import SAMPLE_PEOPLE, create_preview_app

DECK = """---
title: Preview test
---

# Preview test
## A subtitle

Notes:
Say hello.

---

# First points

- One
- Two

---

```poll
id: mood
type: choice
question: How are you?
options: [Fine, Tired, Great]
```
"""


def page(client) -> tuple[str, dict]:
    """Return the preview page's HTML and the data it gives its script."""
    html = client.get("/").get_data(as_text=True)
    data = re.search(r'<script type="application/json" id="wk-data">(.*?)</script>', html, re.S)
    return html, json.loads(data.group(1))


def write(path: Path, text: str) -> None:
    """Save the deck as an editor would, with a new mtime even within the same second."""
    path.write_text(text, encoding="utf-8")
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


@pytest.fixture
def deck_file(tmp_path):
    path = tmp_path / "talk.md"
    write(path, DECK)
    return path


@pytest.fixture
def client(deck_file):
    return create_preview_app(str(deck_file)).test_client()


def test_version_changes_when_the_deck_is_saved(client, deck_file):
    first = client.get("/version").get_json()
    assert first["ok"] and first["problems"] == [] and first["version"] == first["good_version"]
    assert client.get("/version").get_json()["version"] == first["version"]
    write(deck_file, DECK.replace("- Two", "- Two and a half"))
    second = client.get("/version").get_json()
    assert second["version"] != first["version"] and second["ok"]
    html, data = page(client)
    assert "Two and a half" in html and data["version"] == second["version"]


def test_a_save_without_a_change_keeps_the_drawn_version(client, deck_file):
    first = client.get("/version").get_json()
    write(deck_file, DECK)  # touched: a new mtime, the same content
    again = client.get("/version").get_json()
    assert again["good_version"] == first["good_version"]


def test_slides_are_the_projectors_with_notes(client):
    html, data = page(client)
    assert "<title>Preview: Preview test</title>" in html
    assert [s["kind"] for s in data["slides"]] == ["title", "bullets", "poll"]
    assert data["slides"][0]["notes"] == "Say hello."
    assert len({s["drawn"] for s in data["slides"]}) == 3
    assert html.count('<section class="slide ') == 3
    assert 'data-poll-id="mood"' in html and "<li>One</li>" in html
    assert 'src="/s/preview/qr.svg"' in html
    assert client.get("/s/preview/qr.svg").mimetype == "image/svg+xml"


def test_polls_come_with_a_sample_of_simulated_results(client):
    _, data = page(client)
    results = data["results"]["mood"]
    assert results["poll"] == "mood" and results["type"] == "choice"
    assert 0 < results["answered"] <= SAMPLE_PEOPLE == data["people"]
    assert sum(results["counts"]) == results["answered"]
    assert data["polls"]["mood"]["options"] == ["Fine", "Tired", "Great"]


def test_problems_are_listed_with_lines_and_the_last_good_deck_stays(client, deck_file):
    good = client.get("/version").get_json()
    write(deck_file, DECK.replace("type: choice", "type: choise"))
    broken = client.get("/version").get_json()
    assert not broken["ok"]
    assert broken["version"] != good["version"] and broken["good_version"] == good["version"]
    (problem,) = broken["problems"]
    line = DECK.splitlines().index("type: choice") + 1
    assert re.match(rf"^{re.escape(str(deck_file))}:{line}: .*did you mean 'choice'", problem), problem
    html, data = page(client)
    assert data["version"] == good["version"] and "How are you?" in html
    assert 'data-state="problems"' in html and f"<code>{deck_file}:{line}: " in html
    write(deck_file, DECK.replace("How are you?", "How is it going?"))
    fixed = client.get("/version").get_json()
    assert fixed["ok"] and fixed["good_version"] == fixed["version"] != good["version"]
    html, _ = page(client)
    assert "How is it going?" in html and 'id="pv-problems" data-testid="preview-problems" role="alert" hidden' in html


def test_a_deck_broken_from_the_start_shows_its_problems_and_no_slides(tmp_path):
    path = tmp_path / "bad.md"
    write(path, "---\ntitle: x\n---\n\n# Only a title\n\n- a\n- a\n")
    client = create_preview_app(str(path)).test_client()
    version = client.get("/version").get_json()
    assert not version["ok"] and version["good_version"] == ""
    assert all(p.startswith(f"{path}:") for p in version["problems"])
    html, data = page(client)
    assert data["version"] == "" and data["slides"] == [] and '<section class="slide' not in html
    assert "fix them and save" in html and f"<code>{path}:" in html


def test_a_deleted_deck_is_a_problem_not_a_crash(client, deck_file):
    client.get("/version")
    deck_file.unlink()
    version = client.get("/version").get_json()
    assert not version["ok"] and "no such file" in version["problems"][0]
    assert "First points" in page(client)[0]


def test_the_page_speaks_the_readers_language_the_slides_the_decks(client):
    reply = client.get("/", headers={"Accept-Language": "zh-CN"})
    assert "演讲者备注" in reply.get_data(as_text=True)
    assert 'aria-label="Slide 1 of 3"' in reply.get_data(as_text=True)  # the slides: the deck's
    assert "script-src 'self'" in reply.headers["Content-Security-Policy"]
    assert client.get("/static/js/preview.js").status_code == 200


def test_preview_listens_on_localhost_only_and_says_where(deck_file):
    workshop = Path(sys.executable).with_name("workshop")
    proc = subprocess.Popen([str(workshop), "preview", str(deck_file), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert match, line
        import urllib.request
        with urllib.request.urlopen(f"{match.group(0)}version", timeout=10) as reply:
            assert reply.status == 200
        listening = subprocess.run(["ss", "-ltnH", f"sport = :{match.group(1)}"],
                                   capture_output=True, text=True).stdout
        if listening.strip():  # ss is there: the only socket is on 127.0.0.1
            assert all("127.0.0.1:" in row for row in listening.strip().splitlines()), listening
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_preview_of_a_missing_file_is_one_line(tmp_path):
    from click.testing import CliRunner

    from server.cli import cli
    started = time.monotonic()
    result = CliRunner().invoke(cli, ["preview", str(tmp_path / "nope.md"), "--port", "0"])
    assert result.exit_code == 1 and "no such file" in result.output
    assert time.monotonic() - started < 10


def test_pictures_beside_the_deck_are_served_and_nothing_else(tmp_path):
    from tests.support.pptx_files import png
    (tmp_path / "pics").mkdir()
    (tmp_path / "pics" / "a.png").write_bytes(png())
    (tmp_path / "secret.png").write_bytes(png())
    path = tmp_path / "talk.md"
    write(path, DECK.replace("- Two\n", "- Two\n\n![A red square](pics/a.png)\n"))
    client = create_preview_app(str(path)).test_client()
    html, _ = page(client)
    assert 'src="/media/pics/a.png"' in html and 'alt="A red square"' in html
    reply = client.get("/media/pics/a.png")
    assert reply.status_code == 200 and reply.mimetype == "image/png" and reply.data == png()
    for other in ("/media/secret.png", "/media/../secret.png", "/media/%2e%2e/secret.png",
                  "/media/talk.md"):
        assert client.get(other).status_code == 404, other


def test_the_page_has_no_inline_script_or_style(client):
    html, _ = page(client)
    assert not re.search(r"<[^>]*\s(style|on\w+)=", html)
    for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
        assert 'type="application/json"' in attrs or ("src=" in attrs and not body.strip())


def test_notes_set_their_inline_markdown_escaped_as_the_console_does(tmp_path):
    path = tmp_path / "talk.md"
    write(path, DECK.replace("Say hello.", "Say **hello** <script>alert(1)</script>"))
    html, _ = page(create_preview_app(str(path)).test_client())
    library = re.search(r'<template id="pv-notes-library">(.*?)</template>', html, re.S).group(1)
    assert "<strong>hello</strong>" in library and "<script>" not in library
    assert "&lt;script&gt;" in library
    assert library.count("<div>") == 3


def test_a_picture_saved_beside_the_deck_changes_the_version(tmp_path):
    from tests.support.pptx_files import png
    (tmp_path / "pics").mkdir()
    path = tmp_path / "talk.md"
    write(path, DECK.replace("- Two\n", "- Two\n\n![A square](pics/a.png)\n"))
    client = create_preview_app(str(path)).test_client()
    missing = client.get("/version").get_json()
    assert not missing["ok"] and "pics/a.png" in missing["problems"][0]
    (tmp_path / "pics" / "a.png").write_bytes(png())  # the deck file itself is not saved again
    found = client.get("/version").get_json()
    assert found["ok"] and found["good_version"] == found["version"] != missing["version"]
    (tmp_path / "pics" / "a.png").write_bytes(png(color=(0, 0, 255)))
    st = (tmp_path / "pics" / "a.png").stat()  # an editor's save: a later mtime
    os.utime(tmp_path / "pics" / "a.png", ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    redrawn = client.get("/version").get_json()
    assert redrawn["ok"] and redrawn["good_version"] != found["good_version"]
