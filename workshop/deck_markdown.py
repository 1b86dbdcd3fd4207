"""Read a Markdown deck into the same line-tracked tree as a YAML deck, for DeckChecker.

Front matter (YAML between `---` lines) holds the deck's settings; `---` on its own line
separates slides; a slide may start with an HTML comment holding YAML (its kind and options);
`# ` is the title, `## ` the subtitle, lists the bullets (a nested list the sub-bullets),
`> ` the quote with `— Name` on its last line, paragraphs the text (a scenario's story),
```` ```poll ```` a poll as YAML, `### ` a scenario's tips title over its tips list,
`![alt](src "phone")` the images, and a line `Notes:` starts the speaker notes. Inline
Markdown stays as source text. decks/README.md is the guide; deck_file.parse_markdown_deck
checks the tree. markdown_slide.py reads each slide.
"""
from __future__ import annotations

import yaml

from . import yaml_lines
from .deck import DeckError
from .markdown_slide import FENCE, NOTES, SEPARATOR, SlideParts, _MD
class MarkdownReader:
    """Turn Markdown deck text into LineDict/LineList values with the file's own lines."""

    def __init__(self, path: str):
        self.path = path
        self.problems: list[str] = []

    def problem(self, line: int, message: str) -> None:
        self.problems.append(f"{self.path}:{line}: {message}")

    def yaml(self, text: str, first_line: int, what: str):
        """Parse YAML whose first line is line `first_line` of the file; None on a problem."""
        try:
            return yaml_lines.load(text, first_line)
        except yaml.YAMLError as exc:
            detail = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            line = yaml_lines.error_line(exc, text) + first_line - 1
            self.problem(line, f"{what} is not valid YAML: {detail}")
        except RecursionError:
            self.problem(first_line, f"{what} is nested too deeply")
        return None

    # --- the whole deck ---

    def read(self, text: str) -> yaml_lines.LineDict:
        lines = text.split("\n")
        tree = yaml_lines.LineDict()
        tree.line, tree.lines = 1, {}
        start = 0
        if lines and SEPARATOR.match(lines[0]):
            end = next((i for i in range(1, len(lines)) if SEPARATOR.match(lines[i])), None)
            if end is None:
                self.problem(1, "the front matter's '---' is never closed; end the deck's "
                                "settings with a line '---'")
                return tree
            front = self.yaml("\n".join(lines[1:end]), 2, "the front matter")
            if front is not None and not isinstance(front, dict):
                self.problem(2, "the front matter must hold the deck's settings as "
                                "'key: value' lines (title: ...)")
            elif front:
                if "slides" in front:
                    self.problem(front.lines["slides"], "the slides come after the front "
                                                        "matter, not in it")
                tree.update(front)
                tree.lines.update(front.lines)
            start = end + 1
        else:
            self.problem(1, "a Markdown deck starts with its settings between two '---' lines "
                            "(title: ..., language: ...)")
        slides = yaml_lines.LineList()
        slides.line, slides.lines = start + 1, []
        before = len(self.problems)
        chunks = list(self.chunks(lines, start))
        if len(self.problems) > before:  # an unclosed block: what follows it means nothing
            return tree
        for first, last in chunks:
            slide = self.slide(lines, first, last, len(slides) + 1)
            if slide is not None:
                slides.append(slide)
                slides.lines.append(slide.line)
        tree["slides"] = slides
        tree.lines["slides"] = slides.line
        return tree

    def chunks(self, lines: list[str], start: int):
        """Yield each slide's (first, end) line indexes: split at `---` outside blocks."""
        fence, comment, first = None, None, start
        for i in range(start, len(lines)):
            line = lines[i]
            if fence is not None:
                m = FENCE.match(line)
                if m and m.group(1)[0] == fence[0][0] and len(m.group(1)) >= len(fence[0]) \
                        and not line.strip().strip(fence[0][0]):
                    fence = None
                continue
            if comment is not None:
                if "-->" in line:
                    comment = None
                continue
            m = FENCE.match(line)
            if m:
                fence = (m.group(1), i)
            elif line.lstrip().startswith("<!--") and "-->" not in line.split("<!--", 1)[1]:
                comment = i
            elif SEPARATOR.match(line):
                yield first, i
                first = i + 1
        if fence is not None:
            self.problem(fence[1] + 1, f"this {fence[0]} block is never closed; end it with a "
                                       f"line {fence[0]}")
        if comment is not None:
            self.problem(comment + 1, "this <!-- comment is never closed; end it with -->")
        yield first, len(lines)

    # --- one slide ---

    def slide(self, lines, first: int, end: int, number: int):
        """Return one slide's LineDict, or None for a slide with nothing on it."""
        body_end = end
        fence = comment = False
        for i in range(first, end):
            line = lines[i]
            if fence or FENCE.match(line):
                fence = not fence if FENCE.match(line) else fence
                continue
            if comment or line.lstrip().startswith("<!--"):
                comment = "-->" not in line
                continue
            if NOTES.match(line):
                body_end = i
                break
        if not any(ln.strip() for ln in lines[first:end]):
            return None
        where = f"slide {number}"
        parts = SlideParts(self, where)
        tokens = _MD.parse("\n".join(lines[first:body_end]))
        for token in tokens:  # the lines of the file, not of the slide
            if token.map:
                token.map = [token.map[0] + first, token.map[1] + first]
        parts.walk(tokens)
        if body_end < end:
            notes = lines[body_end].split(":", 1)[1].strip()
            notes = "\n".join([notes] + lines[body_end + 1:end]).strip()
            parts.add("notes", notes, body_end + 1)
        slide_line = next(i for i in range(first, end) if lines[i].strip()) + 1
        return parts.tree(slide_line, number == 1)


def markdown_tree(text: str, path: str = "<deck>") -> yaml_lines.LineDict:
    """Return the deck's tree (as yaml_lines would load the YAML deck); DeckError if the
    Markdown's structure is wrong."""
    reader = MarkdownReader(path)
    tree = reader.read(text.replace("\r\n", "\n").replace("\r", "\n"))
    if reader.problems:
        raise DeckError(reader.problems)
    return tree
