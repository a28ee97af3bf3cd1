"""An export as a table of text: decoded, split into columns, each row knowing its line.

Real exports arrive as the vendor wrote them or as someone's Excel re-saved them: UTF-8 with or
without a byte-order mark, UTF-16 (PowerShell's ``Out-File``), Windows-1252 (Excel's "CSV
(Comma delimited)"), comma-, semicolon- (European Excel), tab- or pipe-delimited (LogMeIn
Rescue's API), sometimes after a status preamble (Rescue's ``OK`` line). :func:`read_delimited`
works out which from the file itself; XML and JSON reports become a :class:`Table` through
:func:`table_from_rows`.

Examples
--------
>>> sniff_delimiter("Start Time|End Time|Technician Name")
'|'
>>> sniff_delimiter('"Session ID";"Started";"Ended"')
';'
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from rhmodel.errors import InputError

__all__ = [
    "BLANKS",
    "Table",
    "first_index",
    "norm",
    "per_unique",
    "preamble_lines",
    "read_delimited",
    "sniff_delimiter",
    "sniff_encoding",
    "table_from_rows",
]

#: Values exports write for "nothing here" (the Intune admin grid's ``--``, Rescue's ``N/A``).
BLANKS = ("--", "-", "N/A", "n/a", "NA", "null", "NULL", "(none)")
_DELIMITERS = (",", ";", "\t", "|")
#: Files at least this large are read by pyarrow's multithreaded reader; smaller ones (every real
#: pilot export) by pandas' own, where a second engine and its threads buy nothing.
COLUMNAR_BYTES = 16 * 2**20


def norm(name: str) -> str:
    """A header name compared case-, space-, dash-, underscore- and apostrophe-insensitively.

    Examples
    --------
    >>> norm("Representative's Name"), norm(" Session-ID ")
    ('representativesname', 'sessionid')
    """
    return re.sub(r"[\s_\-'’#]+", "", name.strip().lower())


def per_unique(values: pd.Series, fn: Callable[[str], str]) -> np.ndarray:
    """``fn`` applied once per distinct value: exports repeat a few values millions of times."""
    codes, uniques = pd.factorize(values)
    mapped = np.array([fn(u) for u in uniques] + [""], dtype=object)
    return mapped[codes]  # code -1 (missing) takes the trailing ""


def first_index(mask: pd.Series | np.ndarray) -> int:
    """The first position where ``mask`` is true (callers know there is one)."""
    return int(np.flatnonzero(np.asarray(mask))[0])


def sniff_encoding(head: bytes) -> str:
    """The encoding of a file starting with ``head``: a byte-order mark, else UTF-8 when the
    bytes are UTF-8 (a character cut at the end of ``head`` allowed), else Windows-1252.

    Examples
    --------
    >>> sniff_encoding(b"\\xef\\xbb\\xbfa,b"), sniff_encoding("a,b".encode("utf-16"))
    ('utf-8-sig', 'utf-16')
    >>> sniff_encoding("Müller".encode("utf-8")), sniff_encoding("Müller".encode("cp1252"))
    ('utf-8', 'cp1252')
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not merely a character cut at the end of the sample
            return "cp1252"
    return "utf-8"


