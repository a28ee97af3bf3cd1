"""Loaders for pilot session exports, detected from their headers.

Supported, several files at once (a directory stands for the files in it):

``canonical``
    CSV ``session_id, tool, start, end, technician, reason`` (``duration`` instead of ``end`` is
    accepted). ``tool``: ``remote_help`` | ``logmein_resolve`` | ``beyondtrust``; ``reason``
    (blank for Remote Help) one of ``unattended, external, recording, pam, platform, rmm,
    other``. Extra columns are allowed and ignored.
``intune_graph``
    Intune Remote Help session report with the Graph ``getRemoteAssistanceSessionsReport``
    field names (``id, startDateTime, endDateTime, remoteAssistanceSessionType, helperEmail,
    sharerEmail, sharerOs, ...``), as CSV.
``intune_admin``
    The Intune admin center's Remote Help sessions export (``Provider ID, Recipient ID,
    Recipient name, Device name, OS, Session start, Session end``). It has no session id, so
    one is made from the provider, recipient, device and start.
``beyondtrust_xml`` / ``beyondtrust_csv``
    BeyondTrust Remote Support ``SupportSession`` reports: the reporting API's XML
    (``session_list/session[@lsid]`` with ``start_time[@timestamp]``...) or a CSV with the same
    fields (``lsid, session_type, start_time, end_time, duration, primary_rep, customer_os,
    customer_username, external_key``). A reason code in ``external_key`` tags a residual
    session.
``logmein_csv``
    LogMeIn Resolve / Rescue-style session history (``session_id, start_time, end_time,
    technician_name | technician_id | technician_email, session_type, platform, total_time``;
    an optional ``reason`` custom field).

Header names match case-, space-, dash- and underscore-insensitively. Timestamps are ISO 8601
with an offset or ``Z``, or Unix epochs; timestamps without a time zone are refused unless a
time zone is given. Durations are ``hh:mm:ss`` or seconds.

Every bad row is an :class:`~rhmodel.errors.InputError` naming the file and the line as an
editor shows it (the header is line 1).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import stat
import warnings
import xml.parsers.expat
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from rhmodel.core.pilot.sessions import COLUMNS, OPEN, check_reasons, normalise_platform
from rhmodel.core.products import PRODUCTS
from rhmodel.core.text import excerpt
from rhmodel.errors import InputError

__all__ = [
    "FORMATS",
    "LoadedExport",
    "detect_format",
    "expand_paths",
    "load_export",
    "load_exports",
    "pilot_path_problem",
    "same_person",
]


#: Timestamps a pilot can have: 2000-01-01 to 2100-01-01 UTC, in Unix seconds.
EARLIEST, LATEST = 946_684_800, 4_102_444_800
#: The longest session believed: a week (an unattended session left open longer is a data
#: error the help desk should look at, not a licence held for months).
MAX_SESSION_SECONDS = 7 * 86_400


def _norm(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", name.strip().lower())


@dataclass(frozen=True)
class _Format:
    name: str
    required: tuple[tuple[str, ...], ...]  # each entry: acceptable aliases, one must be present
    description: str


#: The formats, in detection order (most specific first). Aliases are normalised names.
FORMATS: tuple[_Format, ...] = (
    _Format(
        "canonical",
        (("sessionid",), ("tool",), ("start",), ("end", "duration"), ("technician",), ("reason",)),
        "session_id, tool, start, end (or duration), technician, reason",
    ),
    _Format(
        "intune_graph",
        (("id",), ("startdatetime",), ("enddatetime",), ("helperemail", "helperuserid")),
        "Graph getRemoteAssistanceSessionsReport: id, startDateTime, endDateTime, helperEmail, ...",
    ),
    _Format(
        "intune_admin",
        (("providerid",), ("recipientid",), ("sessionstart",), ("sessionend",)),
        "Intune admin center: Provider ID, Recipient ID, Session start, Session end, ...",
    ),
    _Format(
        "beyondtrust_csv",
        (
            ("lsid",),
            ("starttime",),
            ("endtime", "duration"),
            ("primaryrep", "repusername", "repdisplayname"),
        ),
        "BeyondTrust SupportSession: lsid, start_time, end_time, primary_rep, ...",
    ),
    _Format(
        "logmein_csv",
        (
            ("sessionid",),
            ("starttime",),
            ("endtime", "totaltime"),
            ("technicianemail", "technicianid", "technicianname"),
        ),
        "LogMeIn session history: session_id, start_time, end_time, technician_name, ...",
    ),
)


@dataclass(frozen=True)
class LoadedExport:
    """One file read: its format and its sessions (see :mod:`rhmodel.core.pilot.sessions`)."""

    path: str
    format: str
    sessions: pd.DataFrame
    notes: tuple[str, ...] = ()  # what reading it changed or noticed, for the reader


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
    >>> detect_format(["a", "b"]) is None
    True
    """
    names = {_norm(h) for h in header}
    for f in FORMATS:
        if all(any(a in names for a in aliases) for aliases in f.required):
            return f.name
    return None


