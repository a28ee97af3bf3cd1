"""The ``rhmodel`` command line.

One grammar across the verbs: every verb that reads parameters takes the file positionally
**and** as ``--params`` (the bundled sample's path: ``rhmodel sample``), overrides as
``--set KEY=VALUE``, ``--format table|json`` (``text`` is accepted for ``table``), ``--seed``
and ``--simulate N`` with the default each verb states, ``--out`` that creates its folder.
Text wraps to the terminal's width.

Heavy libraries (numpy, pandas, matplotlib) are imported inside the commands that need them,
so ``rhmodel --help`` answers at once. Every user error ends as one ``error:`` line on stderr
and exit status 2; a traceback means a bug in rhmodel.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import csv
import io
import json
import os
import shutil
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from rhmodel._version import __version__
from rhmodel.core.pilot.erlang import DEFAULT_TARGET_BLOCKING
from rhmodel.errors import InputError

__all__ = ["main"]

EXIT_USER_ERROR = 2

#: Suffixes of a parameters file; such a file given where a pilot export is expected is a
#: parameters file put in the wrong place.
PARAMS_SUFFIXES = (".yaml", ".yml")
#: What ``--format`` accepts on every verb (``csv`` too where a verb has it); ``text`` is the
#: old spelling of ``table`` on ``decide`` and stays accepted.
FORMAT_ALIASES = {"text": "table"}
SAMPLE_HINT = 'the bundled sample: rhmodel decide "$(rhmodel sample)"'


class _HelpFormatter(argparse.HelpFormatter):
    """Help that wraps to the terminal (argparse's own width) and keeps each line of an
    epilog: indented lines, the examples, stay as written."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        import textwrap

        return "\n".join(
            indent + line
            if line.startswith("  ") or not line.strip()
            else textwrap.fill(line, width, initial_indent=indent, subsequent_indent=indent)
            for line in text.splitlines()
        )


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage mistakes as one ``error:`` line, like every other error."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        hint = "" if " — " in message else f" — see '{self.prog} --help'"
        print(f"error: {self.prog}: {message}{hint}", file=sys.stderr)
        raise SystemExit(EXIT_USER_ERROR)


def _width() -> int:
    """Columns to wrap text to: the terminal's (``COLUMNS`` when set), 100 when not a
    terminal, never under 40."""
    return max(40, shutil.get_terminal_size((100, 24)).columns)


def _format_word(text: str) -> str:
    word = text.strip().lower()
    return FORMAT_ALIASES.get(word, word)


def _add_format(p: argparse.ArgumentParser, csv_too: bool = False) -> None:
    choices = ("table", "csv", "json") if csv_too else ("table", "json")
    p.add_argument(
        "--format",
        type=_format_word,
        choices=choices,
        default="table",
        metavar="{" + "|".join(choices) + "}",
        help="output: table for people (the default; 'text' is accepted for it)"
        + (", csv" if csv_too else "")
        + " or json for programs",
    )


def _add_params(p: argparse.ArgumentParser, mode: str = "one") -> None:
    """The parameters file, positionally and as ``--params``, and ``--set``.

    ``mode``: ``one`` (required), ``optional`` (default: the bundled sample), ``many``
    (repeatable, default the bundled sample), ``flag`` (only ``--params``: the verb's
    positional arguments are other files).
    """
    default = "required" if mode == "one" else "default: the bundled sample, see 'rhmodel sample'"
    if mode != "flag":
        p.add_argument(
            "params_positional",
            nargs="*" if mode == "many" else "?",
            metavar="PARAMS.yaml",
            help=f"parameters file{'s' if mode == 'many' else ''}, here or as --params ({default})",
        )
    p.add_argument(
        "--params",
        dest="params_flag",
        action="append",
        default=[],
        metavar="PARAMS.yaml",
        help=(
            "parameters file (default: rhmodel's defaults; the positional arguments are "
            "other files)"
            if mode == "flag"
            else "parameters file, the same as giving it positionally"
            + (" (repeatable)" if mode == "many" else "")
        ),
    )
    p.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override one parameter, e.g. --set logmein.agents=80 (repeatable)",
    )
    p.set_defaults(params_mode=mode)


def _add_seed(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--seed",
        type=_SEED,
        default=0,
        metavar="S",
        help="random seed of the Monte Carlo draws (default 0: the same draws every run)",
    )


def _add_simulate(p: argparse.ArgumentParser, default: int | None, what: str) -> None:
    said = "default: no simulation" if default is None else f"default {default:,}"
    p.add_argument(
        "--simulate",
        type=_DRAWS,
        metavar="N",
        default=default,
        help=f"draw every ranged input together N times for {what} ({said})",
    )


def _examples(*lines: str) -> str:
    return "examples:\n" + "\n".join(f"  {line}" for line in lines)


