"""Capacity follows the work: the pool each plan keeps, sized from the work routed to it, and
the timing a plan can actually be carried out at.

Every kept pool is sized from the residual work routed to it under that contract's licence
metric: its own residual work plus the work of every contract consolidated into it.

- **With pilot evidence** (:func:`rhmodel.core.pilot.evidence.pilot_evidence`), the moved work
  adds ``need(host + sources) − need(host)`` licences, where ``need`` is the pilot's sizing
  rule on the merged sessions (:func:`rhmodel.core.pilot.evidence.routed_sizing`): a concurrent
  pool takes the peak of technicians at once over the merged work, a named pool the distinct
  technicians of it. Sessions whose reason ``decision.accept`` gives up are left out.
- **Without**, the moved work adds the consolidated contract's own ``residual.*`` pool, licence
  for licence (all that is known).

The added licences are priced at the receiving contract's price. A pool renewed as it is grows
when its own pool plus the moved work needs more than it holds (priced as a right-size to that
count, at its current price); a right-sized pool may grow above the licences held today.

Feasible timing: each changing contract's change lands at the first renewal whose notice
deadline is on or after both the analysis start and the pilot's end
(:func:`feasible_delays`).

Examples
--------
>>> from rhmodel.core.document import parse_yaml
>>> from rhmodel.edges.paramfile import parse_parameters
>>> p = parse_parameters(parse_yaml('''
... logmein: {agents: 10, price_per_agent_month: 40, months_to_renewal: 3}
... beyondtrust: {concurrent_seats: 4, price_per_seat_year: 2000, months_to_renewal: 3}
... residual: {logmein_agents: 2, beyondtrust_seats: 3}
... ''', "p.yaml"))
>>> cap = plan_capacity(p, "logmein_consolidate+beyondtrust_renew")
>>> cap.evaluate_as, cap.kept
('logmein_consolidate+beyondtrust_right_size', {'logmein': 0.0, 'beyondtrust': 5.0})
>>> print(cap.pools[0].note)
BeyondTrust renewed as it is grows from 4 to 5 concurrent seats to carry the work moved into it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import ClassVar

import numpy as np

from rhmodel.core.money.cashflows import Terms, discount_factors, weighted_costs
from rhmodel.core.params import Parameters
from rhmodel.core.products import consolidation_target, contract_for, plan_actions, plan_name

__all__ = [
    "PlanCapacity",
    "RoutedPool",
    "feasible_delays",
    "mid_term_cuts",
    "plan_capacity",
    "timed_terms",
]


@dataclass(frozen=True)
class RoutedPool:
    """One pool a plan keeps, and the work routed to it.

    Attributes
    ----------
    contract : str
        The contract whose pool it is.
    routed_sessions : int or None
        Residual pilot sessions routed to it (its own plus consolidated); ``None``: no pilot.
    sized_need : float or None
        Licences the routed work needs under the contract's metric; ``None``: no pilot.
    kept : float
        Licences the plan keeps (before a vendor minimum).
    bound : str
        Which rule decided: the sizing's (``peak``, ``licence_usage_peak``, ``technicians``,
        ``specialist_team``), ``given`` (a ``residual.*`` the user gave), ``held`` (renewed as
        it is, enough for the work) or ``licence_for_licence`` (no pilot: the consolidated
        contract's own pool added).
    routed_from : tuple of str
        Contracts consolidated into it.
    note : str
        A flag in words: a user figure below the need, a renewed pool that grows.
    unit : str
        What ``kept`` counts.
    """

    json_fields: ClassVar[tuple[str, ...]] = (
        "contract",
        "routed_sessions",
        "sized_need",
        "kept",
        "bound",
        "routed_from",
        "note",
        "unit",
    )

    contract: str
    routed_sessions: int | None
    sized_need: float | None
    kept: float
    bound: str
    routed_from: tuple[str, ...] = ()
    note: str = ""
    unit: str = ""


@dataclass(frozen=True)
class PlanCapacity:
    """What a plan keeps, as the cash flows must evaluate it.

    ``evaluate_as`` is the plan name the cash flows price (a renewed pool that must grow is a
    right-size to its new count); :meth:`apply` sets each receiving pool's units and empties
    the consolidated contracts' (their work is counted in the receiver's pool).
    """

    name: str
    evaluate_as: str
    #: Receiving contract → licences the moved work adds (array-free: deterministic).
    added: Mapping[str, float] = field(default_factory=dict)
    #: Contracts consolidated away: their own pool is counted in the receiver's.
    moved: tuple[str, ...] = ()
    #: Contracts renewed as they are that grow to carry moved work.
    grown: tuple[str, ...] = ()
    #: Contract → own pool override (the pilot's sizing re-done for ``decision.accept``).
    own: Mapping[str, float] = field(default_factory=dict)
    #: Contract → licences kept in the base case.
    kept: dict[str, float] = field(default_factory=dict)
    pools: tuple[RoutedPool, ...] = ()
    #: Consolidated contracts whose receiving pool has no pilot evidence: their own pool is
    #: added licence for licence (per draw).
    by_licence: tuple[str, ...] = ()

    def apply(self, t: Terms, varied: Collection[str] = ()) -> Terms:
        """``t`` with each pool's units as this plan keeps them (every draw). An own-pool
        override leaves the inputs in ``varied`` (drawn or probed) as they are."""
        if not (self.added or self.moved or self.grown or self.own):
            return t
        x = dict(t.x)
        actions = plan_actions(self.evaluate_as)
        for c, n in self.own.items():
            key = contract_for(c).residual_key
            if key not in varied:
                x[key] = np.full_like(x[key], n)
        hosts: dict[str, np.ndarray] = {}
        for src in self.moved:
            host = consolidation_target(src, plan_actions(self.name), t.absorb_order)
            if src in self.by_licence:
                extra = x[contract_for(src).residual_key]
                hosts[host] = hosts.get(host, np.zeros((1, 1))) + extra
        for host, n in self.added.items():
            hosts[host] = hosts.get(host, np.zeros((1, 1))) + n
        for src in self.moved:
            key = contract_for(src).residual_key
            x[key] = np.zeros_like(x[key])
        for host, extra in hosts.items():
            con = contract_for(host)
            need = x[con.residual_key] + extra
            if host in self.grown:
                need = np.maximum(x[con.count_key], need)
                # renewed as it is: at its current price and add-ons, however it was quoted
                x[con.residual_price_key] = np.full_like(x[con.price_key], np.nan)
                if con.extras_residual_key:
                    x[con.extras_residual_key] = np.full_like(x[con.price_key], np.nan)
            if actions[host] == "right_size":
                x[con.residual_key] = need
        return replace(t, x=x)


def _own_pools(
    params: Parameters, contracts: list[str]
) -> tuple[dict[str, float], dict[str, object]]:
    """Each contract's own pool (re-sized from the pilot when its figure is the pilot's, so a
    ``decision.accept`` given later still gives work up) and its sizing, when known."""
    from rhmodel.core.pilot.evidence import (
        accepted_codes,
        kept_pool,
        pilot_evidence,
        routed_sizing,
    )

    report = pilot_evidence(params)
    accept = accepted_codes(params)
    own: dict[str, float] = {}
    sized: dict[str, object] = {}
    for c in contracts:
        con = contract_for(c)
        if report is None or con.product not in report.tools:
            continue
        z = kept_pool(params, routed_sizing(report, c, (), accept), c)
        sized[c] = z
        if params.value(con.residual_key).origin == "pilot" and z.kept != params[con.residual_key]:
            own[c] = float(z.kept)
    return own, sized


def plan_capacity(
    params: Parameters, name: str, absorb_order: Mapping[str, tuple[str, ...]] | None = None
) -> PlanCapacity:
    """The pools plan ``name`` keeps, each sized from the work routed to it (module docstring).

    ``absorb_order`` is :func:`rhmodel.core.coverage.absorb_order` (which pool takes a
    consolidated contract's work); ``None`` uses each record's own order.
    """
    from rhmodel.core.pilot.evidence import accepted_codes, pilot_evidence, routed_sizing

    order = dict(absorb_order or {})
    actions = {c: a for c, a in plan_actions(name).items() if _held(params, c)}
    contracts = list(actions)
    own, sized = _own_pools(params, contracts)
    report = pilot_evidence(params)
    accept = accepted_codes(params)
    into = {
        c: consolidation_target(c, actions, order) for c, a in actions.items() if a == "consolidate"
    }
    sources: dict[str, list[str]] = {}
    for src, host in into.items():
        sources.setdefault(host, []).append(src)
    seen = set(report.tools) if report is not None else set()

    def evidenced(host: str) -> bool:
        # the pilot saw work on the host's tool or on a tool moved into it
        return bool(seen & {contract_for(x).product for x in (host, *sources.get(host, ()))})

    by_licence: list[str] = []
    added: dict[str, float] = {}
    grown: list[str] = []
    kept: dict[str, float] = {}
    pools: list[RoutedPool] = []
    for c, a in actions.items():
        con = contract_for(c)
        unit = con.unit_for(params[con.metric_key])
        count = float(params[con.count_key] or 0)
        base = own.get(c, float(params[con.residual_key] or 0))
        z_own = sized.get(c)
        if a in ("cancel", "consolidate"):
            kept[c] = 0.0
            continue
        moved = tuple(sources.get(c, ()))
        need: float | None = None
        routed: int | None = None
        bound = ""
        evidence = report is not None and evidenced(c)
        if evidence and report is not None:
            z = routed_sizing(report, c, moved, accept) if moved else z_own
            if z is not None:
                need, routed, bound = float(z.sized_need), int(z.routed_sessions), z.bound
                if moved:
                    before = float(z_own.sized_need) if z_own is not None else 0.0
                    added[c] = max(0.0, need - before)
        elif moved:
            bound = "licence_for_licence"
            by_licence.extend(moved)
        extra = (
            added.get(c, 0.0)
            if evidence
            else sum(float(params[contract_for(s).residual_key] or 0) for s in moved)
        )
        note = ""
        if a == "renew":
            required = base + extra if moved else 0.0
            if moved and need is not None and params.value(con.residual_key).origin == "pilot":
                required = max(required, need)  # as for a right-sized pool, below
            kept[c] = max(count, required)
            if moved and required > count:
                grown.append(c)
                note = (
                    f"{con.short} renewed as it is grows from {count:g} to {required:g} {unit} "
                    "to carry the work moved into it."
                )
            elif not moved:
                bound = "held"
        else:
            kept[c] = base + extra
            if moved and need is not None and params.value(con.residual_key).origin == "pilot":
                # the pilot's own figure may have been capped at the licences held; with work
                # moved in, the pool is what the merged work needs, which may be more
                kept[c] = max(kept[c], need)
            if kept[c] > 0:
                # a pool below the vendor's minimum is raised to it, as the cash flows do
                kept[c] = max(kept[c], float(params[con.min_key] or 0))
        given = params.value(con.residual_key)
        if given.origin != "pilot" and need is not None and kept[c] < need:
            bound = "given"
            note = (
                f"{con.residual_key} of {given.value:g} is honoured, but {con.short} then keeps "
                f"{kept[c]:g}, below the {need:g} {unit} the routed work needs."
            )
        elif given.origin != "pilot" and a == "right_size" and need is None:
            bound = bound or "given"
        if kept[c] > 0 or moved:
            pools.append(RoutedPool(c, routed, need, kept[c], bound, moved, note, unit))
    evaluate_as = name
    if grown:
        evaluate_as = plan_name({c: "right_size" if c in grown else a for c, a in actions.items()})
    return PlanCapacity(
        name=name,
        evaluate_as=evaluate_as,
        added=added,
        moved=tuple(into),
        grown=tuple(grown),
        own=own,
        kept=kept,
        pools=tuple(pools),
        by_licence=tuple(by_licence),
    )


def _held(params: Parameters, c: str) -> bool:
    con = contract_for(c)
    return (
        params[con.count_key] not in (0, None) or params.value(con.count_key).uncertain is not None
    )


def feasible_delays(
    params: Parameters, contracts: list[str]
) -> dict[str, tuple[int, dt.date, dt.date]]:
    """Per contract: terms the change must wait, and that renewal's date and notice deadline.

    Examples
    --------
    >>> from rhmodel.edges.paramfile import parse_parameters
    >>> from rhmodel.core.document import parse_yaml
    >>> p = parse_parameters(parse_yaml('''
    ... start_date: 2026-12-01
    ... logmein: {agents: 10, price_per_agent_month: 40, months_to_renewal: 2, notice_days: 30}
    ... residual: {logmein_agents: 2}
    ... pilot: {days: 45}
    ... ''', "p.yaml"))
    >>> # 1 Feb 2027 renewal: term ends 31 Jan, 30 days before is Fri 1 Jan 2027, before the
    >>> # pilot ends (15 Jan); 1 Feb 2028: 31 Jan − 30 d = Sat 1 Jan 2028, so Fri 31 Dec 2027
    >>> feasible_delays(p, ["logmein"])["logmein"]
    (1, datetime.date(2028, 2, 1), datetime.date(2027, 12, 31))
    """
    from rhmodel.core.money.timing import add_months, contract_notice, pilot_end

    start: dt.date = params["start_date"]
    end = pilot_end(params)
    earliest = max(start, end) if end is not None else start
    out = {}
    for name in contracts:
        r = int(params[f"{name}.months_to_renewal"])
        term = int(params[f"{name}.term_months"])
        k = 0
        while True:
            renewal = add_months(start, r + k * term)
            deadline = contract_notice(params, name, renewal).notice_by
            if deadline >= earliest:
                break
            k += 1
        out[name] = (k, renewal, deadline)
    return out


def timed_terms(
    params: Parameters,
    t: Terms,
    name: str,
    absorb_order: Mapping[str, tuple[str, ...]] | None = None,
    *,
    feasible: bool = True,
    varied: Collection[str] = (),
) -> tuple[Terms, str, PlanCapacity]:
    """``t`` as plan ``name`` is carried out: its routed pools, and (``feasible``) each change
    at its feasible renewal. Returns the terms, the name to evaluate and the capacity.
    ``varied`` as in :meth:`PlanCapacity.apply`."""
    cap = plan_capacity(params, name, absorb_order)
    out = cap.apply(t, varied)
    if feasible:
        actions = plan_actions(name)
        changing = [c for c, a in actions.items() if a != "renew" and _held(params, c)]
        if changing:
            delays = feasible_delays(params, changing)
            out = replace(out, delay_terms={c: delays[c][0] for c in changing})
            cuts = mid_term_cuts(params, out, cap.evaluate_as, changing)
            if cuts:
                out = replace(out, cut_month={**out.cut_month, **cuts})
    return out, cap.evaluate_as, cap


def mid_term_cuts(
    params: Parameters, t: Terms, evaluate_as: str, changing: Collection[str]
) -> dict[str, int]:
    """The contracts worth cutting mid-term, and the month each cut takes effect.

    A contract that may be cut before its term ends (``cancellable_mid_term: true``) is cut
    when that costs less, in present value, than waiting for the renewal the change would
    otherwise land at: the termination fee against the months of the term it saves. Contracts'
    cash flows are independent, so each is decided on its own component.
    """
    from rhmodel.core.money.timing import mid_term_cut  # timing imports this module

    out: dict[str, int] = {}
    disc = discount_factors(t.x["discount_rate"], t.horizon)
    for c in changing:
        cut = mid_term_cut(params, c)
        if cut is None:
            continue
        waiting = float(np.mean(weighted_costs(t, evaluate_as, disc)[c]))
        cutting = replace(t, cut_month={**t.cut_month, c: cut.month})
        if float(np.mean(weighted_costs(cutting, evaluate_as, disc)[c])) < waiting:
            out[c] = cut.month
    return out
