"""Renewal dates, decision deadlines, whether the pilot fits, and the cost of delay.

Examples
--------
>>> add_months(dt.date(2026, 1, 31), 1)
datetime.date(2026, 2, 28)
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, replace

from rhmodel.core.money.scenarios import Analysis, metrics
from rhmodel.core.params import Parameters
from rhmodel.core.products import CONTRACTS

__all__ = ["ContractTiming", "add_months", "contract_timing", "pilot_end"]


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole calendar months, clamped to the month's last day."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def pilot_end(params: Parameters) -> dt.date | None:
    """The day the pilot ends; ``None`` when it has finished (``pilot.end_date`` set and its
    exports given in ``pilot.files``), so it delays nothing.

    Otherwise ``pilot.end_date`` when given, else ``pilot.start_date`` + ``pilot.days`` for a
    pilot already under way, else ``start_date`` + ``pilot.days``.
    """
    if params["pilot.end_date"] is not None:
        return None if params["pilot.files"] else params["pilot.end_date"]
    began = params["pilot.start_date"] or params["start_date"]
    return began + dt.timedelta(days=params["pilot.days"])


@dataclass(frozen=True)
class ContractTiming:
    """The calendar of one incumbent contract.

    Attributes
    ----------
    contract : str
        ``logmein`` or ``beyondtrust``.
    renewal_date : datetime.date
        First day of the next term (start date + months_to_renewal).
    decision_deadline : datetime.date
        Renewal date minus the notice period: the last day to give notice.
    pilot_end : datetime.date
        Start date + ``pilot.days``.
    pilot_fits : bool
        Whether a pilot started on the start date ends on or before the deadline.
    slack_days : int
        Days from the pilot's end to the deadline (negative: too late).
    latest_pilot_start : datetime.date
        The last day a pilot of ``pilot.days`` can start and still meet the deadline.
    deadline_passed : bool
        The deadline falls before the analysis start.
    scenario : str
        The scenario whose cost of delay is reported.
    cost_of_delay : float
        NPV lost (US$) if this contract's change slips to the following renewal.
    """

    contract: str
    renewal_date: dt.date
    decision_deadline: dt.date
    pilot_end: dt.date
    pilot_fits: bool
    slack_days: int
    latest_pilot_start: dt.date
    deadline_passed: bool
    scenario: str
    cost_of_delay: float


def contract_timing(params: Parameters, analysis: Analysis) -> tuple[ContractTiming, ...]:
    """Timing risk for each contract the organisation holds.

    The cost of delay is measured on the recommended scenario, or on ``right_size`` when the
    recommendation is to change nothing.
    """
    start: dt.date = params["start_date"]
    end = pilot_end(params)
    ended = end if end is not None else params["pilot.end_date"]
    scenario = analysis.recommended if analysis.recommended != "status_quo" else "right_size"
    npv_now = analysis.scenario(scenario).npv
    out = []
    for c in CONTRACTS:
        if not params[c.count_key] and params.value(c.count_key).uncertain is None:
            continue
        renewal = add_months(start, params[f"{c.name}.months_to_renewal"])
        deadline = renewal - dt.timedelta(days=params[f"{c.name}.notice_days"])
        delayed = replace(analysis.terms, delay_terms={c.name: 1})
        npv_late = float(metrics(delayed, [scenario])[scenario].npv[0])
        out.append(
            ContractTiming(
                contract=c.name,
                renewal_date=renewal,
                decision_deadline=deadline,
                pilot_end=ended,
                pilot_fits=ended <= deadline,
                slack_days=(deadline - ended).days,
                latest_pilot_start=deadline - dt.timedelta(days=params["pilot.days"]),
                deadline_passed=deadline < start,
                scenario=scenario,
                cost_of_delay=npv_now - npv_late,
            )
        )
    return tuple(out)
