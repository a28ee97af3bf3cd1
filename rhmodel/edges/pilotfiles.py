"""Pilot exports on disk: which files a parameters file names, and reading them into evidence.

Examples
--------
>>> from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE, SAMPLE_PILOT_DIR, load_capabilities
>>> report = load_pilot([SAMPLE_PILOT_DIR], load_capabilities(), timezone="Europe/London")
>>> report.sessions_total > 0, report.settings.timezone
(True, 'Europe/London')
>>> from rhmodel.edges.paramfile import load_parameters
>>> params = load_parameters(SAMPLE_PARAMS_FILE)
>>> pilot_report(params).settings == PilotSettings.from_parameters(params)
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
from rhmodel.core.pilot.reason_sources import ReasonSource
from rhmodel.core.pilot.settings import PilotSettings
from rhmodel.edges import pilotstore
from rhmodel.edges.bundled import load_capabilities
from rhmodel.edges.devices import read_devices
from rhmodel.edges.exports import ExportSpec, expand_specs, load_exports
from rhmodel.edges.reasonlog import read_reason_log

__all__ = [
    "device_paths",
    "load_pilot",
    "pilot_paths",
    "pilot_report",
    "pilot_specs",
    "reason_sources",
]


def load_pilot(
    paths: Iterable[str | Path | ExportSpec],
    matrix: CapabilityMatrix,
    settings: PilotSettings | None = None,
    *,
    store: str | Path | None = None,
    reasons: Iterable[str | Path | ReasonSource] = (),
    devices: Iterable[str | Path] = (),
    seed: int = 0,
    timezone: str | None = None,
    tenant_domains: Iterable[str] | None = None,
    target_blocking: float | None = None,
    headroom: float | None = None,
    growth: float | None = None,
    date_order: str | None = None,
    routing: str | None = None,
) -> PilotReport:
    """Read pilot exports (files or folders) and the help desk's reason logs, and size the
    residual pool per incumbent tool.

    Parameters
    ----------
    paths : iterable of path or ExportSpec
        Export files or folders of them.
    matrix : CapabilityMatrix
        For the per-session rules.
    settings : PilotSettings, optional
        Every pilot setting (:meth:`PilotSettings.from_parameters` builds them from a
        parameters file); default :class:`PilotSettings` ().
    reasons : iterable of path or ReasonSource
        The help desk's reason logs (an ITSM export as a :class:`ReasonSource`).
    devices : iterable of path
        Device inventories (Intune device exports, Graph managedDevices JSON): unattended
        sessions are judged on their device (:mod:`rhmodel.edges.devices`).
    seed : int
        Seed of the bootstrap interval.
    timezone, tenant_domains, target_blocking, headroom, growth, date_order, routing : optional
        Each one given (not ``None``) overrides that field of ``settings`` (a command line's
        options over the parameters file's).
    """
    settings = (settings if settings is not None else PilotSettings()).overriding(
        timezone=timezone,
        tenant_domains=None if tenant_domains is None else tuple(tenant_domains),
        target_blocking=target_blocking,
        headroom=headroom,
        growth=growth,
        date_order=date_order,
        routing=routing,
    )
    paths = list(paths)
    # the pilot store (pilot.store) beside the exports: either may be the whole pilot
    loaded = (
        load_exports(paths, settings.timezone, settings.date_order)
        if paths or store is None
        else []
    )
    if store is not None:
        loaded += pilotstore.sessions(store)
    log = read_reason_log(reasons)
    device_files = list(devices)
    inventory = read_devices(device_files) if device_files else None
    return summarise_pilot(loaded, matrix, settings, seed=seed, reason_log=log, inventory=inventory)


def pilot_specs(params: Parameters) -> list[ExportSpec]:
    """``pilot.files`` entries resolved against the parameters file's folder, with their
    reading options."""
    return [ExportSpec.of(entry, params.base_dir) for entry in params["pilot.files"] or ()]


def pilot_paths(params: Parameters) -> list[Path]:
    """``pilot.files`` paths resolved against the parameters file's folder."""
    return [s.path for s in pilot_specs(params)]


def pilot_report(params: Parameters) -> PilotReport | None:
    """The pilot evidence of ``pilot.files`` with the file's pilot settings, or ``None``."""
    store = params.base_dir / params["pilot.store"] if params["pilot.store"] else None
    if not params["pilot.files"] and store is None:
        return None
    specs = tuple(expand_specs(pilot_specs(params)))
    # The same exports are read once per process even when several steps ask (the parameters'
    # residual pool, the workbook, the memo); a changed file has a new mtime and size.
    stamp = tuple(
        (replace(s, path=s.path.resolve()), s.path.stat().st_mtime_ns, s.path.stat().st_size)
        for s in specs
    )
    log_stamp = tuple(
        (
            str(Path(_path_of(x)).resolve()) if not isinstance(x, ReasonSource) else x,
            Path(_path_of(x)).stat().st_mtime_ns,
            Path(_path_of(x)).stat().st_size,
        )
        for x in reason_sources(params)
    )
    device_stamp = tuple(
        (str(f.resolve()), f.stat().st_mtime_ns, f.stat().st_size) if f.exists() else (str(f), 0, 0)
        for f in device_paths(params)
    )
    # the store file and its write-ahead log: a new fetch or import changes one of them
    store_stamp = tuple(
        (str(f), f.stat().st_mtime_ns, f.stat().st_size)
        for f in (
            (pilotstore.store_path(store), Path(f"{pilotstore.store_path(store)}.wal"))
            if store is not None
            else ()
        )
        if f.exists()
    )
    return _cached_pilot(
        stamp,
        log_stamp,
        PilotSettings.from_parameters(params),
        device_stamp,
        str(store) if store is not None else None,
        store_stamp,
    )


def reason_sources(params: Parameters) -> list[Path | ReasonSource]:
    """``pilot.reasons`` resolved against the parameters file's folder: a path for a reason
    log, a :class:`ReasonSource` (its path resolved) for an ITSM export."""
    out: list[Path | ReasonSource] = []
    for x in params["pilot.reasons"] or ():
        if isinstance(x, ReasonSource):
            out.append(replace(x, path=str((params.base_dir / x.path).resolve())))
        else:
            out.append(params.base_dir / x)
    return out


def _path_of(x: Path | ReasonSource) -> str | Path:
    return x.path if isinstance(x, ReasonSource) else x


def device_paths(params: Parameters) -> list[Path]:
    """``pilot.devices`` resolved against the parameters file's folder."""
    return [params.base_dir / name for name in params["pilot.devices"] or ()]


@lru_cache(maxsize=4)
def _cached_pilot(
    stamp: tuple[tuple[ExportSpec, int, int], ...],
    log_stamp: tuple[tuple[str | ReasonSource, int, int], ...],
    settings: PilotSettings,
    device_stamp: tuple[tuple[str, int, int], ...] = (),
    store: str | None = None,
    store_stamp: tuple[tuple[str, int, int], ...] = (),
) -> PilotReport:
    return load_pilot(
        [s for s, _, _ in stamp],
        load_capabilities(),
        settings,
        store=store,
        reasons=[p if isinstance(p, ReasonSource) else Path(p) for p, _, _ in log_stamp],
        devices=[Path(p) for p, _, _ in device_stamp],
    )