# ---- reading --------------------------------------------------------------------------------


def _exact_line(text: str, row: int) -> int:
    """Line (1-based, header = 1) where data row ``row`` (0-based) starts, honouring quoted
    newlines; only used when reporting an error."""
    reader = csv.reader(io.StringIO(text))
    line = 1
    for i, _ in enumerate(reader):
        if i == row + 1:
            return line
        line = reader.line_num + 1
    return line


class _Csv:
    """A CSV export with its normalised header, for row-located errors."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with warnings.catch_warnings():
            # index_col=False: a row with more fields than the header must not silently turn
            # the first column into an index (every value would shift one column left)
            warnings.simplefilter("error", pd.errors.ParserWarning)
            try:
                self.frame = pd.read_csv(
                    path,
                    dtype=str,
                    keep_default_na=False,
                    skipinitialspace=True,
                    encoding="utf-8-sig",
                    index_col=False,
                )
            except pd.errors.ParserWarning:
                raise _too_many_fields(path) from None
        self.columns = {_norm(c): c for c in self.frame.columns}
        self.lines = pd.Series(np.arange(len(self.frame), dtype=np.int64) + 2)

    def col(self, *aliases: str, default: str = "") -> pd.Series:
        for a in aliases:
            if a in self.columns:
                # read_csv's skipinitialspace took leading blanks; values are compared as
                # written otherwise (a per-value strip would cost more than the whole parse)
                return self.frame[self.columns[a]]
        return pd.Series(np.full(len(self.frame), default, dtype=object))

    def has(self, *aliases: str) -> bool:
        return any(a in self.columns for a in aliases)

    def error(self, row: int, message: str) -> InputError:
        text = self.path.read_text(encoding="utf-8-sig")  # only on the error path
        return InputError(message, file=str(self.path), line=_exact_line(text, row))


def _too_many_fields(path: Path) -> InputError:
    """The first row with more fields than the header, as a located error."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        width = len(next(reader, []))
        line = 2
        for row in reader:
            if len(row) > width:
                return InputError(
                    f"the row has {len(row)} fields, the header {width} — quote a field "
                    "that holds a comma, or fix the row",
                    file=str(path),
                    line=line,
                )
            line = reader.line_num + 1
    return InputError(f"a row has more fields than the header ({width})", file=str(path))


def _per_unique(values: pd.Series, fn: Callable[[str], str]) -> np.ndarray:
    """``fn`` applied once per distinct value: exports repeat a few values millions of times."""
    codes, uniques = pd.factorize(values)
    mapped = np.array([fn(u) for u in uniques] + [""], dtype=object)
    return mapped[codes]  # code -1 (missing) takes the trailing ""


def _first(mask: pd.Series | np.ndarray) -> int:
    return int(np.flatnonzero(np.asarray(mask))[0])


