"""Pilot status week by week, checked against a brute-force recomputation of every week.

The synthetic pilot (60 days from Monday 23 November 2026, UTC): on every business day, each
incumbent's residual work is done by min(week, 4) technicians at once (so it grows for four
weeks and then stops changing), plus six Remote Help sessions a day. The oracle recomputes each
week from scratch: the sessions started before the week's end written to a canonical CSV and
read by ``load_pilot`` (the whole pipeline, independently of the status code's cut), and its own
leave-14-days-out subsampling with its own random numbers.
"""

from __future__ import annotations

import datetime as dt
import random

import pandas as pd
import pytest

from rhmodel.core.pilot.status import CHANGE_TOLERANCE, EXTENSION_DAYS, pilot_status
from rhmodel.edges.bundled import load_capabilities
from rhmodel.edges.exports import load_exports
from rhmodel.edges.pilotfiles import load_pilot

T0 = 1_795_392_000  # Monday 23 November 2026 00:00 UTC
DAY = 86_400


def _pilot(days: int = 60, rare: bool = False) -> list[tuple]:
    rows = []
    for d in range(days):
        if d % 7 >= 5:
            continue
        base = T0 + d * DAY
        week = d // 7 + 1
        for tool in ("beyondtrust", "logmein_resolve"):
            for j in range(4 if rare else min(week, 4)):
                s = base + 9 * 3600 + j * 600  # all overlapping: peak = technicians that day
                rows.append(
                    (f"{tool}-{d}-{j}", tool, s, s + 7200, f"{tool[:2]}{j}@contoso.com", "pam")
                )
        if rare and d == 2:  # one technician's only residual session of the whole pilot
            rows.append(
                (
                    "rare",
                    "logmein_resolve",
                    base + 14 * 3600,
                    base + 15 * 3600,
                    "rare@contoso.com",
                    "pam",
                )
            )
        for j in range(6):
            s = base + 8 * 3600 + j * 3600
            rows.append((f"rh-{d}-{j}", "remote_help", s, s + 1200, f"rh{j % 3}@contoso.com", ""))
    return rows


