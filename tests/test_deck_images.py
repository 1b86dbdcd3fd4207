"""Images beside the deck and the session's options: checked with their lines, never outside."""
import os

import pytest

from workshop.deck_file import load_deck
from workshop.deck import DeckError

# a real 1x1 PNG: the checker reads what is inside the file (workshop/pictures.py)
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
       b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\xdac\x90\xf5\xeb\xfc\x0f\x00\x03t\x01\xf4\xae\xc3q\xf2"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")


def deck_with(tmp_path, images_yaml, extra=""):
    (tmp_path / "pics").mkdir(exist_ok=True)
    (tmp_path / "pics" / "team.png").write_bytes(PNG)
    path = tmp_path / "deck.yaml"
    path.write_text(f"title: T\n{extra}slides:\n  - kind: image\n    title: A picture\n"
                    f"    images:\n{images_yaml}", encoding="utf-8")
    return path


def problems(path):
    with pytest.raises(DeckError) as err:
        load_deck(path)
    return err.value.problems


def test_an_image_beside_the_deck_is_loaded(tmp_path):
    deck = load_deck(deck_with(tmp_path, "      - {src: pics/team.png, alt: Our team, phone: true}\n"))
    image = deck.slides[0].images[0]
    assert (image.src, image.alt, image.phone, image.media_type) == \
        ("pics/team.png", "Our team", True, "image/png")
    assert deck.images() == {"pics/team.png": image}
    assert deck.folder == str(tmp_path)
    assert deck.summary()["images"] == 1


@pytest.mark.parametrize("src, says", [
    ("../secret.png", "leaves the deck's folder"),
    ("/etc/passwd", "not an absolute path"),
    ("pics/../../x.png", "leaves the deck's folder"),
    ("http://example.com/a.png", "not an absolute path or an address"),
    ("pics/missing.png", "no image file"),
    ("notes.txt", "is not a PNG, JPEG or SVG"),
])
def test_paths_outside_the_folder_or_missing_are_refused_with_their_line(tmp_path, src, says):
    path = deck_with(tmp_path, f"      - src: {src}\n        alt: x\n")
    [problem] = problems(path)
    assert problem.startswith(f"{path}:6: slide 1 (image) image 1:")
    assert says in problem


def test_a_link_out_of_the_folder_is_refused(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.png").write_bytes(PNG)
    deck_dir = tmp_path / "deck"
    deck_dir.mkdir()
    os.symlink(outside / "secret.png", deck_dir / "link.png")
    path = deck_with(deck_dir, "      - {src: link.png, alt: x}\n")
    [problem] = problems(path)
    assert "leads outside the deck's folder" in problem


def test_alt_text_is_required_and_big_files_refused(tmp_path):
    (tmp_path / "big.png").write_bytes(PNG + b"\0" * 5_000_001)
    path = deck_with(tmp_path, "      - {src: pics/team.png}\n      - {src: big.png, alt: big}\n")
    found = problems(path)
    assert f"{path}:6: slide 1 (image) image 1: missing 'alt'" in found
    assert any(p.startswith(f"{path}:7:") and "an image is at most" in p for p in found)


def test_session_options_names_and_moderate(tmp_path):
    path = deck_with(tmp_path, "      - {src: pics/team.png, alt: a}\n",
                     extra="names: named\nmoderate: true\n")
    deck = load_deck(path)
    assert (deck.names, deck.moderate) == ("named", True)
    path.write_text(path.read_text().replace("names: named", "names: nammed"))
    [problem] = problems(path)
    assert problem == f"{path}:2: deck: unknown names 'nammed' (did you mean 'named'?); " \
                      f"use one of anonymous, named"
