"""Validation and resolution of a parameters document already read (pure: the price book and
today's date are passed in), and the :class:`Parameters` it resolves to.

:class:`Parameters` lives beside :func:`resolve_parameters` because it re-resolves itself
(``with_overrides``, ``with_values``): :mod:`rhmodel.core.params.values` holds the pieces both
use and imports nothing back.

Examples
--------
>>> from rhmodel.core.document import parse_yaml
>>> import datetime as dt
>>> p = resolve_parameters(parse_yaml("horizon_months: 24\\n", "p.yaml"), price_book=None,
...                        today=dt.date(2026, 11, 26))
>>> p["horizon_months"], p["start_date"]
(24, datetime.date(2026, 11, 1))
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from rhmodel.core.document import YamlDocument, parse_yaml
from rhmodel.core.params.schema import (
    BY_KEY,
    DATE_RANGE,
    EXPORT_ENTRY_KEYS,
    EXPORT_FIELDS,
    MAX_LIST,
    MAX_PRICE_PER_MONTH,
    MAX_TEXT,
    SCHEMA,
    SECTIONS,
    VALUE_FORM_KEYS,
    Spec,
    spec,
)
from rhmodel.core.params.values import Uncertain, Value, plain_copy, set_path
from rhmodel.core.prices import PriceBook
from rhmodel.core.products import CONTRACTS, PLATFORMS, REASON_CODES
from rhmodel.core.validation import did_you_mean
from rhmodel.errors import InputError

__all__ = [
    "GROUP_KEYS",
    "LICENCES",
    "LICENCE_WORDS",
    "Parameters",
    "UserGroup",
    "group_spec",
    "resolve_parameters",
]

#: The tenant clouds whose Microsoft 365 plans are only planned to align with the July 2026
#: inclusion of Remote Help in E3/E5 (commercial plans only): licensing there is not assumed.
GOVERNMENT_CLOUDS = ("gcc", "gcc_high")
#: What an unstated ``remote_help.licensing: included`` assumes (assumed_defaults' source).
INCLUDED_ASSUMPTION = (
    "assumed: every helper and sharer holds a commercial Microsoft 365 E3/E5/E7 licence "
    "(Remote Help included from 1 July 2026, commercial plans only; frontline F-SKU, education "
    "and government users need the add-on, a frontline licence, Plan 2 or the Suite: give "
    "remote_help.user_groups)"
)
INCLUDED_ASSUMPTION_REST = (
    "assumed: every helper and sharer outside remote_help.user_groups holds a commercial "
    "Microsoft 365 E3/E5/E7 licence (Remote Help included from 1 July 2026, commercial plans only)"
)


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
    # The pilot report itself (a PilotReport), carried with the parameters it was read for so
    # every plan's pools can be sized from the work routed to them; never compared.
    _pilot: Any = field(default=None, repr=False, compare=False)

    @property
    def pilot(self) -> Any:
        """The pilot report these parameters were filled from (``None``: no pilot read)."""
        return self._pilot

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
        pilot: Any = None,
    ) -> Parameters:
        """These parameters with the pilot's residual sessions per reason recorded (and, when
        known, per contract the work was done on, and the pilot report itself)."""
        return replace(
            self,
            _observed=dict(observed),
            _observed_by_contract={k: dict(v) for k, v in (by_contract or {}).items()},
            _pilot_sessions=self._pilot_sessions if sessions is None else int(sessions),
            _pilot=self._pilot if pilot is None else pilot,
        )

    _derived: Mapping[str, Value] = field(default_factory=dict, repr=False)

    def __getitem__(self, key: str) -> Any:
        return self.value(key).value

    def value(self, key: str) -> Value:
        """The resolved :class:`Value` of ``key`` (a schema key, or a group's numeric field
        such as ``remote_help.user_groups[0].users``)."""
        if key in self.values:
            return self.values[key]
        if key.startswith("remote_help.user_groups["):
            inputs = self.group_inputs()
            if key in inputs:
                return inputs[key]
        raise KeyError(key)

    @property
    def price_book(self) -> PriceBook | None:
        """The price book the defaults came from (``None``: resolved without one)."""
        return self._price_book

    @property
    def user_groups(self) -> tuple[UserGroup, ...]:
        """``remote_help.user_groups``, validated (empty: no groups given)."""
        return tuple(self.values["remote_help.user_groups"].value or ())

    def group_inputs(self) -> dict[str, Value]:
        """Every group's numeric fields, keyed ``remote_help.user_groups[i].<field>``."""
        return {k: v for g in self.user_groups for k, v in g.inputs().items()}

    def illustrative_inputs(self) -> list[str]:
        """Keys whose figure is not a quoted fact and is used by the model.

        An input counts when it is marked illustrative and it matters: a price of a product
        with no licences, or the add-on price when Remote Help is included, does not.
        """
        keys = [k for k, v in self.values.items() if v.illustrative and self.is_used(k)]
        return keys + [
            k for k, v in self.group_inputs().items() if v.illustrative and self.is_used(k)
        ]

    def is_used(self, key: str) -> bool:
        """Whether the money model reads ``key`` for these parameters (a product with no
        licences, or the add-on price when Remote Help is included, is not read)."""
        for c in CONTRACTS:
            if key.startswith(f"{c.name}."):
                return self.values[c.count_key].value not in (0, None)
        if key in ("remote_help.price_per_user_month", "remote_help.licensed_users"):
            return self.values["remote_help.licensing"].value == "add_on"
        if key.startswith("remote_help.user_groups[") and key not in self.values:
            # a group's figure is read when the group pays for its licences
            return any(key.startswith(f"{g.key}.") and g.paid for g in self.user_groups)
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
        canonical["remote_help.user_groups"] = [
            {**g.given(), "price_per_user_month": g.numbers["price_per_user_month"].plain()}
            for g in self.user_groups
        ]
        blob = json.dumps(canonical, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()

    def with_overrides(self, overrides: Sequence[str]) -> Parameters:
        """A new :class:`Parameters` with ``key=value`` overrides applied and re-validated."""
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
            .with_observed(
                self._observed, self._observed_by_contract, self._pilot_sessions, self._pilot
            )
        )

    def with_values(self, changes: Mapping[str, Any]) -> Parameters:
        """A new :class:`Parameters` with ``changes`` (key → plain value) applied, validated."""
        raw = plain_copy(self._raw)
        for key, value in changes.items():
            set_path(raw, key, value)
        doc = YamlDocument(data=raw, file=self.file, lines={})
        return (
            resolve_parameters(
                doc, (), price_book=self._price_book, today=self._today, base_dir=self.base_dir
            )
            .with_derived(self._derived)
            .with_observed(
                self._observed, self._observed_by_contract, self._pilot_sessions, self._pilot
            )
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
            if spec(key).kind == "user_groups":
                item = [g.given() for g in v.value]
            own_flag = v.illustrative and not (whole_file and spec(key).figure)
            if spec(key).kind in ("int", "float") and (own_flag or v.explicit_source or v.note):
                item = dict(item) if isinstance(item, dict) else {"value": item}
                if own_flag:
                    item["illustrative"] = True
                if v.explicit_source:
                    item["source"] = v.source
                if v.note:
                    item["note"] = v.note
            if spec(key).kind == "dates":
                item = [d.isoformat() for d in v.value]
            if isinstance(item, dt.date):
                item = item.isoformat()
            node = out
            parts = key.split(".")
            for part in parts[:-1]:
                node = node.setdefault(part, {})
            node[parts[-1]] = item
        return out


#: The licences a ``remote_help.user_groups`` entry may hold.
LICENCES = ("included", "addon", "frontline", "suite", "plan2")
#: The keys of one ``remote_help.user_groups`` entry.
GROUP_KEYS = (
    "name",
    "licence",
    "users",
    "helpers",
    "sharers",
    "price_per_user_month",
    "android_dedicated",
)
#: The numeric fields of a group, each an input of the money model (and maybe a range).
GROUP_NUMBERS = ("users", "helpers", "sharers", "price_per_user_month")
#: The price-book item a licence's price defaults to (frontline has no public price).
GROUP_PRICE_ITEMS = {
    "addon": "remote_help_add_on",
    "suite": "intune_suite",
    "plan2": "intune_plan_2",
}
#: What each licence is, in words.
LICENCE_WORDS = {
    "included": "included in a commercial Microsoft 365 E3/E5/E7 licence",
    "addon": "Remote Help add-on",
    "frontline": "Remote Help Frontline Worker licence",
    "suite": "Intune Suite",
    "plan2": "Intune Plan 2",
}
MAX_GROUP_USERS = 10_000_000
_GROUP_SPECS = {
    "users": ("int", "users", "helpers and sharers of the group, each needing a licence"),
    "helpers": ("int", "users", "helpers of the group"),
    "sharers": ("int", "users", "sharers of the group (devices when Android dedicated)"),
    "price_per_user_month": ("float", "US$ per user per month", "the licence's price"),
}


def group_spec(key: str) -> Spec:
    """The :class:`Spec` of one numeric field of a group, e.g.
    ``remote_help.user_groups[0].users`` (bounds, unit, ranges allowed).

    Examples
    --------
    >>> group_spec("remote_help.user_groups[3].price_per_user_month").unit
    'US$ per user per month'
    """
    field_ = key.rpartition(".")[2]
    kind, unit, doc = _GROUP_SPECS[field_]
    return Spec(
        key,
        kind,
        unit,
        doc,
        minimum=0,
        maximum=MAX_GROUP_USERS if kind == "int" else MAX_PRICE_PER_MONTH,
        rangeable=True,
    )


@dataclass(frozen=True)
class UserGroup:
    """One ``remote_help.user_groups`` entry, validated.

    Attributes
    ----------
    key : str
        Its place in the file, ``remote_help.user_groups[i]`` (0-based, as the YAML lists it).
    name : str
        The group's name (text from outside: shown, never evaluated).
    licence : str
        One of :data:`LICENCES`.
    android_dedicated : bool
        The group's sharers are Android dedicated devices (Samsung Knox, Zebra): only its
        helpers need a licence.
    numbers : dict[str, Value]
        The numeric fields given (``users``, or ``helpers`` / ``sharers``) and
        ``price_per_user_month`` (0 for ``included``), each a :class:`Value` with its range,
        origin and source, keyed by field name.
    """

    key: str
    name: str
    licence: str
    android_dedicated: bool
    numbers: dict[str, Value]

    @property
    def paid(self) -> bool:
        """Whether the group's licences are a cost line (its licence is not ``included``)."""
        return self.licence != "included"

    @property
    def price(self) -> float:
        """US$ (in the file's currency) per licensed user per month: the base of any range."""
        return float(self.numbers["price_per_user_month"].value)

    def count(self, field_: str) -> float:
        """A count field's base value (0 when not given)."""
        v = self.numbers.get(field_)
        return 0.0 if v is None else float(v.value)

    @property
    def licensed(self) -> float:
        """Users who need a paid licence: ``users``, or ``helpers + sharers``, or only the
        ``helpers`` of an Android dedicated group.

        Examples
        --------
        >>> g = UserGroup("g", "Kiosks", "addon", True, {
        ...     "helpers": Value("g.helpers", 12), "sharers": Value("g.sharers", 900),
        ...     "price_per_user_month": Value("g.price_per_user_month", 3.5)})
        >>> g.licensed, g.licensed * g.price
        (12.0, 42.0)
        """
        if self.android_dedicated:
            return self.count("helpers")
        return self.count("users") + self.count("helpers") + self.count("sharers")

    @property
    def monthly_cost(self) -> float:
        """``licensed × price`` per month (0 for an included group), at the base values."""
        return self.licensed * self.price if self.paid else 0.0

    def inputs(self) -> dict[str, Value]:
        """The group's numeric inputs keyed ``remote_help.user_groups[i].<field>``."""
        return {f"{self.key}.{k}": v for k, v in self.numbers.items()}

    def given(self) -> dict[str, Any]:
        """The entry as a parameters file writes it (a price-book default left out)."""
        out: dict[str, Any] = {"name": self.name, "licence": self.licence}
        for k, v in self.numbers.items():
            if v.origin in ("default", "price book"):
                continue
            item: Any = v.plain()
            if v.illustrative or v.explicit_source or v.note:
                item = dict(item) if isinstance(item, dict) else {"value": item}
                if v.illustrative:
                    item["illustrative"] = True
                if v.explicit_source:
                    item["source"] = v.source
                if v.note:
                    item["note"] = v.note
            out[k] = item
        if self.android_dedicated:
            out["android_dedicated"] = True
        return out


class _Where:
    """Locates a key either in the file or in the ``--set`` overrides."""

    def __init__(self, doc: YamlDocument, overridden: set[str]) -> None:
        self.doc = doc
        self.overridden = overridden

    def error(self, key: str, message: str) -> InputError:
        probe = key
        while probe:
            if probe in self.overridden:
                return InputError(message, file="--set", key=key)
            probe = probe.rpartition(".")[0]
        return self.doc.error(key, message)

    def source(self, key: str) -> tuple[str, str]:
        probe = key
        while probe:
            if probe in self.overridden:
                return "--set", "--set on the command line"
            probe = probe.rpartition(".")[0]
        line = self.doc.line_of(key)
        return "file", f"{Path(self.doc.file).name}:{line}" if line else self.doc.file


def _flatten(where: _Where, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Flatten sections to dotted keys, rejecting unknown keys with a suggestion."""
    flat: dict[str, Any] = {}
    for name, value in raw.items():
        name = str(name)
        if name in BY_KEY:
            flat[name] = value
            continue
        if name in SECTIONS:
            if value is None:
                continue
            if not isinstance(value, Mapping):
                raise where.error(
                    name,
                    f"must be a section of 'name: value' lines (got "
                    f"{value!r}) — e.g. '{name}:' then indented keys",
                )
            for sub, subvalue in value.items():
                key = f"{name}.{sub}"
                nested = sorted(k for k in BY_KEY if k.startswith(f"{key}."))
                if key not in BY_KEY and nested:
                    # a sub-section such as logmein.escalator: {rate, timing}
                    if not isinstance(subvalue, Mapping):
                        fields = ", ".join(k.rsplit(".", 1)[1] for k in nested)
                        raise where.error(
                            key,
                            f"must be a mapping ({_short(subvalue)}) — {{{fields}}}",
                        )
                    for leaf, leafvalue in subvalue.items():
                        full = f"{key}.{leaf}"
                        if full not in BY_KEY:
                            here = [k.rsplit(".", 1)[1] for k in nested]
                            raise where.error(
                                full,
                                f"unknown key{did_you_mean(str(leaf), here)} — "
                                f"accepted in {key}: {', '.join(here)}",
                            )
                        flat[full] = leafvalue
                    continue
                if key not in BY_KEY:
                    here = sorted(k.split(".", 1)[1] for k in BY_KEY if k.startswith(name + "."))
                    raise where.error(
                        key,
                        f"unknown key{did_you_mean(str(sub), here)} — "
                        f"accepted in {name}: {', '.join(here)}",
                    )
                flat[key] = subvalue
            continue
        top = sorted({k.split(".")[0] for k in BY_KEY})
        raise where.error(
            name,
            f"unknown key{did_you_mean(name, top + list(BY_KEY))} — accepted: {', '.join(top)}",
        )
    return flat


def _short(value: Any, limit: int = 40) -> str:
    """``repr(value)``, cut to ``limit`` characters: an error quotes an excerpt, never a blob.

    Examples
    --------
    >>> _short(10**400)
    '1000000000000000000000000000000000000000… (401 characters)'
    """
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"


def _number(where: _Where, s: Spec, key: str, raw: Any, what: str = "value") -> float | int:
    bad = isinstance(raw, bool) or not isinstance(raw, int | float)
    if not bad and isinstance(raw, float) and not math.isfinite(raw):
        bad = True
    if not bad and s.kind == "int" and what == "value" and isinstance(raw, float):
        bad = not raw.is_integer()  # an int is whole already (and may be too long for a float)
    if bad:
        raise where.error(
            key,
            f"{'' if what == 'value' else what + ' '}is not valid "
            f"({_short(raw)}) — accepted: {s.accepted()}",
        )
    if s.minimum is not None and raw < s.minimum:
        raise where.error(
            key, f"{what} is below {s.minimum:g} ({_short(raw)}) — accepted: {s.accepted()}"
        )
    if s.maximum is not None and (raw >= s.maximum if s.maximum_exclusive else raw > s.maximum):
        raise where.error(key, f"{what} is too large ({_short(raw)}) — accepted: {s.accepted()}")
    return int(raw) if s.kind == "int" and what == "value" else float(raw)


def _resolve(where: _Where, s: Spec, raw: Any, origin: str, source: str) -> Value:
    key = s.key
    illustrative, note = False, ""
    if isinstance(raw, Mapping) and s.kind in ("int", "float"):
        unknown = [k for k in raw if k not in VALUE_FORM_KEYS]
        if unknown:
            raise where.error(
                key,
                f"unknown field {unknown[0]!r} in the value"
                f"{did_you_mean(str(unknown[0]), VALUE_FORM_KEYS)} — "
                f"accepted: {', '.join(VALUE_FORM_KEYS)}",
            )
        illustrative = raw.get("illustrative", False)
        if not isinstance(illustrative, bool):
            raise where.error(
                key,
                f"illustrative must be true or false (got {illustrative!r})"
                " — true when the figure is not a quoted fact",
            )
        explicit = "source" in raw
        if explicit:
            source = str(raw["source"])
        note = str(raw.get("note", ""))
        if "value" in raw:
            if any(k in raw for k in ("low", "mode", "high")):
                raise where.error(
                    key,
                    "give either value or low/high, not both — e.g. "
                    "{value: 45} or {low: 29, high: 94}",
                )
            value = _number(where, s, key, raw["value"])
            return Value(key, value, None, origin, illustrative, source, note, explicit)
        if "low" not in raw or "high" not in raw:
            raise where.error(
                key,
                f"a range needs low and high (got {dict(raw)!r}) — "
                "{low, high} (uniform) or {low, mode, high} (triangular)",
            )
        if not s.rangeable:
            raise where.error(key, f"cannot be a range ({dict(raw)!r}) — accepted: {s.accepted()}")
        lo = _number(where, s, key, raw["low"], "low")
        hi = _number(where, s, key, raw["high"], "high")
        mode = _number(where, s, key, raw["mode"], "mode") if "mode" in raw else None
        if hi < lo:
            raise where.error(key, f"high is below low ({hi:g} < {lo:g}) — low <= high")
        if mode is not None and not lo <= mode <= hi:
            raise where.error(
                key,
                f"mode is outside [low, high] ({mode:g} not in "
                f"[{lo:g}, {hi:g}]) — low <= mode <= high",
            )
        u = Uncertain(float(lo), float(hi), None if mode is None else float(mode))
        base: float | int = u.base
        if s.kind == "int":
            base = math.floor(base + 0.5)  # counts: round half up, never banker's
        return Value(key, base, u, origin, illustrative, source, note, explicit)

    if s.kind in ("int", "float"):
        if raw is None:
            return Value(key, None, None, origin, False, source)
        return Value(key, _number(where, s, key, raw), None, origin, False, source)
    if s.kind == "bool":
        if not isinstance(raw, bool):
            raise where.error(key, f"is not valid ({_short(raw)}) — accepted: true or false")
        return Value(key, raw, None, origin, False, source)
    if s.kind == "need":
        if isinstance(raw, str) and raw.strip().lower() == "all":
            return Value(key, "all", None, origin, False, source)
        if not isinstance(raw, bool):
            raise where.error(key, f"is not valid ({_short(raw)}) — accepted: {s.accepted()}")
        return Value(key, raw, None, origin, False, source)
    if s.kind == "choice":
        if not isinstance(raw, str) or raw not in s.choices:
            hint = did_you_mean(raw, s.choices) if isinstance(raw, str) else ""
            raise where.error(
                key, f"unknown value ({_short(raw)}){hint} — accepted: {s.accepted()}"
            )
        return Value(key, raw, None, origin, False, source)
    if s.kind == "date":
        if isinstance(raw, str):
            with contextlib.suppress(ValueError):
                raw = dt.date.fromisoformat(raw)
        if not isinstance(raw, dt.date) or isinstance(raw, dt.datetime):
            raise where.error(key, f"is not a date ({_short(raw)}) — accepted: {s.accepted()}")
        if not DATE_RANGE[0] <= raw <= DATE_RANGE[1]:
            raise where.error(
                key, f"is out of range ({raw.isoformat()}) — accepted: {s.accepted()}"
            )
        return Value(key, raw, None, origin, False, source)
    if s.kind == "text":
        if raw is None:
            return Value(key, None, None, origin, False, source)
        if not isinstance(raw, str):
            raise where.error(key, f"is not text ({_short(raw)}) — accepted: text in quotes")
        if len(raw) > MAX_TEXT:
            raise where.error(
                key, f"is too long ({len(raw):,} characters) — accepted: up to {MAX_TEXT}"
            )
        return Value(key, raw, None, origin, False, source)
    if s.kind == "structured":
        from rhmodel.core.params.structured import Invalid, parser_of

        try:
            value = parser_of(s)(raw)
        except Invalid as e:
            below = e.path if not e.path or e.path.startswith("[") else f".{e.path}"
            raise where.error(f"{key}{below}", e.message) from None
        return Value(key, value, None, origin, False, source)
    # the list kinds
    if raw is None:
        return Value(
            key, None if s.default is None else tuple(s.default), None, origin, False, source
        )
    if isinstance(raw, str):
        raw = [raw]
    if s.kind == "accepts" and isinstance(raw, list):
        return Value(
            key,
            tuple(_accepted(where, key, i, x) for i, x in enumerate(raw)),
            None,
            origin,
            False,
            source,
        )
    if s.kind == "exports" and isinstance(raw, list):
        return Value(
            key,
            tuple(_export_entry(where, key, i, x) for i, x in enumerate(raw)),
            None,
            origin,
            False,
            source,
        )
    if isinstance(raw, list) and len(raw) > MAX_LIST:
        raise where.error(
            key, f"has too many entries ({len(raw):,}) — accepted: up to {MAX_LIST:,}"
        )
    if s.kind == "dates":
        return Value(key, _dates(where, key, s, raw), None, origin, False, source)
    if not isinstance(raw, list) or not all(isinstance(x, str) and x.strip() for x in raw):
        raise where.error(key, f"is not a list of names ({_short(raw)}) — accepted: {s.accepted()}")
    if s.kind == "platforms":
        for item in raw:
            if item.lower() not in PLATFORMS:
                raise where.error(
                    key,
                    f"unknown platform ({item!r})"
                    f"{did_you_mean(item.lower(), PLATFORMS)} — accepted: "
                    f"{', '.join(PLATFORMS)}",
                )
        raw = [x.lower() for x in raw]
    return Value(key, tuple(raw), None, origin, False, source)


def _dates(where: _Where, key: str, s: Spec, raw: Any) -> tuple[dt.date, ...]:
    """A list of dates (``calendar.holidays``), sorted and without repeats."""
    if isinstance(raw, dt.date):
        raw = [raw]
    if not isinstance(raw, list):
        raise where.error(key, f"is not a list of dates ({_short(raw)}) — accepted: {s.accepted()}")
    out = set()
    for i, item in enumerate(raw):
        if isinstance(item, str):
            with contextlib.suppress(ValueError):
                item = dt.date.fromisoformat(item)
        if not isinstance(item, dt.date) or isinstance(item, dt.datetime):
            raise where.error(
                f"{key}[{i}]", f"is not a date ({_short(item)}) — accepted: {s.accepted()}"
            )
        if not DATE_RANGE[0] <= item <= DATE_RANGE[1]:
            raise where.error(
                f"{key}[{i}]", f"is out of range ({item.isoformat()}) — accepted: {s.accepted()}"
            )
        out.add(item)
    return tuple(sorted(out))


def _accepted(where: _Where, key: str, i: int, raw: Any) -> dict[str, str]:
    """One decision.accept entry: a reason code, or {reason, note}."""
    here = f"{key}[{i}]"
    if isinstance(raw, Mapping):
        unknown = [k for k in raw if k not in ("reason", "note")]
        if unknown:
            raise where.error(f"{here}.{unknown[0]}", "unknown key — accepted: reason, note")
        code, note = raw.get("reason"), raw.get("note", "")
    else:
        code, note = raw, ""
    if not isinstance(code, str) or code.strip().lower() not in REASON_CODES:
        raise where.error(
            here,
            f"unknown reason code ({_short(code)})"
            f"{did_you_mean(str(code), REASON_CODES)} — accepted: "
            f"{', '.join(REASON_CODES)}",
        )
    return {"reason": code.strip().lower(), "note": str(note or "")}


def _export_entry(where: _Where, key: str, i: int, raw: Any) -> str | dict[str, Any]:
    """One pilot.files entry: a path, or a mapping that says how to read a file's layout."""
    here = f"{key}[{i}]"
    if isinstance(raw, str) and raw.strip():
        return raw
    if not isinstance(raw, Mapping):
        raise where.error(
            here, f"is not a path or a mapping ({_short(raw)}) — accepted: {spec(key).accepted()}"
        )
    for name in raw:
        if name not in EXPORT_ENTRY_KEYS:
            raise where.error(
                f"{here}.{name}",
                f"unknown key{did_you_mean(str(name), EXPORT_ENTRY_KEYS)}"
                f" — accepted: {', '.join(EXPORT_ENTRY_KEYS)}",
            )
    path = raw.get("path")
    if not isinstance(path, str) or not path.strip():
        raise where.error(
            f"{here}.path",
            f"is missing or not text ({_short(path)}) — the "
            "export's path, relative to the parameters file",
        )
    entry: dict[str, Any] = {"path": path}
    for name in ("format", "timezone"):
        if raw.get(name) is not None:
            if not isinstance(raw[name], str) or not raw[name].strip():
                raise where.error(f"{here}.{name}", f"is not text ({_short(raw[name])}) — text")
            entry[name] = raw[name]
    if "timezone" in entry:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(entry["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            raise where.error(
                f"{here}.timezone",
                f"unknown time zone ({_short(entry['timezone'])})"
                " — an IANA name such as Europe/London",
            ) from None
    if raw.get("date_order") is not None:
        if raw["date_order"] not in ("dmy", "mdy"):
            raise where.error(
                f"{here}.date_order",
                f"unknown value ({_short(raw['date_order'])}) — accepted: dmy, mdy",
            )
        entry["date_order"] = raw["date_order"]
    columns = raw.get("columns")
    if columns is not None:
        if not isinstance(columns, Mapping):
            raise where.error(
                f"{here}.columns",
                f"is not a mapping ({_short(columns)}) — {{field: header}}, e.g. {{start: Begin}}",
            )
        for field, header in columns.items():
            if field not in EXPORT_FIELDS:
                raise where.error(
                    f"{here}.columns.{field}",
                    f"unknown field{did_you_mean(str(field), EXPORT_FIELDS)} — "
                    f"accepted: {', '.join(EXPORT_FIELDS)}",
                )
            if not isinstance(header, str) or not header.strip():
                raise where.error(
                    f"{here}.columns.{field}", f"is not a header name ({_short(header)}) — text"
                )
        entry["columns"] = dict(columns)
    return entry


def _user_group(
    where: _Where,
    key: str,
    i: int,
    raw: Any,
    price_book: PriceBook | None,
    origin: str,
    source: str,
    names: set[str],
) -> UserGroup:
    """One remote_help.user_groups entry: {name, licence, users | helpers/sharers,
    price_per_user_month, android_dedicated}."""
    here = f"{key}[{i}]"
    if not isinstance(raw, Mapping):
        raise where.error(
            here, f"is not a mapping ({_short(raw)}) — accepted: {spec(key).accepted()}"
        )
    for name in raw:
        if name not in GROUP_KEYS:
            raise where.error(
                f"{here}.{name}",
                f"unknown key{did_you_mean(str(name), GROUP_KEYS)}"
                f" — accepted: {', '.join(GROUP_KEYS)}",
            )
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise where.error(
            f"{here}.name", f"is missing or not text ({_short(name)}) — the group's name"
        )
    if len(name) > MAX_TEXT:
        raise where.error(
            f"{here}.name", f"is too long ({len(name):,} characters) — accepted: up to {MAX_TEXT}"
        )
    if name.strip() in names:
        raise where.error(
            f"{here}.name", f"repeats an earlier group's name ({_short(name)}) — one name a group"
        )
    names.add(name.strip())
    licence = raw.get("licence")
    if not isinstance(licence, str) or licence not in LICENCES:
        hint = did_you_mean(licence, LICENCES) if isinstance(licence, str) else ""
        raise where.error(
            f"{here}.licence",
            f"{'is missing' if licence is None else 'unknown licence'} ({_short(licence)}){hint}"
            f" — accepted: {', '.join(LICENCES)}",
        )
    android = raw.get("android_dedicated", False)
    if not isinstance(android, bool):
        raise where.error(
            f"{here}.android_dedicated",
            f"is not valid ({_short(android)}) — accepted: true (the group's sharers are Android "
            "dedicated devices: only its helpers need a licence) or false",
        )
    counts = [k for k in ("users", "helpers", "sharers") if raw.get(k) is not None]
    if not counts:
        raise where.error(
            f"{here}.users",
            "missing — give users (helpers and sharers, each needing a licence), or helpers "
            "and sharers",
        )
    if "users" in counts and len(counts) > 1:
        raise where.error(
            f"{here}.users",
            "given with helpers/sharers — give users (everyone who needs a licence) or helpers "
            "and sharers, not both",
        )
    if android and "users" in counts:
        raise where.error(
            f"{here}.users",
            "is ambiguous for an Android dedicated group (only its helpers need a licence) — "
            "give helpers (priced) and sharers (the devices, not priced) instead",
        )
    numbers: dict[str, Value] = {}
    for k in (*counts, "price_per_user_month"):
        if raw.get(k) is None:
            continue
        numbers[k] = _resolve(where, group_spec(f"{here}.{k}"), raw[k], origin, source)
    if "price_per_user_month" not in numbers:
        numbers["price_per_user_month"] = _group_price(where, here, licence, price_book)
    elif licence == "included":
        raise where.error(
            f"{here}.price_per_user_month",
            "given for an included group — an included group pays nothing: leave it out, or "
            "choose the licence the group needs (addon, frontline, suite, plan2)",
        )
    return UserGroup(here, name, licence, android, numbers)


def _group_price(where: _Where, here: str, licence: str, price_book: PriceBook | None) -> Value:
    """The default price of a group's licence: 0 when included, else the price book's."""
    key = f"{here}.price_per_user_month"
    if licence == "included":
        return Value(key, 0.0, None, "default", False, "included: no Remote Help cost")
    if licence == "frontline":
        raise where.error(
            key,
            "missing for a frontline group — the Remote Help Frontline Worker licence has no "
            "public price: enter your quoted price per user per month (mark it illustrative: "
            "true if it is not a quote)",
        )
    item_id = GROUP_PRICE_ITEMS[licence]
    item = price_book.items.get(item_id) if price_book is not None else None
    if item is None or item.price is None:
        raise where.error(
            key,
            f"missing and no price-book figure for {licence} — give the price per user per month",
        )
    return Value(
        key,
        item.price,
        None,
        "price book",
        item.illustrative,
        f"price book: {item.id} ({item.source}, as of {item.as_of.isoformat()})",
        item.note,
    )


def _user_groups(
    where: _Where, s: Spec, raw: Any, price_book: PriceBook | None, origin: str, source: str
) -> Value:
    """``remote_help.user_groups``: a list (up to MAX_LIST) of group mappings."""
    if isinstance(raw, Mapping):
        raw = [raw]
    if not isinstance(raw, list):
        raise where.error(
            s.key, f"is not a list of groups ({_short(raw)}) — accepted: {s.accepted()}"
        )
    if len(raw) > MAX_LIST:
        raise where.error(
            s.key, f"has too many entries ({len(raw):,}) — accepted: up to {MAX_LIST:,}"
        )
    names: set[str] = set()
    groups = tuple(
        _user_group(where, s.key, i, x, price_book, origin, source, names)
        for i, x in enumerate(raw)
    )
    return Value(s.key, groups, None, origin, False, source)


def _default(s: Spec, price_book: PriceBook | None) -> Value:
    if s.default_from is not None and price_book is not None:
        item = price_book.item(s.default_from)
        source = f"price book: {item.id} ({item.source}, as of {item.as_of.isoformat()})"
        if item.range is not None:
            u = Uncertain(*item.range)
            return Value(s.key, u.base, u, "price book", True, source, item.note)
        if item.price is not None:
            return Value(
                s.key, item.price, None, "price book", item.illustrative, source, item.note
            )
    default = s.default
    if isinstance(default, tuple | list):
        default = tuple(default)
    return Value(
        s.key,
        default,
        None,
        "default",
        False,
        "rhmodel default" if default not in (None, ()) else "",
    )


def _book_figure_used(key: str, values: dict[str, Value]) -> bool:
    """Whether a price-book default feeds the model (a product with licences, an add-on)."""
    for c in CONTRACTS:
        if key.startswith(f"{c.name}."):
            count = values[c.count_key]
            return count.value not in (0, None) or count.uncertain is not None
    if key.startswith("remote_help."):
        return values["remote_help.licensing"].value == "add_on"
    return True


def _convert_currency(where: _Where, values: dict[str, Value]) -> None:
    """Check ``currency`` and convert the price book's US$ figures into it with ``usd_rate``."""
    code = values["currency"].value
    if not isinstance(code, str) or not re.fullmatch(r"[A-Z]{3}", code):
        raise where.error(
            "currency",
            f"is not an ISO 4217 code ({_short(code)}) — three capital letters, e.g. USD, EUR, GBP",
        )
    if code == "USD":
        return
    groups = values["remote_help.user_groups"].value or ()
    book = [
        k for k, v in values.items() if v.origin == "price book" and _book_figure_used(k, values)
    ] + [
        f"{g.key}.price_per_user_month"
        for g in groups
        if g.paid and g.numbers["price_per_user_month"].origin == "price book"
    ]
    if not book:
        return
    rate = values["usd_rate"].value
    if rate is None:
        raise where.error(
            "usd_rate",
            f"missing while currency is {code} and {book[0]} comes from the price book (in US$) "
            f"— give the units of {code} per US$ (e.g. usd_rate: 0.92), or give {book[0]} in "
            f"{code} yourself",
        )

    def convert(v: Value) -> Value:
        u = v.uncertain
        return replace(
            v,
            value=v.value * rate,
            uncertain=None
            if u is None
            else Uncertain(u.low * rate, u.high * rate, None if u.mode is None else u.mode * rate),
            source=f"{v.source}; converted at {rate:g} {code} per US$ (usd_rate)",
        )

    for k in book:
        if k in values:
            values[k] = convert(values[k])
    values["remote_help.user_groups"] = replace(
        values["remote_help.user_groups"],
        value=tuple(
            _with_numbers(g, lambda v: convert(v) if v.origin == "price book" else v)
            if g.paid
            else g
            for g in groups
        ),
    )


def _with_numbers(g: UserGroup, change: Any) -> UserGroup:
    """``g`` with ``change`` applied to each of its numeric :class:`Value` s."""
    return replace(g, numbers={k: change(v) for k, v in g.numbers.items()})


def _licensing_assumption(values: dict[str, Value]) -> None:
    """Say what an unstated ``remote_help.licensing`` assumes: a commercial E3/E5/E7 licence
    for everyone (outside the groups); on a Government cloud, that nothing is confirmed."""
    v = values["remote_help.licensing"]
    if v.origin != "default":
        return
    groups = bool(values["remote_help.user_groups"].value)
    cloud = values["tenant_cloud"].value
    if cloud in GOVERNMENT_CLOUDS:
        who = "helpers and sharers outside remote_help.user_groups" if groups else "users"
        source = (
            f"UNCONFIRMED: tenant_cloud is {cloud}, whose Government plans Microsoft only plans "
            "to align with the E3/E5 inclusion (commercial plans only): Remote Help licences of "
            f"the {who} are not priced in these figures — state remote_help.licensing "
            "(included, or add_on with licensed_users) or give remote_help.user_groups"
        )
    else:
        source = INCLUDED_ASSUMPTION_REST if groups else INCLUDED_ASSUMPTION
    values[v.key] = replace(v, source=source)


def _given(x: Value) -> bool:
    """Whether a number is stated and above zero (or may be, as a range)."""
    if x.uncertain is not None:
        return x.uncertain.high > 0
    return x.origin != "default" and bool(x.value)


def _price_change_checks(where: _Where, values: dict[str, Value], prefix: str) -> None:
    """An escalator, an uplift and a termination fee that contradict each other are refused:
    a figure computed from them would rest on a reading the contract does not support."""
    rate, timing = values[f"{prefix}.escalator.rate"], values[f"{prefix}.escalator.timing"].value
    uplift, term = values[f"{prefix}.uplift"], values[f"{prefix}.term_months"].value
    if timing == "at_renewal" and _given(rate) and _given(uplift):
        raise where.error(
            f"{prefix}.escalator",
            f"gives a renewal increase as well as {prefix}.uplift — give one: uplift is the "
            "same as escalator {rate, timing: at_renewal}",
        )
    if timing == "yearly" and _given(rate) and term <= 12:
        raise where.error(
            f"{prefix}.escalator.timing",
            f"is yearly but {prefix}.term_months is {term}: a term of 12 months or less has no "
            "anniversary inside it — timing: at_renewal for a price that rises at each renewal",
        )
    fee, cancellable = values[f"{prefix}.termination_fee"], values[f"{prefix}.cancellable_mid_term"]
    if _given(fee) and not cancellable.value:
        raise where.error(
            f"{prefix}.termination_fee",
            f"is given but {prefix}.cancellable_mid_term is false: the fee is paid only when "
            "the contract may be cut before its term ends — set cancellable_mid_term: true, "
            "or remove the fee",
        )


def _cross_checks(where: _Where, values: dict[str, Value]) -> None:
    """Checks that span keys: what must be given together, and what may not exceed what."""
    v = {k: x.value for k, x in values.items()}
    began, ended = v["pilot.start_date"], v["pilot.end_date"]
    if began is not None and ended is not None and ended < began:
        raise where.error(
            "pilot.end_date",
            f"is before pilot.start_date ({ended.isoformat()} < {began.isoformat()}) — "
            "a pilot ends on or after the day it starts",
        )
    for c in CONTRACTS:
        _price_change_checks(where, values, c.name)
        prefix, name, residual = c.name, c.short, c.residual_key
        count, price = c.count_key.split(".", 1)[1], c.price_key.split(".", 1)[1]
        n = v[c.count_key]
        count_range = values[c.count_key].uncertain
        if n or count_range is not None:
            if v[f"{prefix}.months_to_renewal"] is None:
                raise where.error(
                    f"{prefix}.months_to_renewal",
                    f"missing while {prefix}.{count} is {n} — give the months left "
                    "on the current term (0 = renewal now)",
                )
            if v[f"{prefix}.{price}"] is None:
                raise where.error(
                    f"{prefix}.{price}",
                    f"missing while {prefix}.{count} is {n} — {name} is quote-only:"
                    " enter your quoted price (mark it illustrative: true if it is "
                    "not a real quote)",
                )
        r = v[residual]
        if r is not None:
            r_range = values[residual].uncertain
            r_max = r_range.high if r_range else r
            n_range = count_range
            n_min = n_range.low if n_range else n
            if r_max > n_min:
                raise where.error(
                    residual,
                    f"the pool to keep ({r_max:g}) is larger than the "
                    f"current {prefix}.{count} ({n_min:g}) — a residual "
                    f"pool between 0 and {n_min:g}",
                )
    if v["remote_help.licensing"] == "add_on" and v["remote_help.licensed_users"] is None:
        raise where.error(
            "remote_help.licensed_users",
            "missing while remote_help.licensing is add_on — give the number of "
            "users who need a licence (helpers and sharers)",
        )
    tz = v["pilot.timezone"]
    if tz is not None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise where.error(
                "pilot.timezone",
                f"unknown time zone ({tz!r}) — an IANA name "
                "such as Europe/London or America/New_York",
            ) from None


def _apply_overrides(where: _Where, raw: dict[str, Any], overrides: Iterable[str]) -> None:
    for item in overrides:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise InputError(
                f"cannot read override ({item!r}) — write key.path=value, e.g. logmein.agents=80",
                file="--set",
            )
        if key not in BY_KEY:
            raise InputError(
                f"unknown key{did_you_mean(key, BY_KEY)} — see the README's parameter table",
                file="--set",
                key=key,
            )
        if not text.strip():
            raise InputError(
                f"no value after '=' ({_short(item)}) — write key.path=value, e.g. {key}=..."
                " (--set cannot remove a key: edit the file for that)",
                file="--set",
                key=key,
            )
        try:
            value = parse_yaml(text, "--set").data
        except InputError as exc:
            raise InputError(
                f"cannot read the value ({_short(text)}): {exc.message}", file="--set", key=key
            ) from None
        if value is None:
            raise InputError(
                f"no value ({_short(text)}) — give a value, e.g. {key}=... (--set cannot "
                "remove a key: edit the file for that)",
                file="--set",
                key=key,
            )
        where.overridden.add(key)
        set_path(raw, key, value)


def resolve_parameters(
    doc: YamlDocument,
    overrides: Sequence[str] = (),
    *,
    price_book: PriceBook | None = None,
    today: dt.date | None,
    base_dir: Path | None = None,
) -> Parameters:
    """Validate a parsed parameters file (plus ``key=value`` overrides) completely.

    Parameters
    ----------
    doc : YamlDocument
        The parsed file; an empty file is valid (every default applies).
    overrides : sequence of str
        ``key.path=value`` strings; each value is read as YAML (``true``, ``0.05``,
        ``{low: 29, high: 94}``).
    price_book : PriceBook or None
        Source of price defaults (``None``: prices have no default).
    today : datetime.date or None
        The date an absent ``start_date`` is taken from (the first of its month); ``None``
        makes ``start_date`` required.
    base_dir : Path, optional
        Directory that relative ``pilot.files`` are resolved against.

    Returns
    -------
    Parameters

    Raises
    ------
    InputError
        At the first problem: an unknown key (with a suggestion), a wrong type, a value out of
        range, or keys that contradict each other.

    Examples
    --------
    >>> day = dt.date(2026, 11, 26)
    >>> resolve_parameters(parse_yaml("horizon_month: 24\\n", "p.yaml"), today=day)
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    rhmodel.errors.InputError: p.yaml:1: horizon_month: unknown key (did you mean 'horizon_mo...
    >>> resolve_parameters(parse_yaml("", "p.yaml"), ["discount_rate=1.5"], today=day)
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    rhmodel.errors.InputError: --set: discount_rate: value is too large (1.5) — accepted: ...
    """
    data = doc.data if doc.data is not None else {}
    where = _Where(doc, set())
    if not isinstance(data, Mapping):
        raise where.error(
            "",
            f"must be a mapping of keys to values (got {type(data).__name__})"
            " — see data/params/sample.yaml",
        )
    raw = plain_copy(data) if overrides else dict(data)
    if overrides:
        # the copy turned dates into strings; _resolve reads ISO strings back as dates.
        _apply_overrides(where, raw, overrides)
    flat = _flatten(where, raw)
    values: dict[str, Value] = {}
    for s in SCHEMA:
        if s.key in flat and flat[s.key] is not None and s.kind == "user_groups":
            origin, source = where.source(s.key)
            values[s.key] = _user_groups(where, s, flat[s.key], price_book, origin, source)
        elif s.key in flat and flat[s.key] is not None:
            origin, source = where.source(s.key)
            values[s.key] = _resolve(where, s, flat[s.key], origin, source)
        else:
            values[s.key] = _default(s, price_book)
    if values["illustrative"].value:
        for key, v in values.items():
            if v.origin == "file" and spec(key).kind in ("int", "float") and spec(key).figure:
                values[key] = replace(v, illustrative=True)
        groups = values["remote_help.user_groups"]
        values[groups.key] = replace(
            groups,
            value=tuple(
                _with_numbers(
                    g,
                    lambda x: replace(x, illustrative=x.illustrative or x.origin == "file"),
                )
                for g in groups.value or ()
            ),
        )
    if values["start_date"].value is None:
        if today is None:
            raise where.error(
                "start_date",
                "missing — give the first day of month 1 of the analysis as YYYY-MM-DD",
            )
        values["start_date"] = replace(
            values["start_date"],
            value=today.replace(day=1),
            source="first day of the current month",
        )
    _convert_currency(where, values)
    _cross_checks(where, values)
    _licensing_assumption(values)
    return Parameters(
        file=doc.file,
        values=values,
        base_dir=base_dir if base_dir is not None else Path(doc.file).parent,
        _raw=raw,
        _price_book=price_book,
        _today=today,
    )
