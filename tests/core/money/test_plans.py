"""Plans per contract: evidence binds the verdict, coverage, viability and feasible timing.

Golden cases written by hand from the issue; NPVs held against the month-by-month oracle.
"""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from rhmodel.core.document import parse_yaml
from rhmodel.core.money.evaluation import evaluate, evaluation_document
from rhmodel.core.money.plans import timed_plan
from rhmodel.core.money.scenarios import analyse
from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE, load_capabilities
from rhmodel.edges.paramfile import load_parameters, parse_parameters
from tests import oracle

BOTH = {
    "start_date": "2026-12-01",
    "discount_rate": 0.08,
    "logmein": {
        "agents": 40,
        "price_per_agent_month": 50,
        "months_to_renewal": 4,
        "notice_days": 30,
    },
    "beyondtrust": {
        "concurrent_seats": 10,
        "price_per_seat_year": 2400,
        "months_to_renewal": 7,
        "notice_days": 60,
        "billing": "annual",
        "uplift": 0.04,
    },
    "residual": {"logmein_agents": 6, "beyondtrust_seats": 3},
    "transition": {"deployment_cost": 5000},
    "pilot": {"days": 45},
}


def _params(d: dict, observed: dict | None = None):
    p = parse_parameters(parse_yaml(yaml.safe_dump(d), "p.yaml"))
    if observed is not None:
        total: dict[str, int] = {}
        for reasons in observed.values():
            for r, n in reasons.items():
                total[r] = total.get(r, 0) + n
        p = p.with_observed(total, observed)
    return p


def _merge(base: dict, **changes) -> dict:
    out = yaml.safe_load(yaml.safe_dump(base))
    for path, value in changes.items():
        node = out
        *parents, leaf = path.split("__")
        for k in parents:
            node = node.setdefault(k, {})
        node[leaf] = value
    return out


@pytest.fixture(scope="module")
def sample():
    return evaluate(load_parameters(SAMPLE_PARAMS_FILE), load_capabilities())


def test_the_sample_does_not_recommend_cancel_while_its_pilot_has_residual_work(sample):
    a = sample.analysis
    assert sum(a.params.observed_residual.values()) > 0
    assert a.decision.verdict == "right_size"
    assert a.recommended != "cancel" and not a.scenario("cancel").viable
    # every observed reason is named in a failing criterion, with the pilot's count
    observed = a.params.observed_residual
    for c in a.decision.criteria:
        if c.observed_sessions:
            assert not c.passed and f"{c.observed_sessions:,} sessions" in c.explanation
            assert observed[next(k for k in observed if observed[k] == c.observed_sessions)]
    assert sample.plan.name == a.recommended
    assert sample.plan.npv == pytest.approx(a.option_npv[a.recommended])


def test_accepting_every_observed_reason_turns_the_sample_into_replace_and_cancel():
    p = load_parameters(SAMPLE_PARAMS_FILE)
    codes = sorted(p.observed_residual)
    p2 = load_parameters(SAMPLE_PARAMS_FILE, [f"decision.accept=[{', '.join(codes)}]"])
    a = analyse(p2, load_capabilities())
    assert a.decision.verdict == "replace" and a.recommended == "cancel"
    accepted = [c for c in a.decision.criteria if c.accepted]
    assert {c.id for c in accepted} >= {"privileged_access", "unattended"}
    # the pack records each decision taken, with the sessions it affects
    pam = p.observed_residual["pam"]
    assert any(f"pam work ({pam:,} pilot sessions)" in n for n in a.decision.evidence_notes)


def test_a_need_of_every_session_gives_keep():
    p = _params(_merge(BOTH, requirements__mandatory_session_recording="all"))
    a = analyse(p, load_capabilities())
    assert a.decision.verdict == "keep"
    assert a.recommended == "status_quo"
    assert all(not o.viable for o in a.options if o.name != "status_quo")
    rec = a.decision.criterion("session_recording")
    assert rec.declared == "all" and not rec.passed


def test_logmein_only_organisation_needing_pam_has_a_gap_and_no_viable_pool():
    d = _merge(BOTH, requirements__privileged_access_management=True)
    d["beyondtrust"] = {"concurrent_seats": 0}
    d["residual"] = {"logmein_agents": 6}
    a = analyse(_params(d), load_capabilities())
    assert [(g.need, g.product) for g in a.coverage_gaps] == [("privileged_access", "beyondtrust")]
    assert "only partly" in a.coverage_gaps[0].reason
    assert [o.name for o in a.options if o.viable] == ["status_quo"]
    assert a.recommended == "status_quo"


