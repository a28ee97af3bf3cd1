"""Multi-year terms priced honestly (issue 22, items 2, 5 and 7): escalators inside a term,
termination fees for a contract cut mid-term, what a renewal commits to, one pilot window and
the fiscal-year budget view.

The month-by-month oracle (tests/oracle.py) walks each contract's anniversaries one by one; the
engine counts them in closed form and groups months by price, so the two readings are
independent.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from rhmodel.core.document import parse_yaml
from rhmodel.core.money.budget import budget_table, fiscal_year_of
from rhmodel.core.money.cashflows import (
    Terms,
    discount_factors,
    monthly_costs,
    weighted_costs,
    yearly_exponent,
)
from rhmodel.core.money.timing import commitment, mid_term_cut, pilot_end, pilot_window
from rhmodel.edges.paramfile import parse_parameters
from rhmodel.errors import InputError
from tests import oracle


def _params(d: dict, *overrides: str):
    return parse_parameters(parse_yaml(yaml.safe_dump(d), "p.yaml"), list(overrides))


def _flat(d: dict) -> dict:
    """The nested YAML-like mapping as the engine's dotted inputs."""
    out: dict = {}
    for k, v in d.items():
        if isinstance(v, dict):
            for kk, vv in _flat(v).items():
                out[f"{k}.{kk}"] = vv
        else:
            out[k] = v
    return out


def _terms(d: dict, **kw) -> Terms:
    return Terms.from_mapping(_flat(d), horizon=d.get("horizon_months", 36), **kw)


def test_a_yearly_escalator_prices_a_36_month_term_1_107_1072_by_contract_year():
    d = {
        "horizon_months": 48,
        "logmein": {
            "agents": 10,
            "price_per_agent_month": 100,
            "months_to_renewal": 0,
            "term_months": 36,
            "escalator": {"rate": 0.07, "timing": "yearly"},
        },
    }
    cost = monthly_costs(_terms(d), "status_quo")["logmein"][0]
    # by hand: 1,000 a month, then 7% more at each anniversary inside the term; the next term
    # (month 37) carries the price on and rises again a year into it
    expected = [1000.0] * 12 + [1070.0] * 12 + [1144.9] * 24
    assert cost.tolist() == pytest.approx(expected, rel=1e-12)


def test_the_same_escalator_paid_in_advance_sums_the_escalated_months_of_the_term():
    d = {
        "horizon_months": 48,
        "logmein": {
            "agents": 10,
            "price_per_agent_month": 100,
            "months_to_renewal": 0,
            "term_months": 36,
            "billing": "annual",
            "escalator": {"rate": 0.07, "timing": "yearly"},
        },
    }
    t = _terms(d)
    cost = monthly_costs(t, "status_quo")["logmein"][0]
    assert cost[0] == pytest.approx(12 * (1000 + 1070 + 1144.9))
    # month 37's term: 12 months inside the horizon at 1,144.9 (a renewal carries the price),
    # 24 beyond it at 1,225.043 and 1,310.796
    assert cost[36] == pytest.approx(12 * 1144.9)
    assert np.count_nonzero(cost) == 2
    from rhmodel.core.money.cashflows import prepaid_beyond_horizon

    beyond = prepaid_beyond_horizon(t, "status_quo")[0]
    assert beyond == pytest.approx(12 * 1000 * (1.07**3 + 1.07**4))


def test_at_renewal_is_uplift_under_another_name():
    base = {"agents": 20, "price_per_agent_month": 40, "months_to_renewal": 7, "term_months": 24}
    a = {"horizon_months": 60, "logmein": {**base, "uplift": 0.05}}
    b = {
        "horizon_months": 60,
        "logmein": {**base, "escalator": {"rate": 0.05, "timing": "at_renewal"}},
    }
    for scenario in ("status_quo", "right_size"):
        x = monthly_costs(_terms(a), scenario)["logmein"]
        y = monthly_costs(_terms(b), scenario)["logmein"]
        assert np.array_equal(x, y)


def test_yearly_and_at_renewal_differ_only_inside_multi_year_terms():
    # with 12-month terms every anniversary is a renewal: a yearly escalator has no anniversary
    # inside a term and prices nothing (the parameters refuse it, see below); with 36-month
    # terms it rises twice inside each term
    j = np.arange(1, 61).reshape(1, -1)
    assert yearly_exponent(j, np.array([[4]]), 12).max() == 0
    e = yearly_exponent(j, np.array([[4]]), 36)[0]
    assert [int(e[m - 1]) for m in (5, 16, 17, 28, 29, 41, 52, 53)] == [0, 0, 1, 1, 2, 2, 2, 3]


