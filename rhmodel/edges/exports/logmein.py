"""LogMeIn Rescue / LogMeIn Resolve session reports.

One format, ``logmein_csv``, in every shape the report comes in: the Rescue API's
``getReport_v2`` text output (an ``OK`` status line, a blank line, then pipe-delimited columns),
its XML output (``<report><header><field id="0">Start Time</field>...</header><data><row>
<field id="0">...</field>...</row></data></report>``), the report as CSV or TSV, and the same
file re-saved by Excel (UTF-8 with a BOM, or a European Excel's semicolons and Windows-1252,
with ``11/24/2026 9:00`` or ``24.11.2026 09:00`` times).

Read: ``Session ID``; ``Start Time``; ``End Time`` (or ``Total Time`` from the start); the
technician as the first non-empty of ``Technician Email``, ``Technician ID``, ``Technician
Name`` (per row: Rescue leaves the e-mail blank for some technicians); ``Session Type``
(``Unattended`` is unattended work; ``PIN Code``, ``Link``, ``Calling Card`` are attended);
``Platform``; the customer's e-mail where there is one. A reason code may be in ``Reason`` or a
custom field (``Custom field 1``–``5``): a value there that is not a reason code is a ticket
reference. Rows no technician picked up (a customer who left the queue) are skipped and
counted. LogMeIn licenses named technicians (agents).
"""

from __future__ import annotations

import xml.parsers.expat
from pathlib import Path

import numpy as np

from rhmodel.edges.exports.frame import LoadedExport, finish
from rhmodel.edges.exports.table import Table, table_from_rows
from rhmodel.edges.exports.times import ReadOptions, end_or_duration, timestamps
from rhmodel.edges.exports.xmlreport import parse_located

__all__ = ["FORMAT", "load", "rescue_xml_table"]

FORMAT = (
    "logmein_csv",
    (
        ("sessionid",),
        ("starttime",),
        ("endtime", "totaltime"),
        ("technicianemail", "technicianid", "technicianname"),
    ),
    "LogMeIn Rescue/Resolve session report: Session ID, Start Time, End Time, Technician Name, ...",
)

_TECHNICIAN = ("technicianemail", "technicianid", "technicianname")
_REASON = (
    "reason",
    "rhreason",
    "customfield",
    "customfield1",
    "customfield2",
    "customfield3",
    "customfield4",
    "customfield5",
)


def load(src: Table, opts: ReadOptions) -> LoadedExport:
    start = timestamps(src, src.col("starttime"), "start_time", opts)
    end = end_or_duration(src, start, opts, ("endtime",), ("totaltime",))
    technician = src.first_filled(*_TECHNICIAN)
    return finish(
        src,
        "logmein_csv",
        session_id=src.col("sessionid"),
        tool="logmein_resolve",
        start=start,
        end=end,
        technician=technician,
        # the row's e-mail, id and name are one person (the e-mail is blank on some rows)
        aliases=[
            ("email", src.col("technicianemail")),
            ("id", src.col("technicianid")),
            ("name", src.col("technicianname")),
        ],
        reason=src.first_filled(*_REASON),
        session_type=src.col("sessiontype"),
        sharer=src.first_filled("customeremail", "enduseremail", "email"),
        platform=src.col("platform", "os"),
        # not a documented Rescue column: a re-saved report or a custom field may carry it
        device=src.first_filled("computername", "hostname", "devicename", "unattendedmachinename"),
        skip={"no technician picked it up": (technician == "").to_numpy()},
    )


def rescue_xml_table(path: Path, data: bytes) -> Table:
    """The Rescue API's XML report output as a Table (header fields, then data rows)."""
    header: dict[int, str] = {}
    rows: list[dict[int, str]] = []
    lines: list[int] = []
    stack: list[str] = []
    text: list[str] = []
    field_id: list[int] = []
    parser = xml.parsers.expat.ParserCreate()

    def start(tag: str, attrs: dict[str, str]) -> None:
        stack.append(tag)
        text.clear()
        if tag == "row":
            rows.append({})
            lines.append(parser.CurrentLineNumber)
        elif tag == "field":
            try:
                field_id.append(int(attrs.get("id", len(header) if "header" in stack else 0)))
            except ValueError:
                field_id.append(-1)

    def end(tag: str) -> None:
        if tag == "field" and field_id:
            fid, value = field_id.pop(), "".join(text).strip()
            if "header" in stack:
                header[fid] = value
            elif rows:
                rows[-1][fid] = value
        stack.pop()
        text.clear()

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text.append
    parse_located(parser, path, data, "a LogMeIn Rescue report (getReport_v2 with XML output)")
    ids = sorted(header)
    table = table_from_rows(
        path, [header[i] for i in ids], [[r.get(i, "") for i in ids] for r in rows], lines
    )
    table.lines = table.lines.astype(np.int64)
    return table
