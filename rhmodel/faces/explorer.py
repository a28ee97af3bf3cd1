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
from rhmodel.core.params import Parameters, spec
from rhmodel.edges.bundled import load_capabilities
from rhmodel.edges.paramfile import load_parameters, save_parameters
from rhmodel.errors import InputError
from rhmodel.faces.formatting import money, percent

__all__ = ["CONTROLS", "Control", "Explorer", "app"]


@dataclass(frozen=True)
class Control:
    """One input of the explorer: the parameter it edits and how."""

    key: str
    label: str
    kind: str  # int, float, choice, bool
    low: float = 0
    high: float = 0
    step: float = 1


#: The inputs that move the answer most (the seed's 29–94 range for the LogMeIn price).
CONTROLS: tuple[Control, ...] = (
    Control("logmein.agents", "LogMeIn named agents", "int", 0, 100_000),
    Control("logmein.price_per_agent_month", "LogMeIn price per agent", "float", 29, 94, 0.5),
    Control("logmein.months_to_renewal", "LogMeIn months to renewal", "int", 0, 120),
    Control("beyondtrust.concurrent_seats", "BeyondTrust concurrent seats", "int", 0, 10_000),
    Control(
        "beyondtrust.price_per_seat_year", "BeyondTrust price per seat", "float", 0, 100_000, 50
    ),
    Control("beyondtrust.months_to_renewal", "BeyondTrust months to renewal", "int", 0, 120),
    Control("residual.logmein_agents", "LogMeIn agents to keep", "int", 0, 100_000),
    Control("residual.beyondtrust_seats", "BeyondTrust seats to keep", "int", 0, 10_000),
    Control("remote_help.licensing", "Remote Help licensing", "choice"),
    Control("remote_help.licensed_users", "Remote Help licensed users", "int", 0, 1_000_000),
    Control("discount_rate", "Discount rate", "float", 0, 0.99, 0.005),
    Control("horizon_months", "Horizon", "int", 1, 240),
)


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
        if c.kind == "choice":
            return w.Dropdown(
                options=list(spec(c.key).choices),
                value=value,
                description=c.label,
                style=style,
                layout=layout,
            )
        if c.kind == "int":
            return w.BoundedIntText(
                value=int(value or 0),
                min=int(c.low),
                max=int(c.high),
                step=int(c.step),
                description=c.label,
                style=style,
                layout=layout,
            )
        return w.BoundedFloatText(
            value=float(value or 0),
            min=c.low,
            max=c.high,
            step=c.step,
            description=c.label,
            style=style,
            layout=layout,
        )

    # -- state ------------------------------------------------------------------------------

    def current_params(self) -> Parameters:
        """The parameters with every control's value applied (validated: may raise)."""
        changes = {k: ctl.value for k, ctl in self.controls.items()}
        return self.base.with_values(changes)

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
        self.verdict.value = (
            f"<h3>Verdict: {html.escape(a.decision.verdict)} — recommended: "
            f"{html.escape(a.recommended)}</h3>"
            f"<p>{html.escape(a.decision.summary)}</p>"
        )
        bold = ' style="font-weight:bold"'
        rows = "".join(
            f"<tr{bold if s.name == a.recommended else ''}>"
            f"<td>{s.name}</td><td>{'yes' if s.viable else 'no'}</td>"
            f"<td>{money(s.total_cost)}</td><td>{money(s.savings)}</td>"
            f'<td class="rh-npv-{s.name}">US${s.npv:,.2f}</td><td>{percent(s.roi)}</td>'
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
