"""Pilot evidence: from loaded session exports to the residual pool each incumbent tool needs.

Reading the exports is an edge (:func:`rhmodel.edges.pilotfiles.load_pilot`); merging,
classifying and sizing them is here, as is the rule that fills the parameters' missing
``residual.*`` from the evidence.

Examples
--------
>>> from rhmodel.edges.bundled import SAMPLE_PILOT_DIR, load_capabilities
>>> from rhmodel.edges.pilotfiles import load_pilot
>>> settings = PilotSettings(timezone="Europe/London", tenant_domains=("example.com",))
>>> report = load_pilot([SAMPLE_PILOT_DIR], load_capabilities(), settings)
>>> sorted(report.tools)
['beyondtrust', 'logmein_resolve']
>>> 0 < report.residual_share < 1, report.settings == settings
(True, True)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from rhmodel.core.capabilities import CapabilityMatrix
from rhmodel.core.eligibility import BUCKETS, Inventory
from rhmodel.core.params import Parameters, Uncertain, Value
from rhmodel.core.pilot.pool import ToolSizing, size_tool
from rhmodel.core.pilot.sessions import (
    CLASSES,
    OPEN,
    ReasonEntry,
    apply_reason_log,
    classify,
    merge_sessions,
    technicians_merged,
    work_intervals,
)
from rhmodel.core.pilot.settings import PilotSettings
from rhmodel.core.products import (
    CONTRACTS,
    INCUMBENTS,
    PLATFORMS,
    PRODUCTS,
    REASON_CODES,
    Contract,
    contract_for,
)
from rhmodel.errors import InputError

__all__ = [
    "ExportRead",
    "PilotReport",
    "PilotSettings",
    "accepted_codes",
    "kept_pool",
    "pilot_evidence",
    "register_evidence",
    "routed_report",
    "routed_sizing",
    "summarise_pilot",
    "undeclared_needs",
    "with_pilot_pool",
    "with_teams",
]


#: A pilot longer than this is unusual (warned); longer than the maximum is a data error.
LONG_PILOT_DAYS = 180
MAX_PILOT_DAYS = 3653


def _utc_iso(seconds: int) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).isoformat()


def _claimed(x: Any, settings: PilotSettings) -> Any:
    """``x`` (a loaded export) with its sessions counted for the held contract that claims its
    format (a Rescue contract takes the Rescue-format session report), else as read."""
    claimant = settings.claimant(getattr(x, "format", ""))
    if claimant is None or x.sessions.empty:
        return x
    return replace(x, sessions=x.sessions.assign(tool=claimant.product))


def _counted_for(x: Any) -> str:
    """The product a claimable format's sessions count for (see :class:`ExportRead`)."""
    if not any(getattr(x, "format", "") in c.claims for c in CONTRACTS):
        return ""
    tools = set(x.sessions["tool"]) if len(x.sessions) else set()
    return next(iter(tools)) if len(tools) == 1 else ""


class ExportRead(NamedTuple):
    """One export file as read: where, in which format, how many sessions (``records``), how
    many rows it had and which were skipped as not sessions (reason → count)."""

    path: str
    format: str
    records: int
    rows: int = 0
    skipped: dict[str, int] = {}  # noqa: RUF012 - a NamedTuple default, never mutated
    #: For a format two products read (LogMeIn Rescue's report, which LogMeIn Resolve's
    #: reader reads): the product its sessions were counted for; else "".
    counted_for: str = ""


