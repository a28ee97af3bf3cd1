"""Timestamps and durations as exports write them, to Unix seconds (UTC).

Accepted:

- ISO 8601 with an offset or ``Z``/``z`` (Graph writes seven fractional digits);
- ``2026-11-24 09:00:00 EST``: a time with a zone abbreviation (BeyondTrust's /login CSV);
  the common North American and European abbreviations are known (a table below);
- locale forms: ``11/24/2026 9:00:00 AM`` (LogMeIn Rescue), ``11/24/2026 9:00`` (an Excel
  re-save), ``11/24/2026, 9:05:12 AM`` (the Intune admin grid), ``24.11.2026 09:00`` (a European
  Excel). The day/month order is read from the file when a day above 12 settles it, otherwise
  taken from ``date_order`` (``dmy``, ``mdy``); ambiguous and undeclared is an error naming an
  example value;
- Unix epochs in seconds, or in milliseconds when every row is.

A time without a zone takes the file's time zone (``--timezone`` / ``pilot.timezone``); without
one it is refused. Every timestamp must fall in 2000–2100.

Examples
--------
>>> import pandas as pd
>>> from pathlib import Path
>>> from rhmodel.edges.exports.table import table_from_rows
>>> t = table_from_rows(Path("x.csv"), ["start"], [["11/24/2026 9:00:00 AM"],
...                                                ["11/25/2026 1:30:00 PM"]], [2, 3])
>>> opts = ReadOptions(timezone="America/New_York")
>>> [pd.Timestamp(s, unit="s", tz="UTC").isoformat() for s in timestamps(t, t.col("start"),
...                                                                       "start", opts)]
['2026-11-24T14:00:00+00:00', '2026-11-25T18:30:00+00:00']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rhmodel.core.pilot.sessions import OPEN
from rhmodel.core.text import excerpt
from rhmodel.edges.exports.table import Table, first_index

__all__ = [
    "EARLIEST",
    "LATEST",
    "MAX_SESSION_SECONDS",
    "ZONE_ABBREVIATIONS",
    "ReadOptions",
    "durations",
    "end_or_duration",
    "timestamps",
]

#: Timestamps a pilot can have: 2000-01-01 to 2100-01-01 UTC, in Unix seconds.
EARLIEST, LATEST = 946_684_800, 4_102_444_800
#: The longest session believed: a week (an unattended session left open longer is a data
#: error the help desk should look at, not a licence held for months).
MAX_SESSION_SECONDS = 7 * 86_400
#: Zone abbreviations and their UTC offsets (ambiguous ones, such as IST, are left out).
ZONE_ABBREVIATIONS: dict[str, str] = {
    "UTC": "+00:00", "GMT": "+00:00", "Z": "+00:00",
    "EST": "-05:00", "EDT": "-04:00", "CST": "-06:00", "CDT": "-05:00",
    "MST": "-07:00", "MDT": "-06:00", "PST": "-08:00", "PDT": "-07:00",
    "AKST": "-09:00", "AKDT": "-08:00", "HST": "-10:00",
    "BST": "+01:00", "WET": "+00:00", "WEST": "+01:00", "CET": "+01:00", "CEST": "+02:00",
    "EET": "+02:00", "EEST": "+03:00",
    "AEST": "+10:00", "AEDT": "+11:00", "ACST": "+09:30", "AWST": "+08:00",
    "NZST": "+12:00", "NZDT": "+13:00", "JST": "+09:00", "SGT": "+08:00",
}  # fmt: skip

_LOCALE = (
    r"^(?P<a>\d{1,2})(?P<sep>[/.\-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2}),?\s+"
    r"(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?(?:\.\d+)?\s*(?P<p>[AaPp]\.?[Mm]\.?)?$"
)
_ISO_DATE = r"^\d{4}-\d{2}-\d{2}"


@dataclass(frozen=True)
class ReadOptions:
    """How to read one export's times.

    Attributes
    ----------
    timezone : str or None
        IANA zone for times written without one.
    date_order : str or None
        ``dmy`` or ``mdy`` for locale dates whose order the file does not settle.
    """

    timezone: str | None = None
    date_order: str | None = None


def timestamps(
    src: Table, values: pd.Series, what: str, opts: ReadOptions, required: bool = True
) -> np.ndarray:
    """Parse a timestamp column to Unix seconds (UTC); blanks (and ``timestamp="0"``) are
    :data:`OPEN`."""
    blank = ((values == "") | (values == "0")).to_numpy()
    if required and blank.any():
        raise src.error(
            first_index(blank), f"{what} is missing — a timestamp such as 2026-03-02T09:15:00Z"
        )
    out = np.full(len(values), OPEN, dtype=np.int64)
    present = ~blank
    if not present.any():
        return out
    vals = values[present] if blank.any() else values  # no 10-million-row copy when full
    first = str(vals.iloc[0])
    if first.isdigit():  # Unix epoch seconds (BeyondTrust), or milliseconds
        seconds = _epochs(src, vals, values, present, what)
    elif pd.Series([first]).str.match(_ISO_DATE).iloc[0]:
        seconds = _iso(src, vals, values, present, what, opts)
    else:
        seconds = _locale(src, vals, values, present, what, opts)
    outside = (seconds < EARLIEST) | (seconds >= LATEST)
    if outside.any():
        i = np.flatnonzero(present)[first_index(outside)]
        raise src.error(
            int(i),
            f"{what} is out of range ({excerpt(values.iloc[i])}) — a date between 2000 and 2100",
        )
    out[present] = seconds
    return out


def _epochs(
    src: Table, vals: pd.Series, values: pd.Series, present: np.ndarray, what: str
) -> np.ndarray:
    """Unix epochs to seconds: seconds, or milliseconds when every value reads as such; a mix,
    or a value outside 2000–2100 either way, is refused with its row."""
    text = vals.astype(str)
    bad = ~text.str.fullmatch(r"\d{1,16}").to_numpy()  # 16 digits: beyond any plausible ms
    if bad.any():
        i = np.flatnonzero(present)[first_index(bad)]
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
    i = np.flatnonzero(present)[first_index(odd)]
    mixed = seconds.any() and millis.any()
    raise src.error(
        int(i),
        f"{what} is out of range ({excerpt(values.iloc[i])}"
        + (": the file mixes seconds and milliseconds" if mixed else "")
        + ") — Unix seconds (or milliseconds, all rows alike) between 2000 and 2100",
    )


def _zone_abbreviations(vals: pd.Series) -> pd.Series:
    """``2026-11-24 09:00:00 EST`` → ``2026-11-24 09:00:00-05:00``; others unchanged."""
    found = vals.str.extract(r"\s([A-Za-z]{1,5})$", expand=False)
    if found.isna().all():
        return vals
    offsets = found.str.upper().map(ZONE_ABBREVIATIONS)
    replace = found.notna() & offsets.notna()
    stripped = vals.str.replace(r"\s[A-Za-z]{1,5}$", "", regex=True)
    return vals.where(~replace, stripped + offsets.fillna(""))


def _iso(
    src: Table,
    vals: pd.Series,
    values: pd.Series,
    present: np.ndarray,
    what: str,
    opts: ReadOptions,
) -> np.ndarray:
    if vals.str.endswith("z").any():  # RFC 3339 allows a lower-case z for UTC
        vals = vals.str.replace(r"z$", "Z", regex=True)
    if re.search(r"\s[A-Za-z]{1,5}$", str(vals.iloc[0])):  # one file, one style: look once
        vals = _zone_abbreviations(vals)
    try:
        parsed = pd.to_datetime(vals, format="ISO8601", errors="coerce")
    except ValueError:
        # mixed offsets, or some rows with an offset and some without
        parsed = None
    if parsed is None or parsed.dt.tz is None:
        has_tz = vals.str.contains(r"(?:[Zz]|[+-]\d\d(?::?\d\d)?)$", regex=True)
        aware = pd.to_datetime(vals.where(has_tz), format="ISO8601", errors="coerce", utc=True)
        naive = pd.to_datetime(vals.where(~has_tz), format="ISO8601", errors="coerce")
        parsed = _localise(src, values, present, what, opts, aware, naive, ~has_tz.to_numpy())
    return _seconds(src, values, present, what, parsed)


def _locale(
    src: Table,
    vals: pd.Series,
    values: pd.Series,
    present: np.ndarray,
    what: str,
    opts: ReadOptions,
) -> np.ndarray:
    parts = vals.str.strip().str.extract(_LOCALE)
    unread = parts["a"].isna().to_numpy()
    if unread.any():
        i = np.flatnonzero(present)[first_index(unread)]
        raise src.error(
            int(i),
            f"{what} is not a timestamp ({excerpt(values.iloc[i])}) — ISO 8601 "
            "(2026-03-02T09:15:00Z), a date and time such as 11/24/2026 9:00:00 AM or "
            "24.11.2026 09:00, or Unix seconds",
        )
    a, b = parts["a"].astype(int), parts["b"].astype(int)
    order = opts.date_order
    if (a > 12).any() and (b > 12).any():
        i = np.flatnonzero(present)[first_index((b > 12).to_numpy())]
        raise src.error(
            int(i),
            f"{what} has a day above 12 in both places ({excerpt(values.iloc[i])}) — one "
            "day/month order per file",
        )
    inferred = "dmy" if (a > 12).any() else "mdy" if (b > 12).any() else None
    if inferred and order and order != inferred:
        i = np.flatnonzero(present)[first_index(((a if inferred == "dmy" else b) > 12).to_numpy())]
        raise src.error(
            int(i),
            f"{what} cannot be {order} ({excerpt(values.iloc[i])}) — the file's dates are "
            f"{inferred}: fix date_order",
        )
    order = inferred or order
    if order is None:
        i = np.flatnonzero(present)[0]
        raise src.error(
            int(i),
            f"{what} could be day/month or month/day ({excerpt(values.iloc[i])}: no day above "
            "12 in the file settles it) — give date_order: dmy or mdy (pilot.date_order, or "
            "--date-order)",
        )
    day, month = (a, b) if order == "dmy" else (b, a)
    year = parts["y"].astype(int)
    year = year.where(year >= 100, year + 2000)
    hour = parts["H"].astype(int)
    pm = parts["p"].fillna("").str.lower().str.startswith("p")
    am = parts["p"].fillna("").str.lower().str.startswith("a")
    hour = hour.where(~(pm | am), hour % 12 + np.where(pm, 12, 0))
    naive = pd.to_datetime(
        pd.DataFrame(
            {
                "year": year,
                "month": month,
                "day": day,
                "hour": hour,
                "minute": parts["M"].astype(int),
                "second": parts["S"].fillna("0").astype(int),
            }
        ),
        errors="coerce",
    )
    naive.index = vals.index
    everywhere = np.ones(len(vals), dtype=bool)
    empty = pd.Series(pd.NaT, index=vals.index, dtype="datetime64[ns, UTC]")
    parsed = _localise(src, values, present, what, opts, empty, naive, everywhere)
    return _seconds(src, values, present, what, parsed)


def _localise(
    src: Table,
    values: pd.Series,
    present: np.ndarray,
    what: str,
    opts: ReadOptions,
    aware: pd.Series,
    naive: pd.Series,
    is_naive: np.ndarray,
) -> pd.Series:
    """Combine times with a zone (``aware``) and without (``naive``, in ``opts.timezone``)."""
    if not is_naive.any():
        return aware
    tz = opts.timezone
    if tz is None:
        i = np.flatnonzero(present)[first_index(is_naive)]
        raise src.error(
            int(i),
            f"{what} has no time zone ({excerpt(values.iloc[i])}) — add an "
            "offset or Z (2026-03-02T09:15:00+01:00), or give "
            "--timezone / pilot.timezone",
        )
    local = naive.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    bad_local = is_naive & local.isna().to_numpy() & naive.notna().to_numpy()
    if bad_local.any():
        i = np.flatnonzero(present)[first_index(bad_local)]
        raise src.error(
            int(i),
            f"{what} does not exist or is ambiguous in {tz} "
            f"({excerpt(values.iloc[i])}, a daylight-saving change) — "
            "write it with its UTC offset",
        )
    return aware.where(~is_naive, local.dt.tz_convert("UTC"))


def _seconds(
    src: Table, values: pd.Series, present: np.ndarray, what: str, parsed: pd.Series
) -> np.ndarray:
    bad = parsed.isna().to_numpy()
    if bad.any():
        i = np.flatnonzero(present)[first_index(bad)]
        raise src.error(
            int(i),
            f"{what} is not a timestamp ({excerpt(values.iloc[i])}) — ISO 8601 "
            "with an offset (2026-03-02T09:15:00Z) or Unix seconds",
        )
    utc = parsed.dt.tz_convert("UTC")
    unit = {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}[utc.dt.unit]
    return utc.astype("int64").to_numpy() // unit


def durations(src: Table, values: pd.Series, what: str) -> np.ndarray:
    """``hh:mm:ss`` (or ``mm:ss``, ``h:mm``) or plain seconds, to seconds; at most a week."""
    out = np.zeros(len(values), dtype=np.int64)
    text = values.fillna("")
    plain = text.str.fullmatch(r"\d{1,12}(?:\.\d+)?")
    clock = text.str.fullmatch(r"\d{1,9}:\d{1,2}(?::\d{1,2})?")
    bad = ~(plain | clock)
    if bad.any():
        i = first_index(bad)
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
        i = first_index(too_long)
        raise src.error(
            i,
            f"{what} is longer than a week ({excerpt(values.iloc[i])}) — a session's length, "
            "up to 7 days (168:00:00); fix or drop the row",
        )
    return out


def end_or_duration(
    src: Table,
    start: np.ndarray,
    opts: ReadOptions,
    end_aliases: tuple[str, ...],
    duration_aliases: tuple[str, ...],
) -> np.ndarray:
    """The end time, or the start plus the duration where the end is blank."""
    end = (
        timestamps(src, src.col(*end_aliases), "end", opts, required=False)
        if src.has(*end_aliases)
        else np.full(len(start), OPEN, dtype=np.int64)
    )
    if src.has(*duration_aliases):
        missing = end == OPEN
        duration_text = src.col(*duration_aliases)
        usable = missing & (duration_text != "").to_numpy()
        if usable.any():
            d = durations(src, duration_text.where(usable, "0"), "duration")
            end = np.where(usable, start + d, end)
    return end
