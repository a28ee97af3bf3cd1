"""Explorer responsiveness: time from a control change to updated numbers and chart.

Run: ``.venv/bin/python benchmarks/bench_explorer.py``. In-process: each control of the
explorer is set to a new value and the synchronous update (evaluation, table, chart PNG) is
timed; median and worst of ``--repeat`` changes per control, with simulation off and on.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE
from rhmodel.faces.explorer import CONTROLS, Explorer

ALTERNATES = {
    "remote_help.licensing": ("add_on", "included"),
    "tenant_cloud": ("gcc", "commercial"),
    "decision.accept": (("rmm",), ()),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    app = Explorer.from_file(SAMPLE_PARAMS_FILE)
    app.controls["remote_help.licensed_users"].value = 300
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; sample parameters; {args.repeat} changes per control"
    )
    print()
    print("| control | simulation | median ms | worst ms |")
    print("|---|---|---:|---:|")
    worst_all = 0.0
    for sim in (False, True):
        app.simulate.value = sim
        for c in CONTROLS:
            widget = app.controls[c.key]
            start = widget.value
            times = []
            for i in range(args.repeat):
                if c.key in ALTERNATES:
                    new = ALTERNATES[c.key][i % 2]
                elif c.kind == "need":
                    new = (True, False)[i % 2]
                elif c.kind == "int":
                    new = int(start) + (1 if i % 2 == 0 else 0)
                else:
                    new = float(start) + (c.step if i % 2 == 0 else 0)
                if new == widget.value:  # a change, every time
                    new = start if new != start else (new + 1 if c.kind == "int" else new + c.step)
                t = time.perf_counter()
                widget.value = new
                times.append((time.perf_counter() - t) * 1000)
            widget.value = start
            worst_all = max(worst_all, max(times))
            print(
                f"| {c.label} | {'on' if sim else 'off'} | {statistics.median(times):.0f} | "
                f"{max(times):.0f} |"
            )
    print()
    print(f"worst of all changes: {worst_all:.0f} ms")


if __name__ == "__main__":
    main()