CONTRACT_SECTIONS = ("logmein", "beyondtrust")


@st.composite
def contracts(draw):
    d: dict = {
        "horizon_months": draw(st.sampled_from([12, 24, 36, 48, 60])),
        "discount_rate": draw(st.sampled_from([0.0, 0.08])),
    }
    cuts = {}
    for section, count, price in (
        ("logmein", "agents", "price_per_agent_month"),
        ("beyondtrust", "concurrent_seats", "price_per_seat_year"),
    ):
        if not draw(st.booleans()):
            continue
        term = draw(st.sampled_from([1, 6, 12, 18, 24, 36, 60]))
        c = {
            count: draw(st.integers(1, 80)),
            price: float(draw(st.integers(10, 3000))),
            "months_to_renewal": draw(st.integers(0, 40)),
            "term_months": term,
            "billing": draw(st.sampled_from(["monthly", "annual"])),
            "uplift": draw(st.sampled_from([0.0, 0.04])),
        }
        rate = draw(st.sampled_from([0.0, 0.07, 0.15]))
        timing = draw(st.sampled_from(["yearly", "at_renewal"]))
        if timing == "at_renewal" and c["uplift"]:
            rate = 0.0  # the parameters refuse both; the engine would multiply them
        c["escalator"] = {"rate": rate, "timing": timing}
        if draw(st.booleans()):
            c["termination_fee"] = float(draw(st.integers(0, 20_000)))
            cuts[section] = draw(st.integers(1, d["horizon_months"]))
        d[section] = c
    d["residual"] = {
        "logmein_agents": draw(st.integers(0, 5)),
        "beyondtrust_seats": draw(st.integers(0, 5)),
    }
    return d, cuts


@settings(max_examples=150, deadline=None)
@given(
    case=contracts(),
    scenario=st.sampled_from(
        [
            "status_quo",
            "right_size",
            "cancel",
            "logmein_right_size+beyondtrust_cancel",
            "logmein_cancel+beyondtrust_renew",
        ]
    ),
    risk=st.sampled_from([(0.0, 0.0), (0.2, 0.1)]),
)
def test_escalators_and_termination_fees_match_the_month_by_month_oracle(case, scenario, risk):
    d, cuts = case
    haircut, uplift = risk
    t = _terms(d, cut_month=cuts, benefit_haircut=haircut, cost_uplift=uplift)
    engine = sum(v[0] for v in monthly_costs(t, scenario).values())
    want = oracle.metrics(d, scenario, haircut=haircut, uplift=uplift, cuts=cuts)
    assert engine.tolist() == pytest.approx(want["monthly_cost"], rel=1e-9, abs=1e-6)
    disc = discount_factors(t.x["discount_rate"], t.horizon)
    sq = weighted_costs(t, "status_quo", disc)
    sc = weighted_costs(t, scenario, disc)
    npv = sum(float(sq[k][0] - sc[k][0]) for k in sq)
    assert npv == pytest.approx(want["npv"], rel=1e-9, abs=1e-6)
    ones = np.ones((1, t.horizon))
    total = sum(float(v[0]) for v in weighted_costs(t, scenario, ones).values())
    assert total == pytest.approx(want["total_cost"], rel=1e-9, abs=1e-6)


def test_a_termination_fee_is_paid_once_in_the_cut_month_and_the_cut_saves_from_then():
    d = {
        "discount_rate": 0.0,
        "logmein": {
            "agents": 50,
            "price_per_agent_month": 40,
            "months_to_renewal": 20,
            "term_months": 36,
            "termination_fee": 15_000,
        },
        "residual": {"logmein_agents": 0},
    }
    t = _terms(d, cut_month={"logmein": 4})
    cost = monthly_costs(t, "cancel")["logmein"][0]
    # by hand: 2,000 a month for months 1-3, the fee in month 4, nothing after
    assert cost[:3].tolist() == [2000.0] * 3
    assert cost[3] == 15_000
    assert not cost[4:].any()
    # renewing as it is pays no fee
    assert monthly_costs(t, "status_quo")["logmein"][0].tolist() == [2000.0] * 36


