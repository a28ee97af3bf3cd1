"""Sizing the residual incumbent pool from session intervals.

Sessions are half-open intervals ``[start, end)`` in Unix seconds: a session that ends at 10:00
and one that starts at 10:00 do not overlap, and a zero-length session adds nothing. Peaks only
occur at starts, so concurrency is evaluated at each start with two sorts and a searchsorted.

The two licence metrics differ, and getting that wrong is the expensive mistake. Each contract
is sized on its own metric (:meth:`PilotSettings.metric_of
<rhmodel.core.pilot.settings.PilotSettings.metric_of>`: the parameters' choice, else the
product's default), never on which vendor it is:

- **concurrent** (e.g. BeyondTrust Remote Support's logged-in representatives): merge each
  technician's overlapping sessions first, then count technicians at once;
- **named** (e.g. LogMeIn Resolve's named agents): the pool is the people who must be able to do
  residual work, not the sessions at once.

Examples
--------
>>> starts = np.array([0, 0, 5, 10]); ends = np.array([10, 5, 10, 20])
>>> int(peak_concurrency(starts, ends))
2
>>> s, e = merge_by_technician(np.array([0, 0, 1]), np.array([0, 4, 0]), np.array([5, 8, 3]))
>>> s.tolist(), e.tolist()
([0, 0], [8, 3])
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd

from rhmodel.core.pilot.erlang import erlang_b, erlang_b_servers, erlang_c
from rhmodel.core.pilot.settings import PilotSettings
from rhmodel.core.products import contract_for

__all__ = [
    "DailyPeaks",
    "ToolSizing",
    "busy_hour_load",
    "concurrency_at_starts",
    "daily_peaks",
    "empirical_blocking",
    "merge_by_technician",
    "peak_concurrency",
    "size_tool",
    "time_at_or_above",
]


def _nonzero(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Drop zero-length intervals: they hold nothing, and with them gone a tie at a start can
    no longer hide an end inside the count below."""
    keep = ends > starts
    if keep.all():
        return starts, ends
    return starts[keep], ends[keep]


def concurrency_at_starts(starts_sorted: np.ndarray, ends_sorted: np.ndarray) -> np.ndarray:
    """Sessions in progress just after each start (including it), starts in sorted order.

    Exact for intervals of positive length (callers drop zero-length ones); among equal starts
    the last one carries the full count.
    """
    ended = np.searchsorted(ends_sorted, starts_sorted, side="right")
    return np.arange(1, len(starts_sorted) + 1) - ended


def peak_concurrency(starts: np.ndarray, ends: np.ndarray) -> int:
    """The most intervals ``[start, end)`` in progress at any instant."""
    starts, ends = _nonzero(starts, ends)
    if len(starts) == 0:
        return 0
    return int(concurrency_at_starts(np.sort(starts), np.sort(ends)).max())


def _merge_starts(t: np.ndarray, s: np.ndarray, e: np.ndarray) -> np.ndarray:
    """For rows sorted by (technician, start): which rows begin a new merged interval.

    One begins when the technician changes or the start is after every earlier end of the same
    technician (touching intervals merge: a re-login is not freed). The running max of ends
    within each technician is one global running max over times shifted into a band per
    technician.
    """
    span = int(e.max() - s.min()) + 1
    base = s.min()
    band = t.astype(np.int64) * span
    running = np.maximum.accumulate(e - base + band) - band + base
    new = np.ones(len(s), dtype=bool)
    new[1:] = (t[1:] != t[:-1]) | (s[1:] > running[:-1])
    return new


