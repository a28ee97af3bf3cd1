"""Plain-text tables that fit a terminal (100 columns by default).

Examples
--------
>>> print(text_table(["a", "b"], [["x", "a long cell that wraps"]], widths=[3, 10]))
a    b
---  ----------
x    a long
     cell that
     wraps
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from rhmodel.core.text import visible

__all__ = ["text_table", "wrap"]


def wrap(text: str, width: int = 100, indent: str = "") -> str:
    """Wrap ``text`` to ``width`` columns, indenting continuation lines (control characters
    shown as escapes, never sent to the terminal)."""
    return textwrap.fill(
        visible(text), width=width, subsequent_indent=indent, break_long_words=True
    )


def text_table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[int],
    align: Sequence[str] | None = None,
) -> str:
    """Render rows as columns of fixed ``widths``, wrapping long cells.

    Parameters
    ----------
    header : sequence of str
        Column titles.
    rows : sequence of sequences of str
        Cells, already formatted as text.
    widths : sequence of int
        Column widths; columns are separated by two spaces.
    align : sequence of str, optional
        ``"<"`` (left) or ``">"`` (right) per column.
    """
    align = align or ["<"] * len(widths)
    lines = []

    def emit(cells: Sequence[str]) -> None:
        wrapped = [
            textwrap.wrap(visible(str(c)), w, break_long_words=True) or [""]
            for c, w in zip(cells, widths, strict=True)
        ]
        for i in range(max(len(w) for w in wrapped)):
            parts = []
            for col, w, a in zip(wrapped, widths, align, strict=True):
                piece = col[i] if i < len(col) else ""
                parts.append(f"{piece:{a}{w}}")
            lines.append("  ".join(parts).rstrip())

    emit(header)
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        emit(row)
    return "\n".join(lines)
