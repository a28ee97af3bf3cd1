"""Issue 20: plans that can be carried out.

Every kept pool is sized from the work routed to it (brute-force oracles below), accepting a
reason gives work up, the recommendation is the best plan at the timing it can happen, and the
headline NPV lies inside its own P10–P90.

The pilot sessions here are built as the loaders' common frame (:data:`COLUMNS`), not as a
vendor file: what is under test is the sizing of routed work, which every loader feeds alike.
"""

from __future__ import annotations

import datetime as dt
import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from rhmodel.core.document import parse_yaml
from rhmodel.core.money.capacity import plan_capacity
from rhmodel.core.money.evaluation import evaluate
from rhmodel.core.money.plans import timed_plan
from rhmodel.core.money.scenarios import analyse
from rhmodel.core.params.structured import Invalid
from rhmodel.core.pilot.evidence import (
    PilotSettings,
    routed_sizing,
    summarise_pilot,
    with_pilot_pool,
)
from rhmodel.core.pilot.sessions import COLUMNS
from rhmodel.core.pilot.teams import parse_teams
from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE, load_capabilities
from rhmodel.edges.paramfile import load_parameters, parse_parameters

T0 = 1_800_000_000  # a Thursday in January 2027, 08:00 UTC
MATRIX = load_capabilities()


def _frame(rows: list[tuple[str, str, int, int, str]]) -> pd.DataFrame:
    """Sessions ``(tool, technician, start minute, end minute, reason)`` as the loaders'
    frame."""
    data = {c: [""] * len(rows) for c in COLUMNS}
    data["session_id"] = [f"s{i}" for i in range(len(rows))]
    data["tool"] = [r[0] for r in rows]
    data["technician"] = [r[1] for r in rows]
    data["start"] = [T0 + 60 * r[2] for r in rows]
    data["end"] = [T0 + 60 * r[3] for r in rows]
    data["reason"] = [r[4] for r in rows]
    data["line"] = list(range(2, len(rows) + 2))
    data["file"] = ["pilot.csv"] * len(rows)
    df = pd.DataFrame(data)
    df["start"] = df["start"].astype(np.int64)
    df["end"] = df["end"].astype(np.int64)
    return df


def _report(rows, **knobs):
    loaded = [SimpleNamespace(path="pilot.csv", format="test", sessions=_frame(rows))]
    return summarise_pilot(loaded, MATRIX, PilotSettings(**knobs))


def _params(d: dict):
    return parse_parameters(parse_yaml(yaml.safe_dump(d), "p.yaml"))


def brute_peak_technicians(rows) -> int:
    """Most distinct technicians with a session in progress at any minute (half-open)."""
    if not rows:
        return 0
    last = max(r[3] for r in rows)
    return max(len({r[1] for r in rows if r[2] <= m < r[3]}) for m in range(last + 1))


BOTH = {
    "start_date": "2027-01-01",
    "discount_rate": 0.0,
    "logmein": {"agents": 30, "price_per_agent_month": 40, "months_to_renewal": 2},
    "beyondtrust": {"concurrent_seats": 8, "price_per_seat_year": 2400, "months_to_renewal": 2},
    # the pilot has finished: nothing waits for it
    "pilot": {"end_date": "2026-12-15", "headroom": 0.0},
}

# BeyondTrust's own residual work (PAM, which only BeyondTrust covers): at most 2 at once.
BT_OWN = [
    ("beyondtrust", "b1", 0, 60, "pam"),
    ("beyondtrust", "b2", 30, 90, "pam"),
    ("beyondtrust", "b3", 200, 260, "pam"),
]
# LogMeIn's external work (customer care): 5 technicians, 4 of them at once around minute 40.
LMI_EXTERNAL = [
    ("logmein_resolve", "c1", 10, 70, "external"),
    ("logmein_resolve", "c2", 20, 80, "external"),
    ("logmein_resolve", "c3", 35, 95, "external"),
    ("logmein_resolve", "c4", 40, 50, "external"),
    ("logmein_resolve", "c5", 300, 400, "external"),
]


def _pilot_params(rows, d=BOTH, **knobs):
    report = _report(rows, **{"headroom": 0.0, **knobs})
    return with_pilot_pool(_params(d), report), report


