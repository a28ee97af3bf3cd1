"""TeamViewer (Tensor, Remote) connection reports.

Three shapes, one mapping:

``teamviewer_json``
    The Web API's ``GET /api/v1/reports/connections`` response as saved: one page
    ``{"records": [...], "records_remaining": n, "next_offset": "..."}``, a list of such pages,
    pages written one after another (each response appended to the file), or a plain list of
    records. Keys the loader does not read (``_source``, ``fee``, ``feedback``, ...) are ignored;
    ``end_customer`` is flattened (``end_customer_email``). Rows are located by the line each
    record opens on; when records share lines (the API's minified body, one page a line), by
    the record's position in the file (record 1 = line 1, as for the Intune report stream).
    A last page that still says ``records_remaining`` > 0 is noted: the following pages were
    not saved.
``teamviewer_api_csv``
    The same fields as CSV: the API's names (``id, userid, username, devicename, start_date,
    end_date, support_session_type, ...``) or TeamViewerPS's (``Get-TeamViewerConnectionReport |
    Export-Csv``: ``Id, UserId, UserName, DeviceName, SupportSessionType, StartDate, EndDate,
    ...``), and the same re-saved by Excel (UTF-8 BOM, semicolons and Windows-1252, European
    dates). PowerShell writes its dates in the local time and culture of the machine that ran
    it, so times without an offset need the file's time zone (``--timezone``).
``teamviewer_csv``
    The connection report exported as CSV from the Management Console / Admin settings
    (``User, Device, Start, End, Duration, ...``). TeamViewer documents that the times in
    these exports are UTC, so times without an offset are read as UTC whatever time zone is
    given (a note says so when one is). It has no report id: one is made from the user,
    device and start, so the same connection in the API JSON and in this CSV would count
    twice; give one or the other for a period. Detected last: its header names are generic.

What rhmodel reads: ``id`` is the session id; the technician is ``userid`` (the account, stable
across renames), else ``username``; the person or machine helped (``sharer``) is
``end_customer.email`` when the service case has one, else ``devicename``, else
``deviceid``; ``support_session_type`` becomes the session type:

=====  ======================  ==================================  ===========================
value  name                    session type written                rhmodel reads it as
=====  ======================  ==================================  ===========================
1      RemoteConnection        ``remote connection (teamviewer     neither attended nor
                               id)``                               unattended (not known)
2      RemoteSupportActive     ``remote support (session code)``   attended
3      RemoteSupportActiveSdk  ``remote support sdk (session       attended
                               code)``
0      (not documented)        blank                               not known
=====  ======================  ==================================  ===========================

``notes`` (the session comment) is free text: it is a reason only when the whole comment is a
reason code (as a LogMeIn custom field or a BeyondTrust external key is), and otherwise not
read at all: a comment is not a ticket link. A record with no user at all is not a session a
technician of yours did: skipped and counted. The reports hold no operating system, so
``platform`` stays unknown. Meetings are not in this report: its session types have no meeting
value, and meetings have an API of their own (``/api/v1/meetings``), so there is nothing of
theirs to skip.

Sources (checked 2026-12-01)
----------------------------
- TeamViewer Web API OpenAPI document (``webapi.teamviewer.com``, as saved in the public repo
  ``panoramicdata/TeamViewer.Api``, ``Documentation/swagger-spec.json``): path
  ``/api/v1/reports/connections`` (operation ``Connections_Get``, tag "Connections
  Management"): "Reports are sorted by end date descending", "at most 1000 session reports"
  per call, ``offset_id`` is the id of the last record received; ``support_session_type``
  "valid values are "RemoteConnection" / "1" and "RemoteSupportActive" / "2" and
  "RemoteSupportActiveSdk" / "3""; schemas ``GetAllConnectionsResponse`` (``records``,
  ``records_remaining``, ``next_offset``) and ``GetConnectionResponse`` (``id`` uuid,
  ``userid``, ``username``, ``deviceid``, ``devicename``, ``groupid``, ``groupname``,
  ``support_session_type`` int enum 0-3, ``start_date``/``end_date`` date-time, ``fee``,
  ``currency``, ``billing_state``, ``notes``, ``contact_id``, ``session_code``,
  ``session_created_at``, ``valid_until``, ``assigned_userid``, ``assigned_at``,
  ``session_note``, ``custom_api``, ``end_customer`` {name, email}, ``feedback``
  {session_rating, user_comment}). High confidence for the field names, the paging fields and
  the values 1-3; 0 is in the enum but its meaning is not documented.
- TeamViewerPS, TeamViewer's PowerShell module (github.com/teamviewer/TeamViewerPS):
  ``Cmdlets/Public/Get-TeamViewerConnectionReport.ps1`` (pages with ``offset_id =
  next_offset`` until there is none), ``Cmdlets/Private/ConvertTo-TeamViewerConnectionReport.ps1``
  (the property names above, ``StartDate``/``EndDate`` parsed to local ``DateTime``),
  ``Cmdlets/TeamViewerPS.Types.ps1`` (enum ``RemoteConnection = 1, RemoteSupportActive = 2,
  RemoteSupportActiveSdk = 3``). High confidence. A copy of ConvertTo-TeamViewerConnectionReport
  in the public code index (repository not identified) names them ``User_Name, Device_Name,
  Session_Type, Datetime_Start, Datetime_End``: read too (medium).
- TeamViewer knowledge base, "Connection reports" (TeamViewer Remote, Security), read in its
  Spanish edition, https://www.teamviewer.com/es/global/support/knowledge-base/teamviewer-remote/
  security/connection-reports (quoted here in translation): outgoing connections are reported
  for ID, password and session-code connections; reports can be exported "to a CSV file";
  "the connection time shown in the exports is expressed in UTC". High confidence for UTC and
  CSV.
- TeamViewer knowledge base, "Create charge rates" (TeamViewer Classic),
  https://teamviewer.com/hu/global/support/knowledge-base/teamviewer-classic/remote-control/
  out-of-session-features/create-charge-rates: connection reports under each group and under
  the Service queue (session-code connections), exported with Export. Medium.

Not confirmed (say so before relying on it):

- the Management Console CSV's header names and date format are published nowhere found; the
  ``teamviewer_csv`` aliases (``User``/``Expert``, ``Device``/``Computer``, ``Start``/``Start
  time``, ``End``/``End time``, ``Duration``, ``Session type``, ``Notes``/``Comment``) are
  assumptions (low confidence): if a real export is not recognised, read it with a
  ``columns:`` mapping;
- what ``RemoteSupportActive`` (2) and ``...Sdk`` (3) mean beyond their names: read as
  session-code (service case) sessions, where the customer runs QuickSupport or an app with
  the SDK and joins, so someone is at the device (medium); ``RemoteConnection`` (1) is a
  connection by TeamViewer ID, attended or unattended: the report does not say;
- whether a record can lack its user, start or end: a record without a user is skipped, one
  without a start is an error, one without an end is read as still running;
- the API's "Date format" section was not read: ``date-time`` in the OpenAPI document is RFC
  3339 (an offset or ``Z``); a time without one is read as UTC.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pandas as pd

from rhmodel.core.products import REASON_CODES
from rhmodel.edges.exports.frame import LoadedExport, finish
from rhmodel.edges.exports.table import Table, json_values, table_from_rows
from rhmodel.edges.exports.times import ReadOptions, end_or_duration, timestamps
from rhmodel.errors import InputError

__all__ = [
    "FORMATS",
    "JSON_FORMAT",
    "TOOL",
    "json_table",
    "load_api_csv",
    "load_console_csv",
    "load_json",
    "looks_like_report",
]

#: The product id of the sessions read here.
TOOL = "teamviewer"

_START = ("startdate", "datetimestart")
_END = ("enddate", "datetimeend")
_USER = ("userid", "username")
_DEVICE = ("devicename", "deviceid")

FORMATS = (
    (
        "teamviewer_api_csv",
        (("id",), _START, _END, _USER, _DEVICE, ("supportsessiontype", "sessiontype")),
        "TeamViewer connection report fields as CSV (API or TeamViewerPS): Id, UserName, "
        "DeviceName, SupportSessionType, StartDate, EndDate, ...",
    ),
    (
        "teamviewer_csv",
        (
            ("user", "username", "expert", "supporter"),
            ("device", "computer", "devicename", "customerdevice", "targetdevice"),
            ("start", "starttime"),
            ("end", "endtime", "duration"),
        ),
        "TeamViewer Management Console connection report CSV: User, Device, Start, End, ...",
    ),
)
#: The Web API JSON, recognised from the file's first character and its ``records`` key.
JSON_FORMAT = (
    "teamviewer_json",
    (),
    "TeamViewer Web API GET /api/v1/reports/connections JSON (records, records_remaining)",
)

# support_session_type, by number or by TeamViewerPS's enum name (normalised), to the session
# type written: "support" reads as attended; "remote connection" says neither
_SESSION_TYPES = {
    "0": "",
    "1": "remote connection (teamviewer id)",
    "remoteconnection": "remote connection (teamviewer id)",
    "2": "remote support (session code)",
    "remotesupportactive": "remote support (session code)",
    "3": "remote support sdk (session code)",
    "remotesupportactivesdk": "remote support sdk (session code)",
}
_HINT = "a TeamViewer connection report (GET /api/v1/reports/connections)"
_REPORT_KEYS = re.compile(r'"(?:records|start_date|support_session_type|devicename)"\s*:')
# JSON strings whole (so nothing inside one counts), and the characters that give structure
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]\n]')


def looks_like_report(head: str) -> bool:
    """Whether JSON text starting with ``head`` is a TeamViewer connection report (a page, pages
    or records) rather than another JSON export.

    Examples
    --------
    >>> looks_like_report('{"records": [], "records_remaining": 0}')
    True
    >>> looks_like_report('{"TotalRowCount": 0, "Schema": [], "Values": []}')
    False
    """
    head = head.lstrip("\ufeff \t\r\n")
    return head.startswith("[") or bool(_REPORT_KEYS.search(head))


def json_table(path: Path, data: bytes, encoding: str) -> Table:
    """The connection report JSON as a Table: one row per record, in the file's order."""
    try:
        text = data.decode(encoding).lstrip("\ufeff")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not readable text (byte {exc.start}) — save the report as UTF-8 JSON",
            file=str(path),
        ) from None
    values = _decode_all(path, text)
    records: list[dict] = []
    pages: list[object] = []  # each page's records_remaining (None when it does not say)
    for value in values:
        if isinstance(value, dict) and "records" in value:
            records.extend(_page_records(path, value))
            pages.append(value.get("records_remaining"))
        elif isinstance(value, dict):
            records.append(value)
        elif isinstance(value, list) and all(isinstance(v, dict) and "records" in v for v in value):
            for page in value:
                records.extend(_page_records(path, page))
                pages.append(page.get("records_remaining"))
        elif isinstance(value, list) and all(
            isinstance(v, dict) and "records" not in v for v in value
        ):
            records.extend(value)
        else:
            raise InputError(
                'neither a page {"records": [...]} nor a list of records or pages — '
                f"{_HINT}, saved as it came",
                file=str(path),
            )
    lines = _record_lines(text, values, len(records))
    flat = [_flatten(r) for r in records]
    header: dict[str, None] = {}
    for row in flat:
        header.update(dict.fromkeys(row))
    table = table_from_rows(
        path, list(header), [[row.get(k, "") for k in header] for row in flat], lines
    )
    stated = [p for p in pages if isinstance(p, int) and not isinstance(p, bool)]
    if stated and min(stated) > 0:
        table.notes.append(
            f"{path.name}: the report says {min(stated):,} more records remain "
            "(records_remaining): save the following pages too (offset_id = next_offset)"
        )
    return table


