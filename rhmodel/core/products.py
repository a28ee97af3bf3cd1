"""The one table of products, incumbent contracts, licence metrics, reason codes and platforms.

Every other module that needs to know which products exist, how an incumbent is licensed, which
parameters hold its contract, or which reason codes and platforms a pilot export may name reads
it here. The incumbents themselves are data: one record each in ``data/incumbents.yaml``
(:func:`parse_incumbents` validates it), so adding an incumbent is one record there, one
capability column and one price entry; the parameter schema, labels, cost components and every
face are derived from :data:`CONTRACTS`.

The table is a constant of the program, kept as data the way pint keeps its unit registry: it is
read once, when this module is imported, from the bundled file (or from ``incumbents.yaml`` in
the folder ``RHMODEL_DATA`` names, which replaces the bundled data folder as a whole, see
:mod:`rhmodel.edges.bundled`). Nothing a user passes at run time reaches it.

Examples
--------
>>> [c.name for c in CONTRACTS][:2]
['logmein', 'beyondtrust']
>>> contract_for("beyondtrust").price_key, contract_for("beyondtrust").price_divisor
('beyondtrust.price_per_seat_year', 12.0)
>>> PRODUCT_NAMES["logmein_resolve"]
'LogMeIn Resolve'
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal, get_args

from rhmodel.core.document import YamlDocument, parse_yaml
from rhmodel.core.validation import choice, mapping, no_unknown_keys, sequence, text
from rhmodel.errors import InputError

__all__ = [
    "ACTIONS",
    "COMPONENTS",
    "CONTRACTS",
    "INCUMBENTS",
    "INCUMBENTS_AS_OF",
    "METRICS",
    "PLATFORMS",
    "PLATFORM_PATTERNS",
    "PRODUCTS",
    "PRODUCT_NAMES",
    "REASON_CODES",
    "REMOTE_HELP",
    "SCENARIOS",
    "SCENARIO_ACTIONS",
    "TENANT_CLOUDS",
    "VERDICTS",
    "Action",
    "Component",
    "Contract",
    "ProductId",
    "ScenarioName",
    "Verdict",
    "absorb_candidates",
    "consolidation_target",
    "contract_for",
    "parse_incumbents",
    "parse_platform_patterns",
    "plan_actions",
    "plan_name",
]

#: Product ids are strings from the table: ``remote_help`` and each record's ``product``.
ProductId = str
#: The product that replaces the incumbents.
REMOTE_HELP: ProductId = "remote_help"

#: The replace-or-keep verdicts (seed §4.4); see :mod:`rhmodel.core.decision`.
Verdict = Literal["keep", "replace", "right_size"]
VERDICTS: tuple[Verdict, ...] = get_args(Verdict)
#: Scenario names, in the order they are reported.
ScenarioName = Literal["status_quo", "right_size", "cancel"]
SCENARIOS: tuple[ScenarioName, ...] = get_args(ScenarioName)
#: What a plan does with one incumbent contract at a renewal: renew it as it is, keep a smaller
#: pool, cancel it, or cancel it and move its residual work to another incumbent's pool.
Action = Literal["renew", "right_size", "cancel", "consolidate"]
ACTIONS: tuple[Action, ...] = get_args(Action)
#: The pinned scenarios are plans that give every contract the same action.
SCENARIO_ACTIONS: dict[str, Action] = {
    "status_quo": "renew",
    "right_size": "right_size",
    "cancel": "cancel",
}
#: What a licence counts: people who may use it, or people logged in at once.
METRICS: tuple[str, ...] = ("named", "concurrent")
#: Cost components are contract names plus these two.
Component = str

#: Reason codes a pilot export may give for a session that needed the incumbent.
REASON_CODES: tuple[str, ...] = (
    "unattended",
    "external",
    "recording",
    "pam",
    "platform",
    "rmm",
    "other",
)
#: Microsoft tenant clouds a parameters file may name.
TENANT_CLOUDS: tuple[str, ...] = ("commercial", "gcc", "gcc_high", "dod")
#: Endpoint platforms as Remote Help sees them, as named in the matrix, the parameters and pilot
#: exports: Windows client editions, Windows Server, Windows 365 Cloud PCs and Azure Virtual
#: Desktop (``cloud_pc``), macOS, Linux, iOS/iPadOS, Android Enterprise dedicated devices
#: (Samsung Knox, Zebra), other Android devices, ChromeOS. Export text is mapped to them by the
#: patterns of ``data/platforms.yaml`` (:data:`PLATFORM_PATTERNS`).
PLATFORMS: tuple[str, ...] = (
    "windows",
    "windows_server",
    "cloud_pc",
    "macos",
    "linux",
    "ios",
    "android_dedicated",
    "android",
    "chromeos",
)


@dataclass(frozen=True)
class Contract:
    """One incumbent contract: its product, licence metric and the parameters that hold it.

    Built from one record of ``data/incumbents.yaml`` (:func:`parse_incumbents`).

    Attributes
    ----------
    name : str
        Parameters section and cost component (``logmein``, ``beyondtrust``).
    product : str
        Product id (``logmein_resolve``, ``beyondtrust``): the pilot's ``tool``, the capability
        column.
    metric : str
        The default licence metric: ``named`` (people who may use it) or ``concurrent``
        (logged in at once); a contract may choose another of ``metrics`` with
        ``<name>.licence_metric``.
    unit : str
        The licence unit in prose, plural (``agents``, ``seats``).
    count_key, price_key, residual_key : str
        Parameters keys of the licences held, the unit price and the pool kept.
    price_divisor : float
        Converts the price to US$ per unit per month (12 for a yearly price).
    short : str
        The name used in running text (``BeyondTrust``).
    count_unit, price_unit, price_doc : str
        How the schema describes the count and the price.
    price_default : str or None
        Price-book item whose figure is the price's default (``None``: quote-only).
    price_item : str
        The product's entry in the price book (a figure, a range or quote-only).
    extras_key : str or None
        Yearly add-ons billed with the contract and kept in proportion to the licences kept
        (LogMeIn's endpoint/device licences); ``None`` when the contract has none.
    fixed_key : str or None
        A yearly amount paid while any licence is kept (BeyondTrust's appliance or hosting).
    min_field : str
        The parameter field of the vendor's minimum licence count (``min_agents``).
    display_name, vendor, former_names, chart_label, colour
        How outputs name and draw it.
    metrics : tuple of str
        The licence metrics the product is sold under.
    count_units : dict[str, str]
        Per metric, the count's unit (``named agents``).
    unit_singular : str
        One licence (``agent``).
    exports : tuple of str
        Export formats whose sessions are this product's work.
    claims : tuple of str
        Export formats of another product whose sessions are this product's work when its
        contract is held (LogMeIn Rescue's session report, which the LogMeIn reader reads).
    consolidate_into : tuple of str
        Contracts that may take its residual work, in the order tried.
    extras_label, extras_doc, fixed_label, fixed_doc : str
        Words for the optional keys.
    sources : tuple of str
        Where the licensing facts come from.
    """

    name: str
    product: ProductId
    metric: Literal["named", "concurrent"]
    unit: str
    count_key: str
    price_key: str
    residual_key: str
    price_divisor: float
    short: str
    count_unit: str
    price_unit: str
    price_doc: str
    price_default: str | None
    extras_key: str | None = None
    fixed_key: str | None = None
    min_field: str = "min_units"
    price_item: str = ""
    display_name: str = ""
    vendor: str = ""
    former_names: tuple[str, ...] = ()
    chart_label: str = ""
    colour: str = "#7f7f7f"
    metrics: tuple[str, ...] = ()
    count_units: tuple[tuple[str, str], ...] = ()
    unit_singular: str = ""
    exports: tuple[str, ...] = ()
    claims: tuple[str, ...] = ()
    consolidate_into: tuple[str, ...] = ()
    extras_label: str = "add-ons per year"
    extras_doc: str = ""
    fixed_label: str = "fixed cost per year"
    fixed_doc: str = ""
    sources: tuple[str, ...] = ()

    @property
    def residual_price_key(self) -> str:
        """The unit price of the smaller pool kept (default: today's price)."""
        return f"{self.name}.residual_{self.price_key.split('.', 1)[1]}"

    @property
    def extras_residual_key(self) -> str | None:
        """The add-ons kept with the smaller pool, when not in proportion."""
        return f"{self.extras_key}_residual" if self.extras_key else None

    @property
    def extras_scale_key(self) -> str | None:
        """Whether the add-ons stay whole with a smaller pool (``fixed``) or shrink with it."""
        return f"{self.name}.extras_scale" if self.extras_key else None

    @property
    def min_key(self) -> str:
        """The vendor's minimum licence count (a smaller pool is raised to it)."""
        return f"{self.name}.{self.min_field}"

    @property
    def metric_key(self) -> str:
        """The parameters key choosing the contract's licence metric."""
        return f"{self.name}.licence_metric"

    @property
    def label(self) -> str:
        """The product's display name."""
        return self.display_name or self.short

    @property
    def price_period(self) -> str:
        """``month`` or ``year``: the period the price is quoted for."""
        return "year" if self.price_divisor == 12 else "month"

    def unit_for(self, metric: str) -> str:
        """The count's unit under ``metric`` (``named agents``, ``concurrent agents``).

        Examples
        --------
        >>> contract_for("logmein").unit_for("concurrent")
        'concurrent agents'
        """
        return dict(self.count_units).get(metric, f"{metric} {self.unit}")

    def key(self, field: str) -> str:
        """The parameters key of one of this contract's fields, e.g. ``logmein.uplift``."""
        return f"{self.name}.{field}"


_RECORD_KEYS = (
    "product",
    "name",
    "short",
    "chart_label",
    "vendor",
    "former_names",
    "colour",
    "licence",
    "keys",
    "price",
    "extras_label",
    "extras_doc",
    "fixed_label",
    "fixed_doc",
    "exports",
    "claims",
    "consolidate_into",
    "sources",
)
_KEY_FIELDS = ("count", "price", "price_per", "residual", "minimum", "extras", "fixed")
# names that would collide with the other sections of a parameters file
_RESERVED = (
    "remote_help",
    "residual",
    "transition",
    "requirements",
    "pilot",
    "decision",
    "environment",
    "risk_adjustment",
    "status_quo",
    "right_size",
    "cancel",
    "total",
    "beyond",
)


def _ident(doc: YamlDocument, key: str, value: Any) -> str:
    name = text(doc, key, value)
    if not name.isidentifier() or name.lower() != name or "+" in name or "." in name:
        raise doc.error(
            key, f"not an id ({name!r}) — accepted: lower-case letters, digits and underscores"
        )
    return name


def _texts(doc: YamlDocument, key: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return tuple(text(doc, f"{key}[{i}]", v) for i, v in enumerate(sequence(doc, key, value)))


def _record(doc: YamlDocument, name: str, raw: Any) -> Contract:
    key = f"incumbents.{name}"
    r = mapping(doc, key, raw)
    no_unknown_keys(doc, key, r, _RECORD_KEYS)
    for needed in ("product", "name", "licence", "keys", "price"):
        if needed not in r:
            raise doc.error(f"{key}.{needed}", "missing — every incumbent record needs it")
    product = _ident(doc, f"{key}.product", r["product"])
    lic = mapping(doc, f"{key}.licence", r["licence"])
    no_unknown_keys(doc, f"{key}.licence", lic, ("metrics", "default", "unit", "count_unit"))
    metrics = tuple(
        choice(doc, f"{key}.licence.metrics[{i}]", m, METRICS)
        for i, m in enumerate(sequence(doc, f"{key}.licence.metrics", lic.get("metrics")))
    )
    if not metrics:
        raise doc.error(f"{key}.licence.metrics", "empty — list named, concurrent or both")
    default = choice(doc, f"{key}.licence.default", lic.get("default"), metrics)
    unit = mapping(doc, f"{key}.licence.unit", lic.get("unit"))
    no_unknown_keys(doc, f"{key}.licence.unit", unit, ("singular", "plural"))
    plural = text(doc, f"{key}.licence.unit.plural", unit.get("plural"))
    singular = text(doc, f"{key}.licence.unit.singular", unit.get("singular"))
    counts_raw = mapping(doc, f"{key}.licence.count_unit", lic.get("count_unit") or {})
    no_unknown_keys(doc, f"{key}.licence.count_unit", counts_raw, metrics)
    counts = {m: str(counts_raw.get(m) or f"{m} {plural}") for m in metrics}
    keys = mapping(doc, f"{key}.keys", r["keys"])
    no_unknown_keys(doc, f"{key}.keys", keys, _KEY_FIELDS)
    for needed in ("count", "price", "price_per", "residual", "minimum"):
        if needed not in keys:
            raise doc.error(f"{key}.keys.{needed}", "missing — every incumbent record needs it")
    fields = {
        f: _ident(doc, f"{key}.keys.{f}", keys[f])
        for f in ("count", "price", "residual", "minimum", "extras", "fixed")
        if keys.get(f) is not None
    }
    per = choice(doc, f"{key}.keys.price_per", keys["price_per"], ("month", "year"))
    price = mapping(doc, f"{key}.price", r["price"])
    no_unknown_keys(doc, f"{key}.price", price, ("doc", "item", "quote_only"))
    item = _ident(doc, f"{key}.price.item", price.get("item"))
    quote_only = price.get("quote_only", False)
    if not isinstance(quote_only, bool):
        raise doc.error(f"{key}.price.quote_only", f"must be true or false (got {quote_only!r})")
    # a quote-only product has no figure to default to: the user's quote is required
    price_default = None if quote_only else item
    short = text(doc, f"{key}.short", r.get("short", r["name"]))
    per_word = "per month" if per == "month" else "per year"
    return Contract(
        name=name,
        product=product,
        metric=default,  # type: ignore[arg-type]
        unit=plural,
        count_key=f"{name}.{fields['count']}",
        price_key=f"{name}.{fields['price']}",
        residual_key=f"residual.{fields['residual']}",
        price_divisor=12.0 if per == "year" else 1.0,
        short=short,
        count_unit=counts[default],
        price_unit=f"US$ per {singular} {per_word}",
        price_doc=text(doc, f"{key}.price.doc", price.get("doc", f"{short} price per {singular}")),
        price_default=price_default,
        price_item=item,
        extras_key=f"{name}.{fields['extras']}" if "extras" in fields else None,
        fixed_key=f"{name}.{fields['fixed']}" if "fixed" in fields else None,
        min_field=fields["minimum"],
        display_name=text(doc, f"{key}.name", r["name"]),
        vendor=str(r.get("vendor") or ""),
        former_names=_texts(doc, f"{key}.former_names", r.get("former_names")),
        chart_label=str(r.get("chart_label") or short),
        colour=str(r.get("colour") or "#7f7f7f"),
        metrics=metrics,
        count_units=tuple(counts.items()),
        unit_singular=singular,
        exports=_texts(doc, f"{key}.exports", r.get("exports")),
        claims=_texts(doc, f"{key}.claims", r.get("claims")),
        consolidate_into=_texts(doc, f"{key}.consolidate_into", r.get("consolidate_into")),
        extras_label=str(r.get("extras_label") or "add-ons per year"),
        extras_doc=str(r.get("extras_doc") or ""),
        fixed_label=str(r.get("fixed_label") or "fixed cost per year"),
        fixed_doc=str(r.get("fixed_doc") or ""),
        sources=_texts(doc, f"{key}.sources", r.get("sources")),
    )


def parse_incumbents(doc: YamlDocument) -> tuple[dt.date, tuple[Contract, ...]]:
    """Validate an incumbents document and return its ``as_of`` date and its contracts.

    Raises
    ------
    InputError
        Naming the file, line and key of the first problem.

    Examples
    --------
    >>> doc = parse_yaml('''
    ... as_of: 2026-12-01
    ... incumbents:
    ...   acme:
    ...     product: acme_support
    ...     name: Acme Support
    ...     licence: {metrics: [concurrent], default: concurrent,
    ...               unit: {singular: seat, plural: seats}}
    ...     keys: {count: seats, price: price_per_seat_year, price_per: year,
    ...            residual: acme_seats, minimum: min_seats}
    ...     price: {item: acme_seat, quote_only: true}
    ... ''', "i.yaml")
    >>> _, (acme,) = parse_incumbents(doc)
    >>> acme.count_key, acme.residual_key, acme.price_unit, acme.count_unit
    ('acme.seats', 'residual.acme_seats', 'US$ per seat per year', 'concurrent seats')
    """
    raw = mapping(doc, "", doc.data)
    no_unknown_keys(doc, "", raw, ("as_of", "incumbents"))
    as_of = raw.get("as_of")
    if not isinstance(as_of, dt.date):
        raise doc.error("as_of", f"must be a date (got {as_of!r}) — write YYYY-MM-DD")
    records = mapping(doc, "incumbents", raw.get("incumbents"))
    if not records:
        raise doc.error("incumbents", "empty — list at least one incumbent record")
    contracts = []
    for name, rec in records.items():
        _ident(doc, f"incumbents.{name}", name)
        if name in _RESERVED or name == REMOTE_HELP:
            raise doc.error(
                f"incumbents.{name}",
                f"reserved name ({name!r}) — a contract may not share a name with a section "
                "of the parameters file or a scenario",
            )
        contracts.append(_record(doc, name, rec))
    products = [c.product for c in contracts]
    for seen, c in enumerate(contracts):
        if c.product == REMOTE_HELP or c.product in products[:seen]:
            raise doc.error(f"incumbents.{c.name}.product", f"duplicate product id ({c.product!r})")
        if c.name in products and c.name != c.product:
            raise doc.error(
                f"incumbents.{c.name}", "a contract name may not be another's product id"
            )
        for i, other in enumerate(c.consolidate_into):
            if other not in records or other == c.name:
                raise doc.error(
                    f"incumbents.{c.name}.consolidate_into[{i}]",
                    f"unknown contract ({other!r}) — accepted: "
                    + ", ".join(n for n in records if n != c.name),
                )
    residuals = [c.residual_key for c in contracts]
    if len(set(residuals)) != len(residuals):
        raise doc.error("incumbents", f"two records share a residual key ({residuals})")
    return as_of, tuple(contracts)


def _incumbents_file(name: str = "incumbents.yaml") -> tuple[str, str]:
    # RHMODEL_DATA replaces the bundled data folder as a whole (rhmodel.edges.bundled reads the
    # same variable), so a fixture folder can add an incumbent without touching the package.
    folder = os.environ.get("RHMODEL_DATA")
    # a data folder from before platforms.yaml existed keeps the bundled patterns
    if folder and (name == "incumbents.yaml" or (Path(folder) / name).is_file()):
        path = Path(folder) / name
        try:
            return path.read_text(encoding="utf-8"), str(path)
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or type(exc).__name__
            raise InputError(
                f"RHMODEL_DATA names a folder without a readable {name} ({reason}) — a copy of "
                "rhmodel's data folder (incumbents.yaml, capabilities.yaml, price_book.yaml)",
                file=str(path),
            ) from None
    res = resources.files("rhmodel") / "data" / name
    return res.read_text(encoding="utf-8"), name


def parse_platform_patterns(doc: YamlDocument) -> tuple[tuple[re.Pattern[str], str], ...]:
    """Validate ``data/platforms.yaml``: ``patterns``, each ``{regex, platform}``, tried in
    order (case-insensitive search; the first that matches names the platform).

    Examples
    --------
    >>> pats = parse_platform_patterns(parse_yaml(
    ...     "patterns: [{regex: 'server', platform: windows_server}]", "p.yaml"))
    >>> pats[0][1]
    'windows_server'
    >>> parse_platform_patterns(parse_yaml(
    ...     "patterns: [{regex: 'x', platform: beos}]", "p.yaml"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    rhmodel.errors.InputError: p.yaml:1: patterns[0].platform: unknown value ('beos') ...
    """
    raw = mapping(doc, "", doc.data)
    no_unknown_keys(doc, "", raw, ("as_of", "source", "patterns"))
    out = []
    for i, item in enumerate(sequence(doc, "patterns", raw.get("patterns"))):
        key = f"patterns[{i}]"
        item = mapping(doc, key, item)
        no_unknown_keys(doc, key, item, ("regex", "platform", "note"))
        expr = text(doc, f"{key}.regex", item.get("regex"))
        try:
            compiled = re.compile(expr, re.IGNORECASE)
        except re.error as exc:
            raise doc.error(
                f"{key}.regex", f"not a regular expression ({expr!r}: {exc}) — Python re syntax"
            ) from None
        out.append((compiled, choice(doc, f"{key}.platform", item.get("platform"), PLATFORMS)))
    return tuple(out)


INCUMBENTS_AS_OF, CONTRACTS = parse_incumbents(parse_yaml(*_incumbents_file(), bundled=True))
#: Operating-system text → platform id: (compiled pattern, platform), first match wins.
PLATFORM_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = parse_platform_patterns(
    parse_yaml(*_incumbents_file("platforms.yaml"), bundled=True)
)
#: The incumbent contracts, in the order of ``data/incumbents.yaml``.
CONTRACTS: tuple[Contract, ...]
#: The products rhmodel weighs Remote Help against.
INCUMBENTS: tuple[ProductId, ...] = tuple(c.product for c in CONTRACTS)
#: Product ids used everywhere: parameters, pilot data (the ``tool`` column), JSON output.
PRODUCTS: tuple[ProductId, ...] = (REMOTE_HELP, *INCUMBENTS)
#: Display names (the capability matrix carries the same, with its sources).
PRODUCT_NAMES: dict[str, str] = {
    REMOTE_HELP: "Intune Remote Help",
    **{c.product: c.label for c in CONTRACTS},
}
#: Cost components of every scenario: each contract, then Remote Help and the transition.
COMPONENTS: tuple[Component, ...] = (*(c.name for c in CONTRACTS), "remote_help", "transition")
_BY_ID: dict[str, Contract] = {
    **{c.name: c for c in CONTRACTS},
    **{c.product: c for c in CONTRACTS},
}


def contract_for(name_or_product: str) -> Contract:
    """The contract named ``logmein`` / ``beyondtrust`` or of product ``logmein_resolve``.

    Raises
    ------
    KeyError
        For anything else (a bug: callers pass ids from this table).
    """
    return _BY_ID[name_or_product]


def plan_name(actions: Mapping[str, str]) -> str:
    """The scenario name of a plan: a pinned name when every contract named takes the same
    action, else ``contract_action`` joined by ``+`` in contract order.

    Examples
    --------
    >>> plan_name({"logmein": "cancel", "beyondtrust": "right_size"})
    'logmein_cancel+beyondtrust_right_size'
    >>> plan_name({"logmein": "renew"}), plan_name({"logmein": "cancel", "beyondtrust": "cancel"})
    ('status_quo', 'cancel')
    """
    named = [c.name for c in CONTRACTS if c.name in actions]
    if len({actions[n] for n in named}) == 1:
        for scenario, action in SCENARIO_ACTIONS.items():
            if actions[named[0]] == action:
                return scenario
    return "+".join(f"{n}_{actions[n]}" for n in named)


def _split_part(part: str) -> tuple[str, str]:
    # a contract name may hold underscores (teamviewer_tensor) and so may an action
    # (right_size): the action is the suffix, tried longest first
    for action in sorted(ACTIONS, key=len, reverse=True):
        if part.endswith(f"_{action}") and len(part) > len(action) + 1:
            return part[: -len(action) - 1], action
    return part, ""


def plan_actions(name: str) -> dict[str, Action]:
    """Each contract's action in the plan (or pinned scenario) ``name``.

    A mixed plan names only the contracts held; one it leaves out has no licences and keeps
    none (``cancel``).

    Raises
    ------
    KeyError
        For a name that is neither a scenario nor a plan (a bug: names come from this module).

    Examples
    --------
    >>> plan_actions("right_size")["beyondtrust"]
    'right_size'
    >>> plan_actions("logmein_consolidate+beyondtrust_right_size")["logmein"]
    'consolidate'
    """
    if name in SCENARIO_ACTIONS:
        return {c.name: SCENARIO_ACTIONS[name] for c in CONTRACTS}
    out: dict[str, Action] = {c.name: "cancel" for c in CONTRACTS}
    for part in name.split("+"):
        contract, action = _split_part(part)
        if contract not in out or action not in ACTIONS:
            raise KeyError(name)
        out[contract] = action  # type: ignore[assignment]
    return out


def absorb_candidates(name: str) -> tuple[str, ...]:
    """The contracts that may take ``name``'s residual work, in the order tried: its record's
    ``consolidate_into``, then every other incumbent in table order.

    Examples
    --------
    >>> absorb_candidates("logmein")[0]
    'beyondtrust'
    """
    first = contract_for(name).consolidate_into
    return (*first, *(c.name for c in CONTRACTS if c.name != name and c.name not in first))


def consolidation_target(
    name: str,
    actions: Mapping[str, str] | None = None,
    order: Mapping[str, Sequence[str]] | None = None,
) -> str:
    """The contract whose pool takes ``name``'s residual work when ``name`` is consolidated.

    The first contract of ``order[name]`` (default: :func:`absorb_candidates`) that the plan
    ``actions`` keeps (``renew`` or ``right_size``); when it keeps none, the first held one (so
    a message can name it); without ``actions``, the first candidate. With two incumbents this
    is always the other.

    Examples
    --------
    >>> consolidation_target("logmein")
    'beyondtrust'
    >>> consolidation_target("beyondtrust", {"logmein": "right_size", "beyondtrust": "consolidate"})
    'logmein'
    """
    candidates = tuple((order or {}).get(name) or absorb_candidates(name))
    candidates = tuple(c for c in candidates if c != name)
    if actions is None:
        return candidates[0]
    for c in candidates:
        if actions.get(c) in ("renew", "right_size"):
            return c
    held = [c for c in candidates if c in actions]
    return (held or list(candidates))[0]
