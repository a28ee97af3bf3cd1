"""Read (and atomically write) parameters files: the edge around :mod:`rhmodel.core.params`.

Here the parameters meet the outside world: the file, the bundled price book, today's date and
the pilot exports the file names.

Examples
--------
>>> from rhmodel.core.document import parse_yaml
>>> parse_parameters(parse_yaml("logmein: {agents: 10, months_to_renewal: 2}", "p.yaml")
...                  )["logmein.price_per_agent_month"]   # the price book's range midpoint
61.5
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from rhmodel.core.document import YamlDocument
from rhmodel.core.params import Parameters, resolve_parameters
from rhmodel.core.pilot.evidence import with_pilot_pool
from rhmodel.core.pilot.reason_sources import ReasonSource
from rhmodel.core.prices import PriceBook
from rhmodel.core.text import excerpt
from rhmodel.edges.atomic import atomic_write_bytes
from rhmodel.edges.bundled import load_price_book
from rhmodel.edges.exports import FORMAT_NAMES, pilot_path_problem
from rhmodel.edges.pilotfiles import pilot_paths, pilot_report
from rhmodel.edges.yamlfile import load_yaml
from rhmodel.errors import InputError

__all__ = ["load_parameters", "parse_parameters", "save_parameters"]


def parse_parameters(
    doc: YamlDocument,
    overrides: Sequence[str] = (),
    *,
    price_book: PriceBook | None = None,
    base_dir: Path | None = None,
    today: dt.date | None = None,
) -> Parameters:
    """:func:`~rhmodel.core.params.resolve_parameters` with the bundled price book and today.

    Examples
    --------
    >>> from rhmodel.core.document import parse_yaml
    >>> parse_parameters(parse_yaml("horizon_month: 24\\n", "p.yaml"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    rhmodel.errors.InputError: p.yaml:1: horizon_month: unknown key (did you mean 'horizon_mo...
    """
    return resolve_parameters(
        doc,
        overrides,
        price_book=price_book if price_book is not None else load_price_book(),
        today=today if today is not None else dt.date.today(),
        base_dir=base_dir,
    )


def load_parameters(path: str | Path, overrides: Sequence[str] = ()) -> Parameters:
    """Load, validate and resolve a parameters file, then check that pilot files exist.

    ``residual.*`` the file leaves out is filled from the pilot exports it names
    (:func:`rhmodel.core.pilot.evidence.with_pilot_pool`).

    Parameters
    ----------
    path : str or Path
        The YAML file.
    overrides : sequence of str
        ``key.path=value`` strings from ``--set``.

    Examples
    --------
    >>> from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE
    >>> p = load_parameters(SAMPLE_PARAMS_FILE, ["horizon_months=24"])
    >>> p["horizon_months"], p.value("horizon_months").origin
    (24, '--set')
    """
    doc = load_yaml(path)
    params = parse_parameters(doc, overrides, base_dir=Path(path).resolve().parent)

    def where(key: str, entry: str) -> dict[str, Any]:
        # a list given with --set is blamed on --set, not on a line of the file it replaced
        if params.value(key).origin == "--set":
            return {"file": "--set", "line": None, "key": key}
        return {"file": str(path), "line": doc.line_of(entry), "key": key}

    for i, entry in enumerate(params["pilot.reasons"] or ()):
        name = entry.path if isinstance(entry, ReasonSource) else entry
        if not (params.base_dir / name).is_file():
            raise InputError(
                f"reason log not found ({excerpt(name)}, looked in {params.base_dir}) — a CSV or "
                "XLSX file, relative to the parameters file",
                **where(
                    "pilot.reasons",
                    f"pilot.reasons[{i}].path"
                    if isinstance(entry, ReasonSource)
                    else f"pilot.reasons[{i}]",
                ),
            )
    for i, name in enumerate(params["pilot.devices"] or ()):
        if not (params.base_dir / name).is_file():
            raise InputError(
                f"device inventory not found ({excerpt(name)}, looked in {params.base_dir}) — "
                "an Intune device export (CSV) or Graph managedDevices JSON, relative to the "
                "parameters file",
                **where("pilot.devices", f"pilot.devices[{i}]"),
            )
    for i, entry in enumerate(params["pilot.files"] or ()):
        name = entry["path"] if isinstance(entry, dict) else entry
        fmt = entry.get("format") if isinstance(entry, dict) else None
        if fmt is not None and fmt not in FORMAT_NAMES:
            raise InputError(
                f"unknown format ({excerpt(fmt)}) — accepted: {', '.join(FORMAT_NAMES)}",
                **{
                    **where("pilot.files", f"pilot.files[{i}].format"),
                    "key": f"pilot.files[{i}].format",
                },
            )
        problem = pilot_path_problem(params.base_dir / name)
        if problem == "no such file or folder":
            problem = f"pilot file not found ({excerpt(name)}, looked in {params.base_dir})"
        elif problem:
            problem = f"pilot.files entry {excerpt(name)} {problem}"
        if problem:
            raise InputError(
                f"{problem} — paths of pilot exports or folders of them, relative to the "
                "parameters file",
                **where("pilot.files", f"pilot.files[{i}]"),
            )
    if not params["pilot.files"] and not params["pilot.store"]:
        return params
    # the pilot's evidence binds the decision, so it is read whenever exports (or the pilot
    # store they were collected into) are named
    report = pilot_report(params)
    assert report is not None  # pilot.files or pilot.store is given here
    return with_pilot_pool(params, report)


def save_parameters(params: Parameters, path: str | Path) -> None:
    """Write the explicitly given values of ``params`` as a parameters file, atomically.

    ``pilot.files`` are rewritten relative to the new file's folder, so the saved file finds
    the same exports.
    """
    path = Path(path)
    header = "# rhmodel parameters (saved by rhmodel); every key is documented in the README.\n"
    mapping = params.to_yaml_mapping()
    target = path.resolve().parent
    if params["pilot.files"]:
        entries = []
        for entry, where in zip(params["pilot.files"], pilot_paths(params), strict=True):
            moved = os.path.relpath(where.resolve(), target)
            entries.append({**entry, "path": moved} if isinstance(entry, dict) else moved)
        mapping.setdefault("pilot", {})["files"] = entries
    if params["pilot.reasons"]:
        mapping.setdefault("pilot", {})["reasons"] = [
            {
                **n.given(),
                "path": os.path.relpath((params.base_dir / n.path).resolve(), target),
            }
            if isinstance(n, ReasonSource)
            else os.path.relpath((params.base_dir / n).resolve(), target)
            for n in params["pilot.reasons"]
        ]
    if params["pilot.devices"]:
        mapping.setdefault("pilot", {})["devices"] = [
            os.path.relpath((params.base_dir / n).resolve(), target)
            for n in params["pilot.devices"]
        ]
    body = yaml.safe_dump(mapping, sort_keys=False, allow_unicode=True)
    atomic_write_bytes(path, (header + body).encode("utf-8"))
