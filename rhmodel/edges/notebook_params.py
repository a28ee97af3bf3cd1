"""The bundled notebooks' parameters: declared once in each notebook, checked in its first cell.

Each notebook's ``parameters`` cell declares its parameters as papermill reads them
(``name: type = default  # help``), so ``papermill --help-notebook`` shows their types and
help. :func:`checked` is the notebook's first cell: it reads that same declaration (with
papermill's own parser, so the two cannot disagree), checks the values the kernel holds against
it, rejects a parameter papermill injected that the notebook does not declare, and resolves the
parameters file (``""``: the bundled sample, through :mod:`rhmodel.edges.bundled`, so the
notebook runs from any folder). A wrong value is one :class:`~rhmodel.errors.InputError`.

Examples
--------
>>> [(d.name, d.type, d.default) for d in declared("20-scenarios")][:2]
[('params_path', 'str', ''), ('overrides', 'list', [])]
>>> s = checked("20-scenarios", {"params_path": "", "overrides": [], "simulate": 200,
...                              "seed": 0})
>>> s.params_path.name, s.simulate
('sample.yaml', 200)
>>> checked("20-scenarios", {"params_path": "", "overrides": [], "simulate": "lots",
...                          "seed": 0})  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
rhmodel.errors.InputError: 20-scenarios.ipynb: simulate: not a whole number ('lots', a str) — ...
"""

from __future__ import annotations

import ast
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

from rhmodel.core.arguments import MAX_DRAWS, MAX_SEED, described, override_list, whole
from rhmodel.core.validation import did_you_mean
from rhmodel.edges.bundled import NOTEBOOKS_DIR, SAMPLE_PARAMS_FILE
from rhmodel.errors import InputError

__all__ = ["Declared", "NotebookSettings", "checked", "declared", "notebooks", "parameter_table"]

#: The cell tag papermill gives the cell of the parameters it injects.
INJECTED_TAG = "injected-parameters"


@dataclass(frozen=True)
class Declared:
    """One parameter as the notebook's ``parameters`` cell declares it.

    ``type`` is the annotation's name (``str``, ``int``, ``list``...); ``default`` the value
    it is assigned; ``help`` the comment after it.
    """

    name: str
    type: str
    default: Any
    help: str


@dataclass(frozen=True)
class NotebookSettings:
    """A notebook's checked parameters, the parameters file resolved to a path."""

    notebook: str
    params_path: Path
    overrides: tuple[str, ...] = ()
    simulate: int = 0
    seed: int = 0
    inputs_file: str = ""
    #: Every other parameter the notebook declares, by name, checked against its annotation.
    extra: Mapping[str, Any] = field(default_factory=dict)


def notebooks() -> tuple[str, ...]:
    """The bundled notebooks with a ``parameters`` cell, by name (no ``.ipynb``).

    Examples
    --------
    >>> "30-renewal-pack" in notebooks()
    True
    """
    return tuple(
        p.stem
        for p in sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
        if any("parameters" in c.get("metadata", {}).get("tags", ()) for c in _cells(p))
    )


def _cells(path: Path) -> list[dict[str, Any]]:
    return json.loads(path.read_text(encoding="utf-8")).get("cells", [])


@lru_cache(maxsize=16)
def declared(notebook: str) -> tuple[Declared, ...]:
    """The parameters ``notebook`` (a bundled notebook's name) declares, in order.

    Read as ``papermill --help-notebook`` reads it (``name: type = default  # help``), with
    :mod:`ast` rather than by importing papermill: the first cell of every notebook calls this,
    and importing papermill into the kernel cost a second of each pack
    (``tests/test_notebooks_anywhere.py`` holds the two readings equal).

    Examples
    --------
    >>> [(d.name, d.type, d.default) for d in declared("20-scenarios")][:2]
    [('params_path', 'str', ''), ('overrides', 'list', [])]
    """
    path = NOTEBOOKS_DIR / f"{notebook}.ipynb"
    cell = next(c for c in _cells(path) if "parameters" in c.get("metadata", {}).get("tags", ()))
    source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    return parse_parameters_cell(source)


def parse_parameters_cell(source: str) -> tuple[Declared, ...]:
    """The parameters a ``parameters`` cell declares: each top-level assignment, its
    annotation's name (``None`` when unannotated), its literal default and the comment after it.

    Examples
    --------
    >>> [tuple(vars(d).values()) for d in parse_parameters_cell(
    ...     "simulate: int = 2000  # draws\\nseed = 0")]
    [('simulate', 'int', 2000, 'draws'), ('seed', 'None', 0, '')]
    """
    lines = source.splitlines()
    out = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            name, kind, value = node.target.id, ast.unparse(node.annotation), node.value
        elif (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ):
            name, kind, value = node.targets[0].id, "None", node.value
        else:
            continue
        if value is None:
            continue
        line = lines[node.end_lineno - 1] if node.end_lineno else ""
        comment = line[node.end_col_offset :].partition("#")[2] if node.end_col_offset else ""
        out.append(Declared(name, kind, ast.literal_eval(value), comment.strip()))
    return tuple(out)