def test_a_prepaid_term_cut_mid_term_is_not_refunded():
    d = {
        "discount_rate": 0.0,
        "beyondtrust": {
            "concurrent_seats": 10,
            "price_per_seat_year": 1200,
            "months_to_renewal": 0,
            "term_months": 36,
            "billing": "annual",
            "termination_fee": 500,
        },
    }
    t = _terms(d, cut_month={"beyondtrust": 13})
    cost = monthly_costs(t, "cancel")["beyondtrust"][0]
    assert cost[0] == pytest.approx(36 * 1000)  # the whole term, paid in month 1
    assert cost[12] == 500  # the fee; no refund of the 24 months already paid
    assert cost.sum() == pytest.approx(36_500)


def test_the_parameters_refuse_escalators_that_contradict_the_contract():
    base = {
        "start_date": "2026-12-01",
        "residual": {"logmein_agents": 2},
    }
    lm = {"agents": 10, "price_per_agent_month": 40, "months_to_renewal": 2}
    cases = [
        (
            {**lm, "uplift": 0.03, "escalator": {"rate": 0.05}},
            "logmein.escalator: gives a renewal increase as well as logmein.uplift",
        ),
        (
            {**lm, "escalator": {"rate": 0.05, "timing": "yearly"}},
            "logmein.escalator.timing: is yearly but logmein.term_months is 12",
        ),
        (
            {**lm, "termination_fee": 5000},
            "logmein.termination_fee: is given but logmein.cancellable_mid_term is false",
        ),
        (
            {**lm, "escalator": {"rat": 0.05}},
            "logmein.escalator.rat: unknown key (did you mean 'rate'?)",
        ),
        (
            {**lm, "escalator": 0.05},
            "logmein.escalator: must be a mapping (0.05) — {rate, timing}",
        ),
    ]
    for section, message in cases:
        with pytest.raises(InputError) as e:
            _params({**base, "logmein": section})
        assert message in str(e.value)
        assert str(e.value).startswith("p.yaml:")  # located in the file


def test_a_renewal_states_what_it_commits_to():
    c = commitment(dt.date(2027, 7, 1), 36)
    assert c.last_day == dt.date(2030, 6, 30)
    assert c.phrase == "renewing on 1 July 2027 commits you to 36 months, to 30 June 2030"
    assert commitment(dt.date(2028, 2, 29), 12).last_day == dt.date(2029, 2, 27)


def test_a_cancellable_contract_can_be_cut_after_the_pilot_plus_its_notice():
    p = _params(
        {
            "start_date": "2027-01-01",
            "logmein": {
                "agents": 10,
                "price_per_agent_month": 40,
                "months_to_renewal": 20,
                "notice_days": 60,
                "cancellable_mid_term": True,
                "termination_fee": 4000,
            },
            "residual": {"logmein_agents": 2},
            "pilot": {"days": 45},
        }
    )
    cut = mid_term_cut(p, "logmein")
    # pilot ends 15 February 2027; 60 days' notice: 16 April; month 5 starts on 1 May
    assert (cut.notice_given, cut.effective, cut.month) == (
        dt.date(2027, 2, 15),
        dt.date(2027, 4, 16),
        5,
    )
    p2 = _params(
        {
            "start_date": "2027-01-01",
            "logmein": {"agents": 10, "price_per_agent_month": 40, "months_to_renewal": 20},
            "residual": {"logmein_agents": 2},
        }
    )
    assert mid_term_cut(p2, "logmein") is None  # not cancellable mid-term: renewals only


def test_one_pilot_window_and_a_running_pilot_delays_its_deadline():
    d = {
        "start_date": "2027-01-01",
        "logmein": {"agents": 10, "price_per_agent_month": 40, "months_to_renewal": 4},
        "residual": {"logmein_agents": 2},
        "pilot": {"start_date": "2027-01-04", "days": 60},
    }
    assert pilot_window(_params(d)) == (dt.date(2027, 1, 4), dt.date(2027, 3, 5))
    # an end date after the analysis start is a pilot still running: it is the pilot's end
    # for every output, whether or not exports are given yet
    running = {**d, "pilot": {**d["pilot"], "end_date": "2027-03-20"}}
    assert pilot_end(_params(running)) == dt.date(2027, 3, 20)
    finished = {**d, "start_date": "2027-04-01", "pilot": {**d["pilot"], "end_date": "2027-03-20"}}
    assert pilot_end(_params(finished)) is None


