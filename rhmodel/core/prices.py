"""The price book: publicly known list prices, each with its source and as-of date.

Examples
--------
>>> from rhmodel.edges.bundled import load_price_book
>>> book = load_price_book()
>>> book.item("remote_help_add_on").price
3.5
>>> book.item("logmein_resolve_agent").range
(29.0, 94.0)
>>> book.item("beyondtrust_seat").price is None, book.item("beyondtrust_seat").quote_only
(True, True)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, ClassVar

from rhmodel.core.document import YamlDocument
from rhmodel.core.products import CONTRACTS, PRODUCTS
from rhmodel.core.validation import choice, mapping, no_unknown_keys, text

__all__ = ["PriceBook", "PriceItem", "parse_price_book"]

_CONFIDENCE = ("high", "medium", "low", "none")


@dataclass(frozen=True)
class PriceItem:
    """One price-book entry.

    Attributes
    ----------
    id : str
        Entry id, e.g. ``remote_help_add_on``.
    product : str
        One of :data:`rhmodel.core.products.PRODUCTS`.
    label, unit, source : str
        What it is, its unit (e.g. "US$ per user per month") and where the figure comes from.
    as_of : datetime.date
        When the figure was last checked.
    confidence : str
        ``high``, ``medium``, ``low`` or ``none``.
    illustrative : bool
        True when the figure is not a quoted fact and outputs must say so.
    price : float or None
        A single price (US$ in ``unit``), or ``None`` for a range or a quote-only product.
    range : tuple of float or None
        ``(low, high)`` when only a range is known.
    quote_only : bool
        True when no public price exists.
    included_from : datetime.date or None
        For an inclusion in another licence, the date it takes effect.
    note : str
        Anything that changes the arithmetic.
    """

    json_fields: ClassVar[tuple[str, ...]] = (
        "id",
        "product",
        "label",
        "unit",
        "price",
        "range",
        "quote_only",
        "source",
        "as_of",
        "confidence",
        "illustrative",
        "included_from",
        "note",
    )

    id: str
    product: str
    label: str
    unit: str
    source: str
    as_of: dt.date
    confidence: str
    illustrative: bool
    price: float | None = None
    range: tuple[float, float] | None = None
    quote_only: bool = False
    included_from: dt.date | None = None
    note: str = ""


@dataclass(frozen=True)
class PriceBook:
    """All price-book entries, keyed by id."""

    as_of: dt.date
    currency: str
    items: dict[str, PriceItem]

    def item(self, item_id: str) -> PriceItem:
        """The entry ``item_id`` (``KeyError`` if absent: a bug, not a user error)."""
        return self.items[item_id]


def _number(doc: YamlDocument, key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise doc.error(key, f"must be a price >= 0 (got {value!r}) — write a number")
    return float(value)


def _date(doc: YamlDocument, key: str, value: Any) -> dt.date:
    if not isinstance(value, dt.date):
        raise doc.error(key, f"must be a date (got {value!r}) — write YYYY-MM-DD")
    return value


def parse_price_book(doc: YamlDocument) -> PriceBook:
    """Validate a parsed price book.

    Each item has exactly one of ``price``, ``range`` or ``quote_only: true``.

    Examples
    --------
    >>> from rhmodel.core.document import parse_yaml
    >>> text_ = '''as_of: 2026-01-01
    ... currency: USD
    ... items:
    ...   x: {product: beyondtrust, label: X, unit: u, source: s, as_of: 2026-01-01,
    ...       confidence: low, illustrative: false}
    ... '''
    >>> parse_price_book(parse_yaml(text_, "pb.yaml"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    rhmodel.errors.InputError: pb.yaml:4: items.x: needs exactly one of price, range or ...
    """
    raw = mapping(doc, "", doc.data)
    no_unknown_keys(doc, "", raw, ("as_of", "currency", "items"))
    as_of = _date(doc, "as_of", raw.get("as_of"))
    currency = choice(doc, "currency", raw.get("currency"), ("USD",))
    items = {}
    fields = (
        "product",
        "label",
        "unit",
        "billing",
        "source",
        "as_of",
        "confidence",
        "illustrative",
        "price",
        "range",
        "quote_only",
        "included_from",
        "note",
    )
    for item_id, entry in mapping(doc, "items", raw.get("items")).items():
        key = f"items.{item_id}"
        entry = mapping(doc, key, entry)
        no_unknown_keys(doc, key, entry, fields)
        # `price: 0` is a real figure (an inclusion), so test presence, not truthiness.
        kinds = [k for k in ("price", "range") if entry.get(k) is not None]
        kinds += ["quote_only"] if entry.get("quote_only") is True else []
        if len(kinds) != 1:
            raise doc.error(
                key,
                "needs exactly one of price, range or quote_only: true "
                f"(got {', '.join(kinds) or 'none'}) — a price book never invents a "
                "figure",
            )
        rng = None
        if "range" in entry:
            r = mapping(doc, f"{key}.range", entry["range"])
            no_unknown_keys(doc, f"{key}.range", r, ("low", "high"))
            lo = _number(doc, f"{key}.range.low", r.get("low"))
            hi = _number(doc, f"{key}.range.high", r.get("high"))
            if hi < lo:
                raise doc.error(f"{key}.range", f"high < low ({hi} < {lo}) — low <= high")
            rng = (lo, hi)
        illustrative = entry.get("illustrative", False)
        if not isinstance(illustrative, bool):
            raise doc.error(
                f"{key}.illustrative",
                f"must be true or false (got {illustrative!r})"
                " — true when the figure is not a quoted fact",
            )
        items[str(item_id)] = PriceItem(
            id=str(item_id),
            product=choice(doc, f"{key}.product", entry.get("product"), PRODUCTS),
            label=text(doc, f"{key}.label", entry.get("label")),
            unit=text(doc, f"{key}.unit", entry.get("unit")),
            source=text(doc, f"{key}.source", entry.get("source")),
            as_of=_date(doc, f"{key}.as_of", entry.get("as_of")),
            confidence=choice(doc, f"{key}.confidence", entry.get("confidence"), _CONFIDENCE),
            illustrative=illustrative,
            price=_number(doc, f"{key}.price", entry["price"]) if "price" in entry else None,
            range=rng,
            quote_only=bool(entry.get("quote_only", False)),
            included_from=(
                _date(doc, f"{key}.included_from", entry["included_from"])
                if "included_from" in entry
                else None
            ),
            note=str(entry.get("note", "")),
        )
    # Remote Help's add-on and each incumbent record's price entry (rhmodel.core.products)
    for needed in ("remote_help_add_on", *(c.price_item for c in CONTRACTS)):
        if needed not in items:
            raise doc.error("items", f"no item {needed!r} — the model's defaults need it")
    return PriceBook(as_of=as_of, currency=currency, items=items)
