"""A pool follows its contract's licence metric, not its vendor; and the pilot settings are one
value built from the parameters.

The hand case: six technicians, one day, whose residual sessions overlap so that at most three
are logged in at once (technician ``a`` runs two sessions at once, so four sessions are open at
the busiest moment). The same sessions are sized once as **named** (the pool is the six people
who did the work) and once as **concurrent** (sessions merged per technician; the peak of
technicians at once is the lower bound, Erlang B on the busiest hour's load the pool, capped at
the six, plus headroom). Every expected figure comes from brute force here, minute by minute,
and Erlang B from scipy's Poisson distribution — never from the library under test.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import poisson

from rhmodel.core.jsonable import jsonable
from rhmodel.core.params import SCHEMA, spec
from rhmodel.core.pilot.erlang import DEFAULT_TARGET_BLOCKING
from rhmodel.core.pilot.evidence import summarise_pilot
from rhmodel.core.pilot.pool import size_tool
from rhmodel.core.pilot.settings import PilotSettings
from rhmodel.core.products import CONTRACTS, contract_for
from rhmodel.edges.exports import load_exports
from rhmodel.edges.exports.frame import LoadedExport
from rhmodel.edges.paramfile import load_parameters
from rhmodel.edges.pilotfiles import load_pilot, pilot_report
from tests.conftest import params_from
from tests.strategies import contract_metrics

#: 2026-11-24 09:00 UTC, a Tuesday (a business day).
T0 = 1_795_510_800
#: (technician, start, end) in minutes after 09:00.
SESSIONS = [
    ("a", 0, 30),
    ("a", 20, 50),  # a's second session at once: still one person logged in
    ("b", 10, 40),
    ("c", 25, 45),  # 25–29: a (twice), b, c — 4 sessions, 3 technicians
    ("d", 60, 90),
    ("e", 70, 100),
    ("f", 120, 150),
    ("a", 130, 140),
]
TOOL = "logmein_resolve"  # sold both named (its default) and concurrent
CONTRACT = contract_for(TOOL)


def _arrays(sessions=SESSIONS):
    names = sorted({t for t, _, _ in sessions})
    tech = np.array([names.index(t) for t, _, _ in sessions], dtype=np.int64)
    starts = np.array([T0 + 60 * s for _, s, _ in sessions], dtype=np.int64)
    ends = np.array([T0 + 60 * e for _, _, e in sessions], dtype=np.int64)
    return tech, starts, ends


def _minutes(sessions):
    return range(min(s for _, s, _ in sessions), max(e for _, _, e in sessions) + 1)


def brute_distinct(sessions) -> int:
    return len({t for t, s, e in sessions if e > s})


def brute_peak_technicians(sessions) -> int:
    """The most technicians with a session open at any whole minute (times are whole minutes,
    so a peak, which starts at a session's start, is at one of them)."""
    return max(len({t for t, s, e in sessions if s <= m < e}) for m in _minutes(sessions))


def brute_peak_sessions(sessions) -> int:
    return max(sum(1 for _, s, e in sessions if s <= m < e) for m in _minutes(sessions))


def brute_busy_hour_erlangs(sessions) -> float:
    """Busiest clock hour's load: technician-minutes logged in (a technician counts once
    however many sessions they have open) / 60."""
    busy: dict[int, int] = {}
    for m in _minutes(sessions):
        logged_in = len({t for t, s, e in sessions if s <= m < e})
        busy[m // 60] = busy.get(m // 60, 0) + logged_in
    return max(busy.values()) / 60


def scipy_erlang_b_servers(load: float, target: float) -> int:
    """Smallest c with Erlang B(c, A) = P(N = c) / P(N <= c), N ~ Poisson(A), at most target."""
    c = 0
    while poisson.pmf(c, load) / poisson.cdf(c, load) > target:
        c += 1
    return c


def oracle_concurrent(sessions, s: PilotSettings) -> int:
    """pool.py's concurrent rule (issue 20), from the brute-force evidence: the peak of
    technicians at once plus headroom and growth, never above the technicians who did the work
    grown by ``growth``. Erlang B is a check beside it, not stacked under the headroom."""
    people = brute_distinct(sessions)
    factor = (1 + s.headroom) * (1 + s.growth)
    peak = brute_peak_technicians(sessions)
    return min(math.ceil(peak * factor - 1e-9), math.ceil(people * (1 + s.growth) - 1e-9))


def oracle_named(sessions, s: PilotSettings) -> int:
    """Every technician who did residual work keeps a licence, plus growth only (issue 20: no
    headroom over people who do not exist)."""
    return math.ceil(brute_distinct(sessions) * (1 + s.growth) - 1e-9)


def test_the_hand_case_brute_force_figures():
    # the figures the docstring promises, counted by the oracles themselves
    assert brute_distinct(SESSIONS) == 6
    assert brute_peak_technicians(SESSIONS) == 3
    assert brute_peak_sessions(SESSIONS) == 4
    assert brute_busy_hour_erlangs(SESSIONS) == pytest.approx(100 / 60)  # a 50, b 30, c 20
    assert scipy_erlang_b_servers(100 / 60, 0.01) == 6
    assert scipy_erlang_b_servers(100 / 60, 0.10) == 4


@pytest.mark.parametrize(
    ("knobs", "named", "concurrent"),
    [
        # the peak of 3 plus 20% headroom is 4 seats (Erlang B's 6 is only a check); the 6
        # people who did the work are 6 named agents (no headroom over people)
        ({}, 6, 4),
        ({"target_blocking": 0.10}, 6, 4),
        ({"target_blocking": 0.10, "headroom": 0.0}, 6, 3),
        # growth lifts both: 6 × 1.5 = 9 named, 3 × 1.5 = 4.5 → 5 seats
        ({"target_blocking": 0.10, "headroom": 0.0, "growth": 0.5}, 9, 5),
    ],
)
def test_the_same_sessions_sized_named_and_concurrent(knobs, named, concurrent):
    tech, starts, ends = _arrays()
    base = PilotSettings(**knobs)
    as_named = size_tool(TOOL, tech, starts, ends, "UTC", base)
    as_concurrent = size_tool(
        TOOL, tech, starts, ends, "UTC", base.overriding(licence_metrics={"logmein": "concurrent"})
    )
    # named: the distinct technicians who did the work
    assert as_named.metric == "named_agents"
    assert as_named.distinct_technicians == brute_distinct(SESSIONS)
    assert as_named.recommended_licenses == oracle_named(SESSIONS, base) == named
    # concurrent: the peak of technicians at once is the lower bound; Erlang B sizes the pool
    assert as_concurrent.metric == "concurrent_technicians"
    assert as_concurrent.peak_concurrent_technicians == brute_peak_technicians(SESSIONS)
    assert as_concurrent.peak_concurrent_sessions == brute_peak_sessions(SESSIONS)
    assert as_concurrent.busy_hour_erlangs == pytest.approx(brute_busy_hour_erlangs(SESSIONS))
    assert as_concurrent.erlang_b_servers == scipy_erlang_b_servers(
        brute_busy_hour_erlangs(SESSIONS), base.target_blocking
    )
    assert as_concurrent.recommended_licenses == oracle_concurrent(SESSIONS, base) == concurrent
    assert as_concurrent.recommended_licenses >= brute_peak_technicians(SESSIONS)
    # the prose names the contract and its unit under the metric used, not a fixed vendor
    assert as_named.rule.startswith(f"{CONTRACT.short} licenses named agents, so the pool")
    assert as_concurrent.rule.startswith(f"{CONTRACT.short} counts logged-in representatives")
    assert f"{concurrent} concurrent agents" in as_concurrent.rule
    assert jsonable(as_concurrent)["metric"] == "concurrent_technicians"
    assert (as_named.unit, as_concurrent.unit) == ("named agents", "concurrent agents")


def test_a_named_pool_routed_to_a_specialist_team_is_the_peak_at_once():
    tech, starts, ends = _arrays()
    team = size_tool(
        TOOL, tech, starts, ends, "UTC", PilotSettings(headroom=0.0, routing="specialist_team")
    )
    assert team.recommended_licenses == brute_peak_technicians(SESSIONS) == 3
    assert (team.as_worked, team.specialist_team) == (6, 3)


@settings(max_examples=150, deadline=None)
@given(
    chosen=contract_metrics,
    raw=st.lists(
        st.tuples(st.sampled_from("abcdef"), st.integers(0, 180), st.integers(1, 90)),
        min_size=1,
        max_size=25,
    ),
)
def test_every_contract_follows_the_metric_it_is_given(chosen, raw):
    con, metric = chosen
    sessions = [(t, s, s + d) for t, s, d in raw]
    tech, starts, ends = _arrays(sessions)
    s = PilotSettings(headroom=0.0, licence_metrics={con.name: metric})
    z = size_tool(con.product, tech, starts, ends, "UTC", s)
    assert z.metric == {"named": "named_agents", "concurrent": "concurrent_technicians"}[metric]
    assert z.distinct_technicians == brute_distinct(sessions)
    assert z.peak_concurrent_technicians == brute_peak_technicians(sessions)
    if metric == "named":
        assert z.recommended_licenses == oracle_named(sessions, s)
    else:
        assert z.busy_hour_erlangs == pytest.approx(brute_busy_hour_erlangs(sessions))
        assert z.recommended_licenses == oracle_concurrent(sessions, s)
        assert brute_peak_technicians(sessions) <= z.recommended_licenses
        assert z.recommended_licenses <= brute_distinct(sessions)
    assert f" {con.unit_for(metric)}" in z.rule


def _lmi_export(path):
    path.write_text(
        "Session ID,Start Time,End Time,Technician Email,Session Type\n"
        + "".join(
            f"s{i},{_iso(s)},{_iso(e)},{who}@example.com,Unattended\n"
            for i, (who, s, e) in enumerate(SESSIONS)
        )
    )
    return path


def _iso(minute: int) -> str:
    return f"2026-11-24T{9 + minute // 60:02d}:{minute % 60:02d}:00Z"


def test_the_parameters_metric_reaches_the_pool(write_params, tmp_path):
    """``logmein.licence_metric: concurrent`` in a parameters file sizes the LogMeIn pool on
    technicians at once, through pilot_report → load_pilot → summarise_pilot → size_tool."""
    _lmi_export(tmp_path / "lmi.csv")
    named = load_parameters(write_params("pilot: {files: [lmi.csv], headroom: 0}\n"))
    conc = load_parameters(
        write_params(
            "logmein: {licence_metric: concurrent}\n"
            "pilot: {files: [lmi.csv], headroom: 0, target_blocking: 0.1}\n",
            "q.yaml",
        )
    )
    by_named = pilot_report(named).tools[TOOL]
    by_conc = pilot_report(conc).tools[TOOL]
    assert by_named.metric == "named_agents" and by_named.recommended_licenses == 6
    # the peak of 3 technicians at once, no headroom (Erlang B at 10% would say 4: a check only)
    assert by_conc.metric == "concurrent_technicians" and by_conc.recommended_licenses == 3
    assert pilot_report(conc).settings == PilotSettings.from_parameters(conc)
    assert jsonable(pilot_report(conc))["settings"]["licence_metrics"]["logmein"] == "concurrent"


def test_a_licence_usage_report_is_the_truth_of_any_concurrent_pool(tmp_path, matrix):
    """A licence-usage report is attached to the contract it measures when that contract is
    sized concurrent, whichever vendor; a named pool does not use it (and says so)."""
    loaded = load_exports([_lmi_export(tmp_path / "lmi.csv")], "UTC", None)
    empty = loaded[0].sessions.iloc[:0]
    usage = LoadedExport(
        str(tmp_path / "usage.xml"), f"{CONTRACT.name}_license_usage", empty, license_usage_peak=5
    )
    exports = [*loaded, usage]
    concurrent = PilotSettings(licence_metrics={"logmein": "concurrent"})
    r = summarise_pilot(exports, matrix, concurrent)
    assert r.tools[TOOL].license_usage_peak == 5
    named = summarise_pilot(exports, matrix, PilotSettings())
    assert named.tools[TOOL].license_usage_peak is None
    assert any("usage.xml" in w and "named" in w for w in named.warnings)


def test_pilot_settings_from_parameters():
    p = params_from(
        """\
        logmein: {licence_metric: concurrent}
        pilot:
          target_blocking: 0.02
          headroom: 0.3
          growth: 0.1
          routing: specialist_team
          tenant_domains: [example.com, example.org]
          timezone: Europe/London
          date_order: dmy
          days: 30
        """
    )
    s = PilotSettings.from_parameters(p)
    assert s == PilotSettings(
        target_blocking=0.02,
        headroom=0.3,
        growth=0.1,
        routing="specialist_team",
        tenant_domains=("example.com", "example.org"),
        timezone="Europe/London",
        date_order="dmy",
        days=30,
        licence_metrics={"logmein": "concurrent"},
    )
    assert s.metric_of("logmein") == s.metric_of(TOOL) == "concurrent"
    assert all(s.metric_of(c) == c.metric for c in CONTRACTS if c.name != "logmein")
    assert hash(s) == hash(PilotSettings.from_parameters(p))  # the pilot cache's key
    # the defaults are the schema's: an empty file gives PilotSettings()
    assert PilotSettings.from_parameters(params_from("")) == PilotSettings()
    assert (
        PilotSettings.from_parameters(params_from("pilot: {date_order: auto}")).date_order is None
    )


def test_the_erlang_target_has_one_default():
    assert PilotSettings().target_blocking == DEFAULT_TARGET_BLOCKING == 0.01
    assert spec("pilot.target_blocking").default == DEFAULT_TARGET_BLOCKING
    # every contract's metric key is in the schema, defaulting to the product's own metric
    keys = {s.key: s for s in SCHEMA}
    assert all(keys[c.metric_key].default == c.metric for c in CONTRACTS)


def test_command_line_options_override_the_settings(tmp_path, matrix):
    f = _lmi_export(tmp_path / "lmi.csv")
    s = PilotSettings(headroom=0.0, licence_metrics={"logmein": "concurrent"})
    r = load_pilot([f], matrix, s, headroom=0.5, routing=None)
    assert r.settings == replace(s, headroom=0.5)
    assert r.tools[TOOL].metric == "concurrent_technicians"


@pytest.mark.parametrize(
    "bad",
    [
        {"target_blocking": 0.0},
        {"target_blocking": 1.0},
        {"headroom": -0.1},
        {"routing": "round_robin"},
        {"date_order": "ymd"},
        {"licence_metrics": {"beyondtrust": "named"}},  # sold concurrent only
        {"licence_metrics": {"logmein": "per_device"}},
    ],
)
def test_pilot_settings_refuse_what_no_rule_sizes(bad):
    with pytest.raises(ValueError):
        PilotSettings(**bad)
