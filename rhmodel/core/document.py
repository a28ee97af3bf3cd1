"""YAML text with the line of every key remembered, so errors can point at it.

Parsing text is pure; reading the file is an edge (:mod:`rhmodel.edges.yamlfile`). The core
receives a :class:`YamlDocument`: plain Python values plus a ``lines`` map that locates errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from rhmodel.errors import InputError

__all__ = ["YamlDocument", "parse_yaml"]


@dataclass(frozen=True)
class YamlDocument:
    """A parsed YAML document and where each key path was written.

    Attributes
    ----------
    data : Any
        The document as plain Python values (dict, list, str, int, float, bool, date, None).
    file : str
        Name used in error messages.
    lines : dict[str, int]
        1-based line of each dotted key path (``logmein.agents``, ``pilot.files[0]``).
    """

    data: Any
    file: str
    lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, key: str) -> int | None:
        """Line of ``key``, or of its nearest written parent, or ``None``.

        Examples
        --------
        >>> doc = parse_yaml("a:\\n  b: 1\\n", "x.yaml")
        >>> doc.line_of("a.b"), doc.line_of("a.c"), doc.line_of("z")
        (2, 1, None)
        """
        while key:
            if key in self.lines:
                return self.lines[key]
            if "." not in key and "[" not in key:
                return None
            key = key[: max(key.rfind("."), key.rfind("["))]
        return None

    def error(self, key: str, message: str) -> InputError:
        """An :class:`InputError` located at ``key`` in this document."""
        return InputError(message, file=self.file, line=self.line_of(key), key=key)


def _child(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _convert(
    loader: yaml.SafeLoader, node: yaml.Node, path: str, lines: dict[str, int], file: str
) -> Any:
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool):
                raise InputError(
                    f"keys must be plain names (got {key!r})",
                    file=file,
                    line=key_node.start_mark.line + 1,
                )
            name = str(key)
            child = _child(path, name)
            if name in result:
                # YAML silently keeps the last duplicate; in a parameters file that hides a typo.
                raise InputError(
                    f"duplicate key {name!r} (first on line {lines.get(child)}) — "
                    "give each key once",
                    file=file,
                    line=key_node.start_mark.line + 1,
                    key=child,
                )
            lines[child] = key_node.start_mark.line + 1
            result[name] = _convert(loader, value_node, child, lines, file)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = []
        for i, item in enumerate(node.value):
            child = f"{path}[{i}]"
            lines[child] = item.start_mark.line + 1
            items.append(_convert(loader, item, child, lines, file))
        return items
    try:
        return loader.construct_object(node, deep=True)
    except ValueError as exc:
        # e.g. `2026-13-01` matches YAML's date pattern but is not a date
        raise InputError(
            f"is not valid ({node.value!r}: {exc}) — e.g. a date as YYYY-MM-DD",
            file=file,
            line=node.start_mark.line + 1,
            key=path or None,
        ) from None


def parse_yaml(text: str, file: str) -> YamlDocument:
    """Parse YAML ``text``; syntax errors become :class:`InputError` with a line.

    Examples
    --------
    >>> parse_yaml("x: [1, 2]\\n", "a.yaml").data
    {'x': [1, 2]}
    >>> parse_yaml("x: [1, 2\\n", "a.yaml")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    rhmodel.errors.InputError: a.yaml:2: YAML syntax error: expected ',' or ']', ...
    """
    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            lines: dict[str, int] = {}
            data = None if node is None else _convert(loader, node, "", lines, file)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise InputError(
            f"YAML syntax error: {exc.problem} — fix the YAML syntax", file=file, line=line
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(f"YAML error: {exc} — fix the YAML syntax", file=file) from None
    return YamlDocument(data=data, file=file, lines=lines)
