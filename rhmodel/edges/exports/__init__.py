"""Loaders for pilot session exports, one module per vendor, detected from the file itself.

Supported, several files at once (a folder stands for the files in it):

- :mod:`~rhmodel.edges.exports.canonical`: rhmodel's own session CSV;
- :mod:`~rhmodel.edges.exports.intune`: the Graph export job ``RemoteAssistanceSessions`` (CSV
  or report stream), the Intune admin center's export, Graph ``remoteAssistanceReporting``
  fields as CSV, and the Intune report stream JSON;
- :mod:`~rhmodel.edges.exports.gotoassist`: the GoToAssist Remote Support API's sessions (the
  LogMeIn Resolve family's documented evidence) as JSON, PowerShell UTF-16 JSON or
  ``Export-Csv``;
- :mod:`~rhmodel.edges.exports.logmein`: the LogMeIn Rescue / Resolve session report as CSV,
  TSV, pipe-delimited ``getReport_v2`` text, its XML output, and Excel re-saves;
- :mod:`~rhmodel.edges.exports.beyondtrust`: BeyondTrust's ``SupportSession`` report (XML or
  CSV), the /login "Support Sessions" CSV and the ``LicenseUsage`` report; a
  ``SupportSessionListing`` (ids only) is refused with what to export instead;
- :mod:`~rhmodel.edges.exports.teamviewer`: TeamViewer's connection report: the Web API
  ``GET /api/v1/reports/connections`` JSON (a page, pages or records), the same fields as CSV
  (TeamViewerPS), and the Management Console CSV export.

How a file is read (:mod:`~rhmodel.edges.exports.table`): the encoding from its bytes (UTF-8 with
or without a BOM, UTF-16, else Windows-1252), the delimiter from its header (comma, semicolon,
tab, pipe), XML and JSON from their first character; a PowerShell ``#TYPE ...`` first line or
Rescue's ``OK`` status lines before the header are skipped (the header keeps its line
number). Header names match case-, space-, dash-, underscore- and apostrophe-insensitively.
Times (:mod:`~rhmodel.edges.exports.times`): ISO 8601, zone abbreviations, locale forms with
the day/month order from the file or ``date_order``, Unix seconds or milliseconds. ``--``,
``N/A`` and blanks are empty. Rows that are not sessions (no technician joined) are skipped and
counted; a malformed row is an :class:`~rhmodel.errors.InputError` naming the file and the line
as an editor shows it (the header is line 1), and nothing of that file is loaded.
"""

from __future__ import annotations

import csv
import stat
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from rhmodel.edges.exports import (
    beyondtrust,
    canonical,
    gotoassist,
    intune,
    logmein,
    mapped,
    teamviewer,
)
from rhmodel.edges.exports.frame import LoadedExport, same_person
from rhmodel.edges.exports.table import (
    Table,
    norm,
    preamble_lines,
    read_delimited,
    sniff_delimiter,
    sniff_encoding,
)
from rhmodel.edges.exports.times import ReadOptions
from rhmodel.errors import InputError

__all__ = [
    "FORMATS",
    "ExportSpec",
    "LoadedExport",
    "ReadOptions",
    "detect_format",
    "expand_specs",
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
    _format(intune.FORMATS[1], intune.load_export_job),
    _format(intune.FORMATS[2], intune.load_admin),
    _format(gotoassist.FORMAT, gotoassist.load),
    _format(beyondtrust.FORMATS[0], beyondtrust.load_login_csv),
    _format(beyondtrust.FORMATS[1], beyondtrust.load_csv),
    _format(teamviewer.FORMATS[0], teamviewer.load_api_csv),
    _format(logmein.FORMAT, logmein.load),
    # generic header names (User, Device, Start, End): last
    _format(teamviewer.FORMATS[1], teamviewer.load_console_csv),
)
_BY_NAME = {f.name: f for f in FORMATS}
#: Every format name a pilot.files entry may give (``format: ...``).
FORMAT_NAMES: tuple[str, ...] = (*_BY_NAME, "beyondtrust_xml", "teamviewer_json", "mapped")