def test_consolidating_external_work_sizes_the_concurrent_pool_from_the_merged_work():
    rows = BT_OWN + LMI_EXTERNAL
    p, report = _pilot_params(rows)
    own = brute_peak_technicians(BT_OWN)
    merged = brute_peak_technicians(rows)
    assert (own, merged) == (2, 6)  # b1, b2 and c1–c4 at minute 40
    assert p["residual.beyondtrust_seats"] == own
    z = routed_sizing(report, "beyondtrust", ("logmein",))
    assert z.sized_need == merged and z.routed_sessions == len(rows) and z.bound == "peak"
    a = analyse(p, MATRIX)
    name = "logmein_consolidate+beyondtrust_right_size"
    assert a.option(name).keep["beyondtrust"] == merged
    pools = {x.contract: x for x in a.capacity[name].pools}
    assert pools["beyondtrust"].sized_need == merged
    assert pools["beyondtrust"].routed_from == ("logmein",)
    # priced at the receiving contract's price: after both renewals (month 3) LogMeIn costs
    # nothing and BeyondTrust 6 seats × 2,400 / 12 a month, over 34 months; discount 0
    before = 30 * 40 + 8 * 200
    hand = 34 * (before - merged * 200)
    assert a.option_npv[name] == pytest.approx(hand)
    # renewing BeyondTrust as it is while LogMeIn's work moves in: 8 seats carry the 6 needed
    renew = "logmein_consolidate+beyondtrust_renew"
    assert a.option(renew).keep["beyondtrust"] == 8
    assert a.option_npv[renew] == pytest.approx(34 * 30 * 40)


def test_a_renewed_pool_too_small_for_the_moved_work_grows_and_is_priced():
    # 10 customer-care technicians at once: more than the 8 BeyondTrust seats held
    care = [("logmein_resolve", f"c{i}", 10 + i, 100, "external") for i in range(10)]
    rows = BT_OWN + care
    p, _ = _pilot_params(rows)
    merged = brute_peak_technicians(rows)
    assert merged == 12
    a = analyse(p, MATRIX)
    renew = "logmein_consolidate+beyondtrust_renew"
    assert a.option(renew).keep["beyondtrust"] == merged
    assert "grows from 8 to 12" in a.option(renew).why
    # from month 3: LogMeIn cancelled, BeyondTrust at 12 seats instead of 8 (4 × 200 more)
    assert a.option_npv[renew] == pytest.approx(34 * (30 * 40 - 4 * 200))


def test_a_user_residual_below_the_routed_need_is_honoured_and_flagged():
    rows = BT_OWN + LMI_EXTERNAL
    report = _report(rows, headroom=0.0)
    d = {**BOTH, "residual": {"beyondtrust_seats": 1}}
    p = with_pilot_pool(_params(d), report)
    cap = plan_capacity(p, "logmein_consolidate+beyondtrust_right_size")
    pool = next(x for x in cap.pools if x.contract == "beyondtrust")
    # the user's 1 plus the 4 the moved work adds (6 − 2): 5, below the 6 it needs
    assert pool.kept == 5 and pool.sized_need == 6 and pool.bound == "given"
    assert "below the 6 concurrent seats the routed work needs" in pool.note


UNATTENDED = [("logmein_resolve", f"u{i}", 10 * i, 10 * i + 30, "unattended") for i in range(6)]
EXTERNAL = [
    ("logmein_resolve", "u0", 500, 560, "external"),
    ("logmein_resolve", "x1", 520, 600, "external"),
]
ONE = {
    "start_date": "2027-01-01",
    "discount_rate": 0.0,
    "logmein": {"agents": 70, "price_per_agent_month": 40, "months_to_renewal": 2},
    "pilot": {"end_date": "2026-12-15"},
}


def test_accepting_a_reason_shrinks_the_pool_to_the_technicians_of_the_remaining_work():
    rows = UNATTENDED + EXTERNAL
    p, _ = _pilot_params(rows, ONE)
    assert p["residual.logmein_agents"] == 7  # u0–u5 and x1
    accepted = with_pilot_pool(
        _params({**ONE, "decision": {"accept": ["unattended"]}}), _report(rows)
    )
    # the remaining (external) work was done by u0 and x1
    assert accepted["residual.logmein_agents"] == len({r[1] for r in EXTERNAL}) == 2
    a = analyse(accepted, MATRIX)
    assert a.option("right_size").keep["logmein"] == 2
    # accepting everything leaves nothing to carry: the pool is cancelled
    every = with_pilot_pool(
        _params({**ONE, "decision": {"accept": ["unattended", "external"]}}), _report(rows)
    )
    assert every["residual.logmein_agents"] == 0
    assert analyse(every, MATRIX).recommended == "cancel"


