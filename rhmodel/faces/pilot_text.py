"""The terminal rendering of a :class:`~rhmodel.core.pilot.evidence.PilotReport` (100 columns)."""

from __future__ import annotations

import pandas as pd

from rhmodel.core.pilot.evidence import PilotReport
from rhmodel.core.products import CONTRACTS, contract_for
from rhmodel.faces.texttable import text_table, wrap

__all__ = ["pilot_text"]


def _day(seconds: int | None, tz: str) -> str:
    if seconds is None:
        return "—"
    return f"{pd.Timestamp(seconds, unit='s', tz='UTC').tz_convert(tz):%Y-%m-%d}"


def pilot_text(r: PilotReport, width: int = 100) -> str:
    """Residual share and reasons, then the recommended pool per tool with its rule."""
    out = [
        wrap(
            f"Pilot evidence: {len(r.files)} files, {r.sessions_total:,} sessions "
            f"({r.duplicates_dropped:,} duplicate records dropped), "
            f"{_day(r.first_start, r.timezone)} to {_day(r.last_start, r.timezone)} "
            f"({r.timezone})",
            width,
        )
    ]
    out.append("  " + "   ".join(f"{t} {n:,}" for t, n in r.sessions_by_tool.items()))
    for w in r.warnings:
        out.append(wrap(f"Note: {w}", width, indent="  "))
    out.append("")
    out.append(
        f"Residual (not served by Remote Help): {r.residual_sessions:,} sessions, "
        f"{r.residual_share:.1%} of all"
    )
    if r.residual_by_reason:
        out.append("  " + " | ".join(f"{k} {v:,}" for k, v in r.residual_by_reason.items()))
    eligible = sum(r.unattended_eligible_by_platform.values())
    attended = r.incumbent_movable - eligible
    if attended > 0:
        out.append(
            wrap(
                f"  {attended:,} incumbent sessions were internal, attended work on "
                "a platform Remote Help supports: that work can move to Remote Help.",
                width,
                indent="  ",
            )
        )
    kept = {b: n for b, n in r.unattended_not_eligible.items() if n}
    if eligible or kept:
        shown = ", ".join(f"{b} {n:,}" for b, n in kept.items()) or "none"
        inventory = (
            f"the device inventory ({r.inventory_devices:,} devices)"
            if r.inventory_devices
            else "no device inventory (pilot.devices, --devices), so no device could be checked"
        )
        out.append(
            wrap(
                f"  Unattended work, judged per device against {inventory}: "
                f"{eligible:,} sessions on devices Remote Help's unattended control now covers "
                f"(corporate x64 Windows PCs: {r.unattended_windows_eligible:,}) can move; "
                f"residual by why not: {shown}.",
                width,
                indent="  ",
            )
        )
    if r.unexplained_sessions:
        out.append(
            wrap(
                f"  {r.unexplained_sessions:,} incumbent sessions are unexplained: the export "
                "cannot tell whether Remote Help could have served them and no reason covers "
                "them. Chase them before the renewal (add them to the reason log); they are "
                "not counted as movable.",
                width,
                indent="  ",
            )
        )
    if r.open_sessions:
        out.append(
            wrap(
                f"  {r.open_sessions:,} sessions had no end in any export (still "
                "running when exported) and are left out of the sizing.",
                width,
                indent="  ",
            )
        )
    for tool, z in r.tools.items():
        if z.license_usage_peak is not None:
            out.append(
                wrap(
                    f"  {tool}: its LicenseUsage report peaked at {z.license_usage_peak} licences "
                    f"in use (the vendor's own count: the ground truth); the sessions show "
                    f"{z.peak_concurrent_technicians} technicians on residual work at once.",
                    width,
                    indent="  ",
                )
            )
        wider = z.recommended_licenses_with_unexplained
        if wider is not None and wider != z.recommended_licenses:
            out.append(
                wrap(
                    f"  {tool}: keep {z.recommended_licenses} for the residual work; "
                    f"{wider} if the unexplained sessions turn out to be residual too.",
                    width,
                    indent="  ",
                )
            )
    if r.tools:
        out.append("")
        s = r.settings
        out.append(
            wrap(
                f"Pool per incumbent tool (Erlang B target {s.target_blocking:.1%}, "
                f"headroom {s.headroom:.0%}, growth {s.growth:.0%})",
                width,
            )
        )
        rows = []
        for tool, z in r.tools.items():
            lo, hi = z.daily_peak_p95_interval
            rows.append(
                [
                    tool,
                    f"{z.sessions:,}",
                    str(z.peak_concurrent_sessions),
                    str(z.peak_concurrent_technicians),
                    str(z.distinct_technicians),
                    f"{z.daily_peak_max} / {z.daily_peak_p95:.1f} ({lo:.0f}–{hi:.0f})",
                    f"{z.busy_hour_erlangs:.2f}",
                    str(z.erlang_b_servers),
                    str(z.kept if z.kept_note else z.recommended_licenses),
                ]
            )
        out.append(
            text_table(
                [
                    "Tool",
                    "Sessions",
                    "Peak sess.",
                    "Peak tech.",
                    "Distinct",
                    "Day peak max / p95 (CI)",
                    "Erlangs",
                    "Erlang B",
                    "Keep",
                ],
                rows,
                widths=[15, 8, 5, 5, 8, 20, 7, 8, 5],
                align=["<", ">", ">", ">", ">", ">", ">", ">", ">"],
            )
        )
        for tool, z in r.tools.items():
            out.append("")
            out.append(
                wrap(
                    f"{tool}: keep {z.recommended_licenses} "
                    f"{z.unit or z.metric.replace('_', ' ')}. {z.rule}"
                    + (
                        (
                            f" Resampling the pilot's days (basic bootstrap): {z.pool_interval[0]}"
                            f"–{z.pool_interval[1]} (5th–95th percentile); the simulation draws "
                            "the pool from that range."
                            if z.pool_interval[0] < z.pool_interval[1]
                            else " Resampling the pilot's days (basic bootstrap) does not move it."
                        )
                        if z.pool_interval
                        else ""
                    ),
                    width,
                    indent="  ",
                )
            )
            bound = getattr(z, "bound", "")
            if bound:
                words = {
                    "peak": "the peak of technicians at once plus headroom",
                    "licence_usage_peak": "the licence-usage report's peak plus headroom",
                    "technicians": "the technicians who did the routed work",
                    "specialist_team": "the specialist team (most at once, plus headroom)",
                    "no_work": "no residual work",
                }.get(bound, bound)
                out.append(
                    wrap(
                        f"  Decided by: {words} (bound: {bound}); {z.routed_sessions:,} routed "
                        f"residual sessions, sized need {z.sized_need}, kept {z.kept}."
                        + (f" {z.kept_note[:1].upper()}{z.kept_note[1:]}." if z.kept_note else ""),
                        width,
                        indent="  ",
                    )
                )
            for name, t in getattr(r, "teams", {}).get(tool, {}).items():
                out.append(
                    wrap(
                        f"  Team {name} (pilot.teams): {t.sized_need} {t.unit} from its own "
                        f"{t.routed_sessions:,} sessions ({t.bound}).",
                        width,
                        indent="  ",
                    )
                )
            at = z.time_at_or_above
            if len(at) > 1:
                shown = ", ".join(f">= {n}: {at[n]:.1%}" for n in range(1, min(len(at), 7)))
                out.append(
                    wrap(
                        f"  Share of the pilot with N in use: {shown}; sessions that "
                        f"would have found {z.recommended_licenses} in use: "
                        f"{z.empirical_blocking:.2%}.",
                        width,
                        indent="  ",
                    )
                )
    out.append("")
    out.append("Files:")
    for f in r.files:
        skipped = "".join(f"; {n:,} rows skipped: {why}" for why, n in f.skipped.items())
        counted = f"; {counted_for(f.format, f.counted_for)}" if f.counted_for else ""
        out.append(
            wrap(
                f"  {f.path} ({f.format}, "
                + (
                    f"{f.rows:,} devices: the device inventory"
                    if f.format == "intune_devices"
                    else f"{f.records:,} records{skipped}{counted}"
                )
                + ")",
                width,
                indent="    ",
            )
        )
    return "\n".join(out)


def counted_for(fmt: str, product: str) -> str:
    """Which contract a format two products read was counted for, and why, in words.

    Examples
    --------
    >>> counted_for("logmein_csv", "logmein_rescue")
    'counted for LogMeIn Rescue: the parameters hold a LogMeIn Rescue contract'
    >>> print(counted_for("logmein_csv", "logmein_resolve"))  # doctest: +NORMALIZE_WHITESPACE
    counted for LogMeIn Resolve: no LogMeIn Rescue contract is held
    (rescue.technicians would count it there)
    """
    owner = contract_for(product)
    if fmt in owner.claims:
        return f"counted for {owner.label}: the parameters hold a {owner.short} contract"
    others = [c for c in CONTRACTS if fmt in c.claims]
    would = "; ".join(
        f"no {c.short} contract is held ({c.count_key} would count it there)" for c in others
    )
    return f"counted for {owner.label}: {would}"
