"""Loaders for pilot session exports, one module per vendor, detected from the file itself.

Supported, several files at once (a folder stands for the files in it):

- :mod:`~rhmodel.edges.exports.canonical`: rhmodel's own session CSV;
- :mod:`~rhmodel.edges.exports.intune`: the Intune admin center's export, Graph
  ``remoteAssistanceReporting`` fields as CSV, and the Intune report stream JSON;
- :mod:`~rhmodel.edges.exports.logmein`: the LogMeIn Rescue / Resolve session report as CSV,
  TSV, pipe-delimited ``getReport_v2`` text, its XML output, and Excel re-saves;
- :mod:`~rhmodel.edges.exports.beyondtrust`: BeyondTrust's ``SupportSession`` report (XML or
  CSV) and the /login "Support Sessions" CSV.

How a file is read (:mod:`~rhmodel.edges.exports.table`): the encoding from its bytes (UTF-8 with
or without a BOM, UTF-16, else Windows-1252), the delimiter from its header (comma, semicolon,
tab, pipe), XML and JSON from their first character. Header names match case-, space-, dash-,
underscore- and apostrophe-insensitively. Times (:mod:`~rhmodel.edges.exports.times`): ISO 8601,
zone abbreviations, locale forms with the day/month order from the file or ``date_order``, Unix
seconds or milliseconds. ``--``, ``N/A`` and blanks are empty. Rows that are not sessions (no
technician joined) are skipped and counted; a malformed row is an
:class:`~rhmodel.errors.InputError` naming the file and the line as an editor shows it (the header
is line 1), and nothing of that file is loaded.
"""

from __future__ import annotations

import csv
import stat
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rhmodel.edges.exports import beyondtrust, canonical, intune, logmein
from rhmodel.edges.exports.frame import LoadedExport, same_person
from rhmodel.edges.exports.table import Table, norm, read_delimited, sniff_delimiter, sniff_encoding
from rhmodel.edges.exports.times import ReadOptions
from rhmodel.errors import InputError

__all__ = [
    "FORMATS",
    "LoadedExport",
    "ReadOptions",
    "detect_format",
    "expand_paths",
    "load_export",
    "load_exports",
    "pilot_path_problem",
    "same_person",
]


@dataclass(frozen=True)
class Format:
    """One export layout: the columns that identify it and the loader that reads it."""

    name: str
    required: tuple[tuple[str, ...], ...]  # each entry: acceptable aliases, one must be present
    description: str
    load: Callable[[Table, ReadOptions], LoadedExport]


def _format(spec: tuple, load: Callable[[Table, ReadOptions], LoadedExport]) -> Format:
    return Format(spec[0], spec[1], spec[2], load)


