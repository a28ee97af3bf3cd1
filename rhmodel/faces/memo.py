"""The renewal pack as a decision memo: HTML sections the notebooks display, in order.

Every number comes from :func:`rhmodel.core.money.evaluation.evaluate` (and the pilot report);
this module only arranges and words them. Each section returns :class:`Html`, which Jupyter,
nbconvert and Voilà all display; charts are embedded as SVG so the exported HTML stands alone.

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
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rhmodel.core.capabilities import CapabilityMatrix
from rhmodel.core.coverage import held_contracts
from rhmodel.core.labels import humanise, label, source_words
from rhmodel.core.money.evaluation import Evaluation, group_costs, licensing_note
from rhmodel.core.money.timing import add_months
from rhmodel.core.money.uncertainty import ranged_inputs
from rhmodel.core.params.resolve import LICENCE_WORDS, group_spec
from rhmodel.core.pilot.evidence import PilotReport, undeclared_needs, with_teams
from rhmodel.core.products import CONTRACTS, REMOTE_HELP
from rhmodel.core.readiness import ChecklistRow, Readiness
from rhmodel.core.text import long_date, money_short, probability_text, visible
from rhmodel.edges.bundled import checklist_for, load_capabilities, load_readiness
from rhmodel.edges.pack_inputs import PackInputs, evaluate_pack, read_pack_inputs
from rhmodel.edges.provenance import summary_document
from rhmodel.faces.formatting import money, number, percent, rate, with_unit

__all__ = ["Html", "RenewalPack"]

_CSS = """
<style>
.rh-memo { font-family: Arial, "Liberation Sans", Helvetica, sans-serif; color: #1b1b1b;
           max-width: 1000px; line-height: 1.45; }
.rh-memo h1 { font-size: 1.8em; margin: 0.1em 0; }
.rh-memo h2 { font-size: 1.3em; border-bottom: 2px solid #1f4e79; padding-bottom: 0.2em;
              margin-top: 1.6em; break-after: avoid; page-break-after: avoid; }
.rh-memo h3 { font-size: 1.1em; break-after: avoid; page-break-after: avoid; }
.rh-memo .cover h2 { font-size: 1.1em; border: none; margin: 0.8em 0 0.2em; padding: 0; }
.rh-memo caption { caption-side: top; text-align: left; font-weight: bold; padding: 2px 0; }
.rh-memo caption.sr { position: absolute; width: 1px; height: 1px; overflow: hidden;
                      clip: rect(0 0 0 0); white-space: nowrap; }
.rh-memo .not-viable td { color: #595959; background: #f2f2f2; }
.rh-memo .mode-median { font-size: 0.92em; margin: 0.2em 0 0.5em; }
.rh-memo h2.new-page { break-before: page; page-break-before: always; }
.rh-memo .kicker { text-transform: uppercase; letter-spacing: 0.08em; color: #1f4e79;
                   font-weight: bold; margin: 0; }
.rh-memo table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.92em; width: 100%;
                 break-inside: auto; }
