"""Monte Carlo speed and peak memory, against the same model evaluated draw by draw.

Run: ``make bench`` (or ``.venv/bin/python benchmarks/bench_simulation.py``). Prints a
Markdown table for the README's performance section. Timings are best of ``--repeat`` runs;
peak memory is measured by tracemalloc (numpy reports its buffers to it) in a separate run.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import tracemalloc
from collections.abc import Callable

import numpy as np

from rhmodel.core.money.scenarios import base_terms, metrics
from rhmodel.core.money.uncertainty import _draw, ranged_inputs, simulate
from rhmodel.core.params import Parameters
from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE
from rhmodel.edges.paramfile import load_parameters


def loop_per_draw(params: Parameters, draws: int, seed: int) -> np.ndarray:
    """The same model, one draw at a time in a plain Python loop (the baseline)."""
    t = base_terms(params)
    ranged = ranged_inputs(params)
    rng = np.random.default_rng(seed)
    from rhmodel.core.money.cashflows import is_count

    npv = np.empty(draws)
    for i in range(draws):
        one = t.replace_x(
            **{k.replace(".", "__"): _draw(rng, u, 1, is_count(k)) for k, u in ranged}
        )
        npv[i] = metrics(one)["right_size"].npv[0]
    return npv


def best_time(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def peak_mib(fn: Callable[[], object]) -> float:
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--loop-draws", type=int, default=10_000)
    args = parser.parse_args()

    sample = load_parameters(SAMPLE_PARAMS_FILE)
    # Worst case: the renewal month drawn per draw, so each draw has its own calendar.
    per_draw = sample.with_values({"logmein.months_to_renewal": {"low": 3, "high": 9}})
    cases = [("sample (shared calendar)", sample), ("renewal month drawn", per_draw)]
    print(
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, numpy {np.__version__}; horizon "
        f"{sample['horizon_months']} months, {len(ranged_inputs(sample))} ranged inputs "
        f"(sample), best of {args.repeat}"
    )
    print()
    print("| case | draws | seconds | µs per draw | peak memory (MiB) | speed-up vs loop |")
    print("|---|---:|---:|---:|---:|---:|")
    loop_s = best_time(lambda: loop_per_draw(sample, args.loop_draws, 1), 1)
    loop_us = loop_s / args.loop_draws * 1e6
    loop_mem = peak_mib(lambda: loop_per_draw(sample, 1000, 1))
    print(
        f"| plain Python loop, one draw at a time (sample) | {args.loop_draws:,} | "
        f"{loop_s:.2f} | {loop_us:.1f} | {loop_mem:.1f} | 1x |"
    )
    for name, params in cases:
        for draws in (10_000, 100_000, 1_000_000):
            s = best_time(lambda p=params, n=draws: simulate(p, n, seed=1), args.repeat)
            mem = peak_mib(lambda p=params, n=draws: simulate(p, n, seed=1))
            us = s / draws * 1e6
            print(
                f"| vectorised, {name} | {draws:,} | {s:.3f} | {us:.2f} | {mem:.1f} | "
                f"{loop_us / us:,.0f}x |"
            )


if __name__ == "__main__":
    main()