@dataclass(frozen=True)
class PilotReport:
    """What the pilot shows: residual work, why, and the pool per incumbent tool.

    Its JSON (:func:`rhmodel.core.jsonable.jsonable`) is that of ``rhmodel pool``; the first
    keys are a public contract. ``first_start`` and ``last_start`` are Unix seconds here and
    ISO 8601 (UTC) in the JSON.
    """

    sessions_total: int
    duplicates_dropped: int
    sessions_by_tool: dict[str, int]
    residual_sessions: int
    residual_share: float
    residual_by_reason: dict[str, int]
    tools: dict[str, ToolSizing]
    open_sessions: int
    incumbent_movable: int
    files: tuple[ExportRead, ...]
    timezone: str
    first_start: int | None = field(metadata={"to_json": _utc_iso})
    last_start: int | None = field(metadata={"to_json": _utc_iso})
    settings: PilotSettings = field(default_factory=PilotSettings)
    warnings: tuple[str, ...] = ()
    sessions_by_class: dict[str, int] = field(default_factory=dict)
    unexplained_sessions: int = 0
    reasons_log: dict[str, int] = field(default_factory=lambda: {"matched": 0, "unmatched": 0})
    residual_by_tool_reason: dict[str, dict[str, int]] = field(default_factory=dict)
    #: The raw session records the sizing works on: ``start``/``end`` as int Unix seconds
    #: (``OPEN`` while running) and the class as ``klass`` (:mod:`rhmodel.core.pilot.sessions`).
    #: ``sessions`` is the same table typed for pandas users.
    records: pd.DataFrame = field(
        repr=False, default_factory=pd.DataFrame, metadata={"json": False}
    )
    #: Every session by the helped device's platform (``unknown`` when the export has none).
    sessions_by_platform: dict[str, int] = field(default_factory=dict)
    #: Unattended incumbent sessions whose Windows device qualifies for Remote Help's
    #: unattended control (now movable).
    unattended_windows_eligible: int = 0
    #: Unattended incumbent sessions that stay residual, by why (server, cloud_pc, personal,
    #: arm64, not_enrolled, unknown: not in the inventory or not known; other: x86, macOS,
    #: Linux, iOS, ChromeOS, Android that is not dedicated).
    unattended_not_eligible: dict[str, int] = field(default_factory=dict)
    #: Unattended incumbent sessions whose device qualifies, by platform (Windows and Android
    #: dedicated devices).
    unattended_eligible_by_platform: dict[str, int] = field(default_factory=dict)
    #: Devices in the inventory (``pilot.devices``, ``--devices``); 0 when none was given.
    inventory_devices: int = 0

    @cached_property
    def sessions(self) -> pd.DataFrame:
        """The sessions as a pandas user reads them: tz-aware ``datetime64`` start/end in the
        pilot's time zone, the class as a ``class`` column, categories
        (:func:`rhmodel.core.frames.sessions_frame`; ``records`` is the raw table).

        Built once per report, on first use: a frozen dataclass's ``cached_property`` stores
        it in the instance dictionary, outside the fields (so not in the JSON nor in ``==``).
        """
        from rhmodel.core import frames

        return frames.sessions_frame(self)

    def sessions_frame(self) -> pd.DataFrame:
        """The same as :attr:`sessions` (kept for code written before it was typed)."""
        return self.sessions

    def pool_frame(self) -> pd.DataFrame:
        """The pool to keep, one row per incumbent tool (:func:`rhmodel.core.frames.pool_frame`)."""
        from rhmodel.core import frames

        return frames.pool_frame(self)

    def __repr__(self) -> str:
        from rhmodel.core import cards

        return cards.pilot_repr(self)

    def _repr_html_(self) -> str:
        from rhmodel.core import cards

        return cards.pilot_html(self)

    #: Requirement key → the reason code its residual sessions carry (from the matrix).
    requirement_reasons: dict[str, str] = field(default_factory=dict, metadata={"json": False})
    #: Per tool, the pool of each ``pilot.teams`` team whose work stays on it.
    teams: dict[str, dict[str, ToolSizing]] = field(default_factory=dict)


def _usage_contract(export: Any) -> Contract | None:
    """The contract a licence-usage report measures: the export's ``tool`` when it names one,
    else the contract whose name or product its format starts with
    (``beyondtrust_license_usage``)."""
    tool = getattr(export, "tool", None)
    if tool:
        return contract_for(tool)
    fmt = str(getattr(export, "format", ""))
    for c in CONTRACTS:
        if fmt.startswith((f"{c.name}_", f"{c.product}_")):
            return c
    return None


