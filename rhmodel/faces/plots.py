"""Charts of the scenarios, as matplotlib Figures (no pyplot state, no display needed).

Examples
--------
>>> from rhmodel.edges.paramfile import load_parameters
>>> from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE
>>> from rhmodel.edges.bundled import load_capabilities
>>> from rhmodel.core.money.evaluation import evaluate
>>> e = evaluate(load_parameters(SAMPLE_PARAMS_FILE), load_capabilities(), draws=500)
>>> [len(f.axes) for f in (cumulative_savings_figure(e.analysis),
...                        tornado_figure(e.sensitivity), npv_distribution_figure(e.simulation))]
[1, 1, 1]
>>> from rhmodel.edges.bundled import SAMPLE_PILOT_DIR
>>> from rhmodel.edges.pilotfiles import load_pilot
>>> r = load_pilot([SAMPLE_PILOT_DIR], load_capabilities(), timezone="Europe/London")
>>> [len(f.axes) for f in (concurrency_figure(r), daily_peaks_figure(r),
...                        time_at_or_above_figure(r))]
[1, 1, 1]
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Sequence
from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from rhmodel.core.labels import label
from rhmodel.core.money.evaluation import Evaluation
from rhmodel.core.money.scenarios import Analysis
from rhmodel.core.money.timing import add_months
from rhmodel.core.money.uncertainty import Simulation, TornadoBar
from rhmodel.core.pilot.evidence import PilotReport
from rhmodel.core.pilot.sessions import OPEN
from rhmodel.core.products import CONTRACTS, contract_for
from rhmodel.core.text import currency_prefix
from rhmodel.faces.formatting import number

__all__ = [
    "comparison_figure",
    "concurrency_figure",
    "cumulative_savings_figure",
    "daily_peaks_figure",
    "decision_figure",
    "npv_distribution_figure",
    "time_at_or_above_figure",
    "tornado_figure",
    "year_figure",
]

_COLOURS = {"status_quo": "#7f7f7f", "right_size": "#1f77b4", "cancel": "#2ca02c"}
#: A recommended plan that mixes actions.
_PLAN_COLOUR = "#9467bd"


def _colour(name: str) -> str:
    return _COLOURS.get(name, _PLAN_COLOUR)


_USD = FuncFormatter(lambda v, _pos: f"${v / 1000:,.0f}k" if abs(v) >= 1000 else f"${v:,.0f}")


def _note(fig: Figure, illustrative: bool) -> None:
    if illustrative:
        fig.text(
            0.01,
            0.01,
            "Illustrative: uses figures that are not quoted facts.",
            fontsize=8,
            color="#b00020",
        )


def _month_ends(start: dt.date, horizon: int) -> list[dt.date]:
    """The calendar day each month of the analysis ends on (month 0: the start)."""
    return [add_months(start, m) for m in range(horizon + 1)]


def _date_axis(ax: Any) -> None:
    ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=(1, 4, 7, 10)))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    for tick in ax.get_xticklabels():
        tick.set_fontsize(8)


def cumulative_savings_figure(analysis: Analysis, illustrative: bool | None = None) -> Figure:
    """Cumulative undiscounted savings per scenario against status quo, by calendar date, with
    each contract's first renewal marked and one payback label per scenario."""
    fig = Figure(figsize=(9, 4.2))
    ax = fig.add_subplot()
    sq = analysis.scenario("status_quo")
    p = analysis.params
    dates = _month_ends(p["start_date"], len(sq.monthly_cost))
    for s in analysis.scenarios:
        if s.name == "status_quo":
            continue
        cum = np.concatenate([[0.0], s.cumulative_savings(sq)])
        style = "-" if s.viable else ":"
        name = label(s.name) + ("" if s.viable else " (not viable)")
        if s.payback_months is not None and s.viable:
            name += f", payback {s.payback_months} months"
            ax.plot([dates[s.payback_months]], [cum[s.payback_months]], "o", color=_colour(s.name))
        ax.plot(dates, cum, style, color=_colour(s.name), label=name, linewidth=2)
    for c in CONTRACTS:
        if p[c.count_key]:
            renewal = add_months(p["start_date"], int(p[f"{c.name}.months_to_renewal"]))
            if renewal <= dates[-1]:
                ax.axvline(renewal, color="#555", linewidth=0.8, linestyle="--")
                ax.annotate(
                    f"{c.short} renewal",
                    (renewal, 1.0),
                    xycoords=("data", "axes fraction"),
                    rotation=90,
                    va="top",
                    ha="right",
                    fontsize=7,
                    color="#555",
                )
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_ylabel(f"Cumulative savings ({_cur(p)}, undiscounted)")
    ax.set_title("Cumulative savings against status quo (each change at its first renewal)")
    ax.yaxis.set_major_formatter(_money_axis(p))
    _date_axis(ax)
    ax.legend(loc="upper left", fontsize=8, framealpha=0.9)
    ax.grid(alpha=0.3)
    if illustrative is None:
        illustrative = bool(p.illustrative_inputs())
    _note(fig, illustrative)
    fig.subplots_adjust(left=0.1, right=0.98, top=0.9, bottom=0.16)
    return fig


