"""Pilot status week by week: is the evidence enough to decide yet?

For each ISO week of the pilot (weeks in the pilot's time zone), :func:`pilot_status` reports

- ``sessions_by_tool``: the sessions that started in that week, per tool;
- ``residual_share``, ``unexplained`` and ``pool``: what the pilot would say **if it ended at the
  end of that week** — the share of sessions that still need an incumbent, the incumbent
  sessions nothing explains yet (to chase), and each incumbent's recommended pool (licences),
  each computed by :func:`rhmodel.core.pilot.evidence.summarise_pilot` on the sessions started
  before the week's end: the same computation as ``rhmodel pool``, never a second one.

**Sufficiency.** Days of a pilot are treated as exchangeable: the question "would 14 more days
change the pool?" is answered by the pilot's own days, by subsampling (Politis, Romano & Wolf,
*Subsampling*, 1999): in each of :data:`REPLICATES` replicates, 14 of the pilot's days are drawn
without replacement and left out, and the pool is sized again on the rest; the share of
replicates whose pool differs from the whole pilot's estimates the probability that 14 days more
would change it. (With the days exchangeable, 14 days removed from *D* tell what 14 days added
to *D* − 14 would.) The evidence of a week is **sufficient** when the pool did not move from the
week before and that probability is at most :data:`CHANGE_TOLERANCE`. The pool's bootstrap
interval over pilot days (:class:`~rhmodel.core.pilot.pool.ToolSizing` ``pool_interval``) is
shown beside it.

**Warnings.** Intune keeps Remote Help session metadata about :data:`INTUNE_RETENTION_DAYS`
days: the status warns when the oldest Intune session not yet in the store is within
:data:`RETENTION_MARGIN_DAYS` days of that limit; and when a notice deadline comes before the
pilot's planned end.

Examples
--------
>>> week_label(1_795_392_000, "UTC")  # Monday 23 November 2026
'2026-W48'
>>> retention_warning(None, 1_795_392_000, 1_795_392_000 + 10 * 86_400) is None
True
>>> print(retention_warning(None, 1_795_392_000, 1_795_392_000 + 25 * 86_400))
... # doctest: +NORMALIZE_WHITESPACE
Intune keeps Remote Help sessions about 30 days: the oldest one not yet in the store (from
23 November 2026) is dropped on 23 December 2026, in 5 days — run `rhmodel pilot collect` (or
import an Intune export) before then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, is_dataclass, replace
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from rhmodel.core.capabilities import CapabilityMatrix
from rhmodel.core.eligibility import Inventory
from rhmodel.core.pilot.evidence import PilotReport, summarise_pilot
from rhmodel.core.pilot.sessions import ReasonEntry
from rhmodel.core.pilot.settings import PilotSettings

__all__ = [
    "CHANGE_TOLERANCE",
    "EXTENSION_DAYS",
    "INTUNE_RETENTION_DAYS",
    "REPLICATES",
    "RETENTION_MARGIN_DAYS",
    "PilotStatus",
    "WeekStatus",
    "deadline_warning",
    "pilot_status",
    "retention_warning",
    "week_label",
]

#: Days the sufficiency question looks ahead ("would two more weeks change the answer?").
EXTENSION_DAYS = 14
#: Largest probability of a change in the pool at which the evidence counts as sufficient.
CHANGE_TOLERANCE = 0.10
#: Subsampling replicates per week.
REPLICATES = 40
#: Days Intune keeps Remote Help session metadata (memo §5.4; Microsoft Learn, Remote Help).
INTUNE_RETENTION_DAYS = 30
#: Days before Intune's limit at which the status warns.
RETENTION_MARGIN_DAYS = 7

_DAY = 86_400


@dataclass(frozen=True)
class WeekStatus:
    """One ISO week of the pilot (see the module for what each figure covers)."""

    json_fields = (
        "week",
        "sessions_by_tool",
        "residual_share",
        "unexplained",
        "pool",
        "pool_interval",
        "change_probability",
        "stable_weeks",
        "sufficient",
    )

    week: str
    sessions_by_tool: dict[str, int]
    residual_share: float
    unexplained: int
    #: Incumbent product → recommended licences if the pilot ended this week.
    pool: dict[str, int]
    #: Incumbent product → the pool's bootstrap interval (5th, 95th percentile) over pilot days.
    pool_interval: dict[str, tuple[int, int]]
    #: Probability that 14 more days change the pool (``None`` when the pool moved this week:
    #: not sufficient whatever it is).
    change_probability: float | None
    #: Consecutive weeks before this one with the same pool.
    stable_weeks: int
    sufficient: bool
    #: Unix seconds: the instant this week's figures are cut at (its end).
    cut: int = field(default=0, metadata={"json": False})


@dataclass(frozen=True)
class PilotStatus:
    """The pilot week by week; its JSON keys ``weeks``, ``sufficient``, ``retention_warning``
    and ``deadline_warning`` are a public contract."""

    json_fields = (
        "weeks",
        "sufficient",
        "retention_warning",
        "deadline_warning",
        "verdict",
        "pilot_days",
    )

    weeks: tuple[WeekStatus, ...]
    sufficient: bool
    retention_warning: str | None
    deadline_warning: str | None
    verdict: str
    pilot_days: int


def week_label(t: int, tz: str) -> str:
    """The ISO week (``2026-W48``) of the instant ``t`` (Unix seconds) in ``tz``."""
    iso = pd.Timestamp(t, unit="s", tz="UTC").tz_convert(tz).isocalendar()
    return f"{iso[0]}-W{iso[1]:02d}"


def _long(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%B')} {day.year}"


def retention_warning(
    last_stored: int | None,
    pilot_start: int,
    now: int,
    retention_days: int = INTUNE_RETENTION_DAYS,
    margin_days: int = RETENTION_MARGIN_DAYS,
) -> str | None:
    """The warning when Intune is about to drop sessions the store does not hold, else ``None``.

    Parameters
    ----------
    last_stored : int or None
        Unix seconds up to which Intune's sessions are in the store (the end of the last
        successful Intune fetch, or the latest Remote Help session imported); ``None``: none yet.
    pilot_start : int
        Unix seconds: the pilot's first day (the oldest session that can be missing).
    now : int
        Unix seconds: today.
    """
    oldest = max(pilot_start, last_stored) if last_stored is not None else pilot_start
    drop = oldest + retention_days * _DAY
    left = (drop - now) // _DAY
    if now < drop - margin_days * _DAY:
        return None
    since = dt.datetime.fromtimestamp(oldest, dt.UTC).date()
    on = dt.datetime.fromtimestamp(drop, dt.UTC).date()
    if now >= drop:
        lost_until = dt.datetime.fromtimestamp(now - retention_days * _DAY, dt.UTC).date()
        return (
            f"Intune keeps Remote Help sessions about {retention_days} days: sessions from "
            f"{_long(since)} to {_long(lost_until)} are no longer in Intune and not in the "
            "store — that evidence is lost; run `rhmodel pilot collect` now so no more is."
        )
    return (
        f"Intune keeps Remote Help sessions about {retention_days} days: the oldest one not yet "
        f"in the store (from {_long(since)}) is dropped on {_long(on)}, in {left} days — run "
        "`rhmodel pilot collect` (or import an Intune export) before then."
    )


def deadline_warning(planned_end: dt.date | None, deadlines: Mapping[str, dt.date]) -> str | None:
    """The warning when a notice deadline comes before the pilot's planned end, else ``None``.

    Parameters
    ----------
    planned_end : date or None
        The pilot's planned last day (``None``: the pilot has ended).
    deadlines : mapping
        Contract label → its notice deadline.

    Examples
    --------
    >>> print(deadline_warning(dt.date(2027, 3, 6), {"BeyondTrust": dt.date(2027, 2, 26)}))
    ... # doctest: +NORMALIZE_WHITESPACE
    The BeyondTrust notice deadline (Friday 26 February 2027) comes 8 days before the pilot's
    planned end (6 March 2027): decide on the evidence by then, or end the pilot earlier.
    >>> deadline_warning(dt.date(2027, 3, 6), {"BeyondTrust": dt.date(2027, 4, 1)}) is None
    True
    """
    if planned_end is None:
        return None
    early = sorted((d, name) for name, d in deadlines.items() if d < planned_end)
    if not early:
        return None
    day, name = early[0]
    gap = (planned_end - day).days
    more = (
        f" (and {len(early) - 1} more deadline{'s' if len(early) > 2 else ''} before it)"
        if len(early) > 1
        else ""
    )
    return (
        f"The {name} notice deadline ({day.strftime('%A')} {_long(day)}) comes {gap} day"
        f"{'s' if gap != 1 else ''} before the pilot's planned end ({_long(planned_end)}){more}: "
        "decide on the evidence by then, or end the pilot earlier."
    )


def _subset(loaded: Sequence[Any], keep: Any) -> list[Any]:
    """Each export with only the sessions ``keep(frame)`` selects."""
    out = []
    for x in loaded:
        frame = x.sessions
        sub = frame[keep(frame)] if len(frame) else frame
        if is_dataclass(x) and not isinstance(x, type):
            out.append(replace(x, sessions=sub))
        else:
            out.append(SimpleNamespace(**{**vars(x), "sessions": sub}))
    return out


def _without_devices(x: Any) -> Any:
    if not getattr(x, "devices", ()):
        return x
    if is_dataclass(x) and not isinstance(x, type):
        return replace(x, devices=())
    return SimpleNamespace(**{**vars(x), "devices": ()})


def _pool(report: PilotReport) -> dict[str, int]:
    return {t: int(s.recommended_licenses) for t, s in report.tools.items()}


def _local_day(starts: np.ndarray, tz: str) -> np.ndarray:
    """Local calendar day (days since 1970-01-01) of each start."""
    local = pd.to_datetime(starts, unit="s", utc=True).tz_convert(tz).tz_localize(None)
    return (local.normalize().as_unit("s").asi8 // _DAY).astype(np.int64)


def pilot_status(
    loaded: Sequence[Any],
    matrix: CapabilityMatrix,
    settings: PilotSettings | None = None,
    *,
    now: int | None = None,
    reason_log: Sequence[ReasonEntry] = (),
    inventory: Any = None,
    seed: int = 0,
    replicates: int = REPLICATES,
    last_intune_stored: int | None = None,
    intune_expected: bool = True,
    planned_end: dt.date | None = None,
    deadlines: Mapping[str, dt.date] | None = None,
) -> PilotStatus:
    """The pilot's status per ISO week, its sufficiency and its warnings.

    Parameters
    ----------
    loaded : sequence of LoadedExport
        The pilot's exports and the store's sessions (as :func:`summarise_pilot` takes them).
    matrix, settings, reason_log, inventory, seed
        As for :func:`summarise_pilot`.
    now : int, optional
        Unix seconds of "today" (default: the last session's start): the retention warning's
        clock and the last week shown.
    replicates : int
        Subsampling replicates per week (:data:`REPLICATES`).
    last_intune_stored : int, optional
        Unix seconds up to which Intune's sessions are stored (see :func:`retention_warning`).
    intune_expected : bool
        Whether the pilot collects Intune at all (no retention warning otherwise).
    planned_end, deadlines
        For :func:`deadline_warning`.
    """
    settings = settings if settings is not None else PilotSettings()
    tz = settings.timezone or "UTC"
    found = [d for x in loaded for d in getattr(x, "devices", ())]
    if found:
        # a device export among the exports: its inventory built once, not in every replicate
        inventory = Inventory.of([*(inventory.devices if inventory is not None else ()), *found])
        loaded = [_without_devices(x) for x in loaded]
    frames = [x.sessions for x in loaded if len(x.sessions)]
    starts = (
        np.concatenate([f["start"].to_numpy(dtype=np.int64) for f in frames])
        if frames
        else np.zeros(0, np.int64)
    )
    deadline = deadline_warning(planned_end, deadlines or {})
    if len(starts) == 0:
        return PilotStatus((), False, None, deadline, "no sessions yet: start collecting", 0)
    first, last = int(starts.min()), int(starts.max())
    now = last if now is None else now
    retention = retention_warning(last_intune_stored, first, now) if intune_expected else None
    first_day = int(_local_day(np.array([first]), tz)[0])

    def summarise(sub: list[Any]) -> PilotReport:
        return summarise_pilot(
            sub, matrix, settings, seed=seed, reason_log=reason_log, inventory=inventory
        )

    # week ends: local Monday midnights after the first start, up to the one after `now`
    start_local = pd.Timestamp(first, unit="s", tz="UTC").tz_convert(tz).normalize()
    monday = start_local - pd.Timedelta(days=start_local.day_of_week)
    weeks: list[WeekStatus] = []
    previous: dict[str, int] | None = None
    stable = 0
    cut_local = monday
    # up to today, but not weeks on end after the last session (a pilot that ended long ago)
    end_t = min(max(now, last), last + EXTENSION_DAYS * _DAY)
    while True:
        begin_local, cut_local = cut_local, cut_local + pd.DateOffset(weeks=1)
        begin, cut = int(begin_local.timestamp()), int(cut_local.timestamp())
        upto = _subset(loaded, lambda f, cut=cut: (f["start"] < cut).to_numpy())
        report = summarise(upto)
        in_week = [x.sessions for x in upto if len(x.sessions)]
        week_frame = pd.concat(in_week, ignore_index=True) if in_week else None
        counts: dict[str, int] = {}
        if week_frame is not None:
            mine = week_frame[(week_frame["start"] >= begin).to_numpy()]
            merged = report.records
            mine_ids = set(zip(mine["tool"], mine["session_id"], strict=True))
            ids = zip(merged["tool"], merged["session_id"], strict=True)
            keep = np.fromiter((k in mine_ids for k in ids), bool, len(merged))
            counts = {t: int(n) for t, n in merged.loc[keep, "tool"].value_counts().items()}
            counts = {t: counts[t] for t in report.sessions_by_tool if t in counts}
        pool = _pool(report)
        moved = previous is None or pool != previous
        stable = 0 if moved else stable + 1
        probability = None
        if not moved:
            probability = _change_probability(
                upto, pool, summarise, tz, first_day, seed + len(weeks), replicates
            )
        sufficient = (not moved) and probability is not None and probability <= CHANGE_TOLERANCE
        weeks.append(
            WeekStatus(
                week=week_label(begin, tz),
                sessions_by_tool=counts,
                residual_share=report.residual_share,
                unexplained=report.unexplained_sessions,
                pool=pool,
                pool_interval={
                    t: tuple(s.pool_interval)  # type: ignore[misc]
                    for t, s in report.tools.items()
                    if s.pool_interval is not None
                },
                change_probability=probability,
                stable_weeks=stable,
                sufficient=sufficient,
                cut=cut,
            )
        )
        previous = pool
        if cut > end_t:
            break
    latest = weeks[-1]
    days = int(_local_day(np.array([min(end_t, latest.cut - 1)]), tz)[0]) - first_day + 1
    return PilotStatus(tuple(weeks), latest.sufficient, retention, deadline, _verdict(latest), days)


def _change_probability(
    upto: list[Any],
    pool: dict[str, int],
    summarise: Any,
    tz: str,
    first_day: int,
    seed: int,
    replicates: int,
) -> float:
    """Share of replicates in which leaving out 14 random pilot days changes the pool."""
    last_day = max(
        int(_local_day(x.sessions["start"].to_numpy(dtype=np.int64), tz).max())
        for x in upto
        if len(x.sessions)
    )
    days = np.arange(first_day, last_day + 1)
    if len(days) <= EXTENSION_DAYS:
        return 1.0  # fewer days than the question asks about: nothing to tell it by
    upto = _pool_inputs(upto, tz)
    rng = np.random.default_rng(seed)
    changed = 0
    for _ in range(replicates):
        left_out = rng.choice(days, size=EXTENSION_DAYS, replace=False)

        def keep(f: pd.DataFrame, left_out: np.ndarray = left_out) -> np.ndarray:
            return ~np.isin(_local_day(f["start"].to_numpy(dtype=np.int64), tz), left_out)

        if _pool(summarise(_subset(upto, keep))) != pool:
            changed += 1
    return changed / replicates


def _pool_inputs(loaded: list[Any], tz: str) -> list[Any]:
    """The sessions a pool depends on, for the replicates: every incumbent session, and of
    Remote Help's only each day's first and last start. Remote Help work is never residual; it
    reaches the pool only through the pilot's span (its first and last start, so that days
    without residual work count), which those keep for any set of days left out. Most sessions
    of a pilot are Remote Help's, so each replicate sizes a fraction of them."""

    def keep(f: pd.DataFrame) -> np.ndarray:
        rh = (f["tool"] == "remote_help").to_numpy()
        sel = ~rh
        idx = np.flatnonzero(rh)
        if len(idx):
            starts = f["start"].to_numpy(dtype=np.int64)[idx]
            day = _local_day(starts, tz)
            order = np.lexsort((starts, day))
            d = day[order]
            edge = np.r_[True, d[1:] != d[:-1]] | np.r_[d[1:] != d[:-1], True]
            sel[idx[order][edge]] = True
        return sel

    return _subset(loaded, keep)


def _verdict(week: WeekStatus) -> str:
    if week.sufficient:
        stable = week.stable_weeks
        return (
            f"the pool has not moved for {stable} week{'s' if stable != 1 else ''} and 14 more "
            f"days would change it with a probability of {week.change_probability:.0%}: the "
            "evidence is sufficient"
        )
    if week.change_probability is None:
        return "the pool moved this week: still moving, keep collecting"
    return (
        f"14 more days would change the pool with a probability of "
        f"{week.change_probability:.0%}: still moving, keep collecting"
    )
