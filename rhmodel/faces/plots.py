"""Charts of the scenarios, as matplotlib Figures (no pyplot state, no display needed).

Every chart is drawn for the width it is shown at, so its text prints at its true size: at
:data:`PRINT_WIDTH` (the A4 page inside the pack's margins) for the page and the PDF, at
:data:`PHONE_WIDTH` for a phone, where legends stack and fewer ticks are labelled. No text is
smaller than :data:`MIN_POINTS`; labels are plain text (a ``$`` is a dollar, never mathematics);
legends sit outside the data; what could collide in the plot (deadlines, percentiles, pools) is
said in the legend instead. :func:`svg` writes a chart with the same style it was built with.

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
>>> overlapping_texts(decision_figure(e, width=PHONE_WIDTH))
[]
>>> from rhmodel.edges.bundled import SAMPLE_PILOT_DIR
>>> from rhmodel.edges.pilotfiles import load_pilot
>>> r = load_pilot([SAMPLE_PILOT_DIR], load_capabilities(), timezone="Europe/London")
>>> [len(f.axes) for f in (concurrency_figure(r), daily_peaks_figure(r),
...                        time_at_or_above_figure(r))]
[1, 1, 1]
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import io
import textwrap
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import matplotlib
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, MaxNLocator

from rhmodel.core.labels import label
from rhmodel.core.money.evaluation import Evaluation
from rhmodel.core.money.scenarios import Analysis
from rhmodel.core.money.timing import add_months
from rhmodel.core.money.uncertainty import Simulation, TornadoBar
from rhmodel.core.pilot.evidence import PilotReport
from rhmodel.core.pilot.sessions import OPEN
from rhmodel.core.products import CONTRACTS, contract_for
from rhmodel.core.text import long_date, money_short, probability_text
from rhmodel.faces.formatting import money, number, rate, with_unit

__all__ = [
    "FONT_CSS",
    "MIN_POINTS",
    "PHONE_WIDTH",
    "PRINT_WIDTH",
    "comparison_figure",
    "concurrency_figure",
    "cumulative_savings_figure",
    "daily_peaks_figure",
    "decision_figure",
    "npv_distribution_figure",
    "overlapping_texts",
    "svg",
    "text_boxes",
    "time_at_or_above_figure",
    "tornado_figure",
    "year_figure",
]

#: Inches: A4 (210 mm) less the pack's 14 mm margins is 182 mm; a chart this wide prints 1:1.
PRINT_WIDTH = 7.1
#: Inches: a 390 px phone less the page's padding (360 CSS px at 96 px per inch).
PHONE_WIDTH = 3.75
#: No chart text is smaller than this, in points, at the width it is drawn for.
MIN_POINTS = 8.0
#: The page's font family, for the memo's and the explorer's CSS: the charts use the same list.
FONT_CSS = 'Arial, "Liberation Sans", Helvetica, sans-serif'

_STYLE = {
    # a label is text: "US$29 – US$94" must not become mathematics between the dollar signs
    "text.parse_math": False,
    "font.family": "sans-serif",
    "font.sans-serif": ["Arial", "Liberation Sans", "Helvetica", "DejaVu Sans"],
    "font.size": 9,
    "axes.titlesize": 9,
    "axes.labelsize": 8.5,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "legend.title_fontsize": 8,
    "figure.titlesize": 10,
    "figure.titleweight": "bold",
    "axes.titleweight": "normal",
    "axes.spines.top": False,
    "axes.spines.right": False,
    # text stays text in the SVG (searchable in the PDF, drawn in the page's font)
    "svg.fonttype": "none",
    "svg.hashsalt": "rhmodel",
}

_COLOURS = {"status_quo": "#6b6b6b", "right_size": "#1f77b4", "cancel": "#2ca02c"}
#: A recommended plan that mixes actions.
_PLAN_COLOUR = "#9467bd"
#: A scenario that is not viable: drawn grey, apart from the viable ones.
_GREY = "#9a9a9a"
_RED = "#b00020"

F = TypeVar("F", bound=Callable[..., Figure])


@functools.cache
def _register_page_fonts() -> None:
    """Make the page's font known to matplotlib when its font list predates the font's
    installation (a stale cache would measure the charts in a fallback font the page does not
    use). Only Arial and Liberation Sans files are added; nothing is written."""
    from matplotlib import font_manager

    known = {f.name for f in font_manager.fontManager.ttflist}
    if known & {"Arial", "Liberation Sans"}:
        return
    for path in font_manager.findSystemFonts():
        name = path.rsplit("/", 1)[-1]
        if name.startswith(("LiberationSans-", "Arial")):
            with contextlib.suppress(OSError, RuntimeError, ValueError):
                font_manager.fontManager.addfont(path)


@contextmanager
def _styled() -> Iterator[None]:
    _register_page_fonts()
    with matplotlib.rc_context(_STYLE):
        yield


def _chart(builder: F) -> F:
    """Build the figure in the charts' style (fonts, plain-text labels)."""

    @functools.wraps(builder)
    def build(*args: Any, **kwargs: Any) -> Figure:
        with _styled():
            fig = builder(*args, **kwargs)
            for t in fig.findobj(Text):
                t.set_parse_math(False)
            return fig

    return build  # type: ignore[return-value]


