"""Charts of the scenarios, as matplotlib Figures (no pyplot state, no display needed).

Examples
--------
>>> from rhmodel.paramfile import load_parameters
>>> from rhmodel.config import SAMPLE_PARAMS_FILE
>>> from rhmodel.datasets import load_capabilities
>>> from rhmodel.evaluation import evaluate
>>> e = evaluate(load_parameters(SAMPLE_PARAMS_FILE), load_capabilities(), draws=500)
>>> [len(f.axes) for f in (cumulative_savings_figure(e.analysis),
...                        tornado_figure(e.sensitivity), npv_distribution_figure(e.simulation))]
[1, 1, 1]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from rhmodel.formatting import number
from rhmodel.scenarios import Analysis
from rhmodel.uncertainty import Simulation, TornadoBar

__all__ = ["cumulative_savings_figure", "npv_distribution_figure", "tornado_figure"]

_COLOURS = {"status_quo": "#7f7f7f", "right_size": "#1f77b4", "cancel": "#2ca02c"}
_USD = FuncFormatter(lambda v, _pos: f"${v / 1000:,.0f}k" if abs(v) >= 1000 else f"${v:,.0f}")


def _note(fig: Figure, illustrative: bool) -> None:
    if illustrative:
        fig.text(0.01, 0.01, "Illustrative: uses figures that are not quoted facts.",
                 fontsize=8, color="#b00020")


def cumulative_savings_figure(analysis: Analysis, illustrative: bool | None = None) -> Figure:
    """Cumulative undiscounted savings per scenario against status quo, with payback points."""
    fig = Figure(figsize=(8, 4.5))
    ax = fig.add_subplot()
    sq = analysis.scenario("status_quo")
    months = np.arange(0, len(sq.monthly_cost) + 1)
    for i, s in enumerate(analysis.scenarios):
        if s.name == "status_quo":
            continue
        cum = np.concatenate([[0.0], s.cumulative_savings(sq)])
        style = "-" if s.viable else ":"
        label = s.name + ("" if s.viable else " (not viable)")
        ax.plot(months, cum, style, color=_COLOURS[s.name], label=label, linewidth=2)
        if s.payback_months is not None and s.viable:
            ax.plot([s.payback_months], [cum[s.payback_months]], "o", color=_COLOURS[s.name])
            ax.annotate(f"payback {s.payback_months} mo", (s.payback_months,
                                                          cum[s.payback_months]),
                        textcoords="offset points", xytext=(6, -12 * i), fontsize=8)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xlabel("Month")
    ax.set_ylabel("Cumulative savings (US$, undiscounted)")
    ax.set_title("Cumulative savings against status quo")
    ax.yaxis.set_major_formatter(_USD)
    ax.legend(loc="upper left")
    ax.grid(alpha=0.3)
    if illustrative is None:
        illustrative = bool(analysis.params.illustrative_inputs())
    _note(fig, illustrative)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig


def tornado_figure(bars: Sequence[TornadoBar], base_npv: float | None = None,
                   illustrative: bool = True) -> Figure:
    """Tornado: right_size NPV at each ranged input's low and high, widest swing on top."""
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
    ax.set_yticks(y, [f"{b.key}\n{number(b.low)} – {number(b.high)}" for b in order], fontsize=8)
    ax.axvline(centre, color="black", linewidth=0.8)
    ax.xaxis.set_major_formatter(_USD)
    ax.set_xlabel("right_size NPV (US$)")
    ax.set_title("Sensitivity of right_size NPV")
    ax.legend(loc="lower right", fontsize=8)
    _note(fig, illustrative)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig


def npv_distribution_figure(sim: Simulation, illustrative: bool = True) -> Figure:
    """Histogram of simulated NPV per scenario that changes anything, with P10/P50/P90."""
    fig = Figure(figsize=(8, 4.5))
    ax = fig.add_subplot()
    for name, values in sim.npv.items():
        if name == "status_quo":
            continue
        ax.hist(values, bins=60, alpha=0.5, color=_COLOURS[name],
                label=f"{name}: P(NPV > 0) = {sim.scenarios[name].p_npv_positive:.0%}")
        for q in ("npv_p10", "npv_p50", "npv_p90"):
            ax.axvline(getattr(sim.scenarios[name], q), color=_COLOURS[name], linewidth=0.8,
                       linestyle="--")
    ax.axvline(0, color="black", linewidth=0.8)
    ax.xaxis.set_major_formatter(_USD)
    ax.set_xlabel("NPV (US$); dashed: P10 / P50 / P90")
    ax.set_ylabel("draws")
    ax.set_title(f"NPV distribution ({sim.draws:,} draws, seed {sim.seed})")
    ax.legend(loc="upper left", fontsize=8)
    _note(fig, illustrative)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig
