"""Savings scenarios and their metrics: total cost, savings, NPV, ROI and payback.

Definitions (tests outside the repository recompute them exactly):

- ``total_cost`` = sum of the scenario's monthly costs over the horizon;
- ``savings`` = sum over months of (status_quo cost − scenario cost), undiscounted;
- ``npv`` = sum over m of (status_quo cost_m − scenario cost_m) / (1 + discount_rate)^(m/12);
- ``roi`` = npv / PV(new spend: Remote Help licences + transition costs); ``None`` when that
  PV is 0;
- ``payback_months`` = the smallest m >= 0 from which cumulative undiscounted savings stay
  >= 0 to the horizon (0 when nothing is spent up front); ``None`` if never.

Scenarios: ``status_quo`` renews everything as it is; ``right_size`` keeps only the residual
pool from each renewal; ``cancel`` keeps nothing, and is viable only when the decision's verdict
is ``replace``. The recommended scenario is the viable one with the highest NPV at its feasible
timing (:mod:`rhmodel.core.money.capacity`).

Examples
--------
>>> from rhmodel.core.document import parse_yaml
>>> from rhmodel.edges.paramfile import parse_parameters
>>> from rhmodel.edges.bundled import load_capabilities
>>> p = parse_parameters(parse_yaml('''
... discount_rate: 0
... logmein: {agents: 100, price_per_agent_month: 50, months_to_renewal: 0}
... residual: {logmein_agents: 10}
... ''', "hand.yaml"))
>>> a = analyse(p, load_capabilities())
>>> rs = a.scenario("right_size")
>>> rs.savings, rs.npv, rs.payback_months, rs.roi is None
(162000.0, 162000.0, 0, True)
>>> a.recommended
'cancel'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import ClassVar

import numpy as np

from rhmodel.core.capabilities import CapabilityMatrix
from rhmodel.core.coverage import (
    CoverageGap,
    PlanOption,
    _describe,
    absorb_order,
    coverage_gaps,
    plan_options,
    recommend,
)
from rhmodel.core.decision import Decision, decide
from rhmodel.core.money.capacity import PlanCapacity, plan_capacity, timed_terms
from rhmodel.core.money.cashflows import (
    NUMERIC_INPUTS,
    GroupTerm,
    Terms,
    discount_factors,
    monthly_costs,
    prepaid_beyond_horizon,
    weighted_costs,
)
from rhmodel.core.params import Parameters
from rhmodel.core.products import COMPONENTS, CONTRACTS, SCENARIOS, plan_name
from rhmodel.errors import InputError

__all__ = [
    "Analysis",
    "Metrics",
    "ScenarioResult",
    "YearRow",
    "analyse",
    "base_terms",
    "metrics",
    "payback_months",
    "require_residual_pool",
    "year_table",
]

# Cumulative savings within a millionth of a dollar of zero count as zero (float noise).
_EPS = 1e-6


def require_residual_pool(params: Parameters) -> None:
    """Fail, naming the key, when a contract is held and no pool to keep is known.

    A contract with no licences keeps nothing. ``residual.*`` left out of the file is filled from
    the pilot (``pilot.files``) when the parameters are loaded; left out with no pilot, it is an
    error.

    Raises
    ------
    InputError
        When a residual is needed and not given.
    """
    for c in CONTRACTS:
        count = params.value(c.count_key)
        held = count.value not in (0, None) or count.uncertain is not None
        if held and params[c.residual_key] is None:
            raise InputError(
                f"missing while {c.count_key} is {count.value} — give the pool to keep after "
                "the renewal (0 to cancel), or pilot.files (or pilot.store) so the pilot sizes it",
                file=params.file,
                key=c.residual_key,
            )


def base_terms(
    params: Parameters, absorb_order: Mapping[str, tuple[str, ...]] | None = None
) -> Terms:
    """The deterministic :class:`~rhmodel.core.money.cashflows.Terms` of ``params`` (``n = 1``).

    ``absorb_order`` is :func:`rhmodel.core.coverage.absorb_order` (which pool takes a
    consolidated contract's work); ``None`` uses each record's own order.
    """
    require_residual_pool(params)  # fail early, with the user's key
    values = {k: params[k] for k in NUMERIC_INPUTS}
    values.update({k: v.value for k, v in params.group_inputs().items()})
    groups = tuple(
        GroupTerm(g.key, g.name, g.licence, g.android_dedicated) for g in params.user_groups
    )
    return Terms.from_mapping(
        values,
        horizon=params["horizon_months"],
        term_months={c.name: params[f"{c.name}.term_months"] for c in CONTRACTS},
        billing={c.name: params[f"{c.name}.billing"] for c in CONTRACTS},
        escalation={c.name: params[f"{c.name}.escalator.timing"] for c in CONTRACTS},
        extras_scale={c.name: params[c.extras_scale_key] for c in CONTRACTS if c.extras_scale_key},
        licensing=params["remote_help.licensing"],
        benefit_haircut=params["risk_adjustment.benefit_haircut"],
        cost_uplift=params["risk_adjustment.cost_uplift"],
        rh_start=params["remote_help.start_month"],
        absorb_order=dict(absorb_order or {}),
        groups=groups,
    )


@dataclass(frozen=True)
class Metrics:
    """One scenario's metrics over ``n`` input rows (arrays of shape ``(n,)``, US$).

    ``roi`` is NaN where the present value of new spend is 0.
    """

    total_cost: np.ndarray
    savings: np.ndarray
    npv: np.ndarray
    pv_new_spend: np.ndarray
    roi: np.ndarray


def metrics(t: Terms, names: Sequence[str] = SCENARIOS) -> dict[str, Metrics]:
    """Per scenario (or plan) in ``names``, its :class:`Metrics`: ``total_cost``, ``savings``,
    ``npv``, ``pv_new_spend``, ``roi``, each of shape ``(n,)``.

    The one place these numbers are computed, for one input set or many (simulation,
    sensitivity, break-even). ``roi`` is NaN where the PV of new spend is 0. ``status_quo`` is
    always the baseline, whether or not it is named.
    """
    ones = np.ones((1, t.horizon))
    disc = discount_factors(t.x["discount_rate"], t.horizon)
    out: dict[str, Metrics] = {}
    base_total = base_pv = None
    for s in ("status_quo", *(n for n in names if n != "status_quo")):
        total = weighted_costs(t, s, ones)
        pv = weighted_costs(t, s, disc)
        total_cost = sum(total[k] for k in COMPONENTS)
        pv_cost = sum(pv[k] for k in COMPONENTS)
        if s == "status_quo":
            base_total, base_pv = total_cost, pv_cost
        pv_new = pv["remote_help"] + pv["transition"]
        npv = base_pv - pv_cost
        with np.errstate(divide="ignore", invalid="ignore"):
            roi = np.where(pv_new > 0, npv / np.where(pv_new > 0, pv_new, 1.0), np.nan)
        if s in names:
            out[s] = Metrics(
                total_cost=total_cost,
                savings=base_total - total_cost,
                npv=npv,
                pv_new_spend=pv_new,
                roi=roi,
            )
    return {n: out[n] for n in names}


def payback_months(monthly_savings: np.ndarray) -> int | None:
    """Smallest m >= 0 from which cumulative savings stay >= 0 to the horizon.

    Parameters
    ----------
    monthly_savings : numpy.ndarray
        Status-quo cost minus scenario cost, month 1..H (US$).

    Examples
    --------
    >>> payback_months(np.array([-10.0, 4.0, 4.0, 4.0]))  # cumulative -10, -6, -2, 2
    4
    >>> payback_months(np.array([0.0, 5.0])), payback_months(np.array([5.0, -9.0]))
    (0, None)
    """
    cum = np.cumsum(monthly_savings)
    negative = np.flatnonzero(cum < -_EPS)
    if negative.size == 0:
        return 0
    last = int(negative[-1]) + 1  # 1-based month of the last negative cumulative saving
    return None if last >= len(cum) else last + 1


@dataclass(frozen=True)
class YearRow:
    """One column of the TEI year table (Initial = year 0, then Year 1..n).

    ``benefits`` is incumbent spend avoided against status quo; ``costs`` is new spend
    (Remote Help licences and administration; in year 0 the one-off costs of month 1).
    """

    json_fields: ClassVar[tuple[str, ...]] = ("year", "benefits", "costs", "net")

    year: int
    benefits: float
    costs: float

    @property
    def net(self) -> float:
        """``benefits − costs``."""
        return self.benefits - self.costs


def year_table(
    sq_parts: dict[str, np.ndarray], parts: dict[str, np.ndarray], horizon: int
) -> tuple[YearRow, ...]:
    """The TEI year table of one scenario from its monthly components (row 0 of each).

    Year 0 holds the one-off costs of month 1; year k the months 12(k−1)+1..12k (the last
    year may be shorter).

    Examples
    --------
    >>> z = np.zeros((1, 14))
    >>> sq = {"logmein": np.full((1, 14), 100.0), "beyondtrust": z}
    >>> sc = {"logmein": np.full((1, 14), 40.0), "beyondtrust": z,
    ...       "remote_help": np.full((1, 14), 5.0), "transition": np.eye(1, 14) * 300}
    >>> [(r.year, r.benefits, r.costs) for r in year_table(sq, sc, 14)]
    [(0, 0.0, 300.0), (1, 720.0, 60.0), (2, 120.0, 10.0)]
    """
    benefits = sum(sq_parts[c.name][0] - parts[c.name][0] for c in CONTRACTS if c.name in sq_parts)
    running = parts["remote_help"][0]
    rows = [YearRow(0, 0.0, float(parts["transition"][0][0]))]
    for k in range(1, (horizon + 11) // 12 + 1):
        span = slice(12 * (k - 1), min(12 * k, horizon))
        rows.append(YearRow(k, float(np.sum(benefits[span])), float(np.sum(running[span]))))
    return tuple(rows)


@dataclass(frozen=True)
class ScenarioResult:
    """One scenario's money, month by month and in total (US$).

    Attributes
    ----------
    name : str
        ``status_quo``, ``right_size`` or ``cancel``.
    viable : bool
        Whether the decision allows it.
    why : str
        What the scenario does and why it is (not) viable.
    total_cost, savings, npv : float
        As defined in the module docstring.
    roi : float or None
        NPV / PV of new spend; ``None`` when nothing new is spent.
    payback_months : int or None
        Months until cumulative savings stay non-negative.
    pv_new_spend : float
        Present value of Remote Help licences and transition costs.
    monthly_cost : tuple of float
        Total cost per month, month 1 first.
    components : dict[str, tuple of float]
        Monthly cost per component (``logmein``, ``beyondtrust``, ``remote_help``,
        ``transition``).
    """

    json_fields: ClassVar[tuple[str, ...]] = (
        "name",
        "viable",
        "total_cost",
        "savings",
        "npv",
        "roi",
        "payback_months",
        "monthly_cost",
        "why",
        "pv_new_spend",
        "components",
        "prepaid_beyond_horizon",
        "by_year",
        "pv_benefits",
        "pv_costs",
        "by_year_unadjusted",
        "timing",
        "npv_first_renewal",
    )
    json_omit_empty: ClassVar[tuple[str, ...]] = ("by_year_unadjusted",)

    name: str
    viable: bool
    why: str
    total_cost: float
    savings: float
    npv: float
    roi: float | None
    payback_months: int | None
    pv_new_spend: float
    monthly_cost: tuple[float, ...]
    components: dict[str, tuple[float, ...]] = field(default_factory=dict)
    prepaid_beyond_horizon: float = 0.0
    by_year: tuple[YearRow, ...] = ()
    pv_benefits: float = 0.0
    pv_costs: float = 0.0
    by_year_unadjusted: tuple[YearRow, ...] = ()
    #: ``first_renewal`` (every change at its contract's first renewal) or ``feasible``
    #: (``Analysis.plan_result``: each change at the first renewal whose notice the pilot can
    #: meet).
    timing: str = "first_renewal"
    #: The NPV with every change at its first renewal (equal to ``npv`` for those).
    npv_first_renewal: float = 0.0

    def cumulative_savings(self, status_quo: ScenarioResult) -> np.ndarray:
        """Cumulative undiscounted savings against ``status_quo``, month 1..H."""
        return np.cumsum(np.subtract(status_quo.monthly_cost, self.monthly_cost))


@dataclass(frozen=True)
class Analysis:
    """The deterministic scenario analysis of one parameters file.

    ``scenarios`` holds the three pinned scenarios and, when the recommended plan mixes
    actions, that plan too, each at first-renewal timing. ``plan_result`` is the recommended
    plan at its feasible timing: every figure beside the headline comes from it. ``options``
    is every plan weighed; each plan's pools are sized from the work routed to them
    (``capacity``).
    """

    params: Parameters
    decision: Decision
    scenarios: tuple[ScenarioResult, ...]
    recommended: str
    terms: Terms
    options: tuple[PlanOption, ...] = ()
    option_npv: dict[str, float] = field(default_factory=dict)
    coverage_gaps: tuple[CoverageGap, ...] = ()
    #: Each plan's NPV with every change at its feasible renewal (the recommendation's basis).
    option_npv_timed: dict[str, float] = field(default_factory=dict)
    #: Each plan's pools, sized from the work routed to them.
    capacity: dict[str, PlanCapacity] = field(default_factory=dict)
    #: The viable plan with the highest NPV if every change made its first renewal (the
    #: labelled comparison; equal to ``recommended`` when the pilot delays nothing).
    best_at_first_renewal: str = ""
    #: The recommended plan as it would be carried out (feasible timing, routed pools): every
    #: figure beside the headline (savings, payback, TEI year table) comes from here.
    plan_result: ScenarioResult | None = None

    def __post_init__(self) -> None:
        # looked up by name as well as by position: analysis.scenarios["right_size"]
        from rhmodel.core.named import ByName

        object.__setattr__(self, "scenarios", ByName(self.scenarios, "scenario"))
        object.__setattr__(self, "options", ByName(self.options, "plan"))

    def __repr__(self) -> str:
        from rhmodel.core import cards

        return cards.analysis_repr(self)

    def _repr_html_(self) -> str:
        from rhmodel.core import cards

        return cards.analysis_html(self)

    def scenario(self, name: str) -> ScenarioResult:
        """The result of scenario ``name`` (KeyError with a did-you-mean when there is none)."""
        from rhmodel.core.named import by_name

        return by_name(self.scenarios, name, "scenario")

    @property
    def subject(self) -> str:
        """The scenario tornado and break-even describe: the recommended one, or ``right_size``
        when the recommendation is to change nothing."""
        return self.recommended if self.recommended != "status_quo" else "right_size"

    def option(self, name: str) -> PlanOption:
        """The plan option ``name`` (KeyError with a did-you-mean when there is none)."""
        from rhmodel.core.named import by_name

        return by_name(self.options, name, "plan")

    def evaluated(self, name: str, timed: bool = False) -> tuple[Terms, str]:
        """The terms and the name the cash flows evaluate plan ``name`` with: its pools sized
        from the work routed to them and (``timed``) each change at its feasible renewal.

        ``metrics(*a.evaluated(n))``-style use: ``t, ev = a.evaluated(n)``, then
        ``metrics(t, [ev])[ev]`` or ``monthly_costs(t, ev)`` — the same figures as
        ``option_npv[n]`` (``option_npv_timed[n]`` with ``timed``).
        """
        if timed:
            t, ev, _cap = timed_terms(self.params, self.terms, name, self.terms.absorb_order)
            return t, ev
        cap = self.capacity.get(name) or plan_capacity(self.params, name, self.terms.absorb_order)
        return cap.apply(self.terms), cap.evaluate_as


def _as_optional(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def _result(
    t: Terms,
    name: str,
    m: Metrics,
    sq_total: np.ndarray,
    viable: bool,
    why: str,
    evaluate_as: str | None = None,
    timing: str = "first_renewal",
    npv_first_renewal: float | None = None,
) -> ScenarioResult:
    label, name = name, evaluate_as or name
    parts = monthly_costs(t, name)
    sq_parts = monthly_costs(t, "status_quo")
    total = sum(parts[k][0] for k in COMPONENTS)
    disc = discount_factors(t.x["discount_rate"], t.horizon)[0]
    benefits = sum(sq_parts[c.name][0] - parts[c.name][0] for c in CONTRACTS if c.name in sq_parts)
    unadjusted: tuple[YearRow, ...] = ()
    if (t.benefit_haircut or t.cost_uplift) and name != "status_quo":
        plain = replace(t, benefit_haircut=0.0, cost_uplift=0.0)
        unadjusted = year_table(sq_parts, monthly_costs(plain, name), t.horizon)
    return ScenarioResult(
        name=label,
        viable=viable,
        why=why,
        total_cost=float(m.total_cost[0]),
        savings=float(m.savings[0]),
        npv=float(m.npv[0]),
        roi=_as_optional(m.roi[0]),
        # renewing everything as it is spends nothing to pay back
        payback_months=None if name == "status_quo" else payback_months(sq_total - total),
        pv_new_spend=float(m.pv_new_spend[0]),
        monthly_cost=tuple(float(v) for v in total),
        components={k: tuple(float(v) for v in parts[k][0]) for k in COMPONENTS},
        prepaid_beyond_horizon=float(prepaid_beyond_horizon(t, name)[0]),
        by_year=year_table(sq_parts, parts, t.horizon),
        pv_benefits=float(np.sum(benefits * disc)),
        pv_costs=float(m.pv_new_spend[0]),
        by_year_unadjusted=unadjusted,
        timing=timing,
        npv_first_renewal=float(m.npv[0]) if npv_first_renewal is None else npv_first_renewal,
    )


def _pinned_fallback(decision: Decision, name: str) -> tuple[bool, str]:
    """Viability of a pinned scenario when no contract is held (all plans coincide)."""
    if name == "status_quo":
        return True, "Renew every contract as it is."
    if decision.verdict == "keep":
        return False, f"Not viable: {decision.summary}"
    if name == "cancel" and decision.verdict != "replace":
        return False, f"Not viable: the decision keeps a pool for {', '.join(decision.keep_for)}."
    return True, "No incumbent licences are held; Remote Help carries the work."


def analyse(params: Parameters, matrix: CapabilityMatrix) -> Analysis:
    """Run the pinned scenarios and every plan on the deterministic inputs (ranges at their
    base value), each change at the contract's first renewal.

    Parameters
    ----------
    params : Parameters
        Validated parameters.
    matrix : CapabilityMatrix
        For the decision and the coverage that decide which plans are viable.

    Returns
    -------
    Analysis
        ``recommended`` is the viable plan with the highest NPV at its feasible timing (each
        change at the first renewal whose notice deadline the pilot can meet; ties: the less
        disruptive). Renewing as it is is always viable, so a plan worth less than nothing at
        its feasible timing is never recommended.
    """
    decision = decide(params, matrix)
    order = absorb_order(params, matrix, decision)
    t = base_terms(params, order)
    options = plan_options(params, matrix, decision)
    names = list(dict.fromkeys([*SCENARIOS, *(o.name for o in options)]))
    capacity = {s: plan_capacity(params, s, order) for s in names}
    m: dict[str, Metrics] = {}
    timed_m: dict[str, Metrics] = {}
    for s in names:
        cap = capacity[s]
        m[s] = metrics(cap.apply(t), [cap.evaluate_as])[cap.evaluate_as]
        tt, ev, _cap = timed_terms(params, t, s, order)
        timed_m[s] = metrics(tt, [ev])[ev]
    for s in names:
        # the schema's ceilings keep every sum finite; this is the last line of defence
        if not (np.isfinite(m[s].total_cost).all() and np.isfinite(m[s].npv).all()):
            raise InputError(
                f"the {s} costs are too large to compute — check the prices, counts and uplift",
                file=params.file,
            )
    npv = {s: float(m[s].npv[0]) for s in names}
    npv_timed = {s: float(timed_m[s].npv[0]) for s in names}
    options = [_with_capacity(o, capacity[o.name], order) for o in options]
    # The recommendation is the best plan that can happen: each change at the renewal whose
    # notice the pilot can still meet. Renewing as it is (NPV 0) is always viable, so a plan
    # worth less than that at its feasible timing is never recommended.
    weighed = _without_empty_pools(options)
    best = recommend(weighed, npv_timed)
    first_best = recommend(weighed, npv)
    by_name = {o.name: o for o in options}
    sq_parts = monthly_costs(t, "status_quo")
    sq_total = sum(sq_parts[k][0] for k in COMPONENTS)
    shown = [*SCENARIOS, *([best.name] if best.name not in SCENARIOS else [])]
    results = []
    for s in shown:
        o = by_name.get(s)
        viable, why = (o.viable, o.why) if o is not None else _pinned_fallback(decision, s)
        cap = capacity[s]
        results.append(_result(cap.apply(t), s, m[s], sq_total, viable, why, cap.evaluate_as))
    tt, ev, _cap = timed_terms(params, t, best.name, order)
    plan_result = _result(
        tt,
        best.name,
        timed_m[best.name],
        sq_total,
        best.viable,
        best.why,
        ev,
        "feasible",
        npv[best.name],
    )
    return Analysis(
        params=params,
        decision=decision,
        scenarios=tuple(results),
        recommended=best.name,
        terms=t,
        options=tuple(options),
        option_npv=npv,
        coverage_gaps=coverage_gaps(params, matrix, decision),
        option_npv_timed=npv_timed,
        capacity=capacity,
        best_at_first_renewal=first_best.name,
        plan_result=plan_result,
    )


def _without_empty_pools(options: list[PlanOption]) -> list[PlanOption]:
    """The options to weigh: a plan that right-sizes a contract to an empty pool is the plan
    that cancels it, named so (a pool with nothing left to carry is cancelled)."""
    names = {o.name for o in options}
    out = []
    for o in options:
        empty = {c for c, a in o.actions.items() if a == "right_size" and not o.keep.get(c)}
        if empty:
            same = plan_name({c: "cancel" if c in empty else a for c, a in o.actions.items()})
            if same in names and same != o.name:
                continue
        out.append(o)
    return out


def _with_capacity(
    o: PlanOption, cap: PlanCapacity, order: Mapping[str, tuple[str, ...]]
) -> PlanOption:
    """``o`` with the pools it keeps sized from the work routed to them, said in its ``why``."""
    keep = {c: cap.kept.get(c, v) for c, v in o.keep.items()}
    if keep == o.keep and not any(p.note for p in cap.pools):
        return o
    why = o.why
    if o.viable and not all(a == "renew" for a in o.actions.values()):
        why = _describe(o.actions, keep, dict(order))
    notes = " ".join(p.note for p in cap.pools if p.note)
    return replace(o, keep=keep, why=f"{why} {notes}".strip())
