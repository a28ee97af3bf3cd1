"""BeyondTrust Remote Support (formerly Bomgar) session reports.

``beyondtrust_xml``
    The reporting API's ``SupportSession`` report (``/api/reporting?generate_report=
    SupportSession``): ``session_list/session[@lsid]`` with ``start_time[@timestamp]``,
    ``end_time[@timestamp]``, ``duration``, ``jumpoint``, ``jump_group``, ``external_key``,
    ``primary_rep``, ``customer_list/customer`` (``username``, ``os``), in either namespace
    (``beyondtrust.com`` or the older ``bomgar.com``) and any encoding PowerShell saves (a UTF-8
    BOM, UTF-16).
``beyondtrust_csv``
    The same fields as CSV (``lsid, session_type, start_time, end_time, duration, primary_rep,
    customer_os, customer_username, external_key``, optional ``jumpoint, jump_group``).
``beyondtrust_login_csv``
    The /login "Support Sessions" report downloaded as CSV (``Session ID, Session Sequence
    Number, Started, Ended, Representative's Name, ..., Jumpoint, Jump Group, External Key,
    Customer's Name, ..., Session Type, ..., Additional Representatives, ...``), times like
    ``2026-11-24 09:00:00 EST``.

What rhmodel reads: a session that went through a Jump Client, Jumpoint or jump group is
unattended access to a machine (``session_type`` is documented as always ``support`` and says
nothing); ``external_key`` is where integrations such as ServiceNow write the ticket number, so
it is a reason only when it is one of the reason codes and otherwise a ticket reference; a
session no representative joined (the customer left the queue) is skipped and counted; a running
session's end may be absent, empty or ``timestamp="0"``. BeyondTrust licenses logged-in
representatives (concurrent); the session's technician is its primary representative, and its
invited representatives (``rep_list`` entries that are not the primary one; the /login report's
``Additional Representatives``) are counted as logged in for the whole session: the join time is
not known, so this is the conservative bound.
"""

from __future__ import annotations

import xml.parsers.expat
from pathlib import Path

import numpy as np
import pandas as pd

from rhmodel.edges.exports.frame import LoadedExport, finish
from rhmodel.edges.exports.table import Table, table_from_rows
from rhmodel.edges.exports.times import ReadOptions, end_or_duration, timestamps
from rhmodel.edges.exports.xmlreport import parse_located
from rhmodel.errors import InputError

__all__ = ["FORMATS", "license_usage_peak", "load_csv", "load_login_csv", "load_xml", "xml_table"]

FORMATS = (
    (
        "beyondtrust_login_csv",
        (("sessionid",), ("started",), ("ended",), ("representativesname",)),
        "BeyondTrust /login Support Sessions CSV: Session ID, Started, Ended, "
        "Representative's Name, ...",
    ),
    (
        "beyondtrust_csv",
        (
            ("lsid",),
            ("starttime",),
            ("endtime", "duration"),
            ("primaryrep", "repusername", "repdisplayname"),
        ),
        "BeyondTrust SupportSession: lsid, start_time, end_time, primary_rep, ...",
    ),
)

_JUMP = ("jumpoint", "jumpgroup", "jumpclient")


def _session_type(src: Table) -> pd.Series:
    """``unattended (jump)`` where a Jump Client / Jumpoint / jump group was used, else the
    session type as written (``support``: attended)."""
    jumped = np.zeros(len(src.frame), dtype=bool)
    for alias in _JUMP:
        if src.has(alias):
            jumped |= (src.col(alias) != "").to_numpy()
    written = src.col("sessiontype")
    written = written.where(written != "", "support")
    return written.where(~jumped, "unattended (jump)")


def _load(src: Table, opts: ReadOptions, fmt: str) -> LoadedExport:
    """The SupportSession fields, from the XML report or the same fields as CSV."""
    start = timestamps(src, src.col("starttime"), "start_time", opts)
    end = end_or_duration(src, start, opts, ("endtime",), ("duration",))
    rep = src.first_filled("primaryrep", "repusername", "repdisplayname")
    return finish(
        src,
        fmt,
        session_id=src.col("lsid"),
        tool="beyondtrust",
        start=start,
        end=end,
        technician=rep,
        reason=src.first_filled("externalkey", "reason"),
        session_type=_session_type(src),
        sharer=src.first_filled("customerusername", "username", "customeremail"),
        platform=src.col("customeros", "os"),
        others=src.col("others") if src.has("others") else None,
        device=src.first_filled("customerhostname", "hostname"),
        skip={"no representative joined": (rep == "").to_numpy()},
    )


def load_csv(src: Table, opts: ReadOptions) -> LoadedExport:
    return _load(src, opts, "beyondtrust_csv")


def load_login_csv(src: Table, opts: ReadOptions) -> LoadedExport:
    start = timestamps(src, src.col("started"), "Started", opts)
    end = end_or_duration(src, start, opts, ("ended",), ("representativestimeinvolved",))
    rep = src.col("representativesname")
    sequence = src.col("sessionsequencenumber")
    # one row per session sequence: a session handed on is one row per sequence number
    ids = src.col("sessionid").where(sequence == "", src.col("sessionid") + "#" + sequence)
    return finish(
        src,
        "beyondtrust_login_csv",
        session_id=ids,
        tool="beyondtrust",
        start=start,
        end=end,
        technician=rep,
        reason=src.col("externalkey"),
        session_type=_session_type(src),
        sharer=src.first_filled("customersemail", "customersname"),
        platform=src.col("customersos", "os"),
        others=src.col("additionalrepresentatives"),
        device=src.first_filled("customershostname", "hostname", "customersname"),
        skip={"no representative joined": (rep == "").to_numpy()},
    )


