"""Sensitivity (tornado), break-even and Monte Carlo simulation of the scenarios.

All three evaluate :func:`rhmodel.core.money.scenarios.metrics` on many input rows at once; none
re-implements a number.

Examples
--------
>>> from rhmodel.edges.paramfile import load_parameters
>>> from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE
>>> p = load_parameters(SAMPLE_PARAMS_FILE)
>>> bars = sensitivity(p)
>>> bars[0].key
'logmein.price_per_agent_month'
>>> sim = simulate(p, draws=2000, seed=1)
>>> 0.9 < sim.scenarios["cancel"].p_npv_positive <= 1.0
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import ClassVar

import numpy as np

from rhmodel.core.money.capacity import timed_terms
from rhmodel.core.money.cashflows import NUMERIC_INPUTS, Terms, is_count
from rhmodel.core.money.scenarios import Metrics, base_terms, metrics
from rhmodel.core.params import Parameters, Uncertain
from rhmodel.core.products import CONTRACTS, SCENARIOS, plan_actions

#: Which pool takes a consolidated contract's work (see base_terms); None: the records' order.
AbsorbOrder = Mapping[str, tuple[str, ...]] | None

__all__ = [
    "BreakEven",
    "SimulatedPlan",
    "SimulatedScenario",
    "Simulation",
    "TornadoBar",
    "break_even",
    "ranged_inputs",
    "sensitivity",
    "simulate",
]

#: Draws evaluated per chunk: bounds memory when the schedule varies per draw.
CHUNK = 131_072


def ranged_inputs(params: Parameters) -> list[tuple[str, Uncertain]]:
    """The money model's inputs given as ranges and actually used, in schema order (each
    user group's ranged figures after the schema's keys)."""
    keys = (*NUMERIC_INPUTS, *params.group_inputs())
    return [
        (k, params.value(k).uncertain)
        for k in keys
        if params.value(k).uncertain is not None and params.is_used(k)
    ]


def _rows(t: Terms, rows: dict[str, np.ndarray]) -> Terms:
    n = max(len(v) for v in rows.values())
    x = {k: np.broadcast_to(v, (n, 1)).copy() if k in rows else v for k, v in t.x.items()}
    for k, v in rows.items():
        x[k] = np.asarray(v, dtype=np.float64).reshape(-1, 1)
    return replace(t, x=x)


def _plan_metrics(
    params: Parameters,
    t: Terms,
    name: str,
    absorb_order: AbsorbOrder,
    varied: tuple[str, ...] = (),
    feasible: bool = True,
) -> Metrics:
    """Plan ``name``'s metrics over the rows of ``t``, as it would be carried out: its pools
    sized from the work routed to them and (``feasible``) each change at its feasible
    renewal."""
    tt, evaluate_as, _cap = timed_terms(
        params, t, name, absorb_order, feasible=feasible, varied=varied
    )
    return metrics(tt, [evaluate_as])[evaluate_as]


@dataclass(frozen=True)
class TornadoBar:
    """The subject scenario's NPV with one input at its low and high end, the others at base."""

    json_fields: ClassVar[tuple[str, ...]] = (
        "key",
        "low",
        "high",
        "base",
        "npv_low",
        "npv_high",
        "swing",
        "scenario",
    )

    key: str
    low: float
    high: float
    base: float
    npv_low: float
    npv_high: float
    scenario: str = "right_size"

    @property
    def swing(self) -> float:
        """``|npv_high − npv_low|``."""
        return abs(self.npv_high - self.npv_low)


def sensitivity(
    params: Parameters, scenario: str = "right_size", absorb_order: AbsorbOrder = None
) -> list[TornadoBar]:
    """Tornado: NPV of ``scenario`` at each ranged input's low and high, sorted by swing.

    The scenario is evaluated as it would be carried out (its routed pools, each change at its
    feasible renewal), so the bars describe the same NPV as the headline. ``absorb_order`` as
    in :func:`~rhmodel.core.money.scenarios.base_terms`.
    """
    ranged = ranged_inputs(params)
    if not ranged:
        return []
    t = base_terms(params, absorb_order)
    rows = {}
    for i, (key, u) in enumerate(ranged):
        col = np.repeat(t.x[key][:, 0], 2 * len(ranged))
        col[2 * i], col[2 * i + 1] = u.low, u.high
        rows[key] = col
    npv = _plan_metrics(params, _rows(t, rows), scenario, absorb_order, tuple(rows)).npv
    bars = [
        TornadoBar(
            key,
            u.low,
            u.high,
            float(params[key]),
            float(npv[2 * i]),
            float(npv[2 * i + 1]),
            scenario,
        )
        for i, (key, u) in enumerate(ranged)
    ]
    return sorted(bars, key=lambda b: -b.swing)


