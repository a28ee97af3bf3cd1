"""Monthly cash flows of each scenario, for one input set or a million at once.

Every numeric input is an array of shape ``(n, 1)``: ``n = 1`` for the deterministic run,
``n`` draws for the Monte Carlo, ``2k + 1`` rows for a tornado. Each incumbent contract's cost
is ``price × g(m) × units(m)`` where ``g`` is the contract's schedule (the uplift factor after
each renewal; under annual billing, a whole term at each renewal month and nothing between) and
``units`` switches from the current count to the scenario's count after the change month.

Because every cost is linear in units and price, a weighted sum over months (total cost with
weight 1, present value with the discount factors) factors into per-contract sums of ``g``.
:func:`weighted_costs` uses that, so a simulation with fixed renewal dates and discount rate
costs O(n), not O(n × months). :func:`monthly_costs` gives the full monthly arrays from the same
terms; tests hold ``monthly_costs(...).sum() == weighted_costs(ones)``.

Conventions
-----------
- Month ``m`` runs 1..horizon; month 1 is the first month of the analysis.
- A contract with ``months_to_renewal = R`` renews at month ``R + 1`` and every ``term_months``
  after; a change (right-size, cancel) takes effect from month ``R + 1``.
- Monthly billing: cost accrues each month. Annual billing: each term is paid in advance in its
  first month; the current term (months 1..R) was paid before the analysis and costs nothing.
- Remote Help add-on licences cost ``licensed_users × price_per_user_month`` every month in each
  scenario that adopts Remote Help (``right_size``, ``cancel``); transition costs fall in month 1.
- Each user group whose licence is not ``included`` costs ``licensed × price_per_user_month``
  every month from ``remote_help.start_month`` in the same scenarios, inside the
  ``remote_help`` component: ``licensed`` is ``users``, or ``helpers + sharers``, or only the
  ``helpers`` of an Android dedicated group (its devices need no licence).
- Price changes: ``uplift`` (alias ``escalator.timing: at_renewal``) steps the price at each
  renewal as the schema says; ``escalator.timing: yearly`` raises it by ``escalator.rate`` at
  each contract anniversary inside a term — the current term's (12, 24, … months before its
  end) and each renewed term's (12, 24, … months after its start) — and carries it across
  renewals. Under annual billing a term paid in advance costs the sum of its escalated months.
- A contract cut mid-term (``Terms.cut_month``) changes from that month instead of a renewal
  and pays its ``termination_fee`` once in that month; a term paid in advance is not refunded.
- Money is US$ (float64); the BeyondTrust price is per seat per year and is divided by 12.

Examples
--------
Hand case: 100 agents at US$50, renewal now, keep 10, Remote Help included, discount 0.

>>> import numpy as np
>>> x = {"logmein.agents": 100, "logmein.price_per_agent_month": 50,
...      "logmein.months_to_renewal": 0, "residual.logmein_agents": 10}
>>> terms = Terms.from_mapping(x, horizon=36)
>>> sq = monthly_costs(terms, "status_quo")["logmein"]
>>> rs = monthly_costs(terms, "right_size")["logmein"]
>>> float((sq - rs).sum())
162000.0
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from rhmodel.core.products import (
    CONTRACTS,
    Contract,
    consolidation_target,
    contract_for,
    plan_actions,
)

__all__ = [
    "NUMERIC_INPUTS",
    "GroupTerm",
    "Terms",
    "adopts_remote_help",
    "discount_factors",
    "group_cost_per_month",
    "group_costs_per_month",
    "group_licensed",
    "kept_units",
    "monthly_costs",
    "prepaid_beyond_horizon",
    "weighted_costs",
]

#: Every numeric input the money model reads (each may be an array of draws).
NUMERIC_INPUTS: tuple[str, ...] = (
    "discount_rate",
    *(
        k
        for c in CONTRACTS
        for k in (
            c.count_key,
            c.price_key,
            f"{c.name}.months_to_renewal",
            f"{c.name}.uplift",
            f"{c.name}.escalator.rate",
            f"{c.name}.termination_fee",
            c.residual_key,
            c.residual_price_key,
            c.min_key,
            *((c.extras_key, c.extras_residual_key) if c.extras_key else ()),
            *((c.fixed_key,) if c.fixed_key else ()),
        )
        if k is not None
    ),
    "remote_help.price_per_user_month",
    "remote_help.licensed_users",
    "remote_help.admin_hours_per_month",
    "remote_help.admin_rate_per_hour",
    "transition.deployment_cost",
    "transition.pilot_cost",
    "transition.training_hours",
    "transition.training_rate_per_hour",
    "transition.network_change_hours",
    "transition.network_rate_per_hour",
)

_COUNT_INPUTS = frozenset(
    k for k in NUMERIC_INPUTS if k.endswith(("agents", "seats", "months_to_renewal", "users"))
)
#: Inputs whose absence means "as the contract has it today" rather than zero (NaN inside).
_FOLLOWS = frozenset(
    k for c in CONTRACTS for k in (c.residual_price_key, c.extras_residual_key) if k is not None
)


@dataclass(frozen=True)
class GroupTerm:
    """The structure of one Remote Help user group (its figures are inputs in ``Terms.x``).

    Attributes
    ----------
    key : str
        ``remote_help.user_groups[i]``: its inputs are ``<key>.users``, ``<key>.helpers``,
        ``<key>.sharers`` and ``<key>.price_per_user_month`` (absent counts are 0).
    name : str
        The group's name.
    licence : str
        ``included``, ``addon``, ``frontline``, ``suite`` or ``plan2``; ``included`` costs nothing.
    android_dedicated : bool
        Only the group's helpers need a licence (its sharers are Android dedicated devices).
    """

    key: str
    name: str
    licence: str
    android_dedicated: bool = False

    @property
    def inputs(self) -> tuple[str, ...]:
        """The input keys of the group."""
        return tuple(f"{self.key}.{f}" for f in GROUP_FIELDS)


#: The numeric fields of a group, each an input ``remote_help.user_groups[i].<field>``.
GROUP_FIELDS = ("users", "helpers", "sharers", "price_per_user_month")


def _column(value: Any, key: str = "") -> np.ndarray:
    missing = np.nan if key in _FOLLOWS else 0.0
    arr = np.asarray(missing if value is None else value, dtype=np.float64)
    return arr.reshape(-1, 1)


@dataclass(frozen=True)
class Terms:
    """The inputs of one evaluation: arrays of shape ``(n, 1)`` plus the structural choices.

    Attributes
    ----------
    x : dict[str, numpy.ndarray]
        Every key of :data:`NUMERIC_INPUTS` as an ``(n, 1)`` or ``(1, 1)`` float array.
    horizon : int
        Months analysed.
    term_months, billing : dict[str, ...]
        Per contract name: renewal term length (months) and ``monthly`` or ``annual``.
    extras_scale : dict[str, str]
        Per contract name: ``fixed`` (a smaller pool keeps its add-ons whole) or ``per_agent``.
    licensing : str
        ``included`` or ``add_on`` (Remote Help).
    delay_terms : dict[str, int]
        Per contract: how many whole terms the change slips (0 = at the next renewal).
    benefit_haircut, cost_uplift : float
        Risk adjustment (fractions); 0 leaves the flows as they are.
    rh_start : int
        The month from which Remote Help's add-on licences and administration are paid.
    absorb_order : dict[str, tuple of str]
        Per contract, the contracts tried in order when it is consolidated
        (:func:`rhmodel.core.coverage.absorb_order`; empty: each record's own order).
    escalation : dict[str, str]
        Per contract: ``at_renewal`` (``escalator.rate`` steps at renewals, like ``uplift``) or
        ``yearly`` (at each contract anniversary inside a term).
    cut_month : dict[str, int]
        Per contract cut before its term ends: the month the change takes effect (instead of a
        renewal); its ``termination_fee`` is paid that month. Absent: changes at renewals.
    """

    x: dict[str, np.ndarray]
    horizon: int
    term_months: dict[str, int] = field(default_factory=dict)
    billing: dict[str, str] = field(default_factory=dict)
    extras_scale: dict[str, str] = field(default_factory=dict)
    licensing: str = "included"
    delay_terms: dict[str, int] = field(default_factory=dict)
    benefit_haircut: float = 0.0
    cost_uplift: float = 0.0
    rh_start: int = 1
    absorb_order: dict[str, tuple[str, ...]] = field(default_factory=dict)
    groups: tuple[GroupTerm, ...] = ()
    escalation: dict[str, str] = field(default_factory=dict)
    cut_month: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], horizon: int, **kw: Any) -> Terms:
        """Terms from plain numbers (missing inputs are zero), mainly for examples and tests.

        ``groups`` (a tuple of :class:`GroupTerm`) reads each group's inputs from ``values``.

        Examples
        --------
        >>> g = GroupTerm("remote_help.user_groups[0]", "Ward staff", "frontline")
        >>> t = Terms.from_mapping({"logmein.months_to_renewal": 0,
        ...     "remote_help.user_groups[0].users": 3400,
        ...     "remote_help.user_groups[0].price_per_user_month": 2.0}, horizon=12, groups=(g,))
        >>> float(monthly_costs(t, "cancel")["remote_help"].sum())  # 3,400 × 2 × 12
        81600.0
        """
        groups = tuple(kw.get("groups", ()))
        keys = (*NUMERIC_INPUTS, *(k for g in groups for k in g.inputs))
        x = {k: _column(values.get(k), k) for k in keys}
        if "discount_rate" not in values:
            x["discount_rate"] = _column(0.0)
        kw.setdefault(
            "term_months", {c.name: int(values.get(f"{c.name}.term_months", 12)) for c in CONTRACTS}
        )
        kw.setdefault(
            "billing", {c.name: values.get(f"{c.name}.billing", "monthly") for c in CONTRACTS}
        )
        kw.setdefault(
            "extras_scale",
            {c.name: values.get(f"{c.name}.extras_scale", "fixed") for c in CONTRACTS},
        )
        kw.setdefault(
            "escalation",
            {c.name: values.get(f"{c.name}.escalator.timing", "at_renewal") for c in CONTRACTS},
        )
        kw.setdefault("licensing", values.get("remote_help.licensing", "included"))
        return cls(x=x, horizon=horizon, **kw)

    @property
    def n(self) -> int:
        """Number of input rows (draws)."""
        return max(a.shape[0] for a in self.x.values())

    def replace_x(self, **arrays: np.ndarray) -> Terms:
        """A copy with some input arrays replaced (keys with dots written as ``__``)."""
        x = dict(self.x)
        for k, v in arrays.items():
            key = k.replace("__", ".")
            x[key] = _column(v, key)
        return replace(self, x=x)


def months(horizon: int) -> np.ndarray:
    """Month numbers 1..horizon as a ``(1, horizon)`` integer array."""
    return np.arange(1, horizon + 1, dtype=np.int64).reshape(1, -1)


def discount_factors(rate: np.ndarray, horizon: int) -> np.ndarray:
    """``(1 + rate) ** -(m / 12)`` for m = 1..horizon: shape ``(n, horizon)``.

    Examples
    --------
    >>> discount_factors(np.array([[0.10]]), 12)[0, -1].round(6)
    np.float64(0.909091)
    """
    return np.power(1.0 + rate, -months(horizon) / 12.0)


def yearly_exponent(j: np.ndarray, renewal: np.ndarray, term: int) -> np.ndarray:
    """How many contract anniversaries inside a term fall in months 2..``j``.

    The current term's contract years end with it (anniversaries at ``R + 1 − 12k`` from month
    2 on); each renewed term starting at ``R + 1 + T·i`` has anniversaries 12, 24, … months
    after its start and before its end. A yearly escalator prices month ``j`` at
    ``(1 + rate) ** yearly_exponent(j)``.

    Examples
    --------
    A 36-month term renewing in month 1 (R = 0): contract years priced 1, 1.07, 1.07², then
    the next term carries on.

    >>> j = np.array([[1, 12, 13, 25, 36, 37, 49]])
    >>> yearly_exponent(j, np.array([[0]]), 36).tolist()
    [[0, 0, 1, 2, 2, 2, 3]]

    Thirty months left on the current term: its anniversaries fall in months 7 and 19.

    >>> yearly_exponent(np.array([[1, 6, 7, 19, 30, 31]]), np.array([[30]]), 36).tolist()
    [[0, 0, 1, 2, 2, 2]]
    >>> yearly_exponent(np.array([[1, 13, 25]]), np.array([[0]]), 12).tolist()  # none inside
    [[0, 0, 0]]
    """
    r = renewal
    # the current term: k = 1..(R−1)//12 lands in month R + 1 − 12k >= 2; it counts once <= j
    k_max = np.where(r >= 1, (r - 1) // 12, 0)
    k_min = np.maximum(1, -((j - r - 1) // 12))  # ceil((R + 1 − j) / 12)
    current = np.maximum(0, k_max - k_min + 1)
    # renewed terms: (T − 1) // 12 anniversaries in each whole term, then the one in progress
    per_term = (term - 1) // 12
    d = j - r - 1
    inside = np.where(d >= 0, (d // term) * per_term + np.minimum(per_term, (d % term) // 12), 0)
    return current + inside


def _service(t: Terms, c: Contract) -> tuple[np.ndarray, ...]:
    """Per month of service ``j = 1..H+T``: the renewal uplift exponent, the escalator's
    exponent, the month it is paid (0: before the analysis) and whether that payment falls
    after the change. Shapes ``(1, J)``, or ``(n, J)`` when the renewal month varies."""
    term = t.term_months.get(c.name, 12)
    j = np.arange(1, t.horizon + term + 1, dtype=np.int64).reshape(1, -1)
    renewal = np.floor(t.x[f"{c.name}.months_to_renewal"] + 0.5).astype(np.int64)
    renewed = j > renewal
    since = np.where(renewed, j - renewal - 1, 0)
    # uplift is yearly: a renewal at month M prices at (1 + u)^(1 + floor((M - (R+1)) / 12))
    e_renewal = np.where(renewed, 1 + ((since // term) * term) // 12, 0)
    if t.escalation.get(c.name, "at_renewal") == "yearly":
        e_escalator = yearly_exponent(j, renewal, term)
    else:
        e_escalator = e_renewal
    if t.billing.get(c.name, "monthly") == "annual":
        # each term is paid in advance in its first month; the current one before month 1
        paid = np.where(renewed, renewal + 1 + (since // term) * term, 0)
    else:
        paid = np.broadcast_to(j, e_renewal.shape)
    return e_renewal, e_escalator, paid, paid > _change_month(t, c)


def _factor(t: Terms, c: Contract, e_renewal: np.ndarray, e_escalator: np.ndarray) -> np.ndarray:
    """The price multiplier ``(1 + uplift)^e_r × (1 + escalator.rate)^e_e``."""
    return np.power(1.0 + t.x[f"{c.name}.uplift"], e_renewal) * np.power(
        1.0 + t.x[f"{c.name}.escalator.rate"], e_escalator
    )


def _change_month(t: Terms, c: Contract) -> np.ndarray:
    """The last month before the change of ``c`` (``(1, 1)`` or ``(n, 1)``): the renewal it
    slips to, or the month before a mid-term cut."""
    if c.name in t.cut_month:
        return np.array([[t.cut_month[c.name] - 1]], dtype=np.int64)
    renewal = np.floor(t.x[f"{c.name}.months_to_renewal"] + 0.5).astype(np.int64)
    return renewal + t.delay_terms.get(c.name, 0) * t.term_months.get(c.name, 12)


def _billed(paid: np.ndarray, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """0/1 matrices ``(J, H)`` from months of service to the months they are paid in: those
    served inside the horizon, and those served after it (paid in advance inside it)."""
    months_j = paid.shape[-1]
    served = np.arange(1, months_j + 1)
    cols = np.arange(1, horizon + 1)
    hit = paid.reshape(-1, 1) == cols.reshape(1, -1)
    inside = (served <= horizon).reshape(-1, 1)
    return (hit & inside).astype(np.float64), (hit & ~inside).astype(np.float64)


def _schedule(t: Terms, c: Contract) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``g`` (multiplier of the monthly rate per payment month), the months prepaid beyond
    the horizon (priced, per payment month) and the after-change mask of contract ``c``."""
    h = t.horizon
    e_r, e_e, paid, _after = _service(t, c)
    f = _factor(t, c, e_r, e_e)
    if t.billing.get(c.name, "monthly") != "annual":
        # each month pays for itself: nothing to move, nothing prepaid
        g = f[:, :h]
        past = np.zeros((1, h))
    elif paid.shape[0] == 1:
        inside, beyond = _billed(paid[0], h)
        g, past = f @ inside, f @ beyond
    else:  # the renewal month varies by draw: each row has its own billing calendar
        served = np.arange(1, paid.shape[1] + 1).reshape(1, -1)
        g = _scatter(f, paid, h, served <= h)
        past = _scatter(f, paid, h, served > h)
    return g, past, months(h) > _change_month(t, c)


