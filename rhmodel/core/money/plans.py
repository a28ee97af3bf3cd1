"""The recommended plan at the timing that can actually happen, with its dates and sentences.

The recommended plan is chosen at first-renewal timing (:func:`rhmodel.core.money.scenarios.
analyse`), so the choice of actions does not depend on how late the pilot runs. This module
then times it:

- **When the pilot ends.** ``pilot.end_date`` with ``pilot.files`` given: the pilot is finished
  and delays nothing. Else ``pilot.end_date`` when given, else ``pilot.start_date`` +
  ``pilot.days`` for a pilot already under way, else ``start_date`` + ``pilot.days``.
- **Feasible timing.** Each changing contract's change lands at the first renewal whose notice
  deadline is on or after both the analysis start and the pilot's end. The deadline is counted
  as contracts count it: the term ends the day before the renewal, notice is due
  ``notice_days`` before that, moved back to the previous business day from a weekend or a date
  in ``calendar.holidays`` (:func:`rhmodel.core.money.timing.notice_deadline`). Renewing as it
  is needs no notice.
- **Headline.** ``npv`` is the plan at feasible timing; ``npv_first_renewal`` the same plan with
  every change at the first renewal; ``cost_of_waiting`` their difference (≥ 0 when waiting
  only loses savings).
- **Per contract.** Each action's ``npv`` is its contract's discounted saving against renewing
  as it is, less an equal share of the plan's new spend (Remote Help licences, transition) among
  the contracts that change; the actions' NPVs add up to the plan's.

Examples
--------
>>> from rhmodel.edges.paramfile import load_parameters
>>> from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE, load_capabilities
>>> from rhmodel.core.money.scenarios import analyse
>>> p = load_parameters(SAMPLE_PARAMS_FILE)
>>> plan = timed_plan(analyse(p, load_capabilities()))
>>> plan.name, plan.feasible
('right_size', True)
>>> print(plan.actions[0].sentence)  # doctest: +NORMALIZE_WHITESPACE
Give LogMeIn Resolve written notice by Monday 1 March 2027 to reduce to 9 named agents at
the 1 May 2027 renewal. Renewing on 1 May 2027 commits you to 12 months, to 30 April 2028.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import ClassVar

from rhmodel.core.money.capacity import RoutedPool, feasible_delays, timed_terms
from rhmodel.core.money.cashflows import Terms, discount_factors, monthly_costs, weighted_costs
from rhmodel.core.money.scenarios import Analysis, metrics
from rhmodel.core.money.timing import (
    NoticeDeadline,
    add_months,
    commitment,
    contract_notice,
    pilot_end,
)
from rhmodel.core.products import COMPONENTS, consolidation_target, contract_for
from rhmodel.core.text import long_date, money_text

__all__ = ["Plan", "PlanAction", "deadline_value", "feasible_delays", "timed_plan"]


@dataclass(frozen=True)
class PlanAction:
    """What the plan does with one contract, when, and what it is worth.

    Attributes
    ----------
    contract : str
        ``logmein`` or ``beyondtrust``.
    action : str
        ``renew``, ``right_size``, ``cancel`` or ``consolidate``.
    keep : float
        Licences kept after the change.
    effective_month : int
        Analysis month from which the change applies (may lie beyond the horizon).
    renewal_date : datetime.date
        The renewal at which it lands.
    notice_by : datetime.date
        The last day to give written notice for that renewal.
    npv : float
        This contract's share of the plan's NPV (see the module docstring).
    sentence : str
        The action in words, with its dates.
    terms_delayed : int
        Whole terms after the first renewal (0: at the first renewal).
    into : str or None
        For ``consolidate``, the contract whose pool takes this contract's work.
    unit : str
        What ``keep`` counts, under the contract's licence metric (``named agents``).
    metric : str
        The contract's licence metric (``named`` or ``concurrent``).
    mid_term : bool
        The contract is cut before its term ends (``cancellable_mid_term``): the change takes
        effect on ``renewal_date`` (the first day after the cut), paying ``termination_fee``.
    termination_fee : float
        The fee a mid-term cut pays (0 otherwise).
    commitment : str
        What the renewal that keeps licences commits to ("renewing on 1 July 2027 commits you
        to 36 months, to 30 June 2030"); empty when nothing is renewed.
    """

    json_fields: ClassVar[tuple[str, ...]] = (
        "contract",
        "action",
        "keep",
        "effective_month",
        "renewal_date",
        "notice_by",
        "npv",
        "sentence",
        "terms_delayed",
        "into",
        "unit",
        "metric",
        "mid_term",
        "termination_fee",
        "commitment",
    )

    contract: str
    action: str
    keep: float
    effective_month: int
    renewal_date: dt.date
    notice_by: dt.date
    npv: float
    sentence: str
    terms_delayed: int = 0
    into: str | None = None
    unit: str = ""
    metric: str = ""
    mid_term: bool = False
    termination_fee: float = 0.0
    commitment: str = ""
    #: The deadline as the sentences name it: weekday, date and why it moved, if it did.
    notice_phrase: str = field(default="", metadata={"json": False})


@dataclass(frozen=True)
class Plan:
    """The recommended plan at feasible timing.

    Attributes
    ----------
    name : str
        Its scenario name (a pinned scenario, or ``logmein_cancel+beyondtrust_right_size``).
    npv, npv_first_renewal, cost_of_waiting : float
        See the module docstring.
    feasible : bool
        Whether every change can land at its first renewal.
    actions : tuple of PlanAction
        One per contract held, in contract order.
    pilot_end : datetime.date or None
        When the pilot ends (``None``: finished).
    why : str
        What the plan does.
    caveats : tuple of str
        Partial coverage it relies on, in the seed's words.
    """

    json_fields: ClassVar[tuple[str, ...]] = (
        "name",
        "npv",
        "npv_first_renewal",
        "cost_of_waiting",
        "feasible",
        "actions",
        "pilot_end",
        "why",
        "caveats",
        "headline",
        "pools",
        "pilot_deadline",
        "value_of_meeting_deadline",
        "deadline_plan",
        "deadline_renewal",
        "deadline_sentence",
    )
    json_omit_empty: ClassVar[tuple[str, ...]] = ("deadline_sentence",)

    name: str
    npv: float
    npv_first_renewal: float
    cost_of_waiting: float
    feasible: bool
    actions: tuple[PlanAction, ...]
    pilot_end: dt.date | None
    why: str
    caveats: tuple[str, ...] = ()
    horizon: int = 36
    currency: str = "USD"
    #: Undiscounted saving against status quo in each month 1..horizon, at feasible timing.
    monthly_savings: tuple[float, ...] = field(default=(), metadata={"json": False})
    #: Each pool the plan keeps, sized from the work routed to it.
    pools: tuple[RoutedPool, ...] = ()
    #: When a better plan is possible only if the pilot ends earlier: the latest pilot end
    #: that meets that plan's first notice deadline (``None``: nothing better is lost).
    pilot_deadline: dt.date | None = None
    #: That plan's NPV at its first renewals minus this plan's NPV (US$; ``None`` as above).
    value_of_meeting_deadline: float | None = None
    #: The plan the deadline makes possible, and the renewal it makes.
    deadline_plan: str | None = None
    deadline_renewal: dt.date | None = None

    @property
    def deadline_sentence(self) -> str:
        """Page 1's sentence about ending the pilot in time ("" when nothing is lost).

        Examples
        --------
        >>> p = Plan("status_quo", 0.0, 0.0, 0.0, True, (), None, "",
        ...          pilot_deadline=dt.date(2027, 3, 2), value_of_meeting_deadline=94846.0,
        ...          deadline_plan="right_size", deadline_renewal=dt.date(2027, 5, 1))
        >>> p.deadline_sentence
        'End the pilot by 2 March 2027 to make the May 2027 renewal: worth US$94,846 more.'
        """
        if self.pilot_deadline is None or self.value_of_meeting_deadline is None:
            return ""
        renewal = (
            f"the {self.deadline_renewal:%B %Y} renewal"
            if self.deadline_renewal is not None
            else "the first renewals"
        )
        money = money_text(self.value_of_meeting_deadline, self.currency)
        by = long_date(self.pilot_deadline)
        return f"End the pilot by {by} to make {renewal}: worth {money} more."

    @property
    def headline(self) -> str:
        """The plan in one sentence with its first deadline and its NPV (whole dollars).

        Examples
        --------
        >>> from rhmodel.edges.paramfile import load_parameters
        >>> from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE, load_capabilities
        >>> from rhmodel.core.money.scenarios import analyse
        >>> a = analyse(load_parameters(SAMPLE_PARAMS_FILE), load_capabilities())
        >>> print(timed_plan(a).headline)  # doctest: +NORMALIZE_WHITESPACE
        Give LogMeIn Resolve notice by Monday 1 March 2027 and keep 9 named agents; give
        BeyondTrust notice by Friday 30 April 2027 — 2 May is a Sunday — and keep 5 concurrent
        seats: NPV US$85,458 over 36 months.
        """
        parts = []
        for a in self.actions:
            con = contract_for(a.contract)
            notice = f"give {con.short} notice by {_by(a)}"
            if a.action == "right_size":
                parts.append(f"{notice} and keep {a.keep:g} {a.unit or con.count_unit}")
            elif a.action == "cancel":
                parts.append(f"{notice} to cancel it")
            elif a.action == "consolidate":
                target = contract_for(a.into or consolidation_target(a.contract)).short
                parts.append(f"{notice} to cancel it and move its residual work to {target}")
        if not parts:
            return (
                "Renew every contract as it is: no plan that moves work to Remote Help is viable."
            )
        text = "; ".join(parts)
        money = money_text(self.npv, self.currency)
        return f"{text[:1].upper()}{text[1:]}: NPV {money} over {self.horizon} months."


def _phrase(d: NoticeDeadline, end_of_sentence: bool = False) -> str:
    """The deadline in a sentence: a moved one's reason set off by dashes (one at the end)."""
    if d.moved_from is None or end_of_sentence:
        return d.phrase
    return f"{d.phrase} —"


def _by(a: PlanAction) -> str:
    return a.notice_phrase or long_date(a.notice_by)


def _sentence(
    name: str,
    action: str,
    keep: float,
    moved: dict[str, float],
    renewal: dt.date,
    notice_by: str,
    month: int,
    horizon: int,
    into: str | None = None,
    unit: str = "",
) -> str:
    con = contract_for(name)
    unit = unit or con.count_unit
    at = f"at the {long_date(renewal)} renewal"
    if action == "renew":
        return f"Renew {con.short} as it is ({keep:g} {unit}) {at}."
    give = f"Give {con.short} written notice by {notice_by}"
    if action == "right_size":
        total = sum(moved.values())
        sources = " and ".join(
            f"{n:g} moved from {contract_for(o).short}" for o, n in moved.items()
        )
        extra = f" ({keep - total:g} for its own residual work and {sources})" if total else ""
        text = f"{give} to reduce to {keep:g} {unit}{extra} {at}."
    elif action == "cancel":
        text = f"{give} to cancel {at}."
    else:
        target = contract_for(into or consolidation_target(name)).short
        text = f"{give} to cancel {at}, and move its residual work to the {target} pool."
    if month > horizon:
        text += f" That is after the {horizon}-month horizon: the analysis counts no saving."
    return text


def _share_npv(
    t: Terms, name: str, changing: list[str], contracts: list[str]
) -> tuple[float, dict[str, float]]:
    """The plan's NPV (``name`` as the cash flows evaluate it) and each contract's share."""
    disc = discount_factors(t.x["discount_rate"], t.horizon)
    sq = weighted_costs(t, "status_quo", disc)
    plan = weighted_costs(t, name, disc)
    new_spend = float(plan["remote_help"][0] + plan["transition"][0])
    share = new_spend / len(changing) if changing else 0.0
    out = {c: float(sq[c][0] - plan[c][0]) - (share if c in changing else 0.0) for c in contracts}
    return float(metrics(t, [name])[name].npv[0]), out


def _monthly_savings(t: Terms, name: str) -> tuple[float, ...]:
    sq = monthly_costs(t, "status_quo")
    plan = monthly_costs(t, name)
    saved = sum(sq[k][0] - plan[k][0] for k in COMPONENTS)
    return tuple(float(v) for v in saved)


def _first_deadline(analysis: Analysis, name: str) -> tuple[dt.date, dt.date] | None:
    """The earliest first-renewal notice deadline among plan ``name``'s changes, and that
    renewal (``None``: it changes nothing)."""
    params = analysis.params
    option = analysis.option(name)
    out = None
    for c, a in option.actions.items():
        if a == "renew":
            continue
        renewal = add_months(params["start_date"], int(params[f"{c}.months_to_renewal"]))
        notice = contract_notice(params, c, renewal).notice_by
        if out is None or notice < out[0]:
            out = (notice, renewal)
    return out


def deadline_value(
    analysis: Analysis, npv: float
) -> tuple[dt.date | None, float | None, str | None, dt.date | None]:
    """When a better plan is possible only if the pilot ends earlier: the latest pilot end that
    meets its first notice deadline, its first-renewal NPV minus ``npv`` (the recommended
    plan's), its name and the renewal it makes; else four ``None``.

    The better plan is the viable one with the highest NPV if every change made its first
    renewal; the deadline is its earliest first notice deadline. A deadline before the analysis
    starts cannot be met and is not offered.
    """
    name = analysis.best_at_first_renewal or analysis.recommended
    gain = float(analysis.option_npv.get(name, 0.0)) - npv
    end = pilot_end(analysis.params)
    first = _first_deadline(analysis, name)
    if first is None or gain <= 0.005 or end is None or end <= first[0]:
        return None, None, None, None
    if first[0] < analysis.params["start_date"]:
        return None, None, None, None
    return first[0], gain, name, first[1]


def timed_plan(analysis: Analysis) -> Plan:
    """The recommended plan of ``analysis`` at feasible timing, with dated sentences, the pools
    it keeps (sized from the work routed to them) and, when ending the pilot earlier would
    make a better plan possible, that deadline and what it is worth."""
    params, t = analysis.params, analysis.terms
    option = analysis.option(analysis.recommended)
    contracts = list(option.actions)
    changing = [c for c, a in option.actions.items() if a != "renew"]
    delays = feasible_delays(params, contracts)
    timed, evaluate_as, cap = timed_terms(params, t, option.name, t.absorb_order)
    npv, per = _share_npv(timed, evaluate_as, changing, contracts)
    first = float(analysis.option_npv[option.name])
    deadline, value, better, renewal_made = deadline_value(analysis, npv)
    actions = []
    for c in contracts:
        a = option.actions[c]
        r = int(params[f"{c}.months_to_renewal"])
        first_renewal = add_months(params["start_date"], r)
        first_deadline = contract_notice(params, c, first_renewal)
        first_notice = first_deadline.notice_by
        # renewing as it is needs no notice: it happens at the first renewal
        k, renewal, notice_by = delays[c] if a != "renew" else (0, first_renewal, first_notice)
        deadline_c = contract_notice(params, c, renewal)
        month = r + 1 + k * int(params[f"{c}.term_months"])
        sources = [o for o, host in option.into.items() if host == c]
        kept = float(cap.kept.get(c, option.keep[c]))
        # the licences other contracts' consolidated work adds to this pool
        if any(o in cap.by_licence for o in sources):
            moved = {o: float(params[contract_for(o).residual_key] or 0) for o in sources}
        else:
            # measured on the merged work: the licences the moved work adds, all sources together
            moved = {sources[0]: float(cap.added.get(c, 0.0))} if sources else {}
        moved = {o: n for o, n in moved.items() if n} if a == "right_size" else {}
        into = option.into.get(c)
        con = contract_for(c)
        unit = con.unit_for(params[con.metric_key])
        sentence = _sentence(
            c, a, kept, moved, renewal, _phrase(deadline_c), month, t.horizon, into, unit
        )
        if c in cap.grown:
            count = float(params[con.count_key] or 0)
            sentence = (
                f"Renew {con.short} at the {long_date(renewal)} renewal and add "
                f"{kept - count:g} {unit} for the work moved into it ({kept:g} in all)."
            )
        cut_month = timed.cut_month.get(c)
        fee = 0.0
        if cut_month is not None and a != "renew":
            # cut before the term ends: from the first day of the cut month, paying the fee
            renewal = add_months(params["start_date"], cut_month - 1)
            deadline_c = contract_notice(params, c, renewal)
            notice_by, month, k = deadline_c.notice_by, cut_month, 0
            fee = float(params[f"{c}.termination_fee"] or 0)
            what = {
                "right_size": f"reduce to {kept:g} {unit}",
                "cancel": "cancel",
                "consolidate": f"cancel, moving its residual work to the "
                f"{contract_for(into or consolidation_target(c)).short} pool",
            }[a]
            sentence = (
                f"Give {con.short} written notice by {_phrase(deadline_c)} to {what} before "
                f"its term ends, from {long_date(renewal)}, paying the termination fee of "
                f"{money_text(fee, params['currency'])} (cheaper than waiting for the "
                f"{long_date(delays[c][1])} renewal)."
            )
        commits = ""
        if a in ("renew", "right_size") and c not in timed.cut_month:
            commits = commitment(renewal, int(params[f"{c}.term_months"])).phrase
            sentence += f" {commits[:1].upper()}{commits[1:]}."
        if k and a != "renew":
            end = pilot_end(params)
            why = (
                f"the pilot ends {long_date(end)}, after"
                if end is not None and end > first_notice
                else "the analysis starts after"
            )
            sentence += (
                f" Not the {long_date(first_renewal)} renewal: {why} its notice deadline of "
                f"{_phrase(first_deadline, end_of_sentence=True)}."
            )
        actions.append(
            PlanAction(
                contract=c,
                action=a,
                keep=kept,
                effective_month=month,
                renewal_date=renewal,
                notice_by=notice_by,
                npv=per[c],
                notice_phrase=_phrase(deadline_c),
                sentence=sentence,
                terms_delayed=k if a != "renew" else 0,
                into=into,
                unit=unit,
                metric=params[con.metric_key],
                mid_term=cut_month is not None and a != "renew",
                termination_fee=fee,
                commitment=commits,
            )
        )
    return Plan(
        name=option.name,
        npv=npv,
        npv_first_renewal=first,
        cost_of_waiting=first - npv,
        feasible=not any(delays[c][0] for c in changing if c not in timed.cut_month),
        actions=tuple(actions),
        pilot_end=pilot_end(params),
        why=option.why,
        caveats=option.caveats,
        horizon=t.horizon,
        currency=params["currency"],
        monthly_savings=_monthly_savings(timed, evaluate_as),
        pools=cap.pools,
        pilot_deadline=deadline,
        value_of_meeting_deadline=value,
        deadline_plan=better,
        deadline_renewal=renewal_made,
    )
