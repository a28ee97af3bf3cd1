"""Resolved parameters: each value with its range, origin and source.

Examples
--------
>>> Value("logmein.agents", 60, origin="file", source="p.yaml:3").plain()
60
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rhmodel.core.document import YamlDocument
from rhmodel.core.jsonable import jsonable
from rhmodel.core.params.schema import spec
from rhmodel.core.products import CONTRACTS

if TYPE_CHECKING:
    from rhmodel.core.prices import PriceBook

__all__ = ["Parameters", "Uncertain", "Value", "plain_copy", "set_path"]


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


@dataclass(frozen=True)
class Parameters:
    """A validated parameters file: every :data:`SCHEMA` key resolved, with provenance.

    Use ``params[key]`` for the deterministic value and ``params.value(key)`` for the
    :class:`Value` with its range, origin and source.
    """

    file: str
    values: dict[str, Value]
    base_dir: Path = field(default_factory=lambda: Path("."))
    _raw: Mapping[str, Any] = field(default_factory=dict, repr=False)
    _price_book: PriceBook | None = field(default=None, repr=False)
    # The date the file was resolved on: an absent start_date means "this month" as of then.
    _today: dt.date | None = field(default=None, repr=False)
    # What the pilot observed: residual sessions per reason code (empty without a pilot).
    _observed: Mapping[str, int] = field(default_factory=dict, repr=False)
    # The same per contract name (the tool the work was done on).
    _observed_by_contract: Mapping[str, Mapping[str, int]] = field(default_factory=dict, repr=False)
    # All the pilot's sessions (Remote Help's too): the base of each need's share.
    _pilot_sessions: int = field(default=0, repr=False)

    @property
    def pilot_sessions(self) -> int:
        """Every session the pilot recorded, on any tool (0: no pilot)."""
        return self._pilot_sessions

    @property
    def observed_residual(self) -> Mapping[str, int]:
        """Residual pilot sessions per reason code, as the pilot saw them (empty: no pilot)."""
        return self._observed

    @property
    def observed_by_contract(self) -> Mapping[str, Mapping[str, int]]:
        """Residual pilot sessions per contract name, then per reason code (empty: no pilot)."""
        return self._observed_by_contract

    def accepted_reasons(self) -> dict[str, str]:
        """``decision.accept`` as reason code → note."""
        return {e["reason"]: e["note"] for e in self.values["decision.accept"].value or ()}

    def with_observed(
        self,
        observed: Mapping[str, int],
        by_contract: Mapping[str, Mapping[str, int]] | None = None,
        sessions: int | None = None,
    ) -> Parameters:
        """These parameters with the pilot's residual sessions per reason recorded (and, when
        known, per contract the work was done on)."""
        return replace(
            self,
            _observed=dict(observed),
            _observed_by_contract={k: dict(v) for k, v in (by_contract or {}).items()},
            _pilot_sessions=self._pilot_sessions if sessions is None else int(sessions),
        )

    _derived: Mapping[str, Value] = field(default_factory=dict, repr=False)

    def __getitem__(self, key: str) -> Any:
        return self.values[key].value

    def value(self, key: str) -> Value:
        """The resolved :class:`Value` of ``key``."""
        return self.values[key]

    def illustrative_inputs(self) -> list[str]:
        """Keys whose figure is not a quoted fact and is used by the model.

        An input counts when it is marked illustrative and it matters: a price of a product
        with no licences, or the add-on price when Remote Help is included, does not.
        """
        return [k for k, v in self.values.items() if v.illustrative and self.is_used(k)]

    def is_used(self, key: str) -> bool:
        """Whether the money model reads ``key`` for these parameters (a product with no
        licences, or the add-on price when Remote Help is included, is not read)."""
        for c in CONTRACTS:
            if key.startswith(f"{c.name}."):
                return self.values[c.count_key].value not in (0, None)
        if key in ("remote_help.price_per_user_month", "remote_help.licensed_users"):
            return self.values["remote_help.licensing"].value == "add_on"
        return self.values[key].value is not None

    def digest(self) -> str:
        """SHA-256 of the resolved values: the same inputs give the same hash.

        Examples
        --------
        >>> from rhmodel.core.document import parse_yaml
        >>> from rhmodel.core.params import resolve_parameters
        >>> day = dt.date(2026, 11, 26)
        >>> a = resolve_parameters(parse_yaml("horizon_months: 24\\n", "a.yaml"), today=day)
        >>> b = resolve_parameters(parse_yaml("horizon_months: 24  # same\\n", "b.yaml"),
        ...                        today=day)
        >>> a.digest() == b.digest(), len(a.digest())
        (True, 64)
        """
        canonical = {k: v.plain() for k, v in self.values.items()}
        blob = json.dumps(canonical, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()

    def with_overrides(self, overrides: Sequence[str]) -> Parameters:
        """A new :class:`Parameters` with ``key=value`` overrides applied and re-validated."""
        from rhmodel.core.params.resolve import resolve_parameters

        doc = YamlDocument(data=self._raw, file=self.file, lines={})
        return (
            resolve_parameters(
                doc,
                overrides,
                price_book=self._price_book,
                today=self._today,
                base_dir=self.base_dir,
            )
            .with_derived(self._derived)
            .with_observed(self._observed, self._observed_by_contract, self._pilot_sessions)
        )

    def with_values(self, changes: Mapping[str, Any]) -> Parameters:
        """A new :class:`Parameters` with ``changes`` (key → plain value) applied, validated."""
        from rhmodel.core.params.resolve import resolve_parameters

        raw = plain_copy(self._raw)
        for key, value in changes.items():
            set_path(raw, key, value)
        doc = YamlDocument(data=raw, file=self.file, lines={})
        return (
            resolve_parameters(
                doc, (), price_book=self._price_book, today=self._today, base_dir=self.base_dir
            )
            .with_derived(self._derived)
            .with_observed(self._observed, self._observed_by_contract, self._pilot_sessions)
        )

    def with_derived(self, derived: Mapping[str, Value]) -> Parameters:
        """Fill keys the file leaves out with values derived elsewhere (e.g. the pilot's pool).

        A key the file (or ``--set``) gives keeps its given value.
        """
        fill = {
            k: v
            for k, v in derived.items()
            if self.values[k].origin in ("default",) and self.values[k].value is None
        }
        if not fill:
            return replace(self, _derived=dict(derived))
        return replace(self, values={**self.values, **fill}, _derived=dict(derived))

    def to_yaml_mapping(self) -> dict[str, Any]:
        """The explicitly given values as a nested mapping a parameters file can hold.

        Ranges stay ranges; a value's own ``illustrative``, ``source`` and ``note`` are kept
        (the file-wide ``illustrative`` flag is a key of its own).
        """
        out: dict[str, Any] = {}
        whole_file = bool(self.values["illustrative"].value)
        for key, v in self.values.items():
            if v.origin in ("default", "price book", "pilot"):
                continue  # re-derived when the file is read
            item: Any = v.plain()
            own_flag = v.illustrative and not (whole_file and spec(key).figure)
            if spec(key).kind in ("int", "float") and (own_flag or v.explicit_source or v.note):
                item = dict(item) if isinstance(item, dict) else {"value": item}
                if own_flag:
                    item["illustrative"] = True
                if v.explicit_source:
                    item["source"] = v.source
                if v.note:
                    item["note"] = v.note
            if isinstance(item, dt.date):
                item = item.isoformat()
            node = out
            parts = key.split(".")
            for part in parts[:-1]:
                node = node.setdefault(part, {})
            node[parts[-1]] = item
        return out


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
