"""Page 1 and the scenarios section describe the plan that can happen (issue 20, item 5), say
what ending the pilot earlier is worth (item 4), carry the budget view (issue 22, item 7), and
the pilot week by week when it is collected as a process (issue 25, item 4)."""

from __future__ import annotations

import html
import re

import pytest
import yaml

from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE
from rhmodel.faces.memo import RenewalPack


def _text(h) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", str(h._repr_html_())))


@pytest.fixture(scope="module")
def late():
    # a 100-day pilot ends 11 March 2027, after LogMeIn's 1 March notice deadline
    return RenewalPack.load(SAMPLE_PARAMS_FILE, ["pilot.days=100"], simulate=2000, seed=0)


def test_page_one_says_by_when_the_pilot_must_end_and_what_it_is_worth(late):
    plan = late.evaluation.plan
    assert plan.deadline_sentence  # the first renewal is missed
    page = _text(late.title())
    assert plan.deadline_sentence.replace("-", "−") in page or plan.deadline_sentence in page
    # the headline's P10–P90 is the timed plan's own, and the headline lies inside it
    sim = late.evaluation.simulation.scenarios[late.evaluation.analysis.recommended]
    assert sim.npv_p10 <= plan.npv <= sim.npv_p90


def test_the_figures_beside_the_headline_are_the_timed_plans(late):
    a = late.evaluation.analysis
    timed = a.plan_result
    first = a.scenario(a.recommended)
    assert timed.savings != pytest.approx(first.savings)  # the change slipped: they differ
    summary = _text(late.executive_summary())
    from rhmodel.faces.formatting import money

    assert money(timed.savings, "USD") in summary
    assert money(first.npv, "USD") in summary  # labelled: every change at its first renewal


def test_the_scenarios_section_has_the_budget_by_fiscal_year(late):
    b = late.evaluation.budget
    text = _text(late.scenarios())
    assert "Budget by fiscal year" in text
    for r in b.rows:
        assert r.fiscal_year in text
    from rhmodel.faces.formatting import money

    assert money(b.total("status_quo") - b.total("plan"), "USD") in text


def test_without_a_simulation_ranges_ask_for_one():
    pack = RenewalPack.load(SAMPLE_PARAMS_FILE, [], simulate=0)
    assert "run with --simulate N" in _text(pack.title())


def test_a_collected_pilot_shows_its_weeks_in_the_pack(tmp_path, cli):
    folder = tmp_path / "org"
    assert cli("sample", "--copy-to", folder).returncode == 0
    params = folder / "params" / "sample.yaml"
    doc = yaml.safe_load(params.read_text())
    (entry,) = doc["pilot"]["files"]
    files = sorted((params.parent / entry).iterdir())
    doc["pilot"]["store"] = "pilot-store"
    doc["pilot"]["devices"] = [f"{entry}/{f.name}" for f in files if "devices" in f.name]
    del doc["pilot"]["files"]
    params.write_text(yaml.safe_dump(doc))
    assert cli("pilot", "import", *files, "--params", params).returncode == 0
    pack = RenewalPack.load(params, [], simulate=0)
    text = _text(pack.pilot_evidence())
    assert "The pilot week by week" in text
    assert re.search(r"\d{4}-W\d{2}", text)
    plain = RenewalPack.load(SAMPLE_PARAMS_FILE, [], simulate=0)
    assert "rhmodel pilot status" in _text(plain.pilot_evidence())
