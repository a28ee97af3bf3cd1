"""Pilot evidence end to end on millions of sessions: loading, classification, sizing.

Run: ``make bench`` (or ``.venv/bin/python benchmarks/bench_pilot.py --sessions 10000000``).
The synthetic canonical CSV is generated once and cached (``--cache``). Each measurement runs
in a fresh process so that its peak memory (VmHWM) is its own. Prints a Markdown table for the
README with two ratios:

- sizing against the bare lower bound (two sorts and a searchsorted on the same intervals);
- ``rhmodel pool`` on the canonical CSV against a bare ``pandas.read_csv`` of the same file
  (the C engine, and ``engine="pyarrow"``, the issue 23 reference), and against the DuckDB floor:
  the same work done by an embedded columnar engine in-process (read, keep the incumbent rows
  with a reason, sweep peak concurrency per tool, count distinct technicians).

``rhmodel pool`` runs as a child process; its peak memory is the child's own (``ru_maxrss`` of
``RUSAGE_CHILDREN``, read in a fresh process that ran nothing else).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve()


def peak_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def stage(name: str, path: Path) -> dict[str, float]:
    """One measurement, in this (fresh) process."""
    out: dict[str, float] = {}
    if name == "read_csv":
        t = time.perf_counter()
        pd.read_csv(path)
        out["seconds"] = time.perf_counter() - t
    elif name == "read_csv_pyarrow":
        t = time.perf_counter()
        pd.read_csv(path, engine="pyarrow")
        out["seconds"] = time.perf_counter() - t
    elif name == "duckdb_floor":
        import duckdb

        t = time.perf_counter()
        con = duckdb.connect()
        rows = con.execute(DUCKDB_FLOOR, [str(path)]).fetchall()
        out["seconds"] = time.perf_counter() - t
        out["tools"] = len(rows)
    elif name == "pipeline":
        from rhmodel.core.pilot.evidence import summarise_pilot
        from rhmodel.core.pilot.sessions import classify, merge_sessions
        from rhmodel.edges.bundled import load_capabilities
        from rhmodel.edges.exports import load_exports

        matrix = load_capabilities()
        t0 = time.perf_counter()
        loaded = load_exports([path])
        t1 = time.perf_counter()
        merged, _ = merge_sessions([x.sessions for x in loaded])
        classified = classify(merged, matrix).sessions
        t2 = time.perf_counter()
        # sizing alone, on the residual sessions of each incumbent tool
        from rhmodel.core.pilot.pool import size_tool

        sizing = 0.0
        bound = 0.0
        intervals = 0
        for tool in ("logmein_resolve", "beyondtrust"):
            rows = classified[
                classified["residual"].to_numpy() & (classified["tool"] == tool).to_numpy()
            ]
            tech, _ = pd.factorize(rows["technician"])
            s = rows["start"].to_numpy(np.int64)
            e = rows["end"].to_numpy(np.int64)
            intervals += len(s)
            a = time.perf_counter()
            size_tool(tool, tech.astype(np.int64), s, e, "Europe/London")
            b = time.perf_counter()
            ss, es = np.sort(s), np.sort(e)
            np.searchsorted(es, ss, side="right")
            c = time.perf_counter()
            sizing += b - a
            bound += c - b
        t3 = time.perf_counter()
        summarise_pilot(loaded, matrix, timezone="Europe/London")
        t4 = time.perf_counter()
        out.update(
            load=t1 - t0,
            classify=t2 - t1,
            sizing=sizing,
            bound=bound,
            intervals=intervals,
            summarise=t4 - t3,
            sessions=len(classified),
        )
    elif name == "cli":
        import resource

        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "rhmodel", "pool", str(path), "--format", "json"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        out["seconds"] = time.perf_counter() - t
        out["peak_mib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        return out
    out["peak_mib"] = peak_rss_mib()
    return out


#: The floor of the same work in an embedded columnar engine: read the canonical CSV, keep the
#: incumbent rows with a reason (residual work), sweep peak concurrent sessions per tool (+1 at
#: each start, -1 at each end, ends before starts at the same instant), count technicians.
DUCKDB_FLOOR = """
WITH s AS (
    SELECT tool, technician, epoch("start"::TIMESTAMPTZ) AS a, epoch("end"::TIMESTAMPTZ) AS b
    FROM read_csv(?, header = true, all_varchar = true)
    WHERE tool <> 'remote_help' AND reason <> '' AND "end" <> ''
), ev AS (
    SELECT tool, a AS t, 1 AS d FROM s UNION ALL SELECT tool, b AS t, -1 AS d FROM s
), run AS (
    SELECT tool, sum(d) OVER (PARTITION BY tool ORDER BY t, d ROWS UNBOUNDED PRECEDING) AS c
    FROM ev
)
SELECT r.tool, max(c) AS peak, (SELECT count(DISTINCT technician) FROM s WHERE s.tool = r.tool)
FROM run r GROUP BY r.tool
"""


def run(name: str, path: Path) -> dict[str, float]:
    res = subprocess.run(
        [sys.executable, str(HERE), "--stage", name, "--csv", str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(res.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=10_000_000)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/rhmodel-bench"))
    parser.add_argument("--stage")
    parser.add_argument("--csv", type=Path)
    args = parser.parse_args()
    if args.stage:
        print(json.dumps(stage(args.stage, args.csv)))
        return
    from rhmodel.edges.synthetic import generate_sessions, write_canonical

    args.cache.mkdir(parents=True, exist_ok=True)
    path = args.cache / f"canonical-{args.sessions}.csv"
    if not path.exists():
        # ~4,600 sessions at scale 1 over 45 days
        t = time.perf_counter()
        s = generate_sessions(seed=7, scale=args.sessions / 4600)
        write_canonical(s, path)
        print(
            f"generated {len(s):,} sessions into {path} in {time.perf_counter() - t:.0f} s",
            file=sys.stderr,
        )
    size_mb = path.stat().st_size / 2**20
    bare = run("read_csv", path)
    arrow = run("read_csv_pyarrow", path)
    floor = run("duckdb_floor", path)
    pipe = run("pipeline", path)
    cli = run("cli", path)
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}; "
        f"{pipe['sessions']:,.0f} sessions, canonical CSV {size_mb:,.0f} MiB; "
        f"{pipe['intervals']:,.0f} residual intervals sized"
    )
    print()
    print("| step | seconds | peak memory (MiB) | note |")
    print("|---|---:|---:|---|")
    print(
        f"| bare `pandas.read_csv` of the file | {bare['seconds']:.1f} | "
        f"{bare['peak_mib']:,.0f} | reference |"
    )
    print(
        f'| bare `pandas.read_csv(engine="pyarrow")` | {arrow["seconds"]:.2f} | '
        f"{arrow['peak_mib']:,.0f} | the issue's reference |"
    )
    print(
        f"| DuckDB floor (read, filter, sweep, count) | {floor['seconds']:.2f} | "
        f"{floor['peak_mib']:,.0f} | in-process |"
    )
    print(f"| load (parse, validate, time zones) | {pipe['load']:.1f} | | |")
    print(f"| merge duplicates + classify | {pipe['classify']:.1f} | | |")
    print(
        f"| sizing (both tools) | {pipe['sizing']:.2f} | | "
        f"{pipe['sizing'] / pipe['bound']:.2f}x the bare lower bound |"
    )
    print(f"| bare lower bound: 2 sorts + searchsorted | {pipe['bound']:.2f} | | same intervals |")
    whole = pipe["load"] + pipe["summarise"]  # summarise = merge, classify and size
    print(
        f"| load + merge + classify + size, one process | {whole:.1f} | {pipe['peak_mib']:,.0f} | |"
    )
    print(
        f"| `rhmodel pool FILE --format json` | {cli['seconds']:.1f} | {cli['peak_mib']:,.0f} | "
        f"{cli['seconds'] / arrow['seconds']:.1f}x the pyarrow read, "
        f"{cli['seconds'] / floor['seconds']:.1f}x the DuckDB floor; memory "
        f"{cli['peak_mib'] / arrow['peak_mib']:.1f}x the pyarrow read's |"
    )


if __name__ == "__main__":
    main()
