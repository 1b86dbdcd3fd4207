"""Markdown decks: every slide kind and poll type, inferred kinds, sub-bullets, and problems
reported as `PATH:LINE: message` with the Markdown file's own lines."""
from __future__ import annotations

import textwrap
from contextlib import nullcontext

import pytest

from workshop import polltypes
from workshop.deck import SLIDE_KINDS, DeckError
from workshop.deck_file import load_deck, parse_deck
from workshop.deck_file import parse_markdown_deck
from workshop.deck_markdown import markdown_tree
from workshop.markdown_slide import escape, unescape

SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"/>'

DECK = """\
---
title: Test deck
language: en
names: named
moderate: true
---

# Hello
## World

Notes:
Welcome them.

---

# Part one

---

<!-- minutes: 2 -->
# Bullets
- Build **trust** first
  - sub one
  - sub two
- Second, with a [link](https://example.org)

---

> It was my choice
> and duty.
>
> — Randy Ou

---

# Text
Para one
line two.

Para two

![A diagram](pics/a.svg "phone")

---

<!--
minutes: 5
-->
# Scenario

Story here.

```poll
id: s1
type: choice
question: What first?
options: [A, B]
correct: B
```

### Tips
- one
- two

Notes: first line of the notes
more

---

```poll
id: s2
type: scale
question: How?
min: 1
max: 5
left: no
right: yes
```

---

# Put in order

```poll
id: r1
type: ranking
question: Order these
items: [x, y, z]
```

---

```poll
id: o1
type: open
question: Say it
max_length: 100
```

---

![Only a picture](pics/a.svg)

---

<!-- kind: qa -->
# Your questions

---

<!-- {kind: leaderboard, top: 3, activity: [{say: Think alone, minutes: 0.25}]} -->
# Standings
"""


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "pics").mkdir()
    (tmp_path / "pics" / "a.svg").write_text(SVG)
    return tmp_path


def parse(text, folder):
    return parse_markdown_deck(textwrap.dedent(text), "d.md", str(folder))


def problems(text, folder) -> list[str]:
    with pytest.raises(DeckError) as info:
        parse(text, folder)
    return info.value.problems


def test_every_kind_and_poll_type(folder):
    deck = parse(DECK, folder)
    kinds = [s.kind for s in deck.slides]
    assert kinds == ["title", "section", "bullets", "quote", "text", "scenario", "poll", "poll",
                     "poll", "image", "qa", "leaderboard"]
    assert set(kinds) == set(SLIDE_KINDS)
    assert deck.slides[-1].top == 3 and deck.slides[-1].activity[0].say == "Think alone"
    assert {p.type for p in deck.polls.values()} == set(polltypes.names())
    assert (deck.title, deck.language, deck.names, deck.moderate) == ("Test deck", "en",
                                                                        "named", True)
    title, _, bullets, quote, text, scenario, scale, ranking, open_, image, qa, _ = deck.slides
    assert qa.title == "Your questions"
    assert (title.title, title.subtitle, title.notes) == ("Hello", "World", "Welcome them.")
    assert bullets.bullets == ("Build **trust** first", "sub one", "sub two",
                               "Second, with a [link](https://example.org)")
    assert bullets.levels == (0, 1, 1, 0) and bullets.minutes == 2
    assert (quote.quote, quote.attribution) == ("It was my choice\nand duty.", "Randy Ou")
    assert text.text == "Para one\nline two.\n\nPara two"
    assert [(i.src, i.alt, i.phone, i.line) for i in text.images] == [
        ("pics/a.svg", "A diagram", True, 42)]
    assert scenario.story == "Story here." and scenario.tips_title == "Tips"
    assert scenario.tips == ("one", "two") and scenario.minutes == 5
    assert scenario.poll.correct == (1,) and scenario.poll.line == 54
    assert scenario.notes == "first line of the notes\nmore"
    assert (scale.poll.scale_min, scale.poll.left) == (1, "no")
    assert ranking.title == "Put in order" and ranking.poll.items == ("x", "y", "z")
    assert open_.poll.max_length == 100
    assert image.images[0].alt == "Only a picture" and not image.images[0].phone


def test_load_deck_reads_md_files_as_markdown(folder):
    path = folder / "talk.md"
    path.write_text(DECK, encoding="utf-8")
    assert load_deck(path) == parse(DECK, folder)


def test_an_explicit_kind_wins_over_inference(folder):
    deck = parse("""\
        ---
        title: T
        ---

        <!-- kind: section -->
        # Not the title slide

        ---

        <!-- kind: title -->
        # A title slide later
        """, folder)
    assert [s.kind for s in deck.slides] == ["section", "title"]