def decision_figure(e: Evaluation) -> Figure:
    """Page 1's chart: the recommended plan's cumulative savings by calendar date, at the
    renewals it can make, with each notice deadline and renewal marked."""
    p = e.params
    plan = e.plan
    fig = Figure(figsize=(9, 3.2))
    ax = fig.add_subplot()
    if plan is None or not plan.monthly_savings:
        return cumulative_savings_figure(e.analysis)
    dates = _month_ends(p["start_date"], len(plan.monthly_savings))
    cum = np.concatenate([[0.0], np.cumsum(plan.monthly_savings)])
    ax.fill_between(dates, cum, 0, where=cum >= 0, color=_colour(plan.name), alpha=0.15)
    ax.plot(dates, cum, color=_colour(plan.name), linewidth=2.2, label=label(plan.name))
    marks = []
    for a in plan.actions:
        if a.action == "renew":
            continue
        short = contract_for(a.contract).short
        for day, style, what in ((a.notice_by, ":", "notice by"), (a.renewal_date, "--", "renews")):
            if day <= dates[-1]:
                marks.append((day, style, f"{short} {what} {day:%-d %b %Y}"))
    for i, (day, style, text) in enumerate(sorted(marks)):
        ax.axvline(day, color="#444", linewidth=0.9, linestyle=style)
        # staggered, horizontal labels: none overlaps another
        ax.annotate(
            text,
            (day, 0.96 - 0.1 * i),
            xycoords=("data", "axes fraction"),
            xytext=(3, 0),
            textcoords="offset points",
            va="top",
            fontsize=7,
            color="#444",
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1},
        )
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_title(
        f"{label(plan.name)}: {_cur(p)}{cum[-1]:,.0f} saved by {dates[-1]:%-d %b %Y} "
        "(undiscounted, at the renewals the plan can make)",
        fontsize=9,
    )
    ax.set_ylabel(f"Cumulative savings ({_cur(p)})")
    ax.yaxis.set_major_formatter(_money_axis(p))
    _date_axis(ax)
    ax.grid(alpha=0.3)
    _note(fig, bool(p.illustrative_inputs()))
    fig.subplots_adjust(left=0.1, right=0.98, top=0.9, bottom=0.2)
    return fig


def _cur(p: Any) -> str:
    return currency_prefix(p["currency"]).strip()


def _money_axis(p: Any) -> FuncFormatter:
    cur = currency_prefix(p["currency"])
    return FuncFormatter(
        lambda v, _pos: f"{cur}{v / 1000:,.0f}k" if abs(v) >= 1000 else f"{cur}{v:,.0f}"
    )


