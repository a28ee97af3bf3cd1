"""Pilot exports on disk: which files a parameters file names, and reading them into evidence.

Examples
--------
>>> from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE, SAMPLE_PILOT_DIR, load_capabilities
>>> report = load_pilot([SAMPLE_PILOT_DIR], load_capabilities(), timezone="Europe/London")
>>> report.sessions_total > 0
True
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from rhmodel.core.capabilities import CapabilityMatrix
from rhmodel.core.params import Parameters
from rhmodel.core.pilot.evidence import PilotReport, summarise_pilot
from rhmodel.edges.bundled import load_capabilities
from rhmodel.edges.exports import ExportSpec, expand_specs, load_exports
from rhmodel.edges.reasonlog import read_reason_log

__all__ = ["load_pilot", "pilot_paths", "pilot_report", "pilot_specs"]


def load_pilot(
    paths: Iterable[str | Path | ExportSpec],
    matrix: CapabilityMatrix,
    *,
    timezone: str | None = None,
    tenant_domains: Iterable[str] = (),
    target_blocking: float = 0.01,
    headroom: float = 0.2,
    growth: float = 0.0,
    seed: int = 0,
    date_order: str | None = None,
    reasons: Iterable[str | Path] = (),
    routing: str = "as_worked",
) -> PilotReport:
    """Read pilot exports (files or folders) and the help desk's reason logs, and size the
    residual pool per incumbent tool."""
    loaded = load_exports(paths, timezone, date_order)
    log = read_reason_log(reasons)
    return summarise_pilot(
        loaded,
        matrix,
        timezone=timezone,
        tenant_domains=tenant_domains,
        target_blocking=target_blocking,
        headroom=headroom,
        growth=growth,
        seed=seed,
        reason_log=log,
        routing=routing,
    )


def pilot_specs(params: Parameters) -> list[ExportSpec]:
    """``pilot.files`` entries resolved against the parameters file's folder, with their
    reading options."""
    return [ExportSpec.of(entry, params.base_dir) for entry in params["pilot.files"] or ()]


def pilot_paths(params: Parameters) -> list[Path]:
    """``pilot.files`` paths resolved against the parameters file's folder."""
    return [s.path for s in pilot_specs(params)]


def pilot_report(params: Parameters) -> PilotReport | None:
    """The pilot evidence of ``pilot.files`` with the file's pilot settings, or ``None``."""
    if not params["pilot.files"]:
        return None
    specs = tuple(expand_specs(pilot_specs(params)))
    # The same exports are read once per process even when several steps ask (the parameters'
    # residual pool, the workbook, the memo); a changed file has a new mtime and size.
    stamp = tuple(
        (replace(s, path=s.path.resolve()), s.path.stat().st_mtime_ns, s.path.stat().st_size)
        for s in specs
    )
    logs = [params.base_dir / name for name in params["pilot.reasons"] or ()]
    log_stamp = tuple((str(f.resolve()), f.stat().st_mtime_ns, f.stat().st_size) for f in logs)
    return _cached_pilot(
        stamp,
        log_stamp,
        params["pilot.timezone"],
        tuple(params["pilot.tenant_domains"] or ()),
        params["pilot.target_blocking"],
        params["pilot.headroom"],
        params["pilot.growth"],
        None if params["pilot.date_order"] == "auto" else params["pilot.date_order"],
        params["pilot.routing"],
    )


@lru_cache(maxsize=4)
def _cached_pilot(
    stamp: tuple[tuple[ExportSpec, int, int], ...],
    log_stamp: tuple[tuple[str, int, int], ...],
    timezone: str | None,
    domains: tuple[str, ...],
    target_blocking: float,
    headroom: float,
    growth: float,
    date_order: str | None,
    routing: str,
) -> PilotReport:
    return load_pilot(
        [s for s, _, _ in stamp],
        load_capabilities(),
        timezone=timezone,
        tenant_domains=domains,
        target_blocking=target_blocking,
        headroom=headroom,
        growth=growth,
        date_order=date_order,
        reasons=[Path(p) for p, _, _ in log_stamp],
        routing=routing,
    )
