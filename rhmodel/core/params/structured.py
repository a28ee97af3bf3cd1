"""Keys whose value is a small grammar of its own (lists of mappings), validated by a parser.

A :class:`~rhmodel.core.params.schema.Spec` of kind ``structured`` names its parser as
``module:function``. The parser lives beside the concept it describes (the pilot's teams in
``core.pilot.teams``, the collectors' sources in ``core.pilot.sources``) and takes the raw YAML
value; it returns the validated value (hashable: tuples, not lists) or raises :class:`Invalid`
with the path below the key (``"[0].technicians"``) and a message in the house form
("what is wrong (value) — what is accepted"). ``resolve_parameters`` turns that into one located
``error:`` line. A parser also carries ``accepted``: what a valid value looks like.

Examples
--------
>>> from rhmodel.core.params.schema import spec
>>> parse = parser_of(spec("pilot.teams"))
>>> parse(None)
()
>>> try:
...     parse("customer care")
... except Invalid as e:
...     print(e.path or "(the key)", "|", e.message.split(" — ")[0])
(the key) | is not a list of teams ('customer care')
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, Protocol

__all__ = ["Invalid", "Parser", "parser_of"]


class Invalid(ValueError):
    """A structured value is wrong at ``path`` (relative to its key, e.g. ``[1].name``)."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}" if path else message)


class Parser(Protocol):
    """A structured key's validator: raw YAML value in, validated value out."""

    accepted: str

    def __call__(self, raw: Any) -> Any: ...


def parser_of(s: Any) -> Parser:
    """The parser a ``structured`` spec names (``module:function``)."""
    module, _, name = str(s.parser).partition(":")
    fn: Callable[[Any], Any] = getattr(importlib.import_module(module), name)
    return fn  # type: ignore[return-value]