def _timestamps(
    src: _Csv, values: pd.Series, what: str, tz: str | None, required: bool = True
) -> np.ndarray:
    """Parse a timestamp column to Unix seconds (UTC); blanks are :data:`OPEN`."""
    blank = (values == "").to_numpy()
    if required and blank.any():
        raise src.error(
            _first(blank), f"{what} is missing — a timestamp such as 2026-03-02T09:15:00Z"
        )
    out = np.full(len(values), OPEN, dtype=np.int64)
    present = ~blank
    if not present.any():
        return out
    vals = values[present] if blank.any() else values  # no 10-million-row copy when full
    if str(vals.iloc[0]).isdigit():  # Unix epoch seconds (BeyondTrust), or milliseconds
        out[present] = _epochs(src, vals, values, present, what)
        return out
    if vals.str.endswith("z").any():  # RFC 3339 allows a lower-case z for UTC
        vals = vals.str.replace(r"z$", "Z", regex=True)
    try:
        parsed = pd.to_datetime(vals, format="ISO8601", errors="coerce")
    except ValueError:
        # mixed offsets, or some rows with an offset and some without
        parsed = None
    if parsed is None or parsed.dt.tz is None:
        has_tz = vals.str.contains(r"(?:[Zz]|[+-]\d\d(?::?\d\d)?)$", regex=True)
        naive = ~has_tz
        if naive.any() and tz is None:
            i = np.flatnonzero(present)[_first(naive)]
            raise src.error(
                int(i),
                f"{what} has no time zone ({excerpt(values.iloc[i])}) — add an "
                "offset or Z (2026-03-02T09:15:00+01:00), or give "
                "--timezone / pilot.timezone",
            )
        aware = pd.to_datetime(vals.where(has_tz), format="ISO8601", errors="coerce", utc=True)
        local = pd.to_datetime(vals.where(naive), format="ISO8601", errors="coerce")
        if naive.any():
            local = local.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
            bad_local = (
                naive
                & local.isna()
                & pd.to_datetime(vals.where(naive), format="ISO8601", errors="coerce").notna()
            )
            if bad_local.any():
                i = np.flatnonzero(present)[_first(bad_local)]
                raise src.error(
                    int(i),
                    f"{what} does not exist or is ambiguous in {tz} "
                    f"({excerpt(values.iloc[i])}, a daylight-saving change) — "
                    "write it with its UTC offset",
                )
            parsed = aware.where(has_tz, local.dt.tz_convert("UTC"))
        else:
            parsed = aware
    bad = parsed.isna().to_numpy()
    if bad.any():
        i = np.flatnonzero(present)[_first(bad)]
        raise src.error(
            int(i),
            f"{what} is not a timestamp ({excerpt(values.iloc[i])}) — ISO 8601 "
            "with an offset (2026-03-02T09:15:00Z) or Unix seconds",
        )
    utc = parsed.dt.tz_convert("UTC")
    unit = {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}[utc.dt.unit]
    seconds = utc.astype("int64").to_numpy() // unit
    outside = (seconds < EARLIEST) | (seconds >= LATEST)
    if outside.any():
        i = np.flatnonzero(present)[_first(outside)]
        raise src.error(
            int(i),
            f"{what} is out of range ({excerpt(values.iloc[i])}) — a date between 2000 and 2100",
        )
    out[present] = seconds
    return out


def _epochs(
    src: _Csv, vals: pd.Series, values: pd.Series, present: np.ndarray, what: str
) -> np.ndarray:
    """Unix epochs to seconds: seconds, or milliseconds when every value reads as such; a mix,
    or a value outside 2000–2100 either way, is refused with its row."""
    text = vals.astype(str)
    bad = ~text.str.fullmatch(r"\d{1,16}").to_numpy()  # 16 digits: beyond any plausible ms
    if bad.any():
        i = np.flatnonzero(present)[_first(bad)]
        raise src.error(
            int(i),
            f"{what} is not a Unix timestamp ({excerpt(values.iloc[i])}) — whole seconds "
            "since 1970-01-01 UTC, like the other rows",
        )
    numbers = text.astype(np.int64).to_numpy()
    seconds = (numbers >= EARLIEST) & (numbers < LATEST)
    millis = (numbers >= EARLIEST * 1000) & (numbers < LATEST * 1000)
    if millis.all():
        return numbers // 1000
    if seconds.all():
        return numbers
    odd = ~seconds if seconds.sum() >= millis.sum() else ~millis
    i = np.flatnonzero(present)[_first(odd)]
    mixed = seconds.any() and millis.any()
    raise src.error(
        int(i),
        f"{what} is out of range ({excerpt(values.iloc[i])}"
        + (": the file mixes seconds and milliseconds" if mixed else "")
        + ") — Unix seconds (or milliseconds, all rows alike) between 2000 and 2100",
    )