.rh-memo thead { display: table-header-group; }
.rh-memo tr { break-inside: avoid; page-break-inside: avoid; }
.rh-memo th { background: #1f4e79; color: #fff; text-align: left; padding: 4px 8px; }
.rh-memo tbody th { background: none; color: #1b1b1b; font-weight: bold;
                    border-bottom: 1px solid #ddd; vertical-align: top; }
.rh-memo td { border-bottom: 1px solid #ddd; padding: 4px 8px; vertical-align: top;
              overflow-wrap: break-word; }

/* JupyterLab's stylesheet right-aligns every table cell; a memo reads left to right */
.rh-memo table td, .rh-memo table th { text-align: left !important; }
.rh-memo table td.num, .rh-memo table th.num { text-align: right !important;
                        font-variant-numeric: tabular-nums; white-space: nowrap; }
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
.rh-memo .small { font-size: 0.85em; color: #4d4d4d; }
.rh-memo .toc ol { columns: 2; margin: 0.3em 0 1em; }
.rh-memo img { max-width: 100%; height: auto; break-inside: avoid; page-break-inside: avoid; }
/* each chart is drawn twice: at the printed page's width and at a phone's, never shrunk */
.rh-memo figure.chart { margin: 0.6em 0; break-inside: avoid; page-break-inside: avoid; }
.rh-memo img.chart { width: 100%; display: block; }
.rh-memo img.chart.phone { display: none; }
@media print {
  .rh-memo { max-width: none; font-size: 10pt; }
  /* page 1 holds the decision, evidence, caveat, chart and dated next steps: set tighter */
  .rh-memo .cover { break-after: page; page-break-after: always; font-size: 9.5pt;
                    line-height: 1.25; }
  .rh-memo .cover h1 { font-size: 1.6em; }
  .rh-memo .cover p { margin: 0.35em 0; }
  .rh-memo .cover .headline { margin: 0.3em 0; font-size: 1.2em; }
  .rh-memo .cover ul { margin: 0.2em 0; padding-left: 1.4em; }
  .rh-memo .cover .evidence { padding: 3px 10px; margin: 0.4em 0; }
  .rh-memo .cover figure.chart { margin: 0.3em 0; }
  .rh-memo .cover h2 { margin: 0.4em 0 0.1em; }
  .rh-memo .cover table { margin: 0.2em 0; }
  .rh-memo .cover td, .rh-memo .cover th { padding: 1px 6px; }
  .rh-memo .cover th:nth-child(1) { width: 20%; } .rh-memo .cover th:nth-child(2) { width: 22%; }
  .rh-memo a { color: inherit; text-decoration: none; }
}
/* A phone: each table row becomes a card whose cells carry their column's name. */
@media (max-width: 640px) {
  .rh-memo table, .rh-memo thead, .rh-memo tbody, .rh-memo tr, .rh-memo td,
  .rh-memo tbody th { display: block; width: auto; }
  .rh-memo tbody th { border: none; padding: 2px 4px; }
  .rh-memo caption { display: block; width: auto; }
  .rh-memo thead { display: none; }
  .rh-memo tr { border: 1px solid #ddd; margin: 0 0 8px; padding: 4px; }
  .rh-memo td { border: none; padding: 2px 4px; }
  .rh-memo td[data-label]::before { content: attr(data-label) ": "; font-weight: bold; }
  .rh-memo table td.num, .rh-memo td.nowrap { text-align: left !important;
    white-space: normal; }
  .rh-memo .toc ol { columns: 1; }
  .rh-memo img.chart.wide { display: none; }
  .rh-memo img.chart.phone { display: block; }
  .rh-memo td.nowrap { white-space: nowrap; }
  /* a long host name or path breaks rather than widening the page */
  .rh-memo p, .rh-memo li, .rh-memo td, .rh-memo code, .rh-memo h1 { overflow-wrap: anywhere; }
}
</style>
"""


def _e(value: Any) -> str:
    """Text from outside as inert HTML: escaped, control characters made visible."""
    return html.escape(visible("" if value is None else str(value)))


def _minus(text: str) -> str:
    """A sentence from the model with its negative amounts written with the true minus sign
    (``US$-1,234`` or ``-1,234`` → ``−US$1,234``, ``−1,234``)."""
    import re

    text = re.sub(r"(US\$|€|£|¥|[A-Z]{3}\u00a0)-(?=\d)", "\u2212\\1", text)
    return re.sub(r"(?<![\w-])-(?=\d)", "\u2212", text)


def _verdict_words(d: Any) -> str:
    """The decision's summary in words (labels, not ids)."""
    needs = ", ".join(label(n) for n in d.keep_for)
    if d.verdict == "right_size":
        return (
            "Move the internal attended help desk to Remote Help and keep a small incumbent "
            f"pool for {needs}."
        )
    return str(d.summary)


def _with_unit(key: str, value: Any, rng: Any = None, currency: str = "USD") -> str:
    """A parameter's value as people read it: ``€2,500 per seat per year``, ``5%``,
    ``12 months``; a range as ``€29–94 (most likely 45) per agent per month``; a setting in
    words."""
    from rhmodel.core.params import spec

    # a user group's figure (remote_help.user_groups[i].users) has a spec of its own
    unit = group_spec(key).unit if key.startswith("remote_help.user_groups[") else spec(key).unit
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return long_date(value)
    if isinstance(value, str):
        # a choice (``at_renewal``) in words; free text as written
        return label(value) if value in _SETTING_WORDS or "_" in value else value
    if not isinstance(value, int | float):
        return str(value)

    def one(x: float) -> str:
        return rate(x) if "fraction" in unit else number(x)

    if rng is not None:
        text = f"{one(rng.low)}–{one(rng.high)}"
        if rng.mode is not None:
            text += f" (most likely {one(rng.mode)})"
    else:
        text = one(value)
    if "fraction" in unit:
        return text
    return with_unit(unit, text, currency)


#: Setting values shown in words (the labels table holds them).
_SETTING_WORDS = frozenset(
    {
        "as_worked",
        "specialist_team",
        "commercial",
        "gcc",
        "gcc_high",
        "dod",
        "zscaler",
        "okta",
        "adfs",
        "addon",
        "plan2",
        "suite",
        "included",
        "frontline",
    }
)


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
    caption: str = "",
    show_caption: bool = False,
) -> str:
    """A table with a caption (shown, or for screen readers only where a heading above says the
    same), column headers with their scope (or, for a key-value table, each row's first cell as
    its header), numbers right-aligned under right-aligned headers."""
    # <thead> repeats on every printed page; data-label lets a phone show each row as a card
    out = ["<table>"]
    if caption:
        cls = "" if show_caption else ' class="sr"'
        out.append(f"<caption{cls}>{_e(caption)}</caption>")
    keyed = not any(header)  # a key-value table: no header row, each row names itself
    num = ' class="num"'
    if not keyed:
        out += [
            "<thead><tr>",
            *(
                f'<th scope="col"{num if j in numeric else ""}>{_e(h)}</th>'
                for j, h in enumerate(header)
            ),
            "</tr></thead>",
        ]
    out.append("<tbody>")
    for i, row in enumerate(rows):
        cls = f' class="{row_class[i]}"' if row_class and row_class[i] else ""
        out.append(f"<tr{cls}>")
        for j, cell in enumerate(row):
            text = cell if isinstance(cell, Html) else _e(cell)
            if keyed and j == 0:
                out.append(f'<th scope="row">{text}</th>')
                continue
            classes = [c for c, on in (("num", j in numeric), ("nowrap", j in nowrap)) if on]
            attr = f' class="{" ".join(classes)}"' if classes else ""
            if not keyed and j < len(header) and header[j]:
                attr += f' data-label="{_e(header[j])}"'
            out.append(f"<td{attr}>{text}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _figure(draw: Any, alt: str) -> str:
    """A chart drawn twice, for the printed page's width and for a phone's (each shown where it
    fits, neither shrunk), with ``alt``: the chart's message in a sentence. Its title is the
    chart's own title text, also given as the image's title."""
    from rhmodel.faces.plots import PHONE_WIDTH, PRINT_WIDTH, svg

    imgs = []
    for width, cls in ((PRINT_WIDTH, "wide"), (PHONE_WIDTH, "phone")):
        fig = draw(width)
        title = fig.get_suptitle().replace("\n", " ") or alt
        # SVG: sharp in print, text stays text (searchable in the PDF, in the page's font)
        data = base64.b64encode(svg(fig)).decode()
        imgs.append(
            f'<img class="chart {cls}" alt="{_e(alt)}" title="{_e(title)}" '
            f'src="data:image/svg+xml;base64,{data}"/>'
        )
    return '<figure class="chart">' + "".join(imgs) + "</figure>"


def _section(title: str, body: str, first: bool = False, new_page: bool = False) -> Html:
    classes = " ".join(c for c, on in (("first", first), ("new-page", new_page)) if on)
    cls = f' class="{classes}"' if classes else ""
    return Html(f'<div class="rh-memo"><h2 id="{_slug(title)}"{cls}>{_e(title)}</h2>{body}</div>')


#: The provenance fields in words (the JSON keys are the contract; the page reads words).
_PROVENANCE_WORDS = {
    "generated_at": "Generated at",
    "rhmodel_version": "rhmodel version",
    "parameters_file": "Parameters file",
    "parameters_sha256": "Parameters checksum (SHA-256)",
    "git_commit": "rhmodel commit",
    "python": "Python",
    "platform": "Platform",
}

#: Which bound decided a pool (:attr:`ToolSizing.bound <rhmodel.core.pilot.pool.ToolSizing>`),
#: in words.
_BOUND_WORDS = {
    "peak": "the most at once, plus headroom",
    "licence_usage_peak": "the licence-usage report's peak, plus headroom",
    "technicians": "the technicians who did the work",
    "specialist_team": "the specialist team",
    "no_work": "no residual work",
}

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


class Html(str):
    """A string of HTML that notebooks render as HTML."""

    def _repr_html_(self) -> str:
        return str(self)


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
        (:func:`rhmodel.edges.pack_inputs.write_pack_inputs`): the memo shows that one rather than
        evaluating again, so it matches ``summary.json`` and the workbook exactly.
        """
        if inputs_file:
            return cls.from_inputs(read_pack_inputs(inputs_file))
        # here, not at the top: the pack's kernel reads ``inputs_file`` and never parses YAML
        from rhmodel.edges.paramfile import load_parameters

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
        """The recommended plan as it is carried out (feasible timing, routed pools): every
        figure beside the headline comes from it."""
        a = self.evaluation.analysis
        return a.plan_result if a.plan_result is not None else a.scenario(a.recommended)

    def _first_renewal(self) -> Any:
        """The same plan with every change at its first renewal: the labelled comparison."""
        a = self.evaluation.analysis
        return a.scenario(a.recommended)

    def _spread(self) -> str:
        """The recommended plan's P10–P90, when simulated, for the headline."""
        e = self.evaluation
        rec = e.analysis.recommended
        if e.simulation is None or rec not in e.simulation.scenarios:
            return ""
        cur = self._params["currency"]
        r = e.simulation.scenarios[rec]
        return f" (P10–P90 {money_short(r.npv_p10, cur)} to {money_short(r.npv_p90, cur)})"

    def _mode_median(self) -> str:
        """Why the headline NPV is not the simulation's middle: it takes each range at its most
        likely value (the mode), while the median is the middle of every draw; with ranges that
        reach further up than down the two differ."""
        e = self.evaluation
        rec = e.analysis.recommended
        if e.simulation is None or rec not in e.simulation.scenarios:
            return ""
        cur = self._params["currency"]
        r = e.simulation.scenarios[rec]
        base = e.plan.npv if e.plan is not None else e.analysis.scenario(rec).npv
        where = "below" if base < r.npv_p50 - 0.5 else "above" if base > r.npv_p50 + 0.5 else "at"
        return (
            f"The single figure takes each uncertain input at its most likely value (the mode): "
            f"{money(base, cur)}, {where} the simulated median, "
            f"{money(r.npv_p50, cur)}"
            + (
                ", because the ranges reach further up than down."
                if where == "below"
                else ", because the ranges reach further down than up."
                if where == "above"
                else "."
            )
            + f" It saves money in {probability_text(r.p_npv_positive, e.simulation.draws)} of "
            f"{e.simulation.draws:,} draws."
        )

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

    def _next_steps(self, limit: int = 5) -> list[tuple[str, str, str]]:
        """Dated next steps in date order: the plan's notice letters (always shown: they carry
        the deadlines) and each owner's first readiness date, at most ``limit``."""
        c = checklist_for(self.evaluation)
        letters: list[tuple[dt.date, str, str]] = []
        for row in c.rows:
            if row.area == "Contract actions":
                # its first sentence (the notice and what it changes): the checklist has the rest
                what = row.item.split(": ", 1)[-1]
                first, sep, _rest = what.partition(". ")
                letters.append((row.due, row.owner, first + "." if sep else what))
        firsts: dict[str, tuple[dt.date, int]] = {}
        for row in c.rows:
            if row.area in ("Contract actions", "Residual pool operating model"):
                continue
            due, n = firsts.get(row.owner, (row.due, 0))
            firsts[row.owner] = (min(due, row.due), n + 1)
        starts = sorted(
            (due, owner, f"Start the readiness checklist ({n} item{'s' if n != 1 else ''})")
            for owner, (due, n) in firsts.items()
        )
        chosen = letters + starts[: max(0, limit - len(letters))]
        return [(long_date(d), who, what) for d, who, what in sorted(chosen)]

    def title(self) -> Html:
        """Page 1: the decision — what to do by when and what it is worth, the evidence in
        three bullets, caveats, one chart, dated next steps, and the cover's provenance line."""
        from rhmodel.faces.plots import decision_figure

        e = self.evaluation
        a = e.analysis
        p = self._params
        cur = p["currency"]
        org = p["organisation"] or "Remote support renewal"
        prov = self.summary["provenance"]
        generated = dt.datetime.fromisoformat(prov["generated_at"]).date()
        plan = e.plan
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
            body.append(f'<p class="headline">{_e(_minus(plan.headline))}{_e(self._spread())}</p>')
            if plan.deadline_sentence:
                # a better plan is possible only if the pilot ends earlier: say by when
                body.append(f'<p class="deadline"><b>{_e(_minus(plan.deadline_sentence))}</b></p>')
        if e.simulation is None and ranged_inputs(p):
            body.append(
                '<p class="small">Some inputs are ranges: run with --simulate N (for example '
                "rhmodel report --simulate 10000) for the plan's P10–P90 and probability of "
                "saving.</p>"
            )
        mode_median = self._mode_median()
        if mode_median:
            # beside the headline: why the single figure sits where it does in the spread
            body.append(f'<p class="mode-median">{_e(mode_median)}</p>')
        note = licensing_note(p)
        if note:
            # what the Remote Help licence figures rest on, beside the headline
            body.append(f'<p class="small licensing">{_e(humanise(note))}</p>')
            if plan is not None and plan.cost_of_waiting > 0.5:
                body.append(
                    f'<p class="small">Every change at its first renewal would be worth '
                    f"{money(plan.npv_first_renewal, cur)}: the renewals the pilot leaves time "
                    f"for cost {money(plan.cost_of_waiting, cur)} of that.</p>"
                )
        body.append(
            '<ul class="bullets">'
            + "".join(f"<li>{_e(b)}</li>" for b in self._evidence_bullets())
            + "</ul>"
        )
        cautions = [
            f"Coverage gap — {label(g.need)}: {humanise(g.reason)}" for g in a.coverage_gaps
        ]
        disagree = [c for c in a.decision.criteria if c.observed_sessions and not c.declared]
        if disagree:
            # where the pilot and the declared requirements disagree, page 1 says so
            n = sum(c.observed_sessions for c in disagree)
            cautions.append(
                f"The pilot found {n:,} sessions of work the declared requirements say is not "
                f"needed ({len(disagree)} of the needs above): the decision counts it as needed. "
                "Set those requirements to needed, or give the work up explicitly (parameter "
                "decision.accept)."
            )
        accepted = [c for c in a.decision.criteria if c.accepted]
        if accepted:
            cautions.append(
                "Decision taken: give up "
                + ", ".join(f"{label(c.id)} ({c.observed_sessions:,} sessions)" for c in accepted)
                + "."
            )
        if self.pilot is not None and self.pilot.unexplained_sessions:
            cautions.append(
                f"{self.pilot.unexplained_sessions:,} incumbent sessions are unexplained (no "
                "reason recorded): the pool could be larger; see the pilot evidence."
            )
        cautions += [f"Caveat: {humanise(c)}" for c in (plan.caveats if plan is not None else ())]
        if e.analysis.decision.facts_note:
            cautions.append(humanise(e.analysis.decision.facts_note))  # the facts are old
        if len(cautions) == 1:
            body.append(
                f'<div class="evidence"><b>Read before deciding:</b> {_e(cautions[0])}</div>'
            )
        elif cautions:
            body.append(
                '<div class="evidence"><b>Read before deciding.</b><ul>'
                + "".join(f"<li>{_e(c)}</li>" for c in cautions)
                + "</ul></div>"
            )
        body.append(_figure(lambda w: decision_figure(e, width=w), self._decision_alt()))
        steps = self._next_steps()
        if steps:
            body.append(
                '<h2 id="next-steps">Next steps</h2>'
                + _table(
                    ["By", "Who", "What"],
                    [list(x) for x in steps],
                    nowrap=(0, 1),
                    caption="Next steps, in date order",
                )
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

    def _decision_alt(self) -> str:
        """Page 1's chart in a sentence: what the plan saves by when, and when it turns."""
        e = self.evaluation
        plan = e.plan
        cur = self._params["currency"]
        if plan is None or not plan.monthly_savings:
            return "Cumulative savings of each scenario against status quo."
        total = sum(plan.monthly_savings)
        end = add_months(self._params["start_date"], len(plan.monthly_savings))
        running, turns = 0.0, None
        for m, x in enumerate(plan.monthly_savings, start=1):
            running += x
            if turns is None and running > 0 and m > 1:
                turns = m
        return (
            f"{label(plan.name)}: cumulative savings reach {money(total, cur)} by "
            f"{long_date(end)} (undiscounted)"
            + (
                f"; the running total turns positive in month {turns}, after the first "
                "renewal the plan changes."
                if turns
                else "."
            )
        )

    def executive_summary(self) -> Html:
        """Verdict, recommended scenario, NPV, payback, probability of saving, deadline."""
        e = self.evaluation
        a = e.analysis
        rec = self._recommended()
        plan = e.plan
        cur = self._params["currency"]
        spread = ""
        if e.simulation is not None and rec.name in e.simulation.scenarios:
            r = e.simulation.scenarios[rec.name]
            spread = (
                f" (P10–P90 {money(r.npv_p10, cur)} to {money(r.npv_p90, cur)}; the single "
                "figure takes each range at its most likely value, or its midpoint)"
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
                + "".join(f"<li>{_e(_minus(x.sentence))}</li>" for x in plan.actions)
                + "</ol>"
            )
        if a.coverage_gaps or (plan is not None and plan.caveats):
            items = [
                f"Coverage gap ({label(g.need)}): {humanise(g.reason)}" for g in a.coverage_gaps
            ]
            items += [f"Caveat: {humanise(c)}" for c in (plan.caveats if plan is not None else ())]
            lines.append(
                '<div class="evidence"><b>What the kept pools cannot do.</b><ul>'
                + "".join(f"<li>{_e(i)}</li>" for i in items)
                + "</ul></div>"
            )
        if a.decision.evidence_notes:
            # where the pilot and the declared requirements disagree, page 1 says so
            lines.append(
                '<div class="evidence"><b>What the pilot showed.</b><ul>'
                + "".join(f"<li>{_e(humanise(n))}</li>" for n in a.decision.evidence_notes)
                + "</ul></div>"
            )
        facts = [
            ("Recommended plan", label(rec.name)),
            (
                "NPV of the plan at the renewals it can make",
                money(plan.npv if plan is not None else rec.npv, cur) + spread,
            ),
            ("NPV with every change at its first renewal", money(self._first_renewal().npv, cur)),
            ("Undiscounted savings over the horizon", money(rec.savings, cur)),
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
                    f"{probability_text(sim.p_npv_positive, e.simulation.draws)} of "
                    f"{e.simulation.draws:,} draws",
                )
            )
        if e.timing:
            first = min(e.timing, key=lambda t: t.decision_deadline)
            facts.append(
                (
                    "Decision deadline (first notice date)",
                    f"{long_date(first.decision_deadline)} ({label(first.contract)}, "
                    f"{long_date(first.renewal_date)} renewal)",
                )
            )
            late = [t for t in e.timing if not t.pilot_fits]
            facts.append(
                (
                    "Pilot fits before every deadline",
                    "yes" if not late else "no: " + ", ".join(label(t.contract) for t in late),
                )
            )
            facts.append(
                ("Cost of missing the deadlines (NPV)", money(e.cost_of_delay_total(), cur))
            )
        for k in CONTRACTS:
            v = self._params.value(k.residual_key)
            if v.value is not None:
                where = {"pilot": "from the pilot", "file": "from the parameters file"}.get(
                    v.origin, f"from the {v.origin}"
                )
                facts.append(
                    (
                        f"Pool to keep: {k.short}",
                        f"{number(v.value)} {k.unit_for(self._params[k.metric_key])} ({where})",
                    )
                )
        body = "".join(lines) + _table(["", ""], facts, caption="The decision in figures")
        return _section("Executive summary", body, new_page=True)

    def decision(self) -> Html:
        """The replace-or-keep test with each criterion's reason."""
        d = self.evaluation.analysis.decision
        rows = [
            (label(c.id), "Pass" if c.passed else "Fail", humanise(c.explanation))
            for c in d.criteria
        ]
        body = (
            f"<p>The seed's replace-or-keep test (Section 4.4), applied to this "
            f"organisation's requirements. Verdict: <b>{_e(label(d.verdict))}</b>.</p>"
            + _table(
                ["Criterion", "Result", "Why"],
                rows,
                row_class=["pass" if c.passed else "fail" for c in d.criteria],
                caption="Each criterion of the replace-or-keep test",
            )
        )
        if d.keep_for:
            needs = ", ".join(label(n) for n in d.keep_for)
            body += f"<p>A specialist pool is kept for: <b>{_e(needs)}</b>.</p>"
        return _section("The replace-or-keep test", body)

    def _tei_table(self, name: str) -> str:
        """The Forrester TEI year table of one scenario (and, with a risk adjustment, the
        unadjusted one beside it)."""
        a = self.evaluation.analysis
        timed = name == a.recommended and a.plan_result is not None
        r = a.plan_result if timed else a.scenario(name)
        cur = self._params["currency"]

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
                    [
                        row_name,
                        *(money(v, cur) for v in values),
                        money(sum(values), cur),
                        money(present, cur),
                    ]
                )
            numeric = tuple(range(1, len(head)))
            return _table(head, lines, numeric=numeric, caption=title, show_caption=True)

        body = (
            f"<h3>Benefits and costs by year: {_e(label(name))} ({_e(cur)}, TEI layout)</h3>"
            "<p>Benefits: "
            "incumbent spend avoided against status quo. Costs: new spend (Remote Help licences "
            "and administration; Initial: the one-off costs of month 1). Net present value = "
            "PV of benefits − PV of costs.</p>"
        )
        if r.by_year_unadjusted:
            body += table(r.by_year, (r.pv_benefits, r.pv_costs), f"{label(name)}: risk-adjusted")
            body += table(
                r.by_year_unadjusted, (None, None), "Unadjusted (before the risk adjustment)"
            )
        else:
            body += table(r.by_year, (r.pv_benefits, r.pv_costs), f"{label(name)} by year")
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
                            f'<q class="quoted">{_e(dim.cells[p].text)}</q>'
                        )
                        for p in shown
                    ),
                ]
            )
        body = f"<p>From {_e(source_words(m.document))}, as of {long_date(m.as_of)}.</p>"
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
                        Html(f'<q class="quoted">{_e(c.seed_said)}</q>'),
                        c.now,
                        long_date(c.since) if c.since else "—",
                        source_words(c.source),
                    ]
                    for c in changes
                ],
                caption="Capability facts changed since the seed memo",
            )
        note = self.evaluation.analysis.decision.facts_note
        if note:
            body += f'<p class="illustrative-line">{_e(note)}</p>'
        body += _table(
            ["Dimension", *(m.product_short[p] for p in shown)],
            rows,
            caption="Capabilities, as the sources word them",
        )
        if others:
            body += (
                f"<p>Not held, so not shown: {_e(', '.join(others))} (<code>rhmodel matrix</code> "
                "lists every product).</p>"
            )
        strengths = "".join(
            f'<li><b>{_e(s.label)}</b>: <q class="quoted">{_e(s.text)}</q></li>'
            for s in m.incumbent_strengths
        )
        body += (
            "<h3>Where the incumbents are still stronger (seed memo, Section 4.2)</h3>"
            f"<ul>{strengths}</ul>"
        )
        return _section("Capability comparison", body)

    def scenarios(self) -> Html:
        """Scenario table, cumulative savings and (with simulation) the NPV distribution;
        scenarios that are not viable are shown apart (grey, no NPV in the charts)."""
        from rhmodel.faces.plots import (
            comparison_figure,
            cumulative_savings_figure,
            npv_distribution_figure,
            year_figure,
        )

        a = self.evaluation.analysis
        p = self._params
        cur = p["currency"]
        rows, classes = [], []
        for s in a.scenarios:
            rows.append(
                [
                    label(s.name) + (" (recommended)" if s.name == a.recommended else ""),
                    "yes" if s.viable else "no",
                    money(s.total_cost, cur),
                    money(s.savings, cur),
                    money(s.npv, cur) if s.viable else "not viable",
                    percent(s.roi) if s.viable else "—",
                    "—"
                    if s.name == "status_quo" or not s.viable
                    else "never"
                    if s.payback_months is None
                    else f"{s.payback_months} months",
                    humanise(s.why),
                ]
            )
            classes.append(
                "recommended" if s.name == a.recommended else "" if s.viable else "not-viable"
            )
        viable = [s for s in a.scenarios if s.viable and s.name != "status_quo"]
        best = max(viable, key=lambda s: s.npv, default=None)
        body = (
            f"<p>{_e(cur)} over the horizon. Savings and NPV are against status quo; NPV "
            f"discounts at {rate(p['discount_rate'])} a year; ROI = NPV / PV of new spend "
            "(Remote Help licences and transition costs). A scenario that is not viable is "
            "shown grey, without an NPV.</p>"
            + _table(
                [
                    "Scenario",
                    "Viable",
                    "Total cost",
                    "Savings",
                    "NPV",
                    "ROI",
                    "Payback",
                    "What it means",
                ],
                rows,
                numeric=(2, 3, 4, 5, 6),
                row_class=classes,
                caption="Scenarios over the horizon",
            )
            + _figure(
                lambda w: cumulative_savings_figure(a, width=w),
                "Cumulative savings against status quo by date"
                + (
                    f": {label(best.name)} saves {money(best.savings, cur)} over the horizon"
                    + (
                        f" and pays back in {best.payback_months} months."
                        if best.payback_months is not None
                        else "."
                    )
                    if best is not None
                    else ": no viable scenario saves money."
                ),
            )
            + _figure(
                lambda w: comparison_figure(a, width=w),
                "Cost over the horizon by component: "
                + "; ".join(f"{label(s.name)} {money(s.total_cost, cur)}" for s in a.scenarios)
                + ".",
            )
        )
        subject = a.scenario(a.subject)
        body += self._tei_table(a.subject) + _figure(
            lambda w: year_figure(a, a.subject, width=w),
            f"{label(a.subject)}: benefits and costs by year; net "
            + ", ".join(
                f"{'initial' if i == 0 else f'year {y.year}'} {money(y.net, cur)}"
                for i, y in enumerate(subject.by_year)
            )
            + ".",
        )
        # every combination of actions weighed, each with why it is (not) viable
        plan_rows = [
            [
                label(o.name) + (" (recommended)" if o.name == a.recommended else ""),
                "yes" if o.viable else "no",
                money(a.option_npv[o.name], cur) if o.viable else "not viable",
                humanise(o.why) + "".join(f" Caveat: {humanise(c)}" for c in o.caveats),
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
                row_class=[
                    "recommended" if o.name == a.recommended else "" if o.viable else "not-viable"
                    for o in a.options
                ],
                caption="Plans weighed",
            )
        )
        sim = self.evaluation.simulation
        if sim is not None:
            nv = {s.name for s in a.scenarios if not s.viable}
            rows = [
                [
                    label(n),
                    money(r.npv_mean, cur),
                    money(r.npv_p10, cur),
                    money(r.npv_p50, cur),
                    money(r.npv_p90, cur),
                    probability_text(r.p_npv_positive, sim.draws),
                ]
                for n, r in sim.scenarios.items()
                if n not in nv
            ]
            apart = [label(n) for n in sim.scenarios if n in nv]
            rec = sim.scenarios.get(a.recommended)
            body += (
                "<h3>Uncertainty: the simulation</h3>"
                f"<p>Monte Carlo: {sim.draws:,} draws of every ranged input together ("
                + _e(", ".join(label(k) for k in sim.inputs))
                + ").</p>"
                + _table(
                    ["Scenario", "NPV mean", "P10", "Median (P50)", "P90", "NPV > 0 in"],
                    rows,
                    numeric=(1, 2, 3, 4, 5),
                    caption="Simulated NPV of each viable scenario",
                )
                + (
                    f"<p class='small'>Not viable, so not simulated here: "
                    f"{_e(', '.join(apart))}.</p>"
                    if apart
                    else ""
                )
                + _figure(
                    lambda w: npv_distribution_figure(
                        sim,
                        illustrative=bool(p.illustrative_inputs()),
                        currency=cur,
                        not_viable=nv,
                        width=w,
                    ),
                    "Simulated NPV distribution"
                    + (
                        f": {label(a.recommended)} saves money in "
                        f"{probability_text(rec.p_npv_positive, sim.draws)} of draws, P10 "
                        f"{money(rec.npv_p10, cur)} to P90 {money(rec.npv_p90, cur)}."
                        if rec is not None
                        else "."
                    ),
                )
            )
        body += self._budget()
        return _section("Scenarios", body)

    def _budget(self) -> str:
        """The budget view: spend per fiscal year, status quo against the plan, per contract
        and Remote Help (what a budget owner puts into next year's plan)."""
        b = self.evaluation.budget
        if b is None or not b.rows:
            return ""
        cur = self._params["currency"]
        first = dt.date(2000, b.first_month_of_year, 1).strftime("%B")
        years = [
            f"{r.fiscal_year} ({r.months} mo)" if r.months != 12 else r.fiscal_year for r in b.rows
        ]
        totals = [
            [
                y,
                money(r.status_quo_total, cur),
                money(r.plan_total, cur),
                money(r.saving, cur),
            ]
            for y, r in zip(years, b.rows, strict=True)
        ]
        totals.append(
            [
                "Total",
                money(b.total("status_quo"), cur),
                money(b.total("plan"), cur),
                money(b.total("status_quo") - b.total("plan"), cur),
            ]
        )
        detail = []
        for k in b.components:
            for which, name in (("status_quo", "renewed as is"), ("plan", "the plan")):
                values = [getattr(r, which)[k] for r in b.rows]
                if not any(values):
                    continue
                detail.append(
                    [
                        f"{label(k)}, {name}",
                        *(money(v, cur) for v in values),
                        money(sum(values), cur),
                    ]
                )
        return (
            f"<h3>Budget by fiscal year ({_e(cur)}, undiscounted)</h3>"
            f"<p>Spend in each fiscal year starting in {_e(first)} (parameter "
            "calendar.fiscal_year_start): renewing every contract as it is against "
            f"{_e(label(b.plan))} at the renewals it can make. A partial year at either end "
            "covers only the analysis months in it; the totals are the horizon's.</p>"
            + _table(
                ["Fiscal year", "Status quo", "Plan", "Saving"],
                totals,
                numeric=(1, 2, 3),
                caption="Budget by fiscal year: status quo against the plan",
                show_caption=True,
            )
            + _table(
                ["", *years, "Total"],
                detail,
                numeric=tuple(range(1, len(years) + 2)),
                caption="Spend per contract and Remote Help by fiscal year",
                show_caption=True,
            )
        )

    def pilot_evidence(self) -> Html:
        """Residual work from the pilot and the pool it justifies, with the rule."""
        r = self.pilot
        if r is None:
            return _section(
                "Pilot evidence",
                "<p>No pilot exports were given (to give them, edit the parameter "
                "<code>pilot.files</code>): the pool to keep comes from the parameters "
                "(<code>residual.*</code>).</p>",
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
        body = _table(["", ""], facts, numeric=(1,), caption="The pilot's sessions")
        # the pools as the parameters were filled from them: with pilot.teams, each team's own
        # pool is part of its tool's
        pooled = self._teamed_pilot() or r
        body += "".join(f'<p class="small">Note: {_e(humanise(w))}</p>' for w in r.warnings)
        rows = [
            [
                label(t),
                (z.unit or z.metric.replace("_", " ")),
                z.peak_concurrent_technicians,
                z.distinct_technicians,
                f"{z.daily_peak_max:,} / {z.daily_peak_p95:,.1f}",
                z.erlang_b_servers,
                z.recommended_licenses,
            ]
            for t, z in pooled.tools.items()
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
            nowrap=(4,),
            caption="The pool each incumbent needs, from the pilot",
        )
        # the rules are paragraphs: notes below the table, not a one-word-wide column
        body += "".join(
            f"<p><b>{_e(label(t))}: keep {z.recommended_licenses}.</b> {_e(humanise(z.rule))}</p>"
            for t, z in pooled.tools.items()
        )
        body += self._team_pools()
        pools = "; ".join(f"{label(t)} {z.recommended_licenses}" for t, z in r.tools.items())
        body += _figure(
            lambda w: daily_peaks_figure(r, width=w),
            f"Daily peaks of each incumbent over the pilot against the pool recommended ({pools}).",
        )
        body += self._unexplained(r)
        body += self._pilot_weeks()
        return _section("Pilot evidence and the residual pool", body)

    def _teamed_pilot(self) -> PilotReport | None:
        """The pilot report with each ``pilot.teams`` team's pools (``None`` without a team):
        the one the parameters' pools were filled from, else made here the same way."""
        declared = self._params["pilot.teams"] or ()
        if self.pilot is None or not declared:
            return None
        carried = self._params.pilot
        if isinstance(carried, PilotReport) and carried.teams:
            return carried
        return with_teams(self.pilot, declared)

    def _team_pools(self) -> str:
        """Per tool, each ``pilot.teams`` team's own pool (``rhmodel pool --params`` shows the
        same): who, how much work, the licences it needs and keeps, and which bound decided.
        Nothing when no team is declared."""
        r = self._teamed_pilot()
        if r is None or not r.teams:
            return ""
        declared = {t.name: t for t in self._params["pilot.teams"]}
        out = (
            "<h3>Pools per team</h3><p>Each team declared (parameter <code>pilot.teams</code>) "
            "keeps its work on the "
            "incumbent, and its pool is sized from its own sessions; a tool's pool to keep is "
            "its teams' pools plus the rest of the help desk's.</p>"
        )
        for tool, teams in r.teams.items():
            unit = next((z.unit for z in teams.values() if z.unit), "licences")
            rows = [
                [
                    name,
                    f"{z.distinct_technicians:,} of {len(declared[name].technicians):,}"
                    if name in declared
                    else f"{z.distinct_technicians:,}",
                    f"{z.routed_sessions:,}",
                    f"{z.sized_need:,}",
                    f"{z.kept:,}",
                    _BOUND_WORDS.get(z.bound, label(z.bound) if z.bound else "—"),
                ]
                for name, z in teams.items()
            ]
            out += _table(
                [
                    "Team",
                    "Technicians (seen of declared)",
                    "Routed sessions",
                    "Sized need",
                    "Licences kept",
                    "Decided by",
                ],
                rows,
                numeric=(1, 2, 3, 4),
                caption=f"{label(tool)}: each team's own pool ({unit})",
                show_caption=True,
            )
        return out

    def _pilot_weeks(self) -> str:
        """The pilot week by week (``rhmodel pilot status``) when it is collected as a process
        (``pilot.store`` or ``pilot.sources``); otherwise one line saying how to see it. The
        sufficiency check re-sizes the pool many times, so a pack of exports alone skips it."""
        p = self._params
        if not (p["pilot.store"] or p["pilot.sources"]):
            return (
                "<p class='small'>Week by week: rhmodel pilot status with these parameters "
                "shows how the residual share and the pools moved, and whether the evidence is "
                "sufficient; collect the pilot into a store (parameter pilot.store) to have it "
                "in the pack.</p>"
            )
        from rhmodel.faces.pilot_commands import status_of

        st = status_of(p, replicates=20)
        tools = sorted({t for w in st.weeks for t in w.pool})
        rows = []
        for w in st.weeks:
            rows.append(
                [
                    w.week,
                    number(sum(w.sessions_by_tool.values())),
                    percent(w.residual_share),
                    number(w.unexplained),
                    *(number(w.pool.get(t, 0)) for t in tools),
                    "moved"
                    if w.change_probability is None
                    else probability_text(w.change_probability, 20),
                    "Yes" if w.sufficient else "No",
                ]
            )
        warnings = [x for x in (st.retention_warning, st.deadline_warning) if x]
        return (
            "<h3>The pilot week by week</h3>"
            "<p>Each week's figures are as if the pilot had ended at that week's end. "
            "Chance of change: how often leaving 14 of the pilot's days out changes a pool "
            "(20 subsamples). "
            f"<b>{_e(humanise(st.verdict[:1].upper() + st.verdict[1:]))}.</b></p>"
            + _table(
                [
                    "Week",
                    "Sessions",
                    "Residual",
                    "Unexplained",
                    *(f"Pool: {label(t)}" for t in tools),
                    "Chance of change",
                    "Sufficient",
                ],
                rows,
                numeric=tuple(range(1, 4 + len(tools) + 1)),
                caption="The pilot week by week",
                show_caption=True,
            )
            + "".join(f'<p class="small">Warning: {_e(humanise(x))}</p>' for x in warnings)
        )

    def _unexplained(self, r: PilotReport, limit: int = 30) -> str:
        """The incumbent sessions nobody can explain yet: the list to chase."""
        if not r.unexplained_sessions:
            return ""
        s = r.records[r.records["klass"] == "unexplained"].sort_values("start")
        rows = [
            [
                label(x.tool),
                x.session_id,
                dt.datetime.fromtimestamp(x.start, dt.UTC).strftime("%Y-%m-%d %H:%M"),
                x.technician,
                x.ticket,
                f"{Path(x.file).name}, line {x.line:,}",
            ]
            for x in s.head(limit).itertuples()
        ]
        wider = "; ".join(
            f"{label(t)}: {z.recommended_licenses} for residual work, "
            f"{z.recommended_licenses_with_unexplained} with the unexplained"
            for t, z in r.tools.items()
        )
        more = f" (the first {limit} shown)" if len(s) > limit else ""
        return (
            f"<h3>Unexplained sessions to chase: {r.unexplained_sessions:,}{more}</h3>"
            "<p>The export cannot tell whether Remote Help could have served these, and no "
            "reason covers them. They are not counted as movable. Pool to keep: "
            f"{_e(wider)}.</p>"
            + _table(
                ["Tool", "Session", "Start (UTC)", "Technician", "Ticket", "Export file"],
                rows,
                caption="Unexplained sessions",
            )
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
                    f"{f.records:,}",
                    *([counted_for(f.format, f.counted_for) if f.counted_for else ""] * shared),
                ]
                for f in r.files
            ],
            numeric=(2,),
            caption="The pilot's export files",
        )
        peaks = "; ".join(
            f"{label(t)} peak {z.peak_concurrent_sessions}, keep {z.recommended_licenses}"
            for t, z in r.tools.items()
        )
        return _section(
            "Pilot detail",
            files
            + _figure(
                lambda w: concurrency_figure(r, width=w),
                f"Residual sessions in use over the pilot: {peaks}.",
            )
            + _figure(
                lambda w: time_at_or_above_figure(r, width=w),
                "Share of the pilot with N or more in use, per tool, beside the pool "
                "recommended: the pool covers all but a sliver of the time.",
            ),
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
                    "yes" if t.pilot_fits else "no",
                    f"{t.slack_days:,} days",
                    money(t.cost_of_delay, self._params["currency"]),
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
                    numeric=(5, 6),
                    nowrap=(1, 2, 3, 5),
                    caption="Renewals and notice deadlines",
                )
            )
        if e.sensitivity:
            cur = self._params["currency"]
            subject = e.sensitivity[0].scenario
            base = e.analysis.scenario(subject).npv
            top = e.sensitivity[0]
            body += (
                f"<p>Sensitivity: the {_e(label(subject))} NPV with each ranged input at "
                "its low and high end, the others at base.</p>"
                + _figure(
                    lambda w: tornado_figure(
                        e.sensitivity,
                        base,
                        illustrative=bool(self._params.illustrative_inputs()),
                        currency=cur,
                        width=w,
                    ),
                    f"What moves the {label(subject)} NPV most: {label(top.key)}, from "
                    f"{money(min(top.npv_low, top.npv_high), cur)} to "
                    f"{money(max(top.npv_low, top.npv_high), cur)} around the base case "
                    f"{money(base, cur)}.",
                )
            )
        if e.break_even:
            cur = self._params["currency"]
            rows = [
                [
                    label(b.key),
                    "—" if b.value is None else _with_unit(b.key, b.value, None, cur),
                    _with_unit(b.key, b.base, None, cur),
                    humanise(_minus(b.meaning.replace(b.scenario, label(b.scenario), 1))),
                ]
                for b in e.break_even.values()
            ]
            body += _table(
                ["Input", "Break-even", "Base", "Meaning"],
                rows,
                numeric=(1, 2),
                caption="Break-even: the value of each input at which the NPV is zero",
            )
        if self.pilot is not None:
            p = self._params
            gaps = undeclared_needs(
                self.pilot,
                self.matrix,
                {k: p[k] for k in p.values if k.startswith("requirements.")},
            )
            if gaps:
                items = "".join(
                    f"<li>{_e(label(c))}: {n:,} residual sessions, yet it is set to not needed "
                    f"(parameter <code>{_e(k)}</code>)</li>"
                    for c, k, n in gaps
                )
                body += (
                    "<p><b>The pilot contradicts the requirements.</b> The decision counts this "
                    "work as needed all the same; set the requirement to true to say so, or give "
                    "the work up explicitly (parameter <code>decision.accept</code>):</p>"
                    f"<ul>{items}</ul>"
                )
        return _section("Sensitivity and risks", body or "<p>No ranged inputs.</p>")

    def assumptions(self) -> Html:
        """Illustrative inputs with their sources, and the defaults the run relied on; each row
        names the parameter key to edit to replace it."""
        e = self.evaluation
        p = self._params
        cur = p["currency"]
        rows = [
            [
                _input_label(e, d.key),
                _with_unit(d.key, d.value, d.range, cur),
                humanise(d.source),
                Html(f"<code>{_e(d.key)}</code>"),
            ]
            for d in e.illustrative_details()
        ]
        body = ""
        if rows:
            body += '<div class="illustrative">Illustrative (not quoted facts):</div>' + _table(
                ["Input", "Value", "Source", "Parameter key to edit"],
                rows,
                caption="Illustrative inputs",
            )
        groups = group_costs(e.params)
        if groups:
            body += (
                "<p>Remote Help licences per user group (to edit: the parameter "
                "<code>remote_help.user_groups</code>):</p>"
                + _table(
                    [
                        "Group",
                        "Licence",
                        "Licensed users",
                        "Price per user per month",
                        "Per month",
                        "Source",
                        "Parameter key to edit",
                    ],
                    [
                        [
                            g.name,
                            LICENCE_WORDS[g.licence]
                            + (" (Android dedicated: helpers only)" if g.android_dedicated else ""),
                            f"{g.licensed:,.0f}",
                            "—"
                            if g.licence == "included"
                            else money(g.price_per_user_month, cur, 2)
                            + (" (illustrative)" if g.illustrative else ""),
                            money(g.monthly_cost, cur),
                            humanise(g.source),
                            Html(f"<code>{_e(g.key)}</code>"),
                        ]
                        for g in groups
                    ],
                    numeric=(2, 3, 4),
                    caption="Remote Help licences per user group",
                )
            )
        defaults = [
            [
                label(d.key),
                _with_unit(d.key, d.value, None, cur),
                humanise(d.source),
                Html(f"<code>{_e(d.key)}</code>"),
            ]
            for d in e.assumed_defaults()
        ]
        if defaults:
            body += "<p>Defaults used (not in the parameters file):</p>" + _table(
                ["Input", "Value", "Source", "Parameter key to edit"],
                defaults,
                caption="Defaults used",
            )
        body += (
            f"<p>Money is in {_e(p['currency'])}, in whole units"
            + (
                f" (price-book figures, published in US dollars, converted at "
                f"{p['usd_rate']:g} {_e(p['currency'])} to the US dollar)"
                if p["currency"] != "USD" and p["usd_rate"]
                else ""
            )
            + ". Microsoft 365 E3/E5 licences are paid in every scenario, status quo included, "
            "so they are outside the comparison; no figure is invented for them.</p>"
        )
        body += (
            f"<p>Risk adjustment: savings reduced by "
            f"{rate(p['risk_adjustment.benefit_haircut'])}, new spend raised by "
            f"{rate(p['risk_adjustment.cost_uplift'])}.</p>"
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
            f"{_e(label(self._params['tenant_cloud']))}, web proxy "
            f"{_e(label(self._params['environment.proxy']))}, identity federation "
            f"{_e(label(self._params['environment.federation']))}).</p>"
        )
        areas: dict[str, list[ChecklistRow]] = {}
        for row in c.rows:
            areas.setdefault(row.area, []).append(row)
        for area, rows in areas.items():
            body += f"<h3>{_e(area)}</h3>" + _table(
                ["Done", "Item", "Owner", "Due", "Status", "Source"],
                [
                    [
                        "☐",
                        humanise(r.item),
                        r.owner,
                        long_date(r.due),
                        r.status,
                        source_words(r.source),
                    ]
                    for r in rows
                ],
                nowrap=(3,),
                caption=f"Readiness: {area}",
            )
        if c.endpoints:
            body += (
                "<h3>Endpoints to allow</h3><p>Outbound, for helpers and sharers; exclude them "
                "from TLS inspection.</p>"
                + _table(
                    ["Destination", "Ports", "Purpose", "Source"],
                    [[x.fqdn, x.ports, x.purpose, source_words(x.source)] for x in c.endpoints],
                    caption="Endpoints to allow",
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
            [
                [humanise(d.decision), humanise(d.recommendation), source_words(d.source)]
                for d in c.decisions
            ],
            caption="Open decisions",
        )
        return _section("Readiness checklist", body)

    def provenance_note(self) -> Html:
        """Where these numbers come from."""
        prov = self.summary["provenance"]
        rows = [
            [_PROVENANCE_WORDS.get(k, k.replace("_", " ").capitalize()), v]
            for k, v in prov.items()
            if not isinstance(v, dict)
        ]
        now = dt.datetime.now(dt.UTC)
        return _section(
            "Provenance",
            _table(["", ""], rows, caption="Where these numbers come from")
            + (f"<p class='small'>Rendered {long_date(now.date())} at {now:%H:%M} UTC.</p>"),
        )
