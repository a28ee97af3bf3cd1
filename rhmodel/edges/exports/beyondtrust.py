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

import re
import xml.parsers.expat
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from rhmodel.core.pilot.identity import GROUP_SEP, ID_SEP
from rhmodel.edges.exports.frame import LoadedExport, finish
from rhmodel.edges.exports.table import Table, sniff_encoding, table_from_rows
from rhmodel.edges.exports.times import ReadOptions, end_or_duration, timestamps
from rhmodel.edges.exports.xmlreport import parse_located
from rhmodel.errors import InputError

__all__ = [
    "FORMATS",
    "LicenseUsage",
    "license_usage_peak",
    "listing_refusal",
    "load_csv",
    "load_login_csv",
    "load_xml",
    "read_license_usage",
    "xml_table",
]

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
        aliases=[
            ("id", src.col("primaryrepid")),
            ("name", src.col("repusername")),
            ("name", src.col("repdisplayname")),
            ("raw", src.col("primaryaliases")),
        ],
        other_aliases=_raw(src, "otheraliases"),
        device=src.first_filled("customerhostname", "hostname"),
        skip={"no representative joined": (rep == "").to_numpy()},
    )


def _raw(src: Table, alias: str) -> pd.Series | None:
    """A column the XML reader made, as it made it (no blank-word cleaning)."""
    return src.frame[src.columns[alias]].astype(object) if alias in src.columns else None


def load_csv(src: Table, opts: ReadOptions) -> LoadedExport:
    return _load(src, opts, "beyondtrust_csv")


def load_login_csv(src: Table, opts: ReadOptions) -> LoadedExport:
    start = timestamps(src, src.col("started"), "Started", opts)
    end = end_or_duration(src, start, opts, ("ended",), ("representativestimeinvolved",))
    rep = src.col("representativesname")
    # one row per session sequence: a session handed on is one row per sequence number, and
    # stays one session worked by each representative (merge_sessions folds the parts)
    ids = src.col("sessionid")
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
            rep["id"] = attrs.get("id", "")

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
                # already, an invited one (primary_rep 0, or invited 1) is another licence.
                # Each carries an id, a username and a display name: one person, three
                # spellings (the primary_rep element names them by display name).
                group = ID_SEP.join(
                    e
                    for e in (
                        f"id:beyondtrust:{rep.get('id', '')}" if rep.get("id") else "",
                        f"name:beyondtrust:{rep['username']}" if rep.get("username") else "",
                        f"name:beyondtrust:{rep['display_name']}"
                        if rep.get("display_name")
                        else "",
                    )
                    if e
                )
                if rep.get("primary_rep", "") not in ("1", "true") or rep.get("invited") == "1":
                    name = rep.get("username") or rep.get("display_name") or ""
                    if name:
                        current["others"] = ";".join(filter(None, [current.get("others"), name]))
                        current["other_aliases"] = GROUP_SEP.join(
                            filter(None, [current.get("other_aliases"), group])
                        )
                else:
                    current["primary_aliases"] = group
            elif (tag in ("start_time", "end_time") and not current.get(tag)) or (
                inside_customer and tag in ("username", "os", "hostname") and tag not in current
            ):
                # a timestamp attribute wins over the element text; the first customer is
                # the primary one
                current[tag] = value
        if tag == "session" and len(stack) == 2 and current is not None:
            own = current.get("primary_rep_id", "")
            if own and current.get("primary_aliases"):
                # the rep_list entry of the primary representative whose id is not the
                # primary_rep's own: the file contradicts itself, so its id links nobody
                current["primary_aliases"] = ID_SEP.join(
                    e
                    for e in current["primary_aliases"].split(ID_SEP)
                    if not e.startswith("id:") or e == f"id:beyondtrust:{own}"
                )
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


def listing_refusal(path: Path, data: bytes) -> InputError:
    """The error for a ``SupportSessionListing`` report: session ids without times.

    ``generate_report=SupportSessionListing`` answers ``session_summary_list/
    session_summary[@lsid]`` (with ``external_key``): which sessions there were, not when or by
    whom, so nothing can be sized from it. It names what to export instead.
    """
    text = data.decode(sniff_encoding(data[:4096]), errors="ignore")
    count = len(re.findall(r"<(?:\w+:)?session_summary[\s>/]", text))
    return InputError(
        f"this is a BeyondTrust SupportSessionListing: a list of {count:,} session ids with no "
        "times or representatives — export the SupportSession report for them "
        "(api/reporting?generate_report=SupportSession&lsids=<the lsids listed>, or "
        "&start_date=...&duration=... for the period) and give that file",
        file=str(path),
    )


