"""Settings: declared once, read from `WORKSHOP_*`, documented; the instance folder; the secret key."""
from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from server.cli import cli
from workshop import settings

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = [ROOT / "workshop", ROOT / "server", ROOT / "handouts"]


def test_every_setting_is_documented_with_its_help_text():
    doc = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    for s in settings.SETTINGS:
        assert f"`WORKSHOP_{s.name}`" in doc, s.name
        assert s.help in doc, s.name


def test_no_module_reads_a_workshop_variable_but_the_settings_module():
    readers = []
    for folder in PRODUCT:
        for path in folder.glob("*.py"):
            text = path.read_text(encoding="utf-8")
            if path.name != "settings.py" and re.search(r"environ.*WORKSHOP_|envvar=", text):
                readers.append(path.name)
    assert readers == []


def test_environment_variables_override_the_defaults():
    config = settings.from_env({"WORKSHOP_ANSWER_BURST": "3", "WORKSHOP_TICK_SECONDS": "",
                                "WORKSHOP_PUBLIC_URL": "http://w.local:5000"})
    assert config["ANSWER_BURST"] == 3
    assert config["TICK_SECONDS"] == 0.1
    assert config["PUBLIC_URL"] == "http://w.local:5000"


def test_a_bad_value_is_one_clear_line():
    with pytest.raises(ValueError, match=r"^WORKSHOP_REPORT_WORKERS='two' is not a valid int$"):
        settings.get("REPORT_WORKERS", {"WORKSHOP_REPORT_WORKERS": "two"})


def test_the_database_and_deck_honour_their_variables(tmp_path):
    env = {"WORKSHOP_DB": "elsewhere/w.db", "WORKSHOP_DECK": "my.yaml"}
    assert settings.db_path(env) == "elsewhere/w.db"
    assert settings.default_deck(env) == "my.yaml"
    env = {"WORKSHOP_INSTANCE": str(tmp_path)}
    assert settings.db_path(env) == str(tmp_path / "workshop.db")


def test_the_default_deck_is_the_shipped_one():
    assert settings.default_deck({}) == str(settings.shipped_deck())
    assert settings.shipped_deck().is_file()


def test_a_checkout_keeps_its_instance_folder_in_the_repository():
    assert settings.in_checkout()
    assert settings.instance_path({}) == ROOT / "instance"
    assert settings.db_path({}) == str(ROOT / "instance" / "workshop.db")


def test_an_installed_copy_keeps_its_instance_folder_per_user(monkeypatch, tmp_path):
    monkeypatch.setattr(settings, "CHECKOUT", tmp_path)  # site-packages: no pyproject.toml
    assert settings.instance_path({"XDG_DATA_HOME": str(tmp_path / "data")}) == \
        tmp_path / "data" / "workshop-kit"
    assert settings.instance_path({"HOME": "/home/ana"}) == Path("/home/ana/.local/share/workshop-kit")


def test_the_cli_reads_the_database_through_the_settings(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WORKSHOP_DB", "from-env.db")
    result = CliRunner().invoke(cli, ["sessions"])
    assert "from-env.db: no such database" in result.output
    result = CliRunner().invoke(cli, ["summary", "S1", "-o", "x.pdf"])
    assert "no database at from-env.db" in result.output
    result = CliRunner().invoke(cli, ["summary", "S1", "-o", "x.pdf", "--db", "given.db"])
    assert "no database at given.db" in result.output


def test_the_secret_key_is_made_once_and_kept(tmp_path):
    key = settings.secret_key(tmp_path)
    assert len(key) == 64 and settings.secret_key(tmp_path) == key
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no temporary file left


def test_an_empty_key_file_left_by_a_crash_is_replaced(tmp_path):
    (tmp_path / "secret_key").write_text("")
    key = settings.secret_key(tmp_path)
    assert len(key) == 64 and (tmp_path / "secret_key").read_text() == key


def test_threads_starting_at_once_share_one_key(tmp_path):
    for attempt in range(20):
        folder = tmp_path / str(attempt)
        keys, errors, start = [], [], threading.Barrier(8)

        def read():
            start.wait()
            try:
                keys.append(settings.secret_key(folder))
            except Exception as exc:  # noqa: BLE001 - the defect was a FileExistsError here
                errors.append(exc)
        threads = [threading.Thread(target=read) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == [] and len(set(keys)) == 1 and len(keys[0]) == 64


RACE = """
import sys, time
from workshop import settings
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))  # every process starts at the same moment
print(settings.secret_key(sys.argv[1]))
"""


@pytest.mark.slow
def test_processes_starting_at_once_share_one_key(tmp_path):
    for attempt in range(3):
        folder, at = tmp_path / str(attempt), time.time() + 1.5
        procs = [subprocess.Popen([sys.executable, "-c", RACE, str(folder), str(at)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(6)]
        outs = [p.communicate(timeout=60) for p in procs]
        assert [err for _, err in outs if err] == []
        assert len({out for out, _ in outs}) == 1 and len(outs[0][0].strip()) == 64
