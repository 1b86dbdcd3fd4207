"""Without chromium the browser tests say why and skip; under CI=true they fail instead."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.support.browser import CHROMIUM, missing_browser_reason, require_chromium

ROOT = Path(__file__).resolve().parent.parent


def test_the_browser_is_debians_chromium():
    assert CHROMIUM == Path("/usr/bin/chromium")


def test_missing_browser_skips_with_the_install_hint(tmp_path):
    absent = tmp_path / "chromium"
    with pytest.raises(pytest.skip.Exception) as info:
        require_chromium(absent, env={})
    assert str(info.value) == f"chromium not found at {absent}: apt-get install chromium"


@pytest.mark.parametrize("ci", ["true", "TRUE", " true "])
def test_missing_browser_fails_under_ci(tmp_path, ci):
    with pytest.raises(pytest.fail.Exception, match="apt-get install chromium"):
        require_chromium(tmp_path / "chromium", env={"CI": ci})


@pytest.mark.parametrize("ci", ["", "false", "0"])
def test_missing_browser_skips_when_ci_is_not_true(tmp_path, ci):
    with pytest.raises(pytest.skip.Exception):
        require_chromium(tmp_path / "chromium", env={"CI": ci})


def test_a_file_that_cannot_run_is_no_browser(tmp_path):
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o644)
    assert missing_browser_reason(fake) is not None
    fake.chmod(0o755)
    assert missing_browser_reason(fake) is None
    require_chromium(fake, env={"CI": "true"})  # present: neither skips nor fails


def run_suite_without_browser(tmp_path, ci: str | None) -> subprocess.CompletedProcess:
    """Run a one-test suite whose module fixture launches a chromium that is not there."""
    (tmp_path / "test_needs_browser.py").write_text(textwrap.dedent(f"""
        import pytest
        from tests.support.browser import chromium

        @pytest.fixture(scope="module")
        def browser():
            with chromium({str(tmp_path / "no-chromium")!r}) as b:
                yield b

        def test_page(browser):
            assert browser
    """))
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci is not None:
        env["CI"] = ci
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
                           str(tmp_path / "test_needs_browser.py")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_a_developer_without_chromium_sees_a_skip_and_the_reason(tmp_path):
    proc = run_suite_without_browser(tmp_path, ci=None)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 skipped" in proc.stdout
    assert "apt-get install chromium" in proc.stdout


@pytest.mark.slow
def test_ci_without_chromium_fails_the_run(tmp_path):
    proc = run_suite_without_browser(tmp_path, ci="true")
    assert proc.returncode != 0
    assert "skipped" not in proc.stdout
    assert "apt-get install chromium" in proc.stdout
