"""`workshop check` as a facilitator types it: valid decks, broken decks, hostile files."""
from __future__ import annotations

import json
import re
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from workshop.deck_file import load_deck
from workshop.polltypes import POLL_TYPES

ROOT = Path(__file__).resolve().parent.parent
WORKSHOP = Path(sys.executable).with_name("workshop")
FIXTURES = Path("tests") / "fixtures" / "decks"  # relative, as typed from the repo root
EN_DECK = Path("decks") / "leaders-role.yaml"
ZH_DECK = Path("decks") / "leaders-role.zh.yaml"
MEMORY_CAP = 512 * 1024 * 1024  # far more than a deck check needs; far less than a YAML bomb
TIMEOUT = 20


def _cap_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def workshop(*args) -> subprocess.CompletedProcess:
    """Run the installed `workshop` command from the repo root, with a memory cap and a timeout."""
    try:
        return subprocess.run([str(WORKSHOP), *map(str, args)], cwd=ROOT, capture_output=True,
                              encoding="utf-8", errors="replace", timeout=TIMEOUT,
                              preexec_fn=_cap_memory)
    except subprocess.TimeoutExpired:
        pytest.fail(f"`workshop {' '.join(map(str, args))}` still running after {TIMEOUT} s")


def assert_refused(result: subprocess.CompletedProcess, path, line: int | None = None) -> None:
    """Assert exit 1, nothing on stdout, and stderr of PATH:LINE: lines or one `PATH: ` line."""
    path = str(path)
    assert "Traceback" not in result.stderr + result.stdout, result.stderr[-2000:]
    assert result.returncode == 1, result.stderr[-2000:]
    assert result.stdout == ""
    assert len(result.stderr) < 10_000, "the error output should be a few lines, not a dump"
    lines = result.stderr.splitlines()
    assert lines, "a refused deck must say why"
    with_lines = all(re.match(rf"^{re.escape(path)}:\d+: \S", x) for x in lines)
    one_clear_line = len(lines) == 1 and lines[0].startswith(f"{path}: ")
    assert with_lines or one_clear_line, result.stderr
    if line is not None:
        assert lines[0].startswith(f"{path}:{line}: "), result.stderr


# ----- valid decks -----------------------------------------------------------------------

def test_help_lists_check_and_serve():
    result = workshop("--help")
    assert result.returncode == 0
    commands = result.stdout.split("Commands:", 1)[1]
    assert re.search(r"^\s+check\s", commands, re.M)
    assert re.search(r"^\s+serve\s", commands, re.M)


def test_check_help_offers_json():
    result = workshop("check", "--help")
    assert result.returncode == 0 and "--json" in result.stdout


@pytest.mark.parametrize("deck", [EN_DECK, ZH_DECK], ids=["en", "zh"])
def test_valid_deck_exits_zero_with_a_one_line_summary(deck):
    result = workshop("check", deck)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"{deck}: ok")
    assert load_deck(ROOT / deck).title in lines[0]