@dataclass(frozen=True)
class LicenseUsage:
    """What a ``LicenseUsage`` report says.

    BeyondTrust adds a row (a ``license_time_interval``) only while at least 90% of the
    licences are in use; licences in use are the representatives logged in plus those in
    extended availability. So the rows' peak is the ground truth when there are rows, and no
    rows means "never above 90%", not zero.

    Attributes
    ----------
    peak : int or None
        The most licences in use in any row; ``None`` when the report has no rows.
    intervals : int
        Rows (intervals) in the report.
    licences : int or None
        The licence count the report states, when it states one.
    """

    peak: int | None
    intervals: int
    licences: int | None = None

    def note(self, name: str) -> str:
        """What the report says, in a line for the pilot's notes."""
        n = f"{self.licences:,} licences" if self.licences else "its licences"
        if self.peak is None:
            return (
                f"{name}: LicenseUsage has no rows: licences in use were never above 90% of "
                f"{n} in the period (BeyondTrust writes a row only above 90%); the pool is "
                "sized from the sessions"
            )
        return (
            f"{name}: LicenseUsage peaked at {self.peak:,} licences in use ({self.intervals:,} "
            f"intervals at or above 90% of {n}); where it is higher than the session-derived "
            "figure, it is the ground truth"
        )


_INTERVAL = re.compile(r"interval$")


def read_license_usage(path: Path, data: bytes) -> LicenseUsage:
    """Read a ``LicenseUsage`` report (``generate_report=LicenseUsage``).

    Root ``license_usage``, then ``license_time_intervals/license_time_interval[@timestamp]``.
    Its child element names are not public, so each interval's whole-number children (or
    attributes) are read by name: one with ``licen`` and ``use`` is the licences in use; else
    those with ``logged`` / ``representative`` (logged in) plus ``extended`` (in extended
    availability) add up to it. A count named like ``total_licenses`` / ``license_count``
    outside the intervals (or ``licenses`` alone) is the licence count.
    """
    intervals: list[dict[str, int]] = []
    top: dict[str, int] = {}
    stack: list[str] = []
    text: list[str] = []
    parser = xml.parsers.expat.ParserCreate()

    def bare(tag: str) -> str:
        return tag.rsplit(":", 1)[-1].rsplit("}", 1)[-1].lower()

    def record(name: str, value: str) -> None:
        value = value.strip()
        if not value.isdigit():
            return
        target = intervals[-1] if any(_INTERVAL.search(t) for t in stack) and intervals else top
        target[name] = int(value)

    def start(tag: str, attrs: dict[str, str]) -> None:
        tag = bare(tag)
        stack.append(tag)
        text.clear()
        if _INTERVAL.search(tag):
            intervals.append({})
        for name, value in attrs.items():
            if name.lower() not in ("timestamp", "start_time", "end_time"):
                record(name.lower(), value)

    def end(_tag: str) -> None:
        tag = stack[-1]
        if not _INTERVAL.search(tag):
            record(tag, "".join(text))
        stack.pop()
        text.clear()

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text.append
    parse_located(parser, path, data, "a BeyondTrust LicenseUsage report")
    peaks = []
    for counts in intervals:
        in_use = [v for k, v in counts.items() if "licen" in k and "use" in k]
        logged = [v for k, v in counts.items() if "logged" in k or "representative" in k]
        extended = [v for k, v in counts.items() if "extended" in k]
        if in_use:
            peaks.append(max(in_use))
        elif logged or extended:
            peaks.append(max(logged, default=0) + max(extended, default=0))
    if intervals and not peaks:
        raise InputError(
            "no licence counts in any license_time_interval — a BeyondTrust LicenseUsage report "
            "(api/reporting?generate_report=LicenseUsage)",
            file=str(path),
        )
    licences = next(
        (
            v
            for k, v in top.items()
            if "licen" in k
            and "use" not in k
            and ("total" in k or "count" in k or k in ("licenses", "licences"))
        ),
        None,
    )
    return LicenseUsage(max(peaks) if peaks else None, len(intervals), licences)


def license_usage_peak(path: Path, data: bytes) -> int | None:
    """The most licences in use at once in a ``LicenseUsage`` report, ``None`` when it has no
    rows (never above 90% of the licences): :func:`read_license_usage`."""
    return read_license_usage(path, data).peak