def _size_rows(
    classified: pd.DataFrame,
    work: np.ndarray,
    tool: str,
    settings: PilotSettings,
    span: tuple[int, int] | None,
    seed: int,
    usage_peak: int | None = None,
) -> ToolSizing:
    """Size ``tool``'s pool (on its contract's metric) from the sessions ``work`` selects."""
    named = settings.metric_of(tool) == "named"
    complete = (classified["end"] != OPEN).to_numpy()
    # A named licence is needed by whoever did the work, finished or not; a concurrent pool is
    # sized on the sessions whose span is known.
    rows = classified.loc[work & (complete | named)]
    ends = rows["end"].to_numpy(dtype=np.int64)
    starts = rows["start"].to_numpy(dtype=np.int64)
    if named:
        # still running at export: in use from its start to the last start seen
        ends = np.where(ends == OPEN, np.maximum(starts + 1, span[1] if span else 0), ends)
    # one interval per person: a transferred session's parts, an invited or transferred-to
    # representative for the whole session (each a technician, never an extra session)
    w = work_intervals(rows, ends)
    tech_codes, _ = pd.factorize(w.technician)
    sized = size_tool(
        tool,
        tech_codes.astype(np.int64),
        w.start,
        w.end,
        settings.timezone or "UTC",
        settings,
        seed=seed,
        span=span,
        usage_peak=usage_peak if not named else None,
        sessions=(w.session_start, w.session_end),
    )
    merged = technicians_merged(classified, set(w.technician))
    return replace(sized, sessions=len(rows), routed_sessions=len(rows), technicians_merged=merged)


