"""The price book holds the known figures with sources and dates, and invents none."""

from __future__ import annotations

import datetime as dt

import pytest

from rhmodel.core.document import parse_yaml
from rhmodel.core.prices import parse_price_book
from rhmodel.edges.bundled import PRICE_BOOK_FILE, load_price_book
from rhmodel.errors import InputError


def test_known_prices():
    book = load_price_book()
    assert book.item("remote_help_add_on").price == 3.50
    assert book.item("intune_plan_2").price == 4.00
    assert book.item("intune_suite").price == 10.00
    assert book.item("m365_e3_e5_inclusion").included_from == dt.date(2026, 7, 1)
    lmi = book.item("logmein_resolve_agent")
    assert lmi.range == (29.0, 94.0) and lmi.price is None and lmi.illustrative


def test_beyondtrust_has_no_invented_figure():
    bt = load_price_book().item("beyondtrust_seat")
    assert bt.quote_only and bt.price is None and bt.range is None


def test_every_item_has_source_and_date():
    for item in load_price_book().items.values():
        assert item.source and isinstance(item.as_of, dt.date)
        assert item.unit.startswith("US$")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "    price: 3.50\n",
            "    price: -3.50\n",
            "items.remote_help_add_on.price: must be a price",
        ),
        (
            "    quote_only: true\n",
            "    quote_only: true\n    price: 2000\n",
            "needs exactly one of price, range or quote_only",
        ),
        ("range: {low: 29.00, high: 94.00}", "range: {low: 94.00, high: 29.00}", "high < low"),
        (
            '    confidence: medium\n    illustrative: false\n    note: "Both',
            '    confidence: certain\n    illustrative: false\n    note: "Both',
            "confidence: unknown value ('certain')",
        ),
    ],
)
def test_malformed_price_book(old, new, expected):
    text = PRICE_BOOK_FILE.read_text(encoding="utf-8")
    assert old in text
    with pytest.raises(InputError) as err:
        parse_price_book(parse_yaml(text.replace(old, new, 1), "price_book.yaml"))
    assert expected in str(err.value)
    assert str(err.value).startswith("price_book.yaml:")