def _settle_params(args: argparse.Namespace) -> None:
    """``args.params`` from the positional file and ``--params``: one file for most verbs (a
    list for ``report``), ``None`` when neither was given and the verb has a default."""
    mode = getattr(args, "params_mode", None)
    if mode is None:
        return
    given = getattr(args, "params_positional", None)
    positional = list(given) if isinstance(given, list) else ([given] if given else [])
    files = [*positional, *args.params_flag]
    if mode == "many":
        for f in files:
            _not_a_pilot_export(f)
        args.params = files or None
        return
    if len(files) > 1:
        raise InputError(
            f"more than one parameters file ({', '.join(files)}) — give one, positionally or "
            "as --params",
            file="--params",
        )
    args.params = files[0] if files else None
    if args.params is None and mode == "one":
        raise InputError(
            f"no parameters file — give PARAMS.yaml or --params PARAMS.yaml ({SAMPLE_HINT})",
            file=args.command,
        )
    if args.params is not None:
        _not_a_pilot_export(args.params)


def _not_a_pilot_export(path: str) -> None:
    """A pilot export given where parameters are expected: say so, not a YAML parse error."""
    suffix = Path(path).suffix.lower()
    if suffix in (".csv", ".xml", ".json", ".xlsx", ".txt") and Path(path).is_file():
        raise InputError(
            f"this looks like a pilot export ({suffix}), not a parameters file — give the "
            "parameters YAML here, and the export to 'rhmodel pool FILE' or pilot.files",
            file=path,
        )


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="rhmodel",
        description="Can Intune Remote Help replace LogMeIn Resolve and/or BeyondTrust Remote "
        "Support, how much must we keep, and what do we save at renewal?",
        epilog="Every command that reads parameters takes one YAML file, positionally or as "
        "--params.\n'rhmodel sample' prints the bundled sample's path; "
        "'rhmodel sample --copy-to DIR' copies it to edit.\n\n"
        + _examples(
            'rhmodel decide "$(rhmodel sample)"',
            'rhmodel scenarios --params "$(rhmodel sample)" --simulate 2000 --format json',
            "rhmodel sample --copy-to mine && rhmodel excel mine/params/sample.yaml "
            "--out out/book.xlsx",
        ),
    )
    parser.add_argument("--version", action="version", version=f"rhmodel {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    m = sub.add_parser(
        "matrix",
        help="the capability matrix (seed Section 4.1)",
        description="Print the capability matrix of the three products.",
        epilog=_examples("rhmodel matrix", "rhmodel matrix --changes --format csv"),
    )
    _add_format(m, csv_too=True)
    m.add_argument(
        "--changes",
        action="store_true",
        help="only the facts that changed since the seed memo, with their dates and sources",
    )
    m.set_defaults(func=_cmd_matrix)

    d = sub.add_parser(
        "decide",
        help="the replace-or-keep decision (seed Section 4.4)",
        description="Apply the seed's replace-or-keep test to the parameters.",
        epilog=_examples(
            'rhmodel decide "$(rhmodel sample)"',
            'rhmodel decide --params "$(rhmodel sample)" --format json',
        ),
    )
    _add_params(d)
    _add_format(d)
    d.set_defaults(func=_cmd_decide)
    sc = sub.add_parser(
        "scenarios",
        help="savings scenarios: NPV, ROI, payback, risk",
        description="Cash flows of status_quo, right_size and cancel; NPV, "
        "ROI, payback, timing, sensitivity, break-even and "
        "(with --simulate) a Monte Carlo simulation.",
        epilog=_examples(
            'rhmodel scenarios "$(rhmodel sample)"',
            'rhmodel scenarios "$(rhmodel sample)" --simulate 10000 --seed 1 --format json',
        ),
    )
    _add_params(sc)
    _add_simulate(sc, None, "P(NPV > 0) and P10–P90")
    _add_seed(sc)
    _add_format(sc)
    sc.set_defaults(func=_cmd_scenarios)
    rp = sub.add_parser(
        "report",
        help="render renewal packs (notebook, HTML, workbook, JSON)",
        description="Execute the renewal-pack notebook with papermill for each "
        "parameters file and write the pack atomically.",
        epilog=_examples(
            "rhmodel report --out reports",
            "rhmodel report a.yaml b.yaml --jobs 2 --out packs",
        ),
    )
    _add_params(rp, mode="many")
    rp.add_argument(
        "--out",
        default="reports",
        metavar="DIR",
        help="output folder, created if missing; several parameter files go to "
        "DIR/<file stem>/ (default: reports)",
    )
    rp.add_argument(
        "--jobs", type=_JOBS, default=1, metavar="N", help="packs rendered in parallel (default 1)"
    )
    _add_simulate(rp, 10_000, "the memo's risk section")
    _add_seed(rp)
    rp.add_argument(
        "--timeout",
        type=_SECONDS,
        default=600,
        metavar="SECONDS",
        help="limit per notebook cell (default 600)",
    )
    rp.set_defaults(func=_cmd_report)

    xp = sub.add_parser(
        "explore",
        help="the scenario explorer in the browser (Voilà)",
        description="Serve the scenario explorer on localhost with Voilà; no source code is shown.",
        epilog=_examples("rhmodel explore", "rhmodel explore mine.yaml --port 8866 --no-browser"),
    )
    _add_params(xp, mode="optional")
    xp.add_argument(
        "--port",
        type=_PORT,
        default=None,
        metavar="N",
        help="port on 127.0.0.1 (default: a free one)",
    )
    xp.add_argument("--no-browser", action="store_true", help="do not open a browser")
    xp.add_argument(
        "--idle-minutes",
        type=_MINUTES,
        default=10.0,
        metavar="M",
        help="shut an explorer page's kernel down after M minutes with the page closed "
        "(default 10)",
    )
    xp.set_defaults(func=_cmd_explore)

    ex = sub.add_parser(
        "excel",
        help="the stakeholder workbook with live formulas",
        description="Write an Excel workbook whose formulas recompute the "
        "scenarios from named input cells. With LibreOffice installed the values are cached "
        "in the file too; without it a warning says so.",
        epilog=_examples('rhmodel excel "$(rhmodel sample)" --out out/book.xlsx'),
    )
    _add_params(ex)
    ex.add_argument(
        "--out",
        required=True,
        metavar="FILE.xlsx",
        help="workbook to write (its folder is created if missing)",
    )
    _add_simulate(ex, 10_000, "the Simulation sheet")
    _add_seed(ex)
    ex.set_defaults(func=_cmd_excel)

    ca = sub.add_parser(
        "calendar",
        help="the plan's dates as an iCalendar file",
        description="Write an iCalendar file (RFC 5545) with one event per dated action of the "
        "plan (pilot end, notice deadlines, renewals, readiness items) and reminders 120, 90 and "
        "30 days before each notice deadline.",
        epilog=_examples('rhmodel calendar "$(rhmodel sample)" --out out/plan.ics'),
    )
    _add_params(ca)
    ca.add_argument(
        "--out",
        required=True,
        metavar="FILE.ics",
        help="calendar file to write (its folder is created if missing)",
    )
    ca.set_defaults(func=_cmd_calendar)

    po = sub.add_parser(
        "pool",
        help="pilot evidence: residual work and the pool to keep",
        description="Load pilot session exports, classify residual work and "
        "size the residual pool per incumbent tool. The positional arguments are pilot "
        "exports; the parameters file goes with --params.",
        epilog=_examples(
            'rhmodel pool --params "$(rhmodel sample)"',
            "rhmodel pool exports/ --timezone Europe/London --format json",
        ),
    )
    po.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help="pilot exports or folders of them (default: pilot.files of --params)",
    )
    _add_params(po, mode="flag")
    po.add_argument(
        "--timezone",
        metavar="TZ",
        help="business time zone (IANA), also for "
        "timestamps without an offset (default: pilot.timezone)",
    )
    po.add_argument(
        "--tenant-domain",
        dest="tenant_domains",
        action="append",
        default=None,
        metavar="DOMAIN",
        help="your tenant's e-mail domain (repeatable; default: pilot.tenant_domains)",
    )
    po.add_argument(
        "--target-blocking",
        type=_fraction(0, 1, inclusive=False),
        default=None,
        metavar="P",
        help=f"Erlang B target (default {DEFAULT_TARGET_BLOCKING:g})",
    )
    po.add_argument(
        "--headroom",
        type=_fraction(0, 5),
        default=None,
        metavar="H",
        help="fraction added to the evidence (default 0.2)",
    )
    po.add_argument(
        "--growth",
        type=_fraction(0, 5),
        default=None,
        metavar="G",
        help="expected growth of residual work (default 0)",
    )
    po.add_argument(
        "--routing",
        choices=("as_worked", "specialist_team"),
        default=None,
        help="named-licence pools: every technician who did residual work, or a specialist "
        "team sized on the most at once (default: pilot.routing)",
    )
    po.add_argument(
        "--reasons",
        action="append",
        default=None,
        metavar="LOG",
        help="the help desk's reason log, CSV or XLSX (repeatable; default: pilot.reasons)",
    )
    po.add_argument(
        "--devices",
        action="append",
        default=None,
        metavar="FILE",
        help="device inventory: the Intune admin center's device export (CSV) or Graph "
        "managedDevices JSON (repeatable; default: pilot.devices)",
    )
    po.add_argument(
        "--date-order",
        choices=("dmy", "mdy"),
        default=None,
        help="day/month order of dates such as 01/02/2026 when no day above 12 settles it "
        "(default: pilot.date_order)",
    )
    _add_format(po)
    po.set_defaults(func=_cmd_pool)

    pt = sub.add_parser(
        "pilot-template",
        help="the reason-log workbook the help desk fills in during the pilot",
        description="Write the reason log as a workbook: instructions, a drop-down of reason "
        "codes with their meaning, date and ticket columns, a protected header. Fill it in "
        "during the pilot and give it to `rhmodel pool --reasons` or pilot.reasons.",
        epilog=_examples("rhmodel pilot-template --out pilot/reason-log.xlsx"),
    )
    pt.add_argument(
        "--out",
        required=True,
        metavar="FILE.xlsx",
        help="workbook to write (its folder is created if missing)",
    )
    pt.set_defaults(func=_cmd_pilot_template)

    sa = sub.add_parser(
        "sample",
        help="where the bundled sample parameters are, or a copy of them to edit",
        description="Print the path of the bundled sample parameters file (an illustrative "
        "organisation with a pilot), or copy it with its pilot exports into a folder to edit.",
        epilog=_examples(
            'rhmodel decide "$(rhmodel sample)"',
            "rhmodel sample --copy-to mine && rhmodel decide mine/params/sample.yaml",
        ),
    )
    sa.add_argument(
        "--copy-to",
        metavar="DIR",
        help="copy params/sample.yaml and sample/pilot/ into DIR (created if missing; it must "
        "not hold them already)",
    )
    sa.set_defaults(func=_cmd_sample)

    # `rhmodel pilot import|collect|status`: the pilot store and its collectors, in their own
    # module (each verb's function takes the parsed args and returns the exit status).
    from rhmodel.faces import pilot_commands

    pilot_commands.register(sub, _Parser)
    return parser


