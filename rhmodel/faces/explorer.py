"""The scenario explorer: ipywidgets over the model, served by Voilà (``rhmodel explore``).

Every change of a control re-evaluates the parameters with
:func:`rhmodel.core.money.evaluation.evaluate` and redraws the verdict, the scenario table, the
cumulative-savings chart and (with simulation on) the NPV distribution. Invalid inputs show one
clear message and leave the last valid result on screen. The explorer computes nothing itself:
it edits parameters and displays results.

Examples
--------
>>> from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE
>>> app = Explorer.from_file(SAMPLE_PARAMS_FILE)
>>> app.controls["logmein.price_per_agent_month"].value = 94.0
>>> app.evaluation.params["logmein.price_per_agent_month"]
94.0
>>> app.controls["residual.logmein_agents"].value = 500   # more than the 60 held
>>> "larger than the current" in app.message.value
True
>>> app.evaluation.params["residual.logmein_agents"] < 60   # the last valid result stays
True
>>> app.controls["discount_rate"].value                   # a rate reads as a percentage
10.0
"""

from __future__ import annotations

import base64
import html
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ipywidgets as w

from rhmodel.core.capabilities import CapabilityMatrix
from rhmodel.core.coverage import held_contracts
from rhmodel.core.labels import LABELS, humanise, label
from rhmodel.core.money.evaluation import Evaluation, evaluate
from rhmodel.core.params import SCHEMA, Parameters, spec
from rhmodel.core.products import CONTRACTS, REASON_CODES
from rhmodel.core.text import probability_text
from rhmodel.edges.bundled import load_capabilities
from rhmodel.edges.paramfile import load_parameters, save_parameters
from rhmodel.errors import InputError
from rhmodel.faces.formatting import money, percent, rate

__all__ = ["CONTROLS", "Control", "Explorer", "app"]


@dataclass(frozen=True)
class Control:
    """One input of the explorer: the parameter it edits, its label and its step.

    Its kind and bounds are the parameter schema's (:func:`rhmodel.core.params.spec`), so the
    explorer accepts exactly what a parameters file accepts, and says so when a value is not.
    """

    key: str
    label: str
    step: float = 1
    #: The box shows the parameter times this (100: a rate, a fraction in the file, reads as
    #: a percentage).
    scale: float = 1

    @property
    def contract(self) -> str | None:
        """The incumbent contract the key belongs to (its section or its pool), if any."""
        for c in CONTRACTS:
            if self.key.startswith(f"{c.name}.") or self.key == c.residual_key:
                return c.name
        return None

    @property
    def kind(self) -> str:
        """``int``, ``float``, ``choice``, ``need`` or ``accepts``, as the schema declares."""
        return spec(self.key).kind

    @property
    def low(self) -> float | None:
        """The schema's lower bound (``None``: unbounded)."""
        return spec(self.key).minimum

    @property
    def high(self) -> float | None:
        """The schema's upper bound (``None``: unbounded; exclusive where the schema says)."""
        return spec(self.key).maximum


def _controls() -> tuple[Control, ...]:
    per_contract = []
    for c in CONTRACTS:
        per_contract += [
            Control(c.count_key, f"{c.short} {c.count_unit}"),
            Control(c.price_key, f"{c.short} price", 0.5 if c.price_divisor == 1 else 50),
            Control(c.key("months_to_renewal"), f"{c.short} months to renewal"),
        ]
    needs = tuple(Control(s.key, label(s.key)) for s in SCHEMA if s.kind == "need")
    return (
        *per_contract,
        *(Control(c.residual_key, f"{c.short} {c.unit} to keep") for c in CONTRACTS),
        *needs,
        Control("tenant_cloud", "Tenant cloud"),
        Control("decision.accept", "Work given up by decision"),
        Control("remote_help.licensing", "Remote Help licensing"),
        Control("remote_help.licensed_users", "Remote Help licensed users"),
        Control("discount_rate", "Discount rate", 0.5, scale=100),
        Control("horizon_months", "Horizon"),
    )


#: The inputs that move the answer most.
CONTROLS: tuple[Control, ...] = _controls()
#: The controls whose box shows a scaled value (a rate as a percentage).
_SCALE = {c.key: c.scale for c in CONTROLS if c.scale != 1}