@settings(max_examples=60, deadline=None)
@given(
    start=st.dates(dt.date(2026, 1, 1), dt.date(2030, 12, 31)),
    first=st.integers(1, 12),
    horizon=st.integers(1, 120),
    seed=st.integers(0, 2**32 - 1),
)
def test_the_fiscal_year_table_sums_to_the_horizon_total(start, first, horizon, seed):
    rng = np.random.default_rng(seed)
    sq = {"logmein": rng.uniform(0, 100, horizon), "remote_help": np.zeros(horizon)}
    plan = {"logmein": rng.uniform(0, 50, horizon), "remote_help": rng.uniform(0, 5, horizon)}
    t = budget_table(sq, plan, start, first, plan_name="right_size")
    assert t.total("status_quo") == pytest.approx(sum(v.sum() for v in sq.values()))
    assert t.total("plan") == pytest.approx(sum(v.sum() for v in plan.values()))
    assert sum(r.months for r in t.rows) == horizon
    # every row but the first and last is a whole fiscal year; each names the year its
    # months fall in (brute force: the fiscal year of each month's first day)
    for r in t.rows[1:-1]:
        assert r.months == 12
    from rhmodel.core.money.timing import add_months

    for r in t.rows:
        for m in range(r.first_month, r.last_month + 1):
            day = add_months(start, m - 1)
            begins = day.year if day.month >= first else day.year - 1
            name = f"FY{day.year}" if first == 1 else f"FY{begins}/{str(begins + 1)[-2:]}"
            assert r.fiscal_year == name


def test_fiscal_years_are_named_as_budget_owners_name_them():
    assert fiscal_year_of(dt.date(2027, 6, 15), 7) == "FY2026/27"
    assert fiscal_year_of(dt.date(2027, 7, 1), 7) == "FY2027/28"
    assert fiscal_year_of(dt.date(2099, 12, 1), 4) == "FY2099/00"


def _cut_case(fee: float) -> dict:
    return {
        "start_date": "2027-01-01",
        "discount_rate": 0.0,
        "logmein": {
            "agents": 50,
            "price_per_agent_month": 40,
            "months_to_renewal": 30,
            "term_months": 36,
            "notice_days": 30,
            "cancellable_mid_term": True,
            "termination_fee": fee,
        },
        "residual": {"logmein_agents": 5},
        "pilot": {"days": 45},
    }


def test_a_plan_cuts_a_cancellable_contract_mid_term_when_the_fee_is_worth_it():
    from rhmodel.core.money.plans import timed_plan
    from rhmodel.core.money.scenarios import analyse
    from rhmodel.edges.bundled import load_capabilities

    # by hand: nothing needs LogMeIn, so the plan cancels it. The pilot ends 15 February
    # 2027, 30 days' notice: 17 March; month 4 (1 April) is the first that can be cut. Cutting
    # saves 2,000 a month from month 4 to 36, 33 × 2,000 = 66,000, for a 10,000 fee; waiting
    # for the month-31 renewal saves 6 × 2,000 = 12,000.
    plan = timed_plan(analyse(_params(_cut_case(10_000)), load_capabilities()))
    (lm,) = plan.actions
    assert lm.action == "cancel"
    assert (lm.mid_term, lm.effective_month, lm.termination_fee) == (True, 4, 10_000)
    assert lm.renewal_date == dt.date(2027, 4, 1)
    assert "to cancel before its term ends, from 1 April 2027" in lm.sentence
    assert "termination fee of US$10,000" in lm.sentence
    want = oracle.metrics(_cut_case(10_000), plan.name, cuts={"logmein": 4})["npv"]
    assert plan.npv == pytest.approx(want, rel=1e-12)
    assert plan.npv == pytest.approx(33 * 2000 - 10_000)
    # a fee above what the cut saves (66,000 − 60,000 < 12,000): the plan waits instead
    plan = timed_plan(analyse(_params(_cut_case(60_000)), load_capabilities()))
    (lm,) = plan.actions
    assert not lm.mid_term and lm.effective_month == 31 and lm.termination_fee == 0
    assert plan.npv == pytest.approx(6 * 2000)
    assert "commits you to" not in lm.sentence  # cancelling commits to no term