def _fraction(low: float, high: float, inclusive: bool = True):
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"not a number ({text!r}) — a fraction such as 0.2"
            ) from None
        ok = (low <= value <= high) if inclusive else (low < value < high)
        if not ok:
            bounds = f"[{low:g}, {high:g}]" if inclusive else f"({low:g}, {high:g})"
            raise argparse.ArgumentTypeError(f"out of range ({value:g}) — a fraction in {bounds}")
        return value

    return parse


def _whole(what: str, low: int, high: int, example: int) -> Callable[[str], int]:
    """An argparse type: a whole number of ``what`` in [low, high]."""

    def parse(text: str) -> int:
        of = f" of {what}" if what else ""
        accepted = f"a whole number{of} from {low:,} to {high:,}, e.g. {example}"
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"not a whole number ({text[:40]!r}) — {accepted}"
            ) from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low:,} ({value}) — {accepted}")
        if value > high:
            raise argparse.ArgumentTypeError(f"must be at most {high:,} ({value}) — {accepted}")
        return value

    return parse


_DRAWS = _whole("draws", 1, 10_000_000, 10_000)
_SEED = _whole("", 0, 2**32 - 1, 0)  # numpy's seeds are non-negative
_JOBS = _whole("packs at once", 1, 64, 2)
_SECONDS = _whole("seconds", 1, 86_400, 600)
_PORT = _whole("", 1024, 65_535, 8866)


