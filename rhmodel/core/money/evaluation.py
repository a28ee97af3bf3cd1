"""Everything ``rhmodel scenarios`` reports, computed once: scenarios, timing, sensitivity,
break-even, simulation, and which figures are illustrative.

The renewal pack's ``summary.json``, the workbook and the explorer read this same object.

Examples
--------
>>> from rhmodel.edges.paramfile import load_parameters
>>> from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE
>>> from rhmodel.edges.bundled import load_capabilities
>>> e = evaluate(load_parameters(SAMPLE_PARAMS_FILE), load_capabilities())
>>> e.analysis.recommended, "logmein.agents" in e.to_dict()["illustrative_inputs"]
('cancel', True)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rhmodel.core.capabilities import CapabilityMatrix
from rhmodel.core.money.cashflows import NUMERIC_INPUTS
from rhmodel.core.money.scenarios import Analysis, analyse
from rhmodel.core.money.timing import ContractTiming, contract_timing
from rhmodel.core.money.uncertainty import (
    BreakEven,
    Simulation,
    TornadoBar,
    break_even,
    sensitivity,
    simulate,
)
from rhmodel.core.params import Parameters

__all__ = ["Evaluation", "evaluate", "evaluation_document"]


@dataclass(frozen=True)
class Evaluation:
    """The full evaluation of one parameters file."""

    params: Parameters
    analysis: Analysis
    timing: tuple[ContractTiming, ...]
    sensitivity: tuple[TornadoBar, ...]
    break_even: dict[str, BreakEven]
    simulation: Simulation | None

    def cost_of_delay_total(self) -> float:
        """NPV lost (US$) if every contract's change slips to its following renewal.

        The contracts' cash flows are independent in the model, so the losses add up.
        """
        return float(sum(t.cost_of_delay for t in self.timing))

    def illustrative_details(self) -> list[dict[str, Any]]:
        """Each illustrative input with its value, range and where it comes from."""
        out = []
        for key in self.params.illustrative_inputs():
            v = self.params.value(key)
            out.append(
                {
                    "key": key,
                    "value": v.value,
                    "range": v.uncertain.to_dict() if v.uncertain else None,
                    "source": v.source,
                    "note": v.note,
                }
            )
        return out

    def assumed_defaults(self) -> list[dict[str, Any]]:
        """Inputs the model used at their default because the file left them out."""
        return [
            {"key": k, "value": self.params[k], "source": self.params.value(k).source}
            for k in NUMERIC_INPUTS
            if self.params.value(k).origin in ("default", "price book")
            and self.params.is_used(k)
            and self.params[k] not in (0, 0.0, None)
        ]

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``rhmodel scenarios --format json``."""
        out: dict[str, Any] = {
            "recommended": self.analysis.recommended,
            "verdict": self.analysis.decision.verdict,
            "keep_for": list(self.analysis.decision.keep_for),
            "scenarios": [s.to_dict() for s in self.analysis.scenarios],
            "sensitivity": [b.to_dict() for b in self.sensitivity],
            "break_even": {k: v.to_dict() for k, v in self.break_even.items()},
            "timing": {
                "start_date": self.params["start_date"].isoformat(),
                "pilot_days": self.params["pilot.days"],
                "contracts": [t.to_dict() for t in self.timing],
                "cost_of_delay_total": self.cost_of_delay_total(),
            },
            "illustrative_inputs": self.params.illustrative_inputs(),
            "illustrative_details": self.illustrative_details(),
            "assumed_defaults": self.assumed_defaults(),
            "horizon_months": self.params["horizon_months"],
            "discount_rate": self.params["discount_rate"],
            "risk_adjustment": {
                "benefit_haircut": self.params["risk_adjustment.benefit_haircut"],
                "cost_uplift": self.params["risk_adjustment.cost_uplift"],
            },
        }
        if self.simulation is not None:
            out["simulation"] = self.simulation.to_dict()
        return out


def evaluate(
    params: Parameters, matrix: CapabilityMatrix, draws: int | None = None, seed: int = 0
) -> Evaluation:
    """Run the scenarios, timing, sensitivity, break-even and (with ``draws``) the simulation."""
    analysis = analyse(params, matrix)
    return Evaluation(
        params=params,
        analysis=analysis,
        timing=contract_timing(params, analysis),
        sensitivity=tuple(sensitivity(params)),
        break_even=break_even(params),
        simulation=simulate(params, draws, seed) if draws else None,
    )


def evaluation_document(e: Evaluation) -> dict[str, Any]:
    """The JSON of ``rhmodel scenarios --format json`` without provenance."""
    return e.to_dict()