def summarise_pilot(
    loaded: Sequence[Any],
    matrix: CapabilityMatrix,
    settings: PilotSettings | None = None,
    *,
    seed: int = 0,
    reason_log: Sequence[ReasonEntry] = (),
    timezone: str | None = None,
    inventory: Inventory | None = None,
) -> PilotReport:
    """Merge, classify and size: the pure part of :func:`load_pilot`.

    Parameters
    ----------
    loaded : sequence of LoadedExport
        Exports as read by :func:`rhmodel.edges.exports.load_exports`.
    matrix : CapabilityMatrix
        For the per-session rules.
    settings : PilotSettings, optional
        Time zone, tenant domains, Erlang B target, headroom, growth, routing and each
        contract's licence metric (default: :class:`PilotSettings` ()).
    seed : int
        Seed of the bootstrap interval.
    reason_log : sequence of ReasonEntry
        The help desk's reason log: reasons for sessions the export cannot explain.
    timezone : str, optional
        Overrides ``settings.timezone`` (business time zone for daily peaks; UTC when neither
        gives one).
    inventory : Inventory, optional
        The organisation's devices: an unattended session is movable when its device
        qualifies for Remote Help's unattended control, residual otherwise (``unknown`` when
        the device is not in it).
    """
    settings = (settings if settings is not None else PilotSettings()).overriding(timezone=timezone)
    loaded = [_claimed(x, settings) for x in loaded]
    found = [d for x in loaded for d in getattr(x, "devices", ())]
    if found:  # an Intune device export among the exports (a folder holding it)
        inventory = Inventory.of([*(inventory.devices if inventory is not None else ()), *found])
    merged, dropped = merge_sessions([x.sessions for x in loaded])
    merged, log_matched, log_unmatched = apply_reason_log(merged, reason_log)
    classified = classify(merged, matrix, settings.tenant_domains, inventory).sessions
    tz = settings.timezone or "UTC"
    by_tool = {t: int(n) for t, n in classified["tool"].value_counts().items()}
    by_tool = {t: by_tool[t] for t in PRODUCTS if t in by_tool}
    residual = classified["residual"].to_numpy()
    reasons = classified.loc[residual, "primary_reason"].value_counts()
    by_reason = {r: int(reasons[r]) for r in REASON_CODES if r in reasons}
    pairs = classified.loc[residual].groupby(["tool", "primary_reason"]).size()
    by_tool_reason = {
        t: {r: int(pairs[(t, r)]) for r in REASON_CODES if (t, r) in pairs.index}
        for t in INCUMBENTS
        if t in by_tool
    }
    complete = (classified["end"] != OPEN).to_numpy()
    starts_all = classified["start"].to_numpy(dtype=np.int64)
    span = (int(starts_all.min()), int(starts_all.max())) if len(starts_all) else None
    warnings = [note for x in loaded for note in getattr(x, "notes", ())]
    if log_unmatched:
        shown = ", ".join(
            f"{Path(e.file).name}:{e.line} ({e.session_id or e.ticket})" for e in log_unmatched[:5]
        )
        more = f" and {len(log_unmatched) - 5:,} more" if len(log_unmatched) > 5 else ""
        warnings.append(
            f"{len(log_unmatched):,} reason-log entries match no incumbent session: {shown}{more}"
        )
    if span is not None:
        days = (span[1] - span[0]) / 86_400
        if days > MAX_PILOT_DAYS:
            first = classified.iloc[int(np.argmin(starts_all))]
            raise InputError(
                f"the pilot's sessions span {days / 365.25:,.1f} years "
                f"({_utc_iso(span[0])[:10]} to {_utc_iso(span[1])[:10]}; this session is the "
                "earliest) — a pilot of weeks or months (at most 10 years): check the dates",
                file=str(first["file"]),
                line=int(first["line"]),
            )
        if days > LONG_PILOT_DAYS:
            warnings.append(
                f"the pilot's sessions span {days:,.0f} days, longer than the 30–60 day pilot "
                "the seed recommends: check that the exports cover the pilot only"
            )
    klass = classified["klass"].to_numpy()
    unexplained = klass == "unexplained"
    usage: dict[str, int] = {}
    for x in loaded:
        peak = getattr(x, "license_usage_peak", None)
        con = _usage_contract(x) if peak else None
        if con is None or con.product not in by_tool:
            continue
        if settings.metric_of(con) != "concurrent":
            warnings.append(
                f"{Path(x.path).name}: a licence-usage report of {con.label}, not used: the "
                f"{con.name} pool is sized on named licences, which it does not measure"
            )
            continue
        usage[con.product] = max(usage.get(con.product, 0), int(peak))
    tools: dict[str, ToolSizing] = {}
    for tool in INCUMBENTS:
        if tool not in by_tool:
            continue
        of_tool = (classified["tool"] == tool).to_numpy()
        # the vendor's own measure of licences in use at once: the evidence where given
        sizing = _size_rows(
            classified, residual & of_tool, tool, settings, span, seed, usage.get(tool)
        )
        if (unexplained & of_tool).any():
            wider = _size_rows(
                classified,
                (residual | unexplained) & of_tool,
                tool,
                settings,
                span,
                seed,
                usage.get(tool),
            ).recommended_licenses
        else:
            wider = sizing.recommended_licenses
        tools[tool] = replace(sizing, recommended_licenses_with_unexplained=wider)
    total = len(classified)
    platforms = classified["platform"].astype(str).replace("", "unknown").value_counts()
    by_platform = {p: int(platforms[p]) for p in (*PLATFORMS, "unknown") if p in platforms}
    unattended = classified["unattended"].to_numpy(dtype=object)
    eligible = unattended == "eligible"
    shown_platform = classified["platform"].astype(str).to_numpy(dtype=object)
    shown_platform = np.where(shown_platform == "", "windows", shown_platform)
    eligible_by_platform = pd.Series(shown_platform[eligible]).value_counts()
    return PilotReport(
        sessions_total=total,
        duplicates_dropped=dropped,
        sessions_by_tool=by_tool,
        residual_sessions=int(residual.sum()),
        residual_share=float(residual.sum() / total) if total else 0.0,
        residual_by_reason=by_reason,
        tools=tools,
        open_sessions=int((~complete).sum()),
        incumbent_movable=int((klass == "movable").sum()),
        files=tuple(
            ExportRead(
                x.path,
                x.format,
                len(x.sessions),
                getattr(x, "rows", len(x.sessions)),
                dict(getattr(x, "skipped", {})),
                _counted_for(x),
            )
            for x in loaded
        ),
        timezone=tz,
        first_start=span[0] if span else None,
        last_start=span[1] if span else None,
        settings=settings,
        warnings=tuple(warnings),
        sessions_by_class={c: int((klass == c).sum()) for c in CLASSES},
        reasons_log={"matched": log_matched, "unmatched": len(log_unmatched)},
        unexplained_sessions=int(unexplained.sum()),
        residual_by_tool_reason={t: v for t, v in by_tool_reason.items() if v},
        records=classified,
        sessions_by_platform=by_platform,
        unattended_windows_eligible=int(eligible_by_platform.get("windows", 0)),
        unattended_not_eligible={b: int((unattended == b).sum()) for b in BUCKETS},
        unattended_eligible_by_platform={p: int(n) for p, n in eligible_by_platform.items()},
        inventory_devices=len(inventory) if inventory is not None else 0,
        requirement_reasons={
            c.requirement: c.reason_code for c in matrix.criteria if c.reason_code
        },
    )