def _scatter(f: np.ndarray, paid: np.ndarray, horizon: int, served: np.ndarray) -> np.ndarray:
    """Sum each row's months of service ``f`` (those ``served`` selects) into the months
    ``paid`` they are paid in: ``(n, H)``, one bincount for every row at once."""
    n = paid.shape[0]
    f = np.broadcast_to(f, paid.shape)
    ok = (paid >= 1) & (paid <= horizon) & served
    rows = np.broadcast_to(np.arange(n).reshape(-1, 1), paid.shape)
    index = (rows * horizon + paid - 1)[ok]
    return np.bincount(index, weights=f[ok], minlength=n * horizon).reshape(n, horizon)


def _fee(t: Terms, c: Contract, scenario: str) -> tuple[np.ndarray, int] | None:
    """The termination fee ``(n, 1)`` and the month it is paid, when the scenario cuts ``c``
    mid-term; ``None`` otherwise."""
    if c.name not in t.cut_month or plan_actions(scenario)[c.name] == "renew":
        return None
    month = int(t.cut_month[c.name])
    if not 1 <= month <= t.horizon:
        return None
    held = t.x[c.count_key] > 0
    return np.where(held, t.x[f"{c.name}.termination_fee"], 0.0), month


def adopts_remote_help(scenario: str) -> bool:
    """Whether the scenario (or plan) moves any work to Remote Help: every one but renewing
    every contract as it is.

    Examples
    --------
    >>> adopts_remote_help("status_quo"), adopts_remote_help("logmein_cancel+beyondtrust_renew")
    (False, True)
    """
    return any(a != "renew" for a in plan_actions(scenario).values())