def test_a_plan_negative_at_feasible_timing_is_not_recommended_and_the_deadline_is_priced():
    # 36-month terms: missing the first renewal locks in three more years of the old contract
    d = {
        "start_date": "2026-12-01",
        "discount_rate": 0.0,
        "logmein": {
            "agents": 100,
            "price_per_agent_month": 50,
            "months_to_renewal": 3,
            "term_months": 36,
            "notice_days": 60,
        },
        "residual": {"logmein_agents": 10},
        "transition": {"deployment_cost": 60_000},
        "pilot": {"days": 45},  # ends 15 January 2027
    }
    a = analyse(_params(d), MATRIX)
    # at the first renewal (1 March 2027, months 4–36): cancel saves 33 × 100 × 50 − 60,000
    assert a.option_npv["cancel"] == pytest.approx(33 * 5000 - 60_000)
    assert a.best_at_first_renewal == "cancel"
    # the notice deadline: term ends 28 February 2027, minus 60 days = Wednesday 30 December
    # 2026, before the pilot ends: the change slips to 1 March 2030, beyond the horizon, and
    # only the transition cost is left
    assert a.option_npv_timed["cancel"] == pytest.approx(-60_000)
    assert a.recommended == "status_quo"
    plan = timed_plan(a)
    assert plan.name == "status_quo" and plan.npv == 0
    assert plan.pilot_deadline == dt.date(2027, 2, 28) - dt.timedelta(days=60)
    assert plan.pilot_deadline == dt.date(2026, 12, 30)
    assert plan.value_of_meeting_deadline == pytest.approx(33 * 5000 - 60_000 - 0)
    assert plan.deadline_plan == "cancel" and plan.deadline_renewal == dt.date(2027, 3, 1)
    assert plan.deadline_sentence == (
        "End the pilot by 30 December 2026 to make the March 2027 renewal: worth US$105,000 more."
    )


def test_the_headline_lies_inside_its_own_p10_p90_on_the_sample():
    e = evaluate(load_parameters(SAMPLE_PARAMS_FILE), MATRIX, draws=4000, seed=2)
    sim = e.simulation
    assert sim is not None and sim.plan is not None and sim.plan.name == e.plan.name
    assert sim.plan.p10 <= e.plan.npv <= sim.plan.p90


def test_the_headline_lies_inside_its_own_p10_p90_when_the_first_renewal_is_missed():
    # a 100-day pilot ends 11 March 2027, after LogMeIn's notice deadline of 1 March
    p = load_parameters(SAMPLE_PARAMS_FILE, ["pilot.days=100"])
    e = evaluate(p, MATRIX, draws=4000, seed=2)
    assert not e.plan.feasible and e.plan.npv < e.plan.npv_first_renewal
    sim = e.simulation
    assert sim is not None and sim.plan is not None
    assert sim.plan.p10 <= e.plan.npv <= sim.plan.p90
    # the tornado describes the same plan: at base, every bar's ends straddle the headline
    for bar in e.sensitivity:
        lo, hi = sorted((bar.npv_low, bar.npv_high))
        assert lo - 1e-6 <= e.plan.npv <= hi + 1e-6
    # and so do the figures beside it (savings, payback, the TEI year table)
    assert e.analysis.plan_result is not None
    assert e.analysis.plan_result.npv == pytest.approx(e.plan.npv)
    assert e.analysis.plan_result.timing == "feasible"


# --- properties -----------------------------------------------------------------------------

REASONS = ("external", "unattended", "pam", "recording")
session = st.tuples(
    st.sampled_from(("logmein_resolve", "beyondtrust")),
    st.sampled_from(("a", "b", "c", "d", "e", "f")),
    st.integers(0, 300),
    st.integers(1, 120),
    st.sampled_from(REASONS),
)


def _rows(raw):
    return [(tool, t, s, s + d, r) for tool, t, s, d, r in raw]


@settings(max_examples=40, deadline=None)
@given(
    raw=st.lists(session, min_size=1, max_size=20),
    a=st.sets(st.sampled_from(REASONS)),
    b=st.sets(st.sampled_from(REASONS)),
    headroom=st.sampled_from((0.0, 0.2)),
)
def test_accepting_more_never_enlarges_a_pool(raw, a, b, headroom):
    report = _report(_rows(raw), headroom=headroom)
    for host in ("logmein", "beyondtrust"):
        smaller = routed_sizing(report, host, (), frozenset(a | b)).sized_need
        larger = routed_sizing(report, host, (), frozenset(a)).sized_need
        assert smaller <= larger


@settings(max_examples=40, deadline=None)
@given(raw=st.lists(session, min_size=1, max_size=20), headroom=st.sampled_from((0.0, 0.2)))
def test_routing_more_work_into_a_pool_never_shrinks_it(raw, headroom):
    rows = _rows(raw)
    report = _report(rows, headroom=headroom)
    for host, other in (("logmein", "beyondtrust"), ("beyondtrust", "logmein")):
        own = routed_sizing(report, host, ())
        more = routed_sizing(report, host, (other,))
        assert more.sized_need >= own.sized_need
        assert more.routed_sessions >= own.routed_sessions
    # the concurrent pool is the brute-force peak of the merged work plus headroom, capped at
    # the people who did it
    merged = routed_sizing(report, "beyondtrust", ("logmein",))
    people = len({r[1] for r in rows})
    assert merged.sized_need == min(
        math.ceil(brute_peak_technicians(rows) * (1 + headroom) - 1e-9), people
    )