def svg(fig: Figure) -> bytes:
    """``fig`` as standalone SVG, drawn in the charts' style (tick labels are made at draw
    time, so the style must hold then too)."""
    buf = io.BytesIO()
    with _styled():
        for t in fig.findobj(Text):
            t.set_parse_math(False)
        fig.savefig(buf, format="svg")
    return buf.getvalue()


def text_boxes(fig: Figure) -> list[tuple[str, float, Any]]:
    """Every text of ``fig`` as drawn: its words, size in points and box (display
    coordinates), for the tests that no text collides, runs off or is too small. Tick labels
    count only where the axis draws them (inside its view)."""
    with _styled():
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        # at 72 dots per inch, as the SVG is laid out (one point, one dot)
        fig.set_dpi(72)
        renderer = FigureCanvasAgg(fig).get_renderer()
        fig.draw(renderer)
        ticks: set[int] = set()
        drawn: set[int] = set()
        for ax in fig.axes:
            for axis in (ax.xaxis, ax.yaxis):
                for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                    ticks.update({id(tick.label1), id(tick.label2)})
                for tick in axis._update_ticks():  # the ticks the axis draws
                    drawn.update({id(tick.label1), id(tick.label2)})
        out = []
        for t in fig.findobj(Text):
            if not t.get_visible() or not t.get_text().strip():
                continue
            if id(t) in ticks and id(t) not in drawn:
                continue
            out.append((t.get_text(), float(t.get_fontsize()), t.get_window_extent(renderer)))
        return out


def overlapping_texts(fig: Figure, tolerance: float = 0.5) -> list[tuple[str, str]]:
    """Pairs of texts of ``fig`` whose drawn boxes overlap by more than ``tolerance`` pixels
    each way, and texts that run off the figure (paired with ``"<edge>"``)."""
    boxes = text_boxes(fig)
    frame = fig.bbox
    clashes = []
    for i, (a, _s, box) in enumerate(boxes):
        if (
            box.x0 < frame.x0 - tolerance
            or box.y0 < frame.y0 - tolerance
            or box.x1 > frame.x1 + tolerance
            or box.y1 > frame.y1 + tolerance
        ):
            clashes.append((a, "<edge>"))
        for b, _t, other in boxes[i + 1 :]:
            w = min(box.x1, other.x1) - max(box.x0, other.x0)
            h = min(box.y1, other.y1) - max(box.y0, other.y0)
            if w > tolerance and h > tolerance:
                clashes.append((a, b))
    return clashes


def _colour(name: str) -> str:
    return _COLOURS.get(name, _PLAN_COLOUR)


def _phone(width: float) -> bool:
    return width < 5


def _wrap(text: str, width: float, points: float = 9.0, share: float = 0.95) -> str:
    """``text`` wrapped to fit ``share`` of a ``width``-inch figure at ``points`` (bold)."""
    chars = max(12, int(share * width * 72 / (points * 0.56)))
    return "\n".join(textwrap.wrap(text, chars)) or text


