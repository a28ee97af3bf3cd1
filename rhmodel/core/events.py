"""The dated actions of a plan: what a procurement lead puts into a calendar.

One event per dated action: the pilot's end, each notice deadline, each renewal at which a change
lands (or the contract renews as it is), and each readiness item by its due date. Notice
deadlines carry reminders 120, 90 and 30 days before (licence-management tools warn 90–120 days
ahead of a renewal); every description names the action, the contract and the NPV at stake.
:mod:`rhmodel.edges.ical` writes them as an RFC 5545 file.

Examples
--------
>>> from rhmodel.edges.paramfile import load_parameters
>>> from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE, load_capabilities, checklist_for
>>> from rhmodel.core.money.evaluation import evaluate
>>> e = evaluate(load_parameters(SAMPLE_PARAMS_FILE), load_capabilities())
>>> notice = [x for x in dated_actions(e.plan, checklist_for(e).rows) if x.kind == "notice"]
>>> [(x.day.isoformat(), x.summary, x.alarm_days) for x in notice]  # doctest: +NORMALIZE_WHITESPACE
[('2027-03-01', 'Notice to LogMeIn Resolve: reduce to 9 named agents', (120, 90, 30)),
 ('2027-04-30', 'Notice to BeyondTrust: reduce to 5 concurrent seats', (120, 90, 30))]
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rhmodel.core.money.plans import Plan, PlanAction
from rhmodel.core.money.timing import commitment
from rhmodel.core.products import consolidation_target, contract_for
from rhmodel.core.readiness import ChecklistRow
from rhmodel.core.text import long_date, money_text

__all__ = ["NOTICE_ALARM_DAYS", "DatedAction", "dated_actions"]

#: Reminders before each notice deadline, in days.
NOTICE_ALARM_DAYS: tuple[int, ...] = (120, 90, 30)


@dataclass(frozen=True)
class DatedAction:
    """One dated action of the plan.

    Attributes
    ----------
    kind : str
        ``pilot_end``, ``notice``, ``renewal`` or ``readiness``.
    day : datetime.date
        The day it falls on (a whole-day event).
    summary : str
        One line: what happens.
    description : str
        The action, the contract and the NPV at stake, in words.
    contract : str or None
        The contract it concerns (``None`` for the pilot and readiness items).
    alarm_days : tuple of int
        Reminders, in days before ``day`` (empty: none).
    uid : str
        A stable identifier: the same plan gives the same identifiers, so a calendar that
        imports the file again updates its events rather than adding copies.
    """

    kind: str
    day: dt.date
    summary: str
    description: str
    contract: str | None = None
    alarm_days: tuple[int, ...] = ()
    uid: str = ""


def _what(a: PlanAction) -> str:
    unit = a.unit or contract_for(a.contract).count_unit
    if a.action == "right_size":
        return f"reduce to {a.keep:g} {unit}"
    if a.action == "cancel":
        return "cancel"
    if a.action == "consolidate":
        target = contract_for(a.into or consolidation_target(a.contract)).short
        return f"cancel and move its residual work to {target}"
    return f"renew as it is ({a.keep:g} {unit})"


def _uid(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode("utf-8")).hexdigest()[:24] + "@rhmodel"


def dated_actions(
    plan: Plan, readiness: Sequence[ChecklistRow] = (), term_months: Mapping[str, int] | None = None
) -> tuple[DatedAction, ...]:
    """Every dated action of ``plan`` and its readiness rows, in date order.

    Parameters
    ----------
    plan : Plan
        The timed plan (:func:`rhmodel.core.money.plans.timed_plan`).
    readiness : sequence of ChecklistRow
        The readiness checklist's rows (:func:`rhmodel.core.readiness.checklist`).
    term_months : mapping of str to int, optional
        Each contract's term: a renewal that keeps licences then says what it commits to
        ("renewing on 1 July 2027 commits you to 36 months, to 30 June 2030").
    """
    cur = plan.currency
    out: list[DatedAction] = []
    if plan.pilot_end is not None:
        out.append(
            DatedAction(
                "pilot_end",
                plan.pilot_end,
                "Remote Help pilot ends",
                f"The Remote Help pilot ends on {long_date(plan.pilot_end)}: its evidence sizes "
                f"the pools to keep before the notice deadlines. The plan ({plan.name}) is worth "
                f"NPV {money_text(plan.npv, cur)} over {plan.horizon} months.",
                uid=_uid("pilot_end", plan.pilot_end.isoformat()),
            )
        )
    for a in plan.actions:
        con = contract_for(a.contract)
        what = _what(a)
        stake = (
            f"NPV at stake: {money_text(a.npv, cur)} (this contract's share of the "
            f"{plan.name} plan's NPV of {money_text(plan.npv, cur)} over {plan.horizon} months)."
        )
        if a.action != "renew":
            out.append(
                DatedAction(
                    "notice",
                    a.notice_by,
                    f"Notice to {con.short}: {what}",
                    f"Last day to give {con.short} written notice to {what} "
                    + (
                        f"before its term ends, from {long_date(a.renewal_date)}"
                        if a.mid_term
                        else f"at the {long_date(a.renewal_date)} renewal"
                    )
                    + f". {a.sentence} {stake}",
                    a.contract,
                    NOTICE_ALARM_DAYS,
                    _uid("notice", a.contract, a.notice_by.isoformat()),
                )
            )
        commits = ""
        if term_months and a.contract in term_months and a.action in ("renew", "right_size"):
            c = commitment(a.renewal_date, int(term_months[a.contract]))
            commits = f" {c.phrase[0].upper()}{c.phrase[1:]}."
        if a.mid_term:
            # cut before its term ends: the day the cut takes effect, not a renewal
            headline = f"{con.short} cut before its term ends: {what}"
            opening = (
                f"{con.short} is cut from {long_date(a.renewal_date)}, paying the termination "
                f"fee of {money_text(a.termination_fee, cur)}; the plan: {what}."
            )
        else:
            headline = f"{con.short} renews: {what}"
            opening = f"{con.short} renews on {long_date(a.renewal_date)}; the plan: {what}."
        out.append(
            DatedAction(
                "renewal",
                a.renewal_date,
                headline,
                f"{opening}{commits} {a.sentence} {stake}",
                a.contract,
                (),
                _uid("renewal", a.contract, a.renewal_date.isoformat()),
            )
        )
    for row in readiness:
        out.append(
            DatedAction(
                "readiness",
                row.due,
                f"Readiness: {row.item}",
                f"Readiness ({row.area}), owner {row.owner}, due {long_date(row.due)}: "
                f"{row.item} Source: {row.source}.",
                None,
                (),
                _uid("readiness", row.area, row.item),
            )
        )
    return tuple(sorted(out, key=lambda x: x.day))