def _durations(src: _Csv, values: pd.Series, what: str) -> np.ndarray:
    """``hh:mm:ss`` (or ``mm:ss``) or plain seconds, to seconds."""
    out = np.zeros(len(values), dtype=np.int64)
    text = values.fillna("")
    plain = text.str.fullmatch(r"\d{1,12}(?:\.\d+)?")
    clock = text.str.fullmatch(r"\d{1,9}:\d{1,2}(?::\d{1,2})?")
    bad = ~(plain | clock)
    if bad.any():
        i = _first(bad)
        raise src.error(
            i, f"{what} is not a duration ({excerpt(values.iloc[i])}) — hh:mm:ss or seconds, >= 0"
        )
    if plain.any():
        out[plain.to_numpy()] = text[plain].astype(float).astype(np.int64).to_numpy()
    if clock.any():
        parts = text[clock].str.split(":", expand=True).astype(np.int64)
        if parts.shape[1] == 2:
            secs = parts[0] * 60 + parts[1]
        else:
            secs = parts[0] * 3600 + parts[1] * 60 + parts[2].fillna(0)
        out[clock.to_numpy()] = secs.to_numpy()
    too_long = out > MAX_SESSION_SECONDS
    if too_long.any():
        i = _first(too_long)
        raise src.error(
            i,
            f"{what} is longer than a week ({excerpt(values.iloc[i])}) — a session's length, "
            "up to 7 days (168:00:00); fix or drop the row",
        )
    return out


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def same_person(name: str) -> str:
    """One spelling per technician: trimmed, inner spaces collapsed, e-mail addresses (which are
    case-insensitive in practice) folded to lower case.

    Examples
    --------
    >>> [same_person(n) for n in ("alice@x.com", " Alice@X.com ", "ALICE@x.com", " Bob  Lee ")]
    ['alice@x.com', 'alice@x.com', 'alice@x.com', 'Bob Lee']
    >>> same_person("@SUM(1+1)")  # not an address: kept as written
    '@SUM(1+1)'
    """
    name = " ".join(name.split())
    return name.casefold() if _EMAIL.fullmatch(name) else name


