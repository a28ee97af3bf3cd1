"""The DataFrames of the library (rhmodel.core.frames), the name lookups (rhmodel.core.named) and
the short reprs and cards (rhmodel.core.cards), each against an oracle computed here: a hand
calculation, a brute-force recomputation from the monthly cash flows, or the result objects'
own fields read one by one."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from itertools import pairwise

import numpy as np
import pandas as pd
import pytest

from rhmodel.core import cards, frames
from rhmodel.core.jsonable import jsonable
from rhmodel.core.money.evaluation import evaluate
from rhmodel.core.named import ByName, NameNotFound, by_name
from rhmodel.core.pilot.sessions import OPEN
from rhmodel.core.products import CONTRACTS
from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE, SAMPLE_PILOT_DIR
from rhmodel.edges.paramfile import load_parameters
from rhmodel.edges.pilotfiles import pilot_report
from tests.conftest import params_from

HAND = """
discount_rate: 0
horizon_months: 36
logmein: {agents: 100, price_per_agent_month: 50, months_to_renewal: 0}
residual: {logmein_agents: 10}
"""


@pytest.fixture(scope="module")
def sample():
    return evaluate(load_parameters(SAMPLE_PARAMS_FILE), _matrix(), draws=400, seed=3)


@pytest.fixture(scope="module")
def report():
    return pilot_report(load_parameters(SAMPLE_PARAMS_FILE))


def _matrix():
    from rhmodel.edges.bundled import load_capabilities

    return load_capabilities()


def test_a_hand_worked_case():
    # 100 agents at US$50 a month renew at month 1; right-size keeps 10: 90 × 50 × 36 saved
    e = evaluate(params_from(HAND), _matrix())
    df = frames.scenarios_frame(e)
    assert df.loc["right_size", "savings"] == pytest.approx(90 * 50 * 36)
    assert df.loc["right_size", "npv"] == pytest.approx(162_000.0)  # discount rate 0
    assert df.loc["status_quo", "total_cost"] == pytest.approx(100 * 50 * 36)
    cf = frames.cash_flows(e)
    assert (cf.loc["status_quo", "logmein"] == 5000.0).all()
    assert (cf.loc["right_size", "logmein"] == 500.0).all()
    assert cf.loc["right_size"].index[0] == pd.Timestamp(e.params["start_date"])


def test_scenarios_frame_matches_a_recomputation_from_the_cash_flows(sample):
    df = frames.scenarios_frame(sample)
    cf = frames.cash_flows(sample)
    rate = sample.params["discount_rate"]
    sq = cf.loc["status_quo", "total"].to_numpy()
    for s in sample.analysis.scenarios:
        diff = sq - cf.loc[s.name, "total"].to_numpy()
        m = np.arange(1, len(diff) + 1)
        npv = float(np.sum(diff / (1 + rate) ** (m / 12)))
        assert df.loc[s.name, "npv"] == pytest.approx(npv, rel=1e-12, abs=1e-6)
        assert df.loc[s.name, "savings"] == pytest.approx(diff.sum(), abs=1e-6)
        # payback by brute force: the first month from which the running sum stays >= 0
        cum, h = np.cumsum(diff), len(diff)
        stays = [
            m for m in range(h + 1) if all(cum[j - 1] >= -1e-6 for j in range(max(m, 1), h + 1))
        ]
        expected = None if s.name == "status_quo" or not stays else stays[0]
        got = df.loc[s.name, "payback_months"]
        assert (pd.isna(got) and expected is None) or int(got) == expected
    # every plan weighed is a row, with the NPV the analysis weighed it by
    for name, npv in sample.analysis.option_npv.items():
        assert df.loc[name, "npv"] == pytest.approx(npv)
    assert df.index[df["recommended"]].tolist() == [sample.analysis.recommended]


def test_frame_dtypes_are_the_ecosystems(sample, report):
    df = frames.scenarios_frame(sample)
    for c in ("npv", "total_cost", "savings", "pv_new_spend", "roi"):
        assert df[c].dtype == np.float64, c
    assert df["kind"].dtype.name == "category" and df["payback_months"].dtype.name == "Int64"
    cf = frames.cash_flows(sample)
    assert str(cf.index.get_level_values("month").dtype) == "datetime64[ns]"
    assert cf.index.get_level_values("scenario").dtype.name == "category"
    assert all(cf[c].dtype == np.float64 for c in cf.columns)
    s = frames.sessions_frame(report)
    assert isinstance(s["start"].dtype, pd.DatetimeTZDtype)
    assert str(s["start"].dt.tz) == report.timezone
    assert s["class"].dtype.name == "category" and "klass" not in s.columns


def test_cash_flow_columns_add_up_to_the_total(sample):
    cf = frames.cash_flows(sample)
    parts = cf.drop(columns="total").sum(axis=1)
    assert np.allclose(parts, cf["total"])
    for s in sample.analysis.scenarios:
        assert cf.loc[s.name, "total"].sum() == pytest.approx(s.total_cost)
    months = cf.loc["status_quo"].index
    assert len(months) == sample.params["horizon_months"]
    # month-start dates, one calendar month apart
    steps = [(b.year * 12 + b.month) - (a.year * 12 + a.month) for a, b in pairwise(months)]
    assert steps == [1] * (len(months) - 1)


def test_by_year_recomputed_from_the_monthly_components(sample):
    cf = frames.cash_flows(sample)
    by = frames.by_year_frame(sample)
    contracts = [c.name for c in CONTRACTS if c.name in cf.columns]
    for s in sample.analysis.scenarios:
        benefits = (cf.loc["status_quo", contracts] - cf.loc[s.name, contracts]).sum(axis=1)
        y = by.loc[s.name]
        assert y.loc[0, "costs"] == pytest.approx(cf.loc[s.name, "transition"].iloc[0])
        for k in y.index[1:]:
            span = slice(12 * (k - 1), 12 * k)
            assert y.loc[k, "benefits"] == pytest.approx(benefits.iloc[span].sum(), abs=1e-6)
            assert y.loc[k, "costs"] == pytest.approx(
                cf.loc[s.name, "remote_help"].iloc[span].sum(), abs=1e-6
            )
        assert np.allclose(y["net"], y["benefits"] - y["costs"])


def test_sensitivity_and_break_even_frames(sample):
    t = frames.sensitivity_frame(sample)
    assert len(t) == len(sample.sensitivity)
    assert np.allclose(t["swing"], (t["npv_high"] - t["npv_low"]).abs())
    assert t["swing"].is_monotonic_decreasing
    assert ((t["low"] <= t["base"]) & (t["base"] <= t["high"])).all()
    be = frames.break_even_frame(sample)
    assert set(be.index) == set(sample.break_even)
    for k, b in sample.break_even.items():
        assert (np.isnan(be.loc[k, "value"]) and b.value is None) or be.loc[k, "value"] == b.value


def test_simulation_frame_is_one_row_per_draw(sample):
    sim = frames.simulation_frame(sample)
    assert sim.shape == (400, len(sample.simulation.npv))
    for name, stats in sample.simulation.scenarios.items():
        assert sim[name].mean() == pytest.approx(stats.npv_mean)
        assert (sim[name] > 0).mean() == pytest.approx(stats.p_npv_positive)
    without = evaluate(load_parameters(SAMPLE_PARAMS_FILE), _matrix())
    with pytest.raises(Exception, match="draws=N"):
        frames.simulation_frame(without)


def test_sessions_frame_times_and_classes(report):
    s = frames.sessions_frame(report)
    raw = report.records
    assert len(s) == len(raw) == report.sessions_total
    # the first start, converted here with the standard library
    first = dt.datetime.fromtimestamp(int(raw["start"].iloc[0]), tz=dt.UTC)
    assert s["start"].iloc[0].to_pydatetime() == first
    assert (s["end"].isna() == (raw["end"] == OPEN)).all()
    counts = s["class"].value_counts()
    for klass, n in report.sessions_by_class.items():
        assert counts[klass] == n
    assert (s["class"] == "residual").sum() == report.residual_sessions


def test_pilot_sessions_is_the_typed_frame(report):
    """The issue pins ``pilot.sessions`` itself as the typed frame: tz-aware datetime64 start and
    end, a ``class`` column, no ``klass``; ``records`` keeps the raw seconds the sizing uses."""
    s = report.sessions
    assert isinstance(s["start"].dtype, pd.DatetimeTZDtype)
    assert isinstance(s["end"].dtype, pd.DatetimeTZDtype)
    assert str(s["start"].dt.tz) == report.timezone
    assert "class" in s.columns and "klass" not in s.columns
    assert s["class"].dtype.name == "category"
    # the same instants as the raw seconds, converted independently with the standard library
    raw = report.records
    for i in (0, len(raw) // 2, len(raw) - 1):
        want = dt.datetime.fromtimestamp(int(raw["start"].iloc[i]), tz=dt.UTC)
        assert s["start"].iloc[i].to_pydatetime() == want
    assert (s["class"].astype(str).to_numpy() == raw["klass"].astype(str).to_numpy()).all()
    # built once, and never part of the report's JSON nor of its fields
    assert report.sessions is s
    assert "sessions" not in {f.name for f in dataclasses.fields(report)}
    assert "sessions" not in jsonable(report) and "records" not in jsonable(report)


def test_pool_frame_reads_every_tool(report):
    pf = frames.pool_frame(report)
    assert pf.index.tolist() == list(report.tools)
    for name, t in report.tools.items():
        assert pf.loc[name, "recommended_licenses"] == t.recommended_licenses
        assert pf.loc[name, "erlang_b_servers"] == t.erlang_b_servers
        assert pf.loc[name, "daily_peak_p95"] == pytest.approx(t.daily_peak_p95)


def test_lookups_by_name_say_what_is_accepted(sample):
    items = ByName(sample.analysis.scenarios, "scenario")
    assert items["right_size"] is sample.analysis.scenarios[1]
    assert items[0].name == "status_quo" and "cancel" in items and "nope" not in items
    with pytest.raises(KeyError, match=r"did you mean 'right_size'\?.*accepted: status_quo"):
        items["rightsize"]
    with pytest.raises(NameNotFound):
        by_name(sample.analysis.options, "logmein_cancel", "plan")
    assert items == tuple(sample.analysis.scenarios)  # still the tuple it was


def test_reprs_are_short_and_cards_escape_outside_text(sample, report, tmp_path):
    # a dataclass's generated repr of the evaluation runs to tens of thousands of characters
    assert len(cards.evaluation_repr(sample)) < 300
    assert len(cards.analysis_repr(sample.analysis)) < 300
    assert len(cards.pilot_repr(report)) < 300
    # the headline's figure: the timed plan's NPV, as the memo's first line states it
    assert f"NPV US${sample.plan.npv:,.0f} over" in cards.evaluation_repr(sample)
    # a parameters file whose name is markup: the card shows it as text
    (tmp_path / "params").mkdir()
    shutil.copytree(SAMPLE_PILOT_DIR, tmp_path / "sample" / "pilot")
    hostile = tmp_path / "params" / "<img src=x onerror=alert(1)>.yaml"
    shutil.copyfile(SAMPLE_PARAMS_FILE, hostile)
    e = evaluate(load_parameters(hostile), _matrix())
    card = cards.evaluation_html(e)
    assert "<img" not in card and "&lt;img src=x onerror=alert(1)&gt;.yaml" in card
    assert "illustrative" in card
    assert "<img" not in cards.analysis_html(e.analysis)
    assert "Pool: beyondtrust" in cards.pilot_html(report)
