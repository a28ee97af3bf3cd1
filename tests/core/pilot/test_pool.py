"""Sizing: concurrency against brute force, Erlang against scipy and the classic table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import poisson

from rhmodel.core.pilot.erlang import erlang_b, erlang_b_servers, erlang_c
from rhmodel.core.pilot.pool import (
    busy_hour_load,
    concurrency_at_starts,
    daily_peaks,
    empirical_blocking,
    merge_by_technician,
    peak_concurrency,
    size_tool,
    time_at_or_above,
)
from rhmodel.core.pilot.settings import PilotSettings

# Small integer times make ties (start == end, equal starts) frequent.
intervals = st.lists(
    st.tuples(st.integers(0, 40), st.integers(0, 15), st.integers(0, 3)),
    min_size=0,
    max_size=30,
).map(
    lambda xs: (
        np.array([s for s, _, _ in xs], dtype=np.int64),
        np.array([s + d for s, d, _ in xs], dtype=np.int64),
        np.array([t for _, _, t in xs], dtype=np.int64),
    )
)


def active_at(starts, ends, t):
    """Brute force: intervals [s, e) containing instant t."""
    return int(np.sum((starts <= t) & (t < ends)))


@settings(max_examples=300, deadline=None)
@given(iv=intervals)
def test_peak_concurrency_brute_force(iv):
    s, e, _ = iv
    brute = max((active_at(s, e, t) for t in range(0, 60)), default=0)
    assert peak_concurrency(s, e) == brute


@settings(max_examples=200, deadline=None)
@given(iv=intervals)
def test_concurrency_at_each_start(iv):
    s, e, _ = iv
    s, e = s[e > s], e[e > s]  # the function's precondition: positive lengths
    order = np.argsort(s, kind="stable")
    conc = concurrency_at_starts(s[order], np.sort(e))
    for i, idx in enumerate(order):
        # sessions that started at or before this one's start (in sort order) and have not ended
        started = order[: i + 1]
        assert conc[i] == int(np.sum(e[started] > s[idx]))


@settings(max_examples=300, deadline=None)
@given(iv=intervals)
def test_technician_merge_brute_force(iv):
    s, e, tech = iv
    ms, me = merge_by_technician(tech, s, e)
    for t in range(0, 60):
        busy_techs = len({int(k) for k, a, b in zip(tech, s, e, strict=True) if a <= t < b})
        assert active_at(ms, me, t) == busy_techs
    # merged intervals of one technician never overlap or touch
    assert peak_concurrency(ms, me) <= len(np.unique(tech)) if len(tech) else True


def test_technician_merge_reduces_the_count():
    # One technician juggling three overlapping sessions holds one BeyondTrust licence.
    tech = np.array([7, 7, 7, 8])
    s = np.array([0, 10, 20, 5])
    e = np.array([30, 25, 40, 15])
    assert peak_concurrency(s, e) == 3  # at 10:00 and at 20:00
    ms, me = merge_by_technician(tech, s, e)
    assert peak_concurrency(ms, me) == 2
    assert sorted(zip(ms.tolist(), me.tolist(), strict=True)) == [(0, 40), (5, 15)]


@settings(max_examples=200, deadline=None)
@given(iv=intervals)
def test_time_at_or_above_brute_force(iv):
    s, e, _ = iv
    s, e = s[e > s], e[e > s]  # zero-length sessions hold nothing and do not widen the span
    if len(s) == 0:
        return
    share = time_at_or_above(s, e)
    lo, hi = int(s.min()), int(e.max())
    levels = np.array([active_at(s, e, t) for t in range(lo, hi)])
    for n in range(len(share)):
        assert share[n] == pytest.approx(np.mean(levels >= n))
    assert np.mean(levels >= len(share)) == 0


@settings(max_examples=200, deadline=None)
@given(iv=intervals, pool=st.integers(0, 5))
def test_empirical_blocking_brute_force(iv, pool):
    s, e, _ = iv
    s, e = s[e > s], e[e > s]  # zero-length sessions are left out by definition
    if len(s) == 0:
        return
    order = np.lexsort((np.arange(len(s)), s))
    blocked = 0
    for i, idx in enumerate(order):
        others = order[:i]
        in_use = int(np.sum(e[others] > s[idx]))
        blocked += in_use >= pool
    assert empirical_blocking(s, e, pool) == pytest.approx(blocked / len(s))


@settings(max_examples=100, deadline=None)
@given(iv=intervals)
def test_busy_hour_brute_force(iv):
    s, e, _ = iv
    scale = 600  # ten-minute units: an hour spans six of them
    s, e = s * scale + 1_800_000_000, e * scale + 1_800_000_000
    if not (e > s).any():
        assert busy_hour_load(s, e) == (0.0, None)
        return
    load, _hour = busy_hour_load(s, e)
    best = 0
    for t in range(int(s.min()) // 3600 * 3600, int(e.max()) + 3600, 3600):
        best = max(best, int(np.clip(np.minimum(e, t + 3600) - np.maximum(s, t), 0, None).sum()))
    assert load == pytest.approx(best / 3600)


def test_daily_peaks_carry_over_midnight_and_dst():
    tz = "Europe/London"
    day = pd.Timestamp("2027-03-27", tz=tz)  # Sat; Sun 28 March 2027 has 23 hours
    ts = lambda text: int(pd.Timestamp(text, tz=tz).tz_convert("UTC").timestamp())  # noqa: E731
    starts = np.array(
        [
            ts("2027-03-27 22:00"),
            ts("2027-03-27 23:30"),
            ts("2027-03-29 09:00"),
            ts("2027-03-29 09:30"),
        ]
    )
    ends = np.array(
        [
            ts("2027-03-28 03:00"),
            ts("2027-03-29 00:30"),
            ts("2027-03-29 10:00"),
            ts("2027-03-29 09:45"),
        ]
    )
    d = daily_peaks(
        starts,
        ends,
        tz,
        first_day=int(day.tz_convert("UTC").timestamp()),
        last_day=ts("2027-03-29 12:00"),
    )
    assert [x.strftime("%Y-%m-%d") for x in d.days] == ["2027-03-27", "2027-03-28", "2027-03-29"]
    # Sunday has no new session but two carried over its midnight; Monday has one carried
    # in (until 00:30) and a peak of two at 09:30.
    assert d.peaks.tolist() == [2, 2, 2]
    assert d.business.tolist() == [False, False, True]
    # the day boundaries are local midnights, 23 hours apart over the DST change
    midnights = pd.DatetimeIndex(d.days).tz_convert("UTC")
    assert (midnights[2] - midnights[1]) == pd.Timedelta(hours=23)


@settings(max_examples=100, deadline=None)
@given(iv=intervals)
def test_daily_peaks_brute_force_utc(iv):
    s, e, _ = iv
    if len(s) == 0:
        return
    hour = 3600
    s, e = (
        s * hour + 1_800_000_000 - 1_800_000_000 % 86_400,
        e * hour + 1_800_000_000 - 1_800_000_000 % 86_400,
    )
    d = daily_peaks(s, e, "UTC")
    for day, peak in zip(d.days, d.peaks, strict=True):
        t0 = int(day.timestamp())
        instants = [t0, *[int(x) for x in s if t0 <= x < t0 + 86_400]]
        assert peak == max(active_at(s, e, t) for t in instants)


@pytest.mark.parametrize(("load", "servers"), [(10.0, 18), (20.0, 30), (100.0, 117)])
def test_erlang_b_classic_table(load, servers):
    assert erlang_b_servers(load, 0.01) == servers
    assert erlang_b(load, servers) <= 0.01 < erlang_b(load, servers - 1)


@settings(max_examples=200, deadline=None)
@given(load=st.floats(0.01, 250), servers=st.integers(0, 300))
def test_erlang_b_equals_the_poisson_identity(load, servers):
    expected = poisson.pmf(servers, load) / poisson.cdf(servers, load)
    assert erlang_b(load, servers) == pytest.approx(expected, rel=1e-9, abs=1e-300)


@settings(max_examples=100, deadline=None)
@given(load=st.floats(0.01, 100), servers=st.integers(1, 200))
def test_erlang_c_formula(load, servers):
    if servers <= load:
        assert erlang_c(load, servers) == 1.0
        return
    # Erlang C from its textbook sum, independently of Erlang B
    terms = [poisson.pmf(k, load) for k in range(servers)]
    top = poisson.pmf(servers, load) * servers / (servers - load)
    assert erlang_c(load, servers) == pytest.approx(top / (sum(terms) + top), rel=1e-7)
    assert erlang_c(load, servers) >= erlang_b(load, servers)


def test_recommendations_follow_each_licence_metric():
    tech = np.array([0, 0, 1, 2, 3])
    s = np.array([0, 100, 50, 5000, 9000]) + 1_800_000_000
    e = s + np.array([200, 200, 100, 100, 100])
    bt = size_tool("beyondtrust", tech, s, e, "UTC", PilotSettings(headroom=0.0))
    lmi = size_tool("logmein_resolve", tech, s, e, "UTC", PilotSettings(headroom=0.5, growth=0.1))
    assert bt.peak_concurrent_sessions == 3 and bt.peak_concurrent_technicians == 2
    # the peak of 2 technicians at once, no headroom; Erlang B is reported beside it only
    assert bt.recommended_licenses == 2 and bt.bound == "peak"
    assert lmi.distinct_technicians == 4
    # 4 people plus 10% growth; headroom does not add people who do not exist
    assert lmi.recommended_licenses == int(np.ceil(4 * 1.1)) and lmi.bound == "technicians"
    assert "named agents" in lmi.rule and "logged-in representatives" in bt.rule
    none = size_tool("beyondtrust", tech[:0], s[:0], e[:0], "UTC")
    assert none.recommended_licenses == 0 and "No residual" in none.rule


@settings(max_examples=200, deadline=None)
@given(iv=intervals)
def test_size_tool_shortcuts_equal_the_plain_functions(iv):
    # size_tool sorts once and derives the merged intervals from the sorted sessions; the
    # public functions do each step from scratch. Both must agree.
    s, e, tech = iv
    s, e = s + 1_800_000_000, e + 1_800_000_000
    for tool in ("beyondtrust", "logmein_resolve"):
        z = size_tool(tool, tech, s, e, "UTC", PilotSettings(headroom=0.0))
        ms, me = merge_by_technician(tech[e > s], s[e > s], e[e > s])
        assert z.peak_concurrent_sessions == peak_concurrency(s, e)
        assert z.peak_concurrent_technicians == peak_concurrency(ms, me)
        bs, be = (ms, me) if tool == "beyondtrust" else (s, e)
        assert list(z.time_at_or_above) == pytest.approx(list(time_at_or_above(bs, be)))
        assert z.busy_hour_erlangs == pytest.approx(busy_hour_load(bs, be)[0])
        assert z.empirical_blocking == pytest.approx(
            empirical_blocking(bs, be, z.recommended_licenses)
        )
        if (e > s).any():
            d = daily_peaks(bs, be, "UTC")
            assert z.daily.peaks.tolist() == d.peaks.tolist()


def test_bootstrap_pool_widens_only_when_the_pilot_could_have_missed_people():
    import math

    from rhmodel.core.pilot.pool import bootstrap_pool

    def rule(people: int, _peak: int = 0) -> int:
        return math.ceil(people * 1.2 - 1e-9)

    # technician 0 works all 20 days; technicians 1..5 each appear on one day only
    days = np.array([*range(20), 3, 7, 11, 15, 19])
    techs = np.array([0] * 20 + [1, 2, 3, 4, 5])
    peaks = np.ones(20, dtype=np.int64)
    lo, hi = bootstrap_pool(lambda pk, ppl: rule(ppl), 1, 6, days, techs, peaks, seed=3)
    # a resample misses a one-day technician with probability (19/20)^20 = 0.36, so resamples
    # fall short by about 1.8 people: the pool could have needed more than rule(6) = 8
    assert lo == rule(6) and hi > rule(6)
    # everyone works every day: no resample can fall short, the interval is the pool itself
    every = np.repeat(np.arange(20), 3)
    assert bootstrap_pool(
        lambda pk, ppl: rule(ppl), 3, 3, every, np.tile([0, 1, 2], 20), peaks * 3, seed=3
    ) == (
        rule(3),
        rule(3),
    )
