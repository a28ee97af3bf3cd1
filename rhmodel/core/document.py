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


#: Limits that keep a hostile document from costing more than a parameters file ever needs.
MAX_TEXT_CHARS = 2_000_000  # a parameters file is a few kilobytes
MAX_DEPTH = 32  # sections nest two levels; a range adds one
MAX_NODES = 100_000  # values after aliases are expanded: stops an alias bomb


class _Walk:
    """Converts a composed YAML node graph to values, bounded in depth and size."""

    def __init__(self, loader: yaml.SafeLoader, lines: dict[str, int], file: str) -> None:
        self.loader, self.lines, self.file = loader, lines, file
        self.visited = 0
        self.open: set[int] = set()  # nodes on the current path: seeing one again is a cycle

    def error(self, node: yaml.Node, message: str, key: str | None = None) -> InputError:
        return InputError(message, file=self.file, line=node.start_mark.line + 1, key=key)

    def convert(self, node: yaml.Node, path: str, depth: int = 0) -> Any:
        self.visited += 1
        if self.visited > MAX_NODES:
            raise self.error(
                node,
                f"the document expands to more than {MAX_NODES:,} values (aliases repeated "
                "inside aliases?) — write the values out; a parameters file needs a few hundred",
                path or None,
            )
        if depth > MAX_DEPTH:
            raise self.error(
                node,
                f"nested more than {MAX_DEPTH} levels deep — sections nest two levels",
                path or None,
            )
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        if id(node) in self.open:
            raise self.error(
                node, "an alias refers to itself (recursive alias) — write the values out", path
            )
        self.open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self.mapping(node, path, depth)
            return [self.item(item, f"{path}[{i}]", depth) for i, item in enumerate(node.value)]
        finally:
            self.open.discard(id(node))

    def item(self, node: yaml.Node, child: str, depth: int) -> Any:
        self.lines[child] = node.start_mark.line + 1
        return self.convert(node, child, depth + 1)

    def mapping(self, node: yaml.MappingNode, path: str, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self.scalar(key_node, path) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str | int | float | bool):
                shown = f"a {key_node.tag.rsplit(':', 1)[-1]}" if key is None else repr(key)[:40]
                raise self.error(
                    key_node,
                    f"a key must be a plain name (got {shown}) — accepted: a name such as "
                    "horizon_months, then a colon and the value",
                )
            name = str(key)
            child = _child(path, name)
            if name in result:
                # YAML silently keeps the last duplicate; in a parameters file that hides a typo.
                raise self.error(
                    key_node,
                    f"duplicate key {name!r} (first on line {self.lines.get(child)}) — "
                    "give each key once",
                    child,
                )
            self.lines[child] = key_node.start_mark.line + 1
            result[name] = self.convert(value_node, child, depth + 1)
        return result

    def scalar(self, node: yaml.ScalarNode, path: str) -> Any:
        try:
            return self.loader.construct_object(node, deep=True)
        except ValueError as exc:
            # e.g. `2026-13-01` matches YAML's date pattern but is not a date
            raise self.error(
                node,
                f"is not valid ({node.value[:40]!r}: {exc}) — e.g. a date as YYYY-MM-DD",
                path or None,
            ) from None


#: LibYAML's C parser, where PyYAML was built with it (the same YAML and the same values as
#: the Python parser, several times faster).
_FAST_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str, file: str, bundled: bool = False) -> YamlDocument:
    """Parse YAML ``text``; syntax errors become :class:`InputError` with a line.

    ``bundled`` is for rhmodel's own data files: they are parsed with LibYAML's C parser where
    PyYAML has it (the capability matrix in 0.04 s rather than 0.2 s). A user's file keeps the
    Python parser, whose error messages and nesting limit the error contract is written for.

    Examples
    --------
    >>> parse_yaml("x: [1, 2]\\n", "a.yaml").data
    {'x': [1, 2]}
    >>> parse_yaml("x: [1, 2\\n", "a.yaml")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    rhmodel.errors.InputError: a.yaml:2: YAML syntax error: expected ',' or ']', ...
    """
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(
            f"is too large for a parameters file ({len(text):,} characters) — accepted: up to "
            f"{MAX_TEXT_CHARS:,}",
            file=file,
        )
    try:
        loader = (_FAST_LOADER if bundled else yaml.SafeLoader)(text)
        try:
            node = loader.get_single_node()
            lines: dict[str, int] = {}
            data = None if node is None else _Walk(loader, lines, file).convert(node, "")
        finally:
            loader.dispose()
    except RecursionError:
        # PyYAML composes nested collections recursively: thousands of levels exhaust the stack
        # before our own depth limit can see them.
        raise InputError(
            f"nested too deeply to read — sections nest two levels (at most {MAX_DEPTH})",
            file=file,
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise InputError(
            f"YAML syntax error: {exc.problem} — fix the YAML syntax", file=file, line=line
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(f"YAML error: {exc} — fix the YAML syntax", file=file) from None
    return YamlDocument(data=data, file=file, lines=lines)
