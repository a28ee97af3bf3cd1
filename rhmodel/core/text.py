"""Text from outside made safe to show: control and format characters become visible escapes.

A technician's or organisation's name comes from files we do not control. An ESC or BEL in it
would drive a terminal, break an Excel cell (openpyxl refuses such characters) or hide inside
HTML; shown as ``\\x1b`` it is harmless and still tells the reader what was there. Unicode
format characters (category Cf: the bidi overrides and isolates such as U+202E, zero-width
spaces, the byte-order mark) would reorder or hide what is printed around them; they are shown
as ``\\u202e``. The zero-width joiner (U+200D) stays: emoji sequences need it.

Examples
--------
>>> visible("Alice\\x1b[31m Smith\\x07")
'Alice\\\\x1b[31m Smith\\\\x07'
>>> visible("two\\nlines\\tand a tab")
'two\\nlines\\tand a tab'
>>> visible("Acme\\u202eevil")
'Acme\\\\u202eevil'
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

__all__ = [
    "MINUS",
    "currency_prefix",
    "excerpt",
    "long_date",
    "money_short",
    "money_text",
    "probability_text",
    "signed",
    "visible",
]

# C0 controls except tab and newline, DEL, and the C1 controls.
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: Every Unicode format character (category Cf, Unicode 14) but the zero-width joiner, which
#: emoji need, as ranges: scanning all 1.1 million code points at import cost a tenth of a
#: second in every process (the CLI, each notebook kernel); a test checks them against
#: ``unicodedata`` and :func:`_format_ranges` extends them with any a newer Unicode adds.
_CF_RANGES = (
    (0x00AD, 0x00AD), (0x0600, 0x0605), (0x061C, 0x061C), (0x06DD, 0x06DD), (0x070F, 0x070F),
    (0x0890, 0x0891), (0x08E2, 0x08E2), (0x180E, 0x180E), (0x200B, 0x200C), (0x200E, 0x200F),
    (0x202A, 0x202E), (0x2060, 0x2064), (0x2066, 0x206F), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD), (0x110CD, 0x110CD), (0x13430, 0x13438), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0xE0001, 0xE0001), (0xE0020, 0xE007F),
)  # fmt: skip


def _format_ranges() -> tuple[tuple[int, int], ...]:
    """The Cf ranges this Python's Unicode knows: the table above, scanned afresh only when
    the interpreter's Unicode is newer than the table's."""
    if unicodedata.unidata_version == "14.0.0":
        return _CF_RANGES
    out: list[list[int]] = []
    for c in range(0x80, 0x110000):
        if c != 0x200D and unicodedata.category(chr(c)) == "Cf":
            if out and out[-1][1] == c - 1:
                out[-1][1] = c
            else:
                out.append([c, c])
    return tuple((a, b) for a, b in out)


_FORMAT = re.compile(
    "[" + "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in _format_ranges()) + "]"
)


def visible(text: str) -> str:
    """``text`` with every control character (but tab and newline) written as ``\\xNN`` and
    every format character (bidi overrides, zero-width spaces) as ``\\uNNNN``."""
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    return _FORMAT.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def excerpt(value: object, limit: int = 40) -> str:
    """A field as an error message may quote it: short, quoted, control characters escaped.

    Examples
    --------
    >>> excerpt("INC0012345")
    "'INC0012345'"
    >>> excerpt("x" * 100)
    "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…'"
    """
    text = visible(str(value))
    return repr(text if len(text) <= limit else text[:limit] + "…")


def long_date(day: dt.date) -> str:
    """A date as people write it in a letter: ``2 March 2027`` (no leading zero, any locale).

    Examples
    --------
    >>> long_date(dt.date(2027, 3, 2))
    '2 March 2027'
    """
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


#: The true minus sign (U+2212): a hyphen before a figure reads as a dash in a finance memo.
MINUS = "\u2212"

#: How each currency is written before an amount, as a finance reader of that currency expects.
#: Any other ISO code is written as the code and a no-break space (``CHF 1,234``), so the amount
#: never wraps away from its currency.
_SYMBOLS = {"USD": "US$", "EUR": "€", "GBP": "£", "JPY": "¥"}


def currency_prefix(code: str) -> str:
    """How money is labelled: ``US$``, ``€``, ``£``; any other code and a no-break space.

    Examples
    --------
    >>> currency_prefix("USD"), currency_prefix("EUR"), currency_prefix("GBP")
    ('US$', '€', '£')
    >>> currency_prefix("CHF")
    'CHF\xa0'
    """
    return _SYMBOLS.get(code, f"{code}\u00a0")


def signed(text: str) -> str:
    """``text`` with a leading hyphen-minus written as the true minus sign.

    Examples
    --------
    >>> signed("-1,234") == MINUS + "1,234"
    True
    """
    return MINUS + text[1:] if text.startswith("-") else text


def money_text(value: float, code: str, decimals: int = 0) -> str:
    """An amount as prose and tables show it: the currency, thousands separators, whole units
    (``decimals`` for a unit price), the minus sign before the currency.

    Examples
    --------
    >>> money_text(61473.4, "EUR"), money_text(-18000, "GBP"), money_text(77531, "USD")
    ('€61,473', '−£18,000', 'US$77,531')
    >>> money_text(3.5, "CHF", 2)
    'CHF\xa03.50'
    >>> money_text(-0.2, "EUR")
    '€0'
    """
    text = f"{abs(value):,.{decimals}f}"
    negative = value < 0 and text.strip("0.,") != ""
    return f"{MINUS if negative else ''}{currency_prefix(code)}{text}"


def money_short(value: float, code: str) -> str:
    """An amount for a chart's axis or a headline: ``€60k``, ``−£20k``, ``US$1.2M``, ``€950``.

    Examples
    --------
    >>> money_short(60000, "EUR"), money_short(-20000, "GBP"), money_short(1_234_000, "USD")
    ('€60k', '−£20k', 'US$1.2M')
    >>> money_short(950, "EUR"), money_short(0, "EUR"), money_short(1200, "EUR")
    ('€950', '€0', '€1.2k')
    """
    size = abs(value)
    if size >= 999_500:
        text = f"{size / 1e6:,.1f}M"
    elif size >= 9_950:
        text = f"{size / 1e3:,.0f}k"
    elif size >= 1_000:
        # below ten thousand a tenth shows: the ticks 1,000 and 1,200 must not both read "1k"
        text = f"{size / 1e3:.1f}".removesuffix(".0") + "k"
    else:
        text = f"{size:,.0f}"
    negative = value < 0 and text.strip("0.,kM") != ""
    return f"{MINUS if negative else ''}{currency_prefix(code)}{text}"


def probability_text(p: float, draws: int | None = None) -> str:
    """A simulated probability without false precision: ``more than 99.9%`` at the ends (or,
    with ``draws``, beyond what that many draws can resolve), else ``about 97%``.

    Examples
    --------
    >>> probability_text(1.0), probability_text(0.0), probability_text(0.9712)
    ('more than 99.9%', 'less than 0.1%', 'about 97%')
    >>> probability_text(0.9995, draws=2000)
    'more than 99.9%'
    >>> probability_text(0.995)
    'about 99.5%'
    """
    edge = 0.001 if draws is None else max(0.001, 1.0 / draws)
    if p >= 1 - edge:
        return f"more than {100 * (1 - edge):.1f}%".replace(".0%", "%")
    if p <= edge:
        return f"less than {100 * edge:.1f}%".replace(".0%", "%")
    if 0.01 <= p <= 0.99:
        return f"about {p:.0%}"
    return f"about {100 * p:.1f}%"
