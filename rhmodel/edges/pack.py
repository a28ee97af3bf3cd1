"""Renewal packs: the memo notebook executed by papermill, exported, and written atomically.

For each parameters file, :func:`render_pack` writes into a private work folder beside the
destination (``.rhmodel-pack-<name>-*``, locked by its owner): ``renewal-pack.ipynb``
(executed), ``renewal-pack.html`` (no code, figures embedded), ``renewal-pack.xlsx`` (the
workbook, its values cached), ``summary.json`` (the same document as ``rhmodel scenarios
--format json``), ``renewal-plan.ics`` (the plan's dates as an iCalendar file, as
``rhmodel calendar`` writes it) and, where Chromium is installed, ``renewal-pack.pdf``. Only when
every file is complete is the pack published, by :func:`rhmodel.edges.atomic.publish`: one
atomic swap of the two folders where the system allows it, else a journal the next run
finishes. A failure or a crash at any instant leaves the complete earlier pack or the complete
new one, and the next run sweeps the work folders and kernel sockets of runs that died.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import html
import json
import os
import re
import shutil
import signal
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from rhmodel._version import __version__
from rhmodel.core.text import long_date, visible
from rhmodel.edges.atomic import NEW, Claim, PublishError, owned_folder, publish, sweep
from rhmodel.edges.browser import BrowserError, Printer, chromium, print_browser
from rhmodel.edges.bundled import NOTEBOOKS_DIR, load_capabilities
from rhmodel.edges.ical import calendar_bytes
from rhmodel.edges.kernel import KERNEL, KERNEL_PREFIX, PackKernel, home_is_writable
from rhmodel.edges.kernel import launch as launch_kernel
from rhmodel.edges.pack_inputs import (
    PackInputs,
    evaluate_pack,
    read_pack_inputs,
    write_pack_inputs,
)
from rhmodel.edges.paramfile import load_parameters
from rhmodel.edges.provenance import summary_document
from rhmodel.edges.recalc import Caching, publish_workbook
from rhmodel.edges.workbook import build_workbook, workbook_bytes
from rhmodel.errors import InputError

__all__ = [
    "PACK_FILES",
    "PackInputs",
    "PackResult",
    "chromium",
    "evaluate_pack",
    "print_browser",
    "read_pack_inputs",
    "render_pack",
    "render_packs",
    "sweep_leftovers",
    "write_pack_inputs",
]

PACK_NOTEBOOK = NOTEBOOKS_DIR / "30-renewal-pack.ipynb"
PACK_FILES = (
    "renewal-pack.ipynb",
    "renewal-pack.html",
    "renewal-pack.xlsx",
    "summary.json",
    "renewal-pack.pdf",
    "renewal-plan.ics",
)
#: Work folders of a pack being rendered (beside the destination, or inside it).
WORK_PREFIX = ".rhmodel-pack-"

# The page around the memo's sections: no scripts, no web fonts, nothing fetched from anywhere.
_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ background: #fff; color: #1b1b1b; margin: 0 auto; padding: 16px; max-width: 1040px;
        font-family: {font}; }}
img {{ max-width: 100%; height: auto; }}
pre {{ white-space: pre-wrap; }}
/* The PDF: A4, a running header and "Page N of M" in the page margins (CSS margin boxes,
   printed by Chromium 131 and later); no header on the cover. */
@page {{
  size: A4; margin: 18mm 14mm 16mm 14mm;
  @top-left {{ content: "{header}"; font: 8pt {font}; color: #4d4d4d; }}
  @top-right {{ content: "{date}"; font: 8pt {font}; color: #4d4d4d; }}
  @bottom-left {{ content: "{footer}"; font: 8pt {font}; color: #4d4d4d; }}
  @bottom-right {{ content: "Page " counter(page) " of " counter(pages);
                   font: 8pt {font}; color: #4d4d4d; }}
}}
@page :first {{ margin-top: 12mm;
               @top-left {{ content: none; }} @top-right {{ content: none; }} }}
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


#: The page's font, as the memo's and the charts' (rhmodel.faces.plots.FONT_CSS; the edges
#: cannot import the faces, so it is written here too and a test keeps the two equal).
_PAGE_FONT = 'Arial, "Liberation Sans", Helvetica, sans-serif'


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
        font=_PAGE_FONT,
        body="\n".join(parts),
    )


def _raise_if_unfinished(executed: Path) -> None:
    """Raise ``KeyboardInterrupt`` when a code cell of the executed notebook did not complete.

    papermill's client takes Ctrl+C while the kernel runs: it shuts the kernel down and can
    return as if the notebook had run, with the rest of its cells never executed. Such a
    notebook is an interrupted pack, never a memo to publish (nor a page to print).
    """
    import nbformat

    nb = nbformat.read(executed, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.metadata.get("papermill", {}).get("status") != (
            "completed"
        ):
            raise KeyboardInterrupt("SIGINT")


def _cell_traceback(exc: Exception) -> str:
    """The failing cell's traceback as plain text (papermill keeps it with ANSI colours)."""
    lines = getattr(exc, "traceback", None) or []
    return re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(lines))