@dataclass(frozen=True)
class ExportSpec:
    """An export (or a folder of them) and how to read it, from a ``pilot.files`` entry.

    ``format`` forces a layout instead of detecting it; ``timezone`` and ``date_order`` apply to
    this file only; ``columns`` maps session fields to the file's headers (the ``mapped``
    layout, :mod:`rhmodel.edges.exports.mapped`).
    """

    path: Path
    format: str | None = None
    timezone: str | None = None
    date_order: str | None = None
    columns: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, entry: str | Path | dict, base: Path = Path(".")) -> ExportSpec:
        """From a path or a pilot.files mapping (paths relative to ``base``)."""
        if isinstance(entry, dict):
            return cls(
                base / entry["path"],
                entry.get("format"),
                entry.get("timezone"),
                entry.get("date_order"),
                tuple(sorted((entry.get("columns") or {}).items())),
            )
        return cls(base / entry)


def expand_specs(paths: Iterable[str | Path | ExportSpec]) -> list[ExportSpec]:
    """The files named, each folder replaced by the files in it (sorted, hidden skipped), each
    keeping its entry's reading options."""
    out: list[ExportSpec] = []
    for item in paths:
        spec = item if isinstance(item, ExportSpec) else ExportSpec(Path(item))
        p = spec.path
        problem = pilot_path_problem(p)
        if problem:
            raise InputError(
                f"{problem} — give pilot export files or a folder of them", file=str(p)
            )
        if p.is_dir():
            files = sorted(f for f in p.iterdir() if f.is_file() and not f.name.startswith("."))
            out.extend(replace(spec, path=f) for f in files)
        else:
            out.append(spec)
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
    # the canonical layout in full; the vendors' by what each export is called (their columns
    # are in the README's export table): one line a person can read, whatever the list grows to
    kinds = "; ".join(
        f"canonical ({f.description})"
        if f.name == "canonical"
        else f"{f.name} ({f.description.split(':')[0]})"
        for f in FORMATS
    )
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
            data = head + fh.read() if text[:1] in ("<", "{", "[") else b""
    except OSError as exc:
        raise InputError(
            f"cannot read ({exc.strerror}) — check the path and permissions", file=str(path)
        ) from None
    if not text.strip():
        raise InputError(
            "empty file — a pilot export with a header row and sessions", file=str(path)
        )
    if text.startswith("<"):
        if "<session_summary_list" in text[:4000]:
            raise beyondtrust.listing_refusal(path, data)
        if "<report" in text[:2000] and "<session_list" not in text[:2000]:
            table = logmein.rescue_xml_table(path, data)
            fmt = detect_format(list(table.frame.columns))
            if fmt is None:
                raise _unknown_header(path, list(table.frame.columns))
            return table, _BY_NAME[fmt]
        return beyondtrust.xml_table(path, data), Format(
            "beyondtrust_xml", (), "BeyondTrust SupportSession XML", beyondtrust.load_xml
        )
    if text.startswith(("{", "[")) and gotoassist.looks_like_sessions(text):
        return gotoassist.json_table(path, data, encoding), _BY_NAME["gotoassist"]
    if text.startswith(("{", "[")) and teamviewer.looks_like_report(text):
        return teamviewer.json_table(path, data, encoding), _format(
            teamviewer.JSON_FORMAT, teamviewer.load_json
        )
    if text.startswith("{"):
        table = intune.graph_stream_table(path, data, encoding)
        fmt = detect_format(list(table.frame.columns))
        if fmt is None:
            raise _unknown_header(path, list(table.frame.columns))
        return table, _BY_NAME[fmt]
    lines = text.splitlines()
    preamble = preamble_lines(lines)
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
    path: str | Path,
    timezone: str | None = None,
    date_order: str | None = None,
    *,
    format: str | None = None,
    columns: dict[str, str] | None = None,
) -> LoadedExport:
    """Read one export file, detecting its layout from the file itself (or as ``format`` and
    ``columns`` say).

    Raises
    ------
    InputError
        Empty file, no recognisable header, no sessions, or a bad row (file and line named).
    """
    path = Path(path)
    opts = ReadOptions(timezone, date_order)
    if columns or format == "mapped":
        table = _plain_table(path)
        literals = mapped.apply_mapping(table, dict(columns or {}))
        if len(table.frame) == 0:
            raise InputError(
                "no sessions below the header — export a period with sessions", file=str(path)
            )
        return mapped.load(table, opts, literals)
    usage = _license_usage(path)
    if usage is not None:
        return usage
    inventory = _device_inventory(path)
    if inventory is not None:
        return inventory
    table, fmt = _read_table(path, opts)
    if format is not None and format != fmt.name:
        forced = _BY_NAME.get(format)
        if forced is None or not _has_columns(table, forced):
            raise InputError(
                f"is not the {format} layout (it reads as {fmt.name}) — remove format: or give "
                "columns: for a layout of its own",
                file=str(path),
            )
        fmt = forced
    if len(table.frame) == 0:
        raise InputError(
            "no sessions below the header — export a period with sessions", file=str(path)
        )
    return fmt.load(table, opts)


