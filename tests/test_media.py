"""The media route: a room serves the pictures its deck lists, and nothing else of the disk."""
from __future__ import annotations

import os

import pytest

from server.media import IMAGE_CSP, image_file, media_src, media_url
from tests.test_deck_images import PNG
from workshop.deck_file import load_deck

SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
       b'<rect width="40" height="20" fill="#1d4e89"/></svg>')


@pytest.fixture
def folder(tmp_path):
    """A deck folder with two listed pictures, one unlisted, and a secret beside the folder."""
    (tmp_path / "secret.png").write_bytes(PNG)
    deck_dir = tmp_path / "deck"
    (deck_dir / "pics").mkdir(parents=True)
    (deck_dir / "pics" / "team.png").write_bytes(PNG)
    (deck_dir / "pics" / "map of us.svg").write_bytes(SVG)
    (deck_dir / "pics" / "unlisted.png").write_bytes(PNG)
    (deck_dir / "deck.yaml").write_text(
        "title: Pictures\nslides:\n  - kind: title\n    title: Pictures\n"
        "  - kind: image\n    title: Team\n    images:\n"
        "      - {src: pics/team.png, alt: Our team}\n"
        "      - {src: pics/map of us.svg, alt: A map}\n", encoding="utf-8")
    return deck_dir


@pytest.fixture
def pictured(rooms, folder):
    """A room of the deck with pictures."""
    return rooms.create(load_deck(folder / "deck.yaml"), str(folder / "deck.yaml"))


def url(room, src):
    return media_url(room.row.join_code, src)


def test_a_listed_png_is_served_with_its_type_and_safe_headers(client, pictured):
    response = client.get(url(pictured, "pics/team.png"))
    assert response.status_code == 200
    assert response.data == PNG
    assert response.mimetype == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == IMAGE_CSP
    assert response.headers["ETag"] and response.headers["Last-Modified"]


def test_an_svg_opened_directly_runs_no_script(client, pictured):
    response = client.get(url(pictured, "pics/map of us.svg"))
    assert response.status_code == 200 and response.data == SVG
    assert response.mimetype == "image/svg+xml"
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "sandbox" in csp and "script-src" not in csp


def test_a_picture_not_changed_since_is_answered_304(client, pictured):
    first = client.get(url(pictured, "pics/team.png"))
    etag = first.headers["ETag"]
    again = client.get(url(pictured, "pics/team.png"), headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    since = client.get(url(pictured, "pics/team.png"),
                       headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304
    other = client.get(url(pictured, "pics/team.png"), headers={"If-None-Match": '"other"'})
    assert other.status_code == 200 and other.data == PNG


def test_an_edited_picture_gets_a_new_etag(client, pictured, folder):
    etag = client.get(url(pictured, "pics/map of us.svg")).headers["ETag"]
    (folder / "pics" / "map of us.svg").write_bytes(SVG.replace(b"#1d4e89", b"#c2571a"))
    os.utime(folder / "pics" / "map of us.svg", (1, 1))
    again = client.get(url(pictured, "pics/map of us.svg"), headers={"If-None-Match": etag})
    assert again.status_code == 200 and b"#c2571a" in again.data


@pytest.mark.parametrize("path", [
    "pics/unlisted.png",            # beside the listed ones, but not in the deck
    "deck.yaml",                    # the deck itself
    "../secret.png",
    "pics/../../secret.png",
    "%2e%2e/secret.png",
    "%2E%2E%2Fsecret.png",
    "pics/%2e%2e/%2e%2e/secret.png",
    "..%5csecret.png",
    "/etc/passwd",
    "%2Fetc%2Fpasswd",
    "pics/team.png%00.txt",
    "PICS/TEAM.PNG",
    "pics/team.png/",
])
def test_anything_the_deck_does_not_list_is_not_found(client, pictured, path):
    # `media//etc/passwd` is first redirected to `media/etc/passwd` (merged slashes)
    response = client.get(f"/j/{pictured.row.join_code}/media/{path}", follow_redirects=True)
    assert response.status_code == 404
    assert response.data != PNG and b"root:" not in response.data


def test_a_wrong_join_code_finds_no_picture(client, pictured):
    assert client.get("/j/ZZZZZZ/media/pics/team.png").status_code == 404


def test_a_picture_replaced_by_a_link_out_of_the_folder_is_not_served(client, pictured, folder):
    listed = folder / "pics" / "team.png"
    listed.unlink()
    os.symlink(folder.parent / "secret.png", listed)
    assert client.get(url(pictured, "pics/team.png")).status_code == 404


def test_a_picture_removed_or_grown_past_the_limit_is_not_served(client, pictured, folder):
    from workshop.deck import MAX_IMAGE_BYTES
    deck = pictured.deck
    assert image_file(deck, "pics/team.png") == str(folder / "pics" / "team.png")
    (folder / "pics" / "team.png").write_bytes(PNG + b"\0" * MAX_IMAGE_BYTES)
    assert image_file(deck, "pics/team.png") is None
    (folder / "pics" / "map of us.svg").unlink()
    assert client.get(url(pictured, "pics/map of us.svg")).status_code == 404


def test_media_addresses_are_quoted_and_a_preview_may_give_its_own():
    assert media_url("K7QM2X", "pics/map of us.svg") == "/j/K7QM2X/media/pics/map%20of%20us.svg"
    assert media_src({"code": "K7QM2X"}, "a#b?.png") == "/j/K7QM2X/media/a%23b%3F.png"
    assert media_src({"code": "", "media_prefix": "/preview/media/"}, "p/x y.png") == \
        "/preview/media/p/x%20y.png"


def test_the_projector_loads_the_pictures_from_the_media_route(client, pictured):
    page = client.get(f"/s/{pictured.id}/projector", headers={"X-Workshop-Key":
                                                              pictured.row.facilitator_key})
    html = page.get_data(as_text=True)
    assert f'src="{url(pictured, "pics/map of us.svg")}"' in html
    assert 'alt="A map"' in html
