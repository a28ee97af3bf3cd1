"""The format characters ``visible`` escapes: the table of ranges is Unicode's own list."""

from __future__ import annotations

import unicodedata

from rhmodel.core import text


def test_the_format_ranges_are_every_cf_character_but_the_zero_width_joiner():
    # brute force over every code point, as the module did at import before the table
    want = [
        c for c in range(0x80, 0x110000) if c != 0x200D and unicodedata.category(chr(c)) == "Cf"
    ]
    got = [c for a, b in text._format_ranges() for c in range(a, b + 1)]
    assert got == want
    assert text.visible("a\u202eb\u200dc") == "a\\u202eb\u200dc"


def test_money_reads_as_a_finance_reader_writes_it():
    # hand-worked: whole units, separators, the minus sign U+2212 before the symbol
    assert text.money_text(-61473.49, "EUR") == "\u2212€61,473"
    assert text.money_text(1234.5, "GBP", 2) == "£1,234.50"
    assert text.money_short(-20_000, "USD") == "\u2212US$20k"
    assert text.probability_text(0.9996, draws=10_000) == "more than 99.9%"
    assert text.probability_text(0.97) == "about 97%"