def test_a_right_sized_renewal_says_what_it_commits_to():
    from rhmodel.core.money.plans import timed_plan
    from rhmodel.core.money.scenarios import analyse
    from rhmodel.edges.bundled import load_capabilities

    d = _cut_case(0)
    d["logmein"] = {**d["logmein"], "cancellable_mid_term": False, "months_to_renewal": 6}
    del d["logmein"]["termination_fee"]
    d["requirements"] = {"unattended_windows": True}  # keeps a LogMeIn pool
    plan = timed_plan(analyse(_params(d), load_capabilities()))
    (lm,) = plan.actions
    assert lm.action == "right_size", plan.name
    # 1 July 2027 renewal of a 36-month term: to 30 June 2030
    assert lm.commitment == "renewing on 1 July 2027 commits you to 36 months, to 30 June 2030"
    assert lm.sentence.endswith(
        "Renewing on 1 July 2027 commits you to 36 months, to 30 June 2030."
    )


def test_the_budget_view_is_the_timed_plan_by_fiscal_year():
    from rhmodel.core.money.evaluation import evaluate, evaluation_document
    from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE, load_capabilities
    from rhmodel.edges.paramfile import load_parameters

    p = load_parameters(SAMPLE_PARAMS_FILE, ["calendar.fiscal_year_start=4"])
    e = evaluate(p, load_capabilities())
    b = e.budget
    # the analysis starts 1 December 2026 and runs 36 months: FY2026/27 holds December to
    # March (4 months), then two whole years, then April to November 2029 (8 months)
    assert [(r.fiscal_year, r.months) for r in b.rows] == [
        ("FY2026/27", 4),
        ("FY2027/28", 12),
        ("FY2028/29", 12),
        ("FY2029/30", 8),
    ]
    # it sums to the headline plan's own undiscounted figures, not the first-renewal variant's
    plan = e.analysis.plan_result
    assert b.total("status_quo") - b.total("plan") == pytest.approx(plan.savings)
    assert b.total("plan") == pytest.approx(plan.total_cost)
    doc = evaluation_document(e)["budget"]
    assert doc["fiscal_year_start"] == 4 and len(doc["rows"]) == 4


@pytest.mark.parametrize("billing", ["monthly", "annual"])
def test_draws_with_their_own_renewal_month_price_as_each_alone(billing):
    # a Monte Carlo that draws the renewal month gives each draw its own billing calendar;
    # each row must equal the same contract evaluated on its own
    renewals = [0, 5, 17, 30]
    d = {
        "horizon_months": 48,
        "logmein": {
            "agents": 20,
            "price_per_agent_month": 50,
            "months_to_renewal": 0,
            "term_months": 36,
            "billing": billing,
            "escalator": {"rate": 0.07, "timing": "yearly"},
            "uplift": 0.03,
        },
        "residual": {"logmein_agents": 4},
    }
    many = _terms(d).replace_x(logmein__months_to_renewal=np.array(renewals, dtype=float))
    for scenario in ("status_quo", "right_size"):
        rows = monthly_costs(many, scenario)["logmein"]
        ones = np.ones((1, 48))
        sums = weighted_costs(many, scenario, ones)["logmein"]
        for i, r in enumerate(renewals):
            one = {**d, "logmein": {**d["logmein"], "months_to_renewal": r}}
            alone = monthly_costs(_terms(one), scenario)["logmein"][0]
            assert rows[i].tolist() == pytest.approx(alone.tolist(), rel=1e-12)
            assert sums[i] == pytest.approx(alone.sum(), rel=1e-12)


def test_a_mid_term_cut_is_said_as_a_cut_in_the_text_and_the_calendar():
    from rhmodel.core.events import dated_actions
    from rhmodel.core.money.evaluation import evaluate
    from rhmodel.edges.bundled import load_capabilities
    from rhmodel.faces.scenario_text import scenarios_text

    e = evaluate(_params(_cut_case(10_000)), load_capabilities())
    text = scenarios_text(e).replace("\n", " ")
    # the cut beats the first renewal (month 31): no negative "cost of waiting"
    assert "cost of waiting: −" not in text and "cutting before the term ends is worth" in text
    events = {x.kind: x for x in dated_actions(e.plan)}
    assert events["renewal"].summary == "LogMeIn Resolve cut before its term ends: cancel"
    assert events["renewal"].day == dt.date(2027, 4, 1)
    assert "before its term ends, from 1 April 2027" in events["notice"].description
    assert "termination fee of US$10,000" in events["renewal"].description