def undeclared_needs(
    report: PilotReport, matrix: CapabilityMatrix, requirements: dict[str, bool]
) -> list[tuple[str, str, int]]:
    """Needs the pilot saw that the parameters' ``requirements.*`` say you do not have.

    Returns
    -------
    list of (criterion id, requirement key, residual sessions)
        For example ``("privileged_access", "requirements.privileged_access_management", 89)``:
        the decision assumed no PAM, yet 89 pilot sessions needed it.
    """
    out = []
    for c in matrix.criteria:
        n = report.residual_by_reason.get(c.reason_code or "", 0)
        if n and not requirements.get(c.requirement, False):
            out.append((c.id, c.requirement, n))
    return out


class _Held:
    """A pilot report registered for the parameters it filled, with its routed sizings."""

    def __init__(self, report: PilotReport) -> None:
        self.report = report
        self.sized: dict[tuple[Any, ...], ToolSizing] = {}


#: Pilot evidence by the parameters it was read for (see :func:`pilot_evidence`). A bounded
#: cache, not state the results depend on: without it the analysis falls back to the
#: ``residual.*`` figures alone.
_EVIDENCE: dict[tuple[Any, ...], _Held] = {}
_EVIDENCE_MAX = 16


def _evidence_key(params: Parameters) -> tuple[Any, ...]:
    # what the pilot left in the parameters, carried through with_values / with_overrides
    return (
        params.file,
        params.pilot_sessions,
        tuple(sorted(params.observed_residual.items())),
        tuple(
            sorted((k, tuple(sorted(v.items()))) for k, v in params.observed_by_contract.items())
        ),
    )


def register_evidence(params: Parameters, report: PilotReport) -> None:
    """Remember ``report`` as the pilot evidence of ``params`` (and of every copy of them made
    with ``with_values`` / ``with_overrides``), so the analysis can size each plan's pools from
    the work routed to them."""
    key = _evidence_key(params)
    _EVIDENCE.pop(key, None)
    _EVIDENCE[key] = _Held(report)
    while len(_EVIDENCE) > _EVIDENCE_MAX:
        _EVIDENCE.pop(next(iter(_EVIDENCE)))


def pilot_evidence(params: Parameters) -> PilotReport | None:
    """The pilot report ``params`` were filled from (``None``: no pilot, or not read here)."""
    if not params.pilot_sessions:
        return None
    if params.pilot is not None:
        # carried with the parameters: the figures never depend on what a cache still holds
        return params.pilot
    held = _EVIDENCE.get(_evidence_key(params))
    return held.report if held is not None else None


def accepted_codes(params: Parameters) -> frozenset[str]:
    """The reason codes ``decision.accept`` gives up: their sessions need no pool."""
    return frozenset(params.accepted_reasons())