def _MINUTES(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a number ({text[:40]!r}) — minutes from 0.05 to 1440, e.g. 10"
        ) from None
    if not 0.05 <= value <= 1440:
        raise argparse.ArgumentTypeError(
            f"out of range ({value:g}) — minutes from 0.05 to 1440, e.g. 10"
        )
    return value


def _emit(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _cmd_matrix(args: argparse.Namespace) -> int:
    from rhmodel.core.jsonable import jsonable
    from rhmodel.edges.bundled import load_capabilities
    from rhmodel.faces.texttable import text_table, wrap

    W = _width()
    matrix = load_capabilities()
    if args.changes:
        return _matrix_changes(matrix, args.format)
    if args.format == "json":
        _emit(json.dumps(jsonable(matrix), indent=2, ensure_ascii=False, allow_nan=False))
        return 0
    if args.format == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(["dimension", "label", "product", "level", "text", "source"])
        for dim in matrix.dimensions:
            for product, cell in dim.cells.items():
                writer.writerow([dim.id, dim.label, product, cell.level, cell.text, cell.source])
        _emit(buf.getvalue())
        return 0
    header = ["Dimension", *(matrix.product_short[p] for p in matrix.products)]
    rows = [
        [d.label, *(f"[{d.cells[p].level}] {d.cells[p].text}" for p in matrix.products)]
        for d in matrix.dimensions
    ]
    _emit(
        wrap(
            f"Capability matrix (source: {matrix.document}; as of {matrix.as_of}; facts checked "
            f"{matrix.facts_as_of}, {len(matrix.changes_since_seed)} changed since the seed: "
            "rhmodel matrix --changes)",
            W,
        )
        + "\n"
    )
    # one column per product, all inside the terminal however many incumbents the table has
    n = len(matrix.products)
    width = max(8, min(25, (W - 16 - 2 * n) // n))
    _emit(text_table(header, rows, widths=[16, *([width] * n)]))
    _emit("\nWhere the incumbents are still stronger (seed §4.2):")
    for s in matrix.incumbent_strengths:
        who = ", ".join(matrix.product_short[p] for p in s.products)
        _emit(wrap(f"- {s.label} ({who}): {s.text}", W, indent="  "))
    return 0


def _matrix_changes(matrix: Any, fmt: str) -> int:
    """``rhmodel matrix --changes``: the facts that differ from the seed memo."""
    from rhmodel.core.jsonable import jsonable
    from rhmodel.faces.texttable import wrap

    W = _width()
    changes = matrix.changes_since_seed
    if fmt == "json":
        doc = {"facts_as_of": matrix.facts_as_of, "changes_since_seed": changes}
        _emit(json.dumps(jsonable(doc), indent=2, ensure_ascii=False, allow_nan=False))
        return 0
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(["capability", "product", "seed_said", "now", "since", "source"])
        for c in changes:
            since = c.since.isoformat() if c.since else ""
            writer.writerow([c.capability, c.product, c.seed_said, c.now, since, c.source])
        _emit(buf.getvalue())
        return 0
    _emit(
        wrap(
            f"Facts changed since the seed memo (checked {matrix.facts_as_of}; "
            "source: What's new in Microsoft Intune and Microsoft Learn):",
            W,
        )
        + "\n"
    )
    for c in changes:
        since = c.since.isoformat() if c.since else "date not known"
        who = matrix.product_short.get(c.product, c.product)
        _emit(f"{c.capability} ({who}), since {since}")
        _emit(wrap(f"  seed said: {c.seed_said}", W, indent="    "))
        _emit(wrap(f"  now: {c.now}", W, indent="    "))
        _emit(wrap(f"  source: {c.source}", W, indent="    ") + "\n")
    return 0


def _at_width(render: Callable[..., str], value: Any) -> str:
    """``render(value)`` wrapped to the terminal, for a renderer that takes ``width``."""
    import inspect

    if "width" in inspect.signature(render).parameters:
        return render(value, width=_width())
    return render(value)


def _make_parent(out: Path) -> None:
    """Create the folder ``--out`` names, as ``report --out`` does."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"cannot create the folder {out.parent} ({exc.strerror or exc}) — a folder path "
            "you can write to",
            file="--out",
        ) from None


def _load(args: argparse.Namespace) -> Any:
    from rhmodel.edges.paramfile import load_parameters

    return load_parameters(args.params, args.overrides)


def _cmd_decide(args: argparse.Namespace) -> int:
    from rhmodel.core.decision import decide
    from rhmodel.core.jsonable import jsonable
    from rhmodel.edges.bundled import load_capabilities
    from rhmodel.faces.texttable import wrap

    W = _width()
    params = _load(args)
    decision = decide(params, load_capabilities())
    if args.format == "json":
        _emit(json.dumps(jsonable(decision), indent=2, ensure_ascii=False, allow_nan=False))
        return 0
    _emit(f"Verdict: {decision.verdict}\n{wrap(decision.summary, W)}\n")
    if decision.facts_note:
        _emit(wrap(decision.facts_note, W) + "\n")
    for note in decision.evidence_notes:
        _emit(wrap(f"Evidence: {note}", W, indent="  "))
    if decision.evidence_notes:
        _emit("")
    _emit("Replace-or-keep test (seed §4.4):")
    for c in decision.criteria:
        mark = "PASS" if c.passed else "FAIL"
        _emit(wrap(f"  [{mark}] {c.id}: {c.explanation}", W, indent="         "))
    if decision.keep_for:
        _emit("\n" + wrap(f"Keep a specialist pool for: {', '.join(decision.keep_for)}", W, "  "))
    return 0


def _cmd_scenarios(args: argparse.Namespace) -> int:
    from rhmodel.core.money.evaluation import evaluate
    from rhmodel.edges.bundled import load_capabilities
    from rhmodel.edges.provenance import summary_document
    from rhmodel.faces.scenario_text import scenarios_text

    params = _load(args)
    result = evaluate(params, load_capabilities(), draws=args.simulate, seed=args.seed)
    if args.format == "json":
        _emit(json.dumps(summary_document(result), indent=2, ensure_ascii=False, allow_nan=False))
    else:
        _emit(_at_width(scenarios_text, result))
    return 0


def _skip_unused_iri_checker() -> None:
    """Keep ``jsonschema`` from loading ``rfc3987_syntax`` in this process.

    papermill reads notebooks with ``nbformat``, which imports ``jsonschema``, whose format
    checker imports ``rfc3987_syntax`` when it is installed: that module builds about 39 Lark
    parsers at import, 1.5 s of the reader's wait on a 2-CPU machine, for the ``iri`` formats
    no notebook schema uses (python-jsonschema/jsonschema#1428). Done only in the command's
    own process, never in a program that imports rhmodel as a library, and only when
    ``jsonschema`` is not loaded yet.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]


def _report_progress(done: int, total: int, r: Any) -> None:
    """One line per pack rendered, on stderr (``r``: a ``PackResult``)."""
    bar = "#" * (20 * done // total)
    state = "ok" if r.ok else "FAILED"
    print(
        f"[{bar:<20}] {done}/{total} {state}: {r.params_file} ({r.seconds:.1f} s)",
        file=sys.stderr,
        flush=True,
    )


def _cmd_report(args: argparse.Namespace) -> int:
    _skip_unused_iri_checker()
    from rhmodel.core.text import visible
    from rhmodel.edges.bundled import NOTEBOOKS_DIR, SAMPLE_PARAMS_FILE
    from rhmodel.edges.kernel import home_is_writable
    from rhmodel.edges.kernel import launch as launch_kernel
    from rhmodel.faces.texttable import text_table

    files = args.params or [str(SAMPLE_PARAMS_FILE)]
    for f in files:
        if not Path(f).is_file():
            raise InputError("no such file — give an existing parameters YAML", file=f)
    kernel = None
    if len(files) == 1 and home_is_writable():
        # launched before the model is imported: the kernel's start runs beside this
        # process's imports and evaluation (render_packs stops it on every path). Where it
        # cannot be (a full or read-only temporary folder), the pack launches its own and
        # says in one line what is wrong.
        with contextlib.suppress(OSError):
            kernel = launch_kernel(NOTEBOOKS_DIR)
    try:
        from rhmodel.edges.pack import render_packs

        results = render_packs(
            files,
            args.out,
            args.overrides,
            jobs=args.jobs,
            simulate=args.simulate,
            seed=args.seed,
            timeout=args.timeout,
            progress=_report_progress,
            kernel=kernel,
        )
    finally:
        if kernel is not None:
            kernel.stop()  # render_packs has already, unless interrupted before it began
    for r in results:
        for note in r.notes:
            print(f"warning: {r.params_file}: {note}", file=sys.stderr)
        if not r.ok and r.traceback:  # a bug in rhmodel: show where, as Python would
            print(f"{r.params_file}: traceback:\n{r.traceback.rstrip()}", file=sys.stderr)
    if len(results) == 1 and not results[0].ok:
        print(f"error: {visible(results[0].error).replace(chr(10), ' ')}", file=sys.stderr)
        return EXIT_USER_ERROR if results[0].user_error else 1
    if len(results) > 1:
        rows = [
            [
                Path(r.params_file).name,
                "ok" if r.ok else "FAILED",
                r.out_dir,
                f"{r.seconds:.1f}",
                r.error,
            ]
            for r in results
        ]
        _emit(
            text_table(
                ["Parameters", "Status", "Pack", "Seconds", "Error"],
                rows,
                widths=[18, 7, 24, 7, 36],
            )
        )
    for r in results:
        if r.ok:
            _emit(
                f"pack for {r.params_file}: {Path(r.out_dir) / 'renewal-pack.html'} "
                f"({', '.join(r.files)})"
            )
    failed = [r for r in results if not r.ok]
    if failed:
        return EXIT_USER_ERROR if all(r.user_error for r in failed) else 1
    return 0


def _cmd_explore(args: argparse.Namespace) -> int:
    import os
    import secrets
    import socket
    import subprocess
    import webbrowser

    from rhmodel.edges.bundled import NOTEBOOKS_DIR, SAMPLE_PARAMS_FILE
    from rhmodel.edges.paramfile import load_parameters
    from rhmodel.faces import explorer_server

    path = Path(args.params or SAMPLE_PARAMS_FILE).resolve()
    load_parameters(path, args.overrides)  # a bad file fails here, as one line, not in the page
    if args.overrides:
        raise InputError(
            "the explorer edits values itself; --set is not used here — change "
            "the value in the page or in the parameters file",
            file="--set",
        )
    port = args.port
    if port is None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
    # A token as Jupyter makes one: only who holds this URL can open the explorer.
    token = secrets.token_urlsafe(24)
    url = f"http://127.0.0.1:{port}/?token={token}"
    env = {**os.environ, "RHMODEL_PARAMS": str(path)}
    cmd = explorer_server.command(
        str(NOTEBOOKS_DIR / "40-explorer.ipynb"), port, token, args.idle_minutes * 60
    )
    print(f"rhmodel explorer on {url} (parameters: {path}); Ctrl+C stops it", flush=True)
    proc = subprocess.Popen(cmd, env=env)
    try:
        if not args.no_browser:
            webbrowser.open(url)
        return proc.wait()
    finally:
        # Ctrl+C or SIGTERM here: Voilà shuts its kernels down on SIGTERM; wait for it to.
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _cmd_excel(args: argparse.Namespace) -> int:
    from rhmodel.core.money.evaluation import evaluate
    from rhmodel.edges.bundled import load_capabilities
    from rhmodel.edges.pilotfiles import pilot_report
    from rhmodel.edges.provenance import provenance
    from rhmodel.edges.workbook import write_workbook

    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        raise InputError(
            f"the workbook must end in .xlsx ({out.name!r}) — e.g. --out book.xlsx", file="--out"
        )
    params = _load(args)
    matrix = load_capabilities()
    result = evaluate(params, matrix, draws=args.simulate, seed=args.seed)
    pilot = pilot_report(params)
    _make_parent(out)  # only once the inputs are good: a failed run leaves no empty folder
    try:
        cached = write_workbook(result, matrix, provenance(params), out, pilot)
    except OSError as exc:
        raise InputError(
            f"cannot write the workbook ({exc.strerror or exc}) — a writable "
            "file path ending in .xlsx",
            file=str(out),
        ) from None
    print(f"wrote {out}")
    if not cached:
        _warn_not_cached(out, cached)
    return 0


def _warn_not_cached(out: Path, cached: Any) -> None:
    """One ``warning:`` line: the formulas have no cached values, so a reader that does not
    calculate (pandas, openpyxl, a preview) sees empty cells; how to get them."""
    from rhmodel.edges.recalc import libreoffice

    if getattr(cached, "warn", False):
        return  # the workbook edge has said why already (a hung LibreOffice)
    reason = getattr(cached, "reason", "")
    if not reason:
        # a plain bool from the edge: only "not found" is certain not to have been reported
        if libreoffice() is not None:
            return
        reason = "LibreOffice not found"
    print(
        f"warning: {out}: formula values not cached ({reason}) — Excel and LibreOffice "
        "calculate them on opening, but pandas.read_excel and other readers see empty cells; "
        "install LibreOffice (soffice on PATH) and run rhmodel excel again to cache them",
        file=sys.stderr,
    )


def _cmd_calendar(args: argparse.Namespace) -> int:
    from rhmodel.core.money.evaluation import evaluate
    from rhmodel.edges.bundled import load_capabilities
    from rhmodel.edges.ical import write_calendar

    out = Path(args.out)
    if out.suffix.lower() != ".ics":
        raise InputError(
            f"the calendar must end in .ics ({out.name!r}) — e.g. --out plan.ics", file="--out"
        )
    if out.is_dir():
        raise InputError(f"is a folder ({out}) — a file path ending in .ics", file="--out")
    result = evaluate(_load(args), load_capabilities())
    _make_parent(out)
    try:
        write_calendar(result, out)
    except OSError as exc:
        raise InputError(
            f"cannot write the calendar ({exc.strerror or exc}) — a writable "
            "file path ending in .ics",
            file=str(out),
        ) from None
    print(f"wrote {out}")
    return 0


def _cmd_pool(args: argparse.Namespace) -> int:
    from rhmodel.core.document import parse_yaml
    from rhmodel.core.jsonable import jsonable
    from rhmodel.core.pilot.settings import PilotSettings
    from rhmodel.edges.bundled import load_capabilities
    from rhmodel.edges.paramfile import load_parameters, parse_parameters
    from rhmodel.edges.pilotfiles import device_paths, load_pilot, pilot_specs, reason_sources
    from rhmodel.faces.pilot_text import pilot_text

    W = _width()
    for f in args.files:
        if Path(f).suffix.lower() in PARAMS_SUFFIXES:
            raise InputError(
                f"this looks like a parameters file: use --params (rhmodel pool --params {f}) "
                "— the positional arguments are pilot exports or folders of them",
                file=f,
            )
    if args.params:
        params = load_parameters(args.params, args.overrides)
    else:
        params = parse_parameters(parse_yaml("", "defaults"), args.overrides)
    files = args.files or pilot_specs(params)
    # the pilot store (pilot.store) is read beside pilot.files, as every command reads it
    store = (
        params.base_dir / params["pilot.store"]
        if args.params and not args.files and params["pilot.store"]
        else None
    )
    if not files and store is None:
        raise InputError(
            "no pilot exports given — name files or folders, or --params with pilot.files "
            "(or pilot.store)"
        )
    if args.timezone:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(args.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InputError(
                f"unknown time zone ({args.timezone!r}) — an IANA name such as Europe/London",
                file="--timezone",
            ) from None
    # the parameters file's pilot settings (each contract's licence metric among them), with
    # each option given on the command line over its value
    report = load_pilot(
        files,
        load_capabilities(),
        PilotSettings.from_parameters(params),
        timezone=args.timezone,
        tenant_domains=args.tenant_domains,
        target_blocking=args.target_blocking,
        headroom=args.headroom,
        growth=args.growth,
        date_order=args.date_order,
        routing=args.routing,
        reasons=args.reasons if args.reasons is not None else reason_sources(params),
        devices=args.devices if args.devices is not None else device_paths(params),
        store=store,
    )
    if args.params:
        from rhmodel.core.pilot.evidence import routed_report, with_teams

        # the pools as the parameters route them: pilot.teams' own pools, decision.accept's
        # work given up, what each contract keeps
        report = routed_report(with_teams(report, params["pilot.teams"] or ()), params)
    from rhmodel.core.capabilities import staleness_note
    from rhmodel.core.pilot.evidence import undeclared_needs

    matrix = load_capabilities()
    gaps = undeclared_needs(
        report, matrix, {k: params[k] for k in params.values if k.startswith("requirements.")}
    )
    stale = staleness_note(matrix, params["start_date"])
    if args.format == "json":
        out = jsonable(report)
        out["facts_as_of"] = matrix.facts_as_of.isoformat()
        if stale:
            out["facts_note"] = stale
        out["undeclared_needs"] = [
            {"criterion": c, "requirement": k, "sessions": n} for c, k, n in gaps
        ]
        _emit(json.dumps(out, indent=2, ensure_ascii=False, allow_nan=False))
    else:
        _emit(_at_width(pilot_text, report))
        if stale:
            from rhmodel.faces.texttable import wrap

            _emit("")
            _emit(wrap(stale, W))
        if gaps and args.params:
            from rhmodel.faces.texttable import wrap

            _emit("")
            _emit(
                wrap(
                    "The pilot found work the parameters say you do not need (criterion: "
                    "residual sessions): "
                    + ", ".join(f"{c}: {n:,}" for c, _k, n in gaps)
                    + ". The decision counts it as needed all the same (the pilot's evidence "
                    "binds the verdict): set "
                    + ", ".join(k for _c, k, _n in gaps)
                    + " to true to say so, or list its reason codes in decision.accept to give "
                    "that work up.",
                    W,
                )
            )
    return 0


def _cmd_pilot_template(args: argparse.Namespace) -> int:
    from rhmodel.edges.reasonlog import write_template

    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        raise InputError(
            f"the template must end in .xlsx ({out.name!r}) — e.g. --out reason-log.xlsx",
            file="--out",
        )
    _make_parent(out)
    try:
        write_template(out)
    except OSError as exc:
        raise InputError(
            f"cannot write the template ({exc.strerror or exc}) — a writable file path",
            file=str(out),
        ) from None
    _emit(f"wrote {out}: fill in the sheet 'Reason log' during the pilot")
    return 0


def _cmd_sample(args: argparse.Namespace) -> int:
    from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE, SAMPLE_PILOT_DIR

    if not args.copy_to:
        _emit(str(SAMPLE_PARAMS_FILE))
        return 0
    out = Path(args.copy_to)
    params = out / "params" / "sample.yaml"
    pilot = out / "sample" / "pilot"
    for existing in (params, pilot):
        if existing.exists():
            raise InputError(
                f"already holds {existing.relative_to(out)} — give an empty or new folder",
                file=str(out),
            )
    try:
        params.parent.mkdir(parents=True, exist_ok=True)
        # the sample names its pilot as ../sample/pilot: the copy keeps that layout
        shutil.copytree(SAMPLE_PILOT_DIR, pilot)
        shutil.copyfile(SAMPLE_PARAMS_FILE, params)
    except OSError as exc:
        raise InputError(
            f"cannot copy the sample ({exc.strerror or exc}) — a folder you can write to",
            file=str(out),
        ) from None
    _emit(f"copied the sample: edit {params} (its pilot exports are in {pilot})")
    return 0


def _terminate(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def _degrade_unencodable_output() -> None:
    """A console or redirect that cannot encode UTF-8 (``PYTHONIOENCODING=cp1252``, a Windows
    console) gets ``\\u2265`` for "≥" rather than a UnicodeEncodeError: never a crash."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", "") or "").lower().replace("_", "-")
        if encoding not in ("utf-8", "utf8") and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    _degrade_unencodable_output()
    parser = _build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USER_ERROR
    # SIGTERM unwinds like Ctrl+C: temporary folders, kernels and servers are cleaned up by the
    # code that made them, and the command ends with one line.
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        _settle_params(args)
        return int(args.func(args))
    except KeyboardInterrupt as exc:
        name = str(exc) or "SIGINT"
        print(f"error: interrupted ({name}); stopped and cleaned up", file=sys.stderr)
        return 143 if name == "SIGTERM" else 130
    except InputError as exc:
        # one line, whatever the message quotes: newlines and control characters made visible
        from rhmodel.core.text import visible

        print(f"error: {visible(str(exc)).replace(chr(10), ' ')}", file=sys.stderr)
        return EXIT_USER_ERROR
    except BrokenPipeError:
        # `rhmodel matrix | head` closes the pipe early: not an error worth a traceback.
        sys.stderr.close()
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)


def run() -> NoReturn:
    """The ``rhmodel`` command (and ``python -m rhmodel``): :func:`main`, then a quick exit.

    Once the command has returned, its files are closed and its output is written: the exit
    handlers run, threads still working are waited for and the streams are flushed, and the
    process then ends without Python taking every module and object apart one by one, which
    takes about 0.3 s after a pack (the evaluation, pandas, the kernel client's ZeroMQ context)
    and which no one waits for. A bug in rhmodel (an exception out of :func:`main`) exits the
    usual way, with its traceback. Programs and tests call :func:`main`, which returns.
    """
    code = main()
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # a closed pipe (`| head`) is no error here
            stream.flush()
    os._exit(code)
