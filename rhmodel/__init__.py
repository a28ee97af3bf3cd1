"""rhmodel: can Intune Remote Help replace LogMeIn Resolve and/or BeyondTrust Remote Support?

Three layers, imports pointing inward only: :mod:`rhmodel.core` (pure: values in, values out),
:mod:`rhmodel.edges` (reads and writes files) and :mod:`rhmodel.faces` (command line, memo,
plots, explorer). The names below are the library's front door for use in your own notebooks;
importing :mod:`rhmodel` stays cheap because each is imported when first used.

Examples
--------
>>> from rhmodel import evaluate, load_parameters, sample_parameters_file
>>> result = evaluate(load_parameters(sample_parameters_file()))
>>> result.analysis.recommended, result.analysis.decision.verdict
('right_size', 'right_size')
>>> evaluate(load_parameters(sample_parameters_file()), draws="2000")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
rhmodel.errors.InputError: draws: not a whole number ('2000', a str) — a whole number from 0 to...
"""

from __future__ import annotations

import importlib
from typing import Any

from rhmodel._version import __version__
from rhmodel.errors import InputError

__all__ = [
    "InputError",
    "__version__",
    "decide",
    "evaluate",
    "load_capabilities",
    "load_parameters",
    "load_pilot",
    "pilot_evidence",
    "sample_parameters_file",
]

# name -> module that defines it; imported on first use (numpy, pandas and the rest are heavy).
_LAZY = {
    "decide": "rhmodel.faces.library",
    "evaluate": "rhmodel.faces.library",
    "load_capabilities": "rhmodel.edges.bundled",
    # the library's own: it checks its arguments (a path, overrides as a list or a mapping)
    "load_parameters": "rhmodel.faces.library",
    "load_pilot": "rhmodel.edges.pilotfiles",
    "pilot_evidence": "rhmodel.faces.library",
    "sample_parameters_file": "rhmodel.faces.library",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'rhmodel' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
