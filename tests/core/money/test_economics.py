"""Contract economics: each definition of the economics issue by a hand calculation."""

from __future__ import annotations

import pytest
import yaml

from rhmodel.core.document import parse_yaml
from rhmodel.core.money.evaluation import evaluate, evaluation_document
from rhmodel.core.money.scenarios import analyse
from rhmodel.edges.bundled import load_capabilities
from rhmodel.edges.paramfile import parse_parameters
from rhmodel.errors import InputError


def _params(d: dict, *overrides: str):
    return parse_parameters(parse_yaml(yaml.safe_dump(d), "p.yaml"), list(overrides))


def _analyse(d: dict, *overrides: str):
    return analyse(_params(d, *overrides), load_capabilities())


LOGMEIN = {
    "discount_rate": 0.0,
    "logmein": {"agents": 60, "price_per_agent_month": 45, "months_to_renewal": 5},
    "residual": {"logmein_agents": 10},
}


def test_a_three_year_prepay_counts_only_its_months_inside_the_horizon():
    # 36 months paid at month 11 buy months 11-46: 26 inside a 36-month horizon, 10 beyond
    d = {
        "discount_rate": 0.0,
        "beyondtrust": {
            "concurrent_seats": 10,
            "price_per_seat_year": 1200,
            "months_to_renewal": 10,
            "term_months": 36,
            "billing": "annual",
        },
        "residual": {"beyondtrust_seats": 4},
    }
    sq = _analyse(d).scenario("status_quo")
    payment = 10 * 1200 / 12 * 36  # the whole term, in advance
    assert sq.monthly_cost[10] == pytest.approx(payment * 26 / 36)
    assert sq.prepaid_beyond_horizon == pytest.approx(payment * 10 / 36)
    rs = _analyse(d).scenario("right_size")
    assert rs.savings == pytest.approx(6 * 100 * 26)  # 6 seats fewer, 26 months inside
    assert rs.prepaid_beyond_horizon == pytest.approx(4 * 100 * 10)


@pytest.mark.parametrize(
    ("term", "factors"),
    [
        # months 6..36 after a renewal at month 6 (R = 5): the factor each month, by hand
        (12, [1.05] * 12 + [1.05**2] * 12 + [1.05**3] * 7),
        # month to month: still one rise a year, not one a month
        (1, [1.05] * 12 + [1.05**2] * 12 + [1.05**3] * 7),
        # 24-month terms: renewals at 6 and 30; the second carries two years' worth
        (24, [1.05] * 24 + [1.05**3] * 7),
    ],
)
def test_uplift_is_yearly_whatever_the_term(term, factors):
    d = {**LOGMEIN, "logmein": {**LOGMEIN["logmein"], "term_months": term, "uplift": 0.05}}
    sq = _analyse(d).scenario("status_quo").monthly_cost
    assert sq[:5] == (2700.0,) * 5
    assert sq[5:] == pytest.approx([2700 * f for f in factors], rel=1e-12)


def test_the_month_to_month_example_of_the_issue_no_longer_explodes():
    d = {**LOGMEIN, "logmein": {**LOGMEIN["logmein"], "term_months": 1, "uplift": 0.05}}
    total = _analyse(d).scenario("status_quo").total_cost
    assert total == pytest.approx(2700 * (5 + 12 * 1.05 + 12 * 1.05**2 + 7 * 1.05**3))
    every_month = 2700 * (5 + sum(1.05**k for k in range(1, 32)))  # the old per-term reading
    assert total < 0.6 * every_month


def test_extras_stay_whole_unless_per_agent_or_given():
    d = {**LOGMEIN, "logmein": {**LOGMEIN["logmein"], "extras_per_year": 12_000}}
    a = _analyse(d)
    # before the change: 60 × 45 = 2,700 + 12,000 / 12 = 1,000 a month; after, by default
    # (extras_scale: fixed): 10 × 45 = 450 and the add-ons whole, 1,000
    assert a.scenario("status_quo").monthly_cost[0] == 3700
    assert a.scenario("right_size").monthly_cost[5] == pytest.approx(450 + 1000)
    assert a.scenario("cancel").monthly_cost[5] == 0
    assert a.params.value("logmein.extras_scale").origin == "default"
    # per_agent: 10 of 60 agents keep 1/6 of the add-ons
    d["logmein"]["extras_scale"] = "per_agent"
    assert _analyse(d).scenario("right_size").monthly_cost[5] == pytest.approx(450 + 1000 / 6)
    assert _analyse(d).scenario("cancel").monthly_cost[5] == 0
    d["logmein"]["extras_per_year_residual"] = 6000  # given: 6,000 / 12 = 500 either way
    assert _analyse(d).scenario("right_size").monthly_cost[5] == pytest.approx(450 + 500)
    d["logmein"]["extras_scale"] = "fixed"
    assert _analyse(d).scenario("right_size").monthly_cost[5] == pytest.approx(450 + 500)


