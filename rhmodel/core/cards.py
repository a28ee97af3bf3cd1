"""Short ``repr`` lines and HTML summary cards for the results a notebook shows.

A dataclass's generated repr of an evaluation runs to tens of thousands of characters; these
say the name, the headline figure and the counts in one line, and Jupyter shows the HTML card
(``_repr_html_``) instead. Every text in a card is escaped: names and notes from a parameters
file or an export never become live HTML. The money figures rest on inputs the file marks
illustrative, and the card says so.

Examples
--------
>>> from rhmodel.edges.paramfile import load_parameters
>>> from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE, load_capabilities
>>> from rhmodel.core.money.evaluation import evaluate
>>> e = evaluate(load_parameters(SAMPLE_PARAMS_FILE), load_capabilities())
>>> print(evaluation_repr(e))  # doctest: +NORMALIZE_WHITESPACE +ELLIPSIS
<Evaluation sample.yaml: recommended right_size, NPV US$... over 36 months (illustrative);
 verdict right_size; 3 scenarios, ... plans weighed, ... ranged inputs, no simulation>
>>> len(evaluation_repr(e)) < 300, "<table" in evaluation_html(e)
(True, True)
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from rhmodel.core.text import currency_prefix

__all__ = [
    "analysis_html",
    "analysis_repr",
    "evaluation_html",
    "evaluation_repr",
    "pilot_html",
    "pilot_repr",
]


def _money(params: Any, value: float | None) -> str:
    if value is None:
        return "—"
    return f"{currency_prefix(params['currency'])}{value:,.0f}"


def _file(params: Any) -> str:
    return Path(str(params.file)).name if getattr(params, "file", None) else "parameters"


def _label(params: Any) -> str:
    return " (illustrative)" if params.illustrative_inputs() else ""


def _card(title: str, rows: list[tuple[str, str]], note: str = "") -> str:
    """A small two-column table; every cell escaped."""
    esc = html.escape
    body = "".join(
        f"<tr><th style='text-align:left;padding-right:1em'>{esc(k)}</th>"
        f"<td style='text-align:left'>{esc(v)}</td></tr>"
        for k, v in rows
    )
    foot = f"<p style='font-size:smaller'>{esc(note)}</p>" if note else ""
    return f"<div><strong>{esc(title)}</strong><table>{body}</table>{foot}</div>"


def analysis_repr(a: Any) -> str:
    """One line: the file, the recommendation and its NPV, the verdict, the counts."""
    p = a.params
    npv = _headline_npv(a)
    return (
        f"<Analysis {_file(p)}: recommended {a.recommended}, NPV {_money(p, npv)} over "
        f"{p['horizon_months']} months{_label(p)}; verdict {a.decision.verdict}; "
        f"{len(a.scenarios)} scenarios, {len(a.options)} plans weighed>"
    )


def analysis_html(a: Any) -> str:
    """The analysis as a summary card: one row per scenario shown, NPV and payback."""
    p = a.params
    rows = [("Recommended", a.recommended), ("Verdict", a.decision.verdict)]
    if a.decision.keep_for:
        rows.append(("Keep a pool for", ", ".join(a.decision.keep_for)))
    for s in a.scenarios:
        pay = "never" if s.payback_months is None else f"{s.payback_months} months"
        if s.name == "status_quo":
            pay = "—"
        viable = "" if s.viable else " (not viable)"
        rows.append((s.name, f"NPV {_money(p, s.npv)}, payback {pay}{viable}"))
    note = f"{len(a.options)} plans weighed; horizon {p['horizon_months']} months. " + (
        "Figures rest on illustrative inputs." if p.illustrative_inputs() else ""
    )
    return _card(f"Analysis of {_file(p)}", rows, note.strip())


def _headline_npv(a: Any) -> float | None:
    """The recommended plan's NPV as the headline states it: at the timing it can be carried
    out when the analysis has that (``plan_result``), else at first renewal."""
    plan = getattr(a, "plan_result", None)
    if plan is not None:
        return plan.npv
    best = next((s for s in a.scenarios if s.name == a.recommended), None)
    return best.npv if best is not None else a.option_npv.get(a.recommended)


def evaluation_repr(e: Any) -> str:
    """One line: the file, the recommendation and its NPV, the verdict, the counts."""
    a, p = e.analysis, e.params
    npv = e.plan.npv if e.plan is not None else _headline_npv(a)
    sim = f"simulation of {e.simulation.draws:,} draws" if e.simulation else "no simulation"
    return (
        f"<Evaluation {_file(p)}: recommended {a.recommended}, NPV {_money(p, npv)} over "
        f"{p['horizon_months']} months{_label(p)}; verdict {a.decision.verdict}; "
        f"{len(a.scenarios)} scenarios, {len(a.options)} plans weighed, "
        f"{len(e.sensitivity)} ranged inputs, {sim}>"
    )


def evaluation_html(e: Any) -> str:
    """The evaluation as a summary card: the analysis's rows plus the plan's headline, the
    simulation's P(NPV > 0) and where to find the tables."""
    a, p = e.analysis, e.params
    rows = [("Recommended", a.recommended), ("Verdict", a.decision.verdict)]
    if e.plan is not None:
        rows.append(("Plan", e.plan.headline))
    for s in a.scenarios:
        pay = "never" if s.payback_months is None else f"{s.payback_months} months"
        if s.name == "status_quo":
            pay = "—"
        viable = "" if s.viable else " (not viable)"
        rows.append((s.name, f"NPV {_money(p, s.npv)}, payback {pay}{viable}"))
    if e.simulation is not None:
        sub = a.subject
        stats = e.simulation.scenarios.get(sub)
        if stats is not None:
            rows.append(
                (
                    "Simulation",
                    f"{e.simulation.draws:,} draws: P(NPV > 0) for {sub} "
                    f"{stats.p_npv_positive:.0%}, P10–P90 {_money(p, stats.npv_p10)} to "
                    f"{_money(p, stats.npv_p90)}",
                )
            )
    note = (
        "Tables: scenarios_frame(), cash_flows(), by_year_frame(), sensitivity_frame(), "
        "simulation_frame(). "
        + (
            f"{len(p.illustrative_inputs())} inputs are illustrative, not quoted facts."
            if p.illustrative_inputs()
            else ""
        )
    )
    return _card(f"Evaluation of {_file(p)}", rows, note.strip())


