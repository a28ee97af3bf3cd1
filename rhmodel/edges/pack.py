"""Renewal packs: the memo notebook executed by papermill, exported, and written atomically.

For each parameters file, :func:`render_pack` writes into a temporary folder beside the
destination: ``renewal-pack.ipynb`` (executed), ``renewal-pack.html`` (no code, figures
embedded), ``renewal-pack.xlsx`` (the workbook), ``summary.json`` (the same document as
``rhmodel scenarios --format json``) and, where Chromium is installed, ``renewal-pack.pdf``.
Only when every file is complete are they moved into place, so a failure leaves the previous
pack untouched.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import json
import os
import pickle
import re
import shutil
import signal
import subprocess
import tempfile
import time
import traceback
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from rhmodel._version import __version__
from rhmodel.core.money.evaluation import Evaluation, evaluate
from rhmodel.core.params import Parameters
from rhmodel.core.pilot.evidence import PilotReport
from rhmodel.core.text import long_date, visible
from rhmodel.edges.bundled import NOTEBOOKS_DIR, load_capabilities
from rhmodel.edges.paramfile import load_parameters
from rhmodel.edges.pilotfiles import pilot_report
from rhmodel.edges.provenance import Provenance, provenance, summary_document
from rhmodel.edges.workbook import write_workbook
from rhmodel.errors import InputError

__all__ = ["PACK_FILES", "PackResult", "chromium", "render_pack", "render_packs"]

PACK_NOTEBOOK = NOTEBOOKS_DIR / "30-renewal-pack.ipynb"
PACK_FILES = (
    "renewal-pack.ipynb",
    "renewal-pack.html",
    "renewal-pack.xlsx",
    "summary.json",
    "renewal-pack.pdf",
)
KERNEL = "python3"

# The page around the memo's sections: no scripts, no web fonts, nothing fetched from anywhere.
_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ background: #fff; margin: 0 auto; padding: 16px; max-width: 1040px; }}
img {{ max-width: 100%; height: auto; }}
pre {{ white-space: pre-wrap; }}
/* The PDF: A4, a running header and "Page N of M" in the page margins (CSS margin boxes,
   printed by Chromium 131 and later); no header on the cover. */
@page {{
  size: A4; margin: 18mm 14mm 16mm 14mm;
  @top-left {{ content: "{header}"; font: 8pt Helvetica, Arial, sans-serif; color: #555; }}
  @top-right {{ content: "{date}"; font: 8pt Helvetica, Arial, sans-serif; color: #555; }}
  @bottom-left {{ content: "{footer}"; font: 7pt Helvetica, Arial, sans-serif; color: #777; }}
  @bottom-right {{ content: "Page " counter(page) " of " counter(pages);
                   font: 8pt Helvetica, Arial, sans-serif; color: #555; }}
}}
@page :first {{ @top-left {{ content: none; }} @top-right {{ content: none; }} }}
@media print {{
  body {{ -webkit-print-color-adjust: exact; print-color-adjust: exact; padding: 0;
          max-width: none; }}
}}
@media (max-width: 640px) {{ body {{ padding: 8px; }} }}
</style>
</head>
<body>
{body}
</body>
</html>
"""


def _css_string(text: str) -> str:
    """Text from outside as the inside of a CSS string: quotes, backslashes and ``<`` escaped,
    control characters gone, so an organisation's name can neither end the string nor the
    style element."""
    out = []
    for ch in visible(text):
        if ch in ('"', "\\", "<", ">") or ord(ch) < 32:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return "".join(out)


@dataclass(frozen=True)
class PackResult:
    """How one pack went."""

    params_file: str
    out_dir: str
    ok: bool
    seconds: float
    error: str = ""
    user_error: bool = False
    files: tuple[str, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)
    traceback: str = ""  # the failing cell's or function's traceback, for a bug
    notes: tuple[str, ...] = ()  # what the reader should know (a file not produced)