def kept_units(t: Terms, c: Contract, scenario: str) -> np.ndarray:
    """Licences of contract ``c`` after its change under the scenario (or plan): a pool kept
    below the vendor's minimum is raised to it."""
    actions = plan_actions(scenario)
    action = actions[c.name]
    if action == "renew":
        return t.x[c.count_key]
    if action != "right_size":
        return np.zeros((1, 1))
    units = t.x[c.residual_key]
    for other, a in actions.items():
        if a == "consolidate" and consolidation_target(other, actions, t.absorb_order) == c.name:
            # the pool grows by the pool the other contract would have kept, licence for licence
            units = units + t.x[contract_for(other).residual_key]
    return np.where(units > 0, np.maximum(units, t.x[c.min_key]), 0.0)


def _rates(t: Terms, c: Contract, scenario: str) -> tuple[np.ndarray, np.ndarray]:
    """The contract's monthly rate before and after its change (before the schedule's
    uplift and billing weight), ``(n, 1)`` each."""
    x = t.x
    count = x[c.count_key]
    held = count > 0  # a contract with no licences is not used: nothing is billed with it
    extras = np.where(held, x[c.extras_key] / 12.0, 0.0) if c.extras_key else np.zeros((1, 1))
    fixed = np.where(held, x[c.fixed_key] / 12.0, 0.0) if c.fixed_key else np.zeros((1, 1))
    before = x[c.price_key] / c.price_divisor * count + extras + fixed
    action = plan_actions(scenario)[c.name]
    if action == "renew":
        return before, before
    if action != "right_size":
        return before, np.zeros((1, 1))
    units = kept_units(t, c, scenario)
    price = np.where(np.isnan(x[c.residual_price_key]), x[c.price_key], x[c.residual_price_key])
    share = np.divide(units, count, out=np.zeros(np.broadcast(units, count).shape), where=count > 0)
    # add-ons stay whole with a smaller pool unless they are billed per agent
    per_agent = t.extras_scale.get(c.name, "fixed") == "per_agent"
    extras_after = extras * share if per_agent else np.where(units > 0, extras, 0.0)
    if c.extras_residual_key:
        given = x[c.extras_residual_key]
        extras_after = np.where(np.isnan(given), extras_after, np.where(units > 0, given / 12, 0))
    after = price / c.price_divisor * units + extras_after + np.where(units > 0, fixed, 0.0)
    return before, after