def pilot_repr(r: Any) -> str:
    """One line: sessions, the residual share, the time zone and the pool per tool.

    Examples
    --------
    >>> from rhmodel.edges.paramfile import load_parameters
    >>> from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE
    >>> from rhmodel.edges.pilotfiles import pilot_report
    >>> r = pilot_report(load_parameters(SAMPLE_PARAMS_FILE))
    >>> line = pilot_repr(r)
    >>> line.startswith(f"<PilotReport: {r.sessions_total:,} sessions"), len(line) < 300
    (True, True)
    """
    pools = ", ".join(f"{k} {t.recommended_licenses}" for k, t in r.tools.items()) or "none"
    return (
        f"<PilotReport: {r.sessions_total:,} sessions from {len(r.files)} exports "
        f"({r.timezone}); residual {r.residual_sessions:,} ({r.residual_share:.0%}); "
        f"pool to keep: {pools}>"
    )


def pilot_html(r: Any) -> str:
    """The pilot as a summary card: sessions, residual share and reasons, pool per tool."""
    rows = [
        ("Sessions", f"{r.sessions_total:,} ({r.duplicates_dropped:,} duplicates dropped)"),
        ("Residual", f"{r.residual_sessions:,} ({r.residual_share:.0%})"),
        ("Time zone", str(r.timezone)),
    ]
    if r.residual_by_reason:
        top = sorted(r.residual_by_reason.items(), key=lambda kv: -kv[1])[:5]
        rows.append(("Top reasons", ", ".join(f"{k}: {v:,}" for k, v in top)))
    for k, t in r.tools.items():
        rows.append((f"Pool: {k}", f"{t.recommended_licenses} {t.unit or 'licences'}"))
    note = "Tables: .sessions (typed), .records (raw), pool_frame()."
    return _card("Pilot evidence", rows, note)