def _decode_all(path: Path, text: str) -> list[object]:
    """Every JSON value in ``text``: one, or several written one after another."""
    return json_values(
        path,
        text,
        lambda exc: (
            f"not readable JSON ({exc.msg}, column {exc.colno}) — {_HINT}, saved as it came"
        ),
    )


def _page_records(path: Path, page: dict) -> list[dict]:
    records = page.get("records")
    if records is None:
        return []
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise InputError(
            f'"records" is not a list of records — {_HINT}, saved as it came', file=str(path)
        )
    return records


def _record_lines(text: str, values: list[object], count: int) -> list[int]:
    """The line each record opens on; positions (1, 2, ...) when records share lines."""
    opened: list[tuple[str, int]] = []  # (where, line) of objects that may be records
    stack: list[tuple[str, str | None]] = []
    line, last_string = 1, None
    for m in _TOKENS.finditer(text):
        tok = m.group()
        c = tok[0]
        if c == '"':
            last_string = tok
        elif c == "\n":
            line += 1
        elif c == "{":
            if not stack:
                opened.append(("top", line))
            elif stack[-1][0] == "[":
                if stack[-1][1] == '"records"':
                    opened.append(("records", line))
                elif len(stack) == 1:
                    opened.append(("element", line))
            stack.append(("{", None))
        elif c == "[":
            stack.append(("[", last_string if stack and stack[-1][0] == "{" else None))
        elif stack:
            stack.pop()
    lines: list[int] = []
    it = iter(opened)
    try:
        for value in values:
            if isinstance(value, dict):
                top = next(it)
                if "records" in value:
                    lines.extend(next(it)[1] for _ in value.get("records") or ())
                else:
                    lines.append(top[1])
            else:
                for element in value:  # type: ignore[union-attr]
                    first = next(it)
                    if "records" in element:
                        lines.extend(next(it)[1] for _ in element.get("records") or ())
                    else:
                        lines.append(first[1])
    except StopIteration:
        lines = []
    if len(lines) != count or len(set(lines)) != count:
        return list(range(1, count + 1))
    return lines


