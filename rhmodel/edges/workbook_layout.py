"""How the workbook's sheets print and protect themselves, applied once every sheet is written.

Spreadsheet engines neither grow a row that openpyxl wrote nor widen a column for a number, so
without this pass wrapped text prints over the next row and a wide figure prints as ``###``.
:func:`finish_sheet` sizes columns for what they hold (numbers by their format, headings by
their longest word), wraps long notes across the table, gives every row the height its wrapped
text needs, freezes the panes under the first table heading, and protects the sheet without a
password so a formula cannot be overwritten by a stray keystroke: input cells (styled as inputs)
are left unlocked, everything else is locked.

Widths are in Excel's character units (the width of a "0" in the default 11 pt font); the text
model is deliberately generous (a line holds fewer characters than the width), because a row
a little too tall prints fine and a row too short overprints.
"""

from __future__ import annotations

import datetime as dt
import math

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from rhmodel.core.text import MINUS, currency_prefix

__all__ = [
    "BOOLEAN",
    "finish_sheet",
    "is_input",
    "money_format",
    "wrapped_lines",
]

#: Booleans shown as words: LibreOffice applies it (Excel shows TRUE/FALSE whatever the format).
BOOLEAN = '"Yes";"Yes";"No"'
#: Widest a column grows for unwrapped text before that text is wrapped instead.
MAX_TEXT_WIDTH = 60
#: Width a money formula cell needs: "−€12,345,678" and a little margin.
MONEY_WIDTH = 14
DEFAULT_WIDTH = 8.43  # openpyxl's default column width (Excel's)


def money_format(code: str, decimals: int = 0) -> str:
    """The number format of an amount in currency ``code``: the symbol a finance reader of that
    currency expects, thousands separators, the true minus sign, negatives in red; whole units
    unless ``decimals`` (the cents stay in the cell, the display rounds).

    Examples
    --------
    >>> money_format("EUR")
    '"€"#,##0;[Red]"−€"#,##0'
    >>> money_format("USD", 2)
    '"US$"#,##0.00;[Red]"−US$"#,##0.00'
    >>> money_format("CHF")
    '"CHF "#,##0;[Red]"−CHF "#,##0'
    """
    symbol = currency_prefix(code).replace("\u00a0", " ")
    digits = "#,##0" + ("." + "0" * decimals if decimals else "")
    return f'"{symbol}"{digits};[Red]"{MINUS}{symbol}"{digits}'


