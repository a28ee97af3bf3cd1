"""The face a Python user sees: the core's entry points with the bundled data filled in.

The core takes the capability matrix as an argument (it reads no files); in a notebook you
usually want the bundled one. These wrappers are what ``from rhmodel import ...`` gives, and
they check their arguments first: a wrong type is one :class:`~rhmodel.errors.InputError`
naming the argument, never a numpy error from deep inside.

Examples
--------
>>> decide(load_parameters(sample_parameters_file())).verdict
'right_size'
>>> p = load_parameters(sample_parameters_file(), {"horizon_months": 24})
>>> p["horizon_months"]
24
>>> evaluate(p, draws="2000")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
rhmodel.errors.InputError: draws: not a whole number ('2000', a str) — a whole number from 0 to...
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from rhmodel.core.arguments import MAX_DRAWS, MAX_SEED, override_list, path_text, whole
from rhmodel.core.capabilities import CapabilityMatrix
from rhmodel.core.decision import Decision
from rhmodel.core.decision import decide as _decide
from rhmodel.core.money.evaluation import Evaluation
from rhmodel.core.money.evaluation import evaluate as _evaluate
from rhmodel.core.params import Parameters
from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE, load_capabilities
from rhmodel.errors import InputError

__all__ = ["decide", "evaluate", "load_parameters", "pilot_evidence", "sample_parameters_file"]


def sample_parameters_file() -> Path:
    """The bundled sample parameters file (an illustrative organisation with a pilot); the
    path ``rhmodel sample`` prints."""
    return SAMPLE_PARAMS_FILE


def load_parameters(path: str | os.PathLike[str], overrides: Any = ()) -> Parameters:
    """Load, validate and resolve a parameters file.

    Parameters
    ----------
    path : str or os.PathLike
        The parameters YAML (:func:`sample_parameters_file` for the bundled sample).
    overrides : list of str or mapping, optional
        ``["logmein.agents=30"]`` as with ``rhmodel --set``, or ``{"logmein.agents": 30}``.

    Raises
    ------
    InputError
        A wrong argument (named), or a bad file (its line and key).

    Examples
    --------
    >>> load_parameters(sample_parameters_file(), "logmein.agents=30")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    rhmodel.errors.InputError: overrides: one string ('logmein.agents=30'), not a list — a lis...
    """
    from rhmodel.edges.paramfile import load_parameters as _load

    return _load(path_text("path", path), override_list("overrides", overrides))


def _params(value: Any) -> Parameters:
    """``params`` as Parameters: a loaded one, or a path to load."""
    if isinstance(value, Parameters):
        return value
    if isinstance(value, str | os.PathLike):
        return load_parameters(value)
    raise InputError(
        f"not parameters (a {type(value).__name__}) — the result of "
        "load_parameters(path), or the path of a parameters YAML",
        key="params",
    )


def _matrix(value: Any) -> CapabilityMatrix:
    if value is None:
        return load_capabilities()
    if isinstance(value, CapabilityMatrix):
        return value
    raise InputError(
        f"not a capability matrix (a {type(value).__name__}) — leave it out for the bundled "
        "one, or pass load_capabilities(path)",
        key="matrix",
    )


def decide(params: Parameters | str | os.PathLike[str], matrix: Any = None) -> Decision:
    """The replace-or-keep decision against the bundled capability matrix (or ``matrix``).

    ``params`` is the result of :func:`load_parameters` or the path of a parameters YAML.
    """
    return _decide(_params(params), _matrix(matrix))


def evaluate(
    params: Parameters | str | os.PathLike[str],
    matrix: Any = None,
    draws: int | None = None,
    seed: int = 0,
) -> Evaluation:
    """Scenarios, timing, sensitivity, break-even and (with ``draws``) the simulation.

    Parameters
    ----------
    params : Parameters, str or os.PathLike
        The result of :func:`load_parameters`, or the path of a parameters YAML.
    matrix : CapabilityMatrix, optional
        The bundled capability matrix when left out.
    draws : int, optional
        Monte Carlo draws, 0 to 10,000,000 (``None`` or 0: no simulation).
    seed : int
        Seed of the simulation, 0 to 2**32 − 1 (the same seed gives the same draws).

    Examples
    --------
    >>> e = evaluate(sample_parameters_file(), draws=500, seed=1)
    >>> e.simulation.draws, e.simulation.seed
    (500, 1)
    >>> evaluate(sample_parameters_file(), seed=-1)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    rhmodel.errors.InputError: seed: must be at least 0 (-1) — a whole number from 0 to ...
    """
    n = None if draws is None else whole("draws", draws, 0, MAX_DRAWS, 2000)
    s = whole("seed", seed, 0, MAX_SEED, 0)
    return _evaluate(_params(params), _matrix(matrix), draws=n or None, seed=s)


def pilot_evidence(params: Parameters | str | os.PathLike[str]) -> Any:
    """The pilot evidence of the exports ``pilot.files`` names (``None`` when it names none):
    residual work, why, and the pool to keep per incumbent tool.

    Examples
    --------
    >>> pilot = pilot_evidence(sample_parameters_file())
    >>> sorted(pilot.tools)
    ['beyondtrust', 'logmein_resolve']
    """
    from rhmodel.edges.pilotfiles import pilot_report

    return pilot_report(_params(params))
