"""Time to render the sample renewal pack, beside papermill running a one-cell notebook.

Run: ``.venv/bin/python benchmarks/bench_report.py`` (``make bench`` runs it too). Prints a
Markdown table for the README: the floor (papermill + kernel start on a one-cell notebook), then
the pack as ``rhmodel report`` renders it (the memo's sections rendered beside the kernel's start
and printed beside the notebook) and, for comparison, with the kernel rendering the memo itself
(the notebook run alone); the ratio of the whole pack to the floor (goal: within 2.0x), and the
CPU seconds each took (on 2 CPUs, the wall time cannot be under half of them). Best of 3 each.
"""

from __future__ import annotations

import os
import platform
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
import papermill

from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE
from rhmodel.edges.pack import KERNEL, PackResult, _ipc_kernel_manager, render_pack
from rhmodel.faces.memo import render_sections


def _cpu() -> float:
    """CPU seconds of this process and of its children that have ended."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _timed(run: Callable[[], Any]) -> tuple[Any, float, float]:
    """``run()``, its wall seconds and its CPU seconds."""
    cpu, t = _cpu(), time.perf_counter()
    out = run()
    return out, time.perf_counter() - t, _cpu() - cpu


def floor(tmp: Path) -> None:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": "Python 3", "language": "python"}
    src = tmp / "one.ipynb"
    nbformat.write(nb, src)
    papermill.execute_notebook(
        str(src),
        str(tmp / "one-out.ipynb"),
        kernel_name=KERNEL,
        cwd=str(tmp),
        progress_bar=False,
        log_output=False,
        kernel_manager_class=_ipc_kernel_manager(),
    )


def _best(runs: list[tuple[PackResult, float, float]]) -> tuple[PackResult, float]:
    best = min(runs, key=lambda r: r[0].seconds)
    assert best[0].ok, best[0].error
    return best[0], best[2]


def main() -> None:
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        floor(tmp)  # warm the file cache once
        floors = [_timed(lambda: floor(tmp)) for _ in range(3)]
        base, base_cpu = min((w, c) for _, w, c in floors)
        ahead = _best(
            [
                _timed(
                    lambda i=i: render_pack(
                        SAMPLE_PARAMS_FILE, tmp / f"pack{i}", renderer=render_sections
                    )
                )
                for i in range(3)
            ]
        )
        alone = _best(
            [_timed(lambda i=i: render_pack(SAMPLE_PARAMS_FILE, tmp / f"old{i}")) for i in range(3)]
        )
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; sample parameters, 10,000 simulation draws; best of 3; "
        f"load average {load:.1f} before, {os.getloadavg()[0]:.1f} after"
    )
    print()
    print("| step | `rhmodel report` | kernel renders the memo |")
    print("|---|---:|---:|")
    print(f"| floor: papermill + kernel start, one-cell notebook | {base:.2f} | {base:.2f} |")
    labels = {
        "evaluate": "evaluation, once (the memo, summary.json and workbook share it)",
        "sections": "memo's sections, rendered beside the kernel's start (not on top of it)",
        "notebook": "pack notebook (kernel start + execution)",
        "html": "HTML export",
        "pdf_total": "PDF: Chromium's time from its start (with the memo's, where rendered ahead)",
        "pdf": "PDF: waited for after the notebook",
        "summary": "summary.json",
        "workbook": "Excel workbook: waited for at the end",
    }
    for key, label in labels.items():
        cells = [f"{r.timings[key]:.2f}" if key in r.timings else "—" for r, _ in (ahead, alone)]
        print(f"| {label} | {cells[0]} | {cells[1]} |")
    (a, a_cpu), (b, b_cpu) = ahead, alone
    print(f"| whole pack | {a.seconds:.2f} | {b.seconds:.2f} |")
    print(f"| **whole pack / floor** | **{a.seconds / base:.1f}x** | {b.seconds / base:.1f}x |")
    print(f"| CPU seconds (all processes; floor {base_cpu:.2f}) | {a_cpu:.1f} | {b_cpu:.1f} |")


if __name__ == "__main__":
    main()
