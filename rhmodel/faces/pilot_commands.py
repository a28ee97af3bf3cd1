"""``rhmodel pilot import | collect | status``: the pilot as a process (issue 25).

:func:`register` adds the ``pilot`` verb and its sub-verbs to the command line's subparsers;
each sub-verb sets ``func`` to a function that takes the parsed arguments and returns the exit
status, as every other verb does.

- ``rhmodel pilot import FILE... --params PARAMS.yaml`` (or ``--store DIR``): exports added to the
  store by hand; the same file twice changes nothing.
- ``rhmodel pilot collect PARAMS.yaml [--since DATE]``: every ``pilot.sources`` entry fetched
  into the store, a progress line per window on standard error; exit status 0 when every source
  and window succeeded, 1 when some failed (logged, fetched again by the next run; cron can
  alert on it), 2 for a bad parameters file.
- ``rhmodel pilot status PARAMS.yaml [--format table|json]``: the pilot week by week
  (:mod:`rhmodel.core.pilot.status`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Any

from rhmodel.errors import InputError

__all__ = ["register", "status_of", "store_folder"]

EXIT_PARTIAL = 1


def _params_args(p: argparse.ArgumentParser, mode: str) -> None:
    # the same destinations as every other verb's parameters (cli._settle_params reads them)
    if mode == "one":
        p.add_argument(
            "params_positional",
            nargs="?",
            metavar="PARAMS.yaml",
            help="parameters file, here or as --params (required)",
        )
    p.add_argument(
        "--params",
        dest="params_flag",
        action="append",
        default=[],
        metavar="PARAMS.yaml",
        help="parameters file, the same as giving it positionally"
        if mode == "one"
        else "parameters file whose pilot.store receives the exports",
    )
    p.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override one parameter, e.g. --set pilot.store=store (repeatable)",
    )
    p.set_defaults(params_mode="one" if mode == "one" else "optional")


def register(sub: Any, parser_class: type[argparse.ArgumentParser]) -> None:
    """Add ``rhmodel pilot ...`` to ``sub`` (the top-level subparsers)."""
    pp = sub.add_parser(
        "pilot",
        help="the pilot as a process: its store, collectors and weekly status",
        description="Keep the pilot's sessions in one local store (pilot.store), fetch them "
        "from the vendors' APIs (pilot.sources) and see week by week whether the evidence is "
        "enough to decide.",
    )
    verbs = pp.add_subparsers(dest="pilot_command", metavar="{import,collect,status}")

    ip = verbs.add_parser(
        "import",
        help="add pilot exports to the store by hand",
        description="Read each export with rhmodel's readers and add its sessions to the "
        "store; a file imported before changes nothing, a session that was running and has "
        "ended since is updated.",
    )
    ip.add_argument("files", nargs="+", metavar="FILE", help="pilot export files or folders")
    _params_args(ip, "flag")
    ip.add_argument(
        "--store", metavar="DIR", default=None, help="the store folder (default: pilot.store)"
    )
    ip.set_defaults(func=_cmd_import)

    cp = verbs.add_parser(
        "collect",
        help="fetch what is new from every pilot.sources API into the store",
        description="Fetch, per source, what is new since its last successful fetch (failed "
        "windows again first). Secrets come only from the environment variables the sources "
        "name (or the system keyring).",
    )
    _params_args(cp, "one")
    cp.add_argument(
        "--since",
        metavar="DATE",
        default=None,
        help="fetch from this day (YYYY-MM-DD, UTC) instead of the last successful fetch",
    )
    cp.set_defaults(func=_cmd_collect)

    sp = verbs.add_parser(
        "status",
        help="the pilot week by week: residual share, unexplained work, pool, sufficiency",
        description="Per ISO week: sessions per tool, residual share, unexplained sessions, "
        "the pool each contract would get if the pilot ended that week, and whether the "
        "evidence is sufficient; warns before Intune drops sessions the store lacks and when a "
        "notice deadline comes before the pilot's planned end.",
    )
    _params_args(sp, "one")
    sp.add_argument(
        "--format",
        choices=("table", "text", "json"),
        default="table",
        metavar="{table|json}",
        help="output: table for people (the default) or json for programs",
    )
    sp.set_defaults(func=_cmd_status)
    pp.set_defaults(func=lambda args: _no_sub_verb(pp))


def _no_sub_verb(pp: argparse.ArgumentParser) -> int:
    pp.print_help(sys.stderr)
    return 2


def _load(args: argparse.Namespace) -> Any:
    from rhmodel.edges.paramfile import load_parameters

    return load_parameters(args.params, args.overrides)


def store_folder(params: Any) -> Path:
    """The ``pilot.store`` folder, relative to the parameters file."""
    name = params["pilot.store"]
    if not name:
        raise InputError(
            "pilot.store is not set — add `pilot.store: pilot-store` (a folder beside the "
            "parameters file) to keep the pilot's sessions",
            key="pilot.store",
        )
    return Path(params.base_dir) / str(name)


def _cmd_import(args: argparse.Namespace) -> int:
    from rhmodel.edges.pilotstore import import_files

    if args.store:
        folder, tz, order = Path(args.store), None, None
    elif args.params:
        params = _load(args)
        folder = store_folder(params)
        tz, order = params["pilot.timezone"], params["pilot.date_order"]
    else:
        raise InputError(
            "no store — give --params PARAMS.yaml (its pilot.store) or --store DIR",
            file="pilot import",
        )
    for path, done in import_files(folder, args.files, timezone=tz, date_order=order):
        name = Path(path).name
        if done is None:
            print(f"{name}: imported before — nothing changed")
        elif done.rows == 0:
            print(f"{name}: no sessions stored (a device inventory: name it in pilot.devices)")
        else:
            print(
                f"{name}: {done.rows:,} sessions, {done.added:,} new, {done.updated:,} ended "
                "since they were stored"
            )
    return 0


def _since(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"not a date ({text!r:.40}) — a day as YYYY-MM-DD", file="--since"
        ) from None
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())


def _cmd_collect(args: argparse.Namespace) -> int:
    from rhmodel.edges.collectors import collect

    since = _since(args.since)
    params = _load(args)
    sources = params["pilot.sources"] or ()
    if not sources:
        raise InputError(
            "is empty — list the APIs to collect from, e.g. "
            "{type: beyondtrust, site_url: https://support.example.com, client_id: ..., "
            "secret_env: BT_SECRET}",
            key="pilot.sources",
        )
    outcomes = collect(sources, store_folder(params), since=since)
    for o in outcomes:
        state = "ok" if o.ok else ("failed" if o.error else "partly failed")
        print(
            f"{o.source}: {state} — {o.windows} window(s), {o.failed_windows} failed, "
            f"{o.rows:,} sessions ({o.added:,} new, {o.updated:,} ended since)"
            + (f"; {o.error}" if o.error else "")
        )
    return 0 if all(o.ok for o in outcomes) else EXIT_PARTIAL


def status_of(params: Any, *, now: int | None = None, replicates: int | None = None) -> Any:
    """The :class:`~rhmodel.core.pilot.status.PilotStatus` of a parameters file: its
    ``pilot.files`` and its store, its settings, its contracts' notice deadlines."""
    from rhmodel.core.money.timing import add_months, contract_notice, pilot_end
    from rhmodel.core.pilot.settings import PilotSettings
    from rhmodel.core.pilot.status import REPLICATES, pilot_status
    from rhmodel.core.products import CONTRACTS
    from rhmodel.edges import pilotfiles
    from rhmodel.edges.bundled import load_capabilities
    from rhmodel.edges.devices import read_devices
    from rhmodel.edges.exports import load_exports
    from rhmodel.edges.pilotstore import PilotStore, store_path
    from rhmodel.edges.reasonlog import read_reason_log

    settings = PilotSettings.from_parameters(params)
    loaded: list[Any] = []
    if params["pilot.files"]:
        loaded += load_exports(
            pilotfiles.pilot_specs(params), settings.timezone, settings.date_order
        )
    last_intune: int | None = None
    if params["pilot.store"] and store_path(store_folder(params)).exists():
        with PilotStore.open(store_folder(params), read_only=True) as store:
            loaded += store.exports()
            intune_names = {s.name for s in params["pilot.sources"] or () if s.type == "intune"}
            ends = [
                f.window_end
                for f in store.fetches()
                if f.ok and f.source in intune_names and f.window_end is not None
            ]
            last_intune = max(ends) if ends else None
    rh = [x.sessions.loc[x.sessions["tool"] == "remote_help", "start"] for x in loaded]
    rh_starts = [int(s.max()) for s in rh if len(s)]
    if rh_starts:  # sessions imported by hand: Intune's are stored up to the latest one
        last_intune = max(last_intune or 0, max(rh_starts))
    sources_of = getattr(pilotfiles, "reason_sources", None)
    logs = (
        sources_of(params)
        if sources_of
        else [params.base_dir / n for n in params["pilot.reasons"] or ()]
    )
    deadlines: dict[str, dt.date] = {}
    for c in CONTRACTS:
        if not params[c.count_key] and params.value(c.count_key).uncertain is None:
            continue
        renewal = add_months(params["start_date"], params[f"{c.name}.months_to_renewal"])
        deadlines[c.label] = contract_notice(params, c.name, renewal).notice_by
    intune_expected = any(s.type == "intune" for s in params["pilot.sources"] or ()) or bool(
        rh_starts
    )
    device_files = list(pilotfiles.device_paths(params))
    inventory = read_devices(device_files) if device_files else None
    return pilot_status(
        loaded,
        load_capabilities(),
        settings,
        inventory=inventory,
        now=int(time.time()) if now is None else now,
        reason_log=read_reason_log(logs) if logs else (),
        replicates=REPLICATES if replicates is None else replicates,
        last_intune_stored=last_intune,
        intune_expected=intune_expected,
        planned_end=pilot_end(params),
        deadlines=deadlines,
    )