def _figure(width: float, height: float) -> Figure:
    # constrained layout: titles, axis labels and outside legends are never clipped; the pad
    # keeps a tick label centred on the plot's edge inside the figure in any renderer's metrics
    fig = Figure(figsize=(width, height), layout="constrained")
    fig.get_layout_engine().set(w_pad=10 / 72, h_pad=4 / 72)
    return fig


def _titles(
    fig: Figure, ax: Any, title: str, width: float, illustrative: bool, inline: bool = False
) -> None:
    """The chart's message as its title (left, wrapped to the width) and, for a chart of
    figures that are not all quoted facts, the illustrative line under it (``inline``: in the
    title itself, where the page has no line to spare)."""
    if illustrative and inline:
        title += " — illustrative figures"
    fig.suptitle(_wrap(title, width, 10), x=0.01, ha="left")
    if illustrative and not inline:
        # over the plot, from its left edge: wrapped to the plot's width, clear of its ticks
        ax.set_title(
            _wrap("Illustrative: uses figures that are not quoted facts.", width, 8, 0.7),
            loc="left",
            fontsize=8,
            color=_RED,
            pad=9,
        )


def _legend(fig: Figure, ax: Any, width: float, ncols: int = 2, **kw: Any) -> None:
    """The legend below the plot, outside the data (one column on a phone)."""
    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return
    cols = 1 if _phone(width) else min(ncols, len(handles))
    chars = int((0.95 * width / cols) * 72 / (8 * 0.5)) - 5
    labels = ["\n".join(textwrap.wrap(x, max(chars, 16))) for x in labels]
    fig.legend(handles, labels, loc="outside lower left", ncols=cols, frameon=False, **kw)


def _money_axis(currency: str) -> FuncFormatter:
    return FuncFormatter(lambda v, _pos: money_short(v, currency))


def _month_ends(start: dt.date, horizon: int) -> list[dt.date]:
    """The calendar day each month of the analysis ends on (month 0: the start)."""
    return [add_months(start, m) for m in range(horizon + 1)]


def _date_axis(ax: Any, width: float) -> None:
    months = (1,) if _phone(width) else (1, 7)
    ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=months))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    if not _phone(width):
        return
    for tick in ax.get_xticklabels():
        tick.set_rotation(45)
        tick.set_horizontalalignment("right")