def _csv(rows: list[tuple], path) -> None:
    df = pd.DataFrame(rows, columns=["session_id", "tool", "start", "end", "technician", "reason"])
    for c in ("start", "end"):
        df[c] = [dt.datetime.fromtimestamp(t, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") for t in df[c]]
    df.to_csv(path, index=False)


def _oracle_pool(rows, path):
    _csv(rows, path)
    r = load_pilot([path], load_capabilities())
    return r, {t: s.recommended_licenses for t, s in r.tools.items()}


def _oracle_change(rows, upto_day: int, pool, path, reps: int, seed: int) -> float:
    """Leave 14 of the pilot's days out, re-size through the whole pipeline, count changes."""
    rng = random.Random(seed)
    changed = 0
    for _ in range(reps):
        out = set(rng.sample(range(upto_day), EXTENSION_DAYS))
        kept = [r for r in rows if (r[2] - T0) // DAY not in out]
        if _oracle_pool(kept, path)[1] != pool:
            changed += 1
    return changed / reps


def test_sufficient_from_week_5_and_not_before_against_brute_force(tmp_path):
    rows = _pilot()
    _csv(rows, tmp_path / "pilot.csv")
    status = pilot_status(
        load_exports([tmp_path / "pilot.csv"]),
        load_capabilities(),
        now=T0 + 60 * DAY - 1,
        replicates=20,
    )
    # 60 days from Monday 23 Nov 2026: ISO weeks 2026-W48 .. W53, 2027-W01 .. W03 (4 days)
    assert [w.week for w in status.weeks] == [
        "2026-W48",
        "2026-W49",
        "2026-W50",
        "2026-W51",
        "2026-W52",
        "2026-W53",
        "2027-W01",
        "2027-W02",
        "2027-W03",
    ]
    previous = None
    for i, week in enumerate(status.weeks):
        cut = T0 + (i + 1) * 7 * DAY
        upto = [r for r in rows if r[2] < cut]
        report, pool = _oracle_pool(upto, tmp_path / "cut.csv")
        assert week.pool == pool
        assert week.residual_share == pytest.approx(report.residual_share, abs=1e-12)
        assert week.unexplained == report.unexplained_sessions
        in_week = pd.Series([r[1] for r in upto if r[2] >= cut - 7 * DAY]).value_counts()
        assert week.sessions_by_tool == {t: int(n) for t, n in in_week.items()}
        if previous is not None and pool == previous:
            oracle_p = _oracle_change(
                upto, min((cut - T0) // DAY, 60), pool, tmp_path / "sub.csv", reps=5, seed=i
            )
            assert oracle_p == 0.0 and week.change_probability == 0.0
        expected = previous is not None and pool == previous
        assert week.sufficient is expected, week.week
        previous = pool
    assert [w.sufficient for w in status.weeks] == [False] * 4 + [True] * 5
    # by hand: weeks 1-4 add a technician each (named pool = the technicians, here 1..4)
    assert [w.pool["logmein_resolve"] for w in status.weeks] == [1, 2, 3, 4, 4, 4, 4, 4, 4]
    assert status.sufficient and "sufficient" in status.verdict
    assert status.pilot_days == 60


def test_rare_residual_work_is_not_sufficient_however_stable(tmp_path):
    """One technician's single session on day 3 keeps its licence in the pool; leaving 14 of D
    days out drops that day with probability 14/D (hypergeometric, by hand): never <= 10% here."""
    rows = _pilot(rare=True)
    _csv(rows, tmp_path / "pilot.csv")
    status = pilot_status(
        load_exports([tmp_path / "pilot.csv"]),
        load_capabilities(),
        now=T0 + 60 * DAY - 1,
        replicates=40,
    )
    assert not any(w.sufficient for w in status.weeks)
    for i, week in enumerate(status.weeks[2:], start=2):
        days = min((i + 1) * 7, 60)
        p = EXTENSION_DAYS / days
        assert week.change_probability is not None
        assert abs(week.change_probability - p) <= 3 * (p * (1 - p) / 40) ** 0.5 + 1e-9
        assert week.change_probability > CHANGE_TOLERANCE
    assert not status.sufficient and "keep collecting" in status.verdict


def test_warnings():
    from rhmodel.core.pilot.status import deadline_warning, retention_warning

    start = T0
    # the last Intune fetch on day 10: its sessions leave Intune on day 40; warned from day 33
    assert retention_warning(start + 10 * DAY, start, start + 32 * DAY) is None
    warned = retention_warning(start + 10 * DAY, start, start + 33 * DAY)
    assert (
        warned and "3 December 2026" in warned and "2 January 2027" in warned and "7 days" in warned
    )
    lost = retention_warning(None, start, start + 31 * DAY)
    assert lost and "lost" in lost
    assert deadline_warning(None, {"BeyondTrust": dt.date(2026, 1, 1)}) is None
    two = deadline_warning(
        dt.date(2027, 3, 6),
        {"BeyondTrust": dt.date(2027, 2, 26), "LogMeIn Resolve": dt.date(2027, 3, 1)},
    )
    assert two and two.startswith("The BeyondTrust notice deadline (Friday 26 February 2027)")
    assert "1 more deadline" in two


def test_the_replicates_reduced_inputs_size_the_same_pool_as_every_session():
    """The replicates size the pool on the incumbent sessions and each day's first and last
    Remote Help start (status._pool_inputs); the oracle sizes it on every session, for the
    bundled sample (its device inventory too) with random sets of 14 days left out."""
    import numpy as np

    from rhmodel.core.eligibility import Inventory
    from rhmodel.core.pilot import status as st
    from rhmodel.core.pilot.evidence import summarise_pilot
    from rhmodel.edges.bundled import SAMPLE_PILOT_DIR

    matrix = load_capabilities()
    loaded = load_exports([SAMPLE_PILOT_DIR])
    inventory = Inventory.of([d for x in loaded for d in x.devices])
    loaded = [st._without_devices(x) for x in loaded]
    tz = "Europe/London"
    reduced = st._pool_inputs(loaded, tz)
    assert sum(map(len, (x.sessions for x in reduced))) < sum(len(x.sessions) for x in loaded) / 3
    days = np.unique(
        np.concatenate(
            [st._local_day(x.sessions["start"].to_numpy(), tz) for x in loaded if len(x.sessions)]
        )
    )
    rng = np.random.default_rng(7)
    for _ in range(4):
        out = rng.choice(days, size=EXTENSION_DAYS, replace=False)

        def keep(f, out=out):
            return ~np.isin(st._local_day(f["start"].to_numpy(), tz), out)

        full = summarise_pilot(st._subset(loaded, keep), matrix, inventory=inventory)
        small = summarise_pilot(st._subset(reduced, keep), matrix, inventory=inventory)
        assert st._pool(small) == st._pool(full)
        assert (small.first_start, small.last_start) == (full.first_start, full.last_start)