#: Draws when the simulation is on: the pack's default (``rhmodel report --simulate``, 10,000),
#: with the pack's seed, so its P10–P90 equal the pack's for the same inputs.
SIMULATION_DRAWS = 10_000
SIMULATION_SEED = 0

_STYLE = """<style>
.rh-explorer { width: 100%; box-sizing: border-box;
               font-family: Arial, "Liberation Sans", Helvetica, sans-serif; color: #1b1b1b; }
.rh-explorer .widget-gridbox { grid-gap: 6px 14px; }
.rh-explorer .rh-label { font-weight: 600; font-size: 13px; white-space: normal; }
.rh-explorer .rh-unit { color: #4d4d4d; font-size: 12px; white-space: normal; }
.rh-explorer .rh-group { margin: 10px 0 4px; color: #1f4e79; }
.rh-explorer table { border-collapse: collapse; width: 100%; font-size: 13px; }
.rh-explorer td, .rh-explorer th { padding: 3px 6px; border-bottom: 1px solid #ddd;
                                   text-align: left; }
.rh-explorer td.num, .rh-explorer th.num { text-align: right; white-space: nowrap;
                                           font-variant-numeric: tabular-nums; }
.rh-explorer tr.not-viable td { color: #595959; background: #f2f2f2; }
.rh-explorer .rh-headline { font-size: 16px; margin: 4px 0; color: #10365a; }
.rh-explorer .rh-chart img, .rh-explorer .rh-chart svg { width: 100%; height: auto; }
.rh-explorer img.phone { display: none; }
.rh-explorer .widget-html-content { white-space: normal; }
/* A laptop: the controls on the left, the results beside them, each pane scrolling on its
   own within the screen's height, so an input and its effect are always seen together. */
.rh-explorer .rh-layout { display: flex; flex-flow: row nowrap; gap: 16px;
                          align-items: flex-start; }
.rh-explorer .rh-controls { flex: 1 1 50%; min-width: 0; max-height: calc(100vh - 24px);
                            overflow-y: auto !important; }
.rh-explorer .rh-results { flex: 1 1 50%; min-width: 0; max-height: calc(100vh - 24px);
                           overflow-y: auto !important; }
/* inside a pane of fixed height, nothing is squashed: the pane scrolls instead */
.rh-explorer .rh-controls > *, .rh-explorer .rh-results > *,
.rh-explorer .rh-controls .widget-vbox > * { flex-shrink: 0; }
@media (max-width: 900px) {
  .rh-explorer .rh-layout { flex-flow: column nowrap; }
  .rh-explorer .rh-results { max-height: none; overflow: visible !important; order: -1;
                             width: 100%; }
  .rh-explorer .rh-controls { max-height: none; overflow: visible !important; width: 100%; }
}
/* A phone: each scenario is a card that keeps every figure (NPV and payback included). */
@media (max-width: 640px) {
  .rh-explorer .rh-table table, .rh-explorer .rh-table tbody, .rh-explorer .rh-table tr,
  .rh-explorer .rh-table td { display: block; width: auto; }
  .rh-explorer .rh-table thead { display: none; }
  .rh-explorer .rh-table caption { display: block; width: auto; }
  .rh-explorer .rh-table tr { border: 1px solid #ddd; margin: 0 0 6px; padding: 3px; }
  .rh-explorer .rh-table td { border: none; padding: 1px 4px; text-align: left; }
  .rh-explorer .rh-table td[data-label]::before { content: attr(data-label) ": ";
                                                  font-weight: bold; }
  .rh-explorer img.wide { display: none; }
  .rh-explorer img.phone { display: block; }
}
</style>"""


def _group(key: str) -> str:
    if key.startswith("requirements.") or key in ("tenant_cloud", "decision.accept"):
        return "What the organisation needs"
    if key.startswith((*(f"{c.name}." for c in CONTRACTS), "residual.")):
        return "Contracts and the pool kept"
    return "Remote Help and the analysis"


def _grid(cells: list[w.Widget]) -> w.GridBox:
    return w.GridBox(
        cells,
        layout=w.Layout(
            grid_template_columns="repeat(auto-fill, minmax(260px, 1fr))",
            width="100%",
        ),
    )