def xml_table(path: Path, data: bytes) -> Table:
    """Stream ``session_list/session`` elements with expat, keeping each one's line."""
    rows: list[dict[str, str]] = []
    stack: list[str] = []
    current: dict[str, str] | None = None
    rep: dict[str, str] = {}
    text: list[str] = []
    parser = xml.parsers.expat.ParserCreate()

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal current
        tag = tag.rsplit(":", 1)[-1].rsplit("}", 1)[-1]
        stack.append(tag)
        text.clear()
        if tag == "session" and len(stack) == 2:
            current = {"lsid": attrs.get("lsid", ""), "_line": str(parser.CurrentLineNumber)}
        elif current is not None and tag in ("start_time", "end_time") and len(stack) == 3:
            current[tag] = attrs.get("timestamp", "")
        elif current is not None and tag == "primary_rep" and len(stack) == 3:
            current["primary_rep_id"] = attrs.get("id", "")
        elif current is not None and tag == "representative" and "rep_list" in stack:
            rep.clear()

    def end(tag: str) -> None:
        nonlocal current
        tag = tag.rsplit(":", 1)[-1].rsplit("}", 1)[-1]
        value = "".join(text).strip()
        if current is not None:
            inside_customer = "customer" in stack
            if tag in ("session_type", "duration", "external_key") and len(stack) == 3:
                current[tag] = value
            elif tag in ("jumpoint", "jump_group") and len(stack) == 3:
                current[tag] = value or "yes"  # present at all: the session went through it
            elif tag == "primary_rep" and len(stack) == 3:
                current["primary_rep"] = value or current.get("primary_rep_id", "")
            elif "representative" in stack and tag in (
                "display_name",
                "username",
                "primary_rep",
                "invited",
            ):
                rep[tag] = value
            elif tag == "representative" and "rep_list" in stack:
                # every representative in a session is logged in; the primary one is counted
                # already, an invited one (primary_rep 0, or invited 1) is another licence
                if rep.get("primary_rep", "") not in ("1", "true") or rep.get("invited") == "1":
                    name = rep.get("username") or rep.get("display_name") or ""
                    if name:
                        current["others"] = ";".join(filter(None, [current.get("others"), name]))
            elif (tag in ("start_time", "end_time") and not current.get(tag)) or (
                inside_customer and tag in ("username", "os", "hostname") and tag not in current
            ):
                # a timestamp attribute wins over the element text; the first customer is
                # the primary one
                current[tag] = value
        if tag == "session" and len(stack) == 2 and current is not None:
            rows.append(current)
            current = None
        stack.pop()
        text.clear()

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text.append
    parse_located(parser, path, data, "a BeyondTrust SupportSession report")
    if not rows:
        raise InputError(
            "no <session> elements under <session_list> — a BeyondTrust "
            "SupportSession report (api/reporting?generate_report=SupportSession)",
            file=str(path),
        )
    header = sorted({k for r in rows for k in r if k != "_line"})
    return table_from_rows(
        path,
        header,
        [[r.get(k, "") for k in header] for r in rows],
        [int(r["_line"]) for r in rows],
    )


def load_xml(src: Table, opts: ReadOptions) -> LoadedExport:
    return _load(src, opts, "beyondtrust_xml")


def license_usage_peak(path: Path, data: bytes) -> int:
    """The most licences in use at once in a ``LicenseUsage`` report.

    The report (``generate_report=LicenseUsage``) is BeyondTrust's own concurrency measure: root
    ``license_usage``, then ``license_time_intervals/license_time_interval[@timestamp]`` with
    counts of logged-in representatives and licences in use. Its child element names are not
    public, so this reads, in each interval, every whole-number child: a name with ``licen`` and
    ``use`` (licences in use) wins, else one with ``representative`` (logged in). The peak is
    the largest such count.
    """
    in_use: list[int] = []
    logged_in: list[int] = []
    stack: list[str] = []
    text: list[str] = []
    parser = xml.parsers.expat.ParserCreate()

    def start(tag: str, attrs: dict[str, str]) -> None:
        stack.append(tag.rsplit(":", 1)[-1].rsplit("}", 1)[-1])
        text.clear()
        for name, value in attrs.items():  # counts may be attributes of the interval too
            _count(name.lower(), value)

    def _count(name: str, value: str) -> None:
        if not value.strip().isdigit():
            return
        if "licen" in name and "use" in name:
            in_use.append(int(value))
        elif "representative" in name or "logged" in name:
            logged_in.append(int(value))

    def end(_tag: str) -> None:
        tag = stack.pop()
        if any(s.endswith("interval") for s in stack):
            _count(tag.lower(), "".join(text))
        text.clear()

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text.append
    parse_located(parser, path, data, "a BeyondTrust LicenseUsage report")
    counts = in_use or logged_in
    if not counts:
        raise InputError(
            "no licence counts in any license_time_interval — a BeyondTrust LicenseUsage report "
            "(api/reporting?generate_report=LicenseUsage)",
            file=str(path),
        )
    return max(counts)
