"""A bullets slide's bullets and their levels: a list right after a bullet holds its
sub-bullets (`bullets: [A, [A1, A2], B]`), at most two levels."""
from __future__ import annotations

from . import yaml_lines


def read_bullets(check, data, where) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Return the bullets and their levels: a list right after a bullet holds its sub-bullets
    (`[A, [A1, A2], B]`), at most two levels."""
    value = data.get("bullets")
    if not isinstance(value, list) or not any(isinstance(item, list) for item in value):
        texts = check.texts(data, "bullets", where)
        return texts, (0,) * len(texts)
    top = yaml_lines.LineList(item for item in value if not isinstance(item, list))
    top.line = value.line
    top.lines = [n for item, n in zip(value, value.lines) if not isinstance(item, list)]
    check.texts(_Keyed(top, "bullets"), "bullets", where)
    out: list[str] = []
    levels: list[int] = []
    for i, item in enumerate(value):
        line = value.lines[i]
        if not isinstance(item, list):
            if not isinstance(item, (bool, dict, type(None))) and str(item).strip():
                out.append(str(item).strip())
                levels.append(0)
        elif i == 0 or isinstance(value[i - 1], list):
            check.problem(line, f"{where}: item {i + 1} of 'bullets' is a list of sub-bullets; "
                                f"it must come right after the bullet it belongs to")
        elif any(isinstance(sub, list) for sub in item):
            check.problem(line, f"{where}: sub-bullets cannot have sub-bullets of their own "
                                f"(at most two levels)")
        else:
            subs = check.texts(_Keyed(item, "sub-bullets"), "sub-bullets", where)
            out.extend(subs)
            levels.extend([1] * len(subs))
    return tuple(out), tuple(levels)


class _Keyed(yaml_lines.LineDict):
    """A one-key mapping around a list, so `texts` checks it with the list's own line."""

    def __init__(self, items, key="bullets"):
        super().__init__({key: items})
        self.line = items.line
        self.lines = {key: items.line}
