"""The reason log the help desk keeps during the pilot: reading it, and the template to fill in.

None of the vendors' exports says *why* a session needed the incumbent. During the pilot the help
desk notes it: one row per session that stayed on LogMeIn or BeyondTrust, keyed by the session id
or by the ticket the session was linked to, with a reason code. ``rhmodel pilot-template`` writes
the log as a workbook (instructions, a drop-down of reason codes with their meaning, a protected
header); ``pilot.reasons`` (or ``rhmodel pool --reasons``) reads it back as CSV or XLSX.

Columns (header names match case- and space-insensitively): ``session_id`` and/or ``ticket``
(at least one per row), ``reason`` (a reason code), optional ``technician``, ``date``, ``note``.
Empty rows are skipped.

An ITSM export serves as the log through a ``pilot.reasons`` mapping
(:class:`~rhmodel.core.pilot.reason_sources.ReasonSource`): a ServiceNow list export (field
names as headers, ``number`` the ticket, choice fields written as their labels) or a Jira Service
Management CSV (``Issue key``, ``Custom field (...)``); its columns are renamed as the mapping
says and each label becomes a reason code through ``labels`` (an unmapped label is an error at
its row, with the closest label or code suggested); incidents with no reason are left out.

Examples
--------
>>> import tempfile, pathlib
>>> f = pathlib.Path(tempfile.mkdtemp()) / "log.csv"
>>> _ = f.write_text("session_id,ticket,reason,note\\n5002,,unattended,server patching\\n")
>>> [(e.session_id, e.reason, e.line) for e in read_reason_log([f])]
[('5002', 'unattended', 2)]
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from pathlib import Path

from rhmodel.core.pilot.identity import display_spelling
from rhmodel.core.pilot.reason_sources import ReasonSource, suggest
from rhmodel.core.pilot.sessions import ReasonEntry
from rhmodel.core.products import REASON_CODES
from rhmodel.core.text import excerpt
from rhmodel.edges.atomic import atomic_write_bytes
from rhmodel.edges.exports import pilot_path_problem
from rhmodel.edges.exports.table import norm, read_delimited
from rhmodel.errors import InputError

__all__ = ["REASON_MEANINGS", "read_reason_log", "write_template"]

#: What each reason code means, as the template explains it (seed §4.4's criteria).
REASON_MEANINGS: dict[str, str] = {
    "unattended": "unattended access: a server, kiosk or always-on machine with nobody at it "
    "(on a corporate x64 Windows PC Remote Help can do it: rhmodel checks the device inventory)",
    "external": "a customer, partner, vendor or unmanaged device outside our tenant",
    "recording": "the session had to be recorded in full (compliance)",
    "pam": "privileged access: credential vaulting, vendor-access governance",
    "platform": "an endpoint Remote Help does not support (Windows Server, Linux, iOS, ChromeOS, "
    "Android that is not a dedicated device)",
    "rmm": "RMM, patching or ticketing inside the support tool was needed",
    "other": "another reason the incumbent was needed (say which in the note)",
}
_COLUMNS = ("date", "session_id", "ticket", "technician", "reason", "note")


#: Bounds of a reason log: a help desk's log of a pilot is thousands of rows, never this.
MAX_BYTES = 50_000_000  # the file on disk
MAX_XLSX_UNCOMPRESSED = 200_000_000  # what an .xlsx holds once unzipped (a zip bomb is refused)
MAX_ROWS = 1_000_000
MAX_BLANK_ROWS = 1_000  # a sheet whose rows stay blank this long has ended (a stray far cell)
MAX_COLUMNS = 64


def read_reason_log(paths: Iterable[str | Path | ReasonSource]) -> tuple[ReasonEntry, ...]:
    """Read every reason log in ``paths`` (CSV in any encoding and delimiter, or XLSX), each a
    path or an ITSM export described by a :class:`~rhmodel.core.pilot.reason_sources.
    ReasonSource` (its ``path`` already resolved).

    Only a regular file is read (a FIFO or ``/dev/zero`` is refused, never opened), at most
    :data:`MAX_BYTES` on disk and, for a workbook, :data:`MAX_XLSX_UNCOMPRESSED` unzipped.
    """
    entries: list[ReasonEntry] = []
    for item in paths:
        source = item if isinstance(item, ReasonSource) else None
        path = Path(source.path) if source is not None else Path(item)  # type: ignore[arg-type]
        _check_file(path)
        xlsx = path.suffix.lower() in (".xlsx", ".xlsm")
        if source is not None:
            rows = _itsm_rows(path, source, xlsx)
        else:
            rows = _xlsx_rows(path) if xlsx else _csv_rows(path)
        entries.extend(_entries(path, rows))
    return tuple(entries)


def _itsm_rows(path: Path, source: ReasonSource, xlsx: bool) -> list[tuple[int, dict[str, str]]]:
    """An ITSM export's rows as reason-log rows: its columns renamed as ``source.columns``
    says, its reason labels turned into codes through ``source.labels``; rows with no reason
    (incidents that needed no incumbent) are left out."""
    raw = _xlsx_rows(path, any_header=True) if xlsx else _csv_rows(path, any_header=True)
    headers = list(raw[0][1]) if raw else []
    out = []
    wanted = {norm(field): norm(header) for field, header in source.columns}
    for field, header in wanted.items():
        if header not in headers and raw:  # an export with no rows has nothing to map
            names = [h for h in headers if h]
            raise InputError(
                f"no column {dict(source.columns)[_field_of(field)]!r} for {_field_of(field)}"
                f"{suggest(header, names)} — the {source.format} export's header names "
                "(pilot.reasons columns)",
                file=str(path),
                line=1,
            )
    for line, row in raw:
        mapped = {field: row.get(header, "") for field, header in wanted.items()}
        label = mapped.get("reason", "")
        code = source.code_of(label)
        if code == "":
            continue  # an incident that needed no incumbent
        if code is None:
            known = [lab for lab, _ in source.labels] + list(REASON_CODES)
            raise InputError(
                f"reason label {excerpt(label)} has no reason code{suggest(label, known)} — map "
                "it in pilot.reasons labels: {label: code}, codes: " + ", ".join(REASON_CODES),
                file=str(path),
                line=line,
            )
        mapped["reason"] = code
        out.append((line, mapped))
    return out


def _field_of(normed: str) -> str:
    return {"sessionid": "session_id"}.get(normed, normed)


def _check_file(path: Path) -> None:
    problem = pilot_path_problem(path)
    if problem is None and path.is_dir():
        problem = "is a folder"
    if problem:
        raise InputError(f"{problem} — a reason log: a CSV or XLSX file", file=str(path))
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise InputError(
            f"is too large for a reason log ({size:,} bytes) — accepted: up to {MAX_BYTES:,}",
            file=str(path),
        )


def _csv_rows(path: Path, any_header: bool = False) -> list[tuple[int, dict[str, str]]]:
    try:
        with path.open("rb") as fh:
            head = fh.read(65536)
    except OSError as exc:
        raise InputError(
            f"cannot read ({exc.strerror}) — a reason log CSV", file=str(path)
        ) from None
    table = read_delimited(path, head)
    names = {norm(c): c for c in table.frame.columns}
    if not any_header and ("reason" not in names or not ({"sessionid", "ticket"} & set(names))):
        raise InputError(
            "not a reason log: its header needs a reason column and a session_id or ticket "
            "column — the columns of rhmodel pilot-template",
            file=str(path),
            line=1,
        )
    return [
        (int(line), {n: str(row[c]).strip() for n, c in names.items()})
        for line, (_, row) in zip(table.lines, table.frame.iterrows(), strict=True)
    ]


def _xlsx_rows(path: Path, any_header: bool = False) -> list[tuple[int, dict[str, str]]]:
    import openpyxl

    try:
        with zipfile.ZipFile(path) as z:
            unzipped = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError):
        unzipped = 0  # openpyxl names what is wrong with it below
    if unzipped > MAX_XLSX_UNCOMPRESSED:
        raise InputError(
            f"unzips to {unzipped:,} bytes, too large for a reason log — accepted: up to "
            f"{MAX_XLSX_UNCOMPRESSED:,} (the workbook rhmodel pilot-template writes)",
            file=str(path),
        )
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        raise InputError(
            f"not a readable workbook ({type(exc).__name__}) — the .xlsx rhmodel pilot-template "
            "writes, or a CSV",
            file=str(path),
        ) from None
    sheet = book["Reason log"] if "Reason log" in book.sheetnames else book.worksheets[0]
    # the sheet's own dimension is not trusted: one stray cell at XFD1048576 would make every
    # row a million cells wide and the sheet a million rows long
    sheet.reset_dimensions()
    out: list[tuple[int, dict[str, str]]] = []
    header: list[str] | None = None
    blank = 0
    for number, values in enumerate(
        sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1
    ):
        if number > MAX_ROWS:
            raise InputError(
                f"has more than {MAX_ROWS:,} rows — a reason log of the pilot's sessions",
                file=str(path),
            )
        cells = ["" if v is None else str(v).strip() for v in values]
        blank = blank + 1 if not any(cells) else 0
        if blank > MAX_BLANK_ROWS:
            break  # past the last row anyone typed
        if header is None:
            if (any_header and any(cells)) or "reason" in {norm(c) for c in cells}:
                header = [norm(c) for c in cells]
            continue
        out.append((number, dict(zip(header, cells, strict=False))))
    book.close()
    if header is None:
        raise InputError(
            "no header row with a reason column — the sheet 'Reason log' of rhmodel pilot-template",
            file=str(path),
        )
    return out


def _entries(path: Path, rows: list[tuple[int, dict[str, str]]]) -> list[ReasonEntry]:
    out = []
    for line, row in rows:
        sid, ticket = row.get("sessionid", ""), row.get("ticket", "")
        reason = row.get("reason", "").strip().lower()
        if not (sid or ticket or reason):
            continue  # an empty row of the template
        if reason not in REASON_CODES:
            raise InputError(
                f"unknown reason code ({excerpt(reason)}) — accepted: {', '.join(REASON_CODES)}",
                file=str(path),
                line=line,
            )
        if not (sid or ticket):
            raise InputError(
                "no session_id and no ticket — which session the reason is for",
                file=str(path),
                line=line,
            )
        out.append(
            ReasonEntry(
                sid,
                ticket,
                reason,
                # the one technician resolver's spelling, as the sessions' technicians are
                display_spelling(row.get("technician", "")),
                row.get("note", ""),
                str(path),
                line,
            )
        )
    return out


def write_template(path: str | Path, rows: int = 500) -> None:
    """Write the reason-log workbook the help desk fills in during the pilot.

    Sheets: *Instructions* (what to log and why, the reason codes and their meaning) and
    *Reason log* (a protected header row; ``rows`` empty rows with a drop-down of reason codes).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    info = book.active
    info.title = "Instructions"
    lines = [
        "Reason log for the Remote Help pilot",
        "",
        "Log every session you had to run on LogMeIn or BeyondTrust instead of Remote Help.",
        "One row per session: its session id (from the tool) or the ticket it was linked to,",
        "and the reason code that says why Remote Help could not do it. rhmodel matches the rows",
        "to the tools' exports; sessions nobody can explain are listed to chase before renewal.",
        "",
        "Reason codes:",
    ]
    for i, text in enumerate(lines, start=1):
        info.cell(row=i, column=1, value=text)
    info["A1"].font = Font(bold=True, size=13)
    for i, (code, meaning) in enumerate(REASON_MEANINGS.items(), start=len(lines) + 1):
        info.cell(row=i, column=1, value=code).font = Font(bold=True)
        info.cell(row=i, column=2, value=meaning)
    info.column_dimensions["A"].width = 14
    info.column_dimensions["B"].width = 90

    log = book.create_sheet("Reason log")
    for col, name in enumerate(_COLUMNS, start=1):
        cell = log.cell(row=1, column=col, value=name)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E79")
    for col, width in zip("ABCDEF", (12, 16, 16, 24, 14, 50), strict=True):
        log.column_dimensions[col].width = width
    choice = DataValidation(
        type="list",
        formula1='"' + ",".join(REASON_CODES) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Reason code",
        error="Pick one of the reason codes (see the Instructions sheet).",
    )
    log.add_data_validation(choice)
    choice.add(f"E2:E{rows + 1}")
    dates = DataValidation(type="date", operator="greaterThan", formula1="36526", allow_blank=True)
    log.add_data_validation(dates)
    dates.add(f"A2:A{rows + 1}")
    for r in range(2, rows + 2):  # the rows to fill stay editable; the header is protected
        for c in range(1, len(_COLUMNS) + 1):
            log.cell(row=r, column=c).protection = Protection(locked=False)
        log.cell(row=r, column=1).number_format = "yyyy-mm-dd"
    log.protection.sheet = True
    log.protection.formatRows = False
    log.protection.formatColumns = False
    log.protection.sort = False
    log.protection.autoFilter = False
    log.freeze_panes = "A2"
    book.active = 1
    import io

    buf = io.BytesIO()
    book.save(buf)
    atomic_write_bytes(Path(path), buf.getvalue())
