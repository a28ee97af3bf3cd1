"""The capability matrix: what each remote-support product can do, with the seed's wording.

The matrix is data (``data/capabilities.yaml``); this module validates it into frozen
dataclasses. The replace-or-keep criteria live in the same file so that the decision is
derived from the matrix rather than written a second time in code.

Examples
--------
>>> from rhmodel.edges.bundled import load_capabilities
>>> m = load_capabilities()
>>> m.products == PRODUCTS
True
>>> m.cell("session_recording", "remote_help").level
'no'
>>> m.cell("platforms", "remote_help").platforms
('windows', 'cloud_pc', 'macos', 'android_dedicated')
>>> m.facts_as_of
datetime.date(2026, 12, 1)
>>> [(c.capability, c.since) for c in m.changes_since_seed if c.product == "remote_help"]
[('unattended', datetime.date(2026, 8, 25)), ('tenant_cloud', datetime.date(2026, 9, 28))]
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, ClassVar

from rhmodel.core.document import YamlDocument
from rhmodel.core.eligibility import ATTRIBUTES
from rhmodel.core.products import PLATFORMS, PRODUCTS, TENANT_CLOUDS
from rhmodel.core.validation import choice, mapping, no_unknown_keys, sequence, text

__all__ = [
    "CRITERION_KINDS",
    "LEVELS",
    "STALE_AFTER_DAYS",
    "WHATS_NEW_URL",
    "CapabilityMatrix",
    "Cell",
    "Change",
    "Condition",
    "Criterion",
    "Dimension",
    "Strength",
    "parse_capabilities",
    "staleness_note",
]

#: Normalised capability levels, best first.
LEVELS: tuple[str, ...] = ("yes", "partial", "no")
#: How a criterion is evaluated (see :mod:`rhmodel.core.decision`).
CRITERION_KINDS: tuple[str, ...] = ("flag", "platforms", "cloud")
#: An analysis starting more than this many days after the facts were checked says so.
STALE_AFTER_DAYS = 90
#: Where Microsoft announces changes to Remote Help (every staleness note links it).
WHATS_NEW_URL = "https://learn.microsoft.com/en-us/intune/whats-new/"


@dataclass(frozen=True)
class Condition:
    """A level that holds for some devices only (``when``: attribute → accepted values).

    Attributes
    ----------
    level : str
        ``yes``, ``partial`` or ``no`` for the devices ``when`` describes.
    when : dict[str, tuple of str]
        Attributes of :data:`rhmodel.core.eligibility.ATTRIBUTES` (platform, ownership,
        architecture, form, enrolment, join, cloud) and the values that qualify.
    text : str
        The condition in words.
    """

    level: str
    when: dict[str, tuple[str, ...]]
    text: str = ""

    def matches(self, device: dict[str, str]) -> bool:
        """Whether a device described by ``device`` (attribute → value) meets ``when``."""
        return all(device.get(k, "") in v for k, v in self.when.items())


@dataclass(frozen=True)
class Change:
    """A fact that differs from the seed memo's statement (``changes_since_seed``)."""

    capability: str
    product: str
    seed_said: str
    now: str
    since: dt.date | None
    source: str