def test_same_deck_as_yaml(folder):
    yaml_deck = parse_deck(textwrap.dedent("""\
        title: T
        slides:
          - kind: bullets
            title: B
            bullets: [A, [A1, A2], B]
          - kind: quote
            quote: Q
            attribution: Who
        """), "d.yaml", str(folder))
    md_deck = parse("""\
        ---
        title: T
        ---

        # B
        - A
          - A1
          - A2
        - B

        ---

        > Q
        > -- Who
        """, folder)
    assert md_deck == yaml_deck


def test_unknown_keys_have_did_you_mean_and_markdown_lines(folder):
    found = problems("""\
        ---
        title: T
        langauge: en
        ---

        <!-- kind: bulets -->
        # B
        - x

        ---

        <!-- minuts: 2 -->
        # C

        ---

        ```poll
        id: p
        type: choise
        question: Q
        ```

        ---

        ```poll
        id: q
        type: choice
        question: Q
        optoins: [a, b]
        ```
        """, folder)
    assert found == [
        "d.md:3: deck: unknown key 'langauge' (did you mean 'language'?)",
        "d.md:6: slide 1: unknown kind 'bulets' (did you mean 'bullets'?); use one of "
        + ", ".join(SLIDE_KINDS),
        "d.md:12: slide 2 (section): unknown key 'minuts' (did you mean 'minutes'?)",
        "d.md:19: slide 3 (poll) poll: unknown type 'choise' (did you mean 'choice'?); use one "
        "of " + ", ".join(polltypes.names()),
        "d.md:29: slide 4 (poll) poll: unknown key 'optoins' (did you mean 'options'?)",
        "d.md:26: slide 4 (poll) poll: missing 'options'",
    ]


def test_checks_keep_markdown_lines(folder):
    found = problems("""\
        ---
        title: T
        ---

        # A

        ---

        ```poll
        id: dup
        type: scale
        question: Q
        min: 5
        max: 1
        ```

        ---

        ```poll
        id: dup
        type: open
        question: Q
        ```

        ---

        ![](pics/a.svg)

        ![a secret](../../secret.svg)
        """, folder)
    assert found == [
        "d.md:14: slide 2 (poll) poll 'dup': scale 'min' (5) must be below 'max' (1)",
        "d.md:20: slide 3: duplicate poll id 'dup' (first at line 10)",
        "d.md:27: slide 4 (image) image 1: 'alt' is empty",
        "d.md:29: slide 4 (image) image 2: '../../secret.svg' leaves the deck's folder; images "
        "must be inside it",
    ]


@pytest.mark.parametrize("text, expected", [
    ("```poll\nid: p\ntype: open\nquestion: Q\n```\n\n```poll\nid: q\ntype: open\n"
     "question: Q\n```\n", "d.md:11: slide 1: two polls (the first at line 5); a slide asks one"),
    ("# A\n\n---\n\n```poll\nid: p\n\n---\n\n# B\n",
     "d.md:9: this ``` block is never closed; end it with a line ```"),
    ("<!-- kind: poll\n", "d.md:5: this <!-- comment is never closed; end it with -->"),
    ("<!-- just a remark -->\n# A\n", "d.md:5: slide 1: the header comment must hold YAML "
                                      "keys such as 'kind: poll' or 'minutes: 5', not plain text"),
    ("<!-- kind: [poll -->\n# A\n", "d.md:5: slide 1: the header comment is not valid YAML: "
                                    "expected ',' or ']', but got '<stream end>'"),
    ("```poll\nid: p\ntype: scale\n  min: 1\n```\n",
     "d.md:8: slide 1: the poll is not valid YAML: mapping values are not allowed here"),
    ("# A\n- a\n  - b\n    - c\n",
     "d.md:8: slide 1: a list nested in a nested list: sub-bullets have at most two levels"),
    ("# A\n\nSome ![x](pics/a.svg) text\n",
     "d.md:7: slide 1: an image must stand on a line of its own, not inside text"),
    ("# A\n\n```python\nx = 1\n```\n", "d.md:7: slide 1: a ``` block on a slide must be a "
                                      "```poll block holding the poll as YAML"),
    ("<!-- title: X -->\n# A\n",
     "d.md:6: slide 1: 'title' is given twice: in the header comment (line 5) and on the slide"),
    ("# A\n# B\n", "d.md:6: slide 1: two '#' titles (the first at line 5); a slide has one"),
    ("<!-- kind: poll --> # A\n", "d.md:5: slide 1: put nothing after '-->' on its line; the "
                                  "slide starts on the next line"),
    ("#### A\n", "d.md:5: slide 1: a heading with 4 '#': use '#' for the title, '##' for the "
                 "subtitle, '###' for a scenario's tips"),
    ("<div>x</div>\n", "d.md:5: slide 1: HTML is not shown on slides; write Markdown, or put a "
                       "'\\' before the '<'"),
    ("![x](pics/a.svg \"tablet\")\n", "d.md:5: slide 1: an image's title may only be \"phone\" "
                                      "(shown on the phones too), not 'tablet'"),
])
def test_bad_structure_is_one_line_with_its_markdown_line(folder, text, expected):
    assert problems("---\ntitle: T\n---\n\n" + text, folder) == [expected]