def routed_sizing(
    report: PilotReport,
    host: str,
    sources: Sequence[str] = (),
    accept: frozenset[str] = frozenset(),
    *,
    seed: int = 0,
) -> ToolSizing:
    """The pool contract ``host`` needs for the residual work routed to it: its own plus that of
    each contract in ``sources`` (consolidated into it), less the sessions whose reason is in
    ``accept`` (``decision.accept``), sized on ``host``'s licence metric.

    A licence-usage peak measures the host's own tool only: with work moved in, the evidence
    is that peak plus the technicians at once the moved work adds.

    Examples
    --------
    >>> from rhmodel.edges.bundled import SAMPLE_PILOT_DIR, load_capabilities
    >>> from rhmodel.edges.pilotfiles import load_pilot
    >>> settings = PilotSettings(timezone="Europe/London", tenant_domains=("example.com",))
    >>> r = load_pilot([SAMPLE_PILOT_DIR], load_capabilities(), settings)
    >>> own = routed_sizing(r, "beyondtrust")
    >>> both = routed_sizing(r, "beyondtrust", ("logmein",))
    >>> both.routed_sessions > own.routed_sessions, both.sized_need >= own.sized_need
    (True, True)
    >>> both.routed_from
    ('logmein',)
    """
    held = next((h for h in _EVIDENCE.values() if h.report is report), None)
    key = (host, tuple(sources), tuple(sorted(accept)), seed)
    if held is not None and key in held.sized:
        return held.sized[key]
    con = contract_for(host)
    classified = report.records
    span = (
        (report.first_start, report.last_start)
        if report.first_start is not None and report.last_start is not None
        else None
    )
    own_tools = [con.product]
    tools = [*own_tools, *(contract_for(c).product for c in sources)]
    if classified.empty:
        work = np.zeros(0, dtype=bool)
    else:
        work = (
            classified["residual"].to_numpy(dtype=bool)
            & classified["tool"].isin(tools).to_numpy()
            & ~classified["primary_reason"].isin(sorted(accept)).to_numpy()
        )
    usage = report.tools[con.product].license_usage_peak if con.product in report.tools else None
    if classified.empty:
        sized = size_tool(
            con.product,
            np.zeros(0, np.int64),
            np.zeros(0, np.int64),
            np.zeros(0, np.int64),
            "UTC",
            report.settings,
        )
    elif "team" in classified and (classified["team"].to_numpy(dtype=object)[work] != "").any():
        sized = _team_sized(classified, work, con.product, report.settings, span, seed)
    elif sources and usage is not None:
        own = routed_sizing(report, host, (), accept, seed=seed)
        plain = _size_rows(classified, work, con.product, report.settings, span, seed)
        extra = max(0, plain.peak_concurrent_technicians - own.peak_concurrent_technicians)
        sized = _size_rows(
            classified, work, con.product, report.settings, span, seed, usage + extra
        )
    else:
        sized = _size_rows(classified, work, con.product, report.settings, span, seed, usage)
    if accept and not classified.empty:
        given_up = int(
            (
                classified["residual"].to_numpy(dtype=bool)
                & classified["tool"].isin(tools).to_numpy()
                & classified["primary_reason"].isin(sorted(accept)).to_numpy()
            ).sum()
        )
        if given_up:
            sized = replace(
                sized,
                rule=f"{given_up:,} sessions whose reason decision.accept gives up "
                f"({', '.join(sorted(accept))}) need no pool and were left out. " + sized.rule,
            )
    sized = replace(sized, routed_from=tuple(sources))
    if held is not None:
        held.sized[key] = sized
    return sized


def _team_sized(
    classified: pd.DataFrame,
    work: np.ndarray,
    tool: str,
    settings: PilotSettings,
    span: tuple[int, int] | None,
    seed: int,
) -> ToolSizing:
    """A pool whose routed work includes ``pilot.teams`` work: each team's pool is sized from
    its own sessions, the rest of the help desk's from theirs, and the pool is their sum."""
    team = classified["team"].to_numpy(dtype=object)
    rest = _size_rows(classified, work & (team == ""), tool, settings, span, seed)
    parts = []
    total = rest.sized_need
    sessions = rest.routed_sessions
    for name in dict.fromkeys(team[work & (team != "")]):
        z = _size_rows(classified, work & (team == name), tool, settings, span, seed)
        parts.append(f"{name}: {z.sized_need} ({z.routed_sessions:,} sessions, {z.bound})")
        total += z.sized_need
        sessions += z.routed_sessions
    return replace(
        rest,
        recommended_licenses=total,
        sized_need=total,
        kept=total,
        routed_sessions=sessions,
        sessions=sessions,
        rule=f"Teams whose work stays on it (pilot.teams), each sized from its own work: "
        f"{'; '.join(parts)}; the rest of the help desk: {rest.sized_need}, so {total} in all. "
        f"The rest: {rest.rule}",
    )


