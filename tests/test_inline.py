"""Inline Markdown in deck texts: parsed once, set on the pages and in the PDFs, hostile text kept text."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from handouts.handout import build_handouts
from handouts.text import inline_markup
from workshop.deck_file import load_deck
from workshop.inline import Run, plain, runs, to_html

HOSTILE = "<script>alert(1)</script> R&D <b>not bold</b> &amp;"


def test_emphasis_code_and_links_become_runs():
    assert runs("a **strong** *em* `x<y>` [the text](http://example.com) end") == (
        Run("a "), Run("strong", bold=True), Run(" "), Run("em", italic=True), Run(" "),
        Run("x<y>", code=True), Run(" the text end"))
    assert runs("***both***") == (Run("both", bold=True, italic=True),)


def test_text_without_markdown_is_one_run_as_written():
    assert runs("Trust, a common goal, growing talent") == (Run("Trust, a common goal, growing talent"),)
    assert runs("") == ()


def test_raw_html_entities_and_addresses_stay_text():
    assert plain(HOSTILE) == HOSTILE
    assert plain("<http://x.example>") == "<http://x.example>"
    assert plain(r"\*not em\*, 5 * 3 * 2, snake_case_name") == "*not em*, 5 * 3 * 2, snake_case_name"


def test_wrapped_lines_join_with_a_space_but_not_between_chinese():
    assert plain("one\ntwo") == "one two"
    assert plain("领导者\n的角色") == "领导者的角色"
    assert plain("领导 **leader**\n是") == "领导 leader 是"


def test_html_is_escaped_with_only_our_tags():
    html = to_html(f"**Trust** {HOSTILE} `<i>`")
    assert html.startswith("<strong>Trust</strong> &lt;script&gt;alert(1)&lt;/script&gt; R&amp;D "
                           "&lt;b&gt;not bold&lt;/b&gt; &amp;amp;")
    assert html.endswith("<code>&lt;i&gt;</code>")
    assert "<script" not in html and "<b>" not in html and "<i>" not in html


def test_pdf_markup_is_escaped_with_bold_italic_and_code():
    out = inline_markup(f"**Trust** *now* `code` {HOSTILE}")
    assert out.startswith("<b>Trust</b> <i>now</i> <font backColor=")
    assert "&lt;script&gt;" in out and "R&amp;D" in out and "&lt;b&gt;not bold" in out
    assert "<script" not in out and "<b>not" not in out


@pytest.fixture
def marked_deck(tmp_path):
    path = tmp_path / "deck.yaml"
    path.write_text(f"""title: Marks
slides:
  - kind: bullets
    title: Ideas
    bullets:
      - "**Trust** comes *first*"
      - "`git log` and [the guide](http://example.com)"
      - "{HOSTILE.replace('"', '')}"
  - kind: text
    title: Words
    text: |
      A paragraph with **strong
      words** wrapped.
  - kind: quote
    quote: "Leaders *grow* leaders"
    attribution: A. Person
""", encoding="utf-8")
    return load_deck(path)


def pdf_words(data: bytes) -> tuple[str, list[tuple[str, str]]]:
    """Return the PDF's text and (text, font) pieces."""
    reader = PdfReader(io.BytesIO(data))
    pieces: list[tuple[str, str]] = []

    def visit(text, cm, tm, font, size):
        if text.strip() and font:
            pieces.append((text.strip(), str(font.get("/BaseFont", ""))))
    text = "".join(page.extract_text(visitor_text=visit) for page in reader.pages)
    return text, pieces


def test_handouts_set_the_marks_and_never_print_them(marked_deck):
    text, pieces = pdf_words(build_handouts(marked_deck, invariant=True))
    assert "**" not in text and "`" not in text and "](" not in text
    assert "Trust comes first" in text.replace("\n", " ")
    assert "git log and the guide" in text
    assert "<script>alert(1)</script> R&D <b>not bold</b> &amp;" in text
    fonts_of = {}
    for piece, font in pieces:
        fonts_of.setdefault(piece, set()).add(font)
    assert any("Bold" in f for f in fonts_of.get("Trust", ())), fonts_of
    assert any("Italic" in f for f in fonts_of.get("first", ())), fonts_of


def test_the_projector_sets_the_marks_and_escapes_the_rest(client, rooms, marked_deck):
    room = rooms.create(marked_deck, marked_deck.path)
    html = client.get(f"/s/{room.id}/projector",
                      headers={"X-Workshop-Key": room.row.facilitator_key}).get_data(as_text=True)
    assert "<li><strong>Trust</strong> comes <em>first</em></li>" in html
    assert "<code>git log</code> and the guide" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; R&amp;D &lt;b&gt;not bold&lt;/b&gt;" in html
    assert "<p>A paragraph with <strong>strong words</strong> wrapped.</p>" in html
    assert "Leaders <em>grow</em> leaders" in html
    assert "**" not in html and "alert(1)</script>" not in html
