"""The terminal rendering of an :class:`~rhmodel.core.money.evaluation.Evaluation` (100 columns)."""

from __future__ import annotations

from rhmodel.core.money.evaluation import Evaluation, licensing_note
from rhmodel.core.money.timing import pilot_window_phrase
from rhmodel.core.money.uncertainty import ranged_inputs
from rhmodel.core.products import contract_for
from rhmodel.faces.formatting import money, number, percent
from rhmodel.faces.texttable import text_table, wrap

__all__ = ["scenarios_text"]


def _range(e: Evaluation) -> str:
    """The recommended plan's P10–P90 beside its deterministic NPV, when simulated: the plan
    as it can happen (feasible timing, routed pools), the same plan as the headline."""
    sim = e.simulation
    if sim is None:
        return ""
    plan = getattr(sim, "plan", None)
    if plan is not None and plan.name == e.analysis.recommended:
        lo, hi = plan.p10, plan.p90
    elif e.analysis.recommended in sim.scenarios:
        r = sim.scenarios[e.analysis.recommended]
        lo, hi = r.npv_p10, r.npv_p90
    else:
        return ""
    return (
        f" (P10–P90 {money(lo)} to {money(hi)} over {sim.draws:,} draws; the single figure "
        "takes each range at its mode, or midpoint)"
    )


def scenarios_text(e: Evaluation, width: int = 100) -> str:
    """Scenario table, timing, sensitivity, break-even, simulation and illustrative flags."""
    p = e.params
    a = e.analysis
    out: list[str] = []
    org = p["organisation"] or "Scenarios"
    out.append(
        wrap(
            f"{org}: {p['horizon_months']} months from {p['start_date']:%Y-%m-%d}, "
            f"amounts in {p['currency']}, "
            f"discount rate {p['discount_rate']:.1%} a year",
            width,
        )
    )
    out.append(
        wrap(
            f"Verdict: {a.decision.verdict}. Recommended: {a.recommended} (the viable "
            "plan with the highest NPV at the timing it can actually happen: each change at the "
            "first renewal whose notice the pilot can meet; never one worth less than renewing "
            "as is).",
            width,
        )
    )
    if a.decision.facts_note:
        out.append(wrap(f"Facts: {a.decision.facts_note}", width))
    plan = e.plan
    if plan is not None:
        waiting = (
            f"first renewal: {money(plan.npv_first_renewal)}; cost of waiting: "
            f"{money(plan.cost_of_waiting)}"
            if plan.cost_of_waiting >= -0.5
            # a contract cut before its term ends beats waiting for its first renewal
            else f"first renewal: {money(plan.npv_first_renewal)}; cutting before the term "
            f"ends is worth {money(-plan.cost_of_waiting)} more"
        )
        out.append(
            wrap(
                f"Plan: NPV {money(plan.npv)}{_range(e)} with each change at the renewal it "
                f"can actually make ({waiting}).",
                width,
            )
        )
        for i, act in enumerate(plan.actions, start=1):
            out.append(wrap(f"{i}. {act.sentence}", width, indent="   "))
        deadline = getattr(plan, "deadline_sentence", "")
        if deadline:
            better = plan.deadline_plan
            out.append(
                wrap(
                    f"{deadline} ({better} at its first renewals: "
                    f"{money(a.option_npv.get(better or '', 0.0))}.)",
                    width,
                )
            )
        for pool in getattr(plan, "pools", ()):
            routed = (
                f" from {pool.routed_sessions:,} routed residual sessions"
                if pool.routed_sessions is not None
                else ""
            )
            need = (
                f"; the work needs {number(pool.sized_need)}" if pool.sized_need is not None else ""
            )
            moved = (
                f", with the work of {', '.join(contract_for(c).short for c in pool.routed_from)} "
                "moved in"
                if pool.routed_from
                else ""
            )
            out.append(
                wrap(
                    f"Pool: {contract_for(pool.contract).short} keeps {number(pool.kept)} "
                    f"{pool.unit}{routed}{moved}"
                    f"{need} (bound: {pool.bound or 'given'}). {pool.note}".rstrip(),
                    width,
                    indent="  ",
                )
            )
        for caveat in plan.caveats:
            out.append(wrap(f"Caveat: {caveat}", width, indent="  "))
    for gap in a.coverage_gaps:
        out.append(wrap(f"Coverage gap ({gap.need}): {gap.reason}", width, indent="  "))
    note = licensing_note(p)
    if note:
        out.append(wrap(f"Licences: {note}", width, indent="  "))
    if p.illustrative_inputs():
        out.append(
            wrap(
                "ILLUSTRATIVE: these figures use inputs that are not quoted facts: "
                + ", ".join(p.illustrative_inputs())
                + ".",
                width,
            )
        )
    out.append("")
    rows = []
    timed = getattr(a, "option_npv_timed", {})
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
                money(timed.get(s.name, s.npv)),
                percent(s.roi),
                payback,
            ]
        )
    out.append(
        text_table(
            ["Scenario", "Viable", "Total cost", "Savings", "NPV", "Timed NPV", "ROI", "Payback"],
            rows,
            widths=[max(12, *(len(r[0]) for r in rows)), 6, 12, 12, 12, 12, 8, 8],
            align=["<", "<", ">", ">", ">", ">", ">", ">"],
        )
    )
    out.append(
        wrap(
            "* recommended: the highest Timed NPV (each change at the renewal it can actually "
            "make). Total cost, savings, NPV, ROI and payback put each change at its first "
            "renewal, for comparison. Savings and NPV are against status_quo; ROI = NPV / PV of "
            "new spend.",
            width,
        )
    )
    for s in a.scenarios:
        if not s.viable:
            out.append(wrap(f"{s.name}: {s.why}", width))
    if e.timing:
        out.append("")
        out.append(f"Timing ({pilot_window_phrase(p)})")
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
                width,
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
            out.append(wrap(f"  {b.key}: {value} ({ref}): {b.meaning}", width, indent="    "))
    if e.simulation is None and ranged_inputs(e.params):
        out.append("")
        out.append(
            wrap(
                f"No probability is given: {len(ranged_inputs(e.params))} inputs are ranges but "
                "no simulation was asked for — run with --simulate N for P10–P90.",
                width,
            )
        )
    elif e.simulation is None and e.params.illustrative_inputs():
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
                width,
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
                name + ("*" if name == a.recommended else ""),
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
        out.append(
            wrap(
                f"* {a.recommended} as it can happen (each change at the renewal it can make, "
                "pools sized from the work routed to them); the others with every change at "
                "its first renewal.",
                width,
            )
        )
    defaults = e.assumed_defaults()
    if defaults:
        out.append("")
        out.append(
            wrap(
                "Defaults used (not in the parameters file): "
                + "; ".join(f"{d.key} = {number(d.value)} ({d.source})" for d in defaults),
                width,
            )
        )
    return "\n".join(out)