def test_a_zero_pool_against_a_failing_criterion_is_not_viable():
    d = _merge(BOTH, requirements__privileged_access_management=True, residual__beyondtrust_seats=0)
    a = analyse(_params(d), load_capabilities())
    rs = a.scenario("right_size")
    assert not rs.viable and "no pool kept covers privileged access" in rs.why
    # with the BeyondTrust pool kept, PAM is covered and right_size is viable again
    b = analyse(_params(_merge(d, residual__beyondtrust_seats=2)), load_capabilities())
    assert b.scenario("right_size").viable


def test_consolidation_moves_the_pool_and_matches_the_oracle():
    # LogMeIn's residual work needs only unattended support (BeyondTrust covers it: yes);
    # BeyondTrust's needs PAM. Consolidating LogMeIn into BeyondTrust is viable.
    observed = {"logmein": {"unattended": 30}, "beyondtrust": {"pam": 20}}
    p = _params(BOTH, observed)
    a = analyse(p, load_capabilities())
    name = "logmein_consolidate+beyondtrust_right_size"
    option = a.option(name)
    assert option.viable and option.keep == {"logmein": 0.0, "beyondtrust": 9.0}
    assert a.option_npv[name] == pytest.approx(oracle.metrics(BOTH, name)["npv"], rel=1e-12)
    # cancelling LogMeIn without moving its work is not
    assert not a.option("logmein_cancel+beyondtrust_right_size").viable
    # RMM work cannot move to BeyondTrust (partial there, yes on LogMeIn)
    q = _params(BOTH, {"logmein": {"rmm": 5}, "beyondtrust": {"pam": 20}})
    assert not analyse(q, load_capabilities()).option(name).viable


def test_recommended_plan_is_the_best_viable_option_and_may_mix_actions():
    # Only BeyondTrust's work remains; LogMeIn can be cancelled outright.
    observed = {"beyondtrust": {"pam": 20}}
    a = analyse(_params(BOTH, observed), load_capabilities())
    assert a.recommended == "logmein_cancel+beyondtrust_right_size"
    best = max((o for o in a.options if o.viable), key=lambda o: a.option_npv[o.name])
    assert a.option_npv[a.recommended] == a.option_npv[best.name]
    # the mixed plan appears among the scenarios, at first-renewal timing
    mixed = a.scenario(a.recommended)
    assert mixed.npv == pytest.approx(oracle.metrics(BOTH, a.recommended)["npv"], rel=1e-12)


def test_a_notice_deadline_before_the_pilot_ends_moves_the_change_a_term():
    # LogMeIn renews 1 April 2027, notice 30 days: the term ends 31 March, so notice is due by
    # Monday 1 March; a 120-day pilot from 1 December ends 31 March 2027, too late. The next
    # renewal, 1 April 2028: term ends 31 March 2028, 30 days before is Wednesday 1 March 2028.
    # BeyondTrust renews 1 July 2027, notice 60 days: term ends 30 June, 60 days before is
    # Saturday 1 May, so Friday 30 April: fits.
    d = _merge(BOTH, pilot__days=120)
    # RMM work stays on LogMeIn (BeyondTrust: partial), PAM on BeyondTrust: both pools stay
    a = analyse(
        _params(d, {"logmein": {"rmm": 10}, "beyondtrust": {"pam": 5}}), load_capabilities()
    )
    assert a.recommended == "right_size"
    plan = timed_plan(a)
    lm, bt = plan.actions
    assert (lm.terms_delayed, lm.renewal_date, lm.notice_by) == (
        1,
        dt.date(2028, 4, 1),
        dt.date(2028, 3, 1),
    )
    assert lm.effective_month == 4 + 1 + 12
    assert (bt.terms_delayed, bt.renewal_date, bt.notice_by) == (
        0,
        dt.date(2027, 7, 1),
        dt.date(2027, 4, 30),
    )
    want = oracle.metrics(d, "right_size", delay={"logmein": 1})["npv"]
    assert plan.npv == pytest.approx(want, rel=1e-12)
    assert plan.npv_first_renewal == pytest.approx(oracle.metrics(d, "right_size")["npv"])
    assert plan.cost_of_waiting == pytest.approx(plan.npv_first_renewal - want)
    assert not plan.feasible and "Monday 1 March 2027" in lm.sentence
    assert "31 March 2027" in lm.sentence and "Wednesday 1 March 2028" in lm.sentence
    assert "Friday 30 April 2027 — 1 May is a Saturday — " in bt.sentence
    # the per-contract NPVs add up to the plan's
    assert sum(x.npv for x in plan.actions) == pytest.approx(plan.npv, rel=1e-12)