@dataclass(frozen=True)
class Cell:
    """One product on one dimension.

    Attributes
    ----------
    level : str
        ``yes``, ``partial`` or ``no``.
    text : str
        The seed document's wording.
    source : str
        Where the wording comes from.
    platforms : tuple of str
        Fully supported endpoint platforms (``platforms`` dimension only).
    view_only : tuple of str
        Ways to share that the helper can only view (Remote Help's web app).
    supported_clouds : tuple of str
        Tenant clouds the product supports (``tenant_cloud`` dimension only).
    url : str
        The source's address, when it has one.
    as_of : datetime.date or None
        The date the cell was last checked at its source.
    since : datetime.date or None
        The date the fact became true, when known (a Microsoft service release).
    seed_said : str
        The seed memo's statement, where the fact now differs from it ('' otherwise).
    confidence : str
        How sure the source is (``high``, ``medium``, ``low``; '' when not stated).
    conditions : tuple of Condition
        Levels that hold for some devices only (Remote Help's unattended control).
    """

    json_fields: ClassVar[tuple[str, ...]] = (
        "level",
        "text",
        "source",
        "platforms",
        "view_only",
        "supported_clouds",
        "url",
        "as_of",
        "since",
        "seed_said",
        "confidence",
        "conditions",
    )
    json_omit_empty: ClassVar[tuple[str, ...]] = (
        "platforms",
        "view_only",
        "supported_clouds",
        "url",
        "as_of",
        "since",
        "seed_said",
        "confidence",
        "conditions",
    )

    level: str
    text: str
    source: str
    platforms: tuple[str, ...] = ()
    view_only: tuple[str, ...] = ()
    supported_clouds: tuple[str, ...] = ()
    url: str = ""
    as_of: dt.date | None = None
    since: dt.date | None = None
    seed_said: str = ""
    confidence: str = ""
    conditions: tuple[Condition, ...] = ()

    def level_for(self, device: dict[str, str]) -> str:
        """The level for a device described by ``device`` (attribute → value): the first
        condition it meets, else the cell's own level.

        Examples
        --------
        >>> yes = Condition("yes", {"platform": ("windows",)})
        >>> c = Cell("partial", "t", "s", conditions=(yes,))
        >>> c.level_for({"platform": "windows"}), c.level_for({"platform": "windows_server"})
        ('yes', 'partial')
        """
        for cond in self.conditions:
            if cond.matches(device):
                return cond.level
        return self.level


@dataclass(frozen=True)
class Dimension:
    """A row of the comparison: one dimension, one cell per product."""

    id: str
    label: str
    cells: dict[str, Cell]


@dataclass(frozen=True)
class Strength:
    """An item of the seed's strengths lists (Sections 4.2 and 4.3)."""

    json_fields: ClassVar[tuple[str, ...]] = (
        "id",
        "label",
        "dimension",
        "products",
        "text",
        "source",
    )

    id: str
    label: str
    text: str
    source: str
    dimension: str | None = None
    products: tuple[str, ...] = ()


@dataclass(frozen=True)
class Criterion:
    """One line of the seed's replace-or-keep test (Section 4.4).

    Attributes
    ----------
    id : str
        Criterion id, reported in ``keep_for`` when it fails.
    kind : str
        ``flag``, ``platforms`` or ``cloud``.
    dimension : str
        The matrix dimension whose Remote Help cell decides it.
    requirement : str
        The parameters key that says whether the organisation needs the capability.
    reason_code : str or None
        The pilot export reason code for a session that needed it (``None``: not per session).
    replace_if, keep_if : str
        The seed's two columns.
    source : str
        Where the criterion comes from.
    device : dict[str, str]
        For a capability that holds under conditions: the devices the requirement is about
        (attribute → value; Remote Help's level for them decides). Empty: the cell's own level.
    """

    id: str
    kind: str
    dimension: str
    requirement: str
    reason_code: str | None
    replace_if: str
    keep_if: str
    source: str
    device: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CapabilityMatrix:
    """The whole validated capability file."""

    # `rhmodel matrix --format json`; the criteria and Remote Help's strengths are not in it.
    json_fields: ClassVar[tuple[str, ...]] = (
        "products",
        "product_names",
        "as_of",
        "facts_as_of",
        "changes_since_seed",
        "document",
        "dimensions",
        "incumbent_strengths",
    )

    as_of: dt.date
    document: str
    products: tuple[str, ...]
    product_names: dict[str, str]
    product_short: dict[str, str]
    dimensions: tuple[Dimension, ...]
    incumbent_strengths: tuple[Strength, ...]
    remote_help_strengths: tuple[Strength, ...]
    criteria: tuple[Criterion, ...]

    @property
    def facts_as_of(self) -> dt.date:
        """The date of the newest review of any cell (the file's ``as_of`` when no cell says)."""
        dates = [c.as_of for d in self.dimensions for c in d.cells.values() if c.as_of]
        return max([self.as_of, *dates])

    @property
    def changes_since_seed(self) -> tuple[Change, ...]:
        """Every cell whose fact differs from the seed memo's statement, in matrix order."""
        return tuple(
            Change(d.id, p, c.seed_said, c.text, c.since, c.url or c.source)
            for d in self.dimensions
            for p, c in d.cells.items()
            if c.seed_said
        )

    def dimension(self, dimension_id: str) -> Dimension:
        """The dimension with this id (``KeyError`` if absent: a bug, not a user error)."""
        for d in self.dimensions:
            if d.id == dimension_id:
                return d
        raise KeyError(dimension_id)

    def cell(self, dimension_id: str, product: str) -> Cell:
        """The cell of ``product`` on ``dimension_id``."""
        return self.dimension(dimension_id).cells[product]


