"""The UI strings: both languages complete, every key the pages use defined, negotiation."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from server import i18n

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
JS = ROOT / "server" / "static" / "js"
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
    return json.loads((ROOT / "server" / "i18n" / f"{lang}.json").read_text(encoding="utf-8"))


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


def test_strings_returns_every_key_for_each_language():
    for lang in i18n.SUPPORTED:
        table = i18n.strings(lang)
        assert set(table) == set(load("en"))
    assert i18n.strings("zh")["phone.submit"] == "提交"
    assert i18n.strings("fr") == i18n.strings("en")


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
