"""`workshop import talk.pptx -o folder/`: a PowerPoint file becomes a Markdown deck that passes
check, with its pictures and a warning per thing left behind; hostile files are refused."""
from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from server.cli import cli
from tests.support import pptx_files
from workshop.deck import MAX_IMAGE_BYTES
from workshop.deck_file import load_deck
from workshop.pptx_safety import MAX_PIXELS

ROOT = Path(__file__).resolve().parent.parent


def run(*args):
    return CliRunner().invoke(cli, ["import", *map(str, args)])


@pytest.fixture(scope="module")
def talk(tmp_path_factory):
    return pptx_files.talk(tmp_path_factory.mktemp("pptx") / "talk.pptx")


@pytest.fixture(scope="module")
def imported(talk, tmp_path_factory):
    out = tmp_path_factory.mktemp("out") / "talk"
    result = run(talk, "-o", out)
    assert result.exit_code == 0, result.output
    return out, load_deck(out / "talk.md"), result


def test_import_writes_a_markdown_deck_that_passes_check(imported):
    out, deck, result = imported
    assert (out / "talk.md").read_text(encoding="utf-8").startswith("---\n")
    assert deck.title == "Leading teams"
    assert len(deck.slides) == 6
    check = CliRunner().invoke(cli, ["check", str(out / "talk.md")])
    assert check.exit_code == 0 and "6 slides" in check.output


def test_import_keeps_titles_kinds_and_order(imported):
    _, deck, _ = imported
    assert [s.kind for s in deck.slides] == ["title", "bullets", "section", "image", "image", "bullets"]
    assert [s.title for s in deck.slides] == ["Leading teams", "Why trust matters", "Results so far",
                                              "", "", "Homework"]
    assert deck.slides[0].subtitle == "A short talk"


def test_import_keeps_bullet_levels_and_folds_a_third_level(imported):
    _, deck, result = imported
    slide = deck.slides[1]
    assert slide.bullets == ("Trust speeds things up", "Fewer meetings", "Faster decisions",
                             "Even faster", "Trust is built slowly")
    assert slide.levels == (0, 1, 1, 1, 0)
    assert "talk.pptx: slide 2: bullets deeper than two levels" in result.output


def test_import_keeps_speaker_notes(imported):
    _, deck, _ = imported
    assert deck.slides[0].notes == "Welcome everyone."
    assert deck.slides[1].notes == "Ask for an example.\nThen move on."


def test_import_writes_pictures_with_their_descriptions_as_alt_text(imported):
    out, deck, result = imported
    (image,) = deck.slides[1].images
    assert image.alt == "A red square"
    assert Image.open(out / image.src).size == (64, 48)
    # an undescribed picture gets its shape's name, never an empty alt, and a warning
    assert [i.alt for i in deck.slides[3].images] == ["Picture 1", "Picture 2"]
    assert "talk.pptx: slide 4: 'Picture 1' has no description" in result.output
    assert sorted(p.name for p in (out / "images").iterdir()) == [
        "slide-2-1.png", "slide-4-1.png", "slide-4-2.png", "slide-5.svg"]


def test_import_warns_of_charts_and_tables_with_their_slide(imported):
    _, _, result = imported
    assert "talk.pptx: slide 3: chart is not carried over" in result.output
    assert "talk.pptx: slide 3: table (2 rows, 3 columns) is not carried over" in result.output


def test_import_warns_of_video_smartart_animations_and_transitions(imported):
    _, deck, result = imported
    assert "talk.pptx: slide 6: 'movie.mp4': embedded video or sound is not carried over" in result.output
    assert "talk.pptx: slide 6: SmartArt diagram is not carried over" in result.output
    assert "talk.pptx: slide 6: animations are not carried over" in result.output
    assert "talk.pptx: slide 6: the slide transition is not carried over" in result.output
    assert deck.slides[5].images == () and deck.slides[5].bullets == ("Write down one thing to try",)
    assert "slide 2: animations" not in result.output


def test_a_slide_of_shapes_becomes_a_placeholder_picture_with_a_warning(imported):
    out, deck, result = imported
    slide = deck.slides[4]
    assert [i.src for i in slide.images] == ["images/slide-5.svg"]
    assert "<svg" in (out / "images" / "slide-5.svg").read_text()
    assert "Text on the slide: Go" in slide.notes
    assert "talk.pptx: slide 5: is mostly graphics" in result.output
    assert "placeholder" in result.output


