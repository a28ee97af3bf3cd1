"""Everything ``rhmodel scenarios`` reports, computed once: scenarios, timing, sensitivity,
break-even, simulation, and which figures are illustrative.

The renewal pack's ``summary.json``, the workbook and the explorer read this same object.

Examples
--------
>>> from rhmodel.edges.paramfile import load_parameters
>>> from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE
>>> from rhmodel.edges.bundled import load_capabilities
>>> e = evaluate(load_parameters(SAMPLE_PARAMS_FILE), load_capabilities())
>>> e.analysis.recommended, "logmein.agents" in evaluation_document(e)["illustrative_inputs"]
('right_size', True)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rhmodel.core.capabilities import CapabilityMatrix
from rhmodel.core.jsonable import jsonable
from rhmodel.core.money.plans import Plan, timed_plan
from rhmodel.core.money.scenarios import Analysis, analyse
from rhmodel.core.money.timing import ContractTiming, contract_timing
from rhmodel.core.money.uncertainty import (
    BreakEven,
    Simulation,
    TornadoBar,
    break_even,
    ranged_inputs,
    sensitivity,
    simulate,
)
from rhmodel.core.params import SCHEMA, Parameters, Uncertain

__all__ = ["AssumedDefault", "Evaluation", "IllustrativeInput", "evaluate", "evaluation_document"]


@dataclass(frozen=True)
class IllustrativeInput:
    """An input whose figure is not a quoted fact, with its value, range and source."""

    key: str
    value: Any
    range: Uncertain | None
    source: str
    note: str


@dataclass(frozen=True)
class AssumedDefault:
    """An input the model used at its default because the file left it out."""

    key: str
    value: Any
    source: str


@dataclass(frozen=True)
class Evaluation:
    """The full evaluation of one parameters file."""

    params: Parameters
    analysis: Analysis
    timing: tuple[ContractTiming, ...]
    sensitivity: tuple[TornadoBar, ...]
    break_even: dict[str, BreakEven]
    simulation: Simulation | None
    plan: Plan | None = None

    def cost_of_delay_total(self) -> float:
        """NPV lost (US$) if every contract's change slips to its following renewal.

        The contracts' cash flows are independent in the model, so the losses add up.
        """
        return float(sum(t.cost_of_delay for t in self.timing))

    def illustrative_details(self) -> tuple[IllustrativeInput, ...]:
        """Each illustrative input with its value, range and where it comes from."""
        values = (self.params.value(k) for k in self.params.illustrative_inputs())
        return tuple(
            IllustrativeInput(v.key, v.value, v.uncertain, v.source, v.note) for v in values
        )

    def assumed_defaults(self) -> tuple[AssumedDefault, ...]:
        """Every input the model used at its default because the file left it out, zeros
        included (an uplift of 0 is an assumption too)."""
        p = self.params
        pilot = bool(p["pilot.files"])
        return tuple(
            AssumedDefault(k, p[k], p.value(k).source or "rhmodel default")
            for k in (s.key for s in SCHEMA if s.kind in ("int", "float", "choice", "need"))
            if p.value(k).origin in ("default", "price book")
            and p.is_used(k)
            and p[k] is not None
            and (pilot or not k.startswith("pilot."))
        )


def evaluate(
    params: Parameters, matrix: CapabilityMatrix, draws: int | None = None, seed: int = 0
) -> Evaluation:
    """Run the scenarios, timing, sensitivity, break-even and (with ``draws``) the simulation."""
    analysis = analyse(params, matrix)
    order = analysis.terms.absorb_order
    return Evaluation(
        params=params,
        analysis=analysis,
        timing=contract_timing(params, analysis),
        # tornado and break-even describe the recommendation (or, when that is to change
        # nothing, the pinned right_size, so the reader still sees what moves a change)
        sensitivity=tuple(sensitivity(params, analysis.subject, order)),
        break_even=break_even(params, analysis.subject, order),
        # nothing uncertain, nothing to simulate: no probability is claimed
        simulation=simulate(params, draws, seed, plans=(analysis.recommended,), absorb_order=order)
        if draws and ranged_inputs(params)
        else None,
        plan=timed_plan(analysis),
    )


def evaluation_document(e: Evaluation) -> dict[str, Any]:
    """The JSON of ``rhmodel scenarios --format json`` without provenance (pinned keys)."""
    a, p = e.analysis, e.params
    out: dict[str, Any] = {
        "recommended": a.recommended,
        "verdict": a.decision.verdict,
        "keep_for": a.decision.keep_for,
        "plan": e.plan,
        "coverage_gaps": a.coverage_gaps,
        "plans": a.options,
        "criteria": a.decision.criteria,
        "evidence_notes": a.decision.evidence_notes,
        "scenarios": a.scenarios,
        "sensitivity": e.sensitivity,
        "break_even": e.break_even,
        "timing": {
            "start_date": p["start_date"],
            "pilot_days": p["pilot.days"],
            "contracts": e.timing,
            "cost_of_delay_total": e.cost_of_delay_total(),
        },
        "illustrative_inputs": p.illustrative_inputs(),
        "illustrative_details": e.illustrative_details(),
        "assumed_defaults": e.assumed_defaults(),
        "horizon_months": p["horizon_months"],
        "discount_rate": p["discount_rate"],
        "risk_adjustment": {
            "benefit_haircut": p["risk_adjustment.benefit_haircut"],
            "cost_uplift": p["risk_adjustment.cost_uplift"],
        },
    }
    out["simulation"] = e.simulation
    return jsonable(out)
