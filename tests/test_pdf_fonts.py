"""PDF fonts: every face embedded, Chinese drawn by every viewer, every script legible.

pdffonts, pdftotext and pdftoppm come from Debian's poppler-utils (.ci/run installs it): the
tests that need them skip with the reason when it is missing, and fail under CI=true.
"""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pypdf
import pytest
from PIL import Image, ImageStat
from tests.test_handouts import pdf_text, render, ticking_clock

from handouts import build_handouts, build_summary, build_takeaway, fonts, load_results
from handouts.fontfiles import FontFile, FontsMissing
from handouts.text import clean, markup
from workshop.deck_file import load_deck
from workshop.simulate import simulate
from workshop.store import open_store

DECKS = Path(__file__).resolve().parent.parent / "decks"
# One answer per script a participant may type, with its own words in its own script.
SCRIPTS = {
    "latin": "Trust comes first, then café and naïve résumé talk",
    "chinese": "信任最重要，目标要一致",
    "korean": "신뢰가 가장 중요합니다",
    "arabic": "الثقة هي الأهم",
    "hebrew": "האמון הוא הדבר החשוב",
    "hindi": "विश्वास सबसे महत्वपूर्ण है",
    "thai": "ความไว้วางใจสำคัญที่สุด",
    "emoji": "Great team 👍🎉❤",
    "mixed": "(مرحبا) abcمرحبا «שלום» 123",  # words set in two faces, brackets
}


def require_poppler(tool: str) -> str:
    """Return the poppler tool's path; skip without it, or fail under CI=true."""
    path = shutil.which(tool)
    if path:
        return path
    reason = f"{tool} not found: apt-get install poppler-utils"
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def poppler(tool: str, data: bytes, *args: str) -> str:
    """Run a poppler tool on PDF bytes and return what it prints."""
    exe = require_poppler(tool)
    with tempfile.NamedTemporaryFile(suffix=".pdf") as pdf:
        pdf.write(data)
        pdf.flush()
        return subprocess.run([exe, *args, pdf.name, *(["-"] if tool == "pdftotext" else [])],
                              check=True, capture_output=True, text=True, timeout=120).stdout


def embedded(data: bytes) -> list[tuple[str, str]]:
    """Return (font name, emb column) of every font pdffonts lists."""
    lines = poppler("pdffonts", data).splitlines()[2:]
    return [(line.split()[0], line[len(line) - 24:].split()[0]) for line in lines if line.strip()]


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """Return {language: (deck, summary, handouts with results, a takeaway)} of simulated rooms."""
    out = {}
    for language, name in (("en", "leaders-role.yaml"), ("zh", "leaders-role.zh.yaml")):
        deck = load_deck(DECKS / name)
        store = open_store(tmp_path_factory.mktemp(language) / "w.db", clock=ticking_clock())
        sid = simulate(store, deck, DECKS / name, participants=12, seed=3)
        results = load_results(store, deck, sid)
        out[language] = (deck, build_summary(deck, results), build_handouts(deck, results),
                         build_takeaway(deck, results, results.participants[0].id))
        store.close()
    return out


@pytest.mark.slow
@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_font_of_every_report_is_embedded(reports, language):
    deck, *pdfs = reports[language]
    for data in pdfs:
        listed = embedded(data)
        assert listed, "pdffonts lists no font"
        assert [name for name, emb in listed if emb != "yes"] == []
        assert all("+" in name for name, _ in listed), listed  # subsets: ABCDEF+Name


@pytest.mark.slow
@pytest.mark.parametrize("language", ["en", "zh"])
def test_no_report_prints_a_character_its_face_lacks(reports, language):
    # a character missing from the face it is set in is printed as glyph 0 (an empty box),
    # which extracts as U+0000
    deck, *pdfs = reports[language]
    for data in pdfs:
        assert "\x00" not in pdf_text(data)


@pytest.mark.slow
def test_poppler_extracts_the_chinese_title_of_the_chinese_summary(reports):
    deck, summary, *_ = reports["zh"]
    assert deck.title == "领导者的角色"
    assert deck.title in "".join(poppler("pdftotext", summary).split())


def chinese_ink(image: Image.Image, box) -> float:
    """Return the grey-level variance inside a box of a rendered page: 0 when blank."""
    return ImageStat.Stat(image.convert("L").crop(box)).var[0]