def _work_folder(out_dir: Path) -> tuple[Path, Claim]:
    """The pack's private work folder: beside ``out_dir`` (so the two can be swapped in one
    rename), or inside it where its parent cannot be written or it is a mount point."""
    if not os.path.ismount(out_dir):
        with contextlib.suppress(OSError):
            return owned_folder(out_dir.parent, f"{WORK_PREFIX}{out_dir.name[:40]}-")
    return owned_folder(out_dir, WORK_PREFIX)


def sweep_leftovers(out_dir: str | Path) -> list[Path]:
    """Remove what killed runs left for ``out_dir``: stale work folders beside and inside it
    (a publication they had committed is finished first) and stale kernel socket folders in
    the temporary directory. Only folders whose ``owner.lock`` proves their owner dead go.
    """
    out_dir = Path(out_dir).resolve()
    removed = sweep(out_dir.parent, WORK_PREFIX, PACK_FILES, recover=True)
    removed += sweep(out_dir, WORK_PREFIX, PACK_FILES, recover=True)
    removed += sweep(tempfile.gettempdir(), KERNEL_PREFIX)
    return removed


def _pack_workbook(inputs: PackInputs, path: Path) -> Caching:
    """The pack's workbook, its values cached by LibreOffice where it is installed (the About
    sheet says whether they are: it is rebuilt uncached if LibreOffice fails or hangs)."""
    matrix = load_capabilities()

    def build(cached: bool) -> bytes:
        book = build_workbook(
            inputs.evaluation, matrix, inputs.provenance, inputs.pilot, cached=cached
        )
        return workbook_bytes(book)

    return publish_workbook(path, build, warn=None)  # said in the pack's notes instead


@contextlib.contextmanager
def _private_config_dirs() -> Iterator[None]:
    """Where HOME cannot be written, IPython's and matplotlib's folders point at a private
    temporary folder for the render (they would each print a warning and pick one at random
    otherwise, in this process and again in the kernel)."""
    wanted = [k for k in ("IPYTHONDIR", "MPLCONFIGDIR") if not os.environ.get(k)]
    if home_is_writable() or not wanted:
        yield
        return
    folder, claim = owned_folder(tempfile.gettempdir(), "rhmodel-home-")
    try:
        for key in wanted:
            (folder / key.lower()).mkdir()
            os.environ[key] = str(folder / key.lower())
        yield
    finally:
        for key in wanted:
            os.environ.pop(key, None)
        shutil.rmtree(folder, ignore_errors=True)
        claim.release()