def with_teams(report: PilotReport, teams: Sequence[Any]) -> PilotReport:
    """``report`` with each ``pilot.teams`` team's incumbent sessions residual whatever the
    export shows (for the team's first declared need), marked with the team's name, and each
    tool's pool the sum of the teams' pools and the rest of the help desk's.

    The rest of the help desk is judged session by session, as before.
    """
    if not teams or report.records.empty:
        return report
    df = report.records
    techs = df["technician"].astype(str).str.strip().str.lower().to_numpy(dtype=object)
    incumbent = (df["tool"] != "remote_help").to_numpy()
    residual = df["residual"].to_numpy(dtype=bool).copy()
    primary = df["primary_reason"].to_numpy(dtype=object).copy()
    klass = df["klass"].to_numpy(dtype=object).copy()
    team_col = np.full(len(df), "", dtype=object)
    for t in teams:
        members = {x.strip().lower() for x in t.technicians}
        mine = incumbent & np.isin(techs, list(members)) & (team_col == "")
        code = next((report.requirement_reasons.get(k) for k, _ in t.needs), None) or "other"
        team_col[mine] = t.name
        primary[mine & ~residual] = code
        klass[mine] = "residual"
        residual[mine] = True
    df = df.assign(residual=residual, primary_reason=primary, klass=klass, team=team_col)
    res = df.loc[residual]
    reasons = res["primary_reason"].value_counts()
    by_reason = {r: int(reasons[r]) for r in REASON_CODES if r in reasons}
    pairs = res.groupby(["tool", "primary_reason"]).size()
    by_tool_reason = {
        t: {r: int(pairs[(t, r)]) for r in REASON_CODES if (t, r) in pairs.index}
        for t in INCUMBENTS
        if t in report.sessions_by_tool
    }
    out = replace(
        report,
        records=df,
        residual_sessions=int(residual.sum()),
        residual_share=float(residual.sum() / len(df)) if len(df) else 0.0,
        residual_by_reason=by_reason,
        residual_by_tool_reason={t: v for t, v in by_tool_reason.items() if v},
        sessions_by_class={c: int((klass == c).sum()) for c in CLASSES},
    )
    span = (
        (report.first_start, report.last_start)
        if report.first_start is not None and report.last_start is not None
        else None
    )
    tools = dict(report.tools)
    per_team: dict[str, dict[str, ToolSizing]] = {}
    for tool, z in report.tools.items():
        work = residual & (df["tool"] == tool).to_numpy()
        if not (work & (team_col != "")).any():
            continue
        sized = _team_sized(df, work, tool, report.settings, span, 0)
        tools[tool] = replace(
            sized,
            license_usage_peak=z.license_usage_peak,
            recommended_licenses_with_unexplained=sized.recommended_licenses,
        )
        per_team[tool] = {
            name: replace(
                _size_rows(df, work & (team_col == name), tool, report.settings, span, 0),
                team=name,
            )
            for name in dict.fromkeys(team_col[work & (team_col != "")])
        }
    return replace(out, tools=tools, teams=per_team)