def title_box(data: bytes, title: str, scale: float):
    """Return the pixel box of the first line of the cover page that holds `title`."""
    page = pypdf.PdfReader(io.BytesIO(data)).pages[0]
    spots = []

    def visit(text, cm, tm, font, size):
        if title[:2] in text:
            spots.append((tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5], size * cm[3]))

    page.extract_text(visitor_text=visit)
    assert spots, f"{title!r} is not on the cover"
    x, y, size = spots[0]
    height = float(page.mediabox.height)
    return (int(x * scale), int((height - y - size) * scale),
            int((x + size * len(title)) * scale), int((height - y + size * 0.2) * scale))


@pytest.mark.slow
def test_chinese_text_has_ink_in_poppler_and_in_pdfium(reports, tmp_path):
    deck, summary, *_ = reports["zh"]
    box = title_box(summary, deck.title, scale=100 / 72)
    exe = require_poppler("pdftoppm")
    (tmp_path / "s.pdf").write_bytes(summary)
    subprocess.run([exe, "-r", "100", "-f", "1", "-l", "1", "-png", str(tmp_path / "s.pdf"),
                    str(tmp_path / "page")], check=True, timeout=120)
    poppler_page = Image.open(next(tmp_path.glob("page*.png")))
    pdfium_page = render(summary, pages=[0], scale=100 / 72)[0]
    for image in (poppler_page, pdfium_page):
        assert chinese_ink(image, box) > 500, "the Chinese title is blank"


def test_every_script_a_participant_types_has_a_face():
    for script, text in SCRIPTS.items():
        printed = clean(text)
        assert fonts.PLACEHOLDER not in printed, script
        assert all(fonts.coverage(ch) for ch in printed if not ch.isspace()), script


def test_each_script_is_set_in_its_own_face():
    assert fonts.runs("ab 中文 한국 عربي")[0] == (fonts.LATIN, "ab ")
    kinds = [kind for kind, _ in fonts.runs("ab中文한국어عربيहिन्दीไทย👍")]
    assert kinds == [fonts.LATIN, fonts.CHINESE, "hangul", "arabic", "devanagari", "thai",
                     "emoji"]


def test_punctuation_inside_an_arabic_word_stays_in_the_arabic_face():
    # HarfBuzz shapes a word with one face: a Latin comma there would cut it off its letters
    assert fonts.runs("مرحبا، عالم") == [("arabic", "مرحبا،"), (fonts.LATIN, " "),
                                         ("arabic", "عالم")]


def glyphs_of(markup_text: str):
    """Return (font name, glyph id) of every character a paragraph of markup lays out."""
    from reportlab.pdfbase import pdfmetrics

    from handouts.styles import marked
    paragraph = marked(markup_text)
    paragraph.wrap(400, 1000)
    for line in paragraph.blPara.lines:
        for frag in line.words:
            face = pdfmetrics.getFont(frag.fontName).face
            for ch in frag.text:
                if not ch.isspace():
                    yield frag.fontName, face.charToGlyph.get(ord(ch), 0)


@pytest.mark.parametrize("text", ["(مرحبا) abcمرحبا «שלום» 123", "विश्वास (सबसे)", "ไทย!"])
def test_a_word_in_two_faces_is_shaped_face_by_face_with_no_empty_box(text):
    # ReportLab shaped a whole word with its first piece's face: glyph 0 for the others
    assert [(font, gid) for font, gid in glyphs_of(markup(text)) if gid == 0] == []


def test_right_to_left_words_come_in_visual_order_each_still_logical():
    assert fonts.visual("שלום עולם") == "עולם שלום"
    assert fonts.visual("I said שלום עולם today") == "I said עולם שלום today"
    assert fonts.visual("plain text") == "plain text"


def test_brackets_in_right_to_left_text_face_the_right_way():
    # the bracket that opens a right-to-left phrase is on its right, drawn as "("'s mirror
    assert fonts.visual("(مرحبا)") == "(مرحبا)"
    assert fonts.visual("(מרחבא) [x]") == "[x] (מרחבא)"
    assert fonts.visual("I said (שלום) ok") == "I said (שלום) ok"


