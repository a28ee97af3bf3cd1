"""One resolved parameter: its value with its range, origin and source (and the two helpers on
nested mappings the resolver and :class:`~rhmodel.core.params.resolve.Parameters` share).

This module imports nothing else of :mod:`rhmodel.core.params`: the resolver and the
:class:`~rhmodel.core.params.resolve.Parameters` it returns (which re-resolves itself for
``with_overrides`` / ``with_values``) live together in :mod:`rhmodel.core.params.resolve`, so
imports go one way, ``resolve`` → ``values``.

Examples
--------
>>> Value("logmein.agents", 60, origin="file", source="p.yaml:3").plain()
60
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from rhmodel.core.jsonable import jsonable

__all__ = ["Uncertain", "Value", "plain_copy", "set_path"]


@dataclass(frozen=True)
class Uncertain:
    """An uncertain input: triangular when ``mode`` is given, else uniform.

    Examples
    --------
    >>> Uncertain(29.0, 94.0).base, Uncertain(29.0, 94.0).distribution
    (61.5, 'uniform')
    >>> Uncertain(10.0, 30.0, mode=15.0).base
    15.0
    """

    json_fields: ClassVar[tuple[str, ...]] = ("low", "mode", "high")
    json_omit_empty: ClassVar[tuple[str, ...]] = ("mode",)

    low: float
    high: float
    mode: float | None = None

    @property
    def base(self) -> float:
        """The deterministic value: the mode, or the midpoint of a uniform range."""
        return self.mode if self.mode is not None else (self.low + self.high) / 2

    @property
    def distribution(self) -> str:
        """``triangular`` or ``uniform``."""
        return "uniform" if self.mode is None else "triangular"


@dataclass(frozen=True)
class Value:
    """One resolved parameter with its provenance.

    Attributes
    ----------
    key : str
        Dotted key.
    value : Any
        The deterministic value (the base of a range); ``None`` when not given.
    uncertain : Uncertain or None
        The range, when one was given.
    origin : str
        ``file``, ``--set``, ``default`` or ``price book``.
    illustrative : bool
        True when the figure is not a quoted fact.
    source : str
        Where the figure comes from (file and line, price-book entry, or the given ``source``).
    note : str
        Free text given with the value.
    """

    key: str
    value: Any
    uncertain: Uncertain | None = None
    origin: str = "default"
    illustrative: bool = False
    source: str = ""
    note: str = ""
    explicit_source: bool = False  # the file gave `source:`, rather than our location of it

    def plain(self) -> Any:
        """The value as a parameters file would write it (range mapping, or plain value)."""
        if self.uncertain is not None:
            return jsonable(self.uncertain)
        if isinstance(self.value, tuple):
            return list(self.value)
        return self.value


def set_path(raw: dict[str, Any], key: str, value: Any) -> None:
    """Set dotted ``key`` in the nested mapping ``raw``, creating sections as needed.

    Examples
    --------
    >>> raw = {"logmein": {"agents": 60}}
    >>> set_path(raw, "logmein.price_per_agent_month", 45); raw
    {'logmein': {'agents': 60, 'price_per_agent_month': 45}}
    """
    node = raw
    parts = key.split(".")
    for part in parts[:-1]:
        if not isinstance(node.get(part), dict):
            node[part] = {}
        node = node[part]
    node[parts[-1]] = value


def plain_copy(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy of a parsed document as JSON values (dates become ISO strings, which the
    resolver reads back as dates)."""
    return json.loads(json.dumps(raw, default=str))