def _finish(
    src: _Csv,
    fmt: str,
    *,
    session_id: pd.Series,
    tool: pd.Series | str,
    start: np.ndarray,
    end: np.ndarray,
    technician: pd.Series,
    reason: pd.Series | None = None,
    session_type: pd.Series | None = None,
    sharer: pd.Series | None = None,
    platform: pd.Series | None = None,
) -> LoadedExport:
    n = len(src.frame)
    blank_id = (session_id == "").to_numpy()
    if blank_id.any():
        raise src.error(_first(blank_id), "session id is missing — every session needs its id")
    blank_tech = (technician == "").to_numpy()
    if blank_tech.any():
        raise src.error(
            _first(blank_tech), "technician is missing — who helped (e-mail, id or name)"
        )
    closed = end != OPEN
    too_long = closed & (end - start > MAX_SESSION_SECONDS)
    if too_long.any():
        i = _first(too_long)
        raise src.error(
            i,
            f"session lasts {(end[i] - start[i]) / 86_400:,.1f} days — up to 7 days; a session "
            "left open that long is a data error to fix or drop",
        )
    backwards = closed & (end < start)
    if backwards.any():
        i = _first(backwards)
        raise src.error(
            i,
            f"end is before start (start {pd.Timestamp(start[i], unit='s')}Z, "
            f"end {pd.Timestamp(end[i], unit='s')}Z) — end >= start",
        )
    tools = pd.Series(np.full(n, tool, dtype=object)) if isinstance(tool, str) else tool
    people = _per_unique(technician, same_person)
    spellings, persons = technician.nunique(), pd.unique(people).size
    notes = (
        (
            f"{src.path.name}: {spellings:,} spellings of technicians read as {persons:,} "
            "people (spaces trimmed, e-mail addresses compared without case)",
        )
        if persons < spellings
        else ()
    )
    empty = np.full(n, "", dtype=object)
    reason = pd.Series(empty) if reason is None else pd.Series(_per_unique(reason, str.lower))
    check_reasons(
        reason, tools, str(src.path), src.lines, require_for_incumbents=(fmt == "canonical")
    )
    frame = pd.DataFrame(
        {
            "session_id": session_id.to_numpy(dtype=object),
            "tool": tools.to_numpy(dtype=object),
            "start": start,
            "end": end,
            "technician": people,
            "reason": reason.to_numpy(dtype=object),
            "session_type": empty if session_type is None else _per_unique(session_type, str.lower),
            "sharer": empty if sharer is None else _per_unique(sharer, str.lower),
            "platform": empty if platform is None else _per_unique(platform, normalise_platform),
            "file": str(src.path),
            "line": src.lines.to_numpy(),
        },
        columns=list(COLUMNS),
    )
    return LoadedExport(str(src.path), fmt, frame, notes)


def _end_or_duration(
    src: _Csv,
    start: np.ndarray,
    tz: str | None,
    end_aliases: tuple[str, ...],
    duration_aliases: tuple[str, ...],
) -> np.ndarray:
    end = (
        _timestamps(src, src.col(*end_aliases), "end", tz, required=False)
        if src.has(*end_aliases)
        else np.full(len(start), OPEN, dtype=np.int64)
    )
    if src.has(*duration_aliases):
        missing = end == OPEN
        duration_text = src.col(*duration_aliases)
        usable = missing & (duration_text != "").to_numpy()
        if usable.any():
            d = _durations(src, duration_text.where(usable, "0"), "duration")
            end = np.where(usable, start + d, end)
    return end


def _canonical(src: _Csv, tz: str | None) -> LoadedExport:
    tool = pd.Series(_per_unique(src.col("tool"), str.lower))
    bad = ~tool.isin(PRODUCTS)
    if bad.any():
        i = _first(bad)
        raise src.error(
            i,
            f"unknown tool ({excerpt(src.col('tool').iloc[i])}) — accepted: {', '.join(PRODUCTS)}",
        )
    start = _timestamps(src, src.col("start"), "start", tz)
    end = _end_or_duration(src, start, tz, ("end",), ("duration",))

    def optional(*aliases: str) -> pd.Series | None:
        return src.col(*aliases) if src.has(*aliases) else None

    return _finish(
        src,
        "canonical",
        session_id=src.col("sessionid"),
        tool=tool,
        start=start,
        end=end,
        technician=src.col("technician"),
        reason=src.col("reason"),
        session_type=optional("sessiontype"),
        sharer=optional("sharer", "shareremail"),
        platform=optional("platform", "os"),
    )


def _intune_graph(src: _Csv, tz: str | None) -> LoadedExport:
    start = _timestamps(src, src.col("startdatetime"), "startDateTime", tz)
    end = _timestamps(src, src.col("enddatetime"), "endDateTime", tz, required=False)
    return _finish(
        src,
        "intune_graph",
        session_id=src.col("id"),
        tool="remote_help",
        start=start,
        end=end,
        technician=src.col("helperemail", "helperuserid"),
        session_type=src.col("remoteassistancesessiontype"),
        sharer=src.col("shareremail"),
        platform=src.col("shareros"),
    )