def test_chinese_in_a_bold_heading_is_set_in_the_bold_chinese_face():
    bold = fonts.embolden(markup("Hi 你好"), fonts.SANS_BOLD)
    assert f'name="{fonts.face(fonts.CHINESE, bold=True)}"' in bold
    assert fonts.embolden(markup("Hi 你好"), fonts.SANS) == markup("Hi 你好")
    inside_b = fonts.embolden(f"<b>{markup('你好')}</b> {markup('你好')}", fonts.SANS)
    assert inside_b.count(fonts.face(fonts.CHINESE, bold=True)) == 1


@pytest.mark.slow
def test_answers_in_every_script_print_with_ink_and_no_placeholder(tmp_path):
    deck = load_deck(DECKS / "leaders-role.yaml")
    store = open_store(tmp_path / "w.db", clock=ticking_clock())
    sid = simulate(store, deck, DECKS / "leaders-role.yaml", participants=4, seed=1)
    open_poll = next(p for p in deck.polls.values() if p.type == "open")
    state = store.state(sid)  # simulate closed every poll: a closed poll takes no answer
    store.save_state(sid, state.but(polls={**state.polls, open_poll.id: ("open", True)}))
    people = []
    for n, text in enumerate(SCRIPTS.values()):
        person = store.add_participant(sid, f"token-script-{n:04d}", f"Writer {n}")
        store.save_answer(sid, open_poll.id, person.id, text)
        people.append(person)
    results = load_results(store, deck, sid)
    readable = {"latin", "chinese", "korean", "emoji"}
    # shaped glyphs (Arabic joining forms, Devanagari conjuncts) do not extract as the letters
    # typed: test_every_character_of_every_script_is_in_the_face_its_run_is_set_in covers them
    summary_pdf = build_summary(deck, results)
    assert "\x00" not in pdf_text(summary_pdf)  # no glyph 0: no character outside its face
    summary = "".join(poppler("pdftotext", summary_pdf).split())
    for script in readable:
        assert "".join(SCRIPTS[script].split()) in summary, script
    assert fonts.PLACEHOLDER not in summary
    for person, (script, answer) in zip(people, SCRIPTS.items()):
        data = build_takeaway(deck, results, person.id)
        text = "".join(poppler("pdftotext", data).split())
        assert fonts.PLACEHOLDER not in text
        if script in readable:
            assert "".join(answer.split()) in text, script
        assert [name for name, emb in embedded(data) if emb != "yes"] == []
    store.close()


def test_every_character_of_every_script_is_in_the_face_its_run_is_set_in():
    for script, text in SCRIPTS.items():
        for kind, segment in fonts.runs(fonts.visual(clean(text))):
            missing = [ch for ch in segment if not fonts.covers(kind, ch)]
            assert missing == [], (script, kind)


def test_missing_font_packages_say_what_to_do_in_one_line():
    with pytest.raises(FontsMissing, match=r"^the PDF fonts are missing .*make install") as info:
        FontFile("no_such_font_package", "NotoSans[wght].ttf").source
    assert "\n" not in str(info.value)


def test_the_commands_turn_missing_fonts_into_one_line_and_exit_1(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from server.cli import handouts_cmd

    def missing(*args, **kwargs):
        raise FontsMissing("the PDF fonts are missing (manimgx-fonts/x.ttf): run `make install`")

    monkeypatch.setattr("handouts.build_handouts", missing)
    result = CliRunner().invoke(handouts_cmd, [str(DECKS / "leaders-role.yaml"), "-o",
                                               str(tmp_path / "h.pdf")])
    assert result.exit_code == 1
    assert result.output.strip() == \
        "Error: the PDF fonts are missing (manimgx-fonts/x.ttf): run `make install`"


def test_static_instances_are_named_for_their_weight():
    from fontTools.ttLib import TTFont

    regular = TTFont(FontFile("justmytype_intl_cjk", fonts._SC, 400).path(), lazy=True)
    bold = TTFont(FontFile("justmytype_intl_cjk", fonts._SC, 700).path(), lazy=True)
    assert regular["name"].getDebugName(6) == "NotoSansSC-Regular"
    assert bold["name"].getDebugName(6) == "NotoSansSC-Bold"
    assert bold["OS/2"].usWeightClass == 700