def _new_spend_per_month(t: Terms, scenario: str) -> np.ndarray:
    """Remote Help add-on licences and administration per month, from ``rh_start``."""
    if not adopts_remote_help(scenario):
        return np.zeros((1, 1))
    x = t.x
    admin = x["remote_help.admin_hours_per_month"] * x["remote_help.admin_rate_per_hour"]
    groups = group_costs_per_month(t)
    if t.licensing != "add_on":
        return admin + groups
    return x["remote_help.licensed_users"] * x["remote_help.price_per_user_month"] + admin + groups


def group_licensed(t: Terms, g: GroupTerm) -> np.ndarray:
    """Users of group ``g`` who need a paid licence, ``(n, 1)``: ``users + helpers + sharers``
    (a group gives ``users`` or ``helpers``/``sharers``), or only the ``helpers`` of an Android
    dedicated group."""
    x = t.x
    if g.android_dedicated:
        return x[f"{g.key}.helpers"]
    return x[f"{g.key}.users"] + x[f"{g.key}.helpers"] + x[f"{g.key}.sharers"]


def group_cost_per_month(t: Terms, g: GroupTerm) -> np.ndarray:
    """The monthly licence cost of group ``g`` (US$, ``(n, 1)``; 0 when ``included``), before
    the start month, the scenario and the risk adjustment are applied."""
    if g.licence == "included":
        return np.zeros((1, 1))
    return group_licensed(t, g) * t.x[f"{g.key}.price_per_user_month"]


