"""Remote Help licences per user group (issue 27, item 4): hand cases, the month-by-month oracle,
and properties over random groups."""

from __future__ import annotations

import json

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from rhmodel.core.money.cashflows import monthly_costs, weighted_costs
from rhmodel.core.money.evaluation import evaluate, evaluation_document
from rhmodel.core.money.scenarios import base_terms
from rhmodel.core.money.uncertainty import sensitivity, simulate
from rhmodel.core.params.resolve import LICENCES
from rhmodel.core.products import COMPONENTS, SCENARIOS
from rhmodel.edges.bundled import load_capabilities
from tests import oracle
from tests.core.money.test_scenarios import HAND, _analyse, _params, cents, param_sets

WARD = {"name": "Ward staff (F3)", "users": 3400, "licence": "frontline"}


def _with_groups(d: dict, *groups: dict, **rh) -> dict:
    return {**d, "remote_help": {**d.get("remote_help", {}), **rh, "user_groups": list(groups)}}


def test_a_frontline_group_costs_users_times_price_times_months():
    # 3,400 frontline sharers at a quoted US$2.00 from month 4 of 36: 33 months paid
    d = _with_groups(HAND, {**WARD, "price_per_user_month": 2.0}, start_month=4)
    a = _analyse(d)
    want = 3400 * 2.0 * 33
    assert want == 224_400
    for name in ("right_size", "cancel"):
        rh = a.scenario(name).components["remote_help"]
        assert rh[:3] == (0.0, 0.0, 0.0) and set(rh[3:]) == {6800.0}
        assert sum(rh) == want
        assert sum(oracle.new_spend(d, name)) == want
    assert sum(a.scenario("status_quo").components["remote_help"]) == 0
    assert a.scenario("right_size").savings == 162_000 - want
    # the TEI table carries it as a cost: years 1-3 hold 9, 12 and 12 months of it
    assert [r.costs for r in a.scenario("right_size").by_year] == [
        0.0,
        9 * 6800,
        12 * 6800,
        12 * 6800,
    ]


def test_an_android_dedicated_group_is_priced_helper_only():
    kiosks = {
        "name": "Warehouse scanners",
        "licence": "addon",
        "android_dedicated": True,
        "helpers": 12,
        "sharers": 900,
    }
    a = _analyse(_with_groups(HAND, kiosks))
    # 12 helpers at the add-on's US$3.50 (price book); the 900 devices need no licence
    assert set(a.scenario("cancel").components["remote_help"]) == {12 * 3.5}
    assert oracle.group_month(kiosks) == 42.0
    # the same people without the flag: every helper and sharer pays
    plain = {k: v for k, v in kiosks.items() if k != "android_dedicated"}
    assert set(
        _analyse(_with_groups(HAND, plain)).scenario("cancel").components["remote_help"]
    ) == {912 * 3.5}


def test_price_book_defaults_per_licence_and_included_costs_nothing():
    groups = [
        {"name": "a", "users": 10, "licence": "addon"},
        {"name": "b", "users": 10, "licence": "plan2"},
        {"name": "c", "users": 10, "licence": "suite"},
        {"name": "d", "users": 10_000, "licence": "included"},
    ]
    a = _analyse(_with_groups(HAND, *groups))
    assert set(a.scenario("right_size").components["remote_help"]) == {35.0 + 40.0 + 100.0}


def test_groups_add_to_the_add_on_path_which_is_unchanged():
    d = {**HAND, "remote_help": {"licensing": "add_on", "licensed_users": 200}}
    assert set(_analyse(d).scenario("right_size").components["remote_help"]) == {700.0}
    both = _with_groups(
        d, {"name": "F3", "users": 100, "licence": "frontline", "price_per_user_month": 2}
    )
    assert set(_analyse(both).scenario("right_size").components["remote_help"]) == {900.0}


