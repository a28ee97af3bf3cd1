"""The face a Python user sees: the core's entry points with the bundled data filled in.

The core takes the capability matrix as an argument (it reads no files); in a notebook you
usually want the bundled one. These wrappers are what ``from rhmodel import ...`` gives.

Examples
--------
>>> from rhmodel.edges.paramfile import load_parameters
>>> decide(load_parameters(sample_parameters_file())).verdict
'right_size'
"""

from __future__ import annotations

from pathlib import Path

from rhmodel.core.capabilities import CapabilityMatrix
from rhmodel.core.decision import Decision
from rhmodel.core.decision import decide as _decide
from rhmodel.core.money.evaluation import Evaluation
from rhmodel.core.money.evaluation import evaluate as _evaluate
from rhmodel.core.params import Parameters
from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE, load_capabilities

__all__ = ["decide", "evaluate", "sample_parameters_file"]


def sample_parameters_file() -> Path:
    """The bundled sample parameters file (an illustrative organisation with a pilot)."""
    return SAMPLE_PARAMS_FILE


def decide(params: Parameters, matrix: CapabilityMatrix | None = None) -> Decision:
    """The replace-or-keep decision against the bundled capability matrix (or ``matrix``)."""
    return _decide(params, matrix if matrix is not None else load_capabilities())


def evaluate(
    params: Parameters,
    matrix: CapabilityMatrix | None = None,
    draws: int | None = None,
    seed: int = 0,
) -> Evaluation:
    """Scenarios, timing, sensitivity, break-even and (with ``draws``) the simulation."""
    return _evaluate(
        params, matrix if matrix is not None else load_capabilities(), draws=draws, seed=seed
    )
