"""YAML <-> Markdown without loss: both leadership decks, tricky text, and the `convert` and
`new` commands as a facilitator types them."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workshop import polltypes, yaml_lines
from workshop.deck import SLIDE_KINDS
from workshop.deck_file import load_deck, parse_deck, parse_markdown_deck
from workshop.deck_markdown import markdown_tree
from workshop.deck_write import _same, convert, to_markdown, to_yaml

ROOT = Path(__file__).resolve().parent.parent
WORKSHOP = Path(sys.executable).with_name("workshop")
DECKS = ROOT / "decks"
PAIRS = [("leaders-role.yaml", "leaders-role.md"), ("leaders-role.zh.yaml", "leaders-role.zh.md")]


def workshop(*args, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([str(WORKSHOP), *map(str, args)], cwd=cwd, capture_output=True,
                          encoding="utf-8", timeout=60)


@pytest.mark.parametrize("yaml_name, md_name", PAIRS)
def test_shipped_markdown_decks_equal_the_yaml_decks(yaml_name, md_name):
    yaml_deck, md_deck = load_deck(DECKS / yaml_name), load_deck(DECKS / md_name)
    assert md_deck == yaml_deck
    assert [s.line for s in md_deck.slides] != [s.line for s in yaml_deck.slides]  # own lines


@pytest.mark.slow
@pytest.mark.parametrize("yaml_name, md_name", PAIRS)
def test_check_json_gives_the_same_facts_for_both_formats(yaml_name, md_name):
    facts = [workshop("check", "--json", Path("decks") / name) for name in (yaml_name, md_name)]
    assert [f.returncode for f in facts] == [0, 0]
    assert json.loads(facts[0].stdout) == json.loads(facts[1].stdout)


@pytest.mark.parametrize("yaml_name, md_name", PAIRS)
def test_round_trip_both_ways(yaml_name, md_name):
    yaml_deck = load_deck(DECKS / yaml_name)
    yaml_tree = yaml_lines.load((DECKS / yaml_name).read_text(encoding="utf-8"))
    md = to_markdown(yaml_tree)
    assert parse_markdown_deck(md, "x.md", str(DECKS)) == yaml_deck
    back = to_yaml(markdown_tree(md))
    assert parse_deck(back, "x.yaml", str(DECKS)) == yaml_deck
    assert to_markdown(markdown_tree(md)) == md  # writing again changes nothing
    # from the Deck itself (what an importer may hand over) too
    assert parse_markdown_deck(to_markdown(yaml_deck), "x.md", str(DECKS)) == yaml_deck
    assert parse_deck(to_yaml(yaml_deck), "x.yaml", str(DECKS)) == yaml_deck


@pytest.mark.parametrize("yaml_name, md_name", PAIRS)
def test_markdown_is_tidy(yaml_name, md_name):
    """The shipped deck is what convert writes, and reads like hand-written Markdown."""
    md = convert(DECKS / yaml_name, ".md")
    assert (DECKS / md_name).read_text(encoding="utf-8") == md  # regenerate with convert
    credits = (DECKS / yaml_name).read_text(encoding="utf-8").split("\ntitle:")[0]
    assert md.startswith("---\n" + credits + "\ntitle:")  # the file's opening comments kept
    assert convert(DECKS / md_name, ".yaml").startswith(credits + "\ntitle:")
    # one-line headers (minutes), except the scenarios' timed activities; no YAML fallbacks
    headers = [h.split("-->")[0] for h in md.split("<!--\n")[1:]]
    assert len(headers) == 3 and all(h.startswith("minutes: 5\nactivity:\n") for h in headers)
    assert "\\" not in md  # nothing needed escaping
    assert md.count("```poll") == len(load_deck(DECKS / yaml_name).polls)


TRICKY = [
    "# looks like a heading", "- looks like a bullet", "> looks like a quote", "1. a list",
    "---", "===", "```", "~~~ fence", "<!-- comment -->", "<div>html</div>", "Notes: x",
    "— Someone", "-- Someone", "![alt](x.png)", "[ref]: https://x", "    indented",
    "\\# backslash", "a\n# b", "a\n\n\nb", "trailing  \nspaces", "**bold** and `code`",
    "x --> y", "a: b # c", "'quoted'", "\"double\"", "中文：冒号", "tab\tin", "* star",
]


def _tricky_tree(text: str) -> dict:
    return {"title": text, "subtitle": text, "language": "en", "slides": [
        {"kind": "title", "title": text, "subtitle": text, "notes": text},
        {"kind": "bullets", "title": text, "bullets": [text, [text + " 1", text + " 2"], "b"]},
        {"kind": "quote", "quote": text, "attribution": text, "title": text},
        {"kind": "text", "title": text, "text": text, "minutes": 1.5},
        {"kind": "scenario", "title": text, "story": text, "tips_title": text,
         "tips": [text, "t2"], "poll": {"id": "p", "type": "choice", "question": text,
                                        "options": [text, "other"], "correct": text}},
        {"kind": "section", "title": text, "notes": text},
    ]}


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_text_round_trips(text):
    tree = _tricky_tree(text)
    assert _same(markdown_tree(to_markdown(tree)), tree)
    assert _same(yaml_lines.load(to_yaml(tree)), tree)
    deck = parse_deck(to_yaml(tree), "x.yaml")
    assert parse_markdown_deck(to_markdown(tree), "x.md") == deck


_PIECES = st.sampled_from(["#", "# ", "- ", ">", "1. ", "---", "```", "<!--", "-->", "\\",
                           "*", "Notes:", "— ", "![a](b.svg)", "[x]: y", " ", "\n", "\n\n",
                           "word", "中文", "=", "`", "<b>", ":", ": ", "[", "'", '"', "#x"])
TEXTS = st.lists(_PIECES, min_size=1, max_size=8).map("".join).map(str.strip).filter(bool)


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=TEXTS, text=TEXTS, bullet=TEXTS, notes=TEXTS, quote=TEXTS)
def test_any_text_round_trips(title, text, bullet, notes, quote):
    tree = {"title": title, "slides": [
        {"kind": "text", "title": title, "text": text, "notes": notes},
        {"kind": "bullets", "title": title, "bullets": [bullet, [bullet + "."], text]},
        {"kind": "quote", "quote": quote, "attribution": bullet}]}
    assert _same(markdown_tree(to_markdown(tree)), tree)
    assert _same(yaml_lines.load(to_yaml(tree)), tree)


def test_a_key_of_a_later_kind_goes_in_the_header():
    tree = {"title": "T", "slides": [{"kind": "text", "title": "A", "text": "x",
                                      "colour": "red", "minutes": 2}]}
    md = to_markdown(tree)
    assert "<!--\nminutes: 2\ncolour: red\n-->\n# A" in md
    assert _same(markdown_tree(md), tree)


# ----- the commands: in-process (CliRunner), and once each as typed -----

@pytest.fixture
def run(monkeypatch):
    """Run `workshop ARGS` in-process from the repository root; return the click Result."""
    from click.testing import CliRunner

    from server.cli import cli
    monkeypatch.chdir(ROOT)
    return lambda *args: CliRunner().invoke(cli, [str(a) for a in args])


def test_convert_both_ways_and_refuse_to_overwrite(run, tmp_path):
    md, back = tmp_path / "talk.md", tmp_path / "talk.yaml"
    shutil.copytree(DECKS / "pictures", tmp_path / "pictures")  # the pictures the decks show
    result = run("convert", "decks/leaders-role.yaml", "-o", md)
    assert result.exit_code == 0, result.output
    assert load_deck(md) == load_deck(DECKS / "leaders-role.yaml")
    assert run("convert", md, "-o", back).exit_code == 0
    assert load_deck(back) == load_deck(DECKS / "leaders-role.yaml")
    before = md.read_text(encoding="utf-8")
    refused = run("convert", "decks/leaders-role.zh.yaml", "-o", md)
    assert refused.exit_code == 1 and refused.stdout == ""
    assert refused.stderr.strip() == f"Error: {md} exists; pass --force to overwrite it"
    assert md.read_text(encoding="utf-8") == before
    forced = run("convert", "decks/leaders-role.zh.yaml", "-o", md, "--force")
    assert forced.exit_code == 0
    assert load_deck(md) == load_deck(DECKS / "leaders-role.zh.yaml")


def test_convert_refuses_a_broken_deck_and_an_unknown_format(run, tmp_path):
    broken = tmp_path / "broken.md"
    broken.write_text("---\ntitle: T\n---\n\n<!-- kind: bulets -->\n# A\n", encoding="utf-8")
    result = run("convert", broken, "-o", tmp_path / "out.yaml")
    assert result.exit_code == 1
    assert result.stderr.strip() == (f"{broken}:5: slide 1: unknown kind 'bulets' (did you mean "
                                     f"'bullets'?); use one of {', '.join(SLIDE_KINDS)}")
    assert not (tmp_path / "out.yaml").exists()
    odd = run("convert", "decks/leaders-role.yaml", "-o", tmp_path / "out.txt")
    assert odd.exit_code == 1 and "name a .md (Markdown) or .yaml (YAML) file" in odd.stderr


def test_convert_says_where_the_pictures_are(run, tmp_path):
    (tmp_path / "src" / "pictures").mkdir(parents=True)
    (tmp_path / "src" / "pictures" / "a.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg' width='40' height='30' viewBox='0 0 40 30'><rect width='40' height='30'/></svg>")
    deck = tmp_path / "src" / "talk.yaml"
    deck.write_text("title: T\nslides:\n  - kind: image\n    images:\n      - src: pictures/a.svg\n"
                    "        alt: A picture\n        phone: true\n", encoding="utf-8")
    beside = run("convert", deck, "-o", tmp_path / "src" / "talk.md")
    assert beside.exit_code == 0 and "copy them" not in beside.stderr
    assert "![A picture](pictures/a.svg \"phone\")" in (tmp_path / "src" / "talk.md").read_text()
    assert load_deck(tmp_path / "src" / "talk.md") == load_deck(deck)
    elsewhere = run("convert", deck, "-o", tmp_path / "talk.md")
    assert elsewhere.exit_code == 0
    assert f"Its pictures are relative to {tmp_path / 'src'}: copy them beside" in elsewhere.stderr


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_new_writes_a_starter_that_passes_check(run, tmp_path, monkeypatch, lang):
    monkeypatch.chdir(tmp_path)
    result = run("new", "Team trust: a start", "--lang", lang)
    assert result.exit_code == 0, result.output
    deck_path = tmp_path / "team-trust-a-start.md"
    assert (tmp_path / "team-trust-a-start-picture.svg").read_text().startswith("<svg")
    check = run("check", "--json", deck_path.name)
    assert check.exit_code == 0, check.output
    facts = json.loads(check.stdout)
    assert facts["title"] == "Team trust: a start" and facts["language"] == lang
    deck = load_deck(deck_path)
    assert {s.kind for s in deck.slides} == set(SLIDE_KINDS)
    assert {p.type for p in deck.polls.values()} == set(polltypes.names())
    assert any(1 in s.levels for s in deck.slides)
    text = deck_path.read_text(encoding="utf-8")
    assert text.count("<!-- ") >= 10 and "# " in text  # comments that say what to change
    again = run("new", "Team trust: a start", "--lang", lang)
    assert again.exit_code == 1
    assert again.stderr.strip() == "Error: team-trust-a-start.md exists; choose another name"


def test_new_with_an_output_path(run, tmp_path):
    out = tmp_path / "talks" / "mine.md"
    result = run("new", "# Odd title", "-o", out)
    assert result.exit_code == 0, result.output
    assert load_deck(out).title == "# Odd title"
    assert load_deck(out).slides[0].title == "# Odd title"
    assert (tmp_path / "talks" / "mine-picture.svg").exists()
    (tmp_path / "talks" / "mine.md").unlink()
    assert run("new", "Again", "-o", out).exit_code == 1  # the picture is there: nothing written
    assert not out.exists()


@pytest.mark.slow
def test_convert_and_new_as_typed(tmp_path):
    made = workshop("new", "Team trust", "--lang", "zh", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    converted = workshop("convert", "team-trust.md", "-o", "team-trust.yaml", cwd=tmp_path)
    assert converted.returncode == 0, converted.stderr
    assert load_deck(tmp_path / "team-trust.yaml") == load_deck(tmp_path / "team-trust.md")


def test_kind_is_written_only_where_it_cannot_be_inferred():
    tree = {"title": "T", "slides": [
        {"kind": "section", "title": "A section first"},
        {"kind": "title", "title": "A title later"},
        {"kind": "text", "title": "Text", "text": "x"},
        {"kind": "poll", "poll": {"id": "p", "type": "open", "question": "Q"}}]}
    md = to_markdown(tree)
    assert md.count("kind:") == 2
    assert "<!-- kind: section -->\n# A section first" in md
    assert "<!-- kind: title -->\n# A title later" in md
    assert [s["kind"] for s in markdown_tree(md)["slides"]] == ["section", "title", "text",
                                                                "poll"]
    shipped = (DECKS / "leaders-role.md").read_text(encoding="utf-8")
    assert "kind:" not in shipped  # every slide of the talk says its kind by its shape


@pytest.mark.parametrize("image", [
    {"src": "pictures/a.svg", "alt": "A plain picture"},
    {"src": "pictures/a.svg", "alt": "Shown on phones", "phone": True},
    {"src": "my pictures/a (1).png", "alt": "A [bracketed] alt \\ with a backslash"},
    {"src": "pictures/a.svg", "alt": "**bold** alt", "phone": False},
])
def test_images_round_trip(image):
    tree = {"title": "T", "slides": [
        {"kind": "image", "title": "Pictures", "images": [image, {"src": "b.jpg", "alt": "b"}]},
        {"kind": "scenario", "title": "S", "story": "A story.", "images": [image],
         "poll": {"id": "p", "type": "open", "question": "Q"}, "tips": ["tip"]}]}
    md = to_markdown(tree)
    assert _same(markdown_tree(md), tree)
    if image.get("phone") is not False:  # an explicit `phone: false` goes in the header
        assert "images:" not in md