@dataclass(frozen=True)
class BreakEven:
    """The value of one input at which the subject scenario's NPV is zero, the others at base.

    ``value`` is ``None`` when there is no such value inside the input's meaningful domain (a
    price of at least 0; a pool from 0 to the licences held), or the NPV does not depend on the
    input within the horizon; ``meaning`` says which, in words.
    """

    json_fields: ClassVar[tuple[str, ...]] = (
        "key",
        "value",
        "base",
        "current",
        "meaning",
        "scenario",
    )

    key: str
    value: float | None
    base: float
    current: float | None
    meaning: str
    scenario: str = "right_size"


def _zero_crossing(x0: float, y0: float, x1: float, y1: float) -> float | None:
    # The NPV is linear in pool size and price, so two points fix the line.
    if abs(y1 - y0) < 1e-9:
        return None
    return x0 - y0 * (x1 - x0) / (y1 - y0)


def _pool_meaning(
    scenario: str, pool: float | None, npv_empty: float, count: float, unit: str
) -> tuple[float | None, str]:
    if pool is None:
        return None, "the pool size does not change the NPV within the horizon"
    if pool >= count:
        return None, (
            f"{scenario} NPV stays positive even if all {count:,.0f} {unit} are kept: "
            "the rest of the change pays for itself"
        )
    if pool <= 0:
        sign = "positive" if npv_empty > 0 else "negative"
        return None, f"{scenario} NPV is {sign} whatever the pool, even with no {unit} kept"
    return pool, f"{scenario} NPV is positive while fewer than {pool:,.1f} {unit} are kept"


def _price_meaning(
    scenario: str, price: float | None, npv_free: float, rising: bool
) -> tuple[float | None, str]:
    if price is None:
        return None, "the price does not change the NPV within the horizon"
    if price <= 0:
        sign = "positive" if npv_free > 0 else "negative"
        return None, f"{scenario} NPV stays {sign} at any price ≥ 0"
    side = "above" if rising else "below"
    return price, f"{scenario} NPV is positive while the price is {side} {price:,.2f}"


def break_even(
    params: Parameters, scenario: str = "right_size", absorb_order: AbsorbOrder = None
) -> dict[str, BreakEven]:
    """Break-even residual pool and incumbent price per contract held, for ``scenario``.

    The pool's break-even is given only for a contract the scenario right-sizes (it keeps a
    pool); the price's for every contract held. The scenario is evaluated as it would be
    carried out (routed pools, feasible timing), as the headline is.

    Returns
    -------
    dict[str, BreakEven]
        Keyed by the parameter (``residual.logmein_agents``, ``logmein.price_per_agent_month``,
        and each other contract's pair).
    """
    t = base_terms(params, absorb_order)
    out: dict[str, BreakEven] = {}
    actions = plan_actions(scenario)
    for c in CONTRACTS:
        count = float(t.x[c.count_key][0, 0])
        if count == 0:
            continue
        if actions[c.name] == "right_size":
            probe = _rows(t, {c.residual_key: np.array([0.0, count])})
            npv = _plan_metrics(params, probe, scenario, absorb_order, (c.residual_key,)).npv
            pool, meaning = _pool_meaning(
                scenario,
                _zero_crossing(0.0, float(npv[0]), count, float(npv[1])),
                float(npv[0]),
                count,
                c.unit,
            )
            out[c.residual_key] = BreakEven(
                c.residual_key, pool, float(params[c.residual_key] or 0), count, meaning, scenario
            )
        price = float(t.x[c.price_key][0, 0])
        probe = price if price > 0 else 1.0
        rows_p = _rows(t, {c.price_key: np.array([0.0, probe])})
        npv = _plan_metrics(params, rows_p, scenario, absorb_order, (c.price_key,)).npv
        p0, meaning = _price_meaning(
            scenario,
            _zero_crossing(0.0, float(npv[0]), probe, float(npv[1])),
            float(npv[0]),
            float(npv[1]) > float(npv[0]),
        )
        out[c.price_key] = BreakEven(c.price_key, p0, price, None, meaning, scenario)
    return out


@dataclass(frozen=True)
class SimulatedScenario:
    """Distribution of one scenario's NPV over the draws (US$)."""

    npv_mean: float
    npv_p10: float
    npv_p50: float
    npv_p90: float
    p_npv_positive: float
    savings_mean: float


