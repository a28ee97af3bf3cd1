"""Everything ``rhmodel scenarios`` reports, computed once: scenarios, timing, sensitivity,
break-even, simulation, and which figures are illustrative.

The renewal pack's ``summary.json``, the workbook and the explorer read this same object.

Examples
--------
>>> from rhmodel.edges.paramfile import load_parameters
>>> from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE
>>> from rhmodel.edges.bundled import load_capabilities
>>> e = evaluate(load_parameters(SAMPLE_PARAMS_FILE), load_capabilities())
>>> e.analysis.recommended, "logmein.agents" in evaluation_document(e)["illustrative_inputs"]
('right_size', True)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from rhmodel.core.capabilities import CapabilityMatrix
from rhmodel.core.jsonable import jsonable
from rhmodel.core.money.budget import BudgetTable, budget_table
from rhmodel.core.money.cashflows import monthly_costs
from rhmodel.core.money.plans import Plan, timed_plan
from rhmodel.core.money.scenarios import Analysis, analyse
from rhmodel.core.money.timing import ContractTiming, contract_timing, pilot_window
from rhmodel.core.money.uncertainty import (
    BreakEven,
    Simulation,
    TornadoBar,
    break_even,
    ranged_inputs,
    sensitivity,
    simulate,
)
from rhmodel.core.params import SCHEMA, Parameters, Uncertain
from rhmodel.core.params.resolve import GOVERNMENT_CLOUDS, LICENCE_WORDS
from rhmodel.core.products import CONTRACTS
from rhmodel.core.text import currency_prefix

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "AssumedDefault",
    "Evaluation",
    "GroupCost",
    "IllustrativeInput",
    "evaluate",
    "evaluation_document",
    "group_costs",
    "licensing_note",
]

#: Page 1's line when every helper and sharer is taken to be covered by E3/E5/E7.
INCLUDED_NOTE = (
    "Assumes every helper and sharer holds a commercial Microsoft 365 E3/E5/E7 licence; "
    "frontline (F-SKU), education and government users need the add-on, a frontline licence, "
    "Plan 2 or the Suite: give remote_help.user_groups."
)


@dataclass(frozen=True)
class IllustrativeInput:
    """An input whose figure is not a quoted fact, with its value, range and source."""

    key: str
    value: Any
    range: Uncertain | None
    source: str
    note: str


@dataclass(frozen=True)
class AssumedDefault:
    """An input the model used at its default because the file left it out."""

    key: str
    value: Any
    source: str


@dataclass(frozen=True)
class GroupCost:
    """One ``remote_help.user_groups`` entry as a cost line, at the base values (before any
    risk adjustment), paid in every scenario that adopts Remote Help.

    Attributes
    ----------
    name, licence : str
        The group and its licence (``included`` costs nothing).
    licensed : float
        Users who need a paid licence (an Android dedicated group: its helpers only).
    price_per_user_month : float
        Per licensed user per month, in the parameters' currency.
    monthly_cost : float
        ``licensed × price_per_user_month`` (0 when included).
    months : int
        Months paid inside the horizon (from ``remote_help.start_month``).
    total : float
        ``monthly_cost × months``, undiscounted.
    android_dedicated : bool
        Its sharers are Android dedicated devices, priced helper-only.
    illustrative : bool
        A figure of the group is not a quoted fact.
    source : str
        Where the price comes from.
    """

    key: str
    name: str
    licence: str
    licensed: float
    price_per_user_month: float
    monthly_cost: float
    months: int
    total: float
    android_dedicated: bool
    illustrative: bool
    source: str


def group_costs(params: Parameters) -> tuple[GroupCost, ...]:
    """Each user group's cost line (see :class:`GroupCost`).

    Examples
    --------
    >>> from rhmodel.core.document import parse_yaml
    >>> from rhmodel.core.params import resolve_parameters
    >>> import datetime as dt
    >>> p = resolve_parameters(parse_yaml(
    ...     "remote_help:\\n  start_month: 4\\n  user_groups:\\n"
    ...     "    - {name: Ward staff, users: 3400, licence: frontline, price_per_user_month: 2}\\n",
    ...     "p.yaml"), today=dt.date(2026, 12, 1))
    >>> g = group_costs(p)[0]
    >>> g.monthly_cost, g.months, g.total  # 3,400 × 2 a month, months 4..36
    (6800.0, 33, 224400.0)
    """
    months = max(0, params["horizon_months"] - params["remote_help.start_month"] + 1)
    out = []
    for g in params.user_groups:
        price = g.numbers["price_per_user_month"]
        out.append(
            GroupCost(
                key=g.key,
                name=g.name,
                licence=g.licence,
                licensed=g.licensed,
                price_per_user_month=g.price if g.paid else 0.0,
                monthly_cost=g.monthly_cost,
                months=months if g.paid else 0,
                total=g.monthly_cost * months,
                android_dedicated=g.android_dedicated,
                illustrative=any(v.illustrative for v in g.numbers.values()) and g.paid,
                source=price.source,
            )
        )
    return tuple(out)


def licensing_note(params: Parameters) -> str:
    """The one line beside the headline saying what the Remote Help licence figures rest on.

    Without user groups and with licensing ``included``: the E3/E5/E7 assumption (on a
    Government cloud with licensing unstated: that the licences are not priced). With groups:
    their cost line in words, each figure not quoted marked illustrative.

    Examples
    --------
    >>> from rhmodel.core.document import parse_yaml
    >>> import datetime as dt
    >>> from rhmodel.core.params import resolve_parameters
    >>> day = dt.date(2026, 12, 1)
    >>> licensing_note(resolve_parameters(parse_yaml("", "p.yaml"), today=day))[:60]
    'Assumes every helper and sharer holds a commercial Microsoft'
    >>> p = resolve_parameters(parse_yaml(
    ...     "remote_help:\\n  user_groups:\\n"
    ...     "    - {name: Ward staff, users: 3400, licence: frontline, price_per_user_month: 2}\\n",
    ...     "p.yaml"), today=day)
    >>> print(licensing_note(p))  # doctest: +NORMALIZE_WHITESPACE
    Remote Help licences by user group: US$6,800.00 a month from month 1 (US$244,800.00 over
    the horizon) in every plan that adopts Remote Help — Ward staff: 3,400 users × US$2.00
    (Remote Help Frontline Worker licence). Everyone else is assumed to hold a commercial
    Microsoft 365 E3/E5/E7 licence.
    """
    licensing = params.value("remote_help.licensing")
    cloud = params["tenant_cloud"]
    unconfirmed = licensing.origin == "default" and cloud in GOVERNMENT_CLOUDS
    groups = group_costs(params)
    if not groups:
        if unconfirmed:
            return (
                f"Remote Help licences are not priced: tenant_cloud is {cloud}, and Microsoft only "
                "plans to align Government plans with the E3/E5 inclusion (commercial plans "
                "only) — state remote_help.licensing or give remote_help.user_groups."
            )
        if licensing.value == "included" and cloud in GOVERNMENT_CLOUDS:
            return (
                f"Remote Help licensing is stated as included for a {cloud} tenant: every helper "
                "and sharer's Government plan is taken to include it (Microsoft has only planned "
                "to align Government plans with the E3/E5 inclusion)."
            )
        return INCLUDED_NOTE if licensing.value == "included" else ""
    cur = currency_prefix(params["currency"])
    per_month = sum(g.monthly_cost for g in groups)
    parts = []
    for g in groups:
        if g.licence == "included":
            parts.append(f"{g.name}: included ({g.licensed:,.0f} users)")
            continue
        who = (
            "helpers (Android dedicated devices need no licence)"
            if g.android_dedicated
            else ("users")
        )
        flag = " — illustrative" if g.illustrative else ""
        parts.append(
            f"{g.name}: {g.licensed:,.0f} {who} × {cur}{g.price_per_user_month:,.2f} "
            f"({LICENCE_WORDS[g.licence]}{flag})"
        )
    total = sum(g.total for g in groups)
    rest = (
        " Everyone else: licences not priced (Government plans only planned to align)."
        if unconfirmed
        else " Everyone else is assumed to hold a commercial Microsoft 365 E3/E5/E7 licence."
        if licensing.value == "included"
        else ""
    )
    return (
        f"Remote Help licences by user group: {cur}{per_month:,.2f} a month from month "
        f"{params['remote_help.start_month']} ({cur}{total:,.2f} over the horizon) in every plan "
        f"that adopts Remote Help — {'; '.join(parts)}.{rest}"
    )


@dataclass(frozen=True)
class Evaluation:
    """The full evaluation of one parameters file."""

    params: Parameters
    analysis: Analysis
    timing: tuple[ContractTiming, ...]
    sensitivity: tuple[TornadoBar, ...]
    break_even: dict[str, BreakEven]
    simulation: Simulation | None
    plan: Plan | None = None
    #: Spend per fiscal year, status quo versus the recommended plan at feasible timing.
    budget: BudgetTable | None = None

    # -- tables (rhmodel.core.frames) and how a notebook shows it (rhmodel.core.cards) --------

    def scenarios_frame(self) -> pd.DataFrame:
        """One row per scenario and plan, metrics as columns
        (:func:`rhmodel.core.frames.scenarios_frame`)."""
        from rhmodel.core import frames

        return frames.scenarios_frame(self)

    def cash_flows(self) -> pd.DataFrame:
        """Monthly costs per component, by (scenario, month)
        (:func:`rhmodel.core.frames.cash_flows`)."""
        from rhmodel.core import frames

        return frames.cash_flows(self)

    def by_year_frame(self) -> pd.DataFrame:
        """The TEI year table per scenario (:func:`rhmodel.core.frames.by_year_frame`)."""
        from rhmodel.core import frames

        return frames.by_year_frame(self)

    def sensitivity_frame(self) -> pd.DataFrame:
        """The tornado, one row per ranged input (:func:`rhmodel.core.frames.sensitivity_frame`)."""
        from rhmodel.core import frames

        return frames.sensitivity_frame(self)

    def break_even_frame(self) -> pd.DataFrame:
        """Break-even values, one row per input (:func:`rhmodel.core.frames.break_even_frame`)."""
        from rhmodel.core import frames

        return frames.break_even_frame(self)

    def simulation_frame(self) -> pd.DataFrame:
        """One row per Monte Carlo draw (:func:`rhmodel.core.frames.simulation_frame`)."""
        from rhmodel.core import frames

        return frames.simulation_frame(self)

    def __repr__(self) -> str:
        from rhmodel.core import cards

        return cards.evaluation_repr(self)

    def _repr_html_(self) -> str:
        from rhmodel.core import cards

        return cards.evaluation_html(self)

    def cost_of_delay_total(self) -> float:
        """NPV lost (US$) if every contract's change slips to its following renewal.

        The contracts' cash flows are independent in the model, so the losses add up.
        """
        return float(sum(t.cost_of_delay for t in self.timing))

    def illustrative_details(self) -> tuple[IllustrativeInput, ...]:
        """Each illustrative input with its value, range and where it comes from."""
        values = (self.params.value(k) for k in self.params.illustrative_inputs())
        return tuple(
            IllustrativeInput(v.key, v.value, v.uncertain, v.source, v.note) for v in values
        )

    def assumed_defaults(self) -> tuple[AssumedDefault, ...]:
        """Every input the model used at its default because the file left it out, zeros
        included (an uplift of 0 is an assumption too)."""
        p = self.params
        pilot = bool(p["pilot.files"] or p["pilot.store"])
        return tuple(
            AssumedDefault(k, p[k], p.value(k).source or "rhmodel default")
            for k in (s.key for s in SCHEMA if s.kind in ("int", "float", "choice", "need"))
            if p.value(k).origin in ("default", "price book")
            and p.is_used(k)
            and p[k] is not None
            and (pilot or not k.startswith("pilot."))
        )


def evaluate(
    params: Parameters, matrix: CapabilityMatrix, draws: int | None = None, seed: int = 0
) -> Evaluation:
    """Run the scenarios, timing, sensitivity, break-even and (with ``draws``) the simulation."""
    analysis = analyse(params, matrix)
    order = analysis.terms.absorb_order
    return Evaluation(
        params=params,
        analysis=analysis,
        timing=contract_timing(params, analysis),
        # tornado and break-even describe the recommendation (or, when that is to change
        # nothing, the pinned right_size, so the reader still sees what moves a change)
        sensitivity=tuple(sensitivity(params, analysis.subject, order)),
        break_even=break_even(params, analysis.subject, order),
        # nothing uncertain, nothing to simulate: no probability is claimed
        simulation=simulate(params, draws, seed, plans=(analysis.recommended,), absorb_order=order)
        if draws and ranged_inputs(params)
        else None,
        plan=timed_plan(analysis),
        budget=plan_budget(analysis),
    )


def plan_budget(analysis: Analysis) -> BudgetTable:
    """The budget view of the recommended plan at feasible timing against renewing as is.

    Examples
    --------
    >>> from rhmodel.edges.paramfile import load_parameters
    >>> from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE, load_capabilities
    >>> b = plan_budget(analyse(load_parameters(SAMPLE_PARAMS_FILE), load_capabilities()))
    >>> [r.fiscal_year for r in b.rows], sum(r.months for r in b.rows)
    (['FY2026', 'FY2027', 'FY2028', 'FY2029'], 36)
    """
    p = analysis.params
    t, ev = analysis.evaluated(analysis.recommended, timed=True)
    sq = {k: v[0] for k, v in monthly_costs(t, "status_quo").items()}
    plan = {k: v[0] for k, v in monthly_costs(t, ev).items()}
    held = [c.name for c in CONTRACTS if np.any(sq[c.name]) or np.any(plan[c.name])]
    return budget_table(
        sq,
        plan,
        p["start_date"],
        int(p["calendar.fiscal_year_start"]),
        plan_name=analysis.recommended,
        components=(*held, "remote_help", "transition"),
        currency=p["currency"],
    )


def evaluation_document(e: Evaluation) -> dict[str, Any]:
    """The JSON of ``rhmodel scenarios --format json`` without provenance (pinned keys)."""
    a, p = e.analysis, e.params
    out: dict[str, Any] = {
        "recommended": a.recommended,
        "verdict": a.decision.verdict,
        "keep_for": a.decision.keep_for,
        "plan": e.plan,
        "coverage_gaps": a.coverage_gaps,
        "plans": a.options,
        "criteria": a.decision.criteria,
        "evidence_notes": a.decision.evidence_notes,
        # how old the capability facts under the verdict are ('' when checked within 90 days)
        "facts_as_of": a.decision.facts_as_of,
        "facts_note": a.decision.facts_note,
        "scenarios": a.scenarios,
        "sensitivity": e.sensitivity,
        "break_even": e.break_even,
        "timing": {
            "start_date": p["start_date"],
            "pilot_days": p["pilot.days"],
            # the one pilot window every output prints (pilot.start_date / end_date when given)
            "pilot_start": pilot_window(p)[0],
            "pilot_end": pilot_window(p)[1],
            "contracts": e.timing,
            "cost_of_delay_total": e.cost_of_delay_total(),
        },
        "illustrative_inputs": p.illustrative_inputs(),
        "user_groups": group_costs(p),
        "illustrative_details": e.illustrative_details(),
        "assumed_defaults": e.assumed_defaults(),
        "horizon_months": p["horizon_months"],
        "discount_rate": p["discount_rate"],
        "risk_adjustment": {
            "benefit_haircut": p["risk_adjustment.benefit_haircut"],
            "cost_uplift": p["risk_adjustment.cost_uplift"],
        },
    }
    out["simulation"] = e.simulation
    # spend per fiscal year (calendar.fiscal_year_start), status quo versus the timed plan
    out["budget"] = e.budget.to_json() if e.budget is not None else None
    return jsonable(out)