def _ipc_kernel_manager(prefix: str | None = None) -> type:
    """A kernel manager on local IPC sockets: the kernel stays off TCP, and ipykernel has
    nothing to warn about. ``prefix`` names the socket files (``<prefix>-<port>``)."""
    from jupyter_client.manager import KernelManager

    class IPCKernelManager(KernelManager):
        def __init__(self, **kwargs: object) -> None:
            kwargs.setdefault("transport", "ipc")
            # IPC sockets are files named <ip>-<port>; kernels of parallel packs must not share
            # them, so each gets its own prefix.
            kwargs.setdefault(
                "ip",
                prefix or os.path.join(tempfile.gettempdir(), f"rhmodel-kernel-{uuid.uuid4().hex}"),
            )
            super().__init__(**kwargs)

        def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
            # An interrupted pack interrupts its kernel, which would log "KeyboardInterrupt
            # caught in kernel" on our stderr beside the one line the user is promised; errors
            # in the notebook still reach papermill through the kernel's messages.
            cmd = super().format_kernel_cmd(extra_arguments)
            return [*cmd, "--IPKernelApp.log_level=CRITICAL"]

    return IPCKernelManager


def chromium() -> str | None:
    """Path of a Chromium/Chrome binary, or ``None``."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _html(notebook: Path, title: str, header: str = "", date: str = "", footer: str = "") -> str:
    """The executed memo as one standalone HTML page: each visible cell's rich output, in order.

    Built from the outputs rather than by nbconvert's page template, which loads require.js and
    MathJax from a CDN (so the page would not stand alone, and MathJax would typeset a ``$`` in
    an organisation's name). The memo's sections are already escaped HTML
    (:class:`rhmodel.faces.memo.Html`); anything else is shown as escaped text. ``header``,
    ``date`` and ``footer`` run along every printed page but the cover.
    """
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    parts = []
    for cell in nb.cells:
        if cell.cell_type != "code" or "hide" in cell.metadata.get("tags", []):
            continue
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "text/html" in data:
                parts.append(data["text/html"])
            elif "image/png" in data:
                parts.append(f'<img alt="chart" src="data:image/png;base64,{data["image/png"]}">')
            elif "text/plain" in data or out.get("output_type") == "stream":
                text = data.get("text/plain") or out.get("text", "")
                parts.append(f"<pre>{html.escape(visible(text))}</pre>")
    return _PAGE.format(
        title=html.escape(visible(title)),
        header=_css_string(header),
        date=_css_string(date),
        footer=_css_string(footer),
        body="\n".join(parts),
    )


def _pdf(html_file: Path, pdf_file: Path, binary: str, profile: Path) -> None:
    cmd = [
        binary,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--no-pdf-header-footer",
        f"--print-to-pdf={pdf_file}",
        html_file.resolve().as_uri(),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    if not pdf_file.exists():
        raise RuntimeError(f"Chromium did not print the PDF: {done.stderr.strip()[-300:]}")


@dataclass(frozen=True)
class PackInputs:
    """What one pack is made of, computed once.

    The notebook, ``summary.json`` and the workbook all read this one object, so they show the
    same numbers (the same simulation draws) and the same provenance, and the model (with its
    simulation) runs once per pack.
    """

    evaluation: Evaluation
    provenance: Provenance
    pilot: PilotReport | None


def evaluate_pack(params: Parameters, simulate: int = 10_000, seed: int = 0) -> PackInputs:
    """Evaluate ``params`` for a pack (``simulate`` draws; 0 for none) and take provenance."""
    e = evaluate(params, load_capabilities(), draws=simulate or None, seed=seed)
    return PackInputs(e, provenance(params), pilot_report(params))


def write_pack_inputs(inputs: PackInputs, path: str | Path) -> None:
    """Hand ``inputs`` to the pack notebook's kernel (a private file in the pack's work folder).

    Pickle, because the kernel is another process and the evaluation holds arrays and data
    frames; the file is written by this process into a folder only it can read, and deleted
    with that folder.
    """
    Path(path).write_bytes(pickle.dumps(inputs, protocol=pickle.HIGHEST_PROTOCOL))


def read_pack_inputs(path: str | Path) -> PackInputs:
    """The inputs :func:`write_pack_inputs` wrote."""
    inputs = pickle.loads(Path(path).read_bytes())
    if not isinstance(inputs, PackInputs):
        raise TypeError(f"{path} does not hold PackInputs (got {type(inputs).__name__})")
    return inputs


def _cell_traceback(exc: Exception) -> str:
    """The failing cell's traceback as plain text (papermill keeps it with ANSI colours)."""
    lines = getattr(exc, "traceback", None) or []
    return re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(lines))