def _svg(draw: Any, alt: str) -> str:
    """A chart as inline, standalone SVG in <img>s, drawn for a laptop's width and redrawn for
    a phone's (each shown where it fits, neither shrunk), no script."""
    from rhmodel.faces.plots import PHONE_WIDTH, PRINT_WIDTH, svg

    out = []
    for width, cls in ((PRINT_WIDTH, "wide"), (PHONE_WIDTH, "phone")):
        fig = draw(width)
        title = html.escape(fig.get_suptitle().replace("\n", " "))
        data = base64.b64encode(svg(fig)).decode()
        out.append(
            f'<img class="{cls}" alt="{html.escape(alt)}" title="{title}" '
            f'style="width:100%;height:auto" src="data:image/svg+xml;base64,{data}">'
        )
    return "".join(out)


def _download_link(data: bytes, filename: str, mime: str, label: str) -> str:
    b64 = base64.b64encode(data).decode()
    return (
        f'<a download="{html.escape(filename)}" href="data:{mime};base64,{b64}" '
        f'class="rh-download">{html.escape(label)}</a>'
    )


class Explorer:
    """The widget app. ``widget`` is what the notebook displays."""

    def __init__(
        self,
        params: Parameters,
        matrix: CapabilityMatrix | None = None,
        save_dir: Path | None = None,
    ) -> None:
        self.base = params
        self.matrix = matrix or load_capabilities()
        self.save_dir = Path(save_dir) if save_dir else Path(params.file).resolve().parent
        self.controls: dict[str, w.Widget] = {}
        #: For a ranged input: its low and high boxes (the control itself edits the mode).
        self.range_controls: dict[str, tuple[w.FloatText, w.FloatText]] = {}
        groups: dict[str, list[w.Widget]] = {}
        held = {c.name for c in held_contracts(params)}
        for c in CONTROLS:
            if c.contract is not None and c.contract not in held:
                continue  # a product the organisation does not have gets no controls
            widget = self._make(c, params)
            widget.add_class("rh-" + c.key.replace(".", "-").replace("_", "-"))
            widget.add_class("rh-input")
            self.controls[c.key] = widget
            groups.setdefault(_group(c.key), []).append(self._cell(c, widget, params))
        self.simulate = w.Checkbox(
            value=False,
            description=f"Simulate every range together ({SIMULATION_DRAWS:,} draws, as the "
            "pack: the same P10–P90 for the same inputs)",
            indent=False,
            layout=w.Layout(width="auto"),
        )
        self.simulate.add_class("rh-simulate")
        self.message = w.HTML()
        self.message.add_class("rh-message")
        self.verdict = w.HTML()
        self.verdict.add_class("rh-verdict")
        self.notes = w.HTML()
        self.notes.add_class("rh-notes")
        self.table = w.HTML()
        self.table.add_class("rh-table")
        self.chart = w.HTML()
        self.chart.add_class("rh-chart")
        self.distribution = w.HTML(layout=w.Layout(display="none"))
        self.illustrative = w.HTML()
        self.links = w.HTML()
        self.excel_button = w.Button(
            description="Download workbook", icon="download", layout=w.Layout(width="auto")
        )
        self.yaml_button = w.Button(
            description="Save parameters YAML", icon="save", layout=w.Layout(width="auto")
        )
        self.excel_button.on_click(lambda _b: self.offer_workbook())
        self.yaml_button.on_click(lambda _b: self.save_yaml())
        boxes = [*self.controls.values(), self.simulate]
        boxes += [b for pair in self.range_controls.values() for b in pair]
        for widget in boxes:
            widget.observe(self._changed, names="value")
        self.evaluation: Evaluation
        self._refresh(self.base)
        # Controls in a full-width grid above the results: as many columns as fit (one on a
        # phone), every label, value and unit visible, nothing scrolls sideways.
        panels = [
            w.VBox(
                [w.HTML(f"<h4 class='rh-group'>{html.escape(title)}</h4>"), _grid(cells)],
                layout=w.Layout(width="100%"),
            )
            for title, cells in groups.items()
        ]
        controls = w.VBox(
            [
                *panels,
                w.HBox(
                    [self.simulate, self.excel_button, self.yaml_button],
                    layout=w.Layout(flex_flow="row wrap", width="100%"),
                ),
                self.links,
            ],
            layout=w.Layout(width="100%"),
        )
        outputs = w.VBox(
            [
                self.message,
                self.verdict,
                self.table,
                self.chart,
                self.distribution,
                self.notes,
                self.illustrative,
            ],
            layout=w.Layout(width="auto"),
        )
        outputs.add_class("rh-results")
        controls.layout = w.Layout(width="auto")
        controls.add_class("rh-controls")
        layout = w.Box([controls, outputs], layout=w.Layout(width="100%"))
        layout.add_class("rh-layout")
        self.widget = w.VBox([w.HTML(_STYLE), layout], layout=w.Layout(width="100%"))
        self.widget.add_class("rh-explorer")

    def value(self, key: str) -> Any:
        """The control of ``key``'s value in the parameter's own units (a rate as a fraction)."""
        return self._from_box(key, self.controls[key].value)

    def _from_box(self, key: str, value: Any) -> Any:
        scale = _SCALE.get(key, 1)
        if scale == 1 or not isinstance(value, int | float) or isinstance(value, bool):
            return value
        return round(value / scale, 12)  # 7.5 % → 0.075, not 0.07500000000000001

    def _cell(self, c: Control, widget: w.Widget, p: Parameters) -> w.Widget:
        """One control: its label above, its box(es) and unit below, all at full cell width."""
        unit = "% a year" if c.scale == 100 else spec(c.key).unit
        name = w.HTML(f"<span class='rh-label'>{html.escape(c.label)}</span>")
        parts: list[w.Widget] = [widget]
        v = p.value(c.key) if c.kind in ("int", "float") else None
        # a range the file gives stays a range; one the pilot sized is its evidence, and a
        # number typed over it states the pool outright
        u = v.uncertain if v is not None and v.origin == "file" else None
        if u is not None:
            # a range stays a range: low, most likely, high — the simulation draws from it
            low = w.FloatText(value=u.low * c.scale, layout=w.Layout(width="30%", min_width="0"))
            high = w.FloatText(value=u.high * c.scale, layout=w.Layout(width="30%", min_width="0"))
            low.add_class("rh-input")
            high.add_class("rh-input")
            widget.layout = w.Layout(width="30%", min_width="0")
            self.range_controls[c.key] = (low, high)
            parts = [low, widget, high]
            unit = f"low / most likely / high{', ' + unit if unit else ''}"
        row = w.HBox(parts, layout=w.Layout(width="100%"))
        return w.VBox(
            [name, row, w.HTML(f"<span class='rh-unit'>{html.escape(unit)}</span>")],
            layout=w.Layout(width="100%", min_width="0"),
        )

    @classmethod
    def from_file(cls, path: str | Path) -> Explorer:
        """The explorer on a parameters file."""
        return cls(load_parameters(path))

    @staticmethod
    def _make(c: Control, p: Parameters) -> w.Widget:
        value = p[c.key]
        layout = w.Layout(width="100%", min_width="0")
        if c.kind == "need":
            # the three extents a requirement may take (false, true, all)
            return w.Dropdown(
                options=[("not needed", False), ("some work", True), ("every session", "all")],
                value=value,
                layout=layout,
            )
        if c.kind == "accepts":
            return w.SelectMultiple(
                options=[(label(code), code) for code in REASON_CODES],
                value=tuple(e["reason"] for e in value or ()),
                rows=4,
                layout=layout,
            )
        if c.kind == "choice":
            # each choice in words, its value as the parameters file writes it
            options = [(label(v) if v in LABELS else v, v) for v in spec(c.key).choices]
            return w.Dropdown(options=options, value=value, layout=layout)
        # Unbounded text boxes: a bounded widget would clamp an out-of-range entry silently;
        # here the schema's validation answers it with a message, as a parameters file would.
        box = w.IntText if c.kind == "int" else w.FloatText
        shown = (int if c.kind == "int" else float)(value or 0)
        if c.scale != 1:
            shown = round(shown * c.scale, 10)
        return box(value=shown, step=c.step, layout=layout)

    # -- state ------------------------------------------------------------------------------

    def current_params(self) -> Parameters:
        """The parameters with every control's value applied (validated: may raise)."""
        # Only what was changed: an untouched control keeps the file's value as written (a
        # range stays a range, with its illustrative flag and source).
        changes = {
            k: self._as_written(k, self.value(k))
            for k in self.controls
            if self._plain(k, self.value(k)) != self._plain(k, self.base[k]) or self._range_moved(k)
        }
        return self.base.with_values(changes)

    def _range_moved(self, key: str) -> bool:
        """Whether a ranged input's low or high box differs from the file's range."""
        if key not in self.range_controls:
            return False
        u = self.base.value(key).uncertain
        low, high = (self._from_box(key, b.value) for b in self.range_controls[key])
        return u is not None and (low, high) != (u.low, u.high)

    @staticmethod
    def _plain(key: str, value: Any) -> Any:
        """A control's value comparable with the parameter's (``decision.accept``: its codes)."""
        if spec(key).kind == "accepts":
            return tuple(sorted(e["reason"] if isinstance(e, dict) else e for e in value or ()))
        return value

    def _as_written(self, key: str, new: Any) -> Any:
        """``new`` in the form the file gave ``key``: a range keeps its bounds (the control moves
        its most likely value), and the value's own flag, source and note are kept."""
        v = self.base.value(key)
        if spec(key).kind == "accepts":
            # keep the note the file gave a reason that stays accepted
            notes = {e["reason"]: e["note"] for e in v.value or ()}
            return [{"reason": r, "note": notes[r]} if notes.get(r) else r for r in new]
        if v.origin != "file" or (
            v.uncertain is None and not (v.explicit_source or v.note or v.illustrative)
        ):
            return new
        u = v.uncertain
        if u is not None and key in self.range_controls:
            low, high = (self._from_box(key, b.value) for b in self.range_controls[key])
            if not low <= new <= high:
                raise InputError(
                    f"{new:g} is outside the range given for it ({low:g} to {high:g}) — a most "
                    "likely value inside it (low ≤ most likely ≤ high), or widen the range",
                    key=key,
                )
            u = type(u)(float(low), float(high), u.mode)
        written: dict[str, Any] = (
            {"value": new} if u is None else {"low": u.low, "mode": new, "high": u.high}
        )
        if v.illustrative and v.origin == "file":
            written["illustrative"] = True
        if v.explicit_source:
            written["source"] = v.source
        if v.note:
            written["note"] = v.note
        return written

    def _changed(self, _change: dict[str, Any]) -> None:
        try:
            params = self.current_params()
        except InputError as exc:
            self.message.value = (
                f'<div style="color:#b00020"><b>Not valid:</b> '
                f"{html.escape(exc.message)} ({html.escape(exc.key or '')})."
                " The last valid result is still shown.</div>"
            )
            return
        self._refresh(params)

    def _refresh(self, params: Parameters) -> None:
        from rhmodel.faces.plots import (
            cumulative_savings_figure,
            decision_figure,
            npv_distribution_figure,
        )

        draws = SIMULATION_DRAWS if self.simulate.value else None
        e = evaluate(params, self.matrix, draws=draws, seed=SIMULATION_SEED)
        self.evaluation = e
        a = e.analysis
        cur = params["currency"]
        self.message.value = ""
        plan = e.plan
        actions = (
            "<ol>" + "".join(f"<li>{html.escape(x.sentence)}</li>" for x in plan.actions) + "</ol>"
            if plan is not None and plan.actions
            else ""
        )
        notes = [f"Coverage gap ({label(g.need)}): {humanise(g.reason)}" for g in a.coverage_gaps]
        notes += [humanise(n) for n in a.decision.evidence_notes]
        if a.decision.facts_note:  # the capability facts are more than 90 days old
            notes.append(humanise(a.decision.facts_note))
        spread = ""
        if e.simulation is not None and a.recommended in e.simulation.scenarios:
            r = e.simulation.scenarios[a.recommended]
            spread = (
                f"<p>Simulated ({e.simulation.draws:,} draws): P10 {money(r.npv_p10, cur)}, "
                f"median {money(r.npv_p50, cur)}, P90 {money(r.npv_p90, cur)}; saves money in "
                f"{probability_text(r.p_npv_positive, e.simulation.draws)} of draws.</p>"
            )
        self.verdict.value = (
            (f'<h3 class="rh-headline">{html.escape(plan.headline)}</h3>' if plan else "")
            + spread
            + actions
            + f"<p><b>Verdict: {html.escape(label(a.decision.verdict))}</b> — recommended: "
            f"{html.escape(label(a.recommended))}.</p>"
        )
        # the long reasons follow the figures, so the table stays beside the controls
        self.notes.value = f"<p>{html.escape(humanise(a.decision.summary))}</p>" + (
            "<ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in notes) + "</ul>" if notes else ""
        )
        head = ("Scenario", "Viable", "Total cost", "Savings", "NPV", "ROI", "Payback")
        num = {2, 3, 4, 5, 6}

        def row(s: Any) -> str:
            cells = [
                label(s.name),
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
            ]
            tds = "".join(
                f'<td data-label="{h}"'
                + (
                    f' class="num rh-npv-{s.name}"'
                    if h == "NPV"
                    else ' class="num"'
                    if j in num
                    else ""
                )
                + f">{html.escape(c)}</td>"
                for j, (h, c) in enumerate(zip(head, cells, strict=True))
            )
            cls = (
                ' class="recommended" style="font-weight:bold"'
                if s.name == a.recommended
                else ' class="not-viable"'
                if not s.viable
                else ""
            )
            return f"<tr{cls}>{tds}</tr>"

        self.table.value = (
            f"<table><caption style='text-align:left'>Scenarios over "
            f"{params['horizon_months']} months, {html.escape(cur)}; discount rate "
            f"{rate(params['discount_rate'])} a year</caption><thead><tr>"
            + "".join(
                f'<th scope="col"{" class=num" if j in num else ""}>{h}</th>'
                for j, h in enumerate(head)
            )
            + "</tr></thead><tbody>"
            + "".join(row(s) for s in a.scenarios)
            + "</tbody></table>"
        )
        if e.plan:
            self.chart.value = _svg(
                lambda width: decision_figure(e, width=width),
                f"{label(e.plan.name)}: cumulative savings by date, with each notice deadline "
                "and renewal.",
            )
        else:
            self.chart.value = _svg(
                lambda width: cumulative_savings_figure(a, width=width),
                "Cumulative savings of each scenario against status quo.",
            )
        if e.simulation is not None:
            sim = e.simulation
            nv = {s.name for s in a.scenarios if not s.viable}
            self.distribution.value = _svg(
                lambda width: npv_distribution_figure(
                    sim,
                    illustrative=bool(params.illustrative_inputs()),
                    currency=cur,
                    not_viable=nv,
                    width=width,
                ),
                f"Simulated NPV of each viable scenario ({sim.draws:,} draws).",
            )
            self.distribution.layout.display = ""
        else:
            self.distribution.layout.display = "none"
        keys = params.illustrative_inputs()
        self.illustrative.value = (
            f"<p style='color:#b00020'>Illustrative inputs (not quoted facts): "
            f"{html.escape(', '.join(label(k) for k in keys))}</p>"
            if keys
            else ""
        )

    # -- buttons ----------------------------------------------------------------------------

    def workbook_bytes(self) -> bytes:
        """The Excel workbook of the current (last valid) inputs."""
        from rhmodel.edges.pilotfiles import pilot_report
        from rhmodel.edges.provenance import provenance
        from rhmodel.edges.workbook import build_workbook, workbook_bytes

        e = self.evaluation
        return workbook_bytes(
            build_workbook(e, self.matrix, provenance(e.params), pilot_report(e.params))
        )

    def offer_workbook(self) -> None:
        """Offer the workbook as a download link."""
        self.links.value = _download_link(
            self.workbook_bytes(),
            "renewal-model.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "renewal-model.xlsx (click to download)",
        )

    def save_yaml(self, path: str | Path | None = None) -> Path:
        """Save the current inputs as a parameters file ``rhmodel report`` renders unchanged."""
        target = Path(path) if path else self.save_dir / "explorer-parameters.yaml"
        save_parameters(self.evaluation.params, target)
        text = target.read_bytes()
        self.links.value = f"<p>Saved {html.escape(str(target))}</p>" + _download_link(
            text, target.name, "application/x-yaml", f"{target.name} (click to download)"
        )
        return target


def app(default_params: str | Path) -> w.Widget:
    """The explorer widget for ``RHMODEL_PARAMS`` (set by ``rhmodel explore``) or the default."""
    path = os.environ.get("RHMODEL_PARAMS") or default_params
    return Explorer.from_file(path).widget
