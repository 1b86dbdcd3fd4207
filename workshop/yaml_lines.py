"""Load YAML keeping the line of every key and item, for `PATH:LINE: message` errors."""
from __future__ import annotations

import re

import yaml


class LineDict(dict):
    """A mapping that remembers its own line and the line of each key."""

    line: int = 0
    lines: dict


class LineList(list):
    """A sequence that remembers its own line and the line of each item."""

    line: int = 0
    lines: list


class _Loader(yaml.SafeLoader):
    """SafeLoader with lines kept and YAML 1.2 booleans (yes/no/on/off stay text)."""

    first_line = 1  # the line of the file the text starts on (a Markdown deck's poll block)


# Start from SafeLoader's resolvers but let only true/false be booleans: a facilitator's
# options "Yes" and "No" are answers, not booleans.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _construct_mapping(loader, node):
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + loader.first_line
    result.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) or key is None:
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be plain text", key_node.start_mark
            )
        key = str(key)
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key '{key}' is given twice", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = key_node.start_mark.line + loader.first_line
    return result


def _construct_sequence(loader, node):
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + loader.first_line
    result.lines = [child.start_mark.line + loader.first_line for child in node.value]
    return result


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


def load(text: str, first_line: int = 1):
    """Parse YAML text into LineDict/LineList/scalars; raises yaml.YAMLError.
    first_line: the file's line the text starts on, for the lines kept (not the errors')."""
    loader = _Loader(text)
    loader.first_line = first_line
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def error_line(exc: yaml.YAMLError, text: str) -> int:
    """Return the line a YAML error is about; PyYAML sometimes points past the end, or at the
    start of the next token, when the cause (an unclosed bracket or quote) is earlier."""
    problem = getattr(exc, "problem_mark", None)
    context = getattr(exc, "context_mark", None)
    lines = len(text.splitlines()) or 1
    if problem is None:
        return context.line + 1 if context else 1
    line = problem.line + 1
    if context is not None and (line > lines or problem.index >= len(text.rstrip())):
        return context.line + 1
    if line > lines or (problem.column == 0 and line > 1):
        return min(line - 1, lines)
    return line
