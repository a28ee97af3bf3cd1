"""Microsoft Intune Remote Help session exports.

``intune_graph``
    Graph ``remoteAssistanceReporting`` field names (``id, startDateTime, endDateTime,
    remoteAssistanceSessionType, helperEmail, sharerEmail, sharerOs, ...``) as CSV, or the
    Intune report stream JSON ``{"TotalRowCount", "Schema": [{"Column", "PropertyType"}],
    "Values": [[...], ...]}`` with the same names (any capitalisation). Times are UTC ISO 8601,
    sometimes with seven fractional digits.
``intune_export``
    The Graph export job ``RemoteAssistanceSessions`` (``POST /deviceManagement/reports/
    exportJobs`` with ``reportName: RemoteAssistanceSessions``; columns ``Attribute, Date,
    DateDifference, HelperDeviceAadId, HelperDeviceName, HelperEmail, HelperFirstName,
    HelperLastName, Sessionend, SessionId, Sessionstart, SharerDeviceAadId, SharerDeviceName,
    SharerDeviceOS, SharerDeviceSerialNumber, SharerEmail, SharerFirstName, SharerLastName``,
    MicrosoftDocs/memdocs ``reports-export-graph-available-reports.md``), as the CSV in the
    job's zip or as the report stream JSON. Its times carry no zone and are read as UTC (Graph
    reports are UTC; an Excel re-save keeps the value and may drop the seconds). ``SessionId`` is
    the identity that makes overlapping exports (Intune keeps about 30 days) count once.
``intune_admin``
    The Intune admin center's Remote Help sessions export (``Provider ID, Recipient ID,
    Recipient name, Device name, OS, Session start, Session end``): ``--`` stands for an empty
    value (a recipient on an Android dedicated device, a session still running), times are ISO
    8601 or the grid's ``11/24/2026, 9:05:12 AM``. It has no session id, so one is made from the
    provider, recipient, device and start.

Remote Help is the tool that replaces the incumbents: its sessions are never residual work.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd

from rhmodel.edges.exports.frame import LoadedExport, finish
from rhmodel.edges.exports.table import Table, table_from_rows
from rhmodel.edges.exports.times import ReadOptions, timestamps
from rhmodel.errors import InputError

__all__ = ["FORMATS", "graph_stream_table", "load_admin", "load_export_job", "load_graph"]

FORMATS = (
    (
        "intune_graph",
        (("id",), ("startdatetime",), ("enddatetime",), ("helperemail", "helperuserid")),
        "Graph remoteAssistanceReporting: id, startDateTime, endDateTime, helperEmail, ...",
    ),
    (
        "intune_export",
        (("sessionid",), ("sessionstart",), ("sessionend",), ("helperemail", "helperfirstname")),
        "Intune export job RemoteAssistanceSessions: SessionId, Sessionstart, Sessionend, "
        "HelperEmail, ...",
    ),
    (
        "intune_admin",
        (("providerid",), ("recipientid",), ("sessionstart",), ("sessionend",)),
        "Intune admin center: Provider ID, Recipient ID, Session start, Session end, ...",
    ),
)


def load_graph(src: Table, opts: ReadOptions) -> LoadedExport:
    start = timestamps(src, src.col("startdatetime"), "startDateTime", opts)
    end = timestamps(src, src.col("enddatetime"), "endDateTime", opts, required=False)
    return finish(
        src,
        "intune_graph",
        session_id=src.col("id"),
        tool="remote_help",
        start=start,
        end=end,
        technician=src.first_filled("helperemail", "helperuserid", "helperdevicename"),
        session_type=src.col("remoteassistancesessiontype"),
        sharer=src.col("shareremail"),
        platform=src.col("shareros", "sharerdeviceos"),
        device=src.first_filled(
            "sharerdevicename", "sharerdeviceaadid", "sharerdeviceserialnumber"
        ),
    )


def load_export_job(src: Table, opts: ReadOptions) -> LoadedExport:
    """Sessions of the ``RemoteAssistanceSessions`` export job (CSV or report stream)."""
    # Graph reports are UTC; a zone written in the value (an ISO offset) still wins
    utc = ReadOptions("UTC", opts.date_order)
    start = timestamps(src, src.col("sessionstart"), "Sessionstart", utc)
    end = timestamps(src, src.col("sessionend"), "Sessionend", utc, required=False)
    email = src.col("helperemail")
    name = (src.col("helperfirstname") + " " + src.col("helperlastname")).str.strip()
    return finish(
        src,
        "intune_export",
        session_id=src.col("sessionid"),
        tool="remote_help",
        start=start,
        end=end,
        technician=email.where(email != "", name),
        # one row shows the helper's e-mail and name together: one person
        aliases=[("email", email), ("name", name)],
        sharer=src.first_filled("shareremail"),
        platform=src.col("sharerdeviceos", "shareros"),
        device=src.first_filled(
            "sharerdevicename", "sharerdeviceaadid", "sharerdeviceserialnumber"
        ),
    )


def load_admin(src: Table, opts: ReadOptions) -> LoadedExport:
    start = timestamps(src, src.col("sessionstart"), "Session start", opts)
    end = timestamps(src, src.col("sessionend"), "Session end", opts, required=False)
    provider, recipient = src.col("providerid"), src.col("recipientid")
    device = src.col("devicename")
    # No session id in this export: the same session in two exports has the same provider,
    # recipient, device and start, so a hash of those identifies it.
    key = provider + "|" + recipient + "|" + device + "|" + pd.Series(start).astype(str)
    ids = key.map(lambda k: "admin-" + hashlib.sha1(k.encode()).hexdigest()[:16])
    return finish(
        src,
        "intune_admin",
        session_id=ids,
        tool="remote_help",
        start=start,
        end=end,
        technician=provider,
        sharer=recipient,
        platform=src.col("os"),
        device=device,
    )


def graph_stream_table(path: Path, data: bytes, encoding: str) -> Table:
    """The Intune report stream JSON as a Table (one row per ``Values`` entry)."""
    try:
        doc = json.loads(data.decode(encoding))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(
            f"not readable JSON ({type(exc).__name__}) — an Intune report stream "
            '{"Schema": [...], "Values": [...]}',
            file=str(path),
        ) from None
    schema = doc.get("Schema") if isinstance(doc, dict) else None
    values = doc.get("Values") if isinstance(doc, dict) else None
    if not isinstance(schema, list) or not isinstance(values, list):
        raise InputError(
            "no Schema and Values — an Intune report stream "
            '{"TotalRowCount", "Schema": [{"Column", "PropertyType"}], "Values": [[...]]}',
            file=str(path),
        )
    header = [str(c.get("Column", "")) if isinstance(c, dict) else "" for c in schema]
    rows = []
    for i, row in enumerate(values):
        if not isinstance(row, list) or len(row) != len(header):
            raise InputError(
                f"Values[{i}] has {len(row) if isinstance(row, list) else 'no'} entries, the "
                f"Schema {len(header)} — one entry per column",
                file=str(path),
            )
        rows.append(["" if v is None else str(v) for v in row])
    # JSON has no lines worth naming: a row is located by its position (Values[0] = row 1)
    return table_from_rows(path, header, rows, range(1, len(rows) + 1))