def render_pack(
    params_file: str | Path,
    out_dir: str | Path,
    overrides: Sequence[str] = (),
    simulate: int = 10_000,
    seed: int = 0,
    timeout: int = 600,
    pdf: bool = True,
    kernel: PackKernel | None = None,
) -> PackResult:
    """Render one pack into ``out_dir`` (created if missing), atomically per pack.

    ``kernel``, a kernel :func:`rhmodel.edges.kernel.launch` started for this pack, saves
    the wait for one (``rhmodel report`` launches it before its own imports); it is stopped
    here whatever happens. Without it, the pack launches its own first thing.

    A user error (bad parameters, an output folder that cannot be written, a full disk) or a
    failing notebook cell is returned as a failed :class:`PackResult` (with the cell's
    traceback); the earlier pack, if any, is left in place. Any other exception is a bug in
    rhmodel and is raised with its traceback. A crash at any instant (``kill -9`` included)
    leaves the complete earlier pack or the complete new one; the next run sweeps what the
    crashed one left (:func:`sweep_leftovers`).
    """
    try:
        with _private_config_dirs():
            return _render_pack(
                params_file, out_dir, overrides, simulate, seed, timeout, pdf, kernel
            )
    finally:
        if kernel is not None:
            kernel.stop()  # on every path, the ones that never reached the notebook too


