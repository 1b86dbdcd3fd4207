"""Write a deck as Markdown or YAML, without loss: reading the result gives the same deck.

Both writers take the deck's tree: the mapping a YAML deck holds (what `yaml_lines.load`
or `deck_markdown.markdown_tree` returns; plain dicts and lists do too). Whatever the
Markdown body cannot say exactly (a text with three blank lines in a row, a title over two
lines, a key of a kind added later) goes into the slide's header comment as YAML, so
nothing is ever lost; `kind` is written only where it cannot be inferred.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Mapping, Sequence

from . import yaml_lines, yaml_write
from .deck import Deck, DeckError
from .deck_file import MARKDOWN_SUFFIXES
from .deck_markdown import MarkdownReader
from .markdown_slide import FENCE, escape, infer_kind
from .deck_tree import deck_tree

BODY = ("title", "subtitle", "images", "quote", "attribution", "bullets", "text", "story",
        "poll", "tips_title", "tips", "notes")  # what the Markdown body can say, in order


def to_markdown(tree: Mapping | Deck, comments: Sequence[str] = ()) -> str:
    """Return a deck as tidy Markdown.

    `tree` is a Deck, or a deck in the YAML format's shape: a mapping of the deck's settings (title,
    subtitle, speaker, source, language, minutes, names, moderate) and `slides`, a list of
    mappings each with `kind` and that kind's keys: title, subtitle, bullets (strings; a list
    right after a bullet holds its sub-bullets), quote, attribution, text, story, tips_title,
    tips, notes, minutes, images (a list of {src, alt, phone}) and poll (a mapping with id,
    type, question and the type's keys). Text may hold inline Markdown (**bold**, links).
    Keys with no value to say may be left out; a deck that `check` refuses may still be
    written (the result then shows the same problems). `comments`: lines starting with '#'
    to put at the top of the front matter (credits, say).
    """
    if isinstance(tree, Deck):
        tree = deck_tree(tree)
    settings = {k: v for k, v in tree.items() if k != "slides"}
    front = "\n".join(["---", *comments, *yaml_write.block(settings, 0, yaml_write.TOP_ORDER),
                       "---"]) + "\n\n"
    slides = list(tree.get("slides") or [])
    headers = [set() for _ in slides]
    while True:  # put a slide's keys in its header until the whole deck reads back the same
        texts = [slide_markdown(s, i == 0, headers[i]) for i, s in enumerate(slides)]
        text = front + "\n\n---\n\n".join(texts) + "\n"
        back = _read(text)
        wrong = [i for i, s in enumerate(slides)
                 if back is None or i >= len(back) or not _same(back[i], s)]
        if not wrong or all(headers[i] >= set(slides[i]) for i in wrong):
            return text
        for i in wrong:
            headers[i] = set(slides[i])


def to_yaml(tree: Mapping | Deck, comments: Sequence[str] = ()) -> str:
    """Return a deck (a Deck or its tree, as for to_markdown) as a tidy YAML deck."""
    if isinstance(tree, Deck):
        tree = deck_tree(tree)
    return "".join(c + "\n" for c in comments) + yaml_write.deck_yaml(tree)


def slide_markdown(slide: Mapping, first: bool, header: set | None = None) -> str:
    """Return one slide as Markdown; keys in `header` (and any the body cannot say exactly)
    go in its header comment."""
    header = set(header or ()) | {k for k in slide if k not in BODY and k != "kind"}
    while True:
        body = {k: v for k, v in slide.items() if k not in header and k != "kind"}
        text = _compose(slide, body, first, header)
        back = _read_slide(text, first)
        if back is None or set(back) - {"kind"} != set(slide) - {"kind"} \
                or ("kind" in slide and back.get("kind") != slide["kind"]):
            bad = set(body)
        else:
            bad = {k for k in body if not _same(back[k], slide[k])}
        if not bad:
            return text
        header |= bad


def _compose(slide: Mapping, body: Mapping, first: bool, header: set) -> str:
    kind = slide.get("kind")
    keys = set(slide) - {"kind"}
    head = {k: slide[k] for k in slide if k in header}
    if "kind" in slide and (infer_kind(keys, first) != kind or not isinstance(kind, str)):
        head = {"kind": kind, **head}
    out = []
    comment = ""
    if head:
        lines = yaml_write.block(head, 0, yaml_write.SLIDE_ORDER, comment_safe=True,
                                 orders={"poll": yaml_write.POLL_ORDER})
        comment = (f"<!-- {lines[0]} -->" if len(lines) == 1
                   else "<!--\n" + "\n".join(lines) + "\n-->")
    heads = [f"# {escape(str(body['title']))}" if "title" in body else "",
             f"## {escape(str(body['subtitle']))}" if "subtitle" in body else ""]
    if any(heads):
        out.append("\n".join(h for h in heads if h))
    if "quote" in body:
        quote = escape(str(body["quote"]).strip())
        if "attribution" in body:
            quote += "\n\n— " + str(body["attribution"]).strip()
        out.append("\n".join(("> " + ln).rstrip() for ln in quote.split("\n")))
    if "bullets" in body:
        out.append(_list(body["bullets"]))
    for key in ("text", "story"):
        if key in body:
            out.append(escape(str(body[key]).strip()))
    if "images" in body:
        out.append("\n".join(_image(i) for i in body["images"]))
    if "poll" in body:
        lines = yaml_write.block(body["poll"], 0, yaml_write.POLL_ORDER)
        ticks = max([3] + [len(m.group(1)) + 1 for ln in lines if (m := FENCE.match(ln))])
        out.append("`" * ticks + "poll\n" + "\n".join(lines) + "\n" + "`" * ticks)
    if "tips_title" in body:
        out.append(f"### {escape(str(body['tips_title']))}")
    if "tips" in body:
        out.append(_list(body["tips"]))
    if "notes" in body:
        out.append("Notes:\n" + str(body["notes"]).strip())
    if comment:  # right above the slide's first line
        return comment + ("\n" + out[0] if out else "") + "".join("\n\n" + p for p in out[1:])
    return "\n\n".join(out)


def _list(items) -> str:
    lines = []
    for item in items:
        if isinstance(item, list):
            lines += ["  " + ln for ln in _list(item).split("\n")]
        else:
            text = escape(str(item).strip())
            lines.append("- " + text.replace("\n", "\n  "))
    return "\n".join(lines)


def _image(image) -> str:
    if not isinstance(image, Mapping):
        return "![]()"
    src, alt = str(image.get("src", "")), str(image.get("alt", ""))
    alt = re.sub(r"([\[\]\\])", r"\\\1", alt)
    if re.search(r"[\s()<>]", src):
        src = "<" + src + ">"
    title = ' "phone"' if image.get("phone") is True else ""
    return f"![{alt}]({src}{title})"


def _read(text: str):
    reader = MarkdownReader("<written>")
    try:
        tree = reader.read(text)
    except RecursionError:
        return None
    return None if reader.problems else tree.get("slides")


def _read_slide(text: str, first: bool):
    lead = "---\ntitle: x\n---\n\n" + ("" if first else "# x\n\n---\n\n")
    slides = _read(lead + text + "\n")
    want = 1 if first else 2
    return slides[-1] if slides is not None and len(slides) == want else None


def _same(a, b) -> bool:
    """Tell whether two tree values are the same deck content (text compared stripped)."""
    if isinstance(a, str) and isinstance(b, str):
        return a.strip() == b.strip()
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return set(a) == set(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def read_tree(path: str | Path):
    """Return a deck file's tree (YAML or Markdown, by its suffix); DeckError on a problem.
    The deck itself is checked first, so only a valid deck is converted."""
    from .deck_file import load_deck
    from .deck_markdown import markdown_tree
    load_deck(path)
    text = Path(path).read_text(encoding="utf-8-sig")
    if Path(path).suffix.lower() in MARKDOWN_SUFFIXES:
        return markdown_tree(text, str(path))
    return yaml_lines.load(text)


def convert(path: str | Path, out_suffix: str) -> str:
    """Return the deck at `path` written in the format of `out_suffix` ('.md' or '.yaml')."""
    tree = read_tree(path)
    comments = leading_comments(Path(path).read_text(encoding="utf-8-sig"))
    if out_suffix.lower() in MARKDOWN_SUFFIXES:
        return to_markdown(tree, comments)
    if out_suffix.lower() in (".yaml", ".yml"):
        return to_yaml(tree, comments)
    raise DeckError([f"{out_suffix}: write a .md or a .yaml deck"])


def leading_comments(text: str) -> list[str]:
    """Return the '#' comment lines a deck file starts with (in a Markdown deck, its front
    matter starts with), so a conversion keeps its credits."""
    lines = text.splitlines()
    if lines and lines[0].strip() == "---":
        lines = lines[1:]
    out = []
    for line in lines:
        if not line.startswith("#"):
            break
        out.append(line.rstrip())
    return out