def merge_by_technician(
    tech: np.ndarray, starts: np.ndarray, ends: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Merge each technician's overlapping (or touching) sessions into one interval.

    A concurrent licence is in use while the technician is logged in, however many sessions
    they run, so overlapping sessions of one technician hold one licence.

    Parameters
    ----------
    tech : numpy.ndarray
        Integer technician codes.
    starts, ends : numpy.ndarray
        Interval bounds (int64 seconds).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Starts and ends of the merged intervals, grouped by technician.
    """
    if len(starts) == 0:
        return starts.copy(), ends.copy()
    order = np.lexsort((starts, tech))
    t, s, e = tech[order], starts[order], ends[order]
    idx = np.flatnonzero(_merge_starts(t, s, e))
    merged_end = np.maximum.reduceat(e, idx)
    return s[idx], merged_end


def _remove_sorted(sorted_values: np.ndarray, removed: np.ndarray) -> np.ndarray:
    """``sorted_values`` with one occurrence of each value in ``removed`` taken out."""
    if len(removed) == 0:
        return sorted_values
    r = np.sort(removed)
    first = np.searchsorted(r, r, side="left")  # index of each value's first copy in r
    pos = np.searchsorted(sorted_values, r, side="left") + (np.arange(len(r)) - first)
    keep = np.ones(len(sorted_values), dtype=bool)
    keep[pos] = False
    return sorted_values[keep]


def _merged_sorted(
    tech: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    start_order: np.ndarray,
    s_sorted: np.ndarray,
    e_sorted: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Sorted starts and ends of the per-technician merged intervals, without sorting them.

    A merged interval starts at its first session's start and ends at its longest-running
    session's end, so the merged starts (ends) are the session starts (ends) minus those of
    the sessions absorbed into another: remove those from the already sorted arrays.
    """
    n_tech = int(tech.max()) + 1 if len(tech) else 0
    small = tech.astype(np.uint16 if n_tech < 2**16 else np.int64)
    # stable sort of small integer codes is a radix sort: (technician, start) order in O(n)
    rows = start_order[np.argsort(small[start_order], kind="stable")]
    t, s, e = tech[rows], starts[rows], ends[rows]
    new = _merge_starts(t, s, e)
    idx = np.flatnonzero(new)
    group_end = np.repeat(np.maximum.reduceat(e, idx), np.diff(np.append(idx, len(s))))
    # the first row of each group reaching the group's end supplies the merged end
    is_max = e == group_end
    first_max = np.minimum.reduceat(np.where(is_max, np.arange(len(s)), len(s)), idx)
    keeps_end = np.zeros(len(s), dtype=bool)
    keeps_end[first_max] = True
    return _remove_sorted(s_sorted, s[~new]), _remove_sorted(e_sorted, e[~keeps_end])


@dataclass(frozen=True)
class DailyPeaks:
    """Peak concurrency per local calendar day of the pilot."""

    days: pd.DatetimeIndex
    peaks: np.ndarray
    business: np.ndarray

    def business_peaks(self) -> np.ndarray:
        """Peaks of Monday–Friday days."""
        return self.peaks[self.business]


def _local_midnights(first: int, last: int, tz: str) -> pd.DatetimeIndex:
    lo = pd.Timestamp(first, unit="s", tz="UTC").tz_convert(tz).normalize()
    hi = pd.Timestamp(last, unit="s", tz="UTC").tz_convert(tz).normalize()
    # Stepping in local calendar days keeps 23- and 25-hour DST days right.
    return pd.date_range(lo, hi + pd.Timedelta(days=1), freq="D", tz=tz)


def daily_peaks(
    starts: np.ndarray,
    ends: np.ndarray,
    tz: str,
    first_day: int | None = None,
    last_day: int | None = None,
) -> DailyPeaks:
    """Peak concurrency of each local day, counting sessions carried over midnight.

    Days run from local midnight to local midnight in ``tz`` (DST days have 23 or 25 hours).
    A day with no new session still has a peak: the sessions running at its midnight.
    ``first_day`` and ``last_day`` (Unix seconds) widen the range to the whole pilot.
    """
    starts, ends = _nonzero(starts, ends)
    s, e = np.sort(starts), np.sort(ends)
    return _daily_peaks_sorted(s, e, concurrency_at_starts(s, e), tz, first_day, last_day)


def _daily_peaks_sorted(
    s: np.ndarray,
    e: np.ndarray,
    conc: np.ndarray,
    tz: str,
    first_day: int | None,
    last_day: int | None,
) -> DailyPeaks:
    if len(s) == 0 and (first_day is None or last_day is None):
        return DailyPeaks(pd.DatetimeIndex([], tz=tz), np.zeros(0, np.int64), np.zeros(0, bool))
    lo = int(s[0]) if first_day is None else first_day
    hi = int(max(s[-1], lo)) if last_day is None else last_day
    if len(s):
        lo, hi = min(lo, int(s[0])), max(hi, int(s[-1]))
    midnights = _local_midnights(lo, hi, tz)
    m = midnights.as_unit("s").asi8
    day_start, day_end = m[:-1], m[1:]
    # sessions running at each midnight: started before it and not ended by it
    carry = np.searchsorted(s, day_start, side="left") - np.searchsorted(e, day_start, side="right")
    first_idx = np.searchsorted(s, day_start, side="left")
    last_idx = np.searchsorted(s, day_end, side="left")
    peaks = carry.astype(np.int64)
    has = last_idx > first_idx
    if has.any():
        # Each segment of reduceat runs to the next listed index; days without starts are not
        # listed, and every start lies inside the range, so segment j is exactly day j's starts.
        peaks[has] = np.maximum(peaks[has], np.maximum.reduceat(conc, first_idx[has]))
    days = midnights[:-1]
    return DailyPeaks(days, peaks, np.asarray(days.day_of_week < 5))


def time_at_or_above(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Share of the observed span (first start to last end) with at least N in use.

    Returns
    -------
    numpy.ndarray
        Element N is the share of time with concurrency >= N (element 0 is 1.0).
    """
    starts, ends = _nonzero(starts, ends)
    s, e = np.sort(starts), np.sort(ends)
    return _time_at_or_above_sorted(s, e, concurrency_at_starts(s, e))


def _time_at_or_above_sorted(s: np.ndarray, e: np.ndarray, conc: np.ndarray) -> np.ndarray:
    n = len(s)
    if n == 0:
        return np.ones(1)
    # Merge the two sorted event lists without another sort or search: an end sorts before a
    # start at the same instant (half-open), so start i lands after the i earlier starts and
    # the (i + 1 − conc_i) ends at or before it; the ends fill the other slots in order.
    pos_s = np.arange(n) + (np.arange(1, n + 1) - conc)
    is_start = np.zeros(2 * n, dtype=bool)
    is_start[pos_s] = True
    pos_e = np.flatnonzero(~is_start)
    times = np.empty(2 * n, dtype=np.int64)
    step = np.empty(2 * n, dtype=np.int64)
    times[pos_s], times[pos_e] = s, e
    step[pos_s], step[pos_e] = 1, -1
    level = np.cumsum(step)
    total = times[-1] - times[0]
    by_level = np.bincount(level[:-1], weights=np.diff(times), minlength=int(level.max()) + 1)
    return np.cumsum(by_level[::-1])[::-1] / total


def empirical_blocking(starts: np.ndarray, ends: np.ndarray, pool: int) -> float:
    """Share of sessions that would have found ``pool`` licences all in use when they started.

    Refused sessions are not removed from later counts, so this is an upper bound of what a
    pool of that size would have refused. Zero-length sessions (failed connections) are left
    out.
    """
    starts, ends = _nonzero(starts, ends)
    if len(starts) == 0:
        return 0.0
    return _blocking(concurrency_at_starts(np.sort(starts), np.sort(ends)), pool)


def _blocking(conc: np.ndarray, pool: int) -> float:
    # With positive lengths, conc − 1 is exactly the sessions earlier in start order that are
    # still running: simultaneous arrivals queue in the order given.
    return float(np.mean(conc - 1 >= pool)) if len(conc) else 0.0


def busy_hour_load(starts: np.ndarray, ends: np.ndarray) -> tuple[float, int | None]:
    """Offered load of the busiest clock hour (UTC hours): erlangs, and that hour's start.

    The busy time inside [T0, T1) is ``area(T1) − area(T0)`` where ``area(T)`` is the busy time
    before T, computed from prefix sums of the sorted starts and ends — no per-hour loop.
    """
    starts, ends = _nonzero(starts, ends)
    return _busy_hour_sorted(np.sort(starts), np.sort(ends))


def _busy_hour_sorted(s: np.ndarray, e: np.ndarray) -> tuple[float, int | None]:
    if len(s) == 0:
        return 0.0, None
    hours = np.arange(s[0] // 3600 * 3600, e[-1] + 3600, 3600, dtype=np.int64)
    cs = np.concatenate([[0], np.cumsum(s, dtype=np.float64)])
    ce = np.concatenate([[0], np.cumsum(e, dtype=np.float64)])
    ns = np.searchsorted(s, hours, side="left")
    ne = np.searchsorted(e, hours, side="left")
    area = (ns * hours - cs[ns]) - (ne * hours - ce[ne])
    busy = np.diff(area)
    i = int(np.argmax(busy))
    return float(busy[i] / 3600.0), int(hours[i])


@dataclass(frozen=True)
class ToolSizing:
    """What the pilot says one incumbent tool's residual pool must be.

    Attributes
    ----------
    tool : str
        The incumbent's product id (``logmein_resolve``, ``beyondtrust``).
    metric : str
        The licence metric the pool was sized on: ``named_agents`` (named) or
        ``concurrent_technicians`` (concurrent), whichever the contract's metric is.
    sessions : int
        Residual sessions of this tool used for sizing.
    peak_concurrent_sessions, peak_concurrent_technicians, distinct_technicians : int
        Observed over the pilot.
    daily_peak_max, daily_peak_p95 : int, float
        Of business-day (Mon–Fri) peaks of the metric's concurrency.
    daily_peak_p95_interval : tuple of float
        Bootstrap 95% interval of the p95.
    busy_hour_erlangs : float
        Offered load of the busiest hour.
    erlang_b_servers : int
        Smallest pool with Erlang B blocking <= the target.
    erlang_b_blocking, erlang_c_wait : float
        Blocking and probability of waiting at that pool size.
    empirical_blocking : float
        Share of pilot sessions that would have found the recommended pool full.
    recommended_licenses : int
        The pool to keep.
    rule : str
        How the recommendation was reached, in words, with the numbers.
    unit : str
        The pool's unit in prose under that metric, from the contract (``named agents``,
        ``concurrent seats``).
    """

    json_fields: ClassVar[tuple[str, ...]] = (
        "peak_concurrent_sessions",
        "peak_concurrent_technicians",
        "distinct_technicians",
        "daily_peak_max",
        "daily_peak_p95",
        "erlang_b_servers",
        "recommended_licenses",
        "rule",
        "metric",
        "sessions",
        "daily_peak_p95_interval",
        "busy_hour_erlangs",
        "erlang_b_blocking",
        "erlang_c_wait",
        "empirical_blocking",
        "time_at_or_above",
        "recommended_licenses_with_unexplained",
        "license_usage_peak",
        "as_worked",
        "specialist_team",
        "pool_interval",
        "unit",
        "routed_sessions",
        "routed_from",
        "sized_need",
        "kept",
        "bound",
        "kept_note",
        "erlang_b_blocking_at_pool",
        "in_use_share",
        "team",
        "technicians_merged",
    )
    json_omit_empty: ClassVar[tuple[str, ...]] = (
        "pool_interval",
        "license_usage_peak",
        "as_worked",
        "specialist_team",
        "routed_from",
        "kept_note",
        "team",
    )

    tool: str
    metric: str
    sessions: int
    peak_concurrent_sessions: int
    peak_concurrent_technicians: int
    distinct_technicians: int
    daily_peak_max: int
    daily_peak_p95: float
    daily_peak_p95_interval: tuple[float, float]
    busy_hour_erlangs: float
    erlang_b_servers: int
    erlang_b_blocking: float
    erlang_c_wait: float
    empirical_blocking: float
    recommended_licenses: int
    rule: str
    time_at_or_above: tuple[float, ...] = field(default=(), repr=False)
    recommended_licenses_with_unexplained: int | None = None
    license_usage_peak: int | None = None
    as_worked: int | None = None
    specialist_team: int | None = None
    pool_interval: tuple[int, int] | None = None
    unit: str = ""
    daily: DailyPeaks | None = field(default=None, repr=False)
    #: Which rule decided the pool: ``peak`` (technicians at once plus headroom),
    #: ``licence_usage_peak``, ``technicians`` (the people who did the work), ``specialist_team``
    #: or ``no_work``.
    bound: str = ""
    #: Residual sessions routed to this pool: its own plus any consolidated into it.
    routed_sessions: int = 0
    #: Contracts whose residual work was consolidated into this pool (empty: its own only).
    routed_from: tuple[str, ...] = ()
    #: The licences the routed work needs under the contract's metric (the sizing rule).
    sized_need: int = 0
    #: The licences kept: the sized need, a ``residual.*`` the user gave, or the cap at held.
    kept: int = 0
    #: Why ``kept`` differs from ``sized_need`` (a user figure below it, the cap at held).
    kept_note: str = ""
    #: Erlang B blocking at the recommended pool on the busiest hour's load (a check).
    erlang_b_blocking_at_pool: float = 0.0
    #: The ``pilot.teams`` team whose work this pool carries ("" for the help desk's).
    team: str = ""
    #: Per person with several spellings in the exports (e-mail, id, username, display name):
    #: how many were merged into one (the technician resolver).
    technicians_merged: dict[str, int] = field(default_factory=dict)

    @property
    def in_use_share(self) -> dict[int, float]:
        """Share of pilot time with at least ``n`` in use, for ``n`` = 1, 2, … (under the
        contract's metric: technicians for concurrent pools, sessions for named ones).

        Examples
        --------
        >>> z = size_tool("beyondtrust", np.array([0, 1]), np.array([0, 5]), np.array([10, 10]),
        ...               "UTC", PilotSettings(headroom=0.0))
        >>> z.in_use_share
        {1: 1.0, 2: 0.5}
        """
        return {n: v for n, v in enumerate(self.time_at_or_above) if n >= 1}


def bootstrap_pool(
    rule: Callable[[int, int], int],
    peak: int,
    people: int,
    day_of: np.ndarray,
    tech: np.ndarray,
    daily_peaks: np.ndarray,
    seed: int,
    reps: int = 1000,
) -> tuple[int, int]:
    """5th and 95th percentiles of the pool when the pilot's days are resampled.

    A basic bootstrap (Davison & Hinkley, 1997, §5.2): resample the pilot's days with
    replacement; in each resample, the busiest day's peak and the technicians seen fall short
    of (or match) the whole pilot's by some amount; the pool is re-sized with the evidence
    *raised* by that shortfall (``rule(peak + Δpeak, people + Δpeople)``). A maximum or a count of
    distinct people can only shrink in a resample, so this is how a pilot that happened to
    be quiet shows that the pool could be larger.

    Parameters
    ----------
    rule : callable
        The sizing rule: ``(peak evidence, people) -> licences``.
    peak, people : int
        The evidence of the whole pilot (busiest moment, technicians who did the work).
    day_of : numpy.ndarray
        Day index (0..D-1) of each session.
    tech : numpy.ndarray
        Technician code (0..T-1) of each session.
    daily_peaks : numpy.ndarray
        Peak per day, length D.

    Examples
    --------
    >>> days = np.array([0, 0, 1, 2]); techs = np.array([0, 1, 0, 2])
    >>> bootstrap_pool(lambda pk, ppl: ppl, 2, 3, days, techs, np.array([2, 1, 1]), seed=1)
    (3, 5)
    """
    d = len(daily_peaks)
    if d == 0 or len(tech) == 0:
        return rule(peak, people), rule(peak, people)
    rng = np.random.default_rng(seed)
    incidence = np.zeros((d, int(tech.max()) + 1), dtype=np.int32)
    incidence[day_of, tech] = 1
    chosen = rng.integers(0, d, size=(reps, d))
    present = np.zeros((reps, d), dtype=bool)
    present[np.arange(reps)[:, None], chosen] = True
    people_b = ((present.astype(np.int32) @ incidence) > 0).sum(axis=1)
    peak_b = np.where(present, daily_peaks, 0).max(axis=1)
    full_people = int((incidence.sum(axis=0) > 0).sum())
    full_peak = int(daily_peaks.max())
    pools = np.array(
        [
            rule(peak + full_peak - int(pk), people + full_people - int(pp))
            for pk, pp in zip(peak_b, people_b, strict=True)
        ]
    )
    lo, hi = np.percentile(pools, [5, 95], method="inverted_cdf")
    return int(lo), int(hi)


def _bootstrap_p95(peaks: np.ndarray, seed: int, reps: int = 2000) -> tuple[float, float]:
    if len(peaks) == 0:
        return (0.0, 0.0)
    rng = np.random.default_rng(seed)
    samples = rng.choice(peaks, size=(reps, len(peaks)), replace=True)
    p95 = np.percentile(samples, 95, axis=1)
    lo, hi = np.percentile(p95, [2.5, 97.5])
    return float(lo), float(hi)


def size_tool(
    tool: str,
    tech: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    tz: str,
    settings: PilotSettings | None = None,
    *,
    seed: int = 0,
    span: tuple[int, int] | None = None,
    usage_peak: int | None = None,
    sessions: tuple[np.ndarray, np.ndarray] | None = None,
) -> ToolSizing:
    """Size one incumbent tool's residual pool from its residual sessions, on its contract's
    licence metric (``settings.metric_of(tool)``).

    - **concurrent**: sessions merged per technician; the evidence is the peak of technicians
      at once (the licence-usage report's peak, ``usage_peak``, where given) plus headroom and
      growth, rounded up, and never above the technicians who did the work grown by
      ``growth``. Erlang B at ``settings.target_blocking`` on the busiest hour's load is
      reported beside it as a check of blocking (``erlang_b_servers``,
      ``erlang_b_blocking_at_pool``), not stacked under the headroom.
    - **named**: two pools are sized, *as worked* (every technician who did residual work keeps
      a licence, plus growth only: no headroom over people who do not exist) and *specialist
      team* (the residual work routed to a team as large as the most technicians on it at
      once, plus headroom and growth), rounded up; ``settings.routing`` (``as_worked`` or
      ``specialist_team``) says which is recommended.

    ``bound`` names the rule that decided.

    Parameters
    ----------
    tool : str
        The incumbent's product id (``logmein_resolve``, ``beyondtrust``).
    tech, starts, ends : numpy.ndarray
        Technician codes and complete session intervals (Unix seconds).
    tz : str
        Business time zone for daily peaks.
    settings : PilotSettings, optional
        Erlang B target, headroom, growth, routing and the contract's licence metric
        (default: :class:`PilotSettings` ()).
    seed : int
        Seed of the bootstrap.
    span : (int, int), optional
        First and last instant of the pilot, so days without residual work count as zero.
    usage_peak : int, optional
        The vendor's licence-usage peak (concurrent pools only): the evidence when it is higher
        than the sessions' peak (BeyondTrust logs it only above 90% of licences in use).
    sessions : (numpy.ndarray, numpy.ndarray), optional
        The sessions' own starts and ends, once each, when ``starts``/``ends`` hold one
        interval per person (a transferred session, an invited representative): the peak of
        *sessions* at once counts each session once.

    Examples
    --------
    Two technicians, at most two at once, 50% headroom: 2 × 1.5 = 3, capped at the 2 people.

    >>> z = size_tool("beyondtrust", np.array([0, 1, 0]), np.array([0, 5, 20]),
    ...               np.array([10, 15, 30]), "UTC", PilotSettings(headroom=0.5))
    >>> z.recommended_licenses, z.bound
    (2, 'technicians')
    """
    settings = settings if settings is not None else PilotSettings()
    target_blocking, headroom, growth = (
        settings.target_blocking,
        settings.headroom,
        settings.growth,
    )
    con = contract_for(tool)
    metric = settings.metric_of(con)
    unit = con.unit_for(metric)
    keep = ends > starts  # zero-length sessions (failed connections) hold nothing
    tech, starts, ends = tech[keep], starts[keep], ends[keep]
    n = len(starts)
    # Sort once; every figure below reads these arrays.
    order = np.argsort(starts, kind="stable")
    s_sorted, e_sorted = starts[order], np.sort(ends)
    conc = concurrency_at_starts(s_sorted, e_sorted)
    peak_sessions = int(conc.max()) if n else 0
    if sessions is not None:
        # one interval per person above; sessions themselves count once each
        ss, se = (np.asarray(x, dtype=np.int64) for x in sessions)
        real = se > ss
        ss, se = np.sort(ss[real]), np.sort(se[real])
        peak_sessions = int(concurrency_at_starts(ss, se).max()) if len(ss) else 0
    if n:
        ms, me = _merged_sorted(tech, starts, ends, order, s_sorted, e_sorted)
        mconc = concurrency_at_starts(ms, me)
    else:
        ms, me, mconc = s_sorted, e_sorted, conc
    peak_tech = int(mconc.max()) if n else 0
    distinct = int(np.count_nonzero(np.bincount(tech))) if n else 0  # codes are small ints
    concurrent = metric == "concurrent"
    bs, be, bconc = (ms, me, mconc) if concurrent else (s_sorted, e_sorted, conc)
    first, last = span if span is not None else (None, None)
    daily = _daily_peaks_sorted(bs, be, bconc, tz, first, last)
    biz = daily.business_peaks()
    p95 = float(np.percentile(biz, 95)) if len(biz) else 0.0
    load, _hour = _busy_hour_sorted(bs, be)
    servers = erlang_b_servers(load, target_blocking) if n else 0
    factor = (1 + headroom) * (1 + growth)
    metric_name = "concurrent_technicians" if concurrent else "named_agents"
    people = math.ceil(distinct * (1 + growth) - 1e-9)
    if n == 0:
        recommended, bound = 0, "no_work"
        rule = (
            f"No residual {tool} sessions in the pilot: nothing observed needs a pool. "
            "Keep one only for needs the pilot did not see (e.g. quarterly work)."
        )
    elif concurrent:
        # The pool is the busiest moment's count (the vendor's licence-usage peak when the
        # pilot has one) plus the stated headroom. Erlang B is a check of blocking beside it,
        # not a second layer under the headroom; and a seat nobody could log in to is not
        # headroom, so the pool never exceeds the technicians who did the work (grown by
        # growth, the one thing that may add people).
        # BeyondTrust's LicenseUsage report has rows only above 90% of licences in use: its
        # peak is ground truth when it is higher than the sessions show, never a zero floor
        higher = usage_peak is not None and usage_peak > peak_tech
        evidence = usage_peak if higher else peak_tech
        source = (
            f"the licence-usage report's peak of {usage_peak} licences in use"
            if higher
            else f"the busiest moment's {peak_tech} technicians on residual work at once "
            f"({peak_sessions} sessions)"
        )
        lifted = math.ceil(evidence * factor - 1e-9)
        recommended = min(lifted, people)
        if lifted <= people:
            bound = "licence_usage_peak" if higher else "peak"
            decided = (
                "the licence-usage peak decided"
                if usage_peak is not None
                else "the peak of technicians at once decided"
            )
            tail = (
                f"{evidence}, plus {headroom:.0%} headroom and {growth:.0%} growth, rounded "
                f"up: {recommended} {unit} ({decided})."
            )
        else:
            bound = "technicians"
            tail = (
                f"{evidence}, plus {headroom:.0%} headroom and {growth:.0%} growth, would be "
                f"{lifted}; headroom never lifts the pool above the {distinct} technicians who "
                "did the work"
                + (f" grown by {growth:.0%}" if growth else "")
                + f", so {recommended} {unit} (the technicians who did the work decided)."
            )
        blocking = erlang_b(load, recommended) if recommended else 1.0
        rule = (
            f"{con.short} counts logged-in representatives, so sessions were merged per "
            f"technician first. The pool is {source}: {tail} Check: Erlang B on the busiest "
            f"hour's load of {load:.2f} erlangs gives {blocking:.1%} blocking at "
            f"{recommended} (it needs {servers} for {target_blocking:.0%})."
        )
    else:
        # Named licences belong to people: the pool is the people who did the residual work;
        # headroom over people who do not exist is not defensible, growth (more people doing
        # the work next term) is.
        as_worked = people
        team = math.ceil(peak_tech * factor - 1e-9)
        if settings.routing == "specialist_team":
            recommended, bound = team, "specialist_team"
            rule = (
                f"{con.short} licenses {unit}; with the residual work routed to a "
                f"specialist team (pilot.routing: specialist_team) the team is as large as the "
                f"most technicians on residual work at once, {peak_tech}, plus {headroom:.0%} "
                f"headroom and {growth:.0%} growth, rounded up: {team} {unit} "
                f"(as worked, the {distinct} technicians who did residual work: {as_worked})."
            )
        else:
            recommended, bound = as_worked, "technicians"
            rule = (
                f"{con.short} licenses {unit}, so the pool is the people who must be "
                f"able to do residual work: {distinct} technicians did residual work in the "
                f"pilot (at most {peak_tech} at once)"
                + (
                    f", plus {growth:.0%} growth (pilot.growth), rounded up: {recommended}"
                    if growth
                    else f": {recommended}"
                )
                + f" {unit} (the technicians who did the work decided; no headroom over "
                "people who do not exist)."
                + (
                    f" Routed to a specialist team (pilot.routing: specialist_team) it would be "
                    f"{team}."
                    if team < as_worked
                    else ""
                )
            )
    interval = None
    if n and daily.days.size:
        if concurrent:
            fixed = usage_peak

            def resize(pk: int, ppl: int) -> int:
                evidence = fixed if fixed is not None else pk
                return min(
                    math.ceil(evidence * factor - 1e-9), math.ceil(ppl * (1 + growth) - 1e-9)
                )

        elif settings.routing == "specialist_team":

            def resize(pk: int, ppl: int) -> int:
                return math.ceil(pk * factor - 1e-9)

        else:

            def resize(pk: int, ppl: int) -> int:
                return math.ceil(ppl * (1 + growth) - 1e-9)

        midnights = daily.days.as_unit("s").asi8
        day_of = np.clip(np.searchsorted(midnights, starts, side="right") - 1, 0, None)
        interval = bootstrap_pool(resize, peak_tech, distinct, day_of, tech, daily.peaks, seed=seed)
        interval = (min(interval[0], recommended), max(interval[1], recommended))
    return ToolSizing(
        tool=tool,
        metric=metric_name,
        sessions=n,
        peak_concurrent_sessions=peak_sessions,
        peak_concurrent_technicians=peak_tech,
        distinct_technicians=distinct,
        daily_peak_max=int(biz.max()) if len(biz) else 0,
        daily_peak_p95=p95,
        daily_peak_p95_interval=_bootstrap_p95(biz, seed),
        busy_hour_erlangs=load,
        erlang_b_servers=servers,
        erlang_b_blocking=erlang_b(load, servers) if n else 0.0,
        erlang_c_wait=erlang_c(load, servers) if n and servers else 0.0,
        empirical_blocking=_blocking(bconc, recommended),
        recommended_licenses=recommended,
        rule=rule,
        time_at_or_above=tuple(float(x) for x in _time_at_or_above_sorted(bs, be, bconc)),
        daily=daily,
        as_worked=None if concurrent else people,
        specialist_team=None if concurrent else math.ceil(peak_tech * factor - 1e-9),
        pool_interval=interval,
        unit=unit,
        license_usage_peak=usage_peak,
        bound=bound,
        routed_sessions=n,
        sized_need=recommended,
        kept=recommended,
        erlang_b_blocking_at_pool=(erlang_b(load, recommended) if recommended else 1.0)
        if n
        else 0.0,
    )