_REQUIRED_DIMENSIONS = (
    "session_recording",
    "external_support",
    "unattended",
    "privileged_access",
    "rmm_ticketing",
    "on_prem_deployment",
    "platforms",
    "tenant_cloud",
)


def _platform_list(
    doc: YamlDocument, key: str, value: Any, allowed: tuple[str, ...] = PLATFORMS
) -> tuple[str, ...]:
    items = sequence(doc, key, value)
    return tuple(choice(doc, f"{key}[{i}]", v, allowed) for i, v in enumerate(items))


_CELL_KEYS = Cell.json_fields  # every field a cell may be written with
_CONFIDENCE = ("high", "medium-high", "medium", "low")


def _level(doc: YamlDocument, key: str, level: Any) -> str:
    # YAML 1.1 reads a bare `yes`/`no` as a boolean; accept that spelling of the level.
    if level is True:
        level = "yes"
    elif level is False:
        level = "no"
    return choice(doc, key, level, LEVELS)


def _date(doc: YamlDocument, key: str, value: Any) -> dt.date | None:
    if value is None:
        return None
    if not isinstance(value, dt.date):
        raise doc.error(key, f"must be a date (got {value!r}) — write YYYY-MM-DD")
    return value


def _when(doc: YamlDocument, key: str, raw: Any) -> dict[str, tuple[str, ...]]:
    raw = mapping(doc, key, raw)
    no_unknown_keys(doc, key, raw, tuple(ATTRIBUTES))
    out = {}
    for name, values in raw.items():
        allowed = ATTRIBUTES[name] or PLATFORMS
        items = values if isinstance(values, list) else [values]
        out[name] = tuple(
            choice(doc, f"{key}.{name}[{i}]", v, allowed) for i, v in enumerate(items)
        )
    return out


def _conditions(doc: YamlDocument, key: str, raw: Any) -> tuple[Condition, ...]:
    out = []
    for i, c in enumerate(sequence(doc, key, raw)):
        k = f"{key}[{i}]"
        c = mapping(doc, k, c)
        no_unknown_keys(doc, k, c, ("level", "when", "text"))
        if "level" not in c or "when" not in c:
            raise doc.error(k, "missing level or when — each condition needs {level, when}")
        out.append(
            Condition(
                level=_level(doc, f"{k}.level", c["level"]),
                when=_when(doc, f"{k}.when", c["when"]),
                text=text(doc, f"{k}.text", c.get("text", "")) if c.get("text") else "",
            )
        )
    return tuple(out)


def _cell(doc: YamlDocument, key: str, raw: Any) -> Cell:
    raw = mapping(doc, key, raw)
    no_unknown_keys(doc, key, raw, _CELL_KEYS)
    for name in ("level", "text", "source"):
        if name not in raw:
            raise doc.error(key, f"missing '{name}' — each cell needs level, text and source")
    confidence = raw.get("confidence")
    return Cell(
        level=_level(doc, f"{key}.level", raw["level"]),
        text=text(doc, f"{key}.text", raw["text"]),
        source=text(doc, f"{key}.source", raw["source"]),
        platforms=_platform_list(doc, f"{key}.platforms", raw.get("platforms", [])),
        view_only=tuple(
            str(v) for v in sequence(doc, f"{key}.view_only", raw.get("view_only", []))
        ),
        supported_clouds=_platform_list(
            doc, f"{key}.supported_clouds", raw.get("supported_clouds", []), TENANT_CLOUDS
        ),
        url=text(doc, f"{key}.url", raw["url"]) if raw.get("url") else "",
        as_of=_date(doc, f"{key}.as_of", raw.get("as_of")),
        since=_date(doc, f"{key}.since", raw.get("since")),
        seed_said=text(doc, f"{key}.seed_said", raw["seed_said"]) if raw.get("seed_said") else "",
        confidence=""
        if confidence is None
        else choice(doc, f"{key}.confidence", confidence, _CONFIDENCE),
        conditions=_conditions(doc, f"{key}.conditions", raw.get("conditions", [])),
    )