def test_in_use_share_counts_time_with_at_least_n_in_use():
    rows = [("beyondtrust", "a", 0, 60, "pam"), ("beyondtrust", "b", 30, 60, "pam")]
    z = _report(rows).tools["beyondtrust"]
    # 60 minutes observed: ≥ 1 in use all of it, ≥ 2 for the last 30
    assert z.in_use_share == {1: 1.0, 2: 0.5}
    assert "Erlang B" in z.rule and z.bound in ("peak", "technicians")


def test_pilot_teams_are_validated_with_a_path():
    teams = parse_teams(
        [{"name": "Care", "technicians": ["c1"], "needs": {"external_or_unmanaged_support": "all"}}]
    )
    assert teams[0].knows("C1 ")
    for raw, path in [
        ([{"name": "Care", "technicians": [], "needs": {"x": "all"}}], "[0].technicians"),
        ([{"name": "", "technicians": ["a"], "needs": {}}], "[0].name"),
        (
            [{"name": "Care", "technicians": ["a"], "needs": {"external_or_unmanaged_support": 1}}],
            "[0].needs.external_or_unmanaged_support",
        ),
        ([{"name": "Care", "technicians": ["a"], "needs": {"nope": "all"}}], "[0].needs.nope"),
        ([{"name": "Care", "technicians": ["a"], "needs": {}, "tool": "x"}], "[0].tool"),
        ("care", ""),
    ]:
        with pytest.raises(Invalid) as err:
            parse_teams(raw)
        assert err.value.path == path and " — " in err.value.message


def test_a_team_declared_all_keeps_its_own_pool():
    # customer care's sessions show nothing (no reason): the team says they all stay external
    care = [("logmein_resolve", f"c{i}", 10 * i, 10 * i + 200, "") for i in range(3)]
    desk = [
        ("logmein_resolve", "h1", 0, 30, "unattended"),
        ("logmein_resolve", "h2", 100, 130, "unattended"),
        ("logmein_resolve", "h3", 300, 330, ""),  # judged on its own: not residual
    ]
    d = {
        **ONE,
        "pilot": {
            **ONE["pilot"],
            "teams": [
                {
                    "name": "Customer care",
                    "technicians": ["C0", "c1", "c2"],
                    "needs": {"external_or_unmanaged_support": "all"},
                }
            ],
        },
    }
    p = with_pilot_pool(_params(d), _report(care + desk))
    # the team's 3 people plus the 2 help-desk technicians of residual work (h3's is not)
    assert p["residual.logmein_agents"] == 3 + 2
    assert p.observed_residual["external"] == len(care)
    a = analyse(p, MATRIX)
    assert not a.decision.criterion("external_support").passed
    assert a.option("right_size").keep["logmein"] == 5
    assert a.recommended != "cancel"


def test_evidence_against_all_names_the_counts():
    rows = UNATTENDED + EXTERNAL + [("remote_help", f"r{i}", i, i + 5, "") for i in range(12)]
    d = {**ONE, "requirements": {"mandatory_session_recording": "all"}}
    p = with_pilot_pool(_params(d), _report(rows))
    a = analyse(p, MATRIX)
    note = next(n for n in a.decision.evidence_notes if "is all" in n)
    assert "Remote Help served 12 of its 20 sessions (60%)" in note


def test_the_figures_do_not_depend_on_what_a_cache_still_holds():
    # the pilot report travels with the parameters it was read for: an emptied evidence cache
    # (many parameter sets in one process: the explorer, a sweep) changes no figure
    from rhmodel.core.money.evaluation import evaluate
    from rhmodel.core.pilot import evidence
    from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE, load_capabilities
    from rhmodel.edges.paramfile import load_parameters

    p = load_parameters(SAMPLE_PARAMS_FILE).with_overrides(["decision.accept=[unattended]"])
    before = evaluate(p, load_capabilities())
    evidence._EVIDENCE.clear()
    after = evaluate(p, load_capabilities())
    assert after.plan.npv == before.plan.npv
    assert [a.keep for a in after.plan.actions] == [a.keep for a in before.plan.actions]
    # consolidation plans size the receiving pool from the merged pilot work: without the
    # report they would fall back to licence-for-licence figures (they did, before)
    assert after.analysis.option_npv == before.analysis.option_npv
    assert p.pilot is not None and p.with_values({"discount_rate": 0.08}).pilot is p.pilot
