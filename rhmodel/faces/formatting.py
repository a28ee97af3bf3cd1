"""How numbers are shown to people: money, plain numbers, percentages.

Examples
--------
>>> money(162000.0), money(-1234.5), money(None)
('162,000', '-1,234', '—')
>>> number(15000.0), number(0.08), percent(6.68)
('15,000', '0.08', '668%')
"""

from __future__ import annotations

__all__ = ["money", "number", "percent"]


def money(value: float | None) -> str:
    """US$ with thousands separators and no cents; ``—`` for none."""
    if value is None:
        return "—"
    return f"{value:,.0f}" if abs(value) >= 0.5 else "0"


def number(value: float | bool | str) -> str:
    """Whole numbers with separators, others to four significant digits; a choice or flag as
    it is written in a parameters file."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.4g}"


def percent(value: float | None) -> str:
    """A fraction as a whole percentage; ``—`` for none."""
    return "—" if value is None else f"{value:.0%}"