def _strength(doc: YamlDocument, key: str, raw: Any, dimension_ids: set[str]) -> Strength:
    raw = mapping(doc, key, raw)
    no_unknown_keys(doc, key, raw, ("id", "label", "text", "source", "dimension", "products"))
    for name in ("id", "label", "text", "source"):
        if name not in raw:
            raise doc.error(key, f"missing '{name}' — each strength needs id, label, text, source")
    dimension = raw.get("dimension")
    if dimension is not None:
        choice(doc, f"{key}.dimension", dimension, sorted(dimension_ids))
    products = sequence(doc, f"{key}.products", raw.get("products", []))
    return Strength(
        id=text(doc, f"{key}.id", raw["id"]),
        label=text(doc, f"{key}.label", raw["label"]),
        text=text(doc, f"{key}.text", raw["text"]),
        source=text(doc, f"{key}.source", raw["source"]),
        dimension=dimension,
        products=tuple(
            choice(doc, f"{key}.products[{i}]", p, PRODUCTS) for i, p in enumerate(products)
        ),
    )


def _criterion(doc: YamlDocument, key: str, raw: Any, dimension_ids: set[str]) -> Criterion:
    raw = mapping(doc, key, raw)
    fields = (
        "id",
        "kind",
        "dimension",
        "requirement",
        "reason_code",
        "replace_if",
        "keep_if",
        "source",
    )
    no_unknown_keys(doc, key, raw, (*fields, "device"))
    for name in fields:
        if name not in raw:
            raise doc.error(key, f"missing '{name}' — each criterion needs {', '.join(fields)}")
    reason = raw["reason_code"]
    device = {k: v[0] for k, v in _when(doc, f"{key}.device", raw.get("device") or {}).items() if v}
    return Criterion(
        id=text(doc, f"{key}.id", raw["id"]),
        kind=choice(doc, f"{key}.kind", raw["kind"], CRITERION_KINDS),
        dimension=choice(doc, f"{key}.dimension", raw["dimension"], sorted(dimension_ids)),
        requirement=text(doc, f"{key}.requirement", raw["requirement"]),
        reason_code=None if reason is None else text(doc, f"{key}.reason_code", reason),
        replace_if=text(doc, f"{key}.replace_if", raw["replace_if"]),
        keep_if=text(doc, f"{key}.keep_if", raw["keep_if"]),
        source=text(doc, f"{key}.source", raw["source"]),
        device=device,
    )


def staleness_note(matrix: CapabilityMatrix, start: dt.date) -> str:
    """One line when the analysis starts more than :data:`STALE_AFTER_DAYS` after the facts
    were checked ('' otherwise), with Microsoft's "What's new in Intune" link.

    Examples
    --------
    >>> from rhmodel.edges.bundled import load_capabilities
    >>> m = load_capabilities()
    >>> staleness_note(m, dt.date(2027, 1, 1))
    ''
    >>> print(staleness_note(m, dt.date(2027, 6, 1)))  # doctest: +NORMALIZE_WHITESPACE
    The capability facts were checked on 1 December 2026, 182 days before this analysis
    starts: re-check them at What's new in Microsoft Intune,
    https://learn.microsoft.com/en-us/intune/whats-new/
    """
    age = (start - matrix.facts_as_of).days
    if age <= STALE_AFTER_DAYS:
        return ""
    when = f"{matrix.facts_as_of.day} {matrix.facts_as_of:%B %Y}"
    return (
        f"The capability facts were checked on {when}, {age:,} days before this analysis "
        f"starts: re-check them at What's new in Microsoft Intune, {WHATS_NEW_URL}"
    )