def _flatten(record: dict) -> dict[str, str]:
    """Scalars as text; a nested object's scalars as ``parent_child``; lists left out."""
    out: dict[str, str] = {}
    for key, value in record.items():
        if isinstance(value, dict):
            for sub, v in value.items():
                if not isinstance(v, (dict, list)):
                    out[f"{key}_{sub}"] = _text(v)
        elif not isinstance(value, list):
            out[str(key)] = _text(value)
    return out


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _session_types(values: pd.Series) -> pd.Series:
    """``support_session_type`` (a number, or TeamViewerPS's enum name) as a session type."""
    key = values.str.replace(r"[\s_\-]", "", regex=True).str.lower()
    return key.map(_SESSION_TYPES).where(key.isin(_SESSION_TYPES), values)


def _reason_codes(notes: pd.Series) -> pd.Series:
    """The comment when the whole of it is a reason code, else blank (a comment is no ticket)."""
    lowered = notes.str.strip().str.lower()
    return lowered.where(lowered.isin(REASON_CODES), "")


def _load(src: Table, fmt: str, read: ReadOptions, ids: pd.Series) -> LoadedExport:
    start = timestamps(src, src.col(*_START, "start", "starttime"), "start_date", read)
    end = end_or_duration(src, start, read, (*_END, "end", "endtime"), ("duration",))
    user = src.first_filled(*_USER, "user", "expert", "supporter")
    return finish(
        src,
        fmt,
        session_id=ids,
        tool=TOOL,
        start=start,
        end=end,
        technician=user,
        reason=_reason_codes(src.col("notes", "note", "comment", "comments")),
        session_type=_session_types(src.col("supportsessiontype", "sessiontype")),
        sharer=src.first_filled(
            "endcustomeremail",
            *_DEVICE,
            "device",
            "computer",
            "customerdevice",
            "targetdevice",
        ),
        device=src.first_filled(*_DEVICE, "device", "computer", "customerdevice", "targetdevice"),
        skip={"no TeamViewer user recorded": (user == "").to_numpy()},
    )