@dataclass(frozen=True)
class SimulatedPlan:
    """The recommended plan's NPV distribution at its feasible timing (US$): the figures page 1
    gives beside the headline."""

    json_fields: ClassVar[tuple[str, ...]] = (
        "name",
        "p10",
        "p50",
        "p90",
        "mean",
        "probability_positive",
    )

    name: str
    p10: float
    p50: float
    p90: float
    mean: float
    probability_positive: float


@dataclass(frozen=True)
class Simulation:
    """Monte Carlo result: every ranged input drawn together, ``draws`` times.

    ``scenarios`` holds the pinned scenarios at first-renewal timing and each plan asked for
    (the recommended one) as it would be carried out, at feasible timing; ``plan`` is the first
    of those plans (``None`` when none was asked for).
    """

    draws: int
    seed: int
    inputs: tuple[str, ...]
    scenarios: dict[str, SimulatedScenario]
    npv: dict[str, np.ndarray] = field(repr=False, default_factory=dict, metadata={"json": False})
    plan: SimulatedPlan | None = None


def _draw(rng: np.random.Generator, u: Uncertain, n: int, count: bool) -> np.ndarray:
    if u.high == u.low:
        values = np.full(n, u.low)
    elif u.mode is None:
        values = rng.uniform(u.low, u.high, n)
    else:
        values = rng.triangular(u.low, u.mode, u.high, n)
    # counts and months are whole numbers: round half up, as the deterministic base does
    return np.floor(values + 0.5) if count else values


def simulate(
    params: Parameters,
    draws: int,
    seed: int = 0,
    chunk: int = CHUNK,
    plans: tuple[str, ...] = (),
    absorb_order: AbsorbOrder = None,
) -> Simulation:
    """Draw every ranged input together and report each scenario's NPV distribution.

    Parameters
    ----------
    params : Parameters
        Ranges: ``{low, mode, high}`` is triangular, ``{low, high}`` uniform; fixed inputs stay
        fixed.
    draws : int
        Number of draws (>= 1).
    seed : int
        Seed of numpy's default generator: the same seed gives the same result.
    chunk : int
        Draws evaluated at once (memory bound).
    plans : tuple of str
        Plans to simulate as they would be carried out, at feasible timing with their routed
        pools (the recommended one, pinned or mixed); the first is ``Simulation.plan``.
    absorb_order : mapping or None
        As in :func:`~rhmodel.core.money.scenarios.base_terms`.

    Returns
    -------
    Simulation
        Mean, P10, P50, P90 of NPV and P(NPV > 0) per scenario.
    """
    if draws < 1:
        raise ValueError(f"draws must be >= 1, got {draws!r}")
    t = base_terms(params, absorb_order)
    ranged = ranged_inputs(params)
    rng = np.random.default_rng(seed)
    names = (*SCENARIOS, *(p for p in plans if p not in SCENARIOS))
    npv = {s: np.empty(draws) for s in names}
    savings = dict.fromkeys(names, 0.0)
    for start in range(0, draws, chunk):
        n = min(chunk, draws - start)
        rows = {k: _draw(rng, u, n, is_count(k)) for k, u in ranged}
        rowed = _rows(t, rows) if rows else t
        m = metrics(rowed, [s for s in names if s not in plans])
        for s in plans:
            m[s] = _plan_metrics(params, rowed, s, absorb_order, tuple(rows))
        for s in names:
            npv[s][start : start + n] = m[s].npv
            savings[s] += float(np.sum(np.broadcast_to(m[s].savings, (n,))))
    stats = {}
    for s in names:
        p10, p50, p90 = np.percentile(npv[s], [10, 50, 90])
        stats[s] = SimulatedScenario(
            npv_mean=float(npv[s].mean()),
            npv_p10=float(p10),
            npv_p50=float(p50),
            npv_p90=float(p90),
            p_npv_positive=float(np.mean(npv[s] > 0)),
            savings_mean=savings[s] / draws,
        )
    plan = None
    if plans:
        head = stats[plans[0]]
        plan = SimulatedPlan(
            plans[0], head.npv_p10, head.npv_p50, head.npv_p90, head.npv_mean, head.p_npv_positive
        )
    return Simulation(
        draws=draws,
        seed=seed,
        inputs=tuple(k for k, _ in ranged),
        scenarios=stats,
        npv=npv,
        plan=plan,
    )
