"""The README's screenshots exist, at their documented sizes, small, and shown in the README.

No browser needed: this reads the PNGs that scripts/screenshots.py wrote.
"""
from __future__ import annotations

import re

from PIL import Image

from scripts import screenshots
from tests.support import ROOT

README = ROOT / "README.md"


def test_screenshots_exist_at_their_documented_sizes():
    assert screenshots.check() == []


def test_screenshots_are_real_sizes():
    sizes = {name: size for name, size in screenshots.SHOTS.items()}
    assert sizes["projector.png"] == sizes["projector-title.png"] == (1920, 1080)
    assert sizes["console.png"] == (1440, 900)
    assert sizes["phone.png"] == sizes["phone-results.png"] == (390 * 2, 844 * 2)  # device scale 2
    assert any(name.endswith("-zh.png") for name in sizes)


def test_readme_shows_every_screenshot_in_its_section():
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Screenshots"):text.index("## More")]
    shown = set(re.findall(r"docs/screenshots/([\w.-]+\.png)", section))
    assert shown == set(screenshots.SHOTS)
    assert "1920x1080" in section and "1440x900" in section and "390x844" in section


def test_screenshot_check_notices_missing_wrong_and_heavy_files(tmp_path):
    Image.new("RGB", (100, 100), "white").save(tmp_path / "projector.png")
    noisy = Image.effect_noise((1440, 900), 120).convert("RGB")
    noisy.save(tmp_path / "console.png")
    problems = screenshots.check(tmp_path)
    assert "projector.png: 100x100, expected 1920x1080" in problems
    assert any(p.startswith("console.png:") and "under 400 KB" in p for p in problems)
    assert any(p.startswith("phone.png: missing") for p in problems)