def _short_date(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


@_chart
def cumulative_savings_figure(
    analysis: Analysis, illustrative: bool | None = None, width: float = PRINT_WIDTH
) -> Figure:
    """Cumulative undiscounted savings per scenario against status quo, by calendar date, with
    each contract's first renewal marked; a scenario that is not viable is grey and dotted."""
    phone = _phone(width)
    fig = _figure(width, 4.8 if phone else 3.7)
    ax = fig.add_subplot()
    sq = analysis.scenario("status_quo")
    p = analysis.params
    cur = p["currency"]
    dates = _month_ends(p["start_date"], len(sq.monthly_cost))
    for s in analysis.scenarios:
        if s.name == "status_quo":
            continue
        cum = np.concatenate([[0.0], s.cumulative_savings(sq)])
        name = label(s.name)
        if not s.viable:
            ax.plot(dates, cum, ":", color=_GREY, label=f"{name} (not viable)", linewidth=1.5)
            continue
        if s.payback_months is not None:
            name += f", pays back in {s.payback_months} months"
            ax.plot([dates[s.payback_months]], [cum[s.payback_months]], "o", color=_colour(s.name))
        ax.plot(dates, cum, "-", color=_colour(s.name), label=name, linewidth=2)
    for c in CONTRACTS:
        if p[c.count_key]:
            renewal = add_months(p["start_date"], int(p[f"{c.name}.months_to_renewal"]))
            if renewal <= dates[-1]:
                ax.axvline(
                    renewal,
                    color=c.colour,
                    linewidth=0.9,
                    linestyle="--",
                    label=f"{c.short} first renewal, {_short_date(renewal)}",
                )
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_ylabel(f"Cumulative savings ({cur}, undiscounted)")
    ax.yaxis.set_major_formatter(_money_axis(cur))
    ax.yaxis.set_major_locator(MaxNLocator(5 if phone else 7))
    _date_axis(ax, width)
    ax.grid(alpha=0.3)
    if illustrative is None:
        illustrative = bool(p.illustrative_inputs())
    _titles(
        fig,
        ax,
        "Cumulative savings against status quo, each change at its first renewal",
        width,
        illustrative,
    )
    _legend(fig, ax, width)
    return fig


@_chart
def decision_figure(e: Evaluation, width: float = PRINT_WIDTH) -> Figure:
    """Page 1's chart: the recommended plan's cumulative savings by calendar date, at the
    renewals it can make, with each notice deadline (dotted) and renewal (dashed) marked in the
    contract's colour and named in the legend."""
    p = e.params
    plan = e.plan
    if plan is None or not plan.monthly_savings:
        return cumulative_savings_figure(e.analysis, width=width)
    phone = _phone(width)
    fig = _figure(width, 4.4 if phone else 2.0)
    ax = fig.add_subplot()
    cur = p["currency"]
    dates = _month_ends(p["start_date"], len(plan.monthly_savings))
    cum = np.concatenate([[0.0], np.cumsum(plan.monthly_savings)])
    ax.fill_between(dates, cum, 0, where=cum >= 0, color=_colour(plan.name), alpha=0.15)
    ax.plot(dates, cum, color=_colour(plan.name), linewidth=2.2, label="Cumulative savings")
    marks = []
    for a in plan.actions:
        if a.action == "renew":
            continue
        con = contract_for(a.contract)
        for day, style, what in ((a.notice_by, ":", "notice"), (a.renewal_date, "--", "renews")):
            if day <= dates[-1]:
                marks.append((day, style, con.colour, f"{con.short} {what} {_short_date(day)}"))
    # the legend says which line is which, in date order: no label sits on a line
    for day, style, colour, text in sorted(marks):
        ax.axvline(day, color=colour, linewidth=1.1, linestyle=style, label=text)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_ylabel(f"Saved ({cur})")
    ax.yaxis.set_major_formatter(_money_axis(cur))
    ax.yaxis.set_major_locator(MaxNLocator(4))
    _date_axis(ax, width)
    ax.grid(alpha=0.3)
    _titles(
        fig,
        ax,
        f"{label(plan.name)}: {money(cum[-1], cur)} saved by {long_date(dates[-1])} (undiscounted)",
        width,
        bool(p.illustrative_inputs()),
        inline=not phone,
    )
    _legend(fig, ax, width, ncols=3)
    return fig


def _span(b: TornadoBar, currency: str) -> str:
    """An input's range with its unit: ``€29–94 per agent per month``, ``0%–8%``."""
    from rhmodel.core.params import spec

    unit = spec(b.key).unit
    if "fraction" in unit:
        return f"{rate(b.low)}–{rate(b.high)}"
    return with_unit(unit, f"{number(b.low)}–{number(b.high)}", currency)


@_chart
def tornado_figure(
    bars: Sequence[TornadoBar],
    base_npv: float | None = None,
    illustrative: bool = True,
    currency: str = "USD",
    width: float = PRINT_WIDTH,
) -> Figure:
    """Tornado: the subject scenario's NPV at each ranged input's low and high, widest swing on
    top (the scenario is named in the title)."""
    phone = _phone(width)
    fig = _figure(width, (0.62 if phone else 0.42) * max(len(bars), 1) + 2.0)
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
    ax.barh(y, np.subtract(lows, centre), left=centre, color="#c9302c", label="input at its low")
    ax.barh(y, np.subtract(highs, centre), left=centre, color="#1f77b4", label="input at its high")
    chars = 24 if phone else 40
    ax.set_yticks(
        y, ["\n".join(textwrap.wrap(f"{label(b.key)}: {_span(b, currency)}", chars)) for b in order]
    )
    ax.axvline(centre, color="black", linewidth=0.8, label=f"base case {money(centre, currency)}")
    ax.xaxis.set_major_formatter(_money_axis(currency))
    ax.xaxis.set_major_locator(MaxNLocator(4 if phone else 6))
    subject = label(bars[0].scenario)
    ax.set_xlabel(f"{subject} NPV ({currency})")
    _titles(fig, ax, f"What moves the {subject} NPV most", width, illustrative)
    _legend(fig, ax, width, ncols=3)
    return fig


def _constant(values: np.ndarray) -> bool:
    """Whether every draw gives the same NPV, to within a currency unit (a histogram of it
    would have bins narrower than floating-point noise)."""
    return bool(values.size == 0 or np.ptp(values) < 1.0)


@_chart
def npv_distribution_figure(
    sim: Simulation,
    illustrative: bool = True,
    currency: str = "USD",
    not_viable: Collection[str] = (),
    width: float = PRINT_WIDTH,
) -> Figure:
    """Histogram of simulated NPV per viable scenario that changes anything, its P10, median
    and P90 marked and given in the legend. Scenarios that are not viable have no NPV here:
    they are named under the chart. A scenario whose NPV does not vary is one bar."""
    phone = _phone(width)
    fig = _figure(width, 4.8 if phone else 3.6)
    ax = fig.add_subplot()
    shown = [n for n in sim.npv if n != "status_quo" and n not in not_viable]
    styles = {"npv_p10": ":", "npv_p50": "--", "npv_p90": ":"}
    for name in shown:
        values = np.asarray(sim.npv[name], dtype=float)
        r = sim.scenarios[name]
        colour = _colour(name)
        words = (
            f"{label(name)}: NPV > 0 in {probability_text(r.p_npv_positive, sim.draws)} of draws;"
            f" P10 {money_short(r.npv_p10, currency)}, median {money_short(r.npv_p50, currency)},"
            f" P90 {money_short(r.npv_p90, currency)}"
        )
        if _constant(values):
            v = float(values[0]) if values.size else 0.0
            half = max(abs(v) * 0.01, 1.0)
            ax.bar([v], [values.size], width=2 * half, color=colour, alpha=0.6, label=words)
            words = f"{label(name)}: every draw gives {money(v, currency)}"
            ax.containers[-1].set_label(words)
            continue
        ax.hist(values, bins=50, alpha=0.5, color=colour, histtype="stepfilled", label=words)
        for q, style in styles.items():
            ax.axvline(getattr(r, q), color=colour, linewidth=1.0, linestyle=style)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.xaxis.set_major_formatter(_money_axis(currency))
    ax.xaxis.set_major_locator(MaxNLocator(4 if phone else 7))
    ax.set_xlabel(
        _wrap(f"NPV ({currency}); lines: P10 and P90 dotted, median dashed", width, 8.5, 0.7)
    )
    ax.set_ylabel("draws")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}"))
    if not shown:
        ax.text(
            0.5,
            0.5,
            "No viable scenario changes anything",
            ha="center",
            va="center",
            transform=ax.transAxes,
        )
    _titles(
        fig,
        ax,
        f"Simulated NPV ({sim.draws:,} draws of every ranged input together)",
        width,
        illustrative,
    )
    hidden = [label(n) for n in sim.npv if n in not_viable and n != "status_quo"]
    if hidden:
        # not viable: kept out of the distribution, said in a line of its own
        ax.plot([], [], " ", label="Not viable, so not drawn: " + ", ".join(hidden))
    _legend(fig, ax, width, ncols=1)
    return fig