def kept_pool(params: Parameters, sizing: ToolSizing, contract: str) -> ToolSizing:
    """``sizing`` with ``kept`` and ``kept_note``: the pool these parameters keep for it (a
    ``residual.*`` the user gave is honoured, and flagged when below the sized need; the
    pilot's figure is capped at the licences held)."""
    con = contract_for(contract)
    value = params.value(con.residual_key)
    unit = sizing.unit or con.unit
    if value.value is not None and value.origin != "pilot":
        kept = round(float(value.value))
        note = (
            f"{con.residual_key} is {kept:g}, below the {sizing.sized_need} {unit} the routed "
            f"work needs: honoured as given"
            if kept < sizing.sized_need
            else ""
        )
        return replace(sizing, kept=kept, kept_note=note)
    current = params.value(con.count_key)
    ceiling = current.uncertain.low if current.uncertain is not None else (current.value or 0)
    if not sizing.routed_from and sizing.sized_need > ceiling:
        return replace(
            sizing,
            kept=int(ceiling),
            kept_note=f"capped at the {ceiling:g} {unit} held today (the work needs "
            f"{sizing.sized_need})",
        )
    return replace(sizing, kept=sizing.sized_need)


def routed_report(report: PilotReport, params: Parameters) -> PilotReport:
    """``report`` with each tool's pool re-sized for ``params``: the sessions whose reason
    ``decision.accept`` gives up left out, and ``kept`` / ``kept_note`` filled (the JSON of
    ``rhmodel pool --params``)."""
    accept = accepted_codes(params)
    tools = {}
    for tool, z in report.tools.items():
        con = contract_for(tool)
        sized = routed_sizing(report, con.name, (), accept) if accept else z
        sized = replace(
            sized, recommended_licenses_with_unexplained=z.recommended_licenses_with_unexplained
        )
        tools[tool] = kept_pool(params, sized, con.name)
    return replace(report, tools=tools)


def _pool_wanted(params: Parameters) -> list[Contract]:
    return [
        c
        for c in CONTRACTS
        if params[c.residual_key] is None
        and (params[c.count_key] or params.value(c.count_key).uncertain is not None)
    ]


def with_pilot_pool(params: Parameters, report: PilotReport) -> Parameters:
    """Record what the pilot observed, and fill ``residual.*`` the file leaves out with the pool
    the pilot recommends.

    The residual sessions per reason go with the parameters, so that the decision weighs them
    beside the declared ``requirements.*`` (:func:`rhmodel.core.decision.decide`).

    Each filled value records the pilot's rule as its source. A recommendation above the
    current contract is capped at the contract (you cannot keep more than you have): with a
    range of licences held, at its low end.
    """
    report = with_teams(report, params["pilot.teams"] or ())
    derived = {}
    accept = accepted_codes(params)
    for c in _pool_wanted(params):
        sizing = report.tools.get(c.product)
        if sizing is not None and accept:
            # work the organisation gives up needs no pool: size from what remains
            sizing = routed_sizing(report, c.name, (), accept)
        current = params.value(c.count_key)
        ceiling = current.uncertain.low if current.uncertain is not None else current.value
        if sizing is None:
            value, rule = (
                0,
                (
                    f"no {c.product} sessions in the pilot exports, so none of the "
                    "pilot's residual work needed it"
                ),
            )
        else:
            value, rule = sizing.recommended_licenses, sizing.rule
        if value > ceiling:
            rule += f" Capped at the {ceiling:g} held today."
            value = int(ceiling)
        spread = None
        if sizing is not None and sizing.pool_interval is not None:
            lo, hi = (min(x, int(ceiling)) for x in sizing.pool_interval)
            if lo < hi:
                # the simulation draws the pool too: the pilot is a sample of days
                spread = Uncertain(float(min(lo, value)), float(max(hi, value)), float(value))
                rule += (
                    f" Resampling the pilot's days (basic bootstrap) puts the pool between "
                    f"{lo} and {hi} (5th–95th percentile); the simulation draws it from that "
                    "range."
                )
        derived[c.residual_key] = Value(
            c.residual_key,
            value,
            spread,
            "pilot",
            bool(params["illustrative"]),
            f"pilot evidence ({len(report.files)} files, {report.sessions_total} sessions): {rule}",
        )
    by_contract = {
        contract_for(tool).name: reasons for tool, reasons in report.residual_by_tool_reason.items()
    }
    out = (params.with_derived(derived) if derived else params).with_observed(
        report.residual_by_reason, by_contract, report.sessions_total, report
    )
    register_evidence(out, report)
    return out
