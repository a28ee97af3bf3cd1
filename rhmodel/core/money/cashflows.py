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
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rhmodel.core.products import CONTRACTS, Contract, consolidation_target, plan_actions

__all__ = [
    "NUMERIC_INPUTS",
    "Terms",
    "adopts_remote_help",
    "discount_factors",
    "monthly_costs",
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
            c.residual_key,
        )
    ),
    "remote_help.price_per_user_month",
    "remote_help.licensed_users",
    "transition.deployment_cost",
    "transition.training_hours",
    "transition.training_rate_per_hour",
    "transition.network_change_hours",
    "transition.network_rate_per_hour",
)

_COUNT_INPUTS = frozenset(
    k for k in NUMERIC_INPUTS if k.endswith(("agents", "seats", "months_to_renewal", "users"))
)


def _column(value: Any) -> np.ndarray:
    arr = np.asarray(0.0 if value is None else value, dtype=np.float64)
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
    licensing : str
        ``included`` or ``add_on`` (Remote Help).
    delay_terms : dict[str, int]
        Per contract: how many whole terms the change slips (0 = at the next renewal).
    benefit_haircut, cost_uplift : float
        Risk adjustment (fractions); 0 leaves the flows as they are.
    """

    x: dict[str, np.ndarray]
    horizon: int
    term_months: dict[str, int] = field(default_factory=dict)
    billing: dict[str, str] = field(default_factory=dict)
    licensing: str = "included"
    delay_terms: dict[str, int] = field(default_factory=dict)
    benefit_haircut: float = 0.0
    cost_uplift: float = 0.0

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], horizon: int, **kw: Any) -> Terms:
        """Terms from plain numbers (missing inputs are zero), mainly for examples and tests."""
        x = {k: _column(values.get(k)) for k in NUMERIC_INPUTS}
        if "discount_rate" not in values:
            x["discount_rate"] = _column(0.0)
        kw.setdefault(
            "term_months", {c.name: int(values.get(f"{c.name}.term_months", 12)) for c in CONTRACTS}
        )
        kw.setdefault(
            "billing", {c.name: values.get(f"{c.name}.billing", "monthly") for c in CONTRACTS}
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
            x[k.replace("__", ".")] = _column(v)
        return Terms(
            x,
            self.horizon,
            self.term_months,
            self.billing,
            self.licensing,
            self.delay_terms,
            self.benefit_haircut,
            self.cost_uplift,
        )


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


def _schedule(t: Terms, c: Contract) -> tuple[np.ndarray, np.ndarray]:
    """``g`` (price multiplier per unit per month) and the after-change mask of contract ``c``.

    Both have shape ``(1, H)`` when the renewal month and uplift are fixed, ``(n, H)`` when
    they are drawn.
    """
    m = months(t.horizon)
    renewal = np.floor(t.x[f"{c.name}.months_to_renewal"] + 0.5).astype(np.int64)
    term = t.term_months.get(c.name, 12)
    renewed = m > renewal
    k = np.where(renewed, (m - renewal - 1) // term + 1, 0)  # renewals so far
    g = np.power(1.0 + t.x[f"{c.name}.uplift"], k)
    if t.billing.get(c.name, "monthly") == "annual":
        due = renewed & ((m - renewal - 1) % term == 0)
        g = np.where(due, g * term, 0.0)
    change = renewal + t.delay_terms.get(c.name, 0) * term
    return g, m > change


def adopts_remote_help(scenario: str) -> bool:
    """Whether the scenario (or plan) moves any work to Remote Help: every one but renewing
    every contract as it is.

    Examples
    --------
    >>> adopts_remote_help("status_quo"), adopts_remote_help("logmein_cancel+beyondtrust_renew")
    (False, True)
    """
    return any(a != "renew" for a in plan_actions(scenario).values())


def _units_after(t: Terms, c: Contract, scenario: str) -> np.ndarray:
    """Licences of contract ``c`` after its change under the scenario (or plan)."""
    actions = plan_actions(scenario)
    action = actions[c.name]
    if action == "renew":
        return t.x[c.count_key]
    if action != "right_size":
        return np.zeros((1, 1))
    units = t.x[c.residual_key]
    for other, a in actions.items():
        if a == "consolidate" and consolidation_target(other) == c.name:
            # the pool grows by the pool the other contract would have kept, licence for licence
            units = units + t.x[next(k for k in CONTRACTS if k.name == other).residual_key]
    return units


def _new_spend_per_month(t: Terms, scenario: str) -> np.ndarray:
    if not adopts_remote_help(scenario) or t.licensing != "add_on":
        return np.zeros((1, 1))
    return t.x["remote_help.licensed_users"] * t.x["remote_help.price_per_user_month"]


def _transition(t: Terms, scenario: str) -> np.ndarray:
    if not adopts_remote_help(scenario):
        return np.zeros((1, 1))
    x = t.x
    return (
        x["transition.deployment_cost"]
        + x["transition.training_hours"] * x["transition.training_rate_per_hour"]
        + x["transition.network_change_hours"] * x["transition.network_rate_per_hour"]
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
        g, after = _schedule(t, c)
        units = np.where(after, _units_after(t, c, scenario), t.x[c.count_key])
        out[c.name] = t.x[c.price_key] / c.price_divisor * g * units
    out["remote_help"] = np.broadcast_to(_new_spend_per_month(t, scenario), (t.n, h)) * 1.0
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
    return parts


def _schedule_sums(t: Terms, c: Contract, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``sum of g(m) w(m)`` over the months before and after the change: ``(n, 1)`` each."""
    renewal = np.floor(t.x[f"{c.name}.months_to_renewal"] + 0.5).astype(np.int64)
    if renewal.shape[0] == 1 and w.shape[0] == 1:
        # Shared calendar: g(m) = (1 + uplift)^k(m) × base(m), and k takes a handful of values,
        # so group the weights by renewal count once and raise (1 + uplift) to each count:
        # O(n × renewals) instead of O(n × months).
        m = months(t.horizon)[0]
        term = t.term_months.get(c.name, 12)
        r = int(renewal[0, 0])
        renewed = m > r
        k = np.where(renewed, (m - r - 1) // term + 1, 0)
        base = w[0].astype(np.float64)
        if t.billing.get(c.name, "monthly") == "annual":
            base = np.where(renewed & ((m - r - 1) % term == 0), base * term, 0.0)
        after = m > r + t.delay_terms.get(c.name, 0) * term
        n_k = int(k.max()) + 1
        w_before = np.bincount(k[~after], weights=base[~after], minlength=n_k)
        w_after = np.bincount(k[after], weights=base[after], minlength=n_k)
        powers = np.power(1.0 + t.x[f"{c.name}.uplift"], np.arange(n_k).reshape(1, -1))
        return powers @ w_before.reshape(-1, 1), powers @ w_after.reshape(-1, 1)
    g, after = _schedule(t, c)
    gw = g * w
    return (
        np.where(after, 0.0, gw).sum(axis=1, keepdims=True),
        np.where(after, gw, 0.0).sum(axis=1, keepdims=True),
    )


def _weighted_raw(t: Terms, scenario: str, w: np.ndarray) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for c in CONTRACTS:
        before_sum, after_sum = _schedule_sums(t, c, w)
        out[c.name] = (
            t.x[c.price_key]
            / c.price_divisor
            * (t.x[c.count_key] * before_sum + _units_after(t, c, scenario) * after_sum)
        )
    out["remote_help"] = _new_spend_per_month(t, scenario) * w.sum(axis=1, keepdims=True)
    out["transition"] = _transition(t, scenario) * w[:, :1]
    return {k: np.broadcast_to(v, (t.n, 1)).reshape(-1) for k, v in out.items()}


def weighted_costs(t: Terms, scenario: str, w: np.ndarray) -> dict[str, np.ndarray]:
    """``sum over m of cost_m × w_m`` per component, shape ``(n,)``.

    ``w`` is ``(1, H)`` or ``(n, H)``: ones give total cost, :func:`discount_factors` give
    present value. Equal to ``(monthly_costs(t, s)[k] * w).sum(axis=1)`` by construction,
    computed without building ``(n, H)`` arrays when the schedule and weights are shared.
    """
    parts = _weighted_raw(t, scenario, w)
    if adopts_remote_help(scenario) and (t.benefit_haircut or t.cost_uplift):
        parts = _risk_adjust(t, scenario, parts, _weighted_raw(t, "status_quo", w))
    return parts


def is_count(key: str) -> bool:
    """Whether ``key`` is a whole-number input (counts and months are rounded when drawn)."""
    return key in _COUNT_INPUTS