def parameter_table() -> str:
    """The README's table of every bundled notebook's parameters (Markdown), from the notebooks.

    ``tests/test_readme.py`` checks the README's "Notebooks" section holds exactly this table;
    print it to update the README when a notebook's parameters change.

    Examples
    --------
    >>> print(parameter_table().splitlines()[2])  # doctest: +ELLIPSIS
    | `10-pilot-analysis` | `params_path` | `str` | `""` | parameters YAML: absolute, or ...
    """
    rows = [
        "| Notebook | Parameter | Type | Default | What it is |",
        "|---|---|---|---|---|",
    ]
    for n in notebooks():
        for d in declared(n):
            rows.append(
                f"| `{n}` | `{d.name}` | `{d.type}` | `{json.dumps(d.default)}` | "
                f"{d.help.replace('|', '/')} |"
            )
    return "\n".join(rows)


def _injected_names(namespace: Mapping[str, Any]) -> list[str]:
    """Names papermill injected: the assignments of its ``# Parameters`` cell, found in the
    kernel's input history (``In``); none when the notebook is run by hand."""
    history = namespace.get("In")
    if not isinstance(history, list):
        return []
    names: list[str] = []
    for source in history:
        if isinstance(source, str) and source.lstrip().startswith("# Parameters"):
            try:
                tree = ast.parse(source)
            except SyntaxError:
                continue
            names = [
                t.id
                for node in tree.body
                if isinstance(node, ast.Assign)
                for t in node.targets
                if isinstance(t, ast.Name)
            ]
    return names


_AN = {"int": "an"}
_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
    "list": (list, tuple),
}


def _path(where: str, value: Any) -> Path:
    if not isinstance(value, str | os.PathLike):
        raise InputError(
            f"not a file path ({described(value)}) — the path of a parameters "
            'YAML, or "" for the bundled sample',
            file=where,
            key="params_path",
        )
    text = os.fspath(value)
    if not str(text).strip():
        return SAMPLE_PARAMS_FILE
    path = Path(text).expanduser()
    if not path.is_file():
        raise InputError(
            f"no such file ({text!r}, looked in {Path.cwd()}) — the path of a parameters YAML, "
            'absolute or relative to the folder papermill runs in, or "" for the bundled '
            "sample",
            file=where,
            key="params_path",
        )
    return path.resolve()


def checked(notebook: str, namespace: Mapping[str, Any]) -> NotebookSettings:
    """The parameters of ``notebook`` as its kernel holds them (``globals()``), checked.

    Raises
    ------
    InputError
        A parameter of the wrong type or out of range, or one the notebook does not declare
        (papermill only warns about those), named with the notebook and what is accepted.
    """
    where = f"{notebook}.ipynb"
    decl = {d.name: d for d in declared(notebook)}
    for name in _injected_names(namespace):
        if name not in decl:
            raise InputError(
                f"unknown parameter{did_you_mean(name, decl)} — this notebook takes "
                f"{', '.join(decl)} (papermill --help-notebook lists them)",
                file=where,
                key=name,
            )
    values: dict[str, Any] = {}
    for name, d in decl.items():
        value = namespace.get(name, d.default)
        if name == "overrides":
            # `papermill -p overrides logmein.agents=30` passes one string: one override
            try:
                values[name] = tuple(override_list(name, value, one_string=True))
            except InputError as exc:
                raise InputError(exc.message, file=where, key=name) from None
            continue
        if name in ("simulate", "seed"):
            high = MAX_DRAWS if name == "simulate" else MAX_SEED
            try:
                values[name] = whole(name, value, 0, high, 2000 if name == "simulate" else 0)
            except InputError as exc:
                raise InputError(exc.message, file=where, key=name) from None
            continue
        if name == "params_path":
            values[name] = _path(where, value)
            continue
        accepted = _TYPES.get(d.type)
        if accepted and (
            not isinstance(value, accepted) or (d.type != "bool" and isinstance(value, bool))
        ):
            raise InputError(
                f"must be {_AN.get(d.type, 'a')} {d.type} ({described(value)}) — {d.help}",
                file=where,
                key=name,
            )
        values[name] = value
    known = {f.name for f in fields(NotebookSettings)} - {"notebook", "extra"}
    extra = {k: v for k, v in values.items() if k not in known}
    own = {k: v for k, v in values.items() if k in known}
    if "params_path" not in own:
        own["params_path"] = SAMPLE_PARAMS_FILE
    return NotebookSettings(notebook=notebook, extra=extra, **own)