def tornado_figure(
    bars: Sequence[TornadoBar], base_npv: float | None = None, illustrative: bool = True
) -> Figure:
    """Tornado: the subject scenario's NPV at each ranged input's low and high, widest swing on
    top (the scenario is named by the bars)."""
    fig = Figure(figsize=(8, 0.5 * max(len(bars), 1) + 1.8))
    ax = fig.add_subplot()
    if not bars:
        ax.text(0.5, 0.5, "No ranged inputs", ha="center", va="center")
        ax.set_axis_off()
        return fig
    order = list(reversed(bars))
    y = np.arange(len(order))
    centre = base_npv if base_npv is not None else 0.0
    lows = [b.npv_low for b in order]
    highs = [b.npv_high for b in order]
    ax.barh(y, np.subtract(lows, centre), left=centre, color="#d62728", label="input at low")
    ax.barh(y, np.subtract(highs, centre), left=centre, color="#1f77b4", label="input at high")
    ax.set_yticks(
        y, ["\n".join(textwrap.wrap(f"{label(b.key)}: {_span(b)}", 34)) for b in order], fontsize=7
    )
    ax.axvline(centre, color="black", linewidth=0.8)
    ax.xaxis.set_major_formatter(_USD)
    subject = label(bars[0].scenario)
    ax.set_xlabel(f"{subject} NPV (centre line: the base case)")
    ax.set_title(f"What moves the {subject} NPV most")
    ax.legend(loc="lower right", fontsize=8)
    _note(fig, illustrative)
    fig.subplots_adjust(left=0.36, right=0.97, top=0.9, bottom=0.15)
    return fig


def _span(b: TornadoBar) -> str:
    """An input's range with its unit: ``US$29 – US$94 per agent-month``, ``0% – 8%``."""
    from rhmodel.core.params import spec

    unit = spec(b.key).unit
    if "fraction" in unit:
        return f"{b.low:.0%} – {b.high:.0%}"
    if unit.startswith("US$"):
        rest = unit[3:].strip()
        return f"US${number(b.low)} – US${number(b.high)}" + (f" {rest}" if rest else "")
    return f"{number(b.low)} – {number(b.high)} {unit}".strip()


def npv_distribution_figure(sim: Simulation, illustrative: bool = True) -> Figure:
    """Histogram of simulated NPV per scenario that changes anything, with P10/P50/P90."""
    fig = Figure(figsize=(8, 4.5))
    ax = fig.add_subplot()
    for name, values in sim.npv.items():
        if name == "status_quo":
            continue
        ax.hist(
            values,
            bins=60,
            alpha=0.5,
            color=_colour(name),
            histtype="stepfilled",
            label=f"{label(name)}: P(NPV > 0) = {sim.scenarios[name].p_npv_positive:.0%}",
        )
        for k, q in enumerate(("npv_p10", "npv_p50", "npv_p90")):
            x = getattr(sim.scenarios[name], q)
            ax.axvline(x, color=_colour(name), linewidth=0.8, linestyle="--")
            ax.annotate(
                q[4:].upper(),
                (x, 0.97 - 0.06 * k),
                xycoords=("data", "axes fraction"),
                xytext=(2, 0),
                textcoords="offset points",
                fontsize=7,
                color=_colour(name),
                va="top",
            )
    ax.axvline(0, color="black", linewidth=0.8)
    ax.xaxis.set_major_formatter(_USD)
    ax.set_xlabel("NPV; dashed and labelled: P10 / P50 / P90")
    ax.set_ylabel("draws")
    ax.set_title(f"NPV distribution ({sim.draws:,} draws, seed {sim.seed})")
    ax.legend(loc="upper right", fontsize=8)
    _note(fig, illustrative)
    fig.subplots_adjust(left=0.09, right=0.97, top=0.91, bottom=0.17)
    return fig