def test_the_extras_scale_default_is_an_assumed_default():
    from rhmodel.core.money.evaluation import evaluate
    from rhmodel.edges.bundled import load_capabilities

    d = {**LOGMEIN, "logmein": {**LOGMEIN["logmein"], "extras_per_year": 12_000}}
    e = evaluate(_analyse(d).params, load_capabilities())
    assumed = {x.key: x.value for x in e.assumed_defaults()}
    assert assumed["logmein.extras_scale"] == "fixed"


def test_the_appliance_is_paid_while_any_seat_is_kept_and_stops_at_cancel():
    d = {
        "discount_rate": 0.0,
        "beyondtrust": {
            "concurrent_seats": 12,
            "price_per_seat_year": 2400,
            "months_to_renewal": 2,
            "appliance_per_year": 6000,
        },
        "residual": {"beyondtrust_seats": 3},
    }
    a = _analyse(d)
    assert a.scenario("status_quo").monthly_cost[0] == 12 * 200 + 500
    assert a.scenario("right_size").monthly_cost[2] == 3 * 200 + 500
    assert a.scenario("cancel").monthly_cost[2] == 0


def test_the_vendor_minimum_raises_a_small_pool_and_the_residual_price_applies():
    d = {
        **LOGMEIN,
        "logmein": {
            **LOGMEIN["logmein"],
            "min_agents": 15,
            "residual_price_per_agent_month": 55,
        },
    }
    a = _analyse(d)
    assert a.scenario("right_size").monthly_cost[5] == 15 * 55  # raised from 10 to 15
    assert a.option("right_size").keep["logmein"] == 15
    assert "minimum" in a.option("right_size").why


def test_a_price_book_default_is_converted_into_the_currency():
    d = {
        "currency": "EUR",
        "usd_rate": 0.9,
        "discount_rate": 0.0,
        "logmein": {"agents": 10, "months_to_renewal": 0},  # price from the price book (US$)
        "residual": {"logmein_agents": 0},
    }
    usd = _params({k: v for k, v in d.items() if k not in ("currency", "usd_rate")})
    eur = _params(d)
    assert eur["logmein.price_per_agent_month"] == pytest.approx(
        usd["logmein.price_per_agent_month"] * 0.9
    )
    assert "converted at 0.9 EUR per US$" in eur.value("logmein.price_per_agent_month").source
    with pytest.raises(InputError, match="usd_rate: missing while currency is EUR"):
        _params({k: v for k, v in d.items() if k != "usd_rate"})
    with pytest.raises(InputError, match="currency: is not an ISO 4217 code"):
        _params({**d, "currency": "euro"})
    # a price the file gives is already in the currency: nothing to convert, no rate needed
    own = {**d, "logmein": {**d["logmein"], "price_per_agent_month": 40}}
    del own["usd_rate"]
    assert _params(own)["logmein.price_per_agent_month"] == 40


def test_remote_help_running_costs_start_in_their_month_and_the_pilot_is_a_one_off():
    d = {
        **LOGMEIN,
        "remote_help": {
            "licensing": "add_on",
            "licensed_users": 100,
            "price_per_user_month": 3.5,
            "admin_hours_per_month": 10,
            "admin_rate_per_hour": 80,
            "start_month": 7,
        },
        "transition": {"pilot_cost": 9000},
    }
    rs = _analyse(d).scenario("right_size")
    rh = rs.components["remote_help"]
    assert rh[:6] == (0.0,) * 6 and rh[6:] == (350 + 800,) * 30
    assert rs.components["transition"][0] == 9000
    assert _analyse(d).scenario("status_quo").components["remote_help"] == (0.0,) * 36


def test_by_year_is_the_tei_layout_and_adds_up():
    d = {**LOGMEIN, "discount_rate": 0.1, "transition": {"deployment_cost": 5000}}
    rs = _analyse(d).scenario("right_size")
    years = [(r.year, round(r.benefits, 6), round(r.costs, 6)) for r in rs.by_year]
    # 50 agents saved from month 6: 7 months in year 1, 12 in years 2 and 3
    assert years == [(0, 0, 5000), (1, 7 * 2250, 0), (2, 12 * 2250, 0), (3, 12 * 2250, 0)]
    assert rs.pv_benefits - rs.pv_costs == pytest.approx(rs.npv)
    assert rs.roi == pytest.approx(rs.npv / rs.pv_costs)


def test_no_probability_without_anything_uncertain():
    e = evaluate(_params(LOGMEIN), load_capabilities(), draws=2000)
    assert e.simulation is None
    assert evaluation_document(e)["simulation"] is None


def test_status_quo_has_no_payback():
    assert _analyse(LOGMEIN).scenario("status_quo").payback_months is None
