"""Notice deadlines as contracts count them: the term ends the day before the renewal, notice is
due ``notice_days`` before the term ends, on a business day (issue 22, item 1).

Every expected date below is worked by hand from a 2027 wall calendar.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from rhmodel.core.document import parse_yaml
from rhmodel.core.money.evaluation import evaluate, evaluation_document
from rhmodel.core.money.plans import timed_plan
from rhmodel.core.money.scenarios import analyse
from rhmodel.core.money.timing import contract_timing, notice_deadline
from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE, load_capabilities
from rhmodel.edges.paramfile import load_parameters, parse_parameters
from rhmodel.errors import InputError

D = dt.date


@pytest.mark.parametrize(
    ("renewal", "notice", "holidays", "term_end", "notice_by", "moved_from"),
    [
        # 1 July renewal, 90 days: term ends 30 June; 90 days before is Thursday 1 April
        (D(2027, 7, 1), 90, (), D(2027, 6, 30), D(2027, 4, 1), None),
        # 1 June renewal, 30 days: term ends 31 May; 30 days before is Saturday 1 May → Fri 30 Apr
        (D(2027, 6, 1), 30, (), D(2027, 5, 31), D(2027, 4, 30), D(2027, 5, 1)),
        # 1 August renewal, 90 days: term ends 31 July; 90 days before is Sunday 2 May → Fri 30 Apr
        (D(2027, 8, 1), 90, (), D(2027, 7, 31), D(2027, 4, 30), D(2027, 5, 2)),
        # 1 July renewal, 90 days, Thursday 1 April a listed holiday → Wednesday 31 March
        (D(2027, 7, 1), 90, (D(2027, 4, 1),), D(2027, 6, 30), D(2027, 3, 31), D(2027, 4, 1)),
        # Saturday, then a holiday on the Friday before it: Thursday 29 April
        (D(2027, 6, 1), 30, (D(2027, 4, 30),), D(2027, 5, 31), D(2027, 4, 29), D(2027, 5, 1)),
        # no notice: the last day of the term, Friday 30 April 2027 (renewal Saturday 1 May)
        (D(2027, 5, 1), 0, (), D(2027, 4, 30), D(2027, 4, 30), None),
        # 1 January 2028 renewal, 0 days: term ends Friday 31 December 2027
        (D(2028, 1, 1), 0, (), D(2027, 12, 31), D(2027, 12, 31), None),
    ],
)
def test_notice_deadline_hand_cases(renewal, notice, holidays, term_end, notice_by, moved_from):
    d = notice_deadline(renewal, notice, holidays)
    assert (d.term_end, d.notice_by, d.moved_from) == (term_end, notice_by, moved_from)


def test_the_phrase_names_the_weekday_and_why_it_moved():
    assert notice_deadline(D(2027, 8, 1), 90).phrase == "Friday 30 April 2027 — 2 May is a Sunday"
    assert notice_deadline(D(2027, 6, 1), 30).phrase == (
        "Friday 30 April 2027 — 1 May is a Saturday"
    )
    assert notice_deadline(D(2027, 7, 1), 90, (D(2027, 4, 1),)).phrase == (
        "Wednesday 31 March 2027 — 1 April is a listed holiday"
    )
    assert notice_deadline(D(2027, 7, 1), 90).phrase == "Thursday 1 April 2027"
    # moved across a year end, the counted day keeps its year: 2 January 2028 is a Sunday
    assert notice_deadline(D(2028, 2, 2), 30).phrase == (
        "Friday 31 December 2027 — 2 January 2028 is a Sunday"
    )


def _params(text: str):
    return parse_parameters(parse_yaml(text, "p.yaml"))


ONE = """
start_date: 2026-12-01
logmein: {agents: 20, price_per_agent_month: 40, months_to_renewal: 7, notice_days: 90}
residual: {logmein_agents: 4}
pilot: {days: 30}
"""


def test_the_plan_and_timing_use_the_contract_deadline_and_holidays():
    # renews 1 July 2027; term ends 30 June; 90 days before is Thursday 1 April 2027
    p = _params(ONE)
    a = analyse(p, load_capabilities())
    (t,) = contract_timing(p, a)
    assert (t.renewal_date, t.term_end, t.notice_by, t.notice_moved_from) == (
        D(2027, 7, 1),
        D(2027, 6, 30),
        D(2027, 4, 1),
        None,
    )
    assert t.decision_deadline == t.notice_by
    plan = timed_plan(a)
    assert plan.actions[0].notice_by == D(2027, 4, 1)
    assert "notice by Thursday 1 April 2027 to cancel" in plan.actions[0].sentence
    # 1 April a holiday (and 31 March too): Tuesday 30 March
    p = _params(ONE + "calendar: {holidays: [2027-04-01, '2027-03-31']}\n")
    a = analyse(p, load_capabilities())
    (t,) = contract_timing(p, a)
    assert (t.notice_by, t.notice_moved_from) == (D(2027, 3, 30), D(2027, 4, 1))
    plan = timed_plan(a)
    assert plan.actions[0].notice_by == D(2027, 3, 30)
    assert (
        "notice by Tuesday 30 March 2027 — 1 April is a listed holiday — to cancel"
        in plan.actions[0].sentence
    )


def test_feasibility_uses_the_new_deadline():
    # renews 1 July 2027, 90 days: Thursday 1 April 2027. A pilot from 1 December 2026 ending on
    # 1 April fits (on the deadline); one ending 2 April does not (under the old count, renewal −
    # 90 days = 2 April, it would have).
    fits = timed_plan(analyse(_params(ONE.replace("days: 30", "days: 121")), load_capabilities()))
    assert fits.pilot_end == D(2027, 4, 1) and fits.feasible
    late = timed_plan(analyse(_params(ONE.replace("days: 30", "days: 122")), load_capabilities()))
    assert late.pilot_end == D(2027, 4, 2) and not late.feasible
    # the next renewal, 1 July 2028: term ends 30 June 2028, 90 days before is Saturday
    # 1 April 2028, so Friday 31 March 2028
    assert (late.actions[0].renewal_date, late.actions[0].notice_by) == (
        D(2028, 7, 1),
        D(2028, 3, 31),
    )


def test_the_sample_timing_json_carries_term_end_and_the_moved_day():
    # LogMeIn renews 1 May 2027 with 60 days: term ends 30 April, 60 days before is Monday
    # 1 March. BeyondTrust renews 1 August 2027 with 90 days: term ends 31 July, 90 days before
    # is Sunday 2 May, so Friday 30 April.
    doc = json.loads(
        json.dumps(
            evaluation_document(evaluate(load_parameters(SAMPLE_PARAMS_FILE), load_capabilities()))
        )
    )
    timing = {t["contract"]: t for t in doc["timing"]["contracts"]}
    assert {k: timing["logmein"][k] for k in ("term_end", "notice_by", "notice_moved_from")} == {
        "term_end": "2027-04-30",
        "notice_by": "2027-03-01",
        "notice_moved_from": None,
    }
    assert {
        k: timing["beyondtrust"][k] for k in ("term_end", "notice_by", "notice_moved_from")
    } == {"term_end": "2027-07-31", "notice_by": "2027-04-30", "notice_moved_from": "2027-05-02"}
    by = {a["contract"]: a["notice_by"] for a in doc["plan"]["actions"]}
    assert by == {"logmein": "2027-03-01", "beyondtrust": "2027-04-30"}


@pytest.mark.parametrize(
    ("holidays", "says"),
    [
        ("[2027-02-30]", "calendar.holidays[0]"),
        ("[soon]", "is not a date"),
        ("{a: 1}", "is not a list of dates"),
        ("[1999-12-31]", "is out of range"),
    ],
)
def test_bad_holidays_are_one_located_error(holidays, says):
    with pytest.raises(InputError, match=r"calendar\.holidays") as e:
        _params(ONE + f"calendar: {{holidays: {holidays}}}\n")
    assert says in str(e.value)
