"""The kit as a wheel: `pip install .` (not editable) into a fresh venv works from any folder."""
from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from tests.support import RealServer

from workshop import settings

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ("pyproject.toml", "README.md", "workshop", "server", "handouts", "decks", "templates", "docs")


def test_every_package_of_the_kit_is_listed_in_pyproject():
    import tomllib
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(init.parent.relative_to(ROOT).parts)
             for top in ("workshop", "server", "handouts") for init in (ROOT / top).rglob("__init__.py")}
    assert sorted(found - listed) == []
    assert {"workshop.decks", "server.templates", "workshop.i18n"} <= listed


def test_a_checkout_finds_the_top_level_decks_and_templates():
    from server.app import TEMPLATES
    assert settings.decks_folder() == ROOT / "decks"
    assert TEMPLATES == ROOT / "templates"


def test_an_installed_copy_finds_the_decks_and_templates_inside_its_packages(tmp_path):
    (tmp_path / "decks").mkdir()
    assert settings.data_folder(tmp_path, "decks") == tmp_path / "decks"
    assert settings.data_folder(tmp_path, "templates") == ROOT / "templates"


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """Install a copy of the checkout, not editable, into a fresh venv; return its bin folder.

    The venv reuses this environment's dependencies through a .pth file (a plain directory
    entry: the editable install's finder in there is not run), so only the kit is installed.
    """
    base = tmp_path_factory.mktemp("wheel")
    source = base / "source"
    source.mkdir()
    for name in SHIPPED:
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy2
        copy(ROOT / name, source / name, **({"ignore": shutil.ignore_patterns("__pycache__")}
                                          if (ROOT / name).is_dir() else {}))
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    target = Path(subprocess.run([str(venv / "bin" / "python"), "-c",
                                  "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                 check=True, capture_output=True, text=True).stdout.strip())
    (target / "_workshop_deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install",
                    "--quiet", "--no-deps", str(source)], check=True, capture_output=True, timeout=300)
    shutil.rmtree(source)  # nothing may be read from the copy once it is installed
    return venv / "bin"


@pytest.fixture
def elsewhere(tmp_path, monkeypatch):
    """Return a folder far from the checkout, and an environment whose data lives in it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WORKSHOP_", "PYTHON"))}
    env.update(HOME=str(tmp_path / "home"), XDG_DATA_HOME=str(tmp_path / "data"))
    work = tmp_path / "work"
    work.mkdir()
    return work, env


def run(bin_folder: Path, work: Path, env: dict, *args) -> subprocess.CompletedProcess:
    return subprocess.run([str(bin_folder / "workshop"), *map(str, args)], cwd=work, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_the_installed_kit_imports_from_its_venv_not_the_checkout(installed, elsewhere):
    work, env = elsewhere
    found = subprocess.run([str(installed / "python"), "-c",
                            "import server, workshop, handouts; print(server.__file__, workshop.__file__,"
                            " handouts.__file__)"], cwd=work, env=env, capture_output=True, text=True)
    paths = found.stdout.split()
    assert len(paths) == 3 and all(p.startswith(str(installed.parent)) for p in paths), found


@pytest.mark.slow
def test_the_installed_kit_checks_simulates_and_prints_from_any_folder(installed, elsewhere):
    work, env = elsewhere
    check = run(installed, work, env, "check")
    assert check.returncode == 0 and "leaders-role.yaml: ok" in check.stdout, check.stderr
    facts = run(installed, work, env, "check", "--json")
    assert facts.returncode == 0 and '"slides"' in facts.stdout

    simulated = run(installed, work, env, "simulate", "-n", "5", "--seed", "1")
    assert simulated.returncode == 0, simulated.stderr
    session = simulated.stdout.strip().splitlines()[-1]
    db = Path(env["XDG_DATA_HOME"]) / "workshop-kit" / "workshop.db"
    assert db.is_file()  # the per-user instance folder, not site-packages
    assert not list(installed.parent.rglob("workshop.db"))

    summary = run(installed, work, env, "summary", session, "-o", "summary.pdf")
    assert summary.returncode == 0, summary.stderr
    assert (work / "summary.pdf").read_bytes().startswith(b"%PDF")
    handout = run(installed, work, env, "handouts", "-o", "handouts.pdf")
    assert handout.returncode == 0 and (work / "handouts.pdf").read_bytes().startswith(b"%PDF")


class InstalledServer(RealServer):
    """`workshop serve` of the installed venv, on its default deck and database."""

    def __init__(self, bin_folder: Path, workdir: Path, env: dict):
        super().__init__(workdir, deck=None, env=env)
        self.bin_folder, self.db = bin_folder, None

    def command(self, resume=None):
        return [str(self.bin_folder / "workshop"), "serve", "--host", "127.0.0.1",
                "--port", str(self.port), "--no-qr"]

    def process_env(self) -> dict:
        return {**self.env, "PYTHONUNBUFFERED": "1"}


@pytest.mark.slow
def test_the_installed_kit_serves_pages_and_reports_from_any_folder(installed, elsewhere):
    work, env = elsewhere
    server = InstalledServer(installed, work, env).start(timeout=60)
    try:
        http = requests.Session()
        http.trust_env = False
        assert http.get(server.url("/healthz"), timeout=10).status_code == 200
        phone = http.get(server.urls["join"], timeout=10)
        assert phone.status_code == 200 and "<html" in phone.text
        projector = http.get(server.urls["projector"], timeout=10)
        assert projector.status_code == 200 and "The Leader" in projector.text
        summary = http.get(server.url(f"/s/{server.sid}/summary.pdf"), timeout=120)
        assert summary.status_code == 200 and summary.content.startswith(b"%PDF")  # a report worker
        guide = http.get(server.url("/help/room-setup"), timeout=10)  # docs/room-setup.md, shipped
        assert guide.status_code == 200 and "<h1>" in guide.text
    finally:
        server.stop()
    assert (Path(env["XDG_DATA_HOME"]) / "workshop-kit" / "secret_key").is_file()
