"""The money model: hand-computed cases, an independent month-by-month oracle, invariants."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from rhmodel.core.document import parse_yaml
from rhmodel.core.money.cashflows import monthly_costs, weighted_costs
from rhmodel.core.money.scenarios import analyse, base_terms, metrics
from rhmodel.core.products import COMPONENTS, SCENARIOS
from rhmodel.edges.bundled import load_capabilities
from rhmodel.edges.paramfile import parse_parameters
from rhmodel.errors import InputError
from tests import oracle

HAND = {
    "discount_rate": 0.0,
    "logmein": {"agents": 100, "price_per_agent_month": 50, "months_to_renewal": 0},
    "residual": {"logmein_agents": 10},
}


def _params(d: dict):
    return parse_parameters(parse_yaml(yaml.safe_dump(d), "p.yaml"))


def _analyse(d: dict):
    return analyse(_params(d), load_capabilities())


def test_issue_hand_case():
    a = _analyse(HAND)
    sq, rs, cx = (a.scenario(s) for s in SCENARIOS)
    assert sq.total_cost == 100 * 50 * 36
    assert rs.savings == 90 * 50 * 36 == 162_000
    assert rs.npv == rs.savings  # discount rate 0
    assert cx.savings == 100 * 50 * 36
    assert rs.total_cost == 10 * 50 * 36
    assert rs.roi is None and rs.payback_months == 0  # nothing new is spent
    assert sq.savings == 0 and sq.npv == 0
    assert a.recommended == "cancel"


def test_hand_case_discounted():
    a = _analyse({**HAND, "discount_rate": 0.10})
    v = 1.10 ** (-1 / 12)
    annuity = v * (1 - v**36) / (1 - v)  # sum of v^m, m = 1..36
    assert a.scenario("right_size").npv == pytest.approx(4500 * annuity, rel=1e-12)


def test_annual_billing_in_advance():
    # 10 seats at US$2,400 a year, 3 months left (already paid), renewals at months 4, 16, 28.
    d = {
        "discount_rate": 0.0,
        "horizon_months": 36,
        "beyondtrust": {
            "concurrent_seats": 10,
            "price_per_seat_year": 2400,
            "months_to_renewal": 3,
            "billing": "annual",
        },
        "residual": {"beyondtrust_seats": 2},
    }
    a = _analyse(d)
    sq = a.scenario("status_quo").monthly_cost
    assert [m + 1 for m, c in enumerate(sq) if c] == [4, 16, 28]
    assert sq[3] == 24_000
    # the horizon edge: the month-28 payment buys months 28-39, of which 9 fall inside
    assert sq[27] == 24_000 * 9 / 12
    assert a.scenario("status_quo").total_cost == 24_000 * 2.75
    assert a.scenario("right_size").savings == 2.75 * 8 * 2400
    assert a.scenario("status_quo").prepaid_beyond_horizon == 24_000 * 3 / 12
    assert a.scenario("right_size").prepaid_beyond_horizon == 2 * 2400 * 3 / 12


def test_uplift_applies_at_each_renewal():
    d = {
        "horizon_months": 26,
        "logmein": {
            "agents": 10,
            "price_per_agent_month": 100,
            "months_to_renewal": 2,
            "uplift": 0.10,
        },
        "residual": {"logmein_agents": 10},
    }
    sq = _analyse(d).scenario("status_quo").monthly_cost
    assert sq[:2] == (1000.0, 1000.0)
    assert sq[2] == pytest.approx(1100) and sq[13] == pytest.approx(1100)
    assert sq[14] == pytest.approx(1210) and sq[25] == pytest.approx(1210)
    assert sum(sq) == pytest.approx(2000 + 12 * 1100 + 12 * 1210)


def test_payback_and_roi_with_transition_cost():
    # Saves US$1,000 a month from month 1; costs US$10,000 up front: back to zero in month 10.
    d = {
        "discount_rate": 0.0,
        "logmein": {"agents": 20, "price_per_agent_month": 50, "months_to_renewal": 0},
        "residual": {"logmein_agents": 0},
        "transition": {"deployment_cost": 10_000},
    }
    rs = _analyse(d).scenario("right_size")
    assert rs.payback_months == 10
    assert rs.savings == 36 * 1000 - 10_000
    assert rs.roi == pytest.approx(26_000 / 10_000)


def test_remote_help_add_on_costs_in_adopting_scenarios_only():
    d = {**HAND, "remote_help": {"licensing": "add_on", "licensed_users": 200}}
    a = _analyse(d)
    assert a.scenario("status_quo").components["remote_help"] == (0.0,) * 36
    assert set(a.scenario("right_size").components["remote_help"]) == {700.0}
    assert a.scenario("right_size").savings == 162_000 - 36 * 700
    assert a.scenario("right_size").roi == pytest.approx((162_000 - 25_200) / 25_200)


def test_product_absent_costs_nothing():
    a = _analyse({"beyondtrust": {"concurrent_seats": 0}})
    assert all(s.total_cost == 0 for s in a.scenarios)


def test_missing_residual_is_a_user_error():
    with pytest.raises(
        InputError,
        match=r"residual\.logmein_agents: missing while "
        r"logmein\.agents is 100",
    ):
        _analyse({k: v for k, v in HAND.items() if k != "residual"})


# ---- the oracle: random parameter sets, month by month -----------------------------------


def cents(low: float, high: float) -> st.SearchStrategy[float]:
    """Money as it is quoted: whole cents."""
    return st.integers(int(low * 100), int(high * 100)).map(lambda c: c / 100)


contracts = st.fixed_dictionaries(
    {
        "months_to_renewal": st.integers(0, 40),
        "term_months": st.sampled_from([1, 6, 12, 24, 36]),
        "uplift": st.sampled_from([0.0, 0.03, 0.1]),
        "billing": st.sampled_from(["monthly", "annual"]),
    }
)
param_sets = (
    st.fixed_dictionaries(
        {
            "horizon_months": st.integers(1, 60),
            "discount_rate": st.sampled_from([0.0, 0.05, 0.1, 0.25]),
            "logmein": contracts.flatmap(
                lambda c: st.fixed_dictionaries(
                    {
                        **{k: st.just(v) for k, v in c.items()},
                        "agents": st.integers(0, 200),
                        "price_per_agent_month": cents(0, 120),
                        "extras_per_year": st.sampled_from([0.0, 1200.0, 5000.5]),
                        "min_agents": st.sampled_from([0, 5, 25]),
                    }
                )
            ),
            "beyondtrust": contracts.flatmap(
                lambda c: st.fixed_dictionaries(
                    {
                        **{k: st.just(v) for k, v in c.items()},
                        "concurrent_seats": st.integers(0, 40),
                        "price_per_seat_year": cents(0, 5000),
                        "appliance_per_year": st.sampled_from([0.0, 4000.0]),
                        "min_seats": st.sampled_from([0, 3]),
                    }
                )
            ),
            "remote_help": st.one_of(
                st.just({"licensing": "included"}),
                st.fixed_dictionaries(
                    {
                        "licensing": st.just("add_on"),
                        "licensed_users": st.integers(0, 3000),
                        "price_per_user_month": st.sampled_from([3.5, 4.0, 10.0]),
                    }
                ),
            ),
            "transition": st.fixed_dictionaries(
                {
                    "deployment_cost": cents(0, 50_000),
                    "training_hours": st.integers(0, 500),
                    "training_rate_per_hour": cents(0, 150),
                    "pilot_cost": st.sampled_from([0.0, 7500.0]),
                }
            ),
        }
    )
    .flatmap(
        # the optional keys: a residual price, kept add-ons, administration and a late start
        lambda p: st.fixed_dictionaries(
            {
                **{k: st.just(v) for k, v in p.items()},
                "logmein": st.fixed_dictionaries(
                    {k: st.just(v) for k, v in p["logmein"].items()},
                    optional={
                        "residual_price_per_agent_month": cents(0, 150),
                        "extras_per_year_residual": st.sampled_from([0.0, 800.0]),
                        "extras_scale": st.sampled_from(["fixed", "per_agent"]),
                    },
                ),
                "beyondtrust": st.fixed_dictionaries(
                    {k: st.just(v) for k, v in p["beyondtrust"].items()},
                    optional={"residual_price_per_seat_year": cents(0, 6000)},
                ),
                "remote_help": st.fixed_dictionaries(
                    {k: st.just(v) for k, v in p["remote_help"].items()},
                    optional={
                        "admin_hours_per_month": st.sampled_from([0.0, 8.0]),
                        "admin_rate_per_hour": st.sampled_from([0.0, 95.0]),
                        "start_month": st.integers(1, 12),
                    },
                ),
            }
        )
    )
    .flatmap(
        lambda p: st.fixed_dictionaries(
            {
                **{k: st.just(v) for k, v in p.items()},
                "residual": st.fixed_dictionaries(
                    {
                        "logmein_agents": st.integers(0, p["logmein"]["agents"]),
                        "beyondtrust_seats": st.integers(0, p["beyondtrust"]["concurrent_seats"]),
                    }
                ),
            }
        )
    )
)


@settings(max_examples=150, deadline=None)
@given(p=param_sets)
def test_model_matches_the_month_by_month_oracle(p):
    a = _analyse(p)
    for s in a.scenarios:
        want = oracle.metrics(p, s.name)
        assert s.monthly_cost == pytest.approx(want["monthly_cost"], rel=1e-9, abs=1e-6)
        for key in ("total_cost", "savings", "npv"):
            assert getattr(s, key) == pytest.approx(want[key], rel=1e-9, abs=1e-6), key
        if want["roi"] is None:
            assert s.roi is None
        else:
            assert s.roi == pytest.approx(want["roi"], rel=1e-9, abs=1e-9)
        assert s.payback_months == want["payback_months"]
        assert s.prepaid_beyond_horizon == pytest.approx(
            want["prepaid_beyond_horizon"], rel=1e-9, abs=1e-6
        )
        for got, row in zip(s.by_year, want["by_year"], strict=True):
            assert got.year == row["year"]
            for key in ("benefits", "costs", "net"):
                assert getattr(got, key) == pytest.approx(row[key], rel=1e-9, abs=1e-6), key
        # the TEI table adds up: its rows to the totals, its present values to the NPV
        assert sum(r.net for r in s.by_year) == pytest.approx(s.savings, rel=1e-9, abs=1e-6)
        assert s.pv_benefits - s.pv_costs == pytest.approx(s.npv, rel=1e-9, abs=1e-6)
        assert s.pv_benefits == pytest.approx(want["pv_benefits"], rel=1e-9, abs=1e-6)


@settings(max_examples=60, deadline=None)
@given(
    p=param_sets, haircut=st.sampled_from([0.0, 0.2, 0.5]), uplift=st.sampled_from([0.0, 0.1, 0.3])
)
def test_risk_adjustment_matches_the_oracle(p, haircut, uplift):
    q = {**p, "risk_adjustment": {"benefit_haircut": haircut, "cost_uplift": uplift}}
    a = _analyse(q)
    for name in ("right_size", "cancel"):
        want = oracle.metrics(p, name, haircut=haircut, uplift=uplift)
        got = a.scenario(name)
        assert got.npv == pytest.approx(want["npv"], rel=1e-9, abs=1e-6)
        for row, w in zip(got.by_year, want["by_year"], strict=True):
            assert row.net == pytest.approx(w["net"], rel=1e-9, abs=1e-6)
        assert got.pv_benefits - got.pv_costs == pytest.approx(got.npv, rel=1e-9, abs=1e-6)
        if haircut or uplift:
            plain = oracle.metrics(p, name)
            for row, w in zip(got.by_year_unadjusted, plain["by_year"], strict=True):
                assert row.net == pytest.approx(w["net"], rel=1e-9, abs=1e-6)


@settings(max_examples=80, deadline=None)
@given(p=param_sets)
def test_weighted_sums_equal_monthly_sums(p):
    # The O(n) factored sums and the full monthly arrays are two routes to one number.
    t = base_terms(_params(p))
    ones = np.ones((1, t.horizon))
    for s in SCENARIOS:
        monthly = monthly_costs(t, s)
        weighted = weighted_costs(t, s, ones)
        for k in COMPONENTS:
            assert weighted[k][0] == pytest.approx(monthly[k][0].sum(), rel=1e-9, abs=1e-6)


@settings(max_examples=60, deadline=None)
@given(p=param_sets)
def test_invariants(p):
    a = _analyse(p)
    rs, cx = a.scenario("right_size"), a.scenario("cancel")
    # cancel keeps nothing, so it saves at least what right-sizing saves
    assert cx.savings >= rs.savings - 1e-6 and cx.npv >= rs.npv - 1e-6
    # a bigger pool saves less
    if p["residual"]["logmein_agents"] < p["logmein"]["agents"]:
        more = {
            **p,
            "residual": {**p["residual"], "logmein_agents": p["residual"]["logmein_agents"] + 1},
        }
        assert _analyse(more).scenario("right_size").savings <= rs.savings + 1e-6
    # a dearer incumbent makes the change worth more (unless the vendor's minimum keeps more
    # licences than are held today: then the pool costs more too)
    lm = p["logmein"]
    if lm.get("min_agents", 0) > lm["agents"] and p["residual"]["logmein_agents"] > 0:
        return
    dearer = {
        **p,
        "logmein": {
            **p["logmein"],
            "price_per_agent_month": p["logmein"]["price_per_agent_month"] + 5,
        },
    }
    assert _analyse(dearer).scenario("right_size").savings >= rs.savings - 1e-6
    # with no discounting NPV is the undiscounted saving
    flat = _analyse({**p, "discount_rate": 0.0})
    for s in flat.scenarios:
        assert s.npv == pytest.approx(s.savings, rel=1e-9, abs=1e-6)


def test_recommended_is_the_viable_maximum():
    d = {**HAND, "requirements": {"mandatory_session_recording": True}}
    a = _analyse(d)
    assert not a.scenario("cancel").viable and a.scenario("cancel").npv > 0
    assert a.recommended == "right_size"
    # issue 27: GCC High is supported from service release 2609; DoD still keeps
    keep = _analyse({**HAND, "tenant_cloud": "dod"})
    assert keep.recommended == "status_quo"
    assert not keep.scenario("right_size").viable


def test_metrics_vectorised_rows_equal_single_runs():
    p = _params({**HAND, "discount_rate": 0.1})
    t = base_terms(p)
    prices = np.array([29.0, 50.0, 94.0])
    many = metrics(t.replace_x(logmein__price_per_agent_month=prices))["right_size"].npv
    for price, npv in zip(prices, many, strict=True):
        d = {
            **HAND,
            "discount_rate": 0.1,
            "logmein": {**HAND["logmein"], "price_per_agent_month": float(price)},
        }
        assert npv == pytest.approx(oracle.metrics(d, "right_size")["npv"], rel=1e-12)


def test_scenarios_cli_hand_case(cli, write_params):
    path = write_params(yaml.safe_dump(HAND))
    r = cli("scenarios", path, "--format", "json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    rs = next(s for s in out["scenarios"] if s["name"] == "right_size")
    assert rs["savings"] == 162_000 and rs["npv"] == 162_000
    assert rs["roi"] is None and rs["payback_months"] == 0
    assert len(rs["monthly_cost"]) == 36
    assert out["recommended"] == "cancel"
    for s in out["scenarios"]:
        assert set(s) >= {
            "name",
            "viable",
            "total_cost",
            "savings",
            "npv",
            "roi",
            "payback_months",
            "monthly_cost",
        }
    assert math.isclose(sum(rs["monthly_cost"]), rs["total_cost"])