@_chart
def comparison_figure(analysis: Analysis, width: float = PRINT_WIDTH) -> Figure:
    """Cost over the horizon per scenario, stacked by component (each contract, Remote Help,
    one-off transition), with each bar's total; a scenario that is not viable is paler and
    says so."""
    phone = _phone(width)
    p = analysis.params
    cur = p["currency"]
    names = [s.name for s in analysis.scenarios]
    fig = _figure(width, 0.5 * len(names) + (3.0 if phone else 1.9))
    ax = fig.add_subplot()
    parts = {
        **{c.name: (c.chart_label, c.colour) for c in CONTRACTS},
        "remote_help": ("Remote Help licences and administration", "#2ca02c"),
        "transition": ("One-off transition and pilot", "#ff7f0e"),
    }
    # a component no row above names is still drawn, so each bar's height is its total
    for s in analysis.scenarios:
        for key in s.components:
            parts.setdefault(key, (label(key), "#7f7f7f"))
    viable = np.array([analysis.scenario(n).viable for n in names])
    bottom = np.zeros(len(names))
    for key, (words, colour) in parts.items():
        values = np.array([sum(analysis.scenario(n).components.get(key, ())) for n in names])
        if not values.any():
            continue
        bars = ax.barh(range(len(names)), values, left=bottom, color=colour, label=words)
        for bar, ok in zip(bars, viable, strict=True):
            if not ok:
                bar.set_alpha(0.35)
        bottom += values
    for i, total in enumerate(bottom):
        ax.annotate(
            money_short(total, cur) if phone else money(total, cur),
            (total, i),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
            color="#1b1b1b" if viable[i] else "#555555",
        )
    ticks = [
        "\n".join(textwrap.wrap(label(n) + ("" if ok else " (not viable)"), 18 if phone else 30))
        for n, ok in zip(names, viable, strict=True)
    ]
    ax.set_yticks(range(len(names)), ticks)
    for tick, ok in zip(ax.get_yticklabels(), viable, strict=True):
        if not ok:
            tick.set_color("#555555")
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(_money_axis(cur))
    ax.xaxis.set_major_locator(MaxNLocator(3 if phone else 6))
    ax.set_xlim(0, max(bottom.max(), 1) * (1.35 if phone else 1.22))
    _titles(
        fig,
        ax,
        f"Cost over {p['horizon_months']} months by component (undiscounted, {cur})",
        width,
        bool(p.illustrative_inputs()),
    )
    _legend(fig, ax, width)
    return fig


