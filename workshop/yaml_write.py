"""Write a deck's tree as tidy YAML, in the style of decks/leaders-role.yaml.

Every scalar is written in the plainest form that reads back as the same value (checked by
reading it back with yaml_lines): plain, a `>-` folded paragraph for long text, a `|-` block
for text with line breaks, or a double-quoted string.
"""
from __future__ import annotations

import json
from typing import Mapping

import yaml

from . import yaml_lines

WIDTH = 92  # folded text wraps here
LONG = 100  # a line of plain text may run to here before it is folded
SLIDE_ORDER = ("kind", "title", "subtitle", "quote", "attribution", "minutes", "notes", "images",
               "bullets", "text", "story", "poll", "tips_title", "tips")
POLL_ORDER = ("id", "type", "question")
TOP_ORDER = ("title", "subtitle", "speaker", "source", "language", "minutes", "names",
             "moderate", "qa")


def ordered(data: Mapping, order: tuple[str, ...]) -> list[str]:
    """Return the mapping's keys: those named in `order` first, the others as they come."""
    return [k for k in order if k in data] + [k for k in data if k not in order]


def _reads_back(text: str, value) -> bool:
    try:
        return yaml_lines.load("k: " + text.replace("\n", "\n  ") + "\n") == {"k": value}
    except yaml.YAMLError:
        return False


def scalar(value, indent: int = 0, comment_safe: bool = False, cont: int | None = None) -> str:
    """Return a scalar as YAML, after a key or '- ' at column `indent`; lines after the first
    come without the indentation (block() adds it). comment_safe: never '-->' (for a header
    comment in Markdown)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    quoted = json.dumps(text, ensure_ascii=False)
    if comment_safe:
        quoted = quoted.replace("-->", "--\\u003e")
    if comment_safe and "-->" in text:
        return quoted
    fits = len(text) + indent <= LONG
    if "\n" not in text and fits and _reads_back(text, text):
        return text
    if "\n" not in text and not fits and text == text.strip() and "  " not in text \
            and "\t" not in text:
        folded = ">-\n" + "\n".join(_wrap(text, WIDTH - (indent + 2 if cont is None else cont)))
        if _reads_back(folded, text):
            return folded
    if "\n" in text and text == text.strip() and all(ln == ln.rstrip() for ln in text.split("\n")):
        literal = "|\n" + text  # the trailing line break it adds is stripped when read
        if _reads_back(literal, text + "\n"):
            return literal
    return quoted


def _wrap(text: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return lines + [line]


def _key(key) -> str:
    key = str(key)
    return key if _reads_back_key(key) else json.dumps(key, ensure_ascii=False)


def _reads_back_key(key: str) -> bool:
    try:
        return list(yaml_lines.load(f"{key}: 1") or {}) == [key]
    except (yaml.YAMLError, TypeError):
        return False


def block(data, indent: int = 0, order: tuple[str, ...] = (), comment_safe: bool = False,
          orders: Mapping[str, tuple[str, ...]] | None = None) -> list[str]:
    """Return a mapping or list as YAML lines at `indent` spaces."""
    pad = " " * indent
    orders = orders or {}
    out: list[str] = []
    if isinstance(data, Mapping):
        for key in ordered(data, order):
            value = data[key]
            head = f"{pad}{_key(key)}:"
            if isinstance(value, Mapping) and value:
                out.append(head)
                out += block(value, indent + 2, orders.get(key, ()), comment_safe, orders)
            elif isinstance(value, list) and value:
                out.append(head)
                out += block(value, indent + 2, (), comment_safe, orders)
            else:
                out += _lines(head + " ", _empty(value) or scalar(
                    value, len(head) + 1, comment_safe, indent + 2), indent + 2)
        return out
    for item in data:
        if isinstance(item, Mapping) and item:
            inner = block(item, indent + 2, order, comment_safe, orders)
            out.append(pad + "- " + inner[0][indent + 2:])
            out += inner[1:]
        elif isinstance(item, list) and item:
            flow = _flow(item, comment_safe)
            if flow and len(flow) + indent + 2 < WIDTH:
                out.append(f"{pad}- {flow}")
            else:
                inner = block(item, indent + 2, order, comment_safe, orders)
                out.append(pad + "- " + inner[0][indent + 2:])
                out += inner[1:]
        else:
            out += _lines(pad + "- ", _empty(item) or scalar(item, indent + 2, comment_safe,
                                                             indent + 2), indent + 2)
    return out


def _empty(value) -> str:
    if isinstance(value, Mapping) and not value:
        return "{}"
    if isinstance(value, list) and not value:
        return "[]"
    return ""


def _flow(items: list, comment_safe: bool) -> str:
    """Return a short list as `[a, b]` when every item is plain text that reads back."""
    if not all(isinstance(i, str) and i for i in items):
        return ""
    text = "[" + ", ".join(items) + "]"
    if comment_safe and "-->" in text:
        return ""
    try:
        return text if yaml_lines.load("k: " + text) == {"k": items} else ""
    except yaml.YAMLError:
        return ""


def _lines(head: str, text: str, indent: int) -> list[str]:
    first, *rest = text.split("\n")
    return [head + first] + [(" " * indent + ln) if ln else "" for ln in rest]


def deck_yaml(tree: Mapping) -> str:
    """Return a deck's tree (top-level settings and 'slides') as a tidy YAML deck."""
    settings = {k: v for k, v in tree.items() if k != "slides"}
    out = block(settings, 0, TOP_ORDER)
    slides = tree.get("slides")
    if isinstance(slides, list):
        out += ["", "slides:"]
        for i, slide in enumerate(slides):
            if i:
                out.append("")
            out += block([slide], 2, SLIDE_ORDER, orders={"poll": POLL_ORDER})
    elif "slides" in tree:
        out += block({"slides": slides})
    return "\n".join(out) + "\n"
