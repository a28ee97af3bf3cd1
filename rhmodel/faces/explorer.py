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
>>> app.evaluation.params["residual.logmein_agents"]      # the last valid result stays
11
"""

from __future__ import annotations

import base64
import html
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ipywidgets as w

from rhmodel.core.capabilities import CapabilityMatrix
from rhmodel.core.money.evaluation import Evaluation, evaluate
from rhmodel.core.params import SCHEMA, Parameters, spec
from rhmodel.core.products import CONTRACTS, REASON_CODES
from rhmodel.core.text import currency_prefix
from rhmodel.edges.bundled import load_capabilities
from rhmodel.edges.paramfile import load_parameters, save_parameters
from rhmodel.errors import InputError
from rhmodel.faces.formatting import money, percent

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
    needs = tuple(
        Control(s.key, s.key.split(".", 1)[1].replace("_", " ").capitalize())
        for s in SCHEMA
        if s.kind == "need"
    )
    return (
        *per_contract,
        *(Control(c.residual_key, f"{c.short} {c.unit} to keep") for c in CONTRACTS),
        *needs,
        Control("tenant_cloud", "Tenant cloud"),
        Control("decision.accept", "Give up (decision.accept)"),
        Control("remote_help.licensing", "Remote Help licensing"),
        Control("remote_help.licensed_users", "Remote Help licensed users"),
        Control("discount_rate", "Discount rate", 0.005),
        Control("horizon_months", "Horizon"),
    )


#: The inputs that move the answer most.
CONTROLS: tuple[Control, ...] = _controls()


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80)
    return buf.getvalue()


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
        rows = []
        for c in CONTROLS:
            widget = self._make(c, params)
            widget.add_class("rh-" + c.key.replace(".", "-").replace("_", "-"))
            self.controls[c.key] = widget
            unit = spec(c.key).unit
            rows.append(w.HBox([widget, w.Label(unit)]))
        self.simulate = w.Checkbox(
            value=False, description="Simulation (5,000 draws)", indent=False
        )
        self.simulate.add_class("rh-simulate")
        self.message = w.HTML()
        self.message.add_class("rh-message")
        self.verdict = w.HTML()
        self.verdict.add_class("rh-verdict")
        self.table = w.HTML()
        self.table.add_class("rh-table")
        self.chart = w.Image(format="png")
        self.distribution = w.Image(format="png", layout=w.Layout(display="none"))
        self.illustrative = w.HTML()
        self.links = w.HTML()
        self.excel_button = w.Button(description="Download workbook", icon="download")
        self.yaml_button = w.Button(description="Save parameters YAML", icon="save")
        self.excel_button.on_click(lambda _b: self.offer_workbook())
        self.yaml_button.on_click(lambda _b: self.save_yaml())
        for widget in [*self.controls.values(), self.simulate]:
            widget.observe(self._changed, names="value")
        self.evaluation: Evaluation
        self._refresh(self.base)
        inputs = w.VBox(
            [
                w.HTML("<b>Inputs</b>"),
                *rows,
                self.simulate,
                w.HBox([self.excel_button, self.yaml_button]),
                self.links,
            ]
        )
        outputs = w.VBox(
            [
                self.message,
                self.verdict,
                self.table,
                self.chart,
                self.distribution,
                self.illustrative,
            ]
        )
        self.widget = w.HBox([inputs, outputs])

    @classmethod
    def from_file(cls, path: str | Path) -> Explorer:
        """The explorer on a parameters file."""
        return cls(load_parameters(path))

    @staticmethod
    def _make(c: Control, p: Parameters) -> w.Widget:
        value = p[c.key]
        style = {"description_width": "200px"}
        layout = w.Layout(width="360px")
        if c.kind == "need":
            # the three extents a requirement may take (false, true, all)
            return w.Dropdown(
                options=[("not needed", False), ("some work", True), ("every session", "all")],
                value=value,
                description=c.label,
                style=style,
                layout=layout,
            )
        if c.kind == "accepts":
            return w.SelectMultiple(
                options=list(REASON_CODES),
                value=tuple(e["reason"] for e in value or ()),
                description=c.label,
                rows=4,
                style=style,
                layout=layout,
            )
        if c.kind == "choice":
            return w.Dropdown(
                options=list(spec(c.key).choices),
                value=value,
                description=c.label,
                style=style,
                layout=layout,
            )
        # Unbounded text boxes: a bounded widget would clamp an out-of-range entry silently;
        # here the schema's validation answers it with a message, as a parameters file would.
        box = w.IntText if c.kind == "int" else w.FloatText
        return box(
            value=(int if c.kind == "int" else float)(value or 0),
            step=c.step,
            description=c.label,
            style=style,
            layout=layout,
        )

    # -- state ------------------------------------------------------------------------------

    def current_params(self) -> Parameters:
        """The parameters with every control's value applied (validated: may raise)."""
        # Only what was changed: an untouched control keeps the file's value as written (a
        # range stays a range, with its illustrative flag and source).
        changes = {
            k: self._as_written(k, ctl.value)
            for k, ctl in self.controls.items()
            if self._plain(k, ctl.value) != self._plain(k, self.base[k])
        }
        return self.base.with_values(changes)

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
        if v.uncertain is None and not (v.explicit_source or v.note or v.illustrative):
            return new
        u = v.uncertain
        if u is not None and not u.low <= new <= u.high:
            raise InputError(
                f"{new:g} is outside the range given for it ({u.low:g} to {u.high:g}) — a value "
                "inside it, or change the range in the parameters file",
                key=key,
            )
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
        from rhmodel.faces.plots import cumulative_savings_figure, npv_distribution_figure

        draws = 5_000 if self.simulate.value else None
        e = evaluate(params, self.matrix, draws=draws, seed=0)
        self.evaluation = e
        a = e.analysis
        self.message.value = ""
        plan = e.plan
        actions = (
            "<ol>" + "".join(f"<li>{html.escape(x.sentence)}</li>" for x in plan.actions) + "</ol>"
            if plan is not None and plan.actions
            else ""
        )
        notes = [f"Coverage gap ({g.need}): {g.reason}" for g in a.coverage_gaps]
        notes += list(a.decision.evidence_notes)
        self.verdict.value = (
            (f'<h3 class="rh-headline">{html.escape(plan.headline)}</h3>' if plan else "")
            + actions
            + f"<p><b>Verdict: {html.escape(a.decision.verdict)}</b> — recommended: "
            f"{html.escape(a.recommended)}. {html.escape(a.decision.summary)}</p>"
            + (
                "<ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in notes) + "</ul>"
                if notes
                else ""
            )
        )
        bold = ' style="font-weight:bold"'
        cur = currency_prefix(params["currency"])
        rows = "".join(
            f"<tr{bold if s.name == a.recommended else ''}>"
            f"<td>{s.name}</td><td>{'yes' if s.viable else 'no'}</td>"
            f"<td>{money(s.total_cost)}</td><td>{money(s.savings)}</td>"
            f'<td class="rh-npv-{s.name}">{cur}{s.npv:,.2f}</td><td>{percent(s.roi)}</td>'
            f"<td>{'never' if s.payback_months is None else s.payback_months}</td></tr>"
            for s in a.scenarios
        )
        self.table.value = (
            "<table><tr><th>Scenario</th><th>Viable</th><th>Total cost</th>"
            "<th>Savings</th><th>NPV</th><th>ROI</th><th>Payback (mo)</th></tr>"
            f"{rows}</table>"
        )
        self.chart.value = _png(cumulative_savings_figure(a))
        if e.simulation is not None:
            self.distribution.value = _png(npv_distribution_figure(e.simulation))
            self.distribution.layout.display = ""
        else:
            self.distribution.layout.display = "none"
        keys = params.illustrative_inputs()
        self.illustrative.value = (
            f"<p style='color:#b00020'>Illustrative inputs (not quoted facts): "
            f"{html.escape(', '.join(keys))}</p>"
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