def test_check_without_a_deck_checks_the_default_deck():
    result = workshop("check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 1 and "leaders-role.yaml" in result.stdout


@pytest.mark.parametrize("deck", [EN_DECK, ZH_DECK], ids=["en", "zh"])
def test_json_summary_counts_match_the_deck(deck):
    result = workshop("check", "--json", deck)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 1
    facts = json.loads(result.stdout, parse_constant=lambda name: pytest.fail(f"not JSON: {name}"))
    model = load_deck(ROOT / deck)
    assert facts["title"] == model.title
    assert facts["slides"] == len(model.slides)
    assert facts["minutes"] == model.minutes
    assert set(facts["polls"]) == set(POLL_TYPES)
    for poll_type in POLL_TYPES:
        assert facts["polls"][poll_type] == sum(p.type == poll_type for p in model.polls.values())
    assert facts["language"] == model.language


def test_json_summary_of_the_default_deck_has_the_workshop_shape():
    facts = json.loads(workshop("check", "--json", EN_DECK).stdout)
    assert facts["polls"]["choice"] >= 4 and facts["polls"]["scale"] >= 2
    assert facts["polls"]["ranking"] >= 1 and facts["polls"]["open"] >= 3
    assert 60 <= facts["minutes"] <= 90
    assert facts["scenarios"] >= 3
    assert facts["groups"]["homework"] == 5


def test_json_summary_keeps_chinese_readable():
    result = workshop("check", "--json", ZH_DECK)
    assert "领导者的角色" in result.stdout


# ----- decks with problems ---------------------------------------------------------------

def test_invalid_deck_lists_each_problem_with_its_line(tmp_path):
    deck = tmp_path / "talk.yaml"
    deck.write_text("title: Talk\n"
                    "slides:\n"
                    "  - kind: secton\n"
                    "    title: One\n"
                    "  - kind: poll\n"
                    "    poll:\n"
                    "      id: pick\n"
                    "      type: choice\n"
                    "      questoin: Which?\n"
                    "      options: [A]\n", encoding="utf-8")
    for args in (("check", deck), ("check", "--json", deck)):
        result = workshop(*args)
        assert_refused(result, deck)
        lines = result.stderr.splitlines()
        assert any(x.startswith(f"{deck}:3: ") and "did you mean 'section'" in x for x in lines)
        assert any(x.startswith(f"{deck}:9: ") and "did you mean 'question'" in x for x in lines)
        assert any(x.startswith(f"{deck}:10: ") and "has 1" in x for x in lines)


# ----- hostile files ---------------------------------------------------------------------

HOSTILE = {  # fixture -> the line the first message must name, or None for a file-wide message
    "broken.yaml": 6,
    "empty.yaml": None,
    "whitespace.yaml": None,
    "image.png": None,
    "nul-bytes.yaml": None,
    "latin1.yaml": 4,
    "top-level-list.yaml": 1,
    "deeply-nested.yaml": None,
    "billion-laughs.yaml": None,
    "billion-laughs-kind.yaml": None,
    "billion-laughs-type.yaml": None,
    "billion-laughs-correct.yaml": None,
    "merge-key-bomb.yaml": None,
    "python-object.yaml": 4,
    "python-name.yaml": 1,
}


@pytest.mark.slow
@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_file_is_refused_in_one_clear_way(name, as_json):
    path = FIXTURES / name
    assert (ROOT / path).exists()
    result = workshop("check", *(["--json"] if as_json else []), path)
    assert_refused(result, path, HOSTILE[name])


def test_empty_file_says_it_is_empty():
    result = workshop("check", FIXTURES / "empty.yaml")
    assert "empty" in result.stderr


@pytest.mark.parametrize("name", ["image.png", "nul-bytes.yaml"])
def test_binary_file_says_it_is_binary(name):
    result = workshop("check", FIXTURES / name)
    assert "binary" in result.stderr


def test_non_utf8_file_says_so():
    assert "UTF-8" in workshop("check", FIXTURES / "latin1.yaml").stderr


@pytest.mark.parametrize("name", ["python-object.yaml", "python-name.yaml"])
def test_python_tags_are_never_run(name):
    result = workshop("check", ROOT / FIXTURES / name)
    assert "pwned" not in result.stdout
    assert "python/" in result.stderr  # names the tag it refused


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_missing_file_is_one_clear_line(tmp_path, as_json):
    path = tmp_path / "no-such-deck.yaml"
    result = workshop("check", *(["--json"] if as_json else []), path)
    assert_refused(result, path)
    assert "no such file" in result.stderr


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_directory_is_one_clear_line(as_json):
    result = workshop("check", *(["--json"] if as_json else []), FIXTURES)
    assert_refused(result, FIXTURES)
    assert "folder" in result.stderr


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_three_megabyte_file_is_refused_by_size(tmp_path, as_json):
    path = tmp_path / "huge.yaml"
    slide = "  - kind: title\n    title: " + "x" * 80 + "\n"
    path.write_text("title: Huge\nslides:\n" + slide * (3_000_000 // len(slide) + 1),
                    encoding="utf-8")
    assert path.stat().st_size > 3_000_000
    result = workshop("check", *(["--json"] if as_json else []), path)
    assert_refused(result, path)
    assert "bytes" in result.stderr