@_chart
def year_figure(analysis: Analysis, name: str, width: float = PRINT_WIDTH) -> Figure:
    """The TEI year table of one scenario as bars: benefits up, costs down, net marked."""
    phone = _phone(width)
    r = analysis.scenario(name)
    p = analysis.params
    cur = p["currency"]
    fig = _figure(width, 4.2 if phone else 3.3)
    ax = fig.add_subplot()
    years = ["Initial", *(f"Year {y.year}" for y in r.by_year[1:])]
    benefits = np.array([y.benefits for y in r.by_year])
    costs = np.array([y.costs for y in r.by_year])
    x = np.arange(len(years))
    ax.bar(x, benefits, color="#2ca02c", label="Benefits: incumbent spend avoided")
    ax.bar(x, -costs, color="#c9302c", label="Costs: new spend")
    net = benefits - costs
    ax.plot(x, net, "D", color="black", label="Net (value above or below each bar)")
    top = max(float(benefits.max()), 1.0)
    low = min(-float(costs.max()), 0.0)
    span = top - low
    for i, v in enumerate(net):
        # above the benefit bar or below the cost bar: never on a bar's edge
        y, va = (
            (benefits[i] + 0.04 * span, "bottom") if v >= 0 else (-costs[i] - 0.04 * span, "top")
        )
        ax.annotate(money_short(v, cur), (i, y), ha="center", va=va, fontsize=8)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(x, years)
    ax.yaxis.set_major_formatter(_money_axis(cur))
    ax.yaxis.set_major_locator(MaxNLocator(5))
    ax.set_ylim(low - 0.2 * span, top + 0.2 * span)
    _titles(
        fig,
        ax,
        f"{label(name)}: benefits and costs by year ({cur}, TEI layout)",
        width,
        bool(p.illustrative_inputs()),
    )
    _legend(fig, ax, width, ncols=3)
    return fig