def _intune_admin(src: _Csv, tz: str | None) -> LoadedExport:
    start = _timestamps(src, src.col("sessionstart"), "Session start", tz)
    end = _timestamps(src, src.col("sessionend"), "Session end", tz, required=False)
    provider, recipient = src.col("providerid"), src.col("recipientid")
    device = src.col("devicename")
    # No session id in this export: the same session in two exports has the same provider,
    # recipient, device and start, so a hash of those identifies it.
    key = provider + "|" + recipient + "|" + device + "|" + pd.Series(start).astype(str)
    ids = key.map(lambda k: "admin-" + hashlib.sha1(k.encode()).hexdigest()[:16])
    return _finish(
        src,
        "intune_admin",
        session_id=ids,
        tool="remote_help",
        start=start,
        end=end,
        technician=provider,
        platform=src.col("os"),
    )


def _beyondtrust_csv(src: _Csv, tz: str | None) -> LoadedExport:
    start = _timestamps(src, src.col("starttime"), "start_time", tz)
    end = _end_or_duration(src, start, tz, ("endtime",), ("duration",))
    return _finish(
        src,
        "beyondtrust_csv",
        session_id=src.col("lsid"),
        tool="beyondtrust",
        start=start,
        end=end,
        technician=src.col("primaryrep", "repusername", "repdisplayname"),
        reason=src.col("externalkey", "reason"),
        session_type=src.col("sessiontype"),
        sharer=src.col("customerusername", "username", "customeremail"),
        platform=src.col("customeros", "os"),
    )


def _logmein_csv(src: _Csv, tz: str | None) -> LoadedExport:
    start = _timestamps(src, src.col("starttime"), "start_time", tz)
    end = _end_or_duration(src, start, tz, ("endtime",), ("totaltime",))
    return _finish(
        src,
        "logmein_csv",
        session_id=src.col("sessionid"),
        tool="logmein_resolve",
        start=start,
        end=end,
        technician=src.col("technicianemail", "technicianid", "technicianname"),
        reason=src.col("reason", "customfield", "rhreason"),
        session_type=src.col("sessiontype"),
        sharer=src.col("customeremail", "enduseremail", "customername"),
        platform=src.col("platform", "os"),
    )


_CSV_LOADERS: dict[str, Callable[[_Csv, str | None], LoadedExport]] = {
    "canonical": _canonical,
    "intune_graph": _intune_graph,
    "intune_admin": _intune_admin,
    "beyondtrust_csv": _beyondtrust_csv,
    "logmein_csv": _logmein_csv,
}


# ---- BeyondTrust XML -----------------------------------------------------------------------


