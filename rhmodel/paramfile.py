"""Read (and atomically write) parameters files: the edge around :mod:`rhmodel.parameters`."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from rhmodel.errors import InputError
from rhmodel.parameters import Parameters, parse_parameters
from rhmodel.yamlsource import load_yaml

if TYPE_CHECKING:
    from rhmodel.pilot import PilotReport

__all__ = ["atomic_write_bytes", "load_parameters", "pilot_paths", "pilot_report",
           "save_parameters", "with_pilot_pool"]


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
        if not (params.base_dir / name).exists():
            line = doc.line_of(f"pilot.files[{i}]")
            raise InputError(f"pilot file not found ({name!r}, looked in {params.base_dir}) — "
                             "paths are relative to the parameters file", file=str(path),
                             line=line, key="pilot.files")
    return with_pilot_pool(params)


def pilot_paths(params: Parameters) -> list[Path]:
    """``pilot.files`` resolved against the parameters file's folder."""
    return [params.base_dir / name for name in params["pilot.files"] or ()]


def pilot_report(params: Parameters) -> PilotReport | None:
    """The pilot evidence of ``pilot.files`` with the file's pilot settings, or ``None``."""
    if not params["pilot.files"]:
        return None
    from rhmodel.exports import expand_paths

    files = tuple(expand_paths(pilot_paths(params)))
    # The same exports are read once per process even when several steps ask (the parameters'
    # residual pool, the workbook, the memo); a changed file has a new mtime and size.
    stamp = tuple((str(f.resolve()), f.stat().st_mtime_ns, f.stat().st_size) for f in files)
    return _cached_pilot(stamp, params["pilot.timezone"],
                         tuple(params["pilot.tenant_domains"] or ()),
                         params["pilot.target_blocking"], params["pilot.headroom"],
                         params["pilot.growth"])


@lru_cache(maxsize=4)
def _cached_pilot(stamp: tuple[tuple[str, int, int], ...], timezone: str | None,
                  domains: tuple[str, ...], target_blocking: float, headroom: float,
                  growth: float) -> PilotReport:
    from rhmodel.datasets import load_capabilities
    from rhmodel.pilot import load_pilot

    return load_pilot([Path(p) for p, _, _ in stamp], load_capabilities(), timezone=timezone,
                      tenant_domains=domains, target_blocking=target_blocking,
                      headroom=headroom, growth=growth)


def with_pilot_pool(params: Parameters) -> Parameters:
    """Fill ``residual.*`` the file leaves out with the pool the pilot recommends.

    Each filled value records the pilot's rule as its source. A recommendation above the
    current contract is capped at the contract (you cannot keep more than you have).
    """
    from rhmodel.cashflows import CONTRACTS
    from rhmodel.parameters import Value

    wanted = [c for c in CONTRACTS if params[c.residual_key] is None
              and (params[c.count_key] or params.value(c.count_key).uncertain is not None)]
    if not wanted or not params["pilot.files"]:
        return params
    report = pilot_report(params)
    assert report is not None  # pilot.files is non-empty here
    derived = {}
    for c in wanted:
        sizing = report.tools.get(c.product)
        current = params.value(c.count_key)
        ceiling = current.uncertain.low if current.uncertain is not None else current.value
        if sizing is None:
            value, rule = 0, (f"no {c.product} sessions in the pilot exports, so none of the "
                              "pilot's residual work needed it")
        else:
            value, rule = sizing.recommended_licenses, sizing.rule
        if value > ceiling:
            rule += f" Capped at the {ceiling:g} held today."
            value = int(ceiling)
        derived[c.residual_key] = Value(
            c.residual_key, value, None, "pilot", bool(params["illustrative"]),
            f"pilot evidence ({len(report.files)} files, {report.sessions_total} sessions): "
            f"{rule}")
    return params.with_derived(derived)


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
        # mkstemp creates the file private (0600); give it the mode a normal write would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_parameters(params: Parameters, path: str | Path) -> None:
    """Write the explicitly given values of ``params`` as a parameters file, atomically.

    ``pilot.files`` are rewritten relative to the new file's folder, so the saved file finds
    the same exports.
    """
    path = Path(path)
    header = ("# rhmodel parameters (saved by rhmodel); every key is documented in the README.\n")
    mapping = params.to_yaml_mapping()
    if params["pilot.files"]:
        target = path.resolve().parent
        mapping.setdefault("pilot", {})["files"] = [
            os.path.relpath(p.resolve(), target) for p in pilot_paths(params)]
    body = yaml.safe_dump(mapping, sort_keys=False, allow_unicode=True)
    atomic_write_bytes(path, (header + body).encode("utf-8"))