def parse_capabilities(doc: YamlDocument) -> CapabilityMatrix:
    """Validate a parsed capability file into a :class:`CapabilityMatrix`.

    Every dimension must have a cell for every product; the dimensions the decision needs must
    exist; Remote Help's ``platforms`` and ``tenant_cloud`` cells must carry their lists.

    Raises
    ------
    InputError
        On the first malformed entry, located by file, line and key.

    Examples
    --------
    >>> from rhmodel.core.document import parse_yaml
    >>> parse_capabilities(parse_yaml("products: {}\\n", "c.yaml"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    rhmodel.errors.InputError: c.yaml: as_of: missing — the capability file needs as_of, ...
    """
    top_keys = (
        "as_of",
        "document",
        "products",
        "platforms",
        "dimensions",
        "incumbent_strengths",
        "remote_help_strengths",
        "criteria",
    )
    raw = mapping(doc, "", doc.data)
    no_unknown_keys(doc, "", raw, top_keys)
    for name in top_keys:
        if name not in raw and name != "platforms":
            needed = ", ".join(k for k in top_keys if k != "platforms")
            raise doc.error(name, f"missing — the capability file needs {needed}")
    if not isinstance(raw["as_of"], dt.date):
        raise doc.error("as_of", f"must be a date (got {raw['as_of']!r}) — write YYYY-MM-DD")

    products = mapping(doc, "products", raw["products"])
    if tuple(products) != PRODUCTS:
        raise doc.error(
            "products",
            f"must list exactly {', '.join(PRODUCTS)} in that order "
            f"(got {', '.join(map(str, products))}) — these ids are used everywhere",
        )
    names, short = {}, {}
    for p, info in products.items():
        info = mapping(doc, f"products.{p}", info)
        no_unknown_keys(doc, f"products.{p}", info, ("name", "short"))
        names[p] = text(doc, f"products.{p}.name", info.get("name"))
        short[p] = text(doc, f"products.{p}.short", info.get("short", names[p]))

    dimensions = []
    seen: set[str] = set()
    for i, d in enumerate(sequence(doc, "dimensions", raw["dimensions"])):
        key = f"dimensions[{i}]"
        d = mapping(doc, key, d)
        no_unknown_keys(doc, key, d, ("id", "label", "cells"))
        did = text(doc, f"{key}.id", d.get("id"))
        if did in seen:
            raise doc.error(f"{key}.id", f"duplicate dimension id ({did!r}) — ids must be unique")
        seen.add(did)
        cells_raw = mapping(doc, f"{key}.cells", d.get("cells"))
        no_unknown_keys(doc, f"{key}.cells", cells_raw, PRODUCTS)
        missing = [p for p in PRODUCTS if p not in cells_raw]
        if missing:
            raise doc.error(
                f"{key}.cells",
                f"no cell for {', '.join(missing)} — every dimension needs a cell for each product",
            )
        cells = {p: _cell(doc, f"{key}.cells.{p}", cells_raw[p]) for p in PRODUCTS}
        dimensions.append(
            Dimension(id=did, label=text(doc, f"{key}.label", d.get("label")), cells=cells)
        )
    for needed in _REQUIRED_DIMENSIONS:
        if needed not in seen:
            raise doc.error(
                "dimensions",
                f"no dimension {needed!r} — the decision needs {', '.join(_REQUIRED_DIMENSIONS)}",
            )
    by_id = {d.id: d for d in dimensions}
    if not by_id["platforms"].cells["remote_help"].platforms:
        raise doc.error(
            "dimensions",
            "the platforms cell of remote_help has no 'platforms' list"
            " — list the fully supported platforms",
        )
    if not by_id["tenant_cloud"].cells["remote_help"].supported_clouds:
        raise doc.error(
            "dimensions",
            "the tenant_cloud cell of remote_help has no "
            "'supported_clouds' list — list e.g. [commercial, gcc]",
        )

    criteria = tuple(
        _criterion(doc, f"criteria[{i}]", c, seen)
        for i, c in enumerate(sequence(doc, "criteria", raw["criteria"]))
    )
    ids = [c.id for c in criteria]
    if len(set(ids)) != len(ids):
        raise doc.error("criteria", f"duplicate criterion ids ({ids}) — ids must be unique")
    return CapabilityMatrix(
        as_of=raw["as_of"],
        document=text(doc, "document", raw["document"]),
        products=PRODUCTS,
        product_names=names,
        product_short=short,
        dimensions=tuple(dimensions),
        incumbent_strengths=tuple(
            _strength(doc, f"incumbent_strengths[{i}]", s, seen)
            for i, s in enumerate(sequence(doc, "incumbent_strengths", raw["incumbent_strengths"]))
        ),
        remote_help_strengths=tuple(
            _strength(doc, f"remote_help_strengths[{i}]", s, seen)
            for i, s in enumerate(
                sequence(doc, "remote_help_strengths", raw["remote_help_strengths"])
            )
        ),
        criteria=criteria,
    )
