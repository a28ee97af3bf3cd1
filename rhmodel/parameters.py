"""The one parameters file that drives every command, notebook and workbook.

A parameters file is YAML. Every key is declared once in :data:`SCHEMA` (type, default, unit,
bounds, whether it may be a range, what it means); validation, ``--set`` overrides, the
README's key table, the workbook's Inputs sheet and the explorer all read that table.

A numeric value may be written four ways::

    logmein.price_per_agent_month: 45                        # a number
    logmein.price_per_agent_month: {low: 29, high: 94}      # uniform range, base = midpoint
    logmein.price_per_agent_month: {low: 29, mode: 45, high: 94}   # triangular, base = mode
    beyondtrust.price_per_seat_year: {value: 2400, illustrative: true, source: "placeholder"}

Any of the mapping forms may carry ``illustrative: true`` (the figure is not a quoted fact; every
output that uses it says so), ``source`` and ``note``.

Examples
--------
>>> p = parse_parameters(parse_yaml("logmein: {agents: 100, price_per_agent_month: 50, "
...                                 "months_to_renewal: 0}\\n", "p.yaml"))
>>> p["logmein.agents"], p["horizon_months"], p["discount_rate"]
(100, 36, 0.1)
>>> p.with_overrides(["logmein.agents=80"])["logmein.agents"]
80
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from rhmodel.capabilities import PLATFORMS, TENANT_CLOUDS
from rhmodel.errors import InputError
from rhmodel.prices import PriceBook
from rhmodel.validation import did_you_mean
from rhmodel.yamlsource import YamlDocument, parse_yaml

__all__ = [
    "SCHEMA",
    "Parameters",
    "Spec",
    "Uncertain",
    "Value",
    "parse_parameters",
    "spec",
]

_NO_DEFAULT = object()


@dataclass(frozen=True)
class Spec:
    """Declaration of one parameters key.

    Attributes
    ----------
    key : str
        Dotted key path, e.g. ``logmein.agents``.
    kind : str
        ``bool``, ``int``, ``float``, ``choice``, ``date``, ``text``, ``platforms`` (a list of
        platform ids), ``texts`` (a list of strings) or ``paths`` (a list of file paths).
    unit : str
        Unit shown beside the value ("US$ per agent per month", "fraction 0–1", "count").
    doc : str
        One line saying what the key means.
    default : Any
        Value when the key is absent; ``None`` means "not given".
    minimum, maximum : float or None
        Inclusive lower bound; upper bound (exclusive when ``maximum_exclusive``).
    choices : tuple of str
        Accepted values for ``choice``.
    rangeable : bool
        Whether the value may be an uncertain range.
    figure : bool
        False for numbers that are modelling choices (horizon, term, notice, pilot length)
        rather than figures a file's ``illustrative: true`` should flag.
    default_from : str or None
        Price-book item whose figure (or range) is the default.
    """

    key: str
    kind: str
    unit: str
    doc: str
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    maximum_exclusive: bool = False
    choices: tuple[str, ...] = ()
    rangeable: bool = False
    default_from: str | None = None
    figure: bool = True

    def accepted(self) -> str:
        """What a valid value looks like, for error messages."""
        if self.kind == "bool":
            return "true or false"
        if self.kind == "choice":
            return ", ".join(self.choices)
        if self.kind == "date":
            return "a date YYYY-MM-DD"
        if self.kind in ("text",):
            return "text"
        if self.kind == "platforms":
            return f"a list of {', '.join(PLATFORMS)}"
        if self.kind in ("texts", "paths"):
            return "a list of strings"
        what = "an integer" if self.kind == "int" else "a number"
        lo = "" if self.minimum is None else f" >= {self.minimum:g}"
        hi = ""
        if self.maximum is not None:
            hi = f" {'<' if self.maximum_exclusive else '<='} {self.maximum:g}"
        rng = " (or a range {low, mode, high} / {low, high})" if self.rangeable else ""
        return f"{what}{lo}{' and' if lo and hi else ''}{hi} ({self.unit}){rng}"


def _contract(prefix: str, count_key: str, count_unit: str, price_key: str, price_unit: str,
              price_doc: str, default_from: str | None) -> list[Spec]:
    return [
        Spec(f"{prefix}.{count_key}", "int", count_unit,
             "licences on the current contract (0 or absent: the product is not used)",
             default=0, minimum=0, rangeable=True),
        Spec(f"{prefix}.{price_key}", "float", price_unit, price_doc, minimum=0,
             rangeable=True, default_from=default_from),
        Spec(f"{prefix}.months_to_renewal", "int", "months",
             "months left on the current term; a change takes effect from the month after",
             minimum=0, maximum=600, rangeable=True),
        Spec(f"{prefix}.term_months", "int", "months", "length of each renewal term",
             default=12, minimum=1, maximum=120, figure=False),
        Spec(f"{prefix}.uplift", "float", "fraction per renewal",
             "price increase applied at each renewal (0.05 = 5%)", default=0.0, minimum=0,
             maximum=1, maximum_exclusive=True, rangeable=True),
        Spec(f"{prefix}.notice_days", "int", "days",
             "notice needed before the renewal date to change or cancel", default=30, minimum=0,
             maximum=730, figure=False),
        Spec(f"{prefix}.billing", "choice", "",
             "monthly: cost accrues each month; annual: each term is paid in advance at renewal "
             "(the current term is already paid)", default="monthly",
             choices=("monthly", "annual")),
    ]


_REQUIREMENT_DOC = "true if you need it (the seed's 'keep a specialist tool if you need' column)"

#: Every key a parameters file may hold, in the order the README and workbook list them.
SCHEMA: tuple[Spec, ...] = (
    Spec("organisation", "text", "", "name shown on reports", default=""),
    Spec("illustrative", "bool", "",
         "true when every figure in this file is illustrative (a sample or a what-if), not a "
         "quoted fact", default=False),
    Spec("tenant_cloud", "choice", "", "Microsoft tenant cloud", default="commercial",
         choices=TENANT_CLOUDS),
    Spec("start_date", "date", "date",
         "first day of month 1 of the analysis (default: the first day of the current month)"),
    Spec("horizon_months", "int", "months", "length of the analysis", default=36, minimum=1,
         maximum=240, figure=False),
    Spec("discount_rate", "float", "annual fraction", "discount rate for NPV (0.10 = 10%)",
         default=0.10, minimum=0, maximum=1, maximum_exclusive=True, rangeable=True,
         figure=False),
    Spec("requirements.external_or_unmanaged_support", "bool", "",
         f"support external customers, partners, vendors or unmanaged devices: {_REQUIREMENT_DOC}",
         default=False),
    Spec("requirements.unattended_windows", "bool", "",
         f"unattended access to Windows servers, kiosks, always-on machines: {_REQUIREMENT_DOC}",
         default=False),
    Spec("requirements.privileged_access_management", "bool", "",
         f"PAM, credential vaulting or vendor-access governance: {_REQUIREMENT_DOC}",
         default=False),
    Spec("requirements.mandatory_session_recording", "bool", "",
         f"mandatory full session recording for compliance: {_REQUIREMENT_DOC}", default=False),
    Spec("requirements.bundled_rmm_ticketing", "bool", "",
         f"RMM / patching / ticketing inside the support tool: {_REQUIREMENT_DOC}",
         default=False),
    Spec("requirements.unsupported_platforms", "bool", "",
         "endpoints on Linux, iOS or ChromeOS that need support", default=False),
    Spec("requirements.platforms", "platforms", "",
         "optional: every endpoint platform you support (checked against Remote Help's list)"),
    Spec("requirements.on_prem_or_air_gapped", "bool", "",
         "support must run on-prem / air-gapped, independent of a vendor cloud", default=False),
    *_contract("logmein", "agents", "named agents", "price_per_agent_month",
               "US$ per agent per month", "LogMeIn Resolve price per named agent",
               "logmein_resolve_agent"),
    *_contract("beyondtrust", "concurrent_seats", "concurrent seats", "price_per_seat_year",
               "US$ per concurrent seat per year",
               "BeyondTrust Remote Support price per concurrent seat (quote-only: your quote)",
               None),
    Spec("remote_help.licensing", "choice", "",
         "included: covered by M365 E3/E5 (from 2026-07-01) or Intune Suite; add_on: paid "
         "per licensed user", default="included", choices=("included", "add_on")),
    Spec("remote_help.price_per_user_month", "float", "US$ per user per month",
         "Remote Help add-on price (used when licensing is add_on)", minimum=0, rangeable=True,
         default_from="remote_help_add_on"),
    Spec("remote_help.licensed_users", "int", "users",
         "users who need a paid licence: helpers and sharers both (add_on only)", minimum=0,
         rangeable=True),
    Spec("residual.logmein_agents", "int", "named agents",
         "LogMeIn Resolve agents to keep after the renewal (default: from pilot evidence)",
         minimum=0, rangeable=True),
    Spec("residual.beyondtrust_seats", "int", "concurrent seats",
         "BeyondTrust seats to keep after the renewal (default: from pilot evidence)",
         minimum=0, rangeable=True),
    Spec("transition.deployment_cost", "float", "US$",
         "one-off deployment cost (packaging, RBAC, Conditional Access; seed §10)", default=0.0,
         minimum=0, rangeable=True),
    Spec("transition.training_hours", "float", "hours",
         "help-desk and end-user briefing time (seed §10.6)", default=0.0, minimum=0,
         rangeable=True),
    Spec("transition.training_rate_per_hour", "float", "US$ per hour",
         "loaded cost of an hour of training", default=0.0, minimum=0, rangeable=True),
    Spec("transition.network_change_hours", "float", "hours",
         "network/proxy work: endpoint allow-list, SSL-inspection bypass, UDP media (seed §7–8)",
         default=0.0, minimum=0, rangeable=True),
    Spec("transition.network_rate_per_hour", "float", "US$ per hour",
         "loaded cost of an hour of network-team work", default=0.0, minimum=0, rangeable=True),
    Spec("risk_adjustment.benefit_haircut", "float", "fraction 0–1",
         "Forrester-TEI-style risk adjustment: incumbent savings reduced by this fraction",
         default=0.0, minimum=0, maximum=1, maximum_exclusive=True),
    Spec("risk_adjustment.cost_uplift", "float", "fraction 0–1",
         "Forrester-TEI-style risk adjustment: new spend increased by this fraction",
         default=0.0, minimum=0, maximum=1, maximum_exclusive=True),
    Spec("pilot.files", "paths", "", "pilot session exports, relative to the parameters file",
         default=()),
    Spec("pilot.days", "int", "days", "pilot length (the seed recommends 30–60)", default=45,
         minimum=1, maximum=365, figure=False),
    Spec("pilot.timezone", "text", "", "business time zone of the pilot exports (IANA name)"),
    Spec("pilot.target_blocking", "float", "fraction 0–1",
         "Erlang B target when sizing a concurrent pool (0.01 = 1% of logins refused)",
         default=0.01, minimum=0.0001, maximum=1, maximum_exclusive=True, figure=False),
    Spec("pilot.headroom", "float", "fraction",
         "added on top of the pilot evidence when sizing a pool (0.2 = 20%)", default=0.2,
         minimum=0, maximum=5, figure=False),
    Spec("pilot.growth", "float", "fraction",
         "expected growth of residual work over the next term (0.1 = 10%)", default=0.0,
         minimum=0, maximum=5, figure=False),
    Spec("pilot.tenant_domains", "texts", "",
         "e-mail domains of your tenant; a sharer outside them is external support",
         default=()),
)

_BY_KEY = {s.key: s for s in SCHEMA}
_SECTIONS = {k.split(".")[0] for k in _BY_KEY if "." in k}
_VALUE_FORM_KEYS = ("value", "low", "mode", "high", "illustrative", "source", "note")


def spec(key: str) -> Spec:
    """The :class:`Spec` of ``key``.

    Examples
    --------
    >>> spec("discount_rate").unit
    'annual fraction'
    """
    return _BY_KEY[key]


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

    def to_dict(self) -> dict[str, Any]:
        """JSON / YAML form."""
        out: dict[str, Any] = {"low": self.low}
        if self.mode is not None:
            out["mode"] = self.mode
        out["high"] = self.high
        return out


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
            return self.uncertain.to_dict()
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
    base_dir: Path = field(default_factory=Path.cwd)
    _raw: Mapping[str, Any] = field(default_factory=dict, repr=False)
    _price_book: PriceBook | None = field(default=None, repr=False)
    _derived: Mapping[str, Value] = field(default_factory=dict, repr=False)

    def __getitem__(self, key: str) -> Any:
        return self.values[key].value

    def value(self, key: str) -> Value:
        """The resolved :class:`Value` of ``key``."""
        return self.values[key]

    def uncertain_keys(self) -> list[str]:
        """Keys given as ranges, in schema order."""
        return [k for k, v in self.values.items() if v.uncertain is not None]

    def illustrative_inputs(self) -> list[str]:
        """Keys whose figure is not a quoted fact and is used by the model.

        An input counts when it is marked illustrative and it matters: a price of a product
        with no licences, or the add-on price when Remote Help is included, does not.
        """
        return [k for k, v in self.values.items() if v.illustrative and self.is_used(k)]

    def is_used(self, key: str) -> bool:
        """Whether the money model reads ``key`` for these parameters (a product with no
        licences, or the add-on price when Remote Help is included, is not read)."""
        if key.startswith("logmein."):
            return self.values["logmein.agents"].value not in (0, None)
        if key.startswith("beyondtrust."):
            return self.values["beyondtrust.concurrent_seats"].value not in (0, None)
        if key.startswith("remote_help.") and key != "remote_help.licensing":
            return self.values["remote_help.licensing"].value == "add_on"
        return self.values[key].value is not None

    def digest(self) -> str:
        """SHA-256 of the resolved values: the same inputs give the same hash.

        Examples
        --------
        >>> a = parse_parameters(parse_yaml("horizon_months: 24\\n", "a.yaml"))
        >>> b = parse_parameters(parse_yaml("horizon_months: 24  # same\\n", "b.yaml"))
        >>> a.digest() == b.digest(), len(a.digest())
        (True, 64)
        """
        canonical = {k: v.plain() for k, v in self.values.items()}
        blob = json.dumps(canonical, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()

    def with_overrides(self, overrides: Sequence[str]) -> Parameters:
        """A new :class:`Parameters` with ``key=value`` overrides applied and re-validated."""
        doc = YamlDocument(data=self._raw, file=self.file, lines={})
        return parse_parameters(doc, overrides, price_book=self._price_book,
                                base_dir=self.base_dir).with_derived(self._derived)

    def with_values(self, changes: Mapping[str, Any]) -> Parameters:
        """A new :class:`Parameters` with ``changes`` (key → plain value) applied, validated."""
        raw = _set_path_values(self._raw, changes)
        doc = YamlDocument(data=raw, file=self.file, lines={})
        return parse_parameters(doc, (), price_book=self._price_book,
                                base_dir=self.base_dir).with_derived(self._derived)

    def with_derived(self, derived: Mapping[str, Value]) -> Parameters:
        """Fill keys the file leaves out with values derived elsewhere (e.g. the pilot's pool).

        A key the file (or ``--set``) gives keeps its given value.
        """
        fill = {k: v for k, v in derived.items() if self.values[k].origin in ("default",)
                and self.values[k].value is None}
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


def _set_path_values(raw: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    result = json.loads(json.dumps(raw, default=str))
    for key, value in changes.items():
        node = result
        parts = key.split(".")
        for part in parts[:-1]:
            if not isinstance(node.get(part), dict):
                node[part] = {}
            node = node[part]
        node[parts[-1]] = value
    return result


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
        if name in _BY_KEY:
            flat[name] = value
            continue
        if name in _SECTIONS:
            if value is None:
                continue
            if not isinstance(value, Mapping):
                raise where.error(name, f"must be a section of 'name: value' lines (got "
                                        f"{value!r}) — e.g. '{name}:' then indented keys")
            for sub, subvalue in value.items():
                key = f"{name}.{sub}"
                if key not in _BY_KEY:
                    here = sorted(k.split(".", 1)[1] for k in _BY_KEY if k.startswith(name + "."))
                    raise where.error(key, f"unknown key{did_you_mean(str(sub), here)} — "
                                           f"accepted in {name}: {', '.join(here)}")
                flat[key] = subvalue
            continue
        top = sorted({k.split(".")[0] for k in _BY_KEY})
        raise where.error(name, f"unknown key{did_you_mean(name, top + list(_BY_KEY))} — "
                                f"accepted: {', '.join(top)}")
    return flat


def _number(where: _Where, s: Spec, key: str, raw: Any, what: str = "value") -> float | int:
    bad = isinstance(raw, bool) or not isinstance(raw, int | float)
    if not bad and isinstance(raw, float) and not math.isfinite(raw):
        bad = True
    if not bad and s.kind == "int" and what == "value" and not float(raw).is_integer():
        bad = True
    if bad:
        raise where.error(key, f"{'' if what == 'value' else what + ' '}is not valid "
                               f"({raw!r}) — accepted: {s.accepted()}")
    if s.minimum is not None and raw < s.minimum:
        raise where.error(key, f"{what} is below {s.minimum:g} ({raw!r}) — accepted: "
                               f"{s.accepted()}")
    if s.maximum is not None and (raw >= s.maximum if s.maximum_exclusive else raw > s.maximum):
        raise where.error(key, f"{what} is too large ({raw!r}) — accepted: {s.accepted()}")
    return int(raw) if s.kind == "int" and what == "value" else float(raw)


def _resolve(where: _Where, s: Spec, raw: Any, origin: str, source: str) -> Value:
    key = s.key
    illustrative, note = False, ""
    if isinstance(raw, Mapping) and s.kind in ("int", "float"):
        unknown = [k for k in raw if k not in _VALUE_FORM_KEYS]
        if unknown:
            raise where.error(key, f"unknown field {unknown[0]!r} in the value"
                                   f"{did_you_mean(str(unknown[0]), _VALUE_FORM_KEYS)} — "
                                   f"accepted: {', '.join(_VALUE_FORM_KEYS)}")
        illustrative = raw.get("illustrative", False)
        if not isinstance(illustrative, bool):
            raise where.error(key, f"illustrative must be true or false (got {illustrative!r})"
                                   " — true when the figure is not a quoted fact")
        explicit = "source" in raw
        if explicit:
            source = str(raw["source"])
        note = str(raw.get("note", ""))
        if "value" in raw:
            if any(k in raw for k in ("low", "mode", "high")):
                raise where.error(key, "give either value or low/high, not both — e.g. "
                                       "{value: 45} or {low: 29, high: 94}")
            value = _number(where, s, key, raw["value"])
            return Value(key, value, None, origin, illustrative, source, note, explicit)
        if "low" not in raw or "high" not in raw:
            raise where.error(key, f"a range needs low and high (got {dict(raw)!r}) — "
                                   "{low, high} (uniform) or {low, mode, high} (triangular)")
        if not s.rangeable:
            raise where.error(key, f"cannot be a range ({dict(raw)!r}) — accepted: "
                                   f"{s.accepted()}")
        lo = _number(where, s, key, raw["low"], "low")
        hi = _number(where, s, key, raw["high"], "high")
        mode = _number(where, s, key, raw["mode"], "mode") if "mode" in raw else None
        if hi < lo:
            raise where.error(key, f"high is below low ({hi:g} < {lo:g}) — low <= high")
        if mode is not None and not lo <= mode <= hi:
            raise where.error(key, f"mode is outside [low, high] ({mode:g} not in "
                                   f"[{lo:g}, {hi:g}]) — low <= mode <= high")
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
            raise where.error(key, f"is not valid ({raw!r}) — accepted: true or false")
        return Value(key, raw, None, origin, False, source)
    if s.kind == "choice":
        if not isinstance(raw, str) or raw not in s.choices:
            hint = did_you_mean(raw, s.choices) if isinstance(raw, str) else ""
            raise where.error(key, f"unknown value ({raw!r}){hint} — accepted: {s.accepted()}")
        return Value(key, raw, None, origin, False, source)
    if s.kind == "date":
        if isinstance(raw, str):
            with contextlib.suppress(ValueError):
                raw = dt.date.fromisoformat(raw)
        if not isinstance(raw, dt.date) or isinstance(raw, dt.datetime):
            raise where.error(key, f"is not a date ({raw!r}) — accepted: {s.accepted()}")
        return Value(key, raw, None, origin, False, source)
    if s.kind == "text":
        if raw is None:
            return Value(key, None, None, origin, False, source)
        if not isinstance(raw, str):
            raise where.error(key, f"is not text ({raw!r}) — accepted: text in quotes")
        return Value(key, raw, None, origin, False, source)
    # the list kinds
    if raw is None:
        return Value(key, None if s.default is None else tuple(s.default), None, origin, False,
                     source)
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(x, str) and x.strip() for x in raw):
        raise where.error(key, f"is not a list of names ({raw!r}) — accepted: {s.accepted()}")
    if s.kind == "platforms":
        for item in raw:
            if item.lower() not in PLATFORMS:
                raise where.error(key, f"unknown platform ({item!r})"
                                       f"{did_you_mean(item.lower(), PLATFORMS)} — accepted: "
                                       f"{', '.join(PLATFORMS)}")
        raw = [x.lower() for x in raw]
    return Value(key, tuple(raw), None, origin, False, source)


def _default(s: Spec, price_book: PriceBook | None) -> Value:
    if s.default_from is not None and price_book is not None:
        item = price_book.item(s.default_from)
        source = f"price book: {item.id} ({item.source}, as of {item.as_of.isoformat()})"
        if item.range is not None:
            u = Uncertain(*item.range)
            return Value(s.key, u.base, u, "price book", True, source, item.note)
        if item.price is not None:
            return Value(s.key, item.price, None, "price book", item.illustrative, source,
                         item.note)
    default = s.default
    if isinstance(default, tuple | list):
        default = tuple(default)
    return Value(s.key, default, None, "default", False, "rhmodel default" if default not in
                 (None, ()) else "")


def _cross_checks(where: _Where, values: dict[str, Value]) -> None:
    """Checks that span keys: what must be given together, and what may not exceed what."""
    v = {k: x.value for k, x in values.items()}
    contracts = (("logmein", "agents", "price_per_agent_month", "residual.logmein_agents",
                  "LogMeIn Resolve"),
                 ("beyondtrust", "concurrent_seats", "price_per_seat_year",
                  "residual.beyondtrust_seats", "BeyondTrust"))
    for prefix, count, price, residual, name in contracts:
        n = v[f"{prefix}.{count}"]
        count_range = values[f"{prefix}.{count}"].uncertain
        if n or count_range is not None:
            if v[f"{prefix}.months_to_renewal"] is None:
                raise where.error(f"{prefix}.months_to_renewal",
                                  f"missing while {prefix}.{count} is {n} — give the months left "
                                  "on the current term (0 = renewal now)")
            if v[f"{prefix}.{price}"] is None:
                raise where.error(f"{prefix}.{price}",
                                  f"missing while {prefix}.{count} is {n} — {name} is quote-only:"
                                  " enter your quoted price (mark it illustrative: true if it is "
                                  "not a real quote)")
        r = v[residual]
        if r is not None:
            r_range = values[residual].uncertain
            r_max = r_range.high if r_range else r
            n_range = count_range
            n_min = n_range.low if n_range else n
            if r_max > n_min:
                raise where.error(residual, f"the pool to keep ({r_max:g}) is larger than the "
                                            f"current {prefix}.{count} ({n_min:g}) — a residual "
                                            f"pool between 0 and {n_min:g}")
    if v["remote_help.licensing"] == "add_on" and v["remote_help.licensed_users"] is None:
        raise where.error("remote_help.licensed_users",
                          "missing while remote_help.licensing is add_on — give the number of "
                          "users who need a licence (helpers and sharers)")
    tz = v["pilot.timezone"]
    if tz is not None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise where.error("pilot.timezone", f"unknown time zone ({tz!r}) — an IANA name "
                                                "such as Europe/London or America/New_York"
                              ) from None


def _apply_overrides(where: _Where, raw: dict[str, Any], overrides: Iterable[str]) -> None:
    for item in overrides:
        key, sep, text = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise InputError(f"cannot read override ({item!r}) — write key.path=value, e.g. "
                             "logmein.agents=80", file="--set")
        if key not in _BY_KEY:
            raise InputError(f"unknown key{did_you_mean(key, _BY_KEY)} — see the README's "
                             "parameter table", file="--set", key=key)
        try:
            value = parse_yaml(text, "--set").data if text.strip() else None
        except InputError as exc:
            raise InputError(f"cannot read the value ({text!r}): {exc.message}", file="--set",
                             key=key) from None
        where.overridden.add(key)
        node = raw
        parts = key.split(".")
        for part in parts[:-1]:
            if not isinstance(node.get(part), dict):
                node[part] = {}
            node = node[part]
        node[parts[-1]] = value


def parse_parameters(doc: YamlDocument, overrides: Sequence[str] = (), *,
                     price_book: PriceBook | None = None,
                     base_dir: Path | None = None) -> Parameters:
    """Validate a parsed parameters file (plus ``key=value`` overrides) completely.

    Parameters
    ----------
    doc : YamlDocument
        The parsed file; an empty file is valid (every default applies).
    overrides : sequence of str
        ``key.path=value`` strings; each value is read as YAML (``true``, ``0.05``,
        ``{low: 29, high: 94}``).
    price_book : PriceBook, optional
        Source of price defaults; the bundled price book when omitted.
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
    >>> parse_parameters(parse_yaml("horizon_month: 24\\n", "p.yaml"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    rhmodel.errors.InputError: p.yaml:1: horizon_month: unknown key (did you mean 'horizon_mo...
    >>> parse_parameters(parse_yaml("", "p.yaml"), ["discount_rate=1.5"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    rhmodel.errors.InputError: --set: discount_rate: value is too large (1.5) — accepted: ...
    """
    if price_book is None:
        from rhmodel.datasets import load_price_book

        price_book = load_price_book()
    data = doc.data if doc.data is not None else {}
    where = _Where(doc, set())
    if not isinstance(data, Mapping):
        raise where.error("", f"must be a mapping of keys to values (got {type(data).__name__})"
                              " — see data/params/sample.yaml")
    raw = json.loads(json.dumps(data, default=str)) if overrides else dict(data)
    if overrides:
        # json round-trip turned dates into strings; _resolve reads ISO strings back as dates.
        _apply_overrides(where, raw, overrides)
    flat = _flatten(where, raw)
    values: dict[str, Value] = {}
    for s in SCHEMA:
        if s.key in flat and flat[s.key] is not None:
            origin, source = where.source(s.key)
            values[s.key] = _resolve(where, s, flat[s.key], origin, source)
        else:
            values[s.key] = _default(s, price_book)
    if values["illustrative"].value:
        for key, v in values.items():
            if v.origin == "file" and spec(key).kind in ("int", "float") and spec(key).figure:
                values[key] = replace(v, illustrative=True)
    if values["start_date"].value is None:
        today = dt.date.today()
        values["start_date"] = replace(values["start_date"], value=today.replace(day=1),
                                       source="first day of the current month")
    _cross_checks(where, values)
    return Parameters(file=doc.file, values=values,
                      base_dir=base_dir if base_dir is not None else Path(doc.file).parent,
                      _raw=raw, _price_book=price_book)
