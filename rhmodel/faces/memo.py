"""The renewal pack as a decision memo: HTML sections the notebooks display, in order.

Every number comes from :func:`rhmodel.core.money.evaluation.evaluate` (and the pilot report);
this module only arranges and words them. Each section returns :class:`Html`, which Jupyter,
nbconvert and Voilà all display; figures are embedded as PNG so the exported HTML stands alone.

Examples
--------
>>> from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE
>>> pack = RenewalPack.load(SAMPLE_PARAMS_FILE, simulate=500)
>>> "Verdict" in pack.executive_summary()
True
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from rhmodel.core.capabilities import CapabilityMatrix
from rhmodel.core.coverage import held_contracts
from rhmodel.core.labels import label
from rhmodel.core.money.evaluation import Evaluation, group_costs, licensing_note
from rhmodel.core.params.resolve import LICENCE_WORDS, group_spec
from rhmodel.core.pilot.evidence import PilotReport, undeclared_needs
from rhmodel.core.products import CONTRACTS, REMOTE_HELP
from rhmodel.core.readiness import ChecklistRow, Readiness
from rhmodel.core.text import currency_prefix, long_date, visible
from rhmodel.edges.bundled import checklist_for, load_capabilities, load_readiness
from rhmodel.edges.pack import PackInputs, evaluate_pack, read_pack_inputs
from rhmodel.edges.paramfile import load_parameters
from rhmodel.edges.provenance import summary_document
from rhmodel.faces.formatting import money, number, percent

__all__ = ["Html", "RenewalPack"]

_CSS = """
<style>
.rh-memo { font-family: "Segoe UI", Helvetica, Arial, sans-serif; color: #1b1b1b;
           max-width: 1000px; line-height: 1.45; }
.rh-memo h1 { font-size: 1.8em; margin: 0.1em 0; }
.rh-memo h2 { font-size: 1.3em; border-bottom: 2px solid #1f4e79; padding-bottom: 0.2em;
              margin-top: 1.6em; break-after: avoid; page-break-after: avoid; }
.rh-memo h3 { break-after: avoid; page-break-after: avoid; }
.rh-memo h2.new-page { break-before: page; page-break-before: always; }
.rh-memo .kicker { text-transform: uppercase; letter-spacing: 0.08em; color: #1f4e79;
                   font-weight: bold; margin: 0; }
.rh-memo table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.92em; width: 100%;
                 break-inside: auto; }
