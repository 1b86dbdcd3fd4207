"""The escaping helpers: ReportLab markup that prints literally, CSV cells that never run."""
from __future__ import annotations

import pytest

from handouts import fonts
from handouts.text import clean, csv_cell, markup, paragraphs, shorten


@pytest.mark.parametrize("raw, expected", [
    ("<b>x</b>", "&lt;b&gt;x&lt;/b&gt;"),
    ("&amp;", "&amp;amp;"),
    ("<img src=x>", "&lt;img src=x&gt;"),
    ('<font color="red">', '&lt;font color="red"&gt;'),
    ("a\nb", "a<br/>b"),
])
def test_markup_escapes_tags_entities_and_keeps_line_breaks(raw, expected):
    assert markup(raw) == expected


def test_markup_puts_chinese_runs_in_the_cjk_font_and_escapes_them_too():
    assert markup("Hi 你好 <b>") == (f'Hi <font name="{fonts.CJK}">你好</font> &lt;b&gt;')


def test_markup_collapses_whitespace_when_asked():
    assert markup("a \n\n  b", newlines=False) == "a b"


def test_clean_replaces_lone_surrogates_and_drops_control_characters():
    assert clean("a\ud800b") == "a\ufffdb"  # U+FFFD: Noto Sans draws it
    assert clean("nul\x00 bell\x07 esc\x1b") == "nul bell esc"
    assert clean("tab\there") == "tab here"


def test_clean_drops_bidi_overrides_and_zero_width_marks():
    assert clean("abc\u202edcba\u202c") == "abcdcba"
    assert clean("a\u200bb\u200cc\u200dd\ufeffe") == "abcde"


def test_clean_keeps_emoji_and_drops_the_joiners_of_a_sequence():
    # Noto Emoji draws each one in black and white; a family prints as its members
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert clean(f"hi \U0001f600 {family} \U0001f44d\U0001f3fd\ufe0f!") == \
        "hi \U0001f600 \U0001f468\U0001f469\U0001f467 \U0001f44d\U0001f3fd\ufe0f!"


def test_clean_keeps_what_our_fonts_can_draw():
    text = "café naïve – “quotes” € αβγ жизнь ✓ 中文 かな"
    assert clean(text) == text


def test_clean_keeps_every_script_a_participant_types():
    text = "한국어 עברית العربية हिन्दी ไทย"
    assert clean(text) == text


def test_clean_prints_characters_no_font_has_as_placeholders():
    assert clean("cuneiform \U00012000\U00012001 end") == "cuneiform □□ end"
    assert clean("x \U00012000\u200d\U00012001 y") == "x □ y"  # a joined cluster is one □


def test_runs_split_latin_and_chinese():  # every script: tests/test_pdf_fonts.py
    assert fonts.runs("ab中文cd") == [(fonts.LATIN, "ab"), (fonts.CHINESE, "中文"),
                                      (fonts.LATIN, "cd")]


@pytest.mark.parametrize("raw", ['=HYPERLINK("http://x")', "+1", "-1+2", "@SUM(A1)", "\tx", "\rx",
                                 "\ufeff=1+1", "\u200b=1+1", "\u200b\u2060+1", " \u200d@SUM(A1)"])
def test_csv_cell_neutralises_anything_a_spreadsheet_could_run(raw):
    assert csv_cell(raw) == "'" + raw


@pytest.mark.parametrize("raw, expected", [
    ("plain", "plain"), ("a=b", "a=b"), (-3, "-3"), (2.5, "2.5"), (None, ""),
    ("lone \ud800", "lone \ufffd"), ("bell\x07", "bell"), ("two\nlines", "two\nlines"),
])
def test_csv_cell_keeps_plain_text_and_numbers(raw, expected):
    assert csv_cell(raw) == expected


def test_paragraphs_join_wrapped_lines_without_spaces_between_chinese():
    assert paragraphs("one\ntwo\n\nthree") == ["one two", "three"]
    assert paragraphs("领导者\n帮助别人") == ["领导者帮助别人"]


def test_shorten_cuts_long_text_with_an_ellipsis():
    assert shorten("abcdef", 4) == "abc…"
    assert shorten("abc", 4) == "abc"