def wrapped_lines(text: str, width: float, bold: bool = False, size: float = 11) -> int:
    """Lines ``text`` takes when wrapped at word boundaries in a column ``width`` wide.

    Examples
    --------
    >>> wrapped_lines("short", 20), wrapped_lines("word " * 20, 20)
    (1, 5)
    >>> wrapped_lines("one\\ntwo\\nthree", 40)
    3
    """
    # measured on LibreOffice's print of the sample: about 1.15 characters of prose per width
    # unit at 11 pt; 1.05 leaves a margin for long words and capitals
    scale = 11.0 / size * (0.92 if bold else 1.0) * 1.05
    capacity = max(1, int((width - 1) * scale))
    lines = 0
    for paragraph in str(text).split("\n"):
        used, n = 0, 1
        for word in paragraph.split():
            w = len(word)
            if used and used + 1 + w <= capacity:
                used += 1 + w
                continue
            if used:
                n += 1
            # a word longer than the line breaks where it must
            n += (w - 1) // capacity
            used = w - ((w - 1) // capacity) * capacity
        lines += n
    return max(lines, 1)


def is_input(cell: Cell, input_fill: str) -> bool:
    """Whether ``cell`` is styled as an input (the light-yellow fill of the Inputs sheet)."""
    fill = cell.fill
    return bool(
        fill is not None
        and fill.fill_type == "solid"
        and str(fill.fgColor.rgb).upper().endswith(input_fill.upper())
    )


def _width(ws: Worksheet, col: int) -> float:
    d = ws.column_dimensions.get(get_column_letter(col))
    return float(d.width) if d is not None and d.width else DEFAULT_WIDTH


def _needed_width(cell: Cell, money: str) -> float | None:
    """Characters ``cell`` needs unwrapped, or None when its width should not drive the column
    (wrapped text, empty cells)."""
    v = cell.value
    if v is None or (cell.alignment is not None and cell.alignment.wrap_text):
        return None
    fmt = cell.number_format or "General"
    if isinstance(v, str) and v.startswith("=") and cell.data_type == "f":
        if fmt == BOOLEAN:
            return 5
        if fmt == money or fmt.startswith('"'):  # an amount: a quoted currency symbol first
            return MONEY_WIDTH
        if "%" in fmt:
            return 8
        if fmt.startswith("0.0"):
            return len(fmt) + 3
        if "yy" in fmt:
            return 18 if "mmmm" in fmt else 13
        return 10
    if isinstance(v, bool):
        return 5
    if isinstance(v, int | float):
        if fmt != BOOLEAN and (fmt == money or fmt.startswith('"')):
            return len(f"{abs(v):,.0f}") + 6
        if "%" in fmt:
            return 8
        decimals = len(fmt.split(".")[1]) if "." in fmt else 0
        return len(f"{abs(v):,.{min(decimals, 6)}f}") + 3
    if isinstance(v, dt.date | dt.datetime):
        return 20 if isinstance(v, dt.datetime) else (19 if "mmmm" in fmt else 13)
    return len(str(v)) + 2


def _merged_width(ws: Worksheet, cell: Cell) -> tuple[float, int]:
    """The width of the merged range ``cell`` heads (its own width when not merged) and the
    number of rows it spans."""
    for rng in ws.merged_cells.ranges:
        if rng.min_row == cell.row and rng.min_col == cell.column:
            width = sum(_width(ws, c) for c in range(rng.min_col, rng.max_col + 1))
            return width, rng.max_row - rng.min_row + 1
    return _width(ws, cell.column), 1


def finish_sheet(
    ws: Worksheet,
    money: str,
    input_fill: str,
    header_fill: str,
    wrap_notes: bool = True,
) -> None:
    """Size, wrap, freeze and protect ``ws`` (see the module docstring).

    ``money`` is the sheet's money number format; ``input_fill`` and ``header_fill`` the RGB
    of the input and heading fills (they say which cells are inputs and where tables start).
    """
    merged_heads = {(r.min_row, r.min_col) for r in ws.merged_cells.ranges}
    merged_any = {
        (row, col)
        for r in ws.merged_cells.ranges
        for row in range(r.min_row, r.max_row + 1)
        for col in range(r.min_col, r.max_col + 1)
    }
    last_col = ws.max_column
    first_header: int | None = None
    needs: dict[int, float] = {}
    notes: list[Cell] = []
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None or (cell.row, cell.column) in merged_any:
                continue
            header = is_input(cell, header_fill)
            if header:
                first_header = cell.row if first_header is None else first_header
                # a heading wraps; its longest word must fit
                longest = max((len(w) for w in str(cell.value).split()), default=1)
                needs[cell.column] = max(needs.get(cell.column, 0), longest + 2)
                continue
            need = _needed_width(cell, money)
            if need is None:
                continue
            if isinstance(cell.value, str) and cell.data_type != "f" and need > MAX_TEXT_WIDTH:
                notes.append(cell)
                continue
            needs[cell.column] = max(needs.get(cell.column, 0), need)
    for col, need in needs.items():
        if need > _width(ws, col):
            ws.column_dimensions[get_column_letter(col)].width = min(need, MAX_TEXT_WIDTH)
    if wrap_notes:
        for cell in notes:
            _wrap_note(ws, cell, last_col)
    # heights: every wrapped cell shown whole
    heights: dict[int, float] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None or not (cell.alignment and cell.alignment.wrap_text):
                continue
            if (cell.row, cell.column) in merged_any and (cell.row, cell.column) not in (
                merged_heads
            ):
                continue
            width, span = _merged_width(ws, cell)
            size = float(cell.font.sz or 11) if cell.font is not None else 11.0
            bold = bool(cell.font is not None and cell.font.b)
            text = str(cell.value)
            if cell.data_type == "f":
                text = "x" * 240  # a sentence built by a formula: room for its longest wording
            lines = wrapped_lines(text, width, bold, size)
            need = lines * size * 1.3 + 4
            heights[cell.row] = max(heights.get(cell.row, 0), need / span)
    # once: ws[r] would count the sheet's columns again for every row (all of its cells)
    cols = ws.max_column
    top: dict[tuple[bool | None, str | None], Alignment] = {}  # one of each, not one per cell
    for r, h in heights.items():
        current = ws.row_dimensions[r].height
        if current is None or current < h:
            ws.row_dimensions[r].height = math.ceil(h)
        # in a tall row every cell starts at the top, beside the first line of its neighbour
        for (cell,) in ws.iter_cols(min_row=r, max_row=r, max_col=cols):
            if cell.value is None:
                continue
            a = cell.alignment
            if a is None or not a.vertical:
                key = (a.wrap_text, a.horizontal) if a is not None else (None, None)
                if key not in top:
                    top[key] = Alignment(wrap_text=key[0], horizontal=key[1], vertical="top")
                cell.alignment = top[key]
    if ws.freeze_panes is None:
        ws.freeze_panes = f"A{first_header + 1}" if first_header is not None else "A2"
    # locked by default; inputs open; no password: the guard is against accidents, not people
    unlocked = Protection(locked=False)
    for row in ws.iter_rows():
        for cell in row:
            # a cell never styled has no fill, so it is no input
            if cell.has_style and is_input(cell, input_fill):
                cell.protection = unlocked
    p = ws.protection
    p.sheet = True
    p.formatColumns = False  # widen a column or a row, sort and filter freely
    p.formatRows = False
    p.formatCells = True
    p.autoFilter = False
    p.sort = False
    p.selectLockedCells = False
    p.selectUnlockedCells = False


def _wrap_note(ws: Worksheet, cell: Cell, last_col: int) -> None:
    """Wrap a long unwrapped note across the empty cells to its right (up to the table's last
    column) so it neither widens the printed page nor runs off it."""
    end = cell.column
    for col in range(cell.column + 1, max(last_col, cell.column) + 1):
        if ws.cell(row=cell.row, column=col).value is not None:
            break
        end = col
    if any(r.min_row <= cell.row <= r.max_row for r in ws.merged_cells.ranges):
        end = cell.column  # the row already has a merge: wrap in place
    width = sum(_width(ws, c) for c in range(cell.column, end + 1))
    if end > cell.column and width > _width(ws, cell.column):
        ws.merge_cells(
            start_row=cell.row, start_column=cell.column, end_row=cell.row, end_column=end
        )
    align = cell.alignment
    cell.alignment = Alignment(
        wrap_text=True,
        vertical="top",
        horizontal=align.horizontal if align is not None else None,
    )
