"""Read (and atomically write) parameters files: the edge around :mod:`rhmodel.parameters`."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import yaml

from rhmodel.errors import InputError
from rhmodel.parameters import Parameters, parse_parameters
from rhmodel.yamlsource import load_yaml

__all__ = ["atomic_write_bytes", "load_parameters", "save_parameters"]


def load_parameters(path: str | Path, overrides: Sequence[str] = ()) -> Parameters:
    """Load, validate and resolve a parameters file, then check that pilot files exist.

    Parameters
    ----------
    path : str or Path
        The YAML file.
    overrides : sequence of str
        ``key.path=value`` strings from ``--set``.

    Examples
    --------
    >>> from rhmodel.config import SAMPLE_PARAMS_FILE
    >>> p = load_parameters(SAMPLE_PARAMS_FILE, ["horizon_months=24"])
    >>> p["horizon_months"], p.value("horizon_months").origin
    (24, '--set')
    """
    doc = load_yaml(path)
    params = parse_parameters(doc, overrides, base_dir=Path(path).resolve().parent)
    for i, name in enumerate(params["pilot.files"] or ()):
        if not (params.base_dir / name).is_file():
            line = doc.line_of(f"pilot.files[{i}]")
            raise InputError(f"pilot file not found ({name!r}, looked in {params.base_dir}) — "
                             "paths are relative to the parameters file", file=str(path),
                             line=line, key="pilot.files")
    return params


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    A failure part-way never leaves a half-written file where a good one was.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> atomic_write_bytes(d / "x.txt", b"ok"); (d / "x.txt").read_bytes()
    b'ok'
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_parameters(params: Parameters, path: str | Path) -> None:
    """Write the explicitly given values of ``params`` as a parameters file, atomically."""
    header = ("# rhmodel parameters (saved by rhmodel); every key is documented in the README.\n")
    body = yaml.safe_dump(params.to_yaml_mapping(), sort_keys=False, allow_unicode=True)
    atomic_write_bytes(path, (header + body).encode("utf-8"))