#: The formats, in detection order (most specific first). Aliases are normalised names.
FORMATS: tuple[Format, ...] = (
    _format(canonical.FORMAT, canonical.load),
    _format(intune.FORMATS[0], intune.load_graph),
    _format(intune.FORMATS[1], intune.load_admin),
    _format(beyondtrust.FORMATS[0], beyondtrust.load_login_csv),
    _format(beyondtrust.FORMATS[1], beyondtrust.load_csv),
    _format(logmein.FORMAT, logmein.load),
)
_BY_NAME = {f.name: f for f in FORMATS}


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files named, with each directory replaced by the files in it (sorted, hidden skipped)."""
    out: list[Path] = []
    for p in map(Path, paths):
        problem = pilot_path_problem(p)
        if problem:
            raise InputError(
                f"{problem} — give pilot export files or a folder of them", file=str(p)
            )
        if p.is_dir():
            out.extend(sorted(f for f in p.iterdir() if f.is_file() and not f.name.startswith(".")))
        else:
            out.append(p)
    return out


def pilot_path_problem(path: Path) -> str | None:
    """What is wrong with ``path`` as a pilot export or folder of them, or ``None``.

    Examples
    --------
    >>> pilot_path_problem(Path("/dev/zero"))
    'is not a regular file (a character device)'
    """
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "no such file or folder"
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    if stat.S_ISDIR(mode):
        visible_files = [f for f in path.iterdir() if f.is_file() and not f.name.startswith(".")]
        return None if visible_files else "is a folder with no export files in it"
    if not stat.S_ISREG(mode):
        kind = (
            "a character device"
            if stat.S_ISCHR(mode)
            else ("a named pipe" if stat.S_ISFIFO(mode) else "not a plain file")
        )
        return f"is not a regular file ({kind})"
    return None


def detect_format(header: Sequence[str]) -> str | None:
    """The format whose required columns the header has, or ``None``.

    Examples
    --------
    >>> detect_format(["Session ID", "Tool", "Start", "End", "Technician", "Reason"])
    'canonical'
    >>> detect_format(["id", "startDateTime", "endDateTime", "helperEmail"])
    'intune_graph'
    >>> detect_format(["Session ID", "Started", "Ended", "Representative's Name"])
    'beyondtrust_login_csv'
    >>> detect_format(["a", "b"]) is None
    True
    """
    names = {norm(h) for h in header}
    for f in FORMATS:
        if all(any(a in names for a in aliases) for aliases in f.required):
            return f.name
    return None


def _unknown_header(path: Path, header: Sequence[str], line: int = 1) -> InputError:
    kinds = "; ".join(f"{f.name}: {f.description}" for f in FORMATS)
    # The line is not quoted: a file that is not an export may hold anything (a password).
    return InputError(
        f"no recognisable header: the first line ({len(header)} fields) is none of the "
        f"headers rhmodel reads — accepted: {kinds}",
        file=str(path),
        line=line,
    )


def _read_table(path: Path, opts: ReadOptions) -> tuple[Table, Format]:
    try:
        with path.open("rb") as fh:
            head = fh.read(65536)
            encoding = sniff_encoding(head)
            text = head.decode(encoding, errors="ignore").lstrip("\ufeff \t\r\n\x00")
            # XML and JSON reports are read whole; delimited text is read by pandas below
            data = head + fh.read() if text[:1] in ("<", "{") else b""
    except OSError as exc:
        raise InputError(
            f"cannot read ({exc.strerror}) — check the path and permissions", file=str(path)
        ) from None
    if not text.strip():
        raise InputError(
            "empty file — a pilot export with a header row and sessions", file=str(path)
        )
    if text.startswith("<"):
        if "<report" in text[:2000] and "<session_list" not in text[:2000]:
            table = logmein.rescue_xml_table(path, data)
            fmt = detect_format(list(table.frame.columns))
            if fmt is None:
                raise _unknown_header(path, list(table.frame.columns))
            return table, _BY_NAME[fmt]
        return beyondtrust.xml_table(path, data), Format(
            "beyondtrust_xml", (), "BeyondTrust SupportSession XML", beyondtrust.load_xml
        )
    if text.startswith("{"):
        table = intune.graph_stream_table(path, data, encoding)
        fmt = detect_format(list(table.frame.columns))
        if fmt is None:
            raise _unknown_header(path, list(table.frame.columns))
        return table, _BY_NAME[fmt]
    lines = text.splitlines()
    preamble = 2 if len(lines) > 2 and lines[0].strip() == "OK" else 0
    header_line = lines[preamble] if len(lines) > preamble else ""
    header = next(csv.reader([header_line], delimiter=sniff_delimiter(header_line)), [])
    fmt = detect_format(header)
    if fmt is None:
        raise _unknown_header(path, header, preamble + 1)
    try:
        table = read_delimited(path, head)
    except InputError:
        raise
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not readable text (byte {exc.start}) — export as UTF-8 CSV", file=str(path)
        ) from None
    except ValueError as exc:  # pandas' ParserError is a ValueError
        raise InputError(
            f"cannot read as a table ({str(exc).strip()[:160]}) — a delimited file with one "
            "header row",
            file=str(path),
        ) from None
    return table, _BY_NAME[fmt]


def load_export(
    path: str | Path, timezone: str | None = None, date_order: str | None = None
) -> LoadedExport:
    """Read one export file, detecting its format from the file itself.

    Raises
    ------
    InputError
        Empty file, no recognisable header, no sessions, or a bad row (file and line named).
    """
    path = Path(path)
    table, fmt = _read_table(path, ReadOptions(timezone, date_order))
    if len(table.frame) == 0:
        raise InputError(
            "no sessions below the header — export a period with sessions", file=str(path)
        )
    return fmt.load(table, ReadOptions(timezone, date_order))


def load_exports(
    paths: Iterable[str | Path], timezone: str | None = None, date_order: str | None = None
) -> list[LoadedExport]:
    """Load several files (folders expanded); see :func:`load_export`."""
    files = expand_paths(paths)
    if not files:
        raise InputError("no pilot export files given — name files or a folder of exports")
    return [load_export(f, timezone, date_order) for f in files]