def _render_pack(
    params_file: str | Path,
    out_dir: str | Path,
    overrides: Sequence[str],
    simulate: int,
    seed: int,
    timeout: int,
    pdf: bool,
    kernel: PackKernel | None,
) -> PackResult:
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

    def cannot_write(exc: OSError, what: str = "use the output folder") -> PackResult:
        return failed(
            InputError(
                f"cannot {what} ({exc.strerror or exc}) — a folder you can write to, "
                "with room for the pack",
                file=str(out_dir),
            ).__str__(),
            user=True,
        )

    try:
        params = load_parameters(params_file, list(overrides))  # validate before any work
    except InputError as exc:
        return failed(str(exc), user=True)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        # absolute: papermill changes the working directory while the kernel runs, and the
        # workbook is written from a thread meanwhile
        target = out_dir.resolve()
        sweep_leftovers(target)
        work, claim = _work_folder(target)
    except OSError as exc:
        return cannot_write(exc)
    tmp = work / NEW  # the new pack's files, and nothing else
    workbook: Future[Caching] | None = None
    printers: list[Printer] = []  # the browser printing the PDF, once started
    starting = threading.Lock()
    stopping = threading.Event()  # no browser is started once the pack is failing or done
    try:
        tmp.mkdir()
        t = time.perf_counter()
        if kernel is None:
            # Started first: the kernel's start and its imports (about 2.5 s) run while this
            # process evaluates the parameters and writes the workbook, instead of after them.
            kernel = launch_kernel(NOTEBOOKS_DIR)
        timings["kernel_launch"] = time.perf_counter() - t
        import papermill  # after the kernel's launch: its import takes a while
        from papermill.exceptions import PapermillExecutionError

        t = time.perf_counter()
        inputs = evaluate_pack(params, simulate, seed)
        write_pack_inputs(inputs, work / "pack-inputs.pickle")
        timings["evaluate"] = time.perf_counter() - t
        # The workbook (LibreOffice recalculates it to cache its values) needs only the
        # evaluation: it is written while the kernel runs the memo and Chromium prints the PDF.
        background = ThreadPoolExecutor(max_workers=1)
        workbook = background.submit(_pack_workbook, inputs, tmp / "renewal-pack.xlsx")
        background.shutdown(wait=False)
        browser = print_browser() if pdf else None
        if browser:
            # Started as soon as the workbook is done (LibreOffice then leaves a CPU free while
            # the memo's last charts are drawn), or when the page is ready, whichever is first:
            # the browser's start-up is then off the reader's wait.
            def start_printer(_done: object = None) -> None:
                with starting:
                    if not printers and not stopping.is_set():
                        printers.append(Printer(browser, work / "chrome", work / "chrome.log"))

            def start_printer_early(_done: object) -> None:
                # in the workbook's thread: a browser that cannot start is said when the PDF
                # is printed (the same attempt, made again there)
                with contextlib.suppress(BrowserError):
                    start_printer()

            workbook.add_done_callback(start_printer_early)
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
                    "inputs_file": str(work / "pack-inputs.pickle"),  # absolute, as work is
                },
                kernel_name=KERNEL,
                cwd=str(NOTEBOOKS_DIR),
                execution_timeout=timeout,
                progress_bar=False,
                log_output=False,
                request_save_on_cell_execute=False,
                km=kernel.manager,  # already started; stopped in `finally`
            )
        except PapermillExecutionError as exc:
            return failed(
                f"{params_file}: notebook {PACK_NOTEBOOK.name} cell "
                f"{exc.exec_count} failed: {exc.ename}: {exc.evalue}",
                user=exc.ename == "InputError",
                trace=_cell_traceback(exc),
            )
        _raise_if_unfinished(tmp / "renewal-pack.ipynb")
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
        if browser:
            t = time.perf_counter()
            try:
                start_printer()
                printers[0].print_pdf(tmp / "renewal-pack.html", tmp / "renewal-pack.pdf", 180)
            except BrowserError as exc:
                raise RuntimeError(f"Chromium did not print the PDF: {exc}") from None
            finally:
                for running in printers:
                    running.close()
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
        # staged with the rest, so it publishes (or not) with them
        stamp = dt.datetime.fromisoformat(inputs.provenance.generated_at).astimezone(dt.UTC)
        (tmp / "renewal-plan.ics").write_bytes(calendar_bytes(inputs.evaluation, stamp))
        timings["calendar"] = time.perf_counter() - t
        t = time.perf_counter()
        caching = workbook.result()  # written (and recalculated) while the memo ran
        timings["workbook"] = time.perf_counter() - t
        if not caching.cached:
            notes_extra.append(
                f"renewal-pack.xlsx carries no cached values ({caching.reason}): Excel "
                "and LibreOffice calculate on opening"
            )
        written = [f for f in PACK_FILES if (tmp / f).exists()]
        try:
            publish(work, target, PACK_FILES)
        except PublishError as exc:
            raise InputError(
                f"cannot replace the pack's files ({exc.strerror or exc}: "
                f"{Path(exc.filename or '').name}) — close any program that holds them open "
                "and render again; the earlier pack is unchanged",
                file=str(out_dir),
            ) from None
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
    except OSError as exc:
        if exc.errno not in _DISK_ERRORS:
            raise
        # a full disk or a file-size limit while staging: nothing the user had was touched
        return cannot_write(exc, "write the pack")
    finally:
        if kernel is not None:
            kernel.stop()
        stopping.set()
        with starting:
            for running in printers:
                running.close()
        if workbook is not None and not workbook.done():
            # a failure or an interruption: let the workbook finish before its folder goes,
            # so nothing is written into a folder being removed
            with contextlib.suppress(Exception):
                workbook.result(timeout=300)
        shutil.rmtree(work, ignore_errors=True)
        claim.release()


#: The errors a full disk, a quota or a file-size limit raise while the pack is staged.
_DISK_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS})


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
    kernel: PackKernel | None = None,
) -> list[PackResult]:
    """Render several packs, ``jobs`` at a time; one file renders into ``out`` itself, several
    into ``out/<params-file-stem>/``. ``kernel`` (see :func:`render_pack`) serves a single
    file; it is stopped here in any case."""
    try:
        if len(params_files) != 1 and kernel is not None:
            kernel.stop()
            kernel = None
        return _render_packs(
            params_files, out, overrides, jobs, simulate, seed, timeout, progress, kernel
        )
    finally:
        if kernel is not None:
            kernel.stop()


def _render_packs(
    params_files: Sequence[str | Path],
    out: str | Path,
    overrides: Sequence[str],
    jobs: int,
    simulate: int,
    seed: int,
    timeout: int,
    progress: Callable[[int, int, PackResult], None] | None,
    kernel: PackKernel | None,
) -> list[PackResult]:
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
        result = render_pack(
            files[0], targets[0], overrides, simulate, seed, timeout, kernel=kernel
        )
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
