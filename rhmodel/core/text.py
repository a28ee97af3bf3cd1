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

__all__ = ["currency_prefix", "excerpt", "long_date", "visible"]

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
# Every Unicode format character (category Cf) but the zero-width joiner, which emoji need.
_FORMAT = re.compile(
    "["
    + "".join(
        re.escape(chr(c))
        for c in range(0x80, 0x110000)
        if c != 0x200D and unicodedata.category(chr(c)) == "Cf"
    )
    + "]"
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


def currency_prefix(code: str) -> str:
    """How money is labelled: ``US$`` for US dollars, else the ISO code and a space.

    Examples
    --------
    >>> currency_prefix("USD"), currency_prefix("EUR")
    ('US$', 'EUR ')
    """
    return "US$" if code == "USD" else f"{code} "