@_chart
def concurrency_figure(
    report: PilotReport, max_points: int = 4000, width: float = PRINT_WIDTH
) -> Figure:
    """Residual sessions in use over the pilot, per tool."""
    phone = _phone(width)
    fig = _figure(width, 4.4 if phone else 3.4)
    ax = fig.add_subplot()
    df = report.records
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
            color=colours.get(tool, "#7f7f7f"),
            label=f"{label(tool)} sessions (peak {sizing.peak_concurrent_sessions}, keep "
            f"{sizing.recommended_licenses})",
            linewidth=0.8,
        )
    ax.set_ylabel("residual sessions in use")
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(maxticks=4 if phone else 8))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%-d %b"))
    ax.grid(alpha=0.3)
    _titles(fig, ax, f"Residual sessions in use over the pilot ({report.timezone})", width, False)
    _legend(fig, ax, width)
    return fig


@_chart
def daily_peaks_figure(report: PilotReport, width: float = PRINT_WIDTH) -> Figure:
    """Each day's peak of the licence metric per tool, business days solid, weekends pale,
    the pool recommended dashed (its size in the legend)."""
    phone = _phone(width)
    fig = _figure(width, 4.6 if phone else 3.5)
    ax = fig.add_subplot()
    bar = 0.4
    labels: list[str] = []  # stays empty for a pilot with no incumbent sessions
    for i, (tool, z) in enumerate(report.tools.items()):
        if z.daily is None or len(z.daily.days) == 0:
            continue
        x = np.arange(len(z.daily.days)) + (i - 0.5) * bar
        base = ("#1f77b4", "#c9302c")[i % 2]
        pale = ("#a6c8e6", "#efa3a3")[i % 2]  # weekends: the tool's colour, paler
        colours = np.where(z.daily.business, base, pale)
        ax.bar(
            x,
            z.daily.peaks,
            width=bar,
            color=colours,
            label=f"{label(tool)} daily peak ({z.unit or z.metric.replace('_', ' ')}); "
            f"95th percentile {z.daily_peak_p95:.1f}",
        )
        ax.axhline(
            z.recommended_licenses,
            color=base,
            linestyle="--",
            linewidth=1,
            label=f"{label(tool)} pool recommended: {z.recommended_licenses}",
        )
        labels = [f"{d.day} {d:%b}" for d in z.daily.days]
    if not labels:
        ax.text(
            0.5,
            0.5,
            "No incumbent sessions in the pilot: no pool to size",
            ha="center",
            va="center",
            transform=ax.transAxes,
        )
    step = max(1, len(labels) // (6 if phone else 12))
    ax.set_xticks(np.arange(0, len(labels), step), labels[::step], rotation=45, ha="right")
    ax.set_ylabel("daily peak in use")
    if labels:
        top = max(max(z.recommended_licenses for z in report.tools.values()), 1)
        peak = max((max(z.daily.peaks) for z in report.tools.values() if z.daily), default=0)
        ax.set_ylim(0, max(top, peak) * 1.15)
    _titles(
        fig, ax, "Daily peaks per tool (pale: weekends; dashed: the pool recommended)", width, False
    )
    _legend(fig, ax, width)
    return fig


@_chart
def time_at_or_above_figure(report: PilotReport, width: float = PRINT_WIDTH) -> Figure:
    """Share of the pilot with at least N in use, per tool (the licence metric's basis)."""
    phone = _phone(width)
    fig = _figure(width, 4.2 if phone else 3.2)
    ax = fig.add_subplot()
    colours = {c.product: c.colour for c in CONTRACTS}
    for tool, z in report.tools.items():
        share = np.asarray(z.time_at_or_above)
        colour = colours.get(tool, "#7f7f7f")
        ax.step(np.arange(len(share)), share, where="mid", color=colour, label=label(tool))
        ax.axvline(
            z.recommended_licenses,
            linestyle="--",
            linewidth=0.8,
            color=colour,
            label=f"{label(tool)} pool recommended: {z.recommended_licenses}",
        )
    ax.set_yscale("log")
    # plain text, not the log formatter's mathematics: "1%", "0.01%"
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{100 * v:.4g}%"))
    ax.yaxis.set_minor_formatter(FuncFormatter(lambda _v, _pos: ""))
    ax.set_xlabel("N in use")
    ax.set_ylabel("share of pilot time, N or more")
    ax.grid(alpha=0.3, which="both")
    _titles(fig, ax, "Time at or above N (dashed: the pool recommended)", width, False)
    _legend(fig, ax, width)
    return fig