def test_a_pilot_under_way_or_finished_times_from_its_own_dates():
    d = _merge(BOTH, pilot__days=120, pilot__start_date="2026-10-01")  # ends 29 January 2027
    plan = timed_plan(analyse(_params(d), load_capabilities()))
    assert plan.pilot_end == dt.date(2027, 1, 29) and plan.feasible
    # a finished pilot (exports given, end date set) delays nothing, whatever pilot.days says
    late = _merge(BOTH, pilot__days=300)
    assert not timed_plan(analyse(_params(late), load_capabilities())).feasible
    p = load_parameters(SAMPLE_PARAMS_FILE, ["pilot.days=300", "pilot.end_date=2026-11-20"])
    assert timed_plan(analyse(p, load_capabilities())).feasible


def test_a_deadline_already_passed_moves_the_change():
    # notice deadline two days after the start is fine; one day before it is not
    d = _merge(BOTH, pilot__end_date="2026-11-30", logmein__months_to_renewal=1)
    d["logmein"]["notice_days"] = 29  # renewal 1 Jan 2027, deadline 3 Dec 2026: fits
    assert timed_plan(analyse(_params(d), load_capabilities())).actions[0].terms_delayed == 0
    d["logmein"]["notice_days"] = 32  # deadline 30 Nov 2026: already passed
    assert timed_plan(analyse(_params(d), load_capabilities())).actions[0].terms_delayed == 1


def test_json_carries_the_plan_criteria_and_gaps(sample):
    doc = evaluation_document(sample)
    plan = doc["plan"]
    assert set(plan) >= {"name", "npv", "npv_first_renewal", "cost_of_waiting", "feasible"}
    for a in plan["actions"]:
        assert set(a) >= {
            "contract",
            "action",
            "keep",
            "effective_month",
            "renewal_date",
            "notice_by",
            "npv",
            "sentence",
        }
        assert a["contract"] in ("logmein", "beyondtrust")
        assert a["action"] in ("renew", "right_size", "cancel", "consolidate")
    assert doc["recommended"] == plan["name"]
    assert doc["coverage_gaps"] == []
    pam = next(c for c in doc["criteria"] if c["id"] == "privileged_access")
    assert pam["declared"] is False and pam["observed_sessions"] > 0 and not pam["accepted"]


REASONS = ("unattended", "external", "recording", "pam", "platform", "rmm", "other")
observed_sets = st.fixed_dictionaries(
    {
        "logmein": st.dictionaries(st.sampled_from(REASONS), st.integers(1, 50), max_size=4),
        "beyondtrust": st.dictionaries(st.sampled_from(REASONS), st.integers(1, 50), max_size=4),
    }
)


@settings(max_examples=60, deadline=None)
@given(observed=observed_sets, accepted=st.sets(st.sampled_from(REASONS)), more=st.data())
def test_accepting_more_reasons_never_makes_the_plan_worse(observed, accepted, more):
    extra = more.draw(st.sets(st.sampled_from(REASONS)))
    m = load_capabilities()

    def best(codes):
        d = _merge(BOTH, decision__accept=sorted(codes))
        a = analyse(_params(d, observed), m)
        return a.option_npv[a.recommended], {o.name for o in a.options if o.viable}

    npv, viable = best(accepted)
    npv_more, viable_more = best(accepted | extra)
    assert viable <= viable_more
    assert npv_more >= npv - 1e-6


NEEDS = (
    "external_or_unmanaged_support",
    "unattended_windows",
    "privileged_access_management",
    "mandatory_session_recording",
    "bundled_rmm_ticketing",
    "on_prem_or_air_gapped",
)


@settings(max_examples=60, deadline=None)
@given(
    observed=observed_sets,
    declared=st.dictionaries(st.sampled_from(NEEDS), st.sampled_from([True, "all"])),
    more=st.dictionaries(st.sampled_from(NEEDS), st.sampled_from([True, "all"])),
)
def test_declaring_more_needs_never_turns_a_non_viable_plan_viable(observed, declared, more):
    m = load_capabilities()

    def viable(needs):
        d = _merge(BOTH, requirements=dict(needs))
        return {o.name for o in analyse(_params(d, observed), m).options if o.viable}

    merged = dict(declared)
    for k, v in more.items():
        merged[k] = "all" if "all" in (v, merged.get(k)) else True
    assert viable(merged) <= viable(declared)
