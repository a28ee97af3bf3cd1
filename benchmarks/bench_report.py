"""Time to render the sample renewal pack, beside papermill running a one-cell notebook.

Run: ``.venv/bin/python benchmarks/bench_report.py`` (``make bench`` runs it too). Prints two
Markdown tables for the README:

* the issue's measure: ``rhmodel report`` against ``papermill`` running a one-cell notebook,
  each a command started afresh (what a reader waits for), taken in turns, best of 5
  (goal: the pack, PDF included, within 2.0x);
* where the pack's time goes, from ``render_pack``'s own timings in one process, beside the
  in-process floor (papermill + kernel start once papermill is imported).
"""

from __future__ import annotations

import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import papermill

from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE
from rhmodel.edges.kernel import KERNEL
from rhmodel.edges.kernel import ipc_kernel_manager as _ipc_kernel_manager
from rhmodel.edges.pack import render_pack


def floor(tmp: Path) -> float:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": "Python 3", "language": "python"}
    src = tmp / "one.ipynb"
    nbformat.write(nb, src)
    t = time.perf_counter()
    papermill.execute_notebook(
        str(src),
        str(tmp / "one-out.ipynb"),
        kernel_name=KERNEL,
        cwd=str(tmp),
        progress_bar=False,
        log_output=False,
        kernel_manager_class=_ipc_kernel_manager(),
    )
    return time.perf_counter() - t


def _command(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, the command and every process it waited
    for: the kernel, LibreOffice, the browser) of one run of ``cmd``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, capture_output=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu


def commands(tmp: Path, rounds: int = 5) -> tuple[tuple[float, float], tuple[float, float]]:
    """Best (wall, CPU) seconds of ``papermill`` on a one-cell notebook and of ``rhmodel
    report`` on the sample, each a fresh command, taken in turns so both see the same machine
    (CPU seconds move less with the machine's other load than wall seconds)."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp / "one.ipynb")
    bin_dir = Path(sys.executable).parent
    papermill_cmd = [
        str(shutil.which("papermill", path=str(bin_dir)) or "papermill"),
        "-k",
        KERNEL,
        "--no-progress-bar",
        "one.ipynb",
        "one-out.ipynb",
    ]
    report_cmd = [sys.executable, "-m", "rhmodel", "report", "--out", str(tmp / "cli-pack")]
    _command(report_cmd, tmp)  # warm the file cache once
    floors, packs = [], []
    for _ in range(rounds):
        floors.append(_command(papermill_cmd, tmp))
        packs.append(_command(report_cmd, tmp))
    return (
        (min(w for w, _ in floors), min(c for _, c in floors)),
        (min(w for w, _ in packs), min(c for _, c in packs)),
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        (cli_floor, floor_cpu), (cli_pack, pack_cpu) = commands(tmp)
        floor(tmp)  # warm the file cache once
        base = min(floor(tmp) for _ in range(3))
        runs = [render_pack(SAMPLE_PARAMS_FILE, tmp / f"pack{i}") for i in range(3)]
    best = min(runs, key=lambda r: r.seconds)
    assert best.ok, best.error
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; sample parameters, 10,000 simulation draws; commands "
        "best of 5, steps best of 3"
    )
    print()
    print("| command, started afresh | seconds | CPU seconds |")
    print("|---|---:|---:|")
    print(f"| `papermill` running a one-cell notebook | {cli_floor:.2f} | {floor_cpu:.2f} |")
    print(f"| `rhmodel report` (the sample pack, PDF included) | {cli_pack:.2f} | {pack_cpu:.2f} |")
    print(f"| pack / papermill | {cli_pack / cli_floor:.2f}x | |")
    print()
    print("| step, in one process | seconds |")
    print("|---|---:|")
    print(f"| floor: papermill + kernel start, one-cell notebook | {base:.2f} |")
    labels = {
        "kernel_launch": "kernel launched (it starts and imports while the pack evaluates)",
        "evaluate": "evaluation, once (the memo, summary.json and workbook share it)",
        "notebook": "pack notebook (kernel start + execution)",
        "html": "HTML export",
        "summary": "summary.json",
        "workbook": "Excel workbook",
        "pdf": "PDF (Chromium's headless shell where installed)",
    }
    for key, label in labels.items():
        if key in best.timings:
            print(f"| {label} | {best.timings[key]:.2f} |")
    print(f"| whole pack | {best.seconds:.2f} |")
    print(f"| whole pack / floor | {best.seconds / base:.1f}x |")
    without_pdf = best.seconds - best.timings.get("pdf", 0.0)
    print(f"| whole pack without PDF / floor | {without_pdf / base:.1f}x |")


if __name__ == "__main__":
    main()
