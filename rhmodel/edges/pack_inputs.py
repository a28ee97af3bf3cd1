"""What one renewal pack is made of, computed once, and its hand-over to the pack's kernel.

Kept apart from :mod:`rhmodel.edges.pack` (which re-exports it) because the kernel that runs
the memo reads these inputs: importing the pack's whole machinery there (the workbook writer
and openpyxl, the calendar, the pilot store and DuckDB) would cost the reader's wait about
0.3 CPU seconds for code the kernel never runs.

Examples
--------
>>> import pathlib, tempfile
>>> from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE
>>> from rhmodel.edges.paramfile import load_parameters
>>> inputs = evaluate_pack(load_parameters(SAMPLE_PARAMS_FILE), simulate=0)
>>> path = pathlib.Path(tempfile.mkdtemp()) / "pack-inputs.pickle"
>>> write_pack_inputs(inputs, path)
>>> again = read_pack_inputs(path)
>>> again.evaluation.analysis.recommended == inputs.evaluation.analysis.recommended
True
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from pathlib import Path

from rhmodel.core.money.evaluation import Evaluation, evaluate
from rhmodel.core.params import Parameters
from rhmodel.core.pilot.evidence import PilotReport
from rhmodel.edges.bundled import load_capabilities
from rhmodel.edges.provenance import Provenance, provenance

__all__ = ["PackInputs", "evaluate_pack", "read_pack_inputs", "write_pack_inputs"]


@dataclass(frozen=True)
class PackInputs:
    """What one pack is made of, computed once.

    The notebook, ``summary.json`` and the workbook all read this one object, so they show the
    same numbers (the same simulation draws) and the same provenance, and the model (with its
    simulation) runs once per pack.
    """

    evaluation: Evaluation
    provenance: Provenance
    pilot: PilotReport | None


def evaluate_pack(params: Parameters, simulate: int = 10_000, seed: int = 0) -> PackInputs:
    """Evaluate ``params`` for a pack (``simulate`` draws; 0 for none) and take provenance."""
    # here, not at the top: the pilot's readers (and DuckDB) are for the process that
    # evaluates, not for the kernel that only reads the result
    from rhmodel.edges.pilotfiles import pilot_report

    e = evaluate(params, load_capabilities(), draws=simulate or None, seed=seed)
    return PackInputs(e, provenance(params), pilot_report(params))


def write_pack_inputs(inputs: PackInputs, path: str | Path) -> None:
    """Hand ``inputs`` to the pack notebook's kernel (a private file in the pack's work folder).

    Pickle, because the kernel is another process and the evaluation holds arrays and data
    frames; the file is written by this process into a folder only it can read, and deleted
    with that folder.
    """
    Path(path).write_bytes(pickle.dumps(inputs, protocol=pickle.HIGHEST_PROTOCOL))


def read_pack_inputs(path: str | Path) -> PackInputs:
    """The inputs :func:`write_pack_inputs` wrote."""
    inputs = pickle.loads(Path(path).read_bytes())
    if not isinstance(inputs, PackInputs):
        raise TypeError(f"{path} does not hold PackInputs (got {type(inputs).__name__})")
    return inputs