def _beyondtrust_xml(path: Path, data: bytes, tz: str | None) -> LoadedExport:
    """Stream ``session_list/session`` elements with expat, keeping each one's line.

    The session's technician is its ``primary_rep``. Representatives who only joined a session
    (other ``rep_list`` entries) are not counted: where they held no session of their own at
    the time, the logged-in-representative peak is understated. BeyondTrust's own
    ``LicenseUsage`` report is the ground truth when you have it.
    """
    rows: list[dict[str, str]] = []
    stack: list[str] = []
    current: dict[str, str] | None = None
    text: list[str] = []
    parser = xml.parsers.expat.ParserCreate()

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal current
        tag = tag.rsplit(":", 1)[-1]
        stack.append(tag)
        text.clear()
        if tag == "session" and len(stack) == 2:
            current = {"lsid": attrs.get("lsid", ""), "_line": str(parser.CurrentLineNumber)}
        elif current is not None and tag in ("start_time", "end_time"):
            current[tag] = attrs.get("timestamp", "")
        elif current is not None and tag == "primary_rep":
            current["primary_rep_id"] = attrs.get("id", "")

    def end(tag: str) -> None:
        nonlocal current
        tag = tag.rsplit(":", 1)[-1]
        value = "".join(text).strip()
        if current is not None:
            inside_customer = "customer" in stack
            if tag in ("session_type", "duration", "external_key") and len(stack) == 3:
                current[tag] = value
            elif tag == "primary_rep" and len(stack) == 3:
                current["primary_rep"] = value or current.get("primary_rep_id", "")
            elif (tag in ("start_time", "end_time") and not current.get(tag)) or (
                inside_customer and tag in ("username", "os") and tag not in current
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
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as exc:
        raise InputError(
            f"not well-formed XML ({xml.parsers.expat.errors.messages[exc.code]})"
            " — a BeyondTrust SupportSession report",
            file=str(path),
            line=exc.lineno,
        ) from None
    if not rows:
        raise InputError(
            "no <session> elements under <session_list> — a BeyondTrust "
            "SupportSession report (api/reporting?generate_report=SupportSession)",
            file=str(path),
        )
    frame = pd.DataFrame(rows).fillna("")
    src = _Csv.__new__(_Csv)
    src.path = path
    src.frame = frame
    src.columns = {_norm(c): c for c in frame.columns}
    src.lines = frame["_line"].astype(np.int64)

    def located(row: int, message: str) -> InputError:
        return InputError(message, file=str(path), line=int(src.lines.iloc[row]))

    src.error = located  # type: ignore[method-assign]
    start_ = _timestamps(src, src.col("starttime"), "start_time", tz)
    end_ = _end_or_duration(src, start_, tz, ("endtime",), ("duration",))
    return _finish(
        src,
        "beyondtrust_xml",
        session_id=src.col("lsid"),
        tool="beyondtrust",
        start=start_,
        end=end_,
        technician=src.col("primaryrep"),
        reason=src.col("externalkey"),
        session_type=src.col("sessiontype"),
        sharer=src.col("username"),
        platform=src.col("os"),
    )


# ---- entry points ---------------------------------------------------------------------------


def load_export(path: str | Path, timezone: str | None = None) -> LoadedExport:
    """Read one export file, detecting its format from its header (or XML root).

    Raises
    ------
    InputError
        Empty file, no recognisable header, no sessions, or a bad row (file and line named).
    """
    path = Path(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(65536)
            if head.lstrip().startswith(b"<"):
                return _beyondtrust_xml(path, head + fh.read(), timezone)
            blank = head.isspace() or not head
            while blank:
                chunk = fh.read(1 << 20)
                if not chunk:
                    break
                blank = chunk.isspace()
    except OSError as exc:
        raise InputError(
            f"cannot read ({exc.strerror}) — check the path and permissions", file=str(path)
        ) from None
    if blank:
        raise InputError(
            "empty file — a pilot export with a header row and sessions", file=str(path)
        )
    try:
        first_line = head.decode("utf-8-sig", errors="strict").splitlines()[0]
    except UnicodeDecodeError as exc:
        # a multi-byte character cut at the end of the sniffed chunk is not an error
        if exc.start < len(head) - 4:
            raise InputError(
                f"not UTF-8 text (byte {exc.start}) — export as UTF-8 CSV", file=str(path)
            ) from None
        first_line = head[: exc.start].decode("utf-8-sig").splitlines()[0]
    header = next(csv.reader([first_line]), [])
    fmt = detect_format(header)
    if fmt is None:
        kinds = "; ".join(f"{f.name}: {f.description}" for f in FORMATS)
        # The line is not quoted: a file that is not an export may hold anything (a password).
        raise InputError(
            f"no recognisable header: the first line ({len(header)} fields) is none of the "
            f"headers rhmodel reads — accepted: {kinds}",
            file=str(path),
            line=1,
        )
    try:
        src = _Csv(path)
    except InputError:
        raise
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not UTF-8 text (byte {exc.start}) — export as UTF-8 CSV", file=str(path)
        ) from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(
            f"cannot read as CSV ({str(exc).strip()[:160]}) — a comma-separated "
            "file with one header row",
            file=str(path),
        ) from None
    if len(src.frame) == 0:
        raise InputError(
            "no sessions below the header — export a period with sessions", file=str(path)
        )
    return _CSV_LOADERS[fmt](src, timezone)


def load_exports(paths: Iterable[str | Path], timezone: str | None = None) -> list[LoadedExport]:
    """Load several files (directories expanded); see :func:`load_export`."""
    files = expand_paths(paths)
    if not files:
        raise InputError("no pilot export files given — name files or a folder of exports")
    return [load_export(f, timezone) for f in files]