def render_pack(
    params_file: str | Path,
    out_dir: str | Path,
    overrides: Sequence[str] = (),
    simulate: int = 10_000,
    seed: int = 0,
    timeout: int = 600,
    pdf: bool = True,
) -> PackResult:
    """Render one pack into ``out_dir`` (created if missing), atomically per pack.

    A user error (bad parameters, an output folder that cannot be written) or a failing
    notebook cell is returned as a failed :class:`PackResult` (with the cell's traceback); the
    earlier pack, if any, is left in place. Any other exception is a bug in rhmodel and is
    raised with its traceback.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    params_file, out_dir = Path(params_file), Path(out_dir)
    started = time.perf_counter()
    timings: dict[str, float] = {}

    def failed(message: str, user: bool = False, trace: str = "") -> PackResult:
        return PackResult(
            str(params_file),
            str(out_dir),
            False,
            time.perf_counter() - started,
            message,
            user,
            (),
            timings,
            trace,
        )

    try:
        params = load_parameters(params_file, list(overrides))  # validate before any work
    except InputError as exc:
        return failed(str(exc), user=True)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        # absolute: papermill changes the working directory while the kernel runs, and the
        # workbook is written from a thread meanwhile
        tmp = Path(tempfile.mkdtemp(prefix=".rhmodel-pack-", dir=out_dir)).resolve()
    except OSError as exc:
        return failed(
            InputError(
                f"cannot use the output folder ({exc.strerror or exc}) — a folder you can write to",
                file=str(out_dir),
            ).__str__(),
            user=True,
        )
    kernel_prefix = os.path.join(tempfile.gettempdir(), f"rhmodel-kernel-{uuid.uuid4().hex}")
    workbook: Future[bool] | None = None
    try:
        t = time.perf_counter()
        inputs = evaluate_pack(params, simulate, seed)
        write_pack_inputs(inputs, tmp / "pack-inputs.pickle")
        timings["evaluate"] = time.perf_counter() - t
        # The workbook (LibreOffice recalculates it to cache its values) needs only the
        # evaluation: it is written while the kernel runs the memo and Chromium prints the PDF.
        background = ThreadPoolExecutor(max_workers=1)
        workbook = background.submit(
            write_workbook,
            inputs.evaluation,
            load_capabilities(),
            inputs.provenance,
            tmp / "renewal-pack.xlsx",
            inputs.pilot,
        )
        background.shutdown(wait=False)
        t = time.perf_counter()
        try:
            papermill.execute_notebook(
                str(PACK_NOTEBOOK),
                str(tmp / "renewal-pack.ipynb"),
                parameters={
                    "params_path": str(params_file.resolve()),
                    "overrides": list(overrides),
                    "simulate": simulate,
                    "seed": seed,
                    "inputs_file": str(tmp / "pack-inputs.pickle"),  # absolute, as tmp is
                },
                kernel_name=KERNEL,
                cwd=str(NOTEBOOKS_DIR),
                execution_timeout=timeout,
                progress_bar=False,
                log_output=False,
                request_save_on_cell_execute=False,
                kernel_manager_class=_ipc_kernel_manager(kernel_prefix),
            )
        except PapermillExecutionError as exc:
            return failed(
                f"{params_file}: notebook {PACK_NOTEBOOK.name} cell "
                f"{exc.exec_count} failed: {exc.ename}: {exc.evalue}",
                user=exc.ename == "InputError",
                trace=_cell_traceback(exc),
            )
        timings["notebook"] = time.perf_counter() - t
        t = time.perf_counter()
        org = params["organisation"] or params_file.stem
        today = long_date(dt.datetime.fromisoformat(inputs.provenance.generated_at).date())
        title = f"Remote Help renewal decision: {org} ({today})"
        footer = (
            f"rhmodel {__version__} · parameters {inputs.provenance.parameters_sha256[:12]}"
            + (" · ILLUSTRATIVE figures" if params.illustrative_inputs() else "")
        )
        (tmp / "renewal-pack.html").write_text(
            _html(
                tmp / "renewal-pack.ipynb",
                title,
                header=f"Remote Help renewal decision — {org}",
                date=today,
                footer=footer,
            ),
            encoding="utf-8",
        )
        timings["html"] = time.perf_counter() - t
        not_produced: dict[str, str] = {}
        notes_extra: list[str] = []
        browser = chromium() if pdf else None
        if browser:
            t = time.perf_counter()
            _pdf(tmp / "renewal-pack.html", tmp / "renewal-pack.pdf", browser, tmp / "chrome")
            timings["pdf"] = time.perf_counter() - t
        else:
            not_produced["renewal-pack.pdf"] = (
                "not asked for" if not pdf else "no Chromium or Chrome on this machine"
            )
        t = time.perf_counter()
        # the same document as `rhmodel scenarios --format json`; what the pack lacks is said
        # in the result's notes (the command prints them)
        document = summary_document(inputs.evaluation, inputs.provenance)
        (tmp / "summary.json").write_text(
            json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n",
            encoding="utf-8",
        )
        timings["summary"] = time.perf_counter() - t
        t = time.perf_counter()
        cached = workbook.result()  # written (and recalculated) while the memo ran
        timings["workbook"] = time.perf_counter() - t
        if not cached:
            notes_extra.append(
                "renewal-pack.xlsx carries no cached values (LibreOffice not found): Excel "
                "and LibreOffice calculate on opening"
            )
        written = [f for f in PACK_FILES if (tmp / f).exists()]
        _swap_into_place(tmp, out_dir, written)
        notes = tuple(
            f"{name} not produced ({why}); an earlier {name} in {out_dir} was removed, so the "
            "pack's files all come from this run"
            for name, why in not_produced.items()
        ) + tuple(notes_extra)
        return PackResult(
            str(params_file),
            str(out_dir),
            True,
            time.perf_counter() - started,
            files=tuple(written),
            timings=timings,
            notes=notes,
        )
    except InputError as exc:
        return failed(str(exc), user=True)
    finally:
        if workbook is not None and not workbook.done():
            # a failure or an interruption: let the workbook finish before its folder goes,
            # so nothing is written into a folder being removed
            with contextlib.suppress(Exception):
                workbook.result(timeout=300)
        shutil.rmtree(tmp, ignore_errors=True)
        # the kernel's IPC sockets, should an interruption have left the kernel unreaped
        for leftover in Path(kernel_prefix).parent.glob(Path(kernel_prefix).name + "*"):
            leftover.unlink(missing_ok=True)


def _swap_into_place(tmp: Path, out_dir: Path, written: Sequence[str]) -> None:
    """Replace the earlier pack's files with the new ones, all or nothing.

    The earlier files are first moved aside (into ``tmp``), then the new ones moved in. If any
    move fails (a file held open by a viewer on Windows, a full disk), what was moved in is
    taken out and what was moved aside is put back: the earlier pack is as it was. An earlier
    file the new pack does not have (a PDF no longer produced) stays aside and goes with
    ``tmp``.
    """
    aside = tmp / "earlier-pack"
    aside.mkdir()
    moved_aside: list[str] = []
    moved_in: list[str] = []
    try:
        for name in PACK_FILES:
            if (out_dir / name).exists():
                os.replace(out_dir / name, aside / name)
                moved_aside.append(name)
        for name in written:
            os.replace(tmp / name, out_dir / name)
            moved_in.append(name)
    except OSError as exc:
        for name in moved_in:
            os.replace(out_dir / name, tmp / name)
        for name in moved_aside:
            os.replace(aside / name, out_dir / name)
        raise InputError(
            f"cannot replace the pack's files ({exc.strerror or exc}: "
            f"{Path(exc.filename or '').name}) — close any program that holds them open and "
            "render again; the earlier pack is unchanged",
            file=str(out_dir),
        ) from None


def _interrupt_on_sigterm() -> None:
    """In a worker: SIGTERM unwinds like Ctrl+C, so ``finally`` blocks clean up."""
    signal.signal(signal.SIGTERM, _raise_interrupt)


def _raise_interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def _render_one_of_many(
    params_file: Path,
    out_dir: Path,
    overrides: Sequence[str],
    simulate: int,
    seed: int,
    timeout: int,
) -> PackResult:
    """One pack of a batch: a bug in rhmodel fails this pack, with its traceback kept for the
    report, and the other packs still render."""
    started = time.perf_counter()
    try:
        return render_pack(params_file, out_dir, overrides, simulate, seed, timeout)
    except Exception as exc:  # a bug: recorded with its full traceback, never swallowed
        return PackResult(
            str(params_file),
            str(out_dir),
            False,
            time.perf_counter() - started,
            f"{params_file}: bug in rhmodel: {type(exc).__name__}: {exc}",
            traceback=traceback.format_exc(),
        )


def render_packs(
    params_files: Sequence[str | Path],
    out: str | Path,
    overrides: Sequence[str] = (),
    jobs: int = 1,
    simulate: int = 10_000,
    seed: int = 0,
    timeout: int = 600,
    progress: Callable[[int, int, PackResult], None] | None = None,
) -> list[PackResult]:
    """Render several packs, ``jobs`` at a time; one file renders into ``out`` itself, several
    into ``out/<params-file-stem>/``."""
    out = Path(out)
    files = [Path(f) for f in params_files]
    stems = [f.stem for f in files]
    if len(files) > 1 and len(set(stems)) != len(stems):
        raise InputError(
            f"two parameter files share a name ({', '.join(stems)}) — each pack "
            "goes to OUT/<file stem>/, so the stems must differ",
            file="--params",
        )
    targets = [out] if len(files) == 1 else [out / s for s in stems]
    if len(files) == 1:  # a bug propagates with its traceback
        result = render_pack(files[0], targets[0], overrides, simulate, seed, timeout)
        if progress:
            progress(1, 1, result)
        return [result]
    results: list[PackResult] = []
    if jobs <= 1:
        for i, (f, t) in enumerate(zip(files, targets, strict=True), start=1):
            results.append(_render_one_of_many(f, t, overrides, simulate, seed, timeout))
            if progress:
                progress(i, len(files), results[-1])
        return results
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_interrupt_on_sigterm)
    try:
        futures = {
            pool.submit(_render_one_of_many, f, t, list(overrides), simulate, seed, timeout): f
            for f, t in zip(files, targets, strict=True)
        }
        for i, fut in enumerate(as_completed(futures), start=1):
            results.append(fut.result())
            if progress:
                progress(i, len(files), results[-1])
    except BaseException:
        # interrupted: stop the workers so their own clean-up (temporary folders, kernels) runs
        for proc in list(getattr(pool, "_processes", {}).values()):
            proc.terminate()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    order = {str(f): k for k, f in enumerate(files)}
    return sorted(results, key=lambda r: order[r.params_file])