def comparison_figure(analysis: Analysis) -> Figure:
    """Cost over the horizon per scenario, stacked by component (each contract, Remote Help,
    one-off transition), with each bar's total."""
    fig = Figure(figsize=(9, 3.8))
    ax = fig.add_subplot()
    p = analysis.params
    names = [s.name for s in analysis.scenarios]
    parts = {
        **{c.name: (c.chart_label, c.colour) for c in CONTRACTS},
        "remote_help": ("Remote Help licences and administration", "#2ca02c"),
        "transition": ("One-off transition and pilot", "#ff7f0e"),
    }
    # a component no row above names is still drawn, so each bar's height is its total
    for s in analysis.scenarios:
        for key in s.components:
            parts.setdefault(key, (label(key), "#7f7f7f"))
    bottom = np.zeros(len(names))
    for key, (words, colour) in parts.items():
        values = np.array([sum(analysis.scenario(n).components.get(key, ())) for n in names])
        if not values.any():
            continue
        ax.barh(names, values, left=bottom, color=colour, label=words)
        bottom += values
    for i, total in enumerate(bottom):
        ax.annotate(
            f"{_cur(p)}{total:,.0f}",
            (total, i),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    ax.set_yticks(range(len(names)), [label(n) for n in names], fontsize=8)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(_money_axis(p))
    ax.set_xlim(0, max(bottom.max(), 1) * 1.18)
    ax.set_title(f"Cost over {p['horizon_months']} months by component (undiscounted)")
    ax.legend(loc="lower right", fontsize=7)
    _note(fig, bool(p.illustrative_inputs()))
    fig.subplots_adjust(left=0.26, right=0.98, top=0.9, bottom=0.16)
    return fig


def year_figure(analysis: Analysis, name: str) -> Figure:
    """The TEI year table of one scenario as bars: benefits up, costs down, net marked."""
    r = analysis.scenario(name)
    p = analysis.params
    fig = Figure(figsize=(9, 3.4))
    ax = fig.add_subplot()
    years = ["Initial", *(f"Year {y.year}" for y in r.by_year[1:])]
    benefits = np.array([y.benefits for y in r.by_year])
    costs = np.array([y.costs for y in r.by_year])
    x = np.arange(len(years))
    ax.bar(x, benefits, color="#2ca02c", label="benefits: incumbent spend avoided")
    ax.bar(x, -costs, color="#d62728", label="costs: new spend")
    ax.plot(x, benefits - costs, "D", color="black", label="net")
    for i, net in enumerate(benefits - costs):
        ax.annotate(
            f"{_cur(p)}{net:,.0f}", (i, net), xytext=(6, 0), textcoords="offset points", fontsize=7
        )
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(x, years)
    ax.yaxis.set_major_formatter(_money_axis(p))
    ax.set_title(f"{label(name)}: benefits and costs by year (TEI layout)")
    top = max(float(benefits.max()), 1.0)
    ax.set_ylim(min(-float(costs.max()) * 1.3, -top * 0.1), top * 1.45)  # room for the legend
    ax.legend(loc="upper left", fontsize=7, ncols=3)
    _note(fig, bool(p.illustrative_inputs()))
    fig.subplots_adjust(left=0.1, right=0.98, top=0.9, bottom=0.15)
    return fig


def concurrency_figure(report: PilotReport, max_points: int = 4000) -> Figure:
    """Residual sessions (and technicians, for concurrent licences) in use over the pilot, per
    tool."""
    fig = Figure(figsize=(9, 4.5))
    ax = fig.add_subplot()
    df = report.sessions
    complete = df[(df["end"] != OPEN) & df["residual"]]
    colours = {c.product: c.colour for c in CONTRACTS}
    for tool, sizing in report.tools.items():
        rows = complete[complete["tool"] == tool]
        if rows.empty:
            continue
        s = rows["start"].to_numpy(np.int64)
        e = rows["end"].to_numpy(np.int64)
        times = np.concatenate([s, e])
        steps = np.concatenate([np.ones(len(s)), -np.ones(len(e))])
        order = np.lexsort((steps, times))  # ends before starts at the same instant
        level = np.cumsum(steps[order])
        t = times[order]
        if len(t) > max_points:  # keep each stretch's maximum so peaks stay visible
            edges = np.linspace(t[0], t[-1], max_points + 1)
            bucket = np.clip(np.searchsorted(edges, t, side="right") - 1, 0, max_points - 1)
            peak = np.full(max_points, np.nan)
            np.fmax.at(peak, bucket, level)
            t, level = edges[:-1], np.nan_to_num(peak)
        when = pd.to_datetime(t, unit="s", utc=True).tz_convert(report.timezone)
        ax.step(
            when.tz_localize(None),
            level,
            where="post",
            color=colours[tool],
            label=f"{tool} sessions (peak {sizing.peak_concurrent_sessions}, keep "
            f"{sizing.recommended_licenses})",
            linewidth=0.8,
        )
    ax.set_ylabel("residual sessions in use")
    ax.set_title(f"Residual sessions in use over the pilot ({report.timezone})")
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    fig.subplots_adjust(left=0.08, right=0.98, top=0.91, bottom=0.2)
    return fig


def daily_peaks_figure(report: PilotReport) -> Figure:
    """Each day's peak of the licence metric per tool, business days solid, weekends pale."""
    fig = Figure(figsize=(9, 4))
    ax = fig.add_subplot()
    width = 0.4
    labels: list[str] = []  # stays empty for a pilot with no incumbent sessions
    for i, (tool, z) in enumerate(report.tools.items()):
        if z.daily is None or len(z.daily.days) == 0:
            continue
        x = np.arange(len(z.daily.days)) + (i - 0.5) * width
        base = ("#1f77b4", "#d62728")[i % 2]
        pale = ("#a6c8e6", "#efa3a3")[i % 2]  # weekends: the tool's colour, paler
        colours = np.where(z.daily.business, base, pale)
        ax.bar(
            x,
            z.daily.peaks,
            width=width,
            color=colours,
            label=f"{label(tool)} ({z.unit or z.metric.replace('_', ' ')}); "
            f"p95 {z.daily_peak_p95:.1f}",
        )
        ax.axhline(z.recommended_licenses, color=base, linestyle="--", linewidth=1)
        ax.annotate(
            f"{label(tool)} pool: {z.recommended_licenses}",
            (1.0, z.recommended_licenses),
            xycoords=("axes fraction", "data"),
            xytext=(-4, 3),
            textcoords="offset points",
            ha="right",
            fontsize=8,
            color=base,
        )
        labels = [d.strftime("%-d %b %Y") for d in z.daily.days]
    if not labels:
        ax.text(
            0.5,
            0.5,
            "No incumbent sessions in the pilot: no pool to size",
            ha="center",
            va="center",
            transform=ax.transAxes,
        )
    step = max(1, len(labels) // 12)
    ax.set_xticks(np.arange(0, len(labels), step), labels[::step], rotation=45, fontsize=8)
    ax.set_ylabel("daily peak in use")
    ax.set_title("Daily peaks per tool (pale: weekends; dashed: the pool recommended)")
    if labels:
        ax.legend(loc="upper left", fontsize=8)
        top = max(max(z.recommended_licenses for z in report.tools.values()), 1)
        ax.set_ylim(0, top * 1.6)  # room for the legend above the pool lines
    fig.subplots_adjust(left=0.08, right=0.98, top=0.9, bottom=0.2)
    return fig


def time_at_or_above_figure(report: PilotReport) -> Figure:
    """Share of the pilot with at least N in use, per tool (the licence metric's basis)."""
    fig = Figure(figsize=(7, 4))
    ax = fig.add_subplot()
    for tool, z in report.tools.items():
        share = np.asarray(z.time_at_or_above)
        ax.step(np.arange(len(share)), share, where="mid", label=tool)
        ax.axvline(z.recommended_licenses, linestyle="--", linewidth=0.8)
    ax.set_yscale("log")
    ax.set_xlabel("N in use")
    ax.set_ylabel("share of pilot time with >= N in use")
    ax.set_title("Time at or above N (dashed: pool recommended)")
    if report.tools:
        ax.legend(fontsize=8)
    ax.grid(alpha=0.3, which="both")
    fig.subplots_adjust(left=0.13, right=0.97, top=0.9, bottom=0.14)
    return fig
