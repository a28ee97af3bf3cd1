"""The results as pandas DataFrames: one table per question a pandas user asks.

Every builder takes a result object the library already returns (an
:class:`~rhmodel.core.money.evaluation.Evaluation`, a
:class:`~rhmodel.core.pilot.evidence.PilotReport`) and only reshapes its numbers, or asks the
same functions of :mod:`rhmodel.core.money.scenarios` that made them: no second computation.
Conventions, the same in every frame: dates and times are ``datetime64`` (session times
tz-aware, in the pilot's business time zone), money is ``float64`` in the parameters' currency,
names drawn from a small set (scenario, tool, class, reason...) are ``category``, counts that may
be missing are the nullable ``Int64``.

Examples
--------
>>> from rhmodel.edges.paramfile import load_parameters
>>> from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE, load_capabilities
>>> from rhmodel.core.money.evaluation import evaluate
>>> e = evaluate(load_parameters(SAMPLE_PARAMS_FILE), load_capabilities(), draws=200)
>>> row = scenarios_frame(e).loc["right_size"]
>>> rs = e.analysis.scenario("right_size")
>>> bool(row["npv"] == rs.npv), int(row["payback_months"]) == rs.payback_months
(True, True)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from rhmodel.core.money.cashflows import monthly_costs
from rhmodel.core.money.scenarios import metrics, payback_months
from rhmodel.core.money.timing import add_months
from rhmodel.core.products import COMPONENTS, CONTRACTS
from rhmodel.errors import InputError

__all__ = [
    "break_even_frame",
    "by_year_frame",
    "cash_flows",
    "month_starts",
    "pool_frame",
    "scenarios_frame",
    "sensitivity_frame",
    "sessions_frame",
    "simulation_frame",
]


def month_starts(start: dt.date, horizon: int) -> pd.DatetimeIndex:
    """The first day of each model month (month 1 starts on ``start``), as ``datetime64``.

    Month ``m`` starts ``m − 1`` calendar months after ``start``, clamped to the month's last
    day as contracts count it (a 31 January start: month 2 starts on 28 February).

    Examples
    --------
    >>> month_starts(dt.date(2026, 12, 1), 3).strftime("%Y-%m-%d").tolist()
    ['2026-12-01', '2027-01-01', '2027-02-01']
    >>> month_starts(dt.date(2026, 1, 31), 2).strftime("%Y-%m-%d").tolist()
    ['2026-01-31', '2026-02-28']
    """
    days = [add_months(start, m) for m in range(horizon)]
    return pd.DatetimeIndex(pd.to_datetime(days).astype("datetime64[ns]"), name="month")


def _category(values: Any, categories: Any = None) -> pd.Categorical:
    cats = list(dict.fromkeys(categories if categories is not None else values))
    return pd.Categorical(list(values), categories=cats)


def _evaluated(a: Any, name: str) -> tuple[Any, str]:
    """The terms and scenario name the analysis prices plan ``name`` with (its pools sized
    from the work routed to them, where the analysis does that), at first-renewal timing."""
    if hasattr(a, "evaluated"):
        return a.evaluated(name)
    return a.terms, name


def scenarios_frame(e: Any) -> pd.DataFrame:
    """One row per scenario and plan weighed, its metrics as columns.

    Rows are the pinned scenarios (``status_quo``, ``right_size``, ``cancel``) and then every
    plan that mixes actions per contract, indexed by name. Columns: ``kind`` (``scenario`` or
    ``plan``), ``viable``, ``recommended`` (bool), ``npv`` (every change at its contract's
    first renewal), ``npv_feasible_timing`` (each change at the first renewal the pilot can make
    notice for; NaN where the analysis has none), ``total_cost``, ``savings``,
    ``pv_new_spend``, ``roi`` (float64, NaN where nothing new is spent), ``payback_months``
    (``Int64``, missing when it never pays back or for ``status_quo``) and one
    ``<contract>_action`` column per contract held (``renew``, ``right_size``, ...). The
    metrics are those of :func:`rhmodel.core.money.scenarios.metrics` on the terms the analysis
    priced each plan with, the function that made the evaluation's own.

    Examples
    --------
    >>> from rhmodel.edges.paramfile import load_parameters
    >>> from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE, load_capabilities
    >>> from rhmodel.core.money.evaluation import evaluate
    >>> e = evaluate(load_parameters(SAMPLE_PARAMS_FILE), load_capabilities())
    >>> df = scenarios_frame(e)
    >>> df.index[:3].tolist(), df["npv"].dtype, df["kind"].dtype.name
    (['status_quo', 'right_size', 'cancel'], dtype('float64'), 'category')
    >>> df.loc[df["recommended"]].index.tolist()
    ['right_size']
    >>> bool(df.loc["right_size", "npv"] == e.analysis.scenario("right_size").npv)
    True
    """
    a = e.analysis
    options = {o.name: o for o in a.options}
    names = list(dict.fromkeys([*(s.name for s in a.scenarios), *options]))
    shown = {s.name: s for s in a.scenarios}
    held = [c.name for c in CONTRACTS if any(c.name in o.actions for o in a.options)]
    timed = getattr(a, "option_npv_timed", None) or {}
    rows = []
    for n in names:
        t, ev = _evaluated(a, n)
        m = metrics(t, [ev])[ev]
        sq = monthly_costs(t, "status_quo")
        parts = monthly_costs(t, ev)
        sq_total = sum(sq[k][0] for k in COMPONENTS)
        total = sum(parts[k][0] for k in COMPONENTS)
        o = options.get(n)
        viable = o.viable if o is not None else shown[n].viable
        rows.append(
            {
                "name": n,
                "kind": "scenario" if n in ("status_quo", "right_size", "cancel") else "plan",
                "viable": bool(viable),
                "recommended": n == a.recommended,
                "npv": float(m.npv[0]),
                "npv_feasible_timing": float(timed.get(n, np.nan)),
                "total_cost": float(m.total_cost[0]),
                "savings": float(m.savings[0]),
                "pv_new_spend": float(m.pv_new_spend[0]),
                "roi": float(m.roi[0]),
                # renewing everything as it is spends nothing to pay back
                "payback_months": None if n == "status_quo" else payback_months(sq_total - total),
                **{f"{c}_action": (o.actions.get(c, "") if o else "") for c in held},
            }
        )
    df = pd.DataFrame(rows).set_index("name")
    df["kind"] = df["kind"].astype(pd.CategoricalDtype(["scenario", "plan"]))
    df["payback_months"] = df["payback_months"].astype("Int64")
    for c in held:
        df[f"{c}_action"] = df[f"{c}_action"].astype("category")
    return df


def cash_flows(e: Any) -> pd.DataFrame:
    """Monthly costs of each scenario, one column per cost component plus ``total``.

    The index is a MultiIndex (``scenario``, ``month``): ``scenario`` a category in the order the
    analysis shows them, ``month`` the ``datetime64`` first day of each model month
    (:func:`month_starts`). Columns: one per incumbent contract, ``remote_help``,
    ``transition`` and ``total`` (float64, the parameters' currency, risk-adjusted as every
    figure of the evaluation).

    Examples
    --------
    >>> from rhmodel.edges.paramfile import load_parameters
    >>> from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE, load_capabilities
    >>> from rhmodel.core.money.evaluation import evaluate
    >>> e = evaluate(load_parameters(SAMPLE_PARAMS_FILE), load_capabilities())
    >>> cf = cash_flows(e)
    >>> cf.index.names, str(cf.index.levels[1].dtype)
    (FrozenList(['scenario', 'month']), 'datetime64[ns]')
    >>> rs = cf.loc["right_size"]
    >>> len(rs), bool(abs(rs["total"].sum() - e.analysis.scenario("right_size").total_cost) < 1e-6)
    (36, True)
    """
    a = e.analysis
    start = e.params["start_date"]
    frames = []
    for s in a.scenarios:
        months = month_starts(start, len(s.monthly_cost))
        cols = {k: np.asarray(s.components.get(k, ()), dtype=np.float64) for k in COMPONENTS}
        cols["total"] = np.asarray(s.monthly_cost, dtype=np.float64)
        frames.append(pd.DataFrame(cols, index=months))
    names = [s.name for s in a.scenarios]
    df = pd.concat(frames, keys=names, names=["scenario", "month"])
    return df.set_index(
        pd.MultiIndex.from_arrays(
            [
                pd.CategoricalIndex(df.index.get_level_values(0), categories=names),
                df.index.get_level_values(1),
            ],
            names=["scenario", "month"],
        )
    )


def by_year_frame(e: Any) -> pd.DataFrame:
    """The TEI year table of each scenario: ``benefits``, ``costs``, ``net`` per year.

    Index: (``scenario`` category, ``year`` int: 0 is the one-off costs of month 1, then year
    1..n). ``net`` is ``benefits − costs`` (a column here, not a property a DataFrame would drop).

    Examples
    --------
    >>> from rhmodel.edges.paramfile import load_parameters
    >>> from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE, load_capabilities
    >>> from rhmodel.core.money.evaluation import evaluate
    >>> e = evaluate(load_parameters(SAMPLE_PARAMS_FILE), load_capabilities())
    >>> y = by_year_frame(e).loc["right_size"]
    >>> y.columns.tolist(), y.index.tolist()
    (['benefits', 'costs', 'net'], [0, 1, 2, 3])
    >>> bool(((y["benefits"] - y["costs"]) == y["net"]).all())
    True
    """
    rows = [
        (s.name, r.year, float(r.benefits), float(r.costs), float(r.net))
        for s in e.analysis.scenarios
        for r in s.by_year
    ]
    df = pd.DataFrame(rows, columns=["scenario", "year", "benefits", "costs", "net"])
    df["scenario"] = _category(df["scenario"], [s.name for s in e.analysis.scenarios])
    df["year"] = df["year"].astype("int64")
    return df.set_index(["scenario", "year"])


def sensitivity_frame(e: Any) -> pd.DataFrame:
    """The tornado: one row per ranged input, largest swing first.

    Index ``key`` (the parameter key); columns ``low``, ``base``, ``high`` (the input's
    values), ``npv_low``, ``npv_high`` (the subject scenario's NPV with that input at each end,
    the others at base), ``swing`` (``|npv_high − npv_low|``) and ``scenario`` (category).

    Examples
    --------
    >>> from rhmodel.edges.paramfile import load_parameters
    >>> from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE, load_capabilities
    >>> from rhmodel.core.money.evaluation import evaluate
    >>> e = evaluate(load_parameters(SAMPLE_PARAMS_FILE), load_capabilities())
    >>> t = sensitivity_frame(e)
    >>> t.index[0], bool(t["swing"].is_monotonic_decreasing)
    ('logmein.price_per_agent_month', True)
    """
    cols = ["low", "base", "high", "npv_low", "npv_high", "swing", "scenario"]
    rows = [
        {
            "key": b.key,
            "low": float(b.low),
            "base": float(b.base),
            "high": float(b.high),
            "npv_low": float(b.npv_low),
            "npv_high": float(b.npv_high),
            "swing": float(b.swing),
            "scenario": b.scenario,
        }
        for b in e.sensitivity
    ]
    df = pd.DataFrame(rows, columns=["key", *cols]).set_index("key")
    df[cols[:-1]] = df[cols[:-1]].astype("float64")
    df["scenario"] = df["scenario"].astype("category")
    return df


def break_even_frame(e: Any) -> pd.DataFrame:
    """Break-even values: one row per input, ``value`` where the subject scenario's NPV
    crosses zero (NaN when it never does inside the range searched), ``base``, ``current``
    and ``meaning`` in words.

    Examples
    --------
    >>> from rhmodel.edges.paramfile import load_parameters
    >>> from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE, load_capabilities
    >>> from rhmodel.core.money.evaluation import evaluate
    >>> e = evaluate(load_parameters(SAMPLE_PARAMS_FILE), load_capabilities())
    >>> be = break_even_frame(e)
    >>> b = e.break_even["residual.logmein_agents"]
    >>> bool(be.loc["residual.logmein_agents", "base"] == b.base), str(be["value"].dtype)
    (True, 'float64')
    """
    rows = [
        {
            "key": k,
            "value": np.nan if b.value is None else float(b.value),
            "base": float(b.base),
            "current": np.nan if b.current is None else float(b.current),
            "meaning": b.meaning,
            "scenario": b.scenario,
        }
        for k, b in e.break_even.items()
    ]
    cols = ["key", "value", "base", "current", "meaning", "scenario"]
    df = pd.DataFrame(rows, columns=cols).set_index("key")
    df[["value", "base", "current"]] = df[["value", "base", "current"]].astype("float64")
    df["scenario"] = df["scenario"].astype("category")
    return df


def simulation_frame(e: Any) -> pd.DataFrame:
    """The Monte Carlo draws: one row per draw (index ``draw``), one NPV column per scenario.

    Raises
    ------
    InputError
        When the evaluation ran without a simulation (no ``draws``, or no ranged input).

    Examples
    --------
    >>> from rhmodel.edges.paramfile import load_parameters
    >>> from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE, load_capabilities
    >>> from rhmodel.core.money.evaluation import evaluate
    >>> e = evaluate(load_parameters(SAMPLE_PARAMS_FILE), load_capabilities(), draws=500)
    >>> sim = simulation_frame(e)
    >>> sim.shape, sim.index.name
    ((500, 3), 'draw')
    >>> p = e.simulation.scenarios["right_size"].p_npv_positive
    >>> bool((sim["right_size"] > 0).mean() == p)
    True
    """
    sim = e.simulation
    if sim is None:
        raise InputError(
            "this evaluation has no simulation — evaluate with draws=N (e.g. draws=2000) and "
            "give at least one input a range",
            key="draws",
        )
    df = pd.DataFrame({s: np.asarray(v, dtype=np.float64) for s, v in sim.npv.items()})
    df.index = pd.RangeIndex(len(df), name="draw")
    return df


def sessions_frame(report: Any) -> pd.DataFrame:
    """The pilot's sessions with ``start`` and ``end`` as tz-aware ``datetime64`` (in the
    pilot's business time zone; ``end`` missing, ``NaT``, for a session still running) and
    the class as a ``class`` column (``remote_help``, ``movable``, ``residual``,
    ``unexplained``; category). ``tool``, ``reason``, ``primary_reason``, ``session_type``,
    ``platform`` and ``unattended`` are categories too; the rest as
    :mod:`rhmodel.core.pilot.sessions` documents them.

    Examples
    --------
    >>> from rhmodel.edges.paramfile import load_parameters
    >>> from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE
    >>> from rhmodel.edges.pilotfiles import pilot_report
    >>> report = pilot_report(load_parameters(SAMPLE_PARAMS_FILE))
    >>> s = sessions_frame(report)
    >>> str(s["start"].dtype), s["class"].dtype.name
    ('datetime64[s, Europe/London]', 'category')
    >>> bool((s["class"] == "residual").sum() == report.residual_sessions)
    True
    """
    from rhmodel.core.pilot.sessions import CLASSES, OPEN

    raw = report.records
    df = raw.drop(columns=[c for c in ("klass",) if c in raw.columns]).copy()
    tz = report.timezone or "UTC"
    df["start"] = pd.to_datetime(raw["start"].astype("int64"), unit="s", utc=True).dt.tz_convert(tz)
    end = raw["end"].astype("int64")
    df["end"] = pd.to_datetime(end.where(end != OPEN), unit="s", utc=True).dt.tz_convert(tz)
    # to_datetime gives ns; seconds are what the exports hold
    df["start"] = df["start"].astype(f"datetime64[s, {tz}]")
    df["end"] = df["end"].astype(f"datetime64[s, {tz}]")
    if "klass" in raw.columns:
        df["class"] = pd.Categorical(raw["klass"].astype(str), categories=list(CLASSES))
    for c in ("tool", "reason", "primary_reason", "session_type", "platform", "unattended"):
        if c in df.columns:
            df[c] = df[c].astype(str).astype("category")
    return df.reset_index(drop=True)


def pool_frame(report: Any) -> pd.DataFrame:
    """The pool to keep per incumbent tool: one row per tool (index ``tool``), the sizing's
    figures as columns (``recommended_licenses``, ``peak_concurrent_sessions``,
    ``erlang_b_servers``, ``daily_peak_p95`` and its interval as ``daily_peak_p95_low`` and
    ``_high``, ...; counts that may be missing as ``Int64``).

    Examples
    --------
    >>> from rhmodel.edges.paramfile import load_parameters
    >>> from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE
    >>> from rhmodel.edges.pilotfiles import pilot_report
    >>> report = pilot_report(load_parameters(SAMPLE_PARAMS_FILE))
    >>> pf = pool_frame(report)
    >>> pf.index.tolist() == list(report.tools)
    True
    >>> int(pf.loc["beyondtrust", "recommended_licenses"]) == (
    ...     report.tools["beyondtrust"].recommended_licenses)
    True
    """
    rows = []
    for name, t in report.tools.items():
        lo, hi = t.daily_peak_p95_interval
        pool = t.pool_interval or (None, None)
        rows.append(
            {
                "tool": name,
                "metric": t.metric,
                "unit": t.unit,
                "recommended_licenses": t.recommended_licenses,
                "sessions": t.sessions,
                "peak_concurrent_sessions": t.peak_concurrent_sessions,
                "peak_concurrent_technicians": t.peak_concurrent_technicians,
                "distinct_technicians": t.distinct_technicians,
                "daily_peak_max": t.daily_peak_max,
                "daily_peak_p95": float(t.daily_peak_p95),
                "daily_peak_p95_low": float(lo),
                "daily_peak_p95_high": float(hi),
                "busy_hour_erlangs": float(t.busy_hour_erlangs),
                "erlang_b_servers": t.erlang_b_servers,
                "erlang_b_blocking": float(t.erlang_b_blocking),
                "erlang_c_wait": float(t.erlang_c_wait),
                "empirical_blocking": float(t.empirical_blocking),
                "recommended_licenses_with_unexplained": t.recommended_licenses_with_unexplained,
                "license_usage_peak": t.license_usage_peak,
                "as_worked": t.as_worked,
                "specialist_team": t.specialist_team,
                "pool_low": pool[0],
                "pool_high": pool[1],
                "rule": t.rule,
            }
        )
    df = pd.DataFrame(rows)
    if df.empty:
        return df
    df = df.set_index("tool")
    for c in (
        "recommended_licenses_with_unexplained",
        "license_usage_peak",
        "as_worked",
        "specialist_team",
        "pool_low",
        "pool_high",
    ):
        df[c] = df[c].astype("Int64")
    df["metric"] = df["metric"].astype("category")
    return df
