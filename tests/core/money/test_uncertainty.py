"""Sensitivity, break-even, Monte Carlo and timing, each against an independent computation."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from rhmodel.core.document import parse_yaml
from rhmodel.core.money.scenarios import analyse
from rhmodel.core.money.timing import contract_timing
from rhmodel.core.money.uncertainty import break_even, sensitivity, simulate
from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE, load_capabilities
from rhmodel.edges.paramfile import load_parameters, parse_parameters
from tests import oracle

BASE = {
    "discount_rate": 0.08,
    "start_date": "2027-01-01",
    "horizon_months": 36,
    "logmein": {"agents": 80, "months_to_renewal": 4, "notice_days": 60},
    "beyondtrust": {
        "concurrent_seats": 10,
        "price_per_seat_year": 2400,
        "months_to_renewal": 9,
        "billing": "annual",
        "notice_days": 90,
    },
    "residual": {"logmein_agents": 8, "beyondtrust_seats": 3},
    "transition": {"deployment_cost": 20_000},
}


def _p(d: dict, *overrides: str):
    return parse_parameters(parse_yaml(yaml.safe_dump(d), "p.yaml"), overrides)


def _plain(d: dict, **changes) -> dict:
    """``d`` with the LogMeIn price fixed (the oracle takes plain numbers)."""
    out = json.loads(json.dumps(d))
    out["logmein"]["price_per_agent_month"] = changes.get("price", 61.5)
    return out


def test_sensitivity_bars_equal_one_at_a_time_oracle_runs():
    d = {**BASE, "transition": {"deployment_cost": {"low": 10_000, "mode": 20_000, "high": 45_000}}}
    bars = sensitivity(_p(d))
    assert [b.key for b in bars] == ["logmein.price_per_agent_month", "transition.deployment_cost"]
    assert bars[0].swing >= bars[1].swing
    price = bars[0]
    assert (price.low, price.high, price.base) == (29.0, 94.0, 61.5)
    for value, npv in ((29.0, price.npv_low), (94.0, price.npv_high)):
        plain = _plain(BASE, price=value)
        assert npv == pytest.approx(oracle.metrics(plain, "right_size")["npv"], rel=1e-10)
    dep = bars[1]
    plain = _plain(BASE)
    plain["transition"]["deployment_cost"] = 45_000
    assert dep.npv_high == pytest.approx(oracle.metrics(plain, "right_size")["npv"], rel=1e-10)


def test_break_even_points_give_zero_npv_in_the_oracle():
    d = {
        **BASE,
        "logmein": {**BASE["logmein"], "price_per_agent_month": 10},
        "transition": {"deployment_cost": 40_000},
    }
    be = break_even(_p(d))
    plain = json.loads(json.dumps(d))
    price = be["logmein.price_per_agent_month"].value
    pool = be["residual.beyondtrust_seats"].value
    assert price is not None and pool is not None
    plain["logmein"]["price_per_agent_month"] = price
    assert oracle.metrics(plain, "right_size")["npv"] == pytest.approx(0, abs=1e-6)
    plain = json.loads(json.dumps(d))
    plain["residual"]["beyondtrust_seats"] = pool  # a fractional pool: the line's zero
    assert oracle.metrics(plain, "right_size")["npv"] == pytest.approx(0, abs=1e-6)
    assert "fewer than" in be["residual.beyondtrust_seats"].meaning or pool >= 10


def test_a_break_even_outside_the_domain_is_null_with_its_meaning():
    # cheap change, dear incumbent: right_size pays at any price and with every licence kept
    d = {**BASE, "logmein": {**BASE["logmein"], "price_per_agent_month": 10}}
    be = break_even(_p(d))
    price = be["logmein.price_per_agent_month"]
    assert price.value is None and "at any price ≥ 0" in price.meaning
    pool = be["residual.logmein_agents"]
    assert pool.value is None and "even if all 80 agents are kept" in pool.meaning
    # the oracle agrees: at price 0 and with all 80 kept the NPV is still positive
    plain = json.loads(json.dumps(d))
    plain["logmein"]["price_per_agent_month"] = 0
    assert oracle.metrics(plain, "right_size")["npv"] > 0
    plain = json.loads(json.dumps(d))
    plain["residual"]["logmein_agents"] = 80
    assert oracle.metrics(plain, "right_size")["npv"] > 0


def test_break_even_is_none_when_the_renewal_is_beyond_the_horizon():
    d = {**BASE, "horizon_months": 3}
    be = break_even(_p(d))
    assert be["residual.logmein_agents"].value is None
    assert "does not change" in be["residual.logmein_agents"].meaning


def test_collapsed_ranges_reproduce_the_deterministic_result():
    d = json.loads(json.dumps(BASE))
    d["logmein"]["price_per_agent_month"] = {"low": 50, "high": 50}
    d["logmein"]["months_to_renewal"] = {"low": 4, "high": 4}  # forces the per-draw path
    d["discount_rate"] = {"low": 0.08, "mode": 0.08, "high": 0.08}
    p = _p(d)
    det = analyse(p, load_capabilities())
    sim = simulate(p, draws=1000, seed=3)
    for name in ("status_quo", "right_size", "cancel"):
        assert np.allclose(sim.npv[name], det.scenario(name).npv, rtol=1e-12, atol=1e-6)
        assert sim.scenarios[name].savings_mean == pytest.approx(det.scenario(name).savings)


def test_simulation_mean_converges_to_the_analytic_mean():
    # NPV is linear in the price, so E[NPV] = NPV(E[price]); triangular mean = (a + c + b) / 3.
    d = json.loads(json.dumps(BASE))
    d["logmein"]["price_per_agent_month"] = {"low": 29, "mode": 40, "high": 94}
    sim = simulate(_p(d), draws=200_000, seed=11)
    mean_price = (29 + 40 + 94) / 3
    want = oracle.metrics(_plain(BASE, price=mean_price), "right_size")["npv"]
    values = sim.npv["right_size"]
    se = values.std(ddof=1) / np.sqrt(values.size)
    assert abs(values.mean() - want) < 5 * se
    # P(NPV > 0) for a uniform price is the share of the range above the break-even price
    d["logmein"]["price_per_agent_month"] = {"low": 29, "high": 94}
    d["transition"]["deployment_cost"] = 150_000  # make the answer uncertain
    d["beyondtrust"]["concurrent_seats"] = 0
    d["residual"]["beyondtrust_seats"] = 0
    p = _p(d)
    npv_at = {x: oracle.metrics(_plain(d, price=x), "right_size")["npv"] for x in (29, 94)}
    p_star = 29 + (0 - npv_at[29]) * (94 - 29) / (npv_at[94] - npv_at[29])
    assert 29 < p_star < 94
    sim = simulate(p, draws=200_000, seed=5)
    expected = (94 - p_star) / (94 - 29)
    se = np.sqrt(expected * (1 - expected) / 200_000)
    assert abs(sim.scenarios["right_size"].p_npv_positive - expected) < 5 * se


def test_simulation_is_seeded_and_chunk_independent_in_distribution():
    p = load_parameters(SAMPLE_PARAMS_FILE)
    a = simulate(p, draws=5000, seed=42)
    b = simulate(p, draws=5000, seed=42)
    assert np.array_equal(a.npv["cancel"], b.npv["cancel"])
    c = simulate(p, draws=5000, seed=43)
    assert not np.array_equal(a.npv["cancel"], c.npv["cancel"])
    # chunked evaluation draws the same inputs the same way
    small = simulate(p, draws=5000, seed=42, chunk=5000)
    assert np.array_equal(a.npv["cancel"], small.npv["cancel"])
    assert a.scenarios["status_quo"].p_npv_positive == 0.0


def test_drawn_counts_are_whole_numbers():
    d = json.loads(json.dumps(BASE))
    d["logmein"]["agents"] = {"low": 70, "high": 90}
    d["logmein"]["price_per_agent_month"] = 50  # the only other uncertain input: fix it
    d["residual"]["logmein_agents"] = {"low": 5, "high": 12}
    p = _p(d)
    sim = simulate(p, draws=3000, seed=1)
    # right_size NPV is linear in (agents, residual) with fixed other inputs, and both are
    # integers: the NPV takes at most 21 × 8 distinct values.
    assert len(np.unique(np.round(sim.npv["right_size"], 6))) <= 21 * 8


@settings(max_examples=40, deadline=None)
@given(r=st.integers(0, 30), notice=st.integers(0, 200), pilot=st.integers(1, 120))
def test_timing_dates_and_cost_of_delay(r, notice, pilot):
    d = {
        "start_date": "2027-01-31",
        "pilot": {"days": pilot},
        "discount_rate": 0.1,
        "logmein": {
            "agents": 50,
            "price_per_agent_month": 40,
            "months_to_renewal": r,
            "notice_days": notice,
        },
        "residual": {"logmein_agents": 5},
    }
    p = _p(d)
    a = analyse(p, load_capabilities())
    (t,) = contract_timing(p, a)
    year, month = divmod(0 + r, 12)  # January + r months, clamped to the month's end
    y, m = 2027 + year, 1 + month
    last_day = (dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)).day
    assert t.renewal_date == dt.date(y, m, min(31, last_day))
    # the term ends the day before the renewal; notice is due `notice` days before that, on the
    # last weekday on or before it (no holidays listed)
    assert t.term_end == t.renewal_date - dt.timedelta(days=1)
    counted = t.term_end - dt.timedelta(days=notice)
    back = {5: 1, 6: 2}.get(counted.weekday(), 0)  # Saturday → Friday, Sunday → Friday
    assert t.decision_deadline == t.notice_by == counted - dt.timedelta(days=back)
    assert t.notice_moved_from == (counted if back else None)
    assert t.notice_by.weekday() < 5
    assert t.pilot_fits == (dt.date(2027, 1, 31) + dt.timedelta(days=pilot) <= t.decision_deadline)
    plain = json.loads(json.dumps(d))
    want = (
        oracle.metrics(plain, t.scenario)["npv"]
        - oracle.metrics(plain, t.scenario, delay={"logmein": 1})["npv"]
    )
    assert t.cost_of_delay == pytest.approx(want, rel=1e-9, abs=1e-6)


def test_scenarios_cli_simulation_million_draws(cli):
    r = cli(
        "scenarios", SAMPLE_PARAMS_FILE, "--simulate", "1000000", "--seed", "7", "--format", "json"
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    sim = out["simulation"]
    assert sim["draws"] == 1_000_000 and sim["seed"] == 7
    for stats in sim["scenarios"].values():
        assert stats["npv_p10"] <= stats["npv_p50"] <= stats["npv_p90"]
        assert 0.0 <= stats["p_npv_positive"] <= 1.0
    assert set(out) >= {
        "recommended",
        "scenarios",
        "sensitivity",
        "break_even",
        "timing",
        "illustrative_inputs",
        "simulation",
    }
    assert "logmein.price_per_agent_month" in out["illustrative_inputs"]
    assert out["provenance"]["parameters_sha256"] == load_parameters(SAMPLE_PARAMS_FILE).digest()


def test_scenarios_table_fits_100_columns_and_flags_illustrative(cli):
    r = cli("scenarios", SAMPLE_PARAMS_FILE, "--simulate", "2000")
    assert r.returncode == 0, r.stderr
    assert max(len(line) for line in r.stdout.splitlines()) <= 100
    assert "ILLUSTRATIVE" in r.stdout
    for name in ("status_quo", "right_size", "cancel"):
        assert name in r.stdout


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (
            ("--simulate", "abc"),
            "error: rhmodel scenarios: argument --simulate: not a whole number",
        ),
        (("--simulate", "-5"), "error: rhmodel scenarios: argument --simulate: must be at least 1"),
        (("--seed", "x"), "error: rhmodel scenarios: argument --seed"),
        (
            ("--set", "residual.logmein_agents=500"),
            "error: --set: residual.logmein_agents: the pool to keep (500) is larger",
        ),
    ],
)
def test_scenarios_bad_input(cli, args, fragment):
    r = cli("scenarios", SAMPLE_PARAMS_FILE, *args)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.startswith(fragment), r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_missing_residual_through_the_cli(cli, write_params):
    path = write_params("logmein: {agents: 10, price_per_agent_month: 40, months_to_renewal: 1}\n")
    r = cli("scenarios", path)
    assert r.returncode == 2
    assert r.stderr.startswith(f"error: {path}: residual.logmein_agents: missing while")


def test_total_cost_of_delay_is_the_sum_of_independent_slips():
    from rhmodel.core.money.evaluation import evaluate

    p = _p(BASE)
    e = evaluate(p, load_capabilities())
    plain = _plain(BASE)
    scenario = e.timing[0].scenario
    both = (
        oracle.metrics(plain, scenario)["npv"]
        - oracle.metrics(plain, scenario, delay={"logmein": 1, "beyondtrust": 1})["npv"]
    )
    assert e.cost_of_delay_total() == pytest.approx(both, rel=1e-9)