def group_costs_per_month(t: Terms) -> np.ndarray:
    """Every user group's licences per month (US$, ``(n, 1)``)."""
    total = np.zeros((1, 1))
    for g in t.groups:
        total = total + group_cost_per_month(t, g)
    return total


def _paying(t: Terms) -> np.ndarray:
    """1 for the months Remote Help's running costs are paid, else 0: ``(1, H)``."""
    return (months(t.horizon) >= t.rh_start).astype(np.float64)


def _transition(t: Terms, scenario: str) -> np.ndarray:
    if not adopts_remote_help(scenario):
        return np.zeros((1, 1))
    x = t.x
    return (
        x["transition.deployment_cost"]
        + x["transition.training_hours"] * x["transition.training_rate_per_hour"]
        + x["transition.network_change_hours"] * x["transition.network_rate_per_hour"]
        + x["transition.pilot_cost"]
    )


def _risk_adjust(
    t: Terms, scenario: str, parts: dict[str, np.ndarray], baseline: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """Forrester-TEI-style: incumbent savings cut by the haircut, new spend raised."""
    if not adopts_remote_help(scenario) or (t.benefit_haircut == 0 and t.cost_uplift == 0):
        return parts
    out = dict(parts)
    for c in CONTRACTS:
        saved = baseline[c.name] - parts[c.name]
        out[c.name] = baseline[c.name] - saved * (1.0 - t.benefit_haircut)
    for name in ("remote_help", "transition"):
        out[name] = parts[name] * (1.0 + t.cost_uplift)
    return out


def _monthly_raw(t: Terms, scenario: str) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    h = t.horizon
    for c in CONTRACTS:
        g, _beyond, after = _schedule(t, c)
        before_rate, after_rate = _rates(t, c, scenario)
        out[c.name] = g * np.where(after, after_rate, before_rate)
    out["remote_help"] = _new_spend_per_month(t, scenario) * _paying(t)
    first = (months(h) == 1).astype(np.float64)
    out["transition"] = _transition(t, scenario) * first
    return {k: np.broadcast_to(v, (t.n, h)) for k, v in out.items()}


def monthly_costs(t: Terms, scenario: str) -> dict[str, np.ndarray]:
    """Monthly cost of each component (US$), arrays of shape ``(n, horizon)``.

    Parameters
    ----------
    t : Terms
        The inputs.
    scenario : str
        One of :data:`SCENARIOS`.

    Returns
    -------
    dict[str, numpy.ndarray]
        Keys :data:`COMPONENTS`, risk-adjusted when the terms ask for it.
    """
    parts = _monthly_raw(t, scenario)
    if adopts_remote_help(scenario) and (t.benefit_haircut or t.cost_uplift):
        parts = _risk_adjust(t, scenario, parts, _monthly_raw(t, "status_quo"))
    return _with_fees(t, scenario, parts, None)


def _with_fees(
    t: Terms, scenario: str, parts: dict[str, np.ndarray], w: np.ndarray | None
) -> dict[str, np.ndarray]:
    """Add each mid-term cut's termination fee to its contract's cost: in its month (``w``
    None, monthly arrays) or weighted by ``w`` at that month. A fee is new spend, so the risk
    adjustment raises it like Remote Help's costs rather than cutting it like a saving."""
    out = dict(parts)
    for c in CONTRACTS:
        fee = _fee(t, c, scenario)
        if fee is None:
            continue
        amount, month = fee
        amount = amount * (1.0 + t.cost_uplift)
        if w is None:
            add = np.zeros((1, t.horizon))
            add[0, month - 1] = 1.0
            out[c.name] = out[c.name] + amount * add
        else:
            out[c.name] = out[c.name] + (amount * w[:, month - 1 : month]).reshape(-1)
    return out


def _schedule_sums(
    t: Terms, c: Contract, w: np.ndarray, beyond: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """``sum of g(m) w(m)`` over the months before and after the change: ``(n, 1)`` each.

    With ``beyond``, the months prepaid past the horizon replace the billing weight (for
    :func:`prepaid_beyond_horizon`).
    """
    h = t.horizon
    e_r, e_e, paid, after = _service(t, c)
    if paid.shape[0] == 1 and w.shape[0] == 1:
        # Shared calendar: each month of service costs (1 + u)^e_r × (1 + a)^e_e at the weight
        # of the month it is paid in, and (e_r, e_e) take a handful of values, so group the
        # weights by that pair once and raise the rates to each: O(n × years), not O(n × months).
        p, a = paid[0], after[0]
        served = np.arange(1, p.size + 1)
        counted = (p >= 1) & (p <= h) & ((served > h) if beyond else (served <= h))
        weight = np.where(counted, np.concatenate([[0.0], w[0]])[np.where(counted, p, 0)], 0.0)
        pairs, index = np.unique(np.stack([e_r[0], e_e[0]]), axis=1, return_inverse=True)
        index = index.reshape(-1)
        w_before = np.bincount(index[~a], weights=weight[~a], minlength=pairs.shape[1])
        w_after = np.bincount(index[a], weights=weight[a], minlength=pairs.shape[1])
        powers = _factor(t, c, pairs[0].reshape(1, -1), pairs[1].reshape(1, -1))
        return powers @ w_before.reshape(-1, 1), powers @ w_after.reshape(-1, 1)
    g, past, after_m = _schedule(t, c)
    gw = (past if beyond else g) * w
    return (
        np.where(after_m, 0.0, gw).sum(axis=1, keepdims=True),
        np.where(after_m, gw, 0.0).sum(axis=1, keepdims=True),
    )


def _weighted_raw(t: Terms, scenario: str, w: np.ndarray) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for c in CONTRACTS:
        before_sum, after_sum = _schedule_sums(t, c, w)
        before_rate, after_rate = _rates(t, c, scenario)
        out[c.name] = before_rate * before_sum + after_rate * after_sum
    paying = (w * _paying(t)).sum(axis=1, keepdims=True)
    out["remote_help"] = _new_spend_per_month(t, scenario) * paying
    out["transition"] = _transition(t, scenario) * w[:, :1]
    return {k: np.broadcast_to(v, (t.n, 1)).reshape(-1) for k, v in out.items()}


def prepaid_beyond_horizon(t: Terms, scenario: str) -> np.ndarray:
    """Payments in advance inside the horizon for months after it, undiscounted: ``(n,)``.

    Reported beside each scenario and never counted as a cost or a saving (the horizon edge).

    Examples
    --------
    A year paid in advance at month 34 of 36 buys months 34–45: 9 of its 12 months fall after.

    >>> x = {"beyondtrust.concurrent_seats": 1, "beyondtrust.price_per_seat_year": 1200,
    ...      "beyondtrust.months_to_renewal": 33, "beyondtrust.billing": "annual"}
    >>> t = Terms.from_mapping(x, horizon=36)
    >>> float(prepaid_beyond_horizon(t, "status_quo")[0])
    900.0
    >>> float(monthly_costs(t, "status_quo")["beyondtrust"].sum())
    300.0
    """
    ones = np.ones((1, t.horizon))
    total = np.zeros((t.n, 1))
    for c in CONTRACTS:
        before_sum, after_sum = _schedule_sums(t, c, ones, beyond=True)
        before_rate, after_rate = _rates(t, c, scenario)
        total = total + before_rate * before_sum + after_rate * after_sum
    return np.broadcast_to(total, (t.n, 1)).reshape(-1)


def weighted_costs(t: Terms, scenario: str, w: np.ndarray) -> dict[str, np.ndarray]:
    """``sum over m of cost_m × w_m`` per component, shape ``(n,)``.

    ``w`` is ``(1, H)`` or ``(n, H)``: ones give total cost, :func:`discount_factors` give
    present value. Equal to ``(monthly_costs(t, s)[k] * w).sum(axis=1)`` by construction,
    computed without building ``(n, H)`` arrays when the schedule and weights are shared.
    """
    parts = _weighted_raw(t, scenario, w)
    if adopts_remote_help(scenario) and (t.benefit_haircut or t.cost_uplift):
        parts = _risk_adjust(t, scenario, parts, _weighted_raw(t, "status_quo", w))
    return _with_fees(t, scenario, parts, w)


def is_count(key: str) -> bool:
    """Whether ``key`` is a whole-number input (counts and months are rounded when drawn).

    Examples
    --------
    >>> is_count("logmein.agents"), is_count("remote_help.user_groups[2].helpers")
    (True, True)
    """
    if key.startswith("remote_help.user_groups["):
        return key.endswith((".users", ".helpers", ".sharers"))
    return key in _COUNT_INPUTS