def test_the_price_book_default_follows_the_currency():
    d = {
        **_with_groups(HAND, {"name": "x", "users": 100, "licence": "suite"}),
        "currency": "EUR",
        "usd_rate": 0.9,
    }
    p = _params(d)
    g = p.user_groups[0]
    assert g.price == pytest.approx(9.0)
    assert "converted at 0.9 EUR per US$" in g.numbers["price_per_user_month"].source
    # a price given in the file is in the file's currency already
    given = _with_groups(
        {**HAND, "currency": "EUR", "usd_rate": 0.9},
        {"name": "x", "users": 100, "licence": "suite", "price_per_user_month": 10},
    )
    assert _params(given).user_groups[0].price == 10.0


def test_a_ranged_group_is_in_the_tornado_and_the_simulation():
    d = _with_groups(
        {**HAND, "discount_rate": 0.0},
        {
            **WARD,
            "users": {"low": 3000, "high": 3800},
            "price_per_user_month": {"low": 1.5, "high": 2.5},
        },
    )
    p = _params(d)
    bars = {b.key: b for b in sensitivity(p, "right_size")}
    users = bars["remote_help.user_groups[0].users"]
    price = bars["remote_help.user_groups[0].price_per_user_month"]
    # at base (3,400 × 2.00) over 36 months; each end moves one input, the other at base. The
    # tornado describes the plan as it can happen (issue 20): with months_to_renewal 0 the first
    # renewal's notice has passed, so right-sizing lands a 12-month term later and saves 90 ×
    # 50 for 24 months (108,000), not 36 (162,000).
    saved = 90 * 50 * 24
    assert users.npv_low == pytest.approx(saved - 3000 * 2.0 * 36)
    assert users.npv_high == pytest.approx(saved - 3800 * 2.0 * 36)
    assert price.npv_low == pytest.approx(saved - 3400 * 1.5 * 36)
    sim = simulate(p, draws=500, seed=3)
    assert "remote_help.user_groups[0].users" in sim.inputs
    assert sim.scenarios["right_size"].npv_mean < 162_000


def test_assumed_default_says_who_holds_a_licence():
    e = evaluate(_params(HAND), load_capabilities())
    d = {x.key: x for x in e.assumed_defaults()}
    assert d["remote_help.licensing"].value == "included"
    assert "every helper and sharer holds a commercial Microsoft 365 E3/E5/E7 licence" in (
        d["remote_help.licensing"].source
    )
    # stated in the file: not an assumption
    stated = evaluate(
        _params({**HAND, "remote_help": {"licensing": "included"}}), load_capabilities()
    )
    assert "remote_help.licensing" not in {x.key for x in stated.assumed_defaults()}


@pytest.mark.parametrize("cloud", ["gcc", "gcc_high"])
def test_a_government_cloud_is_not_assumed_included(cloud):
    p = _params({**HAND, "tenant_cloud": cloud})
    e = evaluate(p, load_capabilities())
    d = {x.key: x for x in e.assumed_defaults()}
    source = d["remote_help.licensing"].source
    assert source.startswith("UNCONFIRMED") and cloud in source and "not priced" in source
    # the figures are those of the file as given (no number is invented for the licences)
    assert e.analysis.scenario("right_size").npv == _analyse(HAND).scenario("right_size").npv
    # stating it, or pricing the users in groups, settles it
    said = _params({**HAND, "tenant_cloud": cloud, "remote_help": {"licensing": "included"}})
    assert said.value("remote_help.licensing").origin == "file"


def test_json_lists_each_group_cost_line():
    d = _with_groups(HAND, {**WARD, "price_per_user_month": {"value": 2.0, "illustrative": True}})
    e = evaluate(_params(d), load_capabilities())
    doc = json.loads(json.dumps(evaluation_document(e)))
    (g,) = doc["user_groups"]
    assert g["name"] == "Ward staff (F3)" and g["licence"] == "frontline"
    assert (g["licensed"], g["monthly_cost"], g["months"], g["total"]) == (3400, 6800, 36, 244_800)
    assert g["illustrative"] is True
    assert "remote_help.user_groups[0].price_per_user_month" in doc["illustrative_inputs"]


