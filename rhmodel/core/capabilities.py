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
('windows', 'macos', 'android')
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, ClassVar

from rhmodel.core.document import YamlDocument
from rhmodel.core.products import PLATFORMS, PRODUCTS, TENANT_CLOUDS
from rhmodel.core.validation import choice, mapping, no_unknown_keys, sequence, text

__all__ = [
    "CRITERION_KINDS",
    "LEVELS",
    "CapabilityMatrix",
    "Cell",
    "Criterion",
    "Dimension",
    "Strength",
    "parse_capabilities",
]

#: Normalised capability levels, best first.
LEVELS: tuple[str, ...] = ("yes", "partial", "no")
#: How a criterion is evaluated (see :mod:`rhmodel.core.decision`).
CRITERION_KINDS: tuple[str, ...] = ("flag", "platforms", "cloud")


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
    """

    json_fields: ClassVar[tuple[str, ...]] = (
        "level",
        "text",
        "source",
        "platforms",
        "view_only",
        "supported_clouds",
    )
    json_omit_empty: ClassVar[tuple[str, ...]] = ("platforms", "view_only", "supported_clouds")

    level: str
    text: str
    source: str
    platforms: tuple[str, ...] = ()
    view_only: tuple[str, ...] = ()
    supported_clouds: tuple[str, ...] = ()


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
    """

    id: str
    kind: str
    dimension: str
    requirement: str
    reason_code: str | None
    replace_if: str
    keep_if: str
    source: str


@dataclass(frozen=True)
class CapabilityMatrix:
    """The whole validated capability file."""

    # `rhmodel matrix --format json`; the criteria and Remote Help's strengths are not in it.
    json_fields: ClassVar[tuple[str, ...]] = (
        "products",
        "product_names",
        "as_of",
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


def _cell(doc: YamlDocument, key: str, raw: Any) -> Cell:
    raw = mapping(doc, key, raw)
    no_unknown_keys(
        doc, key, raw, ("level", "text", "source", "platforms", "view_only", "supported_clouds")
    )
    for name in ("level", "text", "source"):
        if name not in raw:
            raise doc.error(key, f"missing '{name}' — each cell needs level, text and source")
    # YAML 1.1 reads a bare `yes`/`no` as a boolean; accept that spelling of the level.
    level = raw["level"]
    if level is True:
        level = "yes"
    elif level is False:
        level = "no"
    return Cell(
        level=choice(doc, f"{key}.level", level, LEVELS),
        text=text(doc, f"{key}.text", raw["text"]),
        source=text(doc, f"{key}.source", raw["source"]),
        platforms=_platform_list(doc, f"{key}.platforms", raw.get("platforms", [])),
        view_only=tuple(
            str(v) for v in sequence(doc, f"{key}.view_only", raw.get("view_only", []))
        ),
        supported_clouds=_platform_list(
            doc, f"{key}.supported_clouds", raw.get("supported_clouds", []), TENANT_CLOUDS
        ),
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
    no_unknown_keys(doc, key, raw, fields)
    for name in fields:
        if name not in raw:
            raise doc.error(key, f"missing '{name}' — each criterion needs {', '.join(fields)}")
    reason = raw["reason_code"]
    return Criterion(
        id=text(doc, f"{key}.id", raw["id"]),
        kind=choice(doc, f"{key}.kind", raw["kind"], CRITERION_KINDS),
        dimension=choice(doc, f"{key}.dimension", raw["dimension"], sorted(dimension_ids)),
        requirement=text(doc, f"{key}.requirement", raw["requirement"]),
        reason_code=None if reason is None else text(doc, f"{key}.reason_code", reason),
        replace_if=text(doc, f"{key}.replace_if", raw["replace_if"]),
        keep_if=text(doc, f"{key}.keep_if", raw["keep_if"]),
        source=text(doc, f"{key}.source", raw["source"]),
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