def _license_usage(path: Path) -> LoadedExport | None:
    """A BeyondTrust LicenseUsage report (no sessions, a licence peak), or ``None``."""
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
            text = head.decode(sniff_encoding(head), errors="ignore")
            if "<license_usage" not in text:
                return None
            data = head + fh.read()
    except OSError:
        return None  # the general reader reports it
    from rhmodel.core.pilot.sessions import COLUMNS

    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    usage = beyondtrust.read_license_usage(path, data)
    return LoadedExport(
        str(path),
        "beyondtrust_license_usage",
        empty,
        notes=(usage.note(path.name),),
        rows=usage.intervals,
        license_usage_peak=usage.peak,
        license_usage=usage,
    )


#: Header names that make a CSV the Intune admin center's device export (Devices > All devices >
#: Export, the DevicesWithInventory columns), not a session export.
_DEVICE_HEADER = ("devicename", "serialnumber", "ownership", "managedby", "jointype", "os")


def _device_inventory(path: Path) -> LoadedExport | None:
    """The Intune device export found among the pilot's exports (a folder holding it), or
    ``None``: it carries devices, not sessions (:mod:`rhmodel.edges.devices`)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(8192)
    except OSError:
        return None  # the general reader reports it
    text = head.decode(sniff_encoding(head), errors="ignore").lstrip("\ufeff \t\r\n\x00")
    if text[:1] in ("<", "{", "["):
        return None
    lines = text.splitlines()
    first = lines[preamble_lines(lines)] if lines else ""
    names = {norm(h) for h in next(csv.reader([first], delimiter=sniff_delimiter(first)), [])}
    if "devicename" not in names or sum(h in names for h in _DEVICE_HEADER) < 4:
        return None
    if detect_format(list(names)) is not None:
        return None  # a session export that happens to name devices
    from rhmodel.core.pilot.sessions import COLUMNS
    from rhmodel.edges.devices import read_devices

    devices = read_devices([path]).devices
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    return LoadedExport(str(path), "intune_devices", empty, rows=len(devices), devices=devices)


def _has_columns(table: Table, fmt: Format) -> bool:
    return all(any(a in table.columns for a in aliases) for aliases in fmt.required)


def _plain_table(path: Path) -> Table:
    """A delimited file of any header, for a column mapping."""
    try:
        with path.open("rb") as fh:
            head = fh.read(65536)
    except OSError as exc:
        raise InputError(
            f"cannot read ({exc.strerror}) — check the path and permissions", file=str(path)
        ) from None
    if not head.strip():
        raise InputError("empty file — an export with a header row and sessions", file=str(path))
    return read_delimited(path, head)


def load_exports(
    paths: Iterable[str | Path | ExportSpec],
    timezone: str | None = None,
    date_order: str | None = None,
) -> list[LoadedExport]:
    """Load several files (folders expanded); an :class:`ExportSpec`'s own options win over
    ``timezone`` and ``date_order``. See :func:`load_export`."""
    specs = expand_specs(paths)
    if not specs:
        raise InputError("no pilot export files given — name files or a folder of exports")
    return [
        load_export(
            s.path,
            s.timezone or timezone,
            s.date_order or date_order,
            format=s.format,
            columns=dict(s.columns) or None,
        )
        for s in specs
    ]
