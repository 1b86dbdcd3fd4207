"""The language table: both languages complete, every key the pages and PDFs use defined,
one wording for a word the phone and the paper both show, negotiation."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from handouts.labels import PAGE_WORDS, Labels
from workshop import languages as i18n

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
JS = ROOT / "server" / "static" / "js"
HANDOUTS = ROOT / "handouts"
PLACEHOLDER = re.compile(r"\{(\w*)\}")
CJK = re.compile(r"[\u3400-\u9fff]")

# keys the pages build at run time, e.g. t(`status.${status}`)
DYNAMIC = {
    "status": ("pending", "open", "closed", "hidden", "revealed"),
    "phone.status": ("pending", "open", "closed"),
    "kind": ("title", "section", "bullets", "quote", "text", "poll", "scenario"),
    "type": ("choice", "scale", "ranking", "open"),
    "con.pace": ("on_time", "ahead", "behind"),
    "con.dl": ("summary", "handouts", "export_csv", "export_json"),
    "conn": ("connecting", "connected", "reconnecting", "offline", "refused"),
    "conn.error": ("bad_auth", "unknown_session", "forbidden", "rate_limited"),
    "phone.incomplete": ("choice", "scale", "ranking", "open"),
    # every error code of `answer` in docs/protocol.md
    "phone.error": ("bad_payload", "unknown_poll", "poll_not_open", "no_change", "bad_value",
                    "unknown_option", "too_many", "out_of_range", "bad_ranking", "empty",
                    "too_long", "rate_limited", "generic", "timeout"),
    "error.status": ("401", "403", "404", "429", "500"),
}


def load(lang: str) -> dict:
    return json.loads((ROOT / "workshop" / "i18n" / f"{lang}.json").read_text(encoding="utf-8"))


def used_keys() -> set[str]:
    """Return every literal key the templates and scripts look up."""
    keys = set()
    for path in TEMPLATES.glob("*.html"):
        text = path.read_text(encoding="utf-8")
        keys |= set(re.findall(r"strings\[['\"]([\w.]+)['\"]\]", text))
    for path in JS.glob("*.js"):
        text = path.read_text(encoding="utf-8")
        keys |= set(re.findall(r"\bt\(\s*\"([\w.]+)\"", text))
    for prefix, names in DYNAMIC.items():
        keys |= {f"{prefix}.{name}" for name in names}
    return keys


def printed_keys() -> set[str]:
    """Return the table key of every word the PDF builders look up through Labels."""
    names = set()
    for path in HANDOUTS.glob("*.py"):
        names |= set(re.findall(r"\blabels\(\s*[\"']([\w.]+)[\"']", path.read_text(encoding="utf-8")))
    names.add("homework")  # Labels.group
    return {PAGE_WORDS.get(name) or i18n.PRINT_ONLY + name for name in names}


def test_both_languages_have_the_same_keys():
    assert set(load("en")) == set(load("zh"))


def test_no_string_is_empty():
    for lang in i18n.SUPPORTED:
        empty = [key for key, value in load(lang).items() if not str(value).strip()]
        assert not empty, f"{lang}: {empty}"


def test_translations_keep_the_same_placeholders():
    en, zh = load("en"), load("zh")
    for key, text in en.items():
        assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(zh[key])), key


def test_chinese_strings_are_chinese():
    zh = load("zh")
    latin_only = [k for k, v in zh.items() if not CJK.search(v)
                  and PLACEHOLDER.sub("", v).strip(" ·✓/") not in ("", "Workshop Kit")]
    assert latin_only == []


def test_every_key_the_pages_use_is_defined():
    missing = sorted(used_keys() - set(load("en")))
    assert missing == []


def test_every_word_the_pdfs_print_is_defined():
    assert len(printed_keys()) > 40
    assert sorted(printed_keys() - set(load("en"))) == []


def test_every_print_only_word_is_used():
    unused = {k for k in load("en") if k.startswith(i18n.PRINT_ONLY)} - printed_keys()
    assert sorted(unused) == []


def test_a_word_on_paper_is_the_same_word_on_the_phone():
    for lang in i18n.SUPPORTED:
        labels, page = Labels(lang), i18n.strings(lang)
        assert labels("correct") == page["chart.correct"]
        assert labels("mean") == page["chart.mean"] and labels("median") == page["chart.median"]
        assert labels("terms") == page["chart.terms"] and labels("tips") == page["proj.tips"]
        assert labels("avg_rank", rank="1.50") == page["chart.avg_rank"].format(rank="1.50")
        for kind in ("choice", "scale", "ranking", "open"):
            poll = type("Poll", (), {"type": kind, "multiple": False})
            assert labels.poll_type(poll) == page[f"type.{kind}"]
        answered = page["chart.answered_of"].format(n=3, m=4)
        assert labels("answered_of", n=3, joined=4, rate="75%").startswith(answered)


def test_no_print_only_word_repeats_a_page_string():
    """A word both show is the page's string (Labels.PAGE_WORDS), never a copy that can drift.

    Capitals count: the takeaway's heading "Your answer" is not the phone's bar mark "your answer".
    """
    for lang in i18n.SUPPORTED:
        table = load(lang)
        page = {v.strip(" .。") for k, v in table.items() if not k.startswith(i18n.PRINT_ONLY)}
        repeats = [k for k, v in table.items()
                   if k.startswith(i18n.PRINT_ONLY) and v.strip(" .。") in page]
        assert repeats == [], lang


def test_deck_languages_are_read_one_way():
    assert [Labels(tag).lang for tag in ("zh-CN", "zh_Hans", "ZH", "en-GB", "fr", "", None)] == \
        ["zh", "zh", "zh", "en", "en", "en", "en"]
    assert i18n.of("zh-Hant-TW") == "zh" and i18n.of("de") == "en"


def test_strings_returns_every_page_key_for_each_language():
    page_keys = {k for k in load("en") if not k.startswith(i18n.PRINT_ONLY)}
    for lang in i18n.SUPPORTED:
        table = i18n.strings(lang)
        assert set(table) == page_keys  # the print-only words are not sent to every phone
    assert i18n.strings("zh")["phone.submit"] == "提交"
    assert i18n.strings("fr") == i18n.strings("en")
    assert i18n.t("zh", "pdf.handout") == "讲义"


def test_strings_are_read_once():
    i18n._table.cache_clear()
    i18n.strings("zh")
    i18n.strings("zh")
    i18n.t("en", "phone.submit")
    assert i18n._table.cache_info().misses == 2


def test_t_formats_its_arguments():
    assert i18n.t("en", "chart.answered_of", n=3, m=10) == "3 of 10 answered"
    assert i18n.t("zh", "chart.answered_of", n=3, m=10) == "10 人中 3 人已作答"


def test_t_falls_back_to_english_for_a_key_missing_in_chinese(monkeypatch):
    tables = {"en": {"only.en": "English {x}"}, "zh": {}}
    monkeypatch.setattr(i18n, "_table", lambda lang: tables[lang])
    assert i18n.t("zh", "only.en", x=1) == "English 1"


def test_t_raises_for_a_key_missing_everywhere():
    with pytest.raises(KeyError):
        i18n.t("en", "no.such.key")
    with pytest.raises(KeyError):
        i18n.t("zh", "no.such.key")


@pytest.mark.parametrize("header, override, expected", [
    (None, None, "en"),
    ("", None, "en"),
    ("zh-CN,zh;q=0.9,en;q=0.8", None, "zh"),
    ("zh-Hant-TW", None, "zh"),
    ("zh_CN", None, "zh"),
    ("en-GB,en;q=0.9", None, "en"),
    ("fr-FR,fr;q=0.9,zh;q=0.5,en;q=0.4", None, "zh"),
    ("en;q=0.5,zh;q=0.9", None, "zh"),
    ("zh;q=0,en;q=0.1", None, "en"),
    ("de,fr", None, "en"),
    ("zh-CN", "en", "en"),
    ("en-US", "zh", "zh"),
    ("en-US", "zh-TW", "zh"),
    ("zh-CN", "klingon", "zh"),
    ("en;q=abc,zh", None, "zh"),
])
def test_negotiate(header, override, expected):
    assert i18n.negotiate(header, override) == expected


def test_negotiate_uses_the_default_when_nothing_matches():
    assert i18n.negotiate("de", None, default="zh") == "zh"
    assert i18n.negotiate(None, None, default="zh-CN") == "zh"
    assert i18n.negotiate(None, None, default="xx") == "en"
    assert i18n.negotiate("en", None, default="zh") == "en"