def sniff_delimiter(header_line: str) -> str:
    """The delimiter a header line uses: the most frequent of comma, semicolon, tab and pipe
    outside quotes (comma when the line has none)."""
    unquoted = re.sub(r'"[^"]*"', "", header_line)
    counts = {d: unquoted.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


@dataclass
class Table:
    """The rows of one export as text, with where each came from.

    ``lines`` holds each row's line as an editor shows it (for delimited text the header is line
    1, after any preamble); :meth:`error` makes a located :class:`InputError`.
    """

    path: Path
    frame: pd.DataFrame
    lines: pd.Series
    columns: dict[str, str] = field(default_factory=dict)
    # for delimited text: how to find a row's exact line when reporting an error
    encoding: str = "utf-8"
    delimiter: str = ","
    preamble: int = 0
    exact_lines: bool = False
    clean_blanks: bool = True
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.columns:
            self.columns = {norm(c): c for c in self.frame.columns}

    def col(self, *aliases: str, default: str = "") -> pd.Series:
        """The first of ``aliases`` present (normalised names), blanks as ``""``."""
        for a in aliases:
            if a in self.columns:
                values = self.frame[self.columns[a]]
                if self.clean_blanks:
                    values = values.str.strip()
                    values = values.mask(values.isin(BLANKS), "")
                return values
        return pd.Series(np.full(len(self.frame), default, dtype=object))

    def first_filled(self, *aliases: str) -> pd.Series:
        """Per row, the first non-empty of the columns ``aliases`` (e-mail, then id, then
        name: whatever this row has)."""
        out = pd.Series(np.full(len(self.frame), "", dtype=object))
        for a in reversed([a for a in aliases if a in self.columns]):
            values = self.col(a)
            out = values.where(values != "", out)
        return out

    def has(self, *aliases: str) -> bool:
        return any(a in self.columns for a in aliases)

    def error(self, row: int, message: str) -> InputError:
        line = int(self.lines.iloc[row])
        if self.exact_lines:  # quoted newlines shift lines: count them, on the error path only
            text = self.path.read_text(encoding=self.encoding)
            line = _exact_line(text, row, self.delimiter, self.preamble)
        return InputError(message, file=str(self.path), line=line)


def _exact_line(text: str, row: int, delimiter: str, preamble: int) -> int:
    """Line (1-based) where data row ``row`` (0-based) starts, honouring quoted newlines."""
    lines = text.splitlines(keepends=True)
    reader = csv.reader(io.StringIO("".join(lines[preamble:])), delimiter=delimiter)
    line = 1
    for i, _ in enumerate(reader):
        if i == row + 1:
            return line + preamble
        line = reader.line_num + 1
    return line + preamble


def preamble_lines(lines: Sequence[str]) -> int:
    """How many lines come before the header: Rescue's ``OK`` status line and the blank line
    after it (2), PowerShell 5.1 ``Export-Csv``'s ``#TYPE System.Management...`` line (1, when
    ``-NoTypeInformation`` was not given), else 0.

    Examples
    --------
    >>> preamble_lines(["OK", "", "Start Time|End Time"]), preamble_lines(["a,b", "1,2"])
    (2, 0)
    >>> preamble_lines(['#TYPE System.Management.Automation.PSCustomObject', '"a","b"'])
    1
    """
    first = lines[0].lstrip("\ufeff").strip() if lines else ""
    if len(lines) > 2 and first == "OK":
        return 2
    if first.startswith("#TYPE") and len(lines) > 1:
        return 1
    return 0


def read_delimited(path: Path, head: bytes) -> Table:
    """Read a delimited export (any of the encodings and delimiters above) into a Table."""
    encoding = sniff_encoding(head)
    text_head = head.decode(encoding, errors="ignore")
    head_lines = text_head.splitlines()
    # LogMeIn Rescue's getReport_v2 status lines, or PowerShell's #TYPE line, before the header
    preamble = preamble_lines(head_lines)
    header_line = head_lines[preamble] if len(head_lines) > preamble else ""
    delimiter = sniff_delimiter(header_line)
    frame = _read_columnar(path, encoding, delimiter, preamble)
    if frame is not None:
        return _delimited_table(path, frame, encoding, delimiter, preamble)
    with warnings.catch_warnings():
        # index_col=False: a row with more fields than the header must not silently turn the
        # first column into an index (every value would shift one column left)
        warnings.simplefilter("error", pd.errors.ParserWarning)
        try:
            frame = pd.read_csv(
                path,
                sep=delimiter,
                dtype=str,
                keep_default_na=False,
                skipinitialspace=True,
                encoding=encoding,
                index_col=False,
                skiprows=preamble,
            )
        except pd.errors.ParserWarning:
            raise _too_many_fields(path, encoding, delimiter, preamble) from None
        except pd.errors.ParserError:
            # an unterminated quote and other tokenising trouble: the line, not a traceback
            raise _unreadable_row(path, encoding, delimiter, preamble) from None
    return _delimited_table(path, frame, encoding, delimiter, preamble)


def _unreadable_row(path: Path, encoding: str, delimiter: str, preamble: int) -> InputError:
    """The row the csv module cannot read either (strict quoting), as a located error.

    Examples
    --------
    >>> import tempfile
    >>> f = Path(tempfile.mkdtemp()) / "log.csv"
    >>> _ = f.write_text('id,reason\\n1,pam\\n2,"unattended\\n3,rmm\\n')
    >>> e = _unreadable_row(f, "utf-8", ",", 0)
    >>> e.line, str(e).split(": ", 1)[1][:45]
    (3, 'the row cannot be read (unexpected end of dat')
    """
    with path.open(encoding=encoding, errors="replace", newline="") as fh:
        for _ in range(preamble):
            fh.readline()
        reader = csv.reader(fh, delimiter=delimiter, strict=True)
        start = 1
        try:
            for _row in reader:
                start = reader.line_num + 1
        except csv.Error as exc:
            return InputError(
                f"the row cannot be read ({exc}) — close each quoted field with a quote (a quote "
                "inside a field is written twice)",
                file=str(path),
                line=start + preamble,
            )
    return InputError(
        f"cannot be read as {delimiter!r}-delimited text — quote every field that holds a "
        "delimiter, a quote or a line break",
        file=str(path),
    )


def _delimited_table(
    path: Path, frame: pd.DataFrame, encoding: str, delimiter: str, preamble: int
) -> Table:
    table = Table(
        path,
        frame,
        pd.Series(np.arange(len(frame), dtype=np.int64) + 2 + preamble),
        encoding=encoding,
        delimiter=delimiter,
        preamble=preamble,
        exact_lines=True,
    )
    if encoding == "cp1252":
        table.notes.append(f"{path.name}: read as Windows-1252 (not UTF-8)")
    return table


def _read_columnar(path: Path, encoding: str, delimiter: str, preamble: int) -> pd.DataFrame | None:
    """The file read by pyarrow's multithreaded CSV reader (UTF-8 only), or ``None`` when it
    cannot (another encoding, a ragged or oddly quoted file): the careful reader then takes over
    and locates any problem by its line. For a 10-million-row export this is most of the
    difference between seconds and a minute."""
    if encoding not in ("utf-8", "utf-8-sig") or path.stat().st_size < COLUMNAR_BYTES:
        return None
    try:
        import pyarrow  # noqa: F401 - present in a normal install; the careful path otherwise
    except ImportError:
        return None
    try:
        frame = pd.read_csv(
            path,
            engine="pyarrow",
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            skiprows=preamble,
            encoding="utf-8",
        )
    except Exception:  # any parse trouble: the careful reader reports it with its line
        return None
    frame.columns = [str(c).lstrip("\ufeff").strip() for c in frame.columns]
    return frame


def _too_many_fields(path: Path, encoding: str, delimiter: str, preamble: int) -> InputError:
    """The first row with more fields than the header, as a located error."""
    with path.open(encoding=encoding, newline="") as fh:
        for _ in range(preamble):
            fh.readline()
        reader = csv.reader(fh, delimiter=delimiter)
        width = len(next(reader, []))
        line = 2
        for row in reader:
            if len(row) > width:
                return InputError(
                    f"the row has {len(row)} fields, the header {width} — quote a field "
                    "that holds a delimiter, or fix the row",
                    file=str(path),
                    line=line + preamble,
                )
            line = reader.line_num + 1
    return InputError(f"a row has more fields than the header ({width})", file=str(path))


def table_from_rows(
    path: Path, header: Sequence[str], rows: Sequence[Sequence[str]], lines: Sequence[int]
) -> Table:
    """A Table from rows already split (an XML or JSON report), each with its line."""
    frame = pd.DataFrame([list(r) for r in rows], columns=list(header), dtype=object).fillna("")
    frame = frame.astype(str)
    return Table(path, frame, pd.Series(np.asarray(lines, dtype=np.int64)))


def json_values(
    path: Path, text: str, message: Callable[[json.JSONDecodeError], str]
) -> list[object]:
    """Every JSON value in ``text``: one, or several written one after another (API pages
    saved in turn). A value that does not parse is an :class:`InputError` at its line, worded
    by ``message``.

    Examples
    --------
    >>> json_values(Path("p.json"), '{"a": 1}\\n{"a": 2}', lambda e: e.msg)
    [{'a': 1}, {'a': 2}]
    """
    decoder = json.JSONDecoder()
    values: list[object] = []
    i, n = 0, len(text)
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            return values
        try:
            value, i = decoder.raw_decode(text, i)
        except json.JSONDecodeError as exc:
            raise InputError(message(exc), file=str(path), line=exc.lineno) from None
        values.append(value)