@pytest.mark.parametrize("text, expected", [
    ("# A\n", "d.md:1: a Markdown deck starts with its settings between two '---' lines "
              "(title: ..., language: ...)"),
    ("---\ntitle: T\n\n# A\n", "d.md:1: the front matter's '---' is never closed; end the "
                               "deck's settings with a line '---'"),
    ("---\n- a list\n---\n\n# A\n", "d.md:2: the front matter must hold the deck's settings as "
                                    "'key: value' lines (title: ...)"),
    ("---\ntitle: [T\n---\n\n# A\n", None),
    ("   \n\n", "d.md:1: the deck is empty; it needs its settings between '---' lines and at "
               "least one slide"),
])
def test_bad_front_matter(folder, text, expected):
    found = problems(text, folder)
    if expected is None:
        assert len(found) == 1 and found[0].startswith("d.md:2: the front matter is not valid YAML")
    else:
        assert found[0] == expected


def test_inferred_kinds_need_no_header(folder):
    deck = parse("""\
        ---
        title: T
        ---

        # Only a heading: the title slide

        ---

        # Heading and a paragraph

        Text.

        ---

        # A story with a poll

        The story.

        ```poll
        id: p
        type: choice
        question: Q
        options: [a, b]
        ```

        - a tip after the poll, with no tips title
        """, folder)
    assert [s.kind for s in deck.slides] == ["title", "text", "scenario"]
    assert deck.slides[2].tips == ("a tip after the poll, with no tips title",)


@pytest.mark.parametrize("line", [
    "# not a heading", "- not a bullet", "> not a quote", "1. not a list", "---", "===",
    "```", "<!-- not a comment -->", "Notes: not the notes", "— not an attribution",
    "![not](an image.png)", "[not]: a link definition", "    indented", "\\# a backslash",
    "\\\\# two backslashes", "***", "+ plus", "2) two",
    "\\" * 5000 + "# many backslashes",
])
def test_escape_round_trips_each_misreadable_line(line):
    assert escape(line).startswith("\\")
    assert unescape(escape(line)) == line
    assert unescape(escape("ok\n" + line)) == "ok\n" + line


def test_markdown_tree_has_the_lines_of_the_file():
    tree = markdown_tree(textwrap.dedent(DECK), "d.md")
    slide = tree["slides"][2]
    assert tree.lines["title"] == 2 and slide.line == 20
    assert slide.lines["minutes"] == 20 and slide.lines["title"] == 21
    assert slide["bullets"] == ["Build **trust** first", ["sub one", "sub two"],
                                "Second, with a [link](https://example.org)"]
    assert slide["bullets"].lines == [22, 23, 25]


def test_the_guides_example_is_a_valid_deck(tmp_path):
    """decks/README.md's complete Markdown example passes check, one slide of each kind."""
    from pathlib import Path
    guide = (Path(__file__).resolve().parent.parent / "decks" / "README.md").read_text("utf-8")
    example = guide.split("```markdown\n", 1)[1].split("\n```\n\n### The rules", 1)[0] + "\n"
    (tmp_path / "pictures").mkdir()
    for name in ("pipeline.svg", "wang.svg"):
        (tmp_path / "pictures" / name).write_text(SVG)
    (tmp_path / "example.md").write_text(example, encoding="utf-8")
    deck = load_deck(tmp_path / "example.md")
    assert [s.kind for s in deck.slides] == ["title", "section", "bullets", "quote", "text",
                                             "image", "poll", "scenario"]
    assert deck.slides[2].levels == (0, 0, 1, 1, 0)
    assert deck.slides[7].images[0].phone and deck.slides[7].notes.startswith("Read the story")


@pytest.mark.parametrize("body", [
    "# A\n\n" + "[" * 500_000 + "\n",  # quadratic in an inline parser: never parsed inline
    ("![" + "[" * 1990 + "\n\n") * 200,  # image lines: at most 40 '[' each
    "> " * 200_000 + "x\n",
    "```\n" * 100_000,
    "<!--\n" * 100_000,
])
def test_hostile_markdown_is_quick(folder, body):
    import time
    start = time.monotonic()
    with pytest.raises(DeckError) if not body.startswith("# A") else nullcontext():
        parse("---\ntitle: T\n---\n\n" + body, folder)
    assert time.monotonic() - start < 5



def test_windows_line_ends_and_a_byte_order_mark(folder):
    path = folder / "talk.md"
    path.write_bytes(b"\xef\xbb\xbf" + DECK.replace("\n", "\r\n").encode("utf-8"))
    deck = load_deck(path)
    assert deck == parse(DECK, folder)
    assert deck.slides[5].poll.line == 54
