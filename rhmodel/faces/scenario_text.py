"""The terminal rendering of an :class:`~rhmodel.core.money.evaluation.Evaluation` (100 columns)."""

from __future__ import annotations

from rhmodel.core.money.evaluation import Evaluation, licensing_note
from rhmodel.core.text import currency_prefix
from rhmodel.faces.formatting import money, number, percent
from rhmodel.faces.texttable import text_table, wrap

__all__ = ["scenarios_text"]


def _range(e: Evaluation) -> str:
    """The recommended plan's P10–P90 beside its deterministic NPV, when simulated."""
    sim = e.simulation
    if sim is None or e.analysis.recommended not in sim.scenarios:
        return ""
    r = sim.scenarios[e.analysis.recommended]
    return (
        f" (P10–P90 {money(r.npv_p10)} to {money(r.npv_p90)} at first renewal over "
        f"{sim.draws:,} draws; the single figure takes each range at its mode, or midpoint)"
    )


def scenarios_text(e: Evaluation) -> str:
    """Scenario table, timing, sensitivity, break-even, simulation and illustrative flags."""
    p = e.params
    a = e.analysis
    out: list[str] = []
    org = p["organisation"] or "Scenarios"
    out.append(
        wrap(
            f"{org}: {p['horizon_months']} months from {p['start_date']:%Y-%m-%d}, "
            f"{currency_prefix(p['currency']).strip()}, "
            f"discount rate {p['discount_rate']:.1%} a year",
            100,
        )
    )
    out.append(
        wrap(
            f"Verdict: {a.decision.verdict}. Recommended: {a.recommended} (the viable "
            "plan with the highest NPV, each change at its first renewal).",
            100,
        )
    )
    if a.decision.facts_note:
        out.append(wrap(f"Facts: {a.decision.facts_note}", 100))
    plan = e.plan
    if plan is not None:
        waiting = (
            f"first renewal: {money(plan.npv_first_renewal)}; cost of waiting: "
            f"{money(plan.cost_of_waiting)}"
        )
        out.append(
            wrap(
                f"Plan: NPV {money(plan.npv)}{_range(e)} with each change at the renewal it "
                f"can actually make ({waiting}).",
                100,
            )
        )
        for i, act in enumerate(plan.actions, start=1):
            out.append(wrap(f"{i}. {act.sentence}", 100, indent="   "))
        for caveat in plan.caveats:
            out.append(wrap(f"Caveat: {caveat}", 100, indent="  "))
    for gap in a.coverage_gaps:
        out.append(wrap(f"Coverage gap ({gap.need}): {gap.reason}", 100, indent="  "))
    note = licensing_note(p)
    if note:
        out.append(wrap(f"Licences: {note}", 100, indent="  "))
    if p.illustrative_inputs():
        out.append(
            wrap(
                "ILLUSTRATIVE: these figures use inputs that are not quoted facts: "
                + ", ".join(p.illustrative_inputs())
                + ".",
                100,
            )
        )
    out.append("")
    rows = []
    for s in a.scenarios:
        mark = "*" if s.name == a.recommended else ""
        payback = (
            "—"
            if s.name == "status_quo"
            else "never"
            if s.payback_months is None
            else f"{s.payback_months} mo"
        )
        rows.append(
            [
                s.name + mark,
                "yes" if s.viable else "no",
                money(s.total_cost),
                money(s.savings),
                money(s.npv),
                percent(s.roi),
                payback,
            ]
        )
    out.append(
        text_table(
            ["Scenario", "Viable", "Total cost", "Savings", "NPV", "ROI", "Payback"],
            rows,
            widths=[max(12, *(len(r[0]) for r in rows)), 6, 12, 12, 12, 8, 8],
            align=["<", "<", ">", ">", ">", ">", ">"],
        )
    )
    out.append(
        "* recommended. Savings and NPV are against status_quo; ROI = NPV / PV of new spend."
    )
    for s in a.scenarios:
        if not s.viable:
            out.append(wrap(f"{s.name}: {s.why}", 100))
    if e.timing:
        out.append("")
        out.append(f"Timing (pilot of {p['pilot.days']} days from {p['start_date']:%Y-%m-%d})")
        rows = [
            [
                t.contract,
                f"{t.renewal_date:%Y-%m-%d}",
                f"{t.decision_deadline:%Y-%m-%d}",
                f"{t.pilot_end:%Y-%m-%d}",
                "yes" if t.pilot_fits else "NO",
                f"{t.slack_days} d",
                money(t.cost_of_delay),
            ]
            for t in e.timing
        ]
        out.append(
            text_table(
                ["Contract", "Renewal", "Deadline", "Pilot ends", "Fits", "Slack", "Cost of delay"],
                rows,
                widths=[12, 10, 10, 10, 4, 7, 14],
                align=["<", "<", "<", "<", "<", ">", ">"],
            )
        )
        out.append(
            wrap(
                f"Cost of delay: NPV of {e.timing[0].scenario} lost if the change "
                "slips to the following renewal.",
                100,
            )
        )
    if e.sensitivity:
        out.append("")
        out.append(
            f"Sensitivity: {e.sensitivity[0].scenario} NPV with each ranged input at its low / high"
        )
        rows = [
            [
                b.key,
                f"{number(b.low)} / {number(b.high)}",
                money(b.npv_low),
                money(b.npv_high),
                money(b.swing),
            ]
            for b in e.sensitivity
        ]
        out.append(
            text_table(
                ["Input", "Low / high", "NPV at low", "NPV at high", "Swing"],
                rows,
                widths=[34, 17, 13, 13, 13],
                align=["<", ">", ">", ">", ">"],
            )
        )
    if e.break_even:
        out.append("")
        subject = next(iter(e.break_even.values())).scenario
        out.append(f"Break-even: where {subject} NPV is zero (other inputs at base)")
        for b in e.break_even.values():
            value = "—" if b.value is None else f"{b.value:,.2f}"
            ref = f"base {number(b.base)}" + (f", current {b.current:,.0f}" if b.current else "")
            out.append(wrap(f"  {b.key}: {value} ({ref}): {b.meaning}", 100, indent="    "))
    if e.simulation is None and e.params.illustrative_inputs():
        out.append("")
        out.append(
            wrap(
                "No probability is given: no input is a range. Give ranges ({low, mode, high}) "
                "for the figures you are unsure of — typically "
                + ", ".join(
                    k
                    for k in e.params.illustrative_inputs()
                    if k.endswith(("price_per_agent_month", "price_per_seat_year", "cost"))
                )
                + " — and run with --simulate N.",
                100,
            )
        )
    if e.simulation is not None:
        sim = e.simulation
        out.append("")
        out.append(
            f"Simulation: {sim.draws:,} draws, seed {sim.seed}, inputs drawn together: "
            f"{len(sim.inputs)}"
        )
        rows = [
            [
                name,
                money(r.npv_mean),
                money(r.npv_p10),
                money(r.npv_p50),
                money(r.npv_p90),
                f"{r.p_npv_positive:.1%}",
            ]
            for name, r in sim.scenarios.items()
        ]
        out.append(
            text_table(
                ["Scenario", "NPV mean", "P10", "P50", "P90", "P(NPV > 0)"],
                rows,
                widths=[max(12, *(len(r[0]) for r in rows)), 13, 13, 13, 13, 10],
                align=["<", ">", ">", ">", ">", ">"],
            )
        )
    defaults = e.assumed_defaults()
    if defaults:
        out.append("")
        out.append(
            wrap(
                "Defaults used (not in the parameters file): "
                + "; ".join(f"{d.key} = {number(d.value)} ({d.source})" for d in defaults),
                100,
            )
        )
    return "\n".join(out)