def load_json(src: Table, opts: ReadOptions) -> LoadedExport:
    """The Web API JSON: ``date-time`` values carry their offset; one without is UTC."""
    if not src.has(*_START):
        raise InputError(
            f"the records have no start_date — {_HINT}, saved as it came", file=str(src.path)
        )
    return _load(src, "teamviewer_json", ReadOptions("UTC", opts.date_order), src.col("id"))


def load_api_csv(src: Table, opts: ReadOptions) -> LoadedExport:
    """The API fields as CSV: local times (PowerShell's) need the file's time zone."""
    return _load(src, "teamviewer_api_csv", opts, src.col("id"))


def load_console_csv(src: Table, opts: ReadOptions) -> LoadedExport:
    """The Management Console / Admin settings CSV: times are UTC (TeamViewer documents it);
    no report id, so one is made from the user, device and start."""
    if opts.timezone not in (None, "UTC", "Etc/UTC"):
        src.notes.append(
            f"{src.path.name}: read in UTC, as TeamViewer documents for its CSV export "
            f"(the time zone given, {opts.timezone}, is not applied)"
        )
    read = ReadOptions("UTC", opts.date_order)
    if src.has("sessionid", "connectionid"):
        ids = src.col("sessionid", "connectionid")
    else:
        user = src.first_filled("user", "username", "expert", "supporter")
        device = src.first_filled("device", "computer", "devicename", "customerdevice")
        start = src.col("start", "starttime")
        key = user + "|" + device + "|" + start
        ids = key.map(lambda k: "tv-" + hashlib.sha1(k.encode()).hexdigest()[:16])
    loaded = _load(src, "teamviewer_csv", read, ids)
    notes = (
        f"{src.path.name}: read as TeamViewer's console CSV export, whose column names are not "
        "published: check the figures, or give a columns: mapping",
    )
    return LoadedExport(
        loaded.path,
        loaded.format,
        loaded.sessions,
        notes + loaded.notes,
        loaded.skipped,
        loaded.rows,
    )
