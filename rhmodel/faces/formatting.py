"""How numbers are shown to people: money, plain numbers, percentages.

Every face (the memo, the charts, the explorer, the text tables) formats through these, so a
figure reads the same everywhere: thousands separators, whole currency units, the true minus
sign (U+2212), the parameters' currency written as a finance reader of it expects.

Examples
--------
>>> money(162000.0), money(-1234.5), money(None)
('162,000', '−1,234', '—')
>>> money(61473.2, "EUR"), money(-18000, "GBP")
('€61,473', '−£18,000')
>>> number(15000.0), number(0.08), number(-4598), percent(6.68), percent(-0.05)
('15,000', '0.08', '−4,598', '668%', '−5%')
>>> rate(0.1), rate(0.035)
('10%', '3.5%')
"""

from __future__ import annotations

from rhmodel.core.text import (
    MINUS,
    currency_prefix,
    money_short,
    money_text,
    probability_text,
    signed,
)

__all__ = [
    "MINUS",
    "money",
    "money_short",
    "number",
    "percent",
    "probability_text",
    "rate",
    "with_unit",
]


def money(value: float | None, currency: str | None = None, decimals: int = 0) -> str:
    """Whole currency units with thousands separators and a true minus; with ``currency``
    (an ISO code), its symbol or code before the figure; ``—`` for none."""
    if value is None:
        return "—"
    if currency:
        return money_text(value, currency, decimals)
    text = f"{value:,.{decimals}f}" if abs(value) >= 0.5 or decimals else "0"
    return signed(text)


def number(value: float | bool | str) -> str:
    """Whole numbers with separators, others to four significant digits; a choice or flag as
    it is written in a parameters file."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    return signed(f"{value:,.0f}" if float(value).is_integer() else f"{value:,.4g}")


def percent(value: float | None) -> str:
    """A fraction as a whole percentage; ``—`` for none."""
    return "—" if value is None else signed(f"{value:.0%}")


def rate(value: float) -> str:
    """A rate (a fraction) as people write it: ``10%``, ``3.5%``."""
    return signed(f"{value:.1%}".replace(".0%", "%"))


def with_unit(unit: str, text: str, currency: str) -> str:
    """A figure already written as ``text`` with the schema's ``unit``, money in ``currency``
    (the schema says ``US$ per agent per month``; the parameters' money is in their currency).

    Examples
    --------
    >>> with_unit("US$ per agent per month", "29–94", "EUR")
    '€29–94 per agent per month'
    >>> with_unit("currency units per US$", "0.92", "GBP"), with_unit("days", "60", "GBP")
    ('0.92 GBP per US dollar', '60 days')
    """
    if unit == "currency units per US$":
        return f"{text} {currency} per US dollar"
    if unit.startswith("US$"):
        rest = unit[3:].strip()
        return f"{currency_prefix(currency)}{text}" + (f" {rest}" if rest else "")
    return f"{text} {unit}".strip()