.rh-memo thead { display: table-header-group; }
.rh-memo tr { break-inside: avoid; page-break-inside: avoid; }
.rh-memo th { background: #1f4e79; color: #fff; text-align: left; padding: 4px 8px; }
.rh-memo td { border-bottom: 1px solid #ddd; padding: 4px 8px; vertical-align: top;
              overflow-wrap: break-word; }

/* JupyterLab's stylesheet right-aligns every table cell; a memo reads left to right */
.rh-memo table td, .rh-memo table th { text-align: left !important; }
.rh-memo table td.num { text-align: right !important; font-variant-numeric: tabular-nums;
                        white-space: nowrap; }
.rh-memo td.nowrap { white-space: nowrap; }
.rh-memo code { font-size: 0.9em; }
.rh-memo .verdict { font-size: 1.15em; font-weight: bold; }
.rh-memo .evidence { background: #eef3fb; border-left: 5px solid #1f4e79; padding: 6px 10px;
                     margin: 0.6em 0; break-inside: avoid; }
.rh-memo .illustrative { background: #fde7e9; border-left: 5px solid #b00020; padding: 6px 10px;
                         margin: 0.6em 0; }
.rh-memo .illustrative-line { color: #b00020; font-size: 0.9em; }
.rh-memo .pass { background: #c6efce; } .rh-memo .fail { background: #ffc7ce; }
.rh-memo .yes { background: #c6efce; } .rh-memo .partial { background: #ffeb9c; }
.rh-memo .no { background: #ffc7ce; }
.rh-memo .recommended { font-weight: bold; background: #eef6ee; }
.rh-memo .headline { font-size: 1.3em; font-weight: bold; margin: 0.5em 0; color: #10365a; }
.rh-memo .small { font-size: 0.85em; color: #555; }
.rh-memo .toc ol { columns: 2; margin: 0.3em 0 1em; }
.rh-memo img { max-width: 100%; height: auto; break-inside: avoid; page-break-inside: avoid; }
.rh-memo img.chart { width: 100%; }
.rh-memo .cover img.chart { max-height: 62mm; object-fit: contain; }
@media print {
  .rh-memo { max-width: none; font-size: 10pt; }
  .rh-memo .cover { break-after: page; page-break-after: always; }
  .rh-memo a { color: inherit; text-decoration: none; }
}
/* A phone: each table row becomes a card whose cells carry their column's name. */
@media (max-width: 640px) {
  .rh-memo table, .rh-memo thead, .rh-memo tbody, .rh-memo tr, .rh-memo td { display: block;
    width: auto; }
  .rh-memo thead { display: none; }
  .rh-memo tr { border: 1px solid #ddd; margin: 0 0 8px; padding: 4px; }
  .rh-memo td { border: none; padding: 2px 4px; }
  .rh-memo td[data-label]::before { content: attr(data-label) ": "; font-weight: bold; }
  .rh-memo table td.num, .rh-memo td.nowrap { text-align: left !important;
    white-space: normal; }
  .rh-memo .toc ol { columns: 1; }
  /* a long host name or path breaks rather than widening the page */
  .rh-memo p, .rh-memo li, .rh-memo td, .rh-memo code, .rh-memo h1 { overflow-wrap: anywhere; }
}
</style>
"""


class Html(str):
    """A string of HTML that notebooks render as HTML."""

    def _repr_html_(self) -> str:
        return str(self)


def _e(value: Any) -> str:
    """Text from outside as inert HTML: escaped, control characters made visible."""
    return html.escape(visible("" if value is None else str(value)))


def _k(value: float) -> str:
    """Money in thousands for a headline: ``141k``, ``1.2M``, ``950``."""
    if abs(value) >= 999_500:
        return f"{value / 1e6:,.1f}M"
    if abs(value) >= 1_000:
        return f"{value / 1e3:,.0f}k"
    return f"{value:,.0f}"


def _verdict_words(d: Any) -> str:
    """The decision's summary in words (labels, not ids)."""
    needs = ", ".join(label(n) for n in d.keep_for)
    if d.verdict == "right_size":
        return (
            "Move the internal attended help desk to Remote Help and keep a small incumbent "
            f"pool for {needs}."
        )
    return str(d.summary)


def _with_unit(key: str, value: Any, rng: Any = None) -> str:
    """A parameter's value as people read it: ``US$2,500 per concurrent seat per year``,
    ``5%``, ``12 months``; a range as ``US$29–94 (most likely 45) per agent per month``."""
    from rhmodel.core.params import spec

    # a user group's figure (remote_help.user_groups[i].users) has a spec of its own
    unit = group_spec(key).unit if key.startswith("remote_help.user_groups[") else spec(key).unit
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)

    def one(x: float) -> str:
        if "fraction" in unit:
            return f"{x:.1%}".replace(".0%", "%")
        return number(x)

    if rng is not None:
        text = f"{one(rng.low)}–{one(rng.high)}"
        if rng.mode is not None:
            text += f" (most likely {one(rng.mode)})"
    else:
        text = one(value)
    if "fraction" in unit:
        return text
    if unit.startswith("US$"):
        rest = unit[3:].strip()
        return f"US${text}" + (f" {rest}" if rest else "")
    return f"{text} {unit}".strip()


def _input_label(e: Evaluation, key: str) -> str:
    """An input's words; a user group's figure is named by its group (``Ward staff: users``)."""
    for g in e.params.user_groups:
        if key.startswith(f"{g.key}."):
            return f"{g.name}: {key.rpartition('.')[2].replace('_', ' ')}"
    return label(key)


def _slug(title: str) -> str:
    return "-".join("".join(ch if ch.isalnum() else " " for ch in title.lower()).split())


def _table(
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    numeric: Sequence[int] = (),
    row_class: Sequence[str] | None = None,
    nowrap: Sequence[int] = (),
) -> str:
    # <thead> repeats on every printed page; data-label lets a phone show each row as a card
    out = ["<table>"]
    if any(header):  # a key-value table has no header row
        out += ["<thead><tr>", *(f"<th>{_e(h)}</th>" for h in header), "</tr></thead>"]
    out.append("<tbody>")
    for i, row in enumerate(rows):
        cls = f' class="{row_class[i]}"' if row_class and row_class[i] else ""
        out.append(f"<tr{cls}>")
        for j, cell in enumerate(row):
            classes = [c for c, on in (("num", j in numeric), ("nowrap", j in nowrap)) if on]
            attr = f' class="{" ".join(classes)}"' if classes else ""
            if any(header) and j < len(header) and header[j]:
                attr += f' data-label="{_e(header[j])}"'
            out.append(f"<td{attr}>{cell if isinstance(cell, Html) else _e(cell)}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _figure(fig: Figure, alt: str) -> str:
    import matplotlib

    buf = io.BytesIO()
    # SVG: drawn at any size the page shows it, sharp in print; the figures lay themselves out.
    # Text stays text (not paths): faster, smaller, and searchable in the PDF.
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        fig.savefig(buf, format="svg")
    data = base64.b64encode(buf.getvalue()).decode()
    return f'<img class="chart" alt="{_e(alt)}" src="data:image/svg+xml;base64,{data}"/>'


def _section(title: str, body: str, first: bool = False, new_page: bool = False) -> Html:
    classes = " ".join(c for c, on in (("first", first), ("new-page", new_page)) if on)
    cls = f' class="{classes}"' if classes else ""
    return Html(f'<div class="rh-memo"><h2 id="{_slug(title)}"{cls}>{_e(title)}</h2>{body}</div>')


#: The memo's sections, in the notebook's order, for the table of contents.
SECTIONS = (
    "Executive summary",
    "The replace-or-keep test",
    "Capability comparison",
    "Scenarios",
    "Pilot evidence and the residual pool",
    "Sensitivity and risks",
    "Assumptions and illustrative figures",
    "Readiness checklist",
    "Provenance",
)


@dataclass(frozen=True)
class RenewalPack:
    """Everything the renewal memo shows, computed once."""

    evaluation: Evaluation
    matrix: CapabilityMatrix
    readiness: Readiness
    pilot: PilotReport | None
    summary: dict[str, Any]

    @classmethod
    def load(
        cls,
        params_path: str | Path,
        overrides: Sequence[str] = (),
        simulate: int = 10_000,
        seed: int = 0,
        inputs_file: str | Path = "",
    ) -> RenewalPack:
        """Load the parameters and evaluate them (the notebooks' one entry point).

        ``inputs_file`` is the evaluation ``rhmodel report`` already made for this pack
        (:func:`rhmodel.edges.pack.write_pack_inputs`): the memo shows that one rather than
        evaluating again, so it matches ``summary.json`` and the workbook exactly.
        """
        if inputs_file:
            return cls.from_inputs(read_pack_inputs(inputs_file))
        params = load_parameters(params_path, list(overrides))
        return cls.from_inputs(evaluate_pack(params, simulate, seed))

    @classmethod
    def from_inputs(cls, inputs: PackInputs) -> RenewalPack:
        """The memo of a pack already evaluated."""
        summary = summary_document(inputs.evaluation, inputs.provenance)
        return cls(inputs.evaluation, load_capabilities(), load_readiness(), inputs.pilot, summary)

    # -- helpers --------------------------------------------------------------------------

    @property
    def _params(self) -> Any:
        return self.evaluation.params

    def _recommended(self) -> Any:
        return self.evaluation.analysis.scenario(self.evaluation.analysis.recommended)

    def _spread(self) -> str:
        """The recommended plan's P10–P90, when simulated, for the headline."""
        e = self.evaluation
        rec = e.analysis.recommended
        if e.simulation is None or rec not in e.simulation.scenarios:
            return ""
        cur = currency_prefix(self._params["currency"])
        r = e.simulation.scenarios[rec]
        return f" (P10–P90 {cur}{_k(r.npv_p10)}–{_k(r.npv_p90)})"

    def _evidence_bullets(self) -> list[str]:
        """The verdict and the evidence behind it, in three sentences."""
        e = self.evaluation
        a = e.analysis
        p = self._params
        out = [f"Verdict: {label(a.decision.verdict)}. {_verdict_words(a.decision)}"]
        if self.pilot is not None and self.pilot.sessions_total:
            r = self.pilot
            served = r.sessions_total - r.residual_sessions - r.unexplained_sessions
            reasons = ", ".join(
                f"{label(k)} {n:,}"
                for k, n in sorted(r.residual_by_reason.items(), key=lambda x: -x[1])
            )
            out.append(
                f"The {p['pilot.days']}-day pilot: Remote Help could serve {served:,} of "
                f"{r.sessions_total:,} sessions ({served / r.sessions_total:.0%}); "
                f"{r.residual_sessions:,} still needed an incumbent"
                + (f" ({reasons})" if reasons else "")
                + "."
            )
        else:
            needs = [label(n) for n in a.decision.keep_for]
            out.append(
                "No pilot evidence: the verdict rests on the declared requirements"
                + (f" ({', '.join(needs)})." if needs else ", none of which keeps a pool.")
            )
        pools = []
        for c in CONTRACTS:
            v = p.value(c.residual_key)
            if p[c.count_key] and v.value is not None:
                how = "sized by the pilot" if v.origin == "pilot" else "as given"
                pools.append(f"{c.short} {number(v.value)} {c.unit_for(p[c.metric_key])} ({how})")
        if pools:
            out.append("Pools kept if right-sized: " + "; ".join(pools) + ".")
        return out

    def _next_steps(self) -> list[tuple[str, str, str]]:
        """Dated next steps: the plan's notice letters and each owner's first readiness date."""
        c = checklist_for(self.evaluation)
        steps: list[tuple[dt.date, str, str]] = []
        for row in c.rows:
            if row.area == "Contract actions":
                steps.append((row.due, row.owner, row.item.split(": ", 1)[-1]))
        firsts: dict[str, tuple[dt.date, int]] = {}
        for row in c.rows:
            if row.area in ("Contract actions", "Residual pool operating model"):
                continue
            due, n = firsts.get(row.owner, (row.due, 0))
            firsts[row.owner] = (min(due, row.due), n + 1)
        for owner, (due, n) in firsts.items():
            steps.append(
                (due, owner, f"start the readiness checklist ({n} item{'s' if n != 1 else ''})")
            )
        letters = sorted(x for x in steps if x[1] == "Procurement" and "notice" in x[2])
        rest = sorted(x for x in steps if x not in letters)
        # the notice letters first (they carry the deadlines), then who starts what
        return [(long_date(d), who, what) for d, who, what in (letters + rest)[:5]]

    def title(self) -> Html:
        """Page 1: the decision — what to do by when and what it is worth, the evidence in
        three bullets, caveats, one chart, dated next steps, and the cover's provenance line."""
        from rhmodel.faces.plots import decision_figure

        e = self.evaluation
        a = e.analysis
        p = self._params
        org = p["organisation"] or "Remote support renewal"
        prov = self.summary["provenance"]
        generated = dt.datetime.fromisoformat(prov["generated_at"]).date()
        plan = e.plan
        cur = currency_prefix(p["currency"])
        body = [
            '<div class="rh-memo cover">',
            '<p class="kicker">Remote Help renewal decision</p>',
            f"<h1>{_e(org)}</h1>",
            f'<p class="small">{long_date(generated)} · analysis from '
            f"{long_date(p['start_date'])} over {p['horizon_months']} months · rhmodel "
            f"{_e(prov['rhmodel_version'])} · parameters {_e(prov['parameters_sha256'][:12])}"
            + (f" · commit {_e(prov['git_commit'][:10])}" if prov.get("git_commit") else "")
            + "</p>",
        ]
        if plan is not None:
            body.append(f'<p class="headline">{_e(plan.headline)}{_e(self._spread())}</p>')
        note = licensing_note(p)
        if note:
            # what the Remote Help licence figures rest on, beside the headline
            body.append(f'<p class="small licensing">{_e(note)}</p>')
            if plan.cost_of_waiting > 0.5:
                body.append(
                    f'<p class="small">Every change at its first renewal would be worth '
                    f"{cur}{plan.npv_first_renewal:,.0f}: the renewals the pilot leaves time for "
                    f"cost {cur}{plan.cost_of_waiting:,.0f} of that.</p>"
                )
        body.append(
            '<ul class="bullets">'
            + "".join(f"<li>{_e(b)}</li>" for b in self._evidence_bullets())
            + "</ul>"
        )
        cautions = [f"Coverage gap — {label(g.need)}: {g.reason}" for g in a.coverage_gaps]
        disagree = [c for c in a.decision.criteria if c.observed_sessions and not c.declared]
        if disagree:
            # where the pilot and the declared requirements disagree, page 1 says so
            cautions.append(
                "The pilot found work the declared requirements say is not needed — "
                + ", ".join(f"{label(c.id)} ({c.observed_sessions:,} sessions)" for c in disagree)
                + ": the decision counts it as needed. Set those requirements to true, or "
                "give the work up explicitly with decision.accept."
            )
        accepted = [c for c in a.decision.criteria if c.accepted]
        if accepted:
            cautions.append(
                "Decision taken: give up "
                + ", ".join(f"{label(c.id)} ({c.observed_sessions:,} sessions)" for c in accepted)
                + " (decision.accept)."
            )
        if self.pilot is not None and self.pilot.unexplained_sessions:
            cautions.append(
                f"{self.pilot.unexplained_sessions:,} incumbent sessions are unexplained (no "
                "reason recorded): the pool could be larger; see the pilot evidence."
            )
        cautions += [f"Caveat: {c}" for c in (plan.caveats if plan is not None else ())]
        if e.analysis.decision.facts_note:
            cautions.append(e.analysis.decision.facts_note)  # the capability facts are old
        if cautions:
            body.append(
                '<div class="evidence"><b>Read before deciding.</b><ul>'
                + "".join(f"<li>{_e(c)}</li>" for c in cautions)
                + "</ul></div>"
            )
        body.append(_figure(decision_figure(e), "cumulative savings of the plan"))
        steps = self._next_steps()
        if steps:
            body.append(
                "<h3>Next steps</h3>"
                + _table(["By", "Who", "What"], [list(x) for x in steps[:8]], nowrap=(0,))
            )
        if p.illustrative_inputs():
            n = len(p.illustrative_inputs())
            body.append(
                f'<p class="illustrative-line">Illustrative: {n} inputs are not quoted facts '
                '(<a href="#assumptions-and-illustrative-figures">the full list</a>); replace '
                "them with your contract data and quotes before deciding.</p>"
            )
        body.append("</div>")
        return Html(_CSS + "".join(body))

    def executive_summary(self) -> Html:
        """Verdict, recommended scenario, NPV, payback, probability of saving, deadline."""
        e = self.evaluation
        a = e.analysis
        rec = self._recommended()
        plan = e.plan
        cur = currency_prefix(self._params["currency"])
        spread = ""
        if e.simulation is not None and rec.name in e.simulation.scenarios:
            r = e.simulation.scenarios[rec.name]
            spread = (
                f" (P10–P90 {cur}{r.npv_p10:,.0f} to {cur}{r.npv_p90:,.0f}; the single figure "
                "takes each range at its mode, or midpoint)"
            )
        # page 2 opens with the contents; page 1 (the cover) is the decision itself
        lines = [
            '<nav class="toc"><b>Contents</b><ol>'
            + "".join(f'<li><a href="#{_slug(t)}">{_e(t)}</a></li>' for t in SECTIONS)
            + "</ol></nav>",
            f'<p class="verdict">Verdict: {_e(label(a.decision.verdict))}</p>',
            f"<p>{_e(_verdict_words(a.decision))}</p>",
        ]
        if plan is not None:
            lines.append(
                '<ol class="actions">'
                + "".join(f"<li>{_e(x.sentence)}</li>" for x in plan.actions)
                + "</ol>"
            )
        if a.coverage_gaps or (plan is not None and plan.caveats):
            items = [f"Coverage gap ({label(g.need)}): {g.reason}" for g in a.coverage_gaps]
            items += [f"Caveat: {c}" for c in (plan.caveats if plan is not None else ())]
            lines.append(
                '<div class="evidence"><b>What the kept pools cannot do.</b><ul>'
                + "".join(f"<li>{_e(i)}</li>" for i in items)
                + "</ul></div>"
            )
        if a.decision.evidence_notes:
            # where the pilot and the declared requirements disagree, page 1 says so
            lines.append(
                '<div class="evidence"><b>What the pilot showed.</b><ul>'
                + "".join(f"<li>{_e(n)}</li>" for n in a.decision.evidence_notes)
                + "</ul></div>"
            )
        facts = [
            ("Recommended plan", label(rec.name)),
            (
                "NPV of the plan at the renewals it can make",
                (f"{cur}{plan.npv:,.0f}" if plan is not None else f"{cur}{rec.npv:,.0f}") + spread,
            ),
            ("NPV with every change at its first renewal", f"{cur}{rec.npv:,.0f}"),
            ("Undiscounted savings over the horizon", f"{cur}{money(rec.savings)}"),
            (
                "Payback",
                "—"
                if rec.name == "status_quo"
                else "never"
                if rec.payback_months is None
                else f"{rec.payback_months} months",
            ),
            ("ROI", percent(rec.roi) if rec.roi is not None else "no new spend"),
        ]
        if e.simulation is None:
            facts.append(
                (
                    "Probability of saving",
                    "not given: no input is a range (give ranges for the figures you are unsure "
                    "of, such as the quoted prices, and simulate)",
                )
            )
        else:
            sim = e.simulation.scenarios[rec.name]
            facts.append(
                (
                    "Probability the recommended scenario saves money (NPV > 0)",
                    f"{sim.p_npv_positive:.1%} of {e.simulation.draws:,} draws",
                )
            )
        if e.timing:
            first = min(e.timing, key=lambda t: t.decision_deadline)
            facts.append(
                (
                    "Decision deadline (first notice date)",
                    f"{first.decision_deadline:%d %B %Y} ({first.contract}, "
                    f"{first.renewal_date:%d %B %Y} renewal)",
                )
            )
            late = [t for t in e.timing if not t.pilot_fits]
            facts.append(
                (
                    "Pilot fits before every deadline",
                    "yes" if not late else "NO: " + ", ".join(t.contract for t in late),
                )
            )
            facts.append(
                ("Cost of missing the deadlines (NPV)", f"{cur}{money(e.cost_of_delay_total())}")
            )
        for c in (k.residual_key for k in CONTRACTS):
            v = self._params.value(c)
            if v.value is not None:
                where = "from the pilot" if v.origin == "pilot" else f"from the {v.origin}"
                facts.append(
                    (
                        f"Pool to keep: {c.split('.')[1].replace('_', ' ')}",
                        f"{number(v.value)} ({where})",
                    )
                )
        body = "".join(lines) + _table(["", ""], facts)
        return _section("Executive summary", body, new_page=True)

    def decision(self) -> Html:
        """The replace-or-keep test with each criterion's reason."""
        d = self.evaluation.analysis.decision
        rows = [(label(c.id), "PASS" if c.passed else "FAIL", c.explanation) for c in d.criteria]
        body = (
            f"<p>The seed's replace-or-keep test (Section 4.4), applied to this "
            f"organisation's requirements. Verdict: <b>{_e(d.verdict)}</b>.</p>"
            + _table(
                ["Criterion", "Result", "Why"],
                rows,
                row_class=["pass" if c.passed else "fail" for c in d.criteria],
            )
        )
        if d.keep_for:
            needs = ", ".join(label(n) for n in d.keep_for)
            body += f"<p>A specialist pool is kept for: <b>{_e(needs)}</b>.</p>"
        return _section("The replace-or-keep test", body)

    def _tei_table(self, name: str) -> str:
        """The Forrester TEI year table of one scenario (and, with a risk adjustment, the
        unadjusted one beside it)."""
        r = self.evaluation.analysis.scenario(name)
        cur = currency_prefix(self._params["currency"]).strip()

        def table(rows: Sequence[Any], pv: tuple[float | None, float | None], title: str) -> str:
            head = ["", "Initial", *(f"Year {y.year}" for y in rows[1:]), "Total", "Present value"]
            lines = []
            for row_name, get, present in (
                ("Benefits", lambda y: y.benefits, pv[0]),
                ("Costs", lambda y: y.costs, pv[1]),
                ("Net", lambda y: y.net, pv[0] - pv[1]),
            ):
                values = [get(y) for y in rows]
                lines.append(
                    [row_name, *(money(v) for v in values), money(sum(values)), money(present)]
                )
            numeric = tuple(range(1, len(head)))
            return f"<p><b>{_e(title)}</b></p>" + _table(head, lines, numeric=numeric)

        body = (
            f"<h3>Benefits and costs by year: {_e(name)} ({_e(cur)}, TEI layout)</h3><p>Benefits: "
            "incumbent spend avoided against status quo. Costs: new spend (Remote Help licences "
            "and administration; Initial: the one-off costs of month 1). Net present value = "
            "PV of benefits − PV of costs.</p>"
        )
        if r.by_year_unadjusted:
            body += table(r.by_year, (r.pv_benefits, r.pv_costs), "Risk-adjusted")
            body += table(
                r.by_year_unadjusted, (None, None), "Unadjusted (before the risk adjustment)"
            )
        else:
            body += table(r.by_year, (r.pv_benefits, r.pv_costs), "By year")
        return body

    def capabilities(self) -> Html:
        """The capability comparison, with the seed's wording and levels: Remote Help against
        the incumbents the organisation holds and any a coverage gap names (every incumbent of
        the matrix when it holds none)."""
        m = self.matrix
        a = self.evaluation.analysis
        held = {c.product for c in held_contracts(self.evaluation.params)}
        held |= {g.product for g in a.coverage_gaps if g.product}
        shown = [p for p in m.products if p == REMOTE_HELP or p in held] if held else m.products
        others = [m.product_short[p] for p in m.products if p not in shown]
        rows = []
        for dim in m.dimensions:
            rows.append(
                [
                    dim.label,
                    *(
                        Html(
                            f'<span class="{dim.cells[p].level}">'
                            f"[{dim.cells[p].level}]</span> "
                            f"{_e(dim.cells[p].text)}"
                        )
                        for p in shown
                    ),
                ]
            )
        body = f"<p>From {_e(m.document)}, as of {m.as_of:%d %B %Y}.</p>"
        changes = getattr(m, "changes_since_seed", ())
        facts_as_of = getattr(m, "facts_as_of", None)
        if facts_as_of is not None:
            # which facts the verdict rests on, when they were checked, what moved since the memo
            body += (
                f"<p>Facts checked {_e(long_date(facts_as_of))} at their sources (Microsoft "
                f"Learn, the vendors' pages); {len(changes)} changed since the seed memo"
                + (":</p>" if changes else ".</p>")
            )
        if changes:
            body += _table(
                ["Capability", "Product", "The seed said", "Now", "Since", "Source"],
                [
                    [
                        label(c.capability),
                        m.product_short.get(c.product, c.product),
                        c.seed_said,
                        c.now,
                        long_date(c.since) if c.since else "—",
                        c.source,
                    ]
                    for c in changes
                ],
            )
        note = self.evaluation.analysis.decision.facts_note
        if note:
            body += f'<p class="illustrative-line">{_e(note)}</p>'
        body += _table(["Dimension", *(m.product_short[p] for p in shown)], rows)
        if others:
            body += (
                f"<p>Not held, so not shown: {_e(', '.join(others))} (<code>rhmodel matrix</code> "
                "lists every product).</p>"
            )
        strengths = "".join(
            f"<li><b>{_e(s.label)}</b>: {_e(s.text)}</li>" for s in m.incumbent_strengths
        )
        body += f"<p>Where the incumbents are still stronger (Section 4.2):</p><ul>{strengths}</ul>"
        return _section("Capability comparison", body)

    def scenarios(self) -> Html:
        """Scenario table, cumulative savings and (with simulation) the NPV distribution."""
        from rhmodel.faces.plots import (
            comparison_figure,
            cumulative_savings_figure,
            npv_distribution_figure,
            year_figure,
        )

        a = self.evaluation.analysis
        rows, classes = [], []
        for s in a.scenarios:
            rows.append(
                [
                    label(s.name) + (" (recommended)" if s.name == a.recommended else ""),
                    "yes" if s.viable else "no",
                    money(s.total_cost),
                    money(s.savings),
                    money(s.npv),
                    percent(s.roi),
                    "—"
                    if s.name == "status_quo"
                    else "never"
                    if s.payback_months is None
                    else str(s.payback_months),
                    s.why,
                ]
            )
            classes.append("recommended" if s.name == a.recommended else "")
        body = (
            f"<p>{_e(currency_prefix(self._params['currency']).strip())} over the horizon. "
            "Savings and NPV are against status quo; NPV discounts "
            f"at {self._params['discount_rate']:.1%} a year; ROI = NPV / PV of new spend "
            "(Remote Help licences and transition costs).</p>"
            + _table(
                [
                    "Scenario",
                    "Viable",
                    "Total cost",
                    "Savings",
                    "NPV",
                    "ROI",
                    "Payback (months)",
                    "What it means",
                ],
                rows,
                numeric=(2, 3, 4, 5, 6),
                row_class=classes,
            )
            + _figure(cumulative_savings_figure(a), "cumulative savings")
            + _figure(comparison_figure(a), "cost by component per scenario")
        )
        body += self._tei_table(a.subject) + _figure(year_figure(a, a.subject), "by year")
        # every combination of actions weighed, each with why it is (not) viable
        plan_rows = [
            [
                label(o.name) + (" (recommended)" if o.name == a.recommended else ""),
                "yes" if o.viable else "no",
                money(a.option_npv[o.name]),
                o.why + "".join(f" Caveat: {c}" for c in o.caveats),
            ]
            for o in a.options
        ]
        body += (
            "<h3>Plans weighed: one action per contract</h3><p>Each contract renews as it is, "
            "is right-sized, cancelled, or consolidated into another held incumbent's pool; NPV "
            "with every change at its first renewal.</p>"
            + _table(
                ["Plan", "Viable", "NPV", "Why"],
                plan_rows,
                numeric=(2,),
                row_class=["recommended" if o.name == a.recommended else "" for o in a.options],
            )
        )
        sim = self.evaluation.simulation
        if sim is not None:
            rows = [
                [
                    n,
                    money(r.npv_mean),
                    money(r.npv_p10),
                    money(r.npv_p50),
                    money(r.npv_p90),
                    f"{r.p_npv_positive:.1%}",
                ]
                for n, r in sim.scenarios.items()
            ]
            body += (
                f"<p>Monte Carlo: {sim.draws:,} draws (seed {sim.seed}) of every ranged "
                f"input together ({_e(', '.join(sim.inputs))}).</p>"
                + _table(
                    ["Scenario", "NPV mean", "P10", "P50", "P90", "P(NPV > 0)"],
                    rows,
                    numeric=(1, 2, 3, 4, 5),
                )
                + _figure(npv_distribution_figure(sim), "NPV distribution")
            )
        return _section("Scenarios", body)

    def pilot_evidence(self) -> Html:
        """Residual work from the pilot and the pool it justifies, with the rule."""
        r = self.pilot
        if r is None:
            return _section(
                "Pilot evidence",
                "<p>No pilot exports were given "
                "(<code>pilot.files</code>): the pool to keep comes from "
                "<code>residual.*</code> in the parameters.</p>",
            )
        from rhmodel.faces.plots import daily_peaks_figure

        facts = [
            ("Sessions", f"{r.sessions_total:,}"),
            ("Duplicate records dropped (overlapping exports)", f"{r.duplicates_dropped:,}"),
            (
                "Residual (not served by Remote Help)",
                f"{r.residual_sessions:,} ({r.residual_share:.1%})",
            ),
        ]
        facts += [(f"  {label(k)}", f"{v:,}") for k, v in r.residual_by_reason.items()]
        body = _table(["", ""], facts, numeric=(1,))
        body += "".join(f'<p class="small">Note: {_e(w)}</p>' for w in r.warnings)
        rows = [
            [
                label(t),
                (z.unit or z.metric.replace("_", " ")),
                z.peak_concurrent_technicians,
                z.distinct_technicians,
                f"{z.daily_peak_max} / {z.daily_peak_p95:.1f}",
                z.erlang_b_servers,
                z.recommended_licenses,
            ]
            for t, z in r.tools.items()
        ]
        body += _table(
            [
                "Tool",
                "Licence metric",
                "Peak technicians",
                "Distinct technicians",
                "Business-day peak max / p95",
                "Erlang B",
                "Keep",
            ],
            rows,
            numeric=(2, 3, 4, 5, 6),
        )
        # the rules are paragraphs: notes below the table, not a one-word-wide column
        body += "".join(
            f"<p><b>{_e(label(t))}: keep {z.recommended_licenses}.</b> {_e(z.rule)}</p>"
            for t, z in r.tools.items()
        )
        body += _figure(daily_peaks_figure(r), "daily peaks")
        body += self._unexplained(r)
        return _section("Pilot evidence and the residual pool", body)

    def _unexplained(self, r: PilotReport, limit: int = 30) -> str:
        """The incumbent sessions nobody can explain yet: the list to chase."""
        if not r.unexplained_sessions:
            return ""
        s = r.sessions[r.sessions["klass"] == "unexplained"].sort_values("start")
        rows = [
            [
                x.tool,
                x.session_id,
                dt.datetime.fromtimestamp(x.start, dt.UTC).strftime("%Y-%m-%d %H:%M"),
                x.technician,
                x.ticket,
                f"{Path(x.file).name}:{x.line}",
            ]
            for x in s.head(limit).itertuples()
        ]
        wider = "; ".join(
            f"{t}: {z.recommended_licenses} for residual work, "
            f"{z.recommended_licenses_with_unexplained} with the unexplained"
            for t, z in r.tools.items()
        )
        more = f" (the first {limit} shown)" if len(s) > limit else ""
        return (
            f"<h3>Unexplained sessions to chase: {r.unexplained_sessions:,}{more}</h3>"
            "<p>The export cannot tell whether Remote Help could have served these, and no "
            "reason covers them. They are not counted as movable. Pool to keep: "
            f"{_e(wider)}.</p>"
            + _table(["Tool", "Session", "Start (UTC)", "Technician", "Ticket", "Where"], rows)
        )

    def pilot_detail(self) -> Html:
        """Concurrency over the pilot and time at or above N, per incumbent tool."""
        if self.pilot is None:
            return _section("Pilot detail", "<p>No pilot exports were given.</p>")
        from rhmodel.faces.plots import concurrency_figure, time_at_or_above_figure

        r = self.pilot
        from rhmodel.faces.pilot_text import counted_for

        # a format two products read (LogMeIn Rescue's report) says which contract it counted for
        shared = any(f.counted_for for f in r.files)
        files = _table(
            ["File", "Format", "Records", *(["Counted for"] if shared else [])],
            [
                [
                    f.path,
                    f.format,
                    f.records,
                    *([counted_for(f.format, f.counted_for) if f.counted_for else ""] * shared),
                ]
                for f in r.files
            ],
            numeric=(2,),
        )
        return _section(
            "Pilot detail",
            files
            + _figure(concurrency_figure(r), "residual sessions in use")
            + _figure(time_at_or_above_figure(r), "time at or above N"),
        )

    def risks(self) -> Html:
        """Timing, sensitivity, break-even and what the pilot contradicts."""
        from rhmodel.faces.plots import tornado_figure

        e = self.evaluation
        body = ""
        if e.timing:
            rows = [
                [
                    label(t.contract),
                    long_date(t.renewal_date),
                    long_date(t.decision_deadline),
                    long_date(t.pilot_end),
                    "yes" if t.pilot_fits else "NO",
                    f"{t.slack_days} days",
                    money(t.cost_of_delay),
                ]
                for t in e.timing
            ]
            body += (
                "<p>Timing: each contract's renewal, the last day to give notice, and the "
                "NPV lost if the change slips to the following renewal.</p>"
                + _table(
                    [
                        "Contract",
                        "Renewal",
                        "Notice deadline",
                        "Pilot ends",
                        "Pilot fits",
                        "Slack",
                        "Cost of delay",
                    ],
                    rows,
                    numeric=(6,),
                )
            )
        if e.sensitivity:
            body += (
                f"<p>Sensitivity: {_e(e.sensitivity[0].scenario)} NPV with each ranged input at "
                "its low and high end, the others at base.</p>"
                + _figure(
                    tornado_figure(
                        e.sensitivity, e.analysis.scenario(e.sensitivity[0].scenario).npv
                    ),
                    "tornado",
                )
            )
        if e.break_even:
            rows = [
                [
                    label(b.key),
                    "—" if b.value is None else f"{b.value:,.2f}",
                    number(b.base),
                    b.meaning.replace(b.scenario, label(b.scenario), 1),
                ]
                for b in e.break_even.values()
            ]
            body += _table(["Input", "Break-even", "Base", "Meaning"], rows, numeric=(1, 2))
        if self.pilot is not None:
            p = self._params
            gaps = undeclared_needs(
                self.pilot,
                self.matrix,
                {k: p[k] for k in p.values if k.startswith("requirements.")},
            )
            if gaps:
                items = "".join(
                    f"<li>{_e(label(c))}: {n:,} residual sessions, yet <code>{_e(k)}</code> is "
                    "false</li>"
                    for c, k, n in gaps
                )
                body += (
                    "<p><b>The pilot contradicts the requirements.</b> The decision counts this "
                    "work as needed all the same; set the requirement to true to say so, or give "
                    "the work up explicitly with <code>decision.accept</code>:</p>"
                    f"<ul>{items}</ul>"
                )
        return _section("Sensitivity and risks", body or "<p>No ranged inputs.</p>")

    def assumptions(self) -> Html:
        """Illustrative inputs with their sources, and the defaults the run relied on."""
        e = self.evaluation
        rows = [
            [_input_label(e, d.key), _with_unit(d.key, d.value, d.range), d.source, d.key]
            for d in e.illustrative_details()
        ]
        body = ""
        if rows:
            body += '<div class="illustrative">Illustrative (not quoted facts):</div>' + _table(
                ["Input", "Value", "Source", "Parameter key"], rows
            )
        groups = group_costs(e.params)
        if groups:
            cur = currency_prefix(e.params["currency"])
            body += "<p>Remote Help licences per user group (remote_help.user_groups):</p>" + (
                _table(
                    [
                        "Group",
                        "Licence",
                        "Licensed users",
                        "Price per user per month",
                        "Per month",
                        "Source",
                        "Parameter key",
                    ],
                    [
                        [
                            g.name,
                            LICENCE_WORDS[g.licence]
                            + (" (Android dedicated: helpers only)" if g.android_dedicated else ""),
                            f"{g.licensed:,.0f}",
                            "—"
                            if g.licence == "included"
                            else f"{cur}{g.price_per_user_month:,.2f}"
                            + (" (illustrative)" if g.illustrative else ""),
                            f"{cur}{g.monthly_cost:,.2f}",
                            g.source,
                            g.key,
                        ]
                        for g in groups
                    ],
                    numeric=(2, 3, 4),
                )
            )
        defaults = [
            [label(d.key), _with_unit(d.key, d.value), d.source, d.key]
            for d in e.assumed_defaults()
        ]
        if defaults:
            body += "<p>Defaults used (not in the parameters file):</p>" + _table(
                ["Input", "Value", "Source", "Parameter key"], defaults
            )
        p = self._params
        cur = currency_prefix(p["currency"]).strip()
        body += (
            f"<p>Money is in {_e(cur)}"
            + (
                f" (price-book figures converted at {p['usd_rate']:g} per US$)"
                if p["currency"] != "USD" and p["usd_rate"]
                else ""
            )
            + ". Microsoft 365 E3/E5 licences are paid in every scenario, status quo included, "
            "so they are outside the comparison; no figure is invented for them.</p>"
        )
        body += (
            f"<p>Risk adjustment: savings reduced by "
            f"{p['risk_adjustment.benefit_haircut']:.0%}, new spend raised by "
            f"{p['risk_adjustment.cost_uplift']:.0%}.</p>"
        )
        return _section("Assumptions and illustrative figures", body)

    def readiness_checklist(self) -> Html:
        """What must be ready before the switch — this organisation's steps with owners, due
        dates and status, the endpoints its network team allows, its contract actions — and the
        open decisions (seed §5–10)."""
        c = checklist_for(self.evaluation)
        body = (
            f"<p>What the pilot needs is due before it starts on {long_date(c.anchor)}; "
            "contract actions by the notice deadline they serve. Steps are those of this "
            "environment (tenant cloud "
            f"{_e(self._params['tenant_cloud'])}, proxy {_e(self._params['environment.proxy'])}, "
            f"federation {_e(self._params['environment.federation'])}).</p>"
        )
        areas: dict[str, list[ChecklistRow]] = {}
        for row in c.rows:
            areas.setdefault(row.area, []).append(row)
        for area, rows in areas.items():
            body += f"<h3>{_e(area)}</h3>" + _table(
                ["", "Item", "Owner", "Due", "Status", "Source"],
                [["☐", r.item, r.owner, long_date(r.due), r.status, r.source] for r in rows],
            )
        if c.endpoints:
            body += (
                "<h3>Endpoints to allow</h3><p>Outbound, for helpers and sharers; exclude them "
                "from TLS inspection.</p>"
                + _table(
                    ["Destination", "Ports", "Purpose", "Source"],
                    [[x.fqdn, x.ports, x.purpose, x.source] for x in c.endpoints],
                )
            )
        if c.host_firewall:
            body += (
                "<h3>Host firewall: executables to allow</h3><ul>"
                + "".join(f"<li><code>{_e(x)}</code></li>" for x in c.host_firewall)
                + "</ul>"
            )
        body += "<h3>Open decisions</h3>" + _table(
            ["Decision", "Recommendation", "Source"],
            [[d.decision, d.recommendation, d.source] for d in c.decisions],
        )
        return _section("Readiness checklist", body)

    def provenance_note(self) -> Html:
        """Where these numbers come from."""
        prov = self.summary["provenance"]
        rows = [[k, v] for k, v in prov.items() if not isinstance(v, dict)]
        return _section(
            "Provenance",
            _table(["", ""], rows)
            + (f"<p class='small'>Rendered {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC.</p>"),
        )