def _cmd_status(args: argparse.Namespace) -> int:
    from rhmodel.core.jsonable import jsonable

    status = status_of(_load(args))
    if args.format == "json":
        print(json.dumps(jsonable(status), indent=2, ensure_ascii=False))
        return 0
    print(status_text(status))
    return 0


def status_text(status: Any) -> str:
    """The status as a table for people."""
    from rhmodel.faces.texttable import text_table, wrap

    tools = sorted({t for w in status.weeks for t in w.pool})
    header = ["week", "sessions", "residual", "unexplained", *(f"pool {t}" for t in tools), "P"]
    rows = []
    for w in status.weeks:
        sessions = ", ".join(f"{t} {n:,}" for t, n in w.sessions_by_tool.items()) or "none"
        p = "moved" if w.change_probability is None else f"{w.change_probability:.0%}"
        rows.append(
            [
                w.week + (" *" if w.sufficient else ""),
                sessions,
                f"{w.residual_share:.1%}",
                f"{w.unexplained:,}",
                *(str(w.pool.get(t, "")) for t in tools),
                p,
            ]
        )
    widths = [10, 44, 9, 11, *(len(f"pool {t}") for t in tools), 6]
    align = ["<", "<", ">", ">", *([">"] * len(tools)), ">"]
    out = [
        text_table(header, rows, widths, align) if rows else "no sessions yet",
        "",
        "residual, unexplained and pool: if the pilot ended at that week's end; P: the probability "
        "that 14 more days change the pool (leave-14-days-out subsampling); * sufficient",
        "",
        wrap(f"Sufficiency: {status.verdict}."),
    ]
    for warning in (status.retention_warning, status.deadline_warning):
        if warning:
            out.append(wrap(f"Warning: {warning}"))
    return "\n".join(out)