# ---- the oracle over random groups ----------------------------------------------------------


def _group(licence: str) -> st.SearchStrategy[dict]:
    price = {"price_per_user_month": cents(0, 20)}
    if licence == "android":
        return st.fixed_dictionaries(
            {
                "licence": st.sampled_from(("addon", "suite", "plan2")),
                "android_dedicated": st.just(True),
                "helpers": st.integers(0, 300),
            },
            optional={"sharers": st.integers(0, 5000), **price},
        )
    counts = st.one_of(
        st.fixed_dictionaries({"users": st.integers(0, 5000)}),
        st.fixed_dictionaries({"helpers": st.integers(0, 300), "sharers": st.integers(0, 5000)}),
    )
    return counts.flatmap(
        lambda c: st.fixed_dictionaries(
            {
                "licence": st.just(licence),
                **{k: st.just(v) for k, v in c.items()},
                **(price if licence == "frontline" else {}),
            },
            optional=price if licence in ("addon", "suite", "plan2") else {},
        )
    )


groups = st.lists(st.sampled_from((*LICENCES, "android")).flatmap(_group), max_size=5).map(
    lambda gs: [{"name": f"group {i}", **g} for i, g in enumerate(gs)]
)
param_sets_with_groups = st.tuples(param_sets, groups).map(
    lambda pg: {**pg[0], "remote_help": {**pg[0]["remote_help"], "user_groups": pg[1]}}
)


@settings(max_examples=120, deadline=None)
@given(p=param_sets_with_groups)
def test_model_with_groups_matches_the_oracle(p):
    a = _analyse(p)
    for s in a.scenarios:
        want = oracle.metrics(p, s.name)
        assert s.monthly_cost == pytest.approx(want["monthly_cost"], rel=1e-9, abs=1e-6)
        for key in ("total_cost", "savings", "npv", "pv_costs", "pv_benefits"):
            assert getattr(s, key) == pytest.approx(want[key], rel=1e-9, abs=1e-6), key
        for got, row in zip(s.by_year, want["by_year"], strict=True):
            for key in ("benefits", "costs", "net"):
                assert getattr(got, key) == pytest.approx(row[key], rel=1e-9, abs=1e-6), key
        assert s.payback_months == want["payback_months"]


@settings(max_examples=40, deadline=None)
@given(p=param_sets_with_groups, uplift=st.sampled_from([0.1, 0.3]))
def test_risk_adjusted_groups_match_the_oracle(p, uplift):
    q = {**p, "risk_adjustment": {"benefit_haircut": 0.2, "cost_uplift": uplift}}
    a = _analyse(q)
    for name in ("right_size", "cancel"):
        want = oracle.metrics(p, name, haircut=0.2, uplift=uplift)
        assert a.scenario(name).npv == pytest.approx(want["npv"], rel=1e-9, abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(p=param_sets_with_groups)
def test_weighted_sums_equal_monthly_sums_with_groups(p):
    t = base_terms(_params(p))
    ones = np.ones((1, t.horizon))
    for s in SCENARIOS:
        monthly = monthly_costs(t, s)
        weighted = weighted_costs(t, s, ones)
        for k in COMPONENTS:
            assert weighted[k][0] == pytest.approx(monthly[k][0].sum(), rel=1e-9, abs=1e-6)


def test_groups_survive_a_round_trip_through_yaml():
    d = _with_groups(
        HAND,
        {**WARD, "price_per_user_month": {"value": 2.0, "illustrative": True}},
        {"name": "Contractors", "users": {"low": 100, "high": 140}, "licence": "addon"},
    )
    p = _params(d)
    again = _params(yaml.safe_load(yaml.safe_dump(p.to_yaml_mapping())))
    assert again.digest() == p.digest()
    moved = p.with_overrides(["discount_rate=0.05"])
    assert [(g.name, g.licensed, g.price) for g in moved.user_groups] == [
        (g.name, g.licensed, g.price) for g in p.user_groups
    ]