def test_a_placeholder_escapes_the_slides_title(tmp_path):
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE
    from lxml import etree
    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[pptx_files.TITLE_ONLY])
    slide.shapes.title.text = "R&D <plan> " + "&" * 300
    slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, 0, prs.slide_width, prs.slide_height)
    prs.save(tmp_path / "rd.pptx")
    result = run(tmp_path / "rd.pptx", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    (image,) = load_deck(tmp_path / "out" / "rd.md").slides[0].images
    svg = etree.fromstring((tmp_path / "out" / image.src).read_bytes())
    assert svg.get("aria-label").startswith("Slide 1: R&D <plan> &&&")


def test_an_all_picture_slide_keeps_its_pictures_without_a_placeholder(imported):
    out, deck, result = imported
    assert [i.src for i in deck.slides[3].images] == ["images/slide-4-1.png", "images/slide-4-2.png"]
    assert "slide 4: is mostly graphics" not in result.output


def test_import_refuses_a_folder_that_is_not_empty_unless_forced(talk, tmp_path):
    out = tmp_path / "deck"
    out.mkdir()
    (out / "mine.txt").write_text("keep me")
    result = run(talk, "-o", out)
    assert result.exit_code == 1
    assert "is not empty" in result.output and "--force" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["mine.txt"]
    result = run(talk, "-o", out, "--force")
    assert result.exit_code == 0, result.output
    assert (out / "mine.txt").read_text() == "keep me"
    assert load_deck(out / "talk.md").title == "Leading teams"


def test_a_deck_that_would_not_pass_check_is_not_written(talk, tmp_path, monkeypatch):
    import workshop.deck_write
    monkeypatch.setattr(workshop.deck_write, "to_markdown", lambda tree: "---\ntitle: x\n---\n")
    result = run(talk, "-o", tmp_path / "out")
    assert result.exit_code == 1 and "does not pass check" in result.output
    assert list(tmp_path.iterdir()) == []


def test_output_that_is_a_file_is_refused(talk, tmp_path):
    (tmp_path / "out").write_text("x")
    result = run(talk, "-o", tmp_path / "out")
    assert result.exit_code == 1 and "is a file" in result.output


def test_a_huge_picture_is_scaled_down_to_the_deck_limits(tmp_path):
    big = Image.new("L", (8000, 6000), 128)  # 48 megapixels
    data = io.BytesIO()
    big.save(data, "PNG")
    source = pptx_files.with_picture(tmp_path / "big.pptx", data.getvalue(), "A grey field")
    result = run(source, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    (image,) = load_deck(tmp_path / "out" / "big.md").slides[0].images
    with Image.open(tmp_path / "out" / image.src) as written:
        assert written.width * written.height <= MAX_PIXELS
    assert "big.pptx: slide 1: 'Picture 2': scaled down from 8000x6000" in result.output


def test_a_picture_over_five_megabytes_is_reencoded_to_fit(tmp_path):
    blob = pptx_files.noisy_png(1400, 1400)
    assert len(blob) > MAX_IMAGE_BYTES
    source = pptx_files.with_picture(tmp_path / "noisy.pptx", blob, "Noise")
    result = run(source, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    (image,) = load_deck(tmp_path / "out" / "noisy.md").slides[0].images
    assert (tmp_path / "out" / image.src).stat().st_size <= MAX_IMAGE_BYTES


def test_emf_pictures_are_left_behind_with_a_warning(tmp_path):
    source = pptx_files.with_picture(tmp_path / "emf.pptx", pptx_files.emf(), "A drawing")
    result = run(source, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "emf.pptx: slide 1: 'Picture 2': EMF/WMF pictures cannot be shown" in result.output
    assert load_deck(tmp_path / "out" / "emf.md").slides[0].images == ()


def test_a_gif_becomes_a_png(tmp_path):
    source = pptx_files.with_picture(tmp_path / "gif.pptx", pptx_files.gif(), "A logo")
    result = run(source, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    (image,) = load_deck(tmp_path / "out" / "gif.md").slides[0].images
    assert image.src.endswith(".png") and image.alt == "A logo"
    assert Image.open(tmp_path / "out" / image.src).format == "PNG"


def test_an_unreadable_picture_is_skipped_with_a_warning(tmp_path):
    good = pptx_files.with_picture(tmp_path / "good.pptx", pptx_files.png(), "A square")
    source = pptx_files.rezip(good, tmp_path / "bad.pptx", lambda name, data: (
        b"\x89PNG\r\n\x1a\n" + bytes(200) if name.startswith("ppt/media/") else data))
    result = run(source, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "bad.pptx: slide 1: 'Picture 2': the picture cannot be read; skipped" in result.output
    assert not (tmp_path / "out" / "images").exists()


@pytest.mark.parametrize("width", [7_000, 30_000])  # over 120 megapixels, and past Pillow's own limit
def test_a_picture_too_big_to_open_is_skipped_with_a_warning(tmp_path, width):
    good = pptx_files.with_picture(tmp_path / "good.pptx", pptx_files.png(), "A square")
    source = pptx_files.rezip(good, tmp_path / "huge.pptx", lambda name, data: (
        pptx_files.png_header(width, 20_000) if name.startswith("ppt/media/") else data))
    result = run(source, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "huge.pptx: slide 1: 'Picture 2': the picture" in result.output
    assert "skipped" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out" / "images").exists()


def test_a_chinese_talk_makes_a_chinese_deck(tmp_path):
    from pptx import Presentation
    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[pptx_files.TITLE_AND_CONTENT])
    slide.shapes.title.text = "领导者的\n角色"
    slide.placeholders[1].text_frame.text = "建立信任"
    prs.save(tmp_path / "zh.pptx")
    assert run(tmp_path / "zh.pptx", "-o", tmp_path / "out").exit_code == 0
    deck = load_deck(tmp_path / "out" / "zh.md")
    assert deck.language == "zh" and deck.slides[0].bullets == ("建立信任",)
    assert deck.title == deck.slides[0].title == "领导者的角色"  # a title's line break joined


def _refused(source, tmp_path, expected):
    out = tmp_path / "out"
    result = run(source, "-o", out)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.output
    assert "Traceback" not in result.output
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    return lines[0]


def test_a_file_that_is_not_a_zip_is_refused(tmp_path):
    source = tmp_path / "talk.pptx"
    source.write_text("Just some text, not a presentation.")
    line = _refused(source, tmp_path, "not a zip archive")
    assert line.startswith(f"Error: {source}:")


def test_an_old_or_encrypted_presentation_says_what_to_do(tmp_path):
    source = tmp_path / "old.ppt"
    source.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    _refused(source, tmp_path, "is an old .ppt or a password-protected presentation")


def test_a_zip_that_is_not_a_pptx_is_refused(tmp_path):
    source = tmp_path / "talk.pptx"
    with zipfile.ZipFile(source, "w") as z:
        z.writestr("hello.txt", "hi")
    _refused(source, tmp_path, "is a zip archive but not a PowerPoint presentation")


def test_broken_xml_in_a_slide_is_refused_with_the_part(talk, tmp_path):
    source = pptx_files.rezip(talk, tmp_path / "broken.pptx", lambda name, data: (
        data[: len(data) // 2] if name == "ppt/slides/slide2.xml" else data))
    _refused(source, tmp_path, "part 'ppt/slides/slide2.xml' is broken XML")


def test_a_zip_bomb_is_refused_before_it_is_unpacked(talk, tmp_path):
    source = pptx_files.zip_bomb(talk, tmp_path / "bomb.pptx")
    assert source.stat().st_size < 2_000_000
    _refused(source, tmp_path, "zip bomb")


def test_a_part_compressed_a_thousand_to_one_is_refused(talk, tmp_path):
    source = pptx_files.zip_bomb(talk, tmp_path / "bomb.pptx", megabytes=20)
    _refused(source, tmp_path, "compressed 1,0")


def test_a_part_whose_name_leaves_the_archive_is_refused(talk, tmp_path):
    source = pptx_files.rezip(talk, tmp_path / "tricky.pptx", lambda name, data: data)
    with zipfile.ZipFile(source, "a") as z:
        z.writestr("../../evil.txt", "gotcha")
    _refused(source, tmp_path, "points outside the archive")


def test_a_missing_file_is_one_line(tmp_path):
    _refused(tmp_path / "nope.pptx", tmp_path, "no such file")


def test_import_runs_as_a_user_types_it(talk, tmp_path):
    workshop = Path(sys.executable).with_name("workshop")
    done = subprocess.run([str(workshop), "import", str(talk), "-o", str(tmp_path / "talk")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Wrote" in done.stdout and "6 slides, 4 images" in done.stdout
    assert "talk.pptx: slide 3: chart is not carried over" in done.stderr
    assert load_deck(tmp_path / "talk" / "talk.md").slides[1].title == "Why trust matters"
