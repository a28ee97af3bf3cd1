"""Plans over any number of contracts: how long the analysis takes as contracts are added.

Every combination of renew / right-size / cancel / consolidate over the contracts held is
judged and priced (4^n plans), then the recommended one is timed and simulated. This prints,
for one to four contracts held, the plans weighed and the best-of-``--repeat`` wall time of
``analyse`` (every plan at first renewal) and of ``evaluate`` with the simulation.

Run: ``make bench`` (or ``.venv/bin/python benchmarks/bench_plans.py``).
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import yaml

from rhmodel.core.document import parse_yaml
from rhmodel.core.money.evaluation import evaluate
from rhmodel.core.money.scenarios import analyse
from rhmodel.edges.bundled import load_capabilities
from rhmodel.edges.paramfile import parse_parameters

# One section per incumbent record, with a residual pool; the first n are held.
SECTIONS = [
    ("logmein", {"agents": 40, "price_per_agent_month": 50, "months_to_renewal": 4}),
    (
        "beyondtrust",
        {"concurrent_seats": 10, "price_per_seat_year": 2400, "months_to_renewal": 7},
    ),
    ("teamviewer", {"users": 30, "price_per_user_year": 900, "months_to_renewal": 2}),
    ("rescue", {"technicians": 12, "price_per_technician_year": 1500, "months_to_renewal": 9}),
]
RESIDUAL = {
    "logmein": ("logmein_agents", 6),
    "beyondtrust": ("beyondtrust_seats", 3),
    "teamviewer": ("teamviewer_users", 5),
    "rescue": ("rescue_technicians", 4),
}


def params_with(n: int):
    doc: dict = {
        "start_date": "2026-12-01",
        "logmein": {"price_per_agent_month": {"low": 29, "mode": 45, "high": 94}},
    }
    doc["residual"] = {}
    for name, section in SECTIONS[:n]:
        doc[name] = {**doc.get(name, {}), **section}
        key, keep = RESIDUAL[name]
        doc["residual"][key] = keep
    return parse_parameters(parse_yaml(yaml.safe_dump(doc), "bench.yaml"))


def best(fn, repeat: int) -> float:
    out = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out = min(out, time.perf_counter() - start)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--draws", type=int, default=2000)
    args = ap.parse_args()
    m = load_capabilities()
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print()
    print("| contracts held | plans weighed | analyse (ms) | evaluate, 2,000 draws (ms) |")
    print("|---:|---:|---:|---:|")
    for n in range(1, len(SECTIONS) + 1):
        p = params_with(n)
        plans = len(analyse(p, m).options)
        a = best(lambda p=p: analyse(p, m), args.repeat)
        e = best(lambda p=p: evaluate(p, m, draws=args.draws), args.repeat)
        print(f"| {n} | {plans} | {a * 1000:,.0f} | {e * 1000:,.0f} |")


if __name__ == "__main__":
    main()