def notebook_status(
    params_path: str = "", overrides: Any = (), *, replicates: int = 10, today: str = ""
) -> Any:
    """The status the pilot-status notebook shows: ``params_path`` (``""``: the bundled sample)
    with ``overrides`` (as ``--set`` takes them), ``replicates`` subsampling replicates per week,
    ``today`` (``YYYY-MM-DD``; ``""``: the clock)."""
    from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE
    from rhmodel.edges.paramfile import load_parameters

    where = "50-pilot-status.ipynb"
    if (
        isinstance(replicates, bool)
        or not isinstance(replicates, int)
        or not 1 <= replicates <= 1000
    ):
        raise InputError(
            f"not a whole number from 1 to 1,000 ({replicates!r}) — subsampling replicates per "
            "week",
            file=where,
            key="replicates",
        )
    if not isinstance(today, str):
        raise InputError(f'not a date ({today!r}) — YYYY-MM-DD or ""', file=where, key="now")
    if isinstance(overrides, str):
        overrides = [overrides]
    path = Path(params_path).expanduser() if str(params_path).strip() else SAMPLE_PARAMS_FILE
    params = load_parameters(path, list(overrides))
    now = _since(today) if today.strip() else None
    return status_of(params, now=None if now is None else now + 86_399, replicates=replicates)


def status_frame(status: Any) -> Any:
    """The weeks of a status as a table (a pandas DataFrame) for a notebook."""
    import pandas as pd

    rows = []
    for w in status.weeks:
        row = {"week": w.week, "sessions": sum(w.sessions_by_tool.values())}
        row.update({f"sessions {t}": n for t, n in w.sessions_by_tool.items()})
        row.update({"residual share": round(w.residual_share, 3), "unexplained": w.unexplained})
        row.update({f"pool {t}": n for t, n in w.pool.items()})
        row["P(14 more days change the pool)"] = w.change_probability
        row["sufficient"] = w.sufficient
        rows.append(row)
    return pd.DataFrame(rows).set_index("week") if rows else pd.DataFrame()
