"""The stakeholder workbook: live formulas over named inputs, agreeing with the Python model.

Sheets: About (what it is, provenance, illustrative figures), Inputs (every scalar parameter,
one named cell each), User groups (Remote Help licences per group of helpers and sharers, live,
one named cell per field: ``remote_help_user_groups_<i>_<field>``), Decision, Capabilities,
Cash flows (monthly formulas per scenario), Summary (``<scenario>_<metric>`` named formulas),
Plans (every plan the engine weighs, one row of live formulas each, and the live pick
``recommended_scenario`` with ``plan_timed_npv``),
Sensitivity and Simulation (values computed by rhmodel), Pilot and Pool (when there is pilot
evidence).

Two writers put anything into a cell, so nothing from outside can become a formula:

- :func:`put_text` writes untrusted text (technician names, notes, file names, any string
  parameter) as a string; text starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return
  also gets Excel's quote prefix, so an edit in Excel does not revive it (OWASP CSV injection).
- :func:`put_formula` is the only way a formula is written; it accepts only the functions every
  engine computes (Excel, LibreOffice, the ``formulas`` package).

The workbook's formulas are the one deliberate second implementation of the money model; the
tests recompute them with ``formulas`` and LibreOffice and hold them equal to
:mod:`rhmodel.core.money.scenarios`.
"""

from __future__ import annotations

import datetime as dt
import gc
import io
import math
import re
import sys
import traceback
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from rhmodel.core.capabilities import CapabilityMatrix
from rhmodel.core.coverage import DISRUPTION, covers, held_contracts
from rhmodel.core.labels import label as human
from rhmodel.core.money.capacity import feasible_delays, timed_terms
from rhmodel.core.money.cashflows import adopts_remote_help
from rhmodel.core.money.evaluation import Evaluation
from rhmodel.core.money.timing import mid_term_cut
from rhmodel.core.params import SCHEMA, Parameters, spec
from rhmodel.core.params.resolve import GROUP_PRICE_ITEMS
from rhmodel.core.pilot.evidence import PilotReport
from rhmodel.core.pilot.sessions import OPEN
from rhmodel.core.products import (
    COMPONENTS,
    CONTRACTS,
    SCENARIOS,
    consolidation_target,
    contract_for,
    plan_actions,
)
from rhmodel.core.text import MINUS, currency_prefix, long_date, visible
from rhmodel.edges.bundled import checklist_for
from rhmodel.edges.provenance import Provenance
from rhmodel.edges.recalc import Caching
from rhmodel.edges.workbook_layout import BOOLEAN, finish_sheet, money_format

__all__ = [
    "ALLOWED_FUNCTIONS",
    "METRICS",
    "build_workbook",
    "put_formula",
    "put_text",
    "workbook_bytes",
]

#: Functions the workbook may use: every engine (Excel, LibreOffice, ``formulas``) has them.
ALLOWED_FUNCTIONS = frozenset(
    {
        "SUM",
        "SUMPRODUCT",
        "IF",
        "MIN",
        "MAX",
        "ROUND",
        "INDEX",
        "MATCH",
        "CEILING",
        "INT",
        "ISNUMBER",
        "AND",
        "OR",
        "NOT",
        "ABS",
        "FIXED",
        "SUMIFS",
    }
)
#: The metrics named ``<scenario>_<metric>`` on the Summary sheet.
METRICS = ("total_cost", "savings", "npv", "roi", "payback_months")

_DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
_FUNCTION = re.compile(r"([A-Z][A-Z0-9.]*)\s*\(")
_STRING = re.compile(r'"[^"]*"')

INPUT_FONT = Font(color="0000CC")
INPUT_FILL = PatternFill("solid", fgColor="FFF7E1")
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
WARN_FONT = Font(bold=True, color="B00020")
LEVEL_FILLS = {
    "yes": PatternFill("solid", fgColor="C6EFCE"),
    "partial": PatternFill("solid", fgColor="FFEB9C"),
    "no": PatternFill("solid", fgColor="FFC7CE"),
}
#: Markers for amounts, replaced by the parameters' currency once the workbook is built
#: (:func:`rhmodel.edges.workbook_layout.money_format`): whole units, and cents for unit prices.
MONEY = '"$"#,##0.00;[Red]-"$"#,##0.00'
MONEY_CENTS = '"$"#,##0.00##;[Red]-"$"#,##0.00##'
#: Inputs the formulas do not read: shown, but not styled as inputs ("regenerate to change").
NOT_LIVE = frozenset(
    {
        "organisation",
        "illustrative",
        "start_date",
        "horizon_months",
        "currency",
        "usd_rate",
        "requirements.platforms",
        "decision.accept",
        "remote_help.user_groups",
    }
)
#: The User groups sheet's title, and the spare rows it offers for a group added in Excel.
GROUPS_SHEET = "User groups"
SPARE_GROUP_ROWS = 3
#: Its columns: (field, heading); the field is the defined name's last part.
_GROUP_COLS = (
    ("key", "Parameter key"),
    ("name", "Group"),
    ("licence", "Licence"),
    ("android_dedicated", "Android dedicated (helpers only)"),
    ("users", "Users (helpers and sharers)"),
    ("helpers", "Helpers"),
    ("sharers", "Sharers"),
    ("price_per_user_month", "Price per user per month"),
    ("licensed", "Licensed users"),
    ("monthly_cost", "Monthly cost"),
    ("source", "Source"),
)
#: Optional inputs whose blank cell means "as the contract has it today".
FOLLOWS_TODAY = frozenset(
    k for c in CONTRACTS for k in (c.residual_price_key, c.extras_residual_key) if k is not None
)
PERCENT = "0.0%"


def put_text(cell: Cell, text: Any) -> Cell:
    """Write ``text`` as an inert string, whatever it starts with.

    Examples
    --------
    >>> from openpyxl import Workbook
    >>> c = put_text(Workbook().active["A1"], "=HYPERLINK(\\"http://x\\")")
    >>> c.data_type, c.quotePrefix
    ('s', True)
    """
    # control characters (openpyxl refuses them; Excel would show junk) become visible escapes
    value = "" if text is None else visible(str(text))
    cell.value = value
    cell.data_type = "s"  # openpyxl would otherwise take a leading "=" for a formula
    if value.startswith(_DANGEROUS_START):
        cell.quotePrefix = True
    return cell


def put_formula(cell: Cell, formula: str) -> Cell:
    """Write one of the model's formulas, refusing any function outside the allow-list.

    Raises
    ------
    ValueError
        A formula that does not start with ``=`` or calls another function (a bug in rhmodel).
    """
    if not formula.startswith("="):
        raise ValueError(f"a formula must start with '=', got {formula!r}")
    used = set(_FUNCTION.findall(_STRING.sub('""', formula)))
    if used - ALLOWED_FUNCTIONS:
        raise ValueError(
            f"formula uses {sorted(used - ALLOWED_FUNCTIONS)} outside "
            f"{sorted(ALLOWED_FUNCTIONS)}: {formula}"
        )
    cell.value = formula
    return cell


def _header(ws: Worksheet, row: int, titles: list[str], widths: list[int] | None = None) -> None:
    for j, title in enumerate(titles, start=1):
        c = put_text(ws.cell(row=row, column=j), title)
        c.font, c.fill = HEADER_FONT, HEADER_FILL
        c.alignment = Alignment(wrap_text=True, vertical="top")
    for j, w in enumerate(widths or [], start=1):
        ws.column_dimensions[get_column_letter(j)].width = w


def _name(wb: Workbook, name: str, sheet: str, ref: str) -> None:
    wb.defined_names[name] = DefinedName(name, attr_text=f"'{sheet}'!{ref}")


def _abs(col: int, row: int) -> str:
    return f"${get_column_letter(col)}${row}"


# ---- sheets ---------------------------------------------------------------------------------


def _about(ws: Worksheet, e: Evaluation, provenance: Provenance, cached: bool = False) -> None:
    p = e.params
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 100
    put_text(
        ws["A1"],
        "rhmodel: can Intune Remote Help replace LogMeIn Resolve and/or "
        "BeyondTrust Remote Support?",
    ).font = Font(bold=True, size=14)
    put_text(ws["A2"], p["organisation"] or "")
    rows = [
        (
            "What this is",
            "The renewal model as live formulas. Change a blue cell on the Inputs "
            "sheet and every cash flow and the Summary follow. Sensitivity, "
            "Simulation and Pool are values computed by rhmodel (not live).",
        ),
        (
            "How to use",
            "Edit Inputs (blue on light yellow). Each input has a workbook name equal "
            "to its parameter key with dots as underscores (discount_rate, "
            "logmein_price_per_agent_month, ...). Summary names each result "
            "<scenario>_<metric> (right_size_npv, status_quo_total_cost, ...).",
        ),
        (
            "Structure",
            "horizon_months sets the number of monthly rows: regenerate the "
            "workbook (rhmodel excel) to change it. Inputs in grey (horizon, pilot sizing, "
            "currency) are not live: regenerate to change them.",
        ),
        (
            "Decision",
            "The requirements, the tenant cloud and the accept switches on the Decision sheet "
            "drive the verdict (named verdict), each plan's viability and "
            "recommended_scenario through formulas: the Plans sheet weighs every plan live, at "
            "feasible timing (plan_timed_npv). The Plan, Checklist, Sensitivity and "
            "Simulation sheets are rhmodel's values at generation.",
        ),
        (
            "Calculated values",
            "Cached in this file: LibreOffice recalculated every formula when rhmodel wrote it, "
            "so previews and pandas see the numbers."
            if cached
            else "Not cached (LibreOffice was not available when rhmodel wrote it): Excel and "
            "LibreOffice calculate on opening; readers that do not calculate see blanks.",
        ),
        (
            "Protection",
            "Every sheet is protected without a password, so a formula is not overwritten by "
            "accident; the input cells are unlocked. To change a formula: Review → Unprotect "
            "Sheet (no password is asked).",
        ),
        (
            "For scripts",
            "Outputs lists every named result (header in row 1: name, value, unit, "
            'description), e.g. pandas.read_excel(path, sheet_name="Outputs"); Names lists '
            "every defined name and what it means; Budget gives spend per fiscal year.",
        ),
        ("rhmodel version", provenance.rhmodel_version),
        ("git commit", provenance.git_commit or "not available"),
        ("parameters file", provenance.parameters_file),
        ("parameters SHA-256", provenance.parameters_sha256),
        ("generated at (UTC)", provenance.generated_at),
        ("price book as of", provenance.price_book_as_of.isoformat()),
        ("capability matrix as of", provenance.capabilities_as_of.isoformat()),
    ]
    for item, date in sorted(provenance.price_items_as_of.items()):
        rows.append((f"price as of: {item}", date.isoformat()))
    r = 4
    for what, value in rows:
        put_text(ws.cell(row=r, column=1), what).font = Font(bold=True)
        put_text(ws.cell(row=r, column=2), value).alignment = Alignment(wrap_text=True)
        r += 1
    r += 1
    ill = e.illustrative_details()
    if ill:
        c = put_text(ws.cell(row=r, column=1), "ILLUSTRATIVE FIGURES")
        c.font = WARN_FONT
        put_text(
            ws.cell(row=r, column=2),
            "These inputs are not quoted facts; every result that uses them is illustrative:",
        ).font = WARN_FONT
        r += 1
        for d in ill:
            put_text(ws.cell(row=r, column=1), d.key)
            put_text(ws.cell(row=r, column=2), f"{d.value} — {d.source}").alignment = Alignment(
                wrap_text=True
            )
            r += 1
    ws.print_area = f"A1:B{r}"


def _input_value(p: Parameters, key: str) -> Any:
    v = p[key]
    if v is None and key in FOLLOWS_TODAY:
        return None  # blank: the formulas take today's figure (ISNUMBER is false)
    if v is None:
        # a number the file leaves out is zero in the model (no product, no pool); text is blank
        return 0 if spec(key).kind in ("int", "float") else ""
    if spec(key).kind == "user_groups":
        return f"{len(v)} group{'' if len(v) == 1 else 's'}: see the {GROUPS_SHEET} sheet"
    if isinstance(v, tuple):
        return ", ".join(map(str, v))
    return v


def _unit(text: str, code: str, doc: bool = False) -> str:
    """A unit label (or a parameter's meaning) in the parameters' currency: amounts are in
    ``code``; the price book's own figures stay US dollars, written ``USD`` so that no "$"
    reads as the workbook's currency.

    Examples
    --------
    >>> _unit("US$ per agent per month", "EUR"), _unit("currency units per US$", "GBP")
    ('EUR per agent per month', 'GBP per USD')
    >>> _unit("US$ per hour", "USD")
    'US$ per hour'
    """
    if code == "USD":
        return text
    if not doc:
        text = text.replace("currency units per US$", f"{code} per USD")
        return re.sub(r"\bUS\$", code, text)
    return text.replace("US$", "USD")


def _inputs(wb: Workbook, ws: Worksheet, p: Parameters) -> dict[str, str]:
    """One row per parameter; returns key → defined name."""
    _header(
        ws, 1, ["Parameter", "Value", "Unit", "Meaning", "Source / range"], [44, 16, 26, 70, 70]
    )
    ws.freeze_panes = "A2"
    code = p["currency"] or "USD"
    names: dict[str, str] = {}
    for i, s in enumerate(SCHEMA, start=2):
        v = p.value(s.key)
        put_text(ws.cell(row=i, column=1), s.key)
        cell = ws.cell(row=i, column=2)
        value = _input_value(p, s.key)
        if s.kind in ("int", "float", "bool") or (s.kind == "need" and value != "all"):
            cell.value = value if value != "" else 0
            if value is None:
                put_text(ws.cell(row=i, column=5), "blank: follows today's figure")
        elif s.kind == "date":
            cell.value = value if isinstance(value, dt.date) else None
            cell.number_format = "yyyy-mm-dd"
        else:
            put_text(cell, value)  # strings from the parameters file stay text
        live = s.key not in NOT_LIVE and not s.key.startswith(("pilot.", "environment."))
        if live:
            cell.font, cell.fill = INPUT_FONT, INPUT_FILL
        else:
            cell.font = Font(color="808080")
        if s.kind == "float":
            cell.number_format = (
                PERCENT
                if "fraction" in s.unit
                else MONEY_CENTS  # a unit price: its cents matter
                if s.unit.startswith("US$ per") and not s.unit.endswith("per year")
                else MONEY
                if s.unit.startswith("US$")
                else "0.0000##"  # a rate such as usd_rate (0.92) keeps its digits
                if "per US$" in s.unit
                else "#,##0.00"
            )
        elif s.kind == "int":
            cell.number_format = "#,##0"
        elif s.kind == "bool":
            cell.number_format = BOOLEAN
        put_text(ws.cell(row=i, column=3), _unit(s.unit, code))
        put_text(ws.cell(row=i, column=4), _unit(s.doc, code, doc=True)).alignment = Alignment(
            wrap_text=True
        )
        source = v.source or v.origin
        if v.uncertain is not None:
            u = v.uncertain
            source = (
                f"range {u.low:g}–{u.high:g} ({u.distribution}"
                f"{', mode ' + format(u.mode, 'g') if u.mode is not None else ''}); "
                f"value shown is the base. {source}"
            )
        if v.illustrative:
            source = "ILLUSTRATIVE. " + source
        if s.key == "decision.accept":
            source = "Not live here: use the accept switches on the Decision sheet. " + source
        elif s.key == "remote_help.user_groups":
            source = f"Not live here: edit the {GROUPS_SHEET} sheet. " + source
        elif not live:
            source = "Not live: regenerate to change (rhmodel excel). " + source
        put_text(ws.cell(row=i, column=5), source).alignment = Alignment(wrap_text=True)
        if v.illustrative:
            ws.cell(row=i, column=5).font = WARN_FONT
        name = s.key.replace(".", "_")
        _name(wb, name, ws.title, _abs(2, i))
        names[s.key] = name
        dv = None
        if s.kind == "choice":
            dv = DataValidation(type="list", formula1='"' + ",".join(s.choices) + '"')
        elif s.kind == "bool":
            dv = DataValidation(type="list", formula1='"TRUE,FALSE"')
        elif s.kind == "need":
            dv = DataValidation(type="list", formula1='"TRUE,FALSE,all"')
        elif s.kind in ("int", "float"):
            lo = s.minimum if s.minimum is not None else -1e12
            hi = s.maximum if s.maximum is not None else 1e12
            dv = DataValidation(
                type="whole" if s.kind == "int" else "decimal",
                operator="between",
                formula1=str(lo),
                formula2=str(hi),
            )
            dv.error = f"{s.key}: {s.accepted()}"
            dv.showErrorMessage = True
        if dv is not None:
            ws.add_data_validation(dv)
            dv.add(cell)
    ws.print_area = f"A1:E{len(SCHEMA) + 1}"
    return names


def _user_groups(wb: Workbook, ws: Worksheet, p: Parameters) -> None:
    """Remote Help licences per user group as live inputs, one row a group (plus spare rows
    for a group added in Excel), each field a defined name; the groups' monthly cost is named
    ``remote_help_user_groups_monthly_cost`` and the Cash flows sheet adds it to Remote Help's
    running cost. Group names are text from outside: written with :func:`put_text`."""
    put_text(ws["A1"], "Remote Help licences per user group (live inputs)").font = Font(
        bold=True, size=13
    )
    put_text(
        ws["A2"],
        "A group whose licence is not included costs licensed users × price every month from "
        "remote_help_start_month in every scenario that adopts Remote Help. Licensed users: "
        "Users, or Helpers + Sharers; an Android dedicated group pays for its Helpers only (its "
        "devices need no licence). Licences: included (commercial Microsoft 365 E3/E5/E7), "
        "addon, frontline (no public price: enter your quote), suite, plan2. Use a spare row "
        "(licence included, zeros) to add a group.",
    ).alignment = Alignment(wrap_text=True)
    ws.merge_cells("A2:K2")
    ws.row_dimensions[2].height = 48
    _header(ws, 4, [h for _, h in _GROUP_COLS], [30, 30, 12, 14, 14, 11, 11, 14, 12, 14, 70])
    col = {f: j for j, (f, _) in enumerate(_GROUP_COLS, start=1)}
    groups = p.user_groups
    licences = DataValidation(type="list", formula1='"included,addon,frontline,suite,plan2"')
    flags = DataValidation(type="list", formula1='"TRUE,FALSE"')
    counts = DataValidation(type="whole", operator="between", formula1="0", formula2="10000000")
    prices = DataValidation(type="decimal", operator="between", formula1="0", formula2="10000")
    for dv in (licences, flags, counts, prices):
        ws.add_data_validation(dv)
    first = 5
    last = first + len(groups) + SPARE_GROUP_ROWS - 1
    # the price book's figure per licence (in the file's currency), used where a price is blank
    book_top = last + 4
    put_text(ws.cell(row=book_top, column=1), "Price book (a blank price takes it)").font = Font(
        bold=True
    )
    book_names: dict[str, str] = {}
    rate = p["usd_rate"] if p["currency"] != "USD" else 1.0
    book = p.price_book
    for j, (lic, item_id) in enumerate(GROUP_PRICE_ITEMS.items(), start=book_top + 1):
        item = book.items.get(item_id) if book is not None else None
        put_text(ws.cell(row=j, column=1), lic)
        cell = ws.cell(row=j, column=2)
        cell.value = (
            item.price * rate if item is not None and item.price is not None and rate else 0
        )
        cell.number_format = MONEY_CENTS
        put_text(
            ws.cell(row=j, column=3),
            f"{item.id}: {item.source}, as of {item.as_of.isoformat()}" if item else "no figure",
        )
        book_names[lic] = f"price_book_{lic}_per_user_month"
        _name(wb, book_names[lic], ws.title, _abs(2, j))
    put_text(
        ws.cell(row=book_top + 1 + len(GROUP_PRICE_ITEMS), column=1),
        "frontline: no public price — enter your quote (a blank price costs nothing here)",
    )
    for i in range(len(groups) + SPARE_GROUP_ROWS):
        r = first + i
        g = groups[i] if i < len(groups) else None
        key = g.key if g is not None else f"remote_help.user_groups[{i}]"
        put_text(ws.cell(row=r, column=col["key"]), key)
        put_text(ws.cell(row=r, column=col["name"]), g.name if g is not None else "")
        values: dict[str, Any] = {
            "licence": g.licence if g is not None else "included",
            "android_dedicated": g.android_dedicated if g is not None else False,
            **{f: (g.count(f) if g is not None else 0) for f in ("users", "helpers", "sharers")},
            # blank: the price book's figure for the licence (below), as in the model
            "price_per_user_month": g.price if g is not None and g.paid else None,
        }
        for f, value in values.items():
            cell = ws.cell(row=r, column=col[f])
            if f == "licence":
                put_text(cell, value)
                licences.add(cell)
            elif f == "android_dedicated":
                cell.value = bool(value)
                flags.add(cell)
            elif f == "price_per_user_month":
                cell.value = None if value is None else float(value)
                cell.number_format = MONEY_CENTS
                prices.add(cell)
            else:
                cell.value = int(value)
                cell.number_format = "#,##0"
                counts.add(cell)
            cell.font, cell.fill = INPUT_FONT, INPUT_FILL
            _name(wb, _n(f"{key}.{f}"), ws.title, _abs(col[f], r))
        c = {f: f"{get_column_letter(j)}{r}" for f, j in col.items()}
        put_formula(
            ws.cell(row=r, column=col["licensed"]),
            f"=IF({c['android_dedicated']}=TRUE,{c['helpers']},"
            f"{c['users']}+{c['helpers']}+{c['sharers']})",
        ).number_format = "#,##0"
        price = c["price_per_user_month"]
        book = "".join(f'IF({c["licence"]}="{lic}",{name},' for lic, name in book_names.items())
        put_formula(
            ws.cell(row=r, column=col["monthly_cost"]),
            f'=IF({c["licence"]}="included",0,{c["licensed"]}*IF(ISNUMBER({price}),{price},'
            f"{book}0{')' * len(book_names)}))",
        ).number_format = MONEY
        _name(wb, _n(f"{key}.licensed"), ws.title, _abs(col["licensed"], r))
        _name(wb, _n(f"{key}.monthly_cost"), ws.title, _abs(col["monthly_cost"], r))
        if g is not None:
            numbers = list(g.numbers.values())
            source = "; ".join(
                dict.fromkeys(
                    f"{'ILLUSTRATIVE. ' if v.illustrative else ''}{v.source or v.origin}"
                    + (
                        f" (range {v.uncertain.low:g}–{v.uncertain.high:g}, base shown)"
                        if v.uncertain is not None
                        else ""
                    )
                    for v in numbers
                )
            )
            cell = put_text(ws.cell(row=r, column=col["source"]), source)
            cell.alignment = Alignment(wrap_text=True)
            if any(v.illustrative for v in numbers) and g.paid:
                cell.font = WARN_FONT
        else:
            put_text(ws.cell(row=r, column=col["source"]), "spare row: add a group here")
    total = last + 2
    put_text(ws.cell(row=total, column=col["licensed"]), "Total per month").font = Font(bold=True)
    j = get_column_letter(col["monthly_cost"])
    cell = put_formula(
        ws.cell(row=total, column=col["monthly_cost"]), f"=SUM({j}{first}:{j}{last})"
    )
    cell.number_format, cell.font = MONEY, Font(bold=True)
    _name(wb, "remote_help_user_groups_monthly_cost", ws.title, _abs(col["monthly_cost"], total))
    ws.freeze_panes = "C5"
    ws.print_area = f"A1:K{book_top + 2 + len(GROUP_PRICE_ITEMS)}"


def _n(key: str) -> str:
    """A parameter key's defined name (dots and a group's brackets as underscores).

    Examples
    --------
    >>> _n("logmein.agents"), _n("remote_help.user_groups[2].users")
    ('logmein_agents', 'remote_help_user_groups_2_users')
    """
    return key.replace(".", "_").replace("[", "_").replace("]", "")


def _decision(wb: Workbook, ws: Worksheet, e: Evaluation, matrix: CapabilityMatrix) -> None:
    """The replace-or-keep test as live formulas: each criterion's need, from the declared
    requirement (Inputs), the pilot's residual sessions and an accept switch; whether it fails;
    and the verdict (named ``verdict`` on Summary). Mirrors :func:`rhmodel.core.decision.decide`;
    tests hold the two equal."""
    d = e.analysis.decision
    p = e.params
    put_text(ws["A1"], "The replace-or-keep test (live formulas)").font = Font(bold=True, size=13)
    put_text(
        ws["A2"],
        "Flip a requirement on the Inputs sheet (FALSE, TRUE or all), the tenant cloud, or an "
        "accept switch below: the verdict, each scenario's viability and the recommendation "
        "follow. Pilot counts and coverage levels are rhmodel's (regenerate to change).",
    )
    put_text(ws["A3"], f"rhmodel's own verdict at generation: {d.verdict}. {d.summary}")
    headers = [
        "Criterion",
        "Id",
        "Declared",
        "Pilot sessions",
        "Accept (give up)",
        "Needed",
        "Remote Help",
        "Fails",
        "Every session",
        *(f"{c.short} covers" for c in CONTRACTS),
        *(f"{c.short} pilot sessions" for c in CONTRACTS),
        "Explanation at generation",
    ]
    widths = [26, 16, 10, 10, 12, 9, 12, 8, 10, *([11] * (2 * len(CONTRACTS))), 50]
    _header(ws, 5, headers, widths)
    accepted = p.accepted_reasons()
    rows = [(c, d.criterion(c.id)) for c in matrix.criteria] + [(None, None)]
    cov_col = 10
    shown_col = cov_col + len(CONTRACTS)
    for i, (crit, result) in enumerate(rows, start=6):
        cid = crit.id if crit is not None else "other"
        code = crit.reason_code if crit is not None else "other"
        put_text(ws.cell(row=i, column=1), human(cid))
        put_text(ws.cell(row=i, column=2), cid)
        obs = int(p.observed_residual.get(code or "", 0))
        ws.cell(row=i, column=4, value=obs)
        req = _n(crit.requirement) if crit is not None else None
        if crit is not None and crit.kind == "cloud":
            put_formula(ws.cell(row=i, column=3), f"={req}")
        elif req is not None:
            put_formula(ws.cell(row=i, column=3), f'=IF({req}="all","all",{req}=TRUE)')
        else:
            put_formula(ws.cell(row=i, column=3), "=FALSE")
        acc = None
        if code:
            cell = ws.cell(row=i, column=5, value=code in accepted)
            cell.font, cell.fill = INPUT_FONT, INPUT_FILL
            dv = DataValidation(type="list", formula1='"TRUE,FALSE"')
            ws.add_data_validation(dv)
            dv.add(cell)
            acc = f"accept_{code}"
            _name(wb, acc, ws.title, _abs(5, i))
        declared = f'OR(C{i}=TRUE,C{i}="all")'
        if crit is not None and crit.kind == "platforms" and result.declared and not p[req]:
            declared = "TRUE"  # a platform list names a platform Remote Help lacks
        if crit is not None and crit.kind == "cloud":
            clouds = matrix.cell(crit.dimension, "remote_help").supported_clouds
            needed = f"=NOT(OR({','.join(f'{req}={chr(34)}{x}{chr(34)}' for x in clouds)}))"
            put_formula(ws.cell(row=i, column=6), needed)
            put_text(ws.cell(row=i, column=7), "no")
            put_formula(ws.cell(row=i, column=8), f"=F{i}")
        else:
            parts = [declared] + ([f"D{i}>0"] if code else [])
            body = f"OR({','.join(parts)})"
            if acc:
                body = f"AND(NOT({acc}),{body})"
            put_formula(ws.cell(row=i, column=6), f"={body}")
            level = result.remote_help_level if result is not None else "no"
            put_text(ws.cell(row=i, column=7), level).fill = LEVEL_FILLS[level]
            put_formula(ws.cell(row=i, column=8), f'=AND(F{i},G{i}<>"yes")')
        if crit is not None and crit.kind == "flag":
            put_formula(ws.cell(row=i, column=9), f'=AND(H{i},C{i}="all")')
        else:
            put_formula(ws.cell(row=i, column=9), "=FALSE")
        _name(wb, f"fails_{cid}", ws.title, _abs(8, i))
        _name(wb, f"whole_{cid}", ws.title, _abs(9, i))
        for j, con in enumerate(CONTRACTS):
            ok = covers(matrix, d, cid, con.name, own=False)[0] if cid != "other" else False
            put_text(ws.cell(row=i, column=cov_col + j), "yes" if ok else "no")
            # what the contract's own pilot sessions showed, whether failing or not
            seen = p.observed_by_contract.get(con.name, {}).get(code or "", 0)
            ws.cell(row=i, column=shown_col + j, value=int(seen))
        text = result.explanation if result is not None else "Residual work for another reason."
        put_text(ws.cell(row=i, column=shown_col + len(CONTRACTS)), text).alignment = Alignment(
            wrap_text=True
        )
    last = 5 + len(rows)
    cloud_row = 6 + [c.kind for c in matrix.criteria].index("cloud")
    verdict_row = last + 2
    put_text(ws.cell(row=verdict_row, column=1), "Verdict (live)").font = Font(bold=True)
    put_formula(
        ws.cell(row=verdict_row, column=3),
        # SUMPRODUCT over the booleans: no array entry needed in any engine
        f'=IF(OR(SUMPRODUCT(I6:I{last}*1)>0,H{cloud_row}),"keep",'
        f'IF(SUMPRODUCT(H6:H{last}*1)>0,"right_size","replace"))',
    )
    ws.cell(row=verdict_row, column=3).font = Font(bold=True)
    _name(wb, "decision_verdict", ws.title, _abs(3, verdict_row))
    ws.freeze_panes = "C6"
    ws.print_area = f"A1:{get_column_letter(shown_col + len(CONTRACTS))}{verdict_row}"


def _viability_formula(e: Evaluation, matrix: CapabilityMatrix, actions: dict[str, str]) -> str:
    """Whether a plan is viable, as a formula over the Decision sheet's live ``fails_*`` cells
    and the pools (the rules of :mod:`rhmodel.core.coverage`)."""
    held = {c: a for c, a in actions.items() if c in {h.name for h in held_contracts(e.params)}}
    order = e.analysis.terms.absorb_order
    if all(a == "renew" for a in held.values()):
        return '="yes"'
    d = e.analysis.decision
    p = e.params
    ids = [c.id for c in matrix.criteria if c.kind != "cloud"] + ["other"]
    code = {c.id: c.reason_code for c in matrix.criteria}
    code["other"] = "other"

    def shown(contract: str, cid: str) -> bool:
        return bool(p.observed_by_contract.get(contract, {}).get(code.get(cid) or "", 0))

    def keep(contract: str) -> str:
        con = contract_for(contract)
        a = held.get(contract, "cancel")
        if a == "renew":
            return _n(con.count_key)
        if a != "right_size":
            return "0"
        terms = [_n(con.residual_key)] + [
            _n(contract_for(o).residual_key)
            for o, b in held.items()
            if b == "consolidate" and consolidation_target(o, held, order) == contract
        ]
        k = "(" + "+".join(terms) + ")"
        return f"IF({k}>0,MAX({k},{_n(con.min_key)}),0)"

    def acc(contract: str, cid: str, own: bool) -> bool:
        if cid == "other":
            return own
        return covers(matrix, d, cid, contract, own=own)[0]

    conds = ['decision_verdict<>"keep"']
    for c, a in held.items():
        if a == "consolidate":
            host = consolidation_target(c, held, order)
            if held.get(host) not in ("renew", "right_size"):
                return '="no"'
            conds.append(f"{keep(host)}>0")  # the work needs a pool to move to
        for cid in ids:
            if not shown(c, cid):
                continue
            fails = f"fails_{cid}"
            if a == "cancel":
                conds.append(f"NOT({fails})")
            elif a == "right_size":
                conds.append(
                    f"OR(NOT({fails}),{keep(c)}>0)" if acc(c, cid, True) else f"NOT({fails})"
                )
            elif a == "consolidate":
                host = consolidation_target(c, held, order)
                conds.append(
                    f"OR(NOT({fails}),{keep(host)}>0)" if acc(host, cid, False) else f"NOT({fails})"
                )
    kept = [c for c, a in held.items() if a in ("renew", "right_size")]
    for cid in ids:
        if cid == "other" or any(shown(c, cid) for c in held):
            continue
        options = [f"{keep(c)}>0" for c in kept if acc(c, cid, False)]
        conds.append(
            f"OR(NOT(fails_{cid}),{','.join(options)})" if options else f"NOT(fails_{cid})"
        )
    return f'=IF(AND({",".join(conds)}),"yes","no")'


def _wrapped_height(cells: list[tuple[str, int]]) -> float:
    """The row height (points) that shows every wrapped cell whole: spreadsheet engines do not
    grow a row written by openpyxl, so text would print over the next row.

    Examples
    --------
    >>> _wrapped_height([("x" * 100, 40), ("short", 10)])
    45.0
    """
    lines = max(math.ceil(len(text) / max(width - 2, 1)) for text, width in cells)
    return 15.0 * max(lines, 1)


def _capabilities(ws: Worksheet, m: CapabilityMatrix) -> None:
    n = len(m.products)
    source_col = 2 + n  # after one column per product, however many the table has
    _header(
        ws,
        1,
        ["Dimension", *(m.product_short[p] for p in m.products), "Source (Remote Help)"],
        [26, *([40] * n), 50],
    )
    for i, d in enumerate(m.dimensions, start=2):
        put_text(ws.cell(row=i, column=1), d.label).alignment = Alignment(vertical="top")
        for j, p in enumerate(m.products, start=2):
            cell = put_text(ws.cell(row=i, column=j), f"[{d.cells[p].level}] {d.cells[p].text}")
            cell.fill = LEVEL_FILLS[d.cells[p].level]
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        # long sources wrap inside their column, so the printed page stays readable
        put_text(
            ws.cell(row=i, column=source_col), d.cells["remote_help"].source
        ).alignment = Alignment(wrap_text=True, vertical="top")
        texts = [f"[{d.cells[p].level}] {d.cells[p].text}" for p in m.products]
        ws.row_dimensions[i].height = _wrapped_height(
            [*zip(texts, [40] * n, strict=True), (d.cells["remote_help"].source, 50)]
        )
    r = len(m.dimensions) + 3
    facts_as_of = getattr(m, "facts_as_of", None)
    changes = getattr(m, "changes_since_seed", ())
    if facts_as_of is not None:
        # which facts the verdict rests on, when they were checked, what moved since the memo
        put_text(
            ws.cell(row=r, column=1),
            f"Facts checked {facts_as_of.isoformat()} at their sources; {len(changes)} changed "
            "since the seed memo",
        ).font = Font(bold=True)
        r += 1
    if changes:
        heads = ["Capability", "Product", "The seed said", "Now", "Since", "Source"]
        for j, h in enumerate(heads, start=1):
            put_text(ws.cell(row=r, column=j), h).font = Font(bold=True)
        for k, c in enumerate(changes, start=r + 1):
            values = [
                c.capability,
                m.product_short.get(c.product, c.product),
                c.seed_said,
                c.now,
                c.since.isoformat() if c.since else "—",
                c.source,
            ]
            for j, v in enumerate(values, start=1):
                put_text(ws.cell(row=k, column=j), v).alignment = Alignment(
                    wrap_text=True, vertical="top"
                )
            widths = [26, *([40] * n), 50][: len(values)]
            ws.row_dimensions[k].height = _wrapped_height(list(zip(values, widths, strict=True)))
    ws.freeze_panes = "B2"


# Column plan of the Cash flows sheet: month and discount factor, then per contract its
# renewal count k, price factor g, after-change flag, months prepaid beyond the horizon and
# the yearly escalator's count of contract anniversaries so far, then each scenario's columns.
_PER_CONTRACT = 5
_CONTRACT_COLS = {
    c.name: tuple(3 + _PER_CONTRACT * i + j for j in range(_PER_CONTRACT))
    for i, c in enumerate(CONTRACTS)
}
_STATUS_QUO_COLS = (*(c.name for c in CONTRACTS), "total", "beyond")
_CHANGE_COLS = (
    *COMPONENTS,
    "total",
    "savings",
    "disc_savings",
    "cum_savings",
    "last_negative",
    "disc_new",
    "beyond",
)
_FIRST_SCENARIO_COL = 3 + _PER_CONTRACT * len(CONTRACTS)


def workbook_scenarios(recommended: str) -> tuple[str, ...]:
    """The scenarios the workbook computes live: the three pinned ones, and the recommended plan
    when it mixes actions."""
    return (*SCENARIOS, *(() if recommended in SCENARIOS else (recommended,)))


def _scenario_cols(s: str, names: tuple[str, ...] = SCENARIOS) -> dict[str, int]:
    i = names.index(s)
    b = _FIRST_SCENARIO_COL + (0 if i == 0 else len(_STATUS_QUO_COLS) + (i - 1) * len(_CHANGE_COLS))
    cols = _STATUS_QUO_COLS if s == "status_quo" else _CHANGE_COLS
    return {n: b + j for j, n in enumerate(cols)}


def _rate_formulas(
    c: Any, actions: dict[str, str], order: dict[str, tuple[str, ...]] | None = None
) -> tuple[str, str]:
    """Formulas of contract ``c``'s monthly rate before and after its change under the plan
    (before the uplift and billing weight), as :func:`rhmodel.core.money.cashflows._rates`."""
    n = lambda key: key.replace(".", "_")  # noqa: E731 - a parameter key's defined name
    count, price = n(c.count_key), n(c.price_key)
    held = f"IF({count}>0,1,0)"
    extras = f"{held}*{n(c.extras_key)}/12" if c.extras_key else "0"
    fixed = f"{held}*{n(c.fixed_key)}/12" if c.fixed_key else "0"
    before = f"({price}/{c.price_divisor:g}*{count}+{extras}+{fixed})"
    action = actions[c.name]
    if action == "renew":
        return before, before
    if action != "right_size":
        return before, "0"
    keep = [n(c.residual_key)]
    for other in CONTRACTS:
        if (
            actions.get(other.name) == "consolidate"
            and consolidation_target(other.name, actions, order) == c.name
        ):
            keep.append(n(other.residual_key))
    k = "(" + "+".join(keep) + ")"
    units = f"IF({k}>0,MAX({k},{n(c.min_key)}),0)"
    rp = n(c.residual_price_key)
    unit_price = f"IF(ISNUMBER({rp}),{rp},{price})/{c.price_divisor:g}"
    if c.extras_key and c.extras_residual_key:
        er = n(c.extras_residual_key)
        share = f"IF({count}>0,{units}/{count},0)"
        # fixed (the default) keeps the add-ons whole; per_agent shrinks them with the pool
        scaled = f'IF({n(c.extras_scale_key)}="per_agent",{extras}*{share},{extras})'
        extras_after = f"IF({units}>0,IF(ISNUMBER({er}),{er}/12,{scaled}),0)"
    else:
        extras_after = "0"
    fixed_after = f"IF({units}>0,{fixed},0)"
    return before, f"({unit_price}*{units}+{extras_after}+{fixed_after})"


def _price_formulas(c: str, m: str, k: str, horizon: int) -> tuple[str, str, str]:
    """Formulas of contract ``c``'s price factor g, months prepaid beyond the horizon and
    yearly-escalator exponent in month ``m`` (``k``: its renewals-so-far cell), as
    :func:`rhmodel.core.money.cashflows._schedule`; g and beyond hold ``{Y}`` for the exponent's
    cell.

    The renewal step is ``(1 + uplift)^e`` with ``e = 1 + INT(T(k − 1)/12)`` (times
    ``(1 + escalator.rate)^e`` when the escalator steps at renewals); a yearly escalator prices
    month m at ``(1 + rate)^Y(m)``, Y counting the contract anniversaries inside a term
    (:func:`rhmodel.core.money.cashflows.yearly_exponent`). Under annual billing a renewed term
    is paid at its first month m: the sum of its escalated months inside the horizon,
    ``(1 + rate)^Y(m) × S(n)`` with ``q = INT(n/12)``,
    ``S(n) = 12·G(q) + (n − 12q)(1 + rate)^q`` and ``G(q) = ((1 + rate)^q − 1)/rate``
    (q when the rate is 0).
    """
    R, T, u = f"{c}_months_to_renewal", f"{c}_term_months", f"{c}_uplift"
    rate, timing = f"{c}_escalator_rate", f"{c}_escalator_timing"
    yearly = f'{timing}="yearly"'
    e = f"IF({k}=0,0,1+INT({T}*({k}-1)/12))"
    step = f"(1+{u})^{e}*IF({yearly},1,(1+{rate})^{e})"
    d = f"({m}-{R}-1)"
    per_term = f"INT(({T}-1)/12)"
    current = f"MAX(0,IF({R}>=1,INT(({R}-1)/12),0)-MAX(1,-INT({d}/12))+1)"
    inside = f"IF({d}>=0,INT({d}/{T})*{per_term}+MIN({per_term},INT(({d}-{T}*INT({d}/{T}))/12)),0)"
    y = f"=IF({yearly},{current}+{inside},0)"
    esc = f"IF({yearly},(1+{rate})^{{Y}},1)"

    def s_of(n: str) -> str:
        q = f"INT({n}/12)"
        geometric = f"IF({rate}=0,{q},((1+{rate})^{q}-1)/{rate})"
        return f"(12*{geometric}+({n}-12*{q})*(1+{rate})^{q})"

    n = f"MIN({T},{horizon}-{m}+1)"
    inside_sum = f"IF({yearly},{esc}*{s_of(n)},{n})"
    beyond_sum = f"IF({yearly},{esc}*({s_of(T)}-{s_of(n)}),{T}-{n})"
    start = f"{m}-{R}-1={T}*({k}-1)"
    annual = f'{c}_billing="annual"'
    g = f"={step}*IF({annual},IF({m}>{R},IF({start},{inside_sum},0),0),{esc})"
    beyond = f"={step}*IF({annual},IF({m}>{R},IF({start},{beyond_sum},0),0),0)"
    return g, beyond, y


def _cashflows(
    ws: Worksheet,
    horizon: int,
    names: tuple[str, ...] = SCENARIOS,
    order: dict[str, tuple[str, ...]] | None = None,
) -> dict[str, dict[str, str]]:
    """Monthly formulas; returns per scenario the column ranges (for sums and charts)."""
    titles = {1: "Month", 2: "Discount factor"}
    for c, (k, g, a, b, y) in _CONTRACT_COLS.items():
        titles.update(
            {
                k: f"{c}: renewals so far",
                g: f"{c}: price factor",
                a: f"{c}: changed (1 = yes)",
                b: f"{c}: months prepaid beyond horizon",
                y: f"{c}: escalator years",
            }
        )
    for s in names:
        for part, col in _scenario_cols(s, names).items():
            titles[col] = f"{s}: {part.replace('_', ' ')}"
    _header(ws, 1, [titles[i] for i in range(1, max(titles) + 1)])
    for i in range(1, max(titles) + 1):
        ws.column_dimensions[get_column_letter(i)].width = 11
    ws.freeze_panes = "C2"
    first, last = 2, horizon + 1
    for r in range(first, last + 1):
        m = f"$A{r}"
        ws.cell(row=r, column=1, value=r - 1)
        put_formula(ws.cell(row=r, column=2), f"=(1+discount_rate)^(-{m}/12)")
        for c in CONTRACTS:
            kcol, gcol, acol, bcol, ycol = _CONTRACT_COLS[c.name]
            g_f, b_f, y_f = _price_formulas(c.name, m, f"{get_column_letter(kcol)}{r}", horizon)
            R, T = f"{c.name}_months_to_renewal", f"{c.name}_term_months"
            put_formula(ws.cell(row=r, column=kcol), f"=IF({m}<={R},0,CEILING(({m}-{R})/{T},1))")
            put_formula(ws.cell(row=r, column=ycol), y_f)
            put_formula(
                ws.cell(row=r, column=gcol), g_f.replace("{Y}", f"{get_column_letter(ycol)}{r}")
            )
            put_formula(
                ws.cell(row=r, column=bcol), b_f.replace("{Y}", f"{get_column_letter(ycol)}{r}")
            )
            put_formula(ws.cell(row=r, column=acol), f"=IF({m}>{R},1,0)")
        for s in names:
            cols = _scenario_cols(s, names)
            sq = _scenario_cols("status_quo", names)
            parts = []
            beyond = []
            for c in CONTRACTS:
                _, gcol, acol, bcol, _y = _CONTRACT_COLS[c.name]
                g, a = f"{get_column_letter(gcol)}{r}", f"{get_column_letter(acol)}{r}"
                b = f"{get_column_letter(bcol)}{r}"
                before, after = _rate_formulas(c, plan_actions(s), order)
                rate = f"IF({a}=1,{after},{before})"
                raw = f"{g}*{rate}"
                beyond.append(f"{b}*{rate}")
                if s == "status_quo" or not adopts_remote_help(s):
                    formula = f"={raw}"
                else:
                    base = f"{get_column_letter(sq[c.name])}{r}"
                    formula = f"={base}-({base}-{raw})*(1-risk_adjustment_benefit_haircut)"
                put_formula(ws.cell(row=r, column=cols[c.name]), formula)
                parts.append(f"{get_column_letter(cols[c.name])}{r}")
            put_formula(ws.cell(row=r, column=cols["beyond"]), "=" + "+".join(beyond))
            if s != "status_quo" and not adopts_remote_help(s):
                # renews every contract as it is: nothing new is spent
                for part in ("remote_help", "transition"):
                    put_formula(ws.cell(row=r, column=cols[part]), "=0")
                parts += [
                    f"{get_column_letter(cols['remote_help'])}{r}",
                    f"{get_column_letter(cols['transition'])}{r}",
                ]
            elif s != "status_quo":
                put_formula(
                    ws.cell(row=r, column=cols["remote_help"]),
                    f"=IF({m}>=remote_help_start_month,"
                    'IF(remote_help_licensing="add_on",remote_help_licensed_users*'
                    "remote_help_price_per_user_month,0)+remote_help_user_groups_monthly_cost"
                    "+remote_help_admin_hours_per_month*remote_help_admin_rate_per_hour,0)"
                    "*(1+risk_adjustment_cost_uplift)",
                )
                put_formula(
                    ws.cell(row=r, column=cols["transition"]),
                    f"=IF({m}=1,transition_deployment_cost+transition_training_hours*"
                    "transition_training_rate_per_hour+transition_network_change_hours*"
                    "transition_network_rate_per_hour+transition_pilot_cost,0)"
                    "*(1+risk_adjustment_cost_uplift)",
                )
                parts += [
                    f"{get_column_letter(cols['remote_help'])}{r}",
                    f"{get_column_letter(cols['transition'])}{r}",
                ]
            put_formula(ws.cell(row=r, column=cols["total"]), "=" + "+".join(parts))
            if s == "status_quo":
                continue
            tot = f"{get_column_letter(cols['total'])}{r}"
            sq_tot = f"{get_column_letter(sq['total'])}{r}"
            sav = f"{get_column_letter(cols['savings'])}{r}"
            cum = f"{get_column_letter(cols['cum_savings'])}{r}"
            put_formula(ws.cell(row=r, column=cols["savings"]), f"={sq_tot}-{tot}")
            put_formula(ws.cell(row=r, column=cols["disc_savings"]), f"={sav}*$B{r}")
            prev = f"+{get_column_letter(cols['cum_savings'])}{r - 1}" if r > first else ""
            put_formula(ws.cell(row=r, column=cols["cum_savings"]), f"={sav}{prev}")
            # the month number where cumulative savings are (still) negative, else 0
            put_formula(ws.cell(row=r, column=cols["last_negative"]), f"=IF({cum}<-0.000001,{m},0)")
            rh = f"{get_column_letter(cols['remote_help'])}{r}"
            tr = f"{get_column_letter(cols['transition'])}{r}"
            put_formula(ws.cell(row=r, column=cols["disc_new"]), f"=({rh}+{tr})*$B{r}")
        for col in range(3, max(titles) + 1):
            header = titles[col]
            if header.endswith(
                ("renewals so far", "changed (1 = yes)", "last negative", "escalator years")
            ):
                continue
            ws.cell(row=r, column=col).number_format = (
                "0.0000" if "factor" in header else "0.00" if "prepaid" in header else MONEY
            )
        ws.cell(row=r, column=2).number_format = "0.000000"
    ws.print_area = f"A1:{get_column_letter(max(titles))}{last}"
    ranges = {}
    for s in names:
        ranges[s] = {
            part: f"'{ws.title}'!${get_column_letter(col)}${first}:${get_column_letter(col)}${last}"
            for part, col in _scenario_cols(s, names).items()
        }
    return ranges


# ---- every plan, live ------------------------------------------------------------------------

PLANS_SHEET = "Plans"


def _after_rate(c: Any, units: str, grown: bool) -> str:
    """Contract ``c``'s monthly rate after its change with ``units`` licences kept (a cell),
    as :func:`rhmodel.core.money.cashflows._rates`; a renewed pool that grew (``grown``) to
    carry moved work keeps its current price and add-ons (:meth:`PlanCapacity.apply`)."""
    count, price = _n(c.count_key), _n(c.price_key)
    held = f"IF({count}>0,1,0)"
    extras = f"{held}*{_n(c.extras_key)}/12" if c.extras_key else "0"
    fixed = f"{held}*{_n(c.fixed_key)}/12" if c.fixed_key else "0"
    rp = _n(c.residual_price_key)
    unit_price = (
        f"{price}/{c.price_divisor:g}"
        if grown
        else f"IF(ISNUMBER({rp}),{rp},{price})/{c.price_divisor:g}"
    )
    if c.extras_key:
        share = f"IF({count}>0,{units}/{count},0)"
        scaled = f'IF({_n(c.extras_scale_key)}="per_agent",{extras}*{share},{extras})'
        if c.extras_residual_key and not grown:
            er = _n(c.extras_residual_key)
            extras_after = f"IF({units}>0,IF(ISNUMBER({er}),{er}/12,{scaled}),0)"
        else:
            extras_after = f"IF({units}>0,{scaled},0)"
    else:
        extras_after = "0"
    return f"({unit_price}*{units}+{extras_after}+IF({units}>0,{fixed},0))"


def _plans(
    wb: Workbook, ws: Worksheet, e: Evaluation, matrix: CapabilityMatrix, horizon: int
) -> tuple[str, str]:
    """Every plan the engine weighs, one row of live formulas each: per contract its action,
    the pool it keeps, the month its change lands and the present value it saves, at first
    renewal and at feasible timing; the plan's viability, NPV both ways, and the live pick of
    the recommended plan. Returns the pick's cell and the names range (for the Summary).

    Each contract's cash flow is ``g(m) × rate`` (the Cash flows sheet's price factor ``g``),
    the rate switching from before to after the change month ``X``, so its saving against
    renewing as is is ``(before − after) × Σ_{m > X} g(m)·disc(m)``: one SUMPRODUCT per
    contract over the Cash flows columns, not a column of months per plan. A consolidated
    contract's work is priced in the receiving pool (its own after-rate is 0), so every plan
    has its own pool formulas (:func:`rhmodel.core.money.capacity.plan_capacity`)."""
    a, p = e.analysis, e.params
    order = a.terms.absorb_order
    held = [c for c in CONTRACTS if c.name in {h.name for h in held_contracts(p)}]
    delays = feasible_delays(p, [c.name for c in held]) if held else {}
    cuttable = {c.name for c in held if mid_term_cut(p, c.name) is not None}
    put_text(ws["A1"], "Every plan weighed (live formulas)").font = Font(bold=True, size=13)
    put_text(
        ws["A2"],
        "One row per plan: each contract's action, the pool it keeps and the present value it "
        "saves against renewing as is, at its first renewal and at the renewal the pilot and "
        "the notice deadline allow (feasible timing). The recommended plan is the viable one "
        "with the highest NPV at feasible timing (ties: the less disruptive), never one worth "
        "less than renewing as is. Live: the Inputs and the Decision switches. Inputs here (blue "
        "on light yellow): each contract's delay in terms (rhmodel's feasible timing from the "
        "dates, the notice and the pilot's end), licences the pilot's routed work adds to a "
        "receiving pool and a pool the pilot re-sized (rhmodel's sizing at generation: "
        "regenerate to re-size from new pilot evidence), and a mid-term cut's month. Which pool "
        "takes a consolidated contract's work is fixed at generation.",
    ).alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells("A2:L2")
    ws.row_dimensions[2].height = 90
    _illustrative_note(ws, "A3", e)
    # per contract: its feasible delay (an input) and its own pool (a pilot re-sizing or Inputs)
    _header(
        ws,
        5,
        ["Contract", "Delay (terms)", "Renewal", "Notice by", "Own pool"],
        [34, 12, 14, 14, 12],
    )
    own_ref: dict[str, str] = {}
    delay_ref: dict[str, str] = {}
    overrides = {c: n for cap in a.capacity.values() for c, n in cap.own.items()}
    for i, c in enumerate(held, start=6):
        k, renewal, notice = delays[c.name]
        put_text(ws.cell(row=i, column=1), human(c.name))
        cell = ws.cell(row=i, column=2, value=k)
        cell.font, cell.fill = INPUT_FONT, INPUT_FILL
        dv = DataValidation(type="whole", operator="between", formula1="0", formula2="100")
        ws.add_data_validation(dv)
        dv.add(cell)
        delay_ref[c.name] = f"{c.name}_delay_terms"
        _name(wb, delay_ref[c.name], ws.title, _abs(2, i))
        ws.cell(row=i, column=3, value=renewal).number_format = "d mmm yyyy"
        ws.cell(row=i, column=4, value=notice).number_format = "d mmm yyyy"
        cell = ws.cell(row=i, column=5)
        if c.name in overrides:
            cell.value = overrides[c.name]  # the pilot's sizing with decision.accept applied
            cell.font, cell.fill = INPUT_FONT, INPUT_FILL
        else:
            put_formula(cell, f"={_n(c.residual_key)}")
        own_ref[c.name] = _abs(5, i)
    top = 7 + len(held)
    titles = ["Plan", "Viable", "Weighed", "Disruption", "PV of new spend"]
    cols: dict[tuple[str, str], int] = {}
    for c in held:
        parts = ["action", "added", "pool", "month", "first", "timed"]
        if c.name in cuttable:
            parts[4:4] = ["cut", "fee"]
        words = {
            "action": "action",
            "added": "licences moved in (input)",
            "pool": "pool kept",
            "month": "changes after month",
            "cut": "cut month (input, 0: none)",
            "fee": "PV of termination fee",
            "first": "PV saved, first renewal",
            "timed": "PV saved, feasible",
        }
        for part in parts:
            cols[(c.name, part)] = len(titles) + 1
            titles.append(f"{c.short}: {words[part]}")
    tail = ["NPV (first renewal)", "NPV (feasible timing)", "Score", "Tie-break", "In words"]
    for part in tail:
        cols[("", part)] = len(titles) + 1
        titles.append(part)
    _header(ws, top, titles, [max(34, *(len(o.name) + 2 for o in a.options))])
    first_row = top + 1
    last_row = top + len(a.options)
    m_rng = f"'Cash flows'!$A$2:$A${horizon + 1}"
    b_rng = f"'Cash flows'!$B$2:$B${horizon + 1}"
    letter = lambda col, r: f"{get_column_letter(col)}{r}"  # noqa: E731
    for r, o in enumerate(a.options, start=first_row):
        cap = a.capacity.get(o.name)
        evaluate_as = cap.evaluate_as if cap is not None else o.name
        ev, named = plan_actions(evaluate_as), plan_actions(o.name)
        adopts = adopts_remote_help(evaluate_as)
        cuts: dict[str, int] = {}
        if cuttable & {c for c, x in named.items() if x != "renew"}:
            cuts = dict(timed_terms(p, a.terms, o.name, order)[0].cut_month)
        put_text(ws.cell(row=r, column=1), o.name)
        put_formula(ws.cell(row=r, column=2), _viability_formula(e, matrix, named))
        weighed = [
            f"{letter(cols[(c.name, 'pool')], r)}>0" for c in held if named[c.name] == "right_size"
        ]
        put_formula(
            ws.cell(row=r, column=3),
            f"=AND({','.join(weighed)})" if weighed else "=TRUE",
        )
        ws.cell(row=r, column=4, value=sum(DISRUPTION[named[c.name]] for c in held))
        put_formula(
            ws.cell(row=r, column=5), "=right_size_pv_new_spend" if adopts else "=0"
        ).number_format = MONEY
        first_parts, timed_parts = [], []
        for c in held:
            col = {part: cols[(c.name, part)] for (name, part) in cols if name == c.name}
            put_text(ws.cell(row=r, column=col["action"]), named[c.name])
            action = ev[c.name]
            added = ws.cell(row=r, column=col["added"])
            pool = ws.cell(row=r, column=col["pool"])
            R, T = f"{c.name}_months_to_renewal", f"{c.name}_term_months"
            if action == "right_size":
                added.value = float(cap.added.get(c.name, 0.0)) if cap is not None else 0.0
                added.font, added.fill = INPUT_FONT, INPUT_FILL
                moved = [
                    own_ref.get(src, _n(contract_for(src).residual_key))
                    for src in (cap.by_licence if cap is not None else ())
                    if consolidation_target(src, named, order) == c.name
                ]
                k = "(" + "+".join([own_ref[c.name], letter(col["added"], r), *moved]) + ")"
                if cap is not None and c.name in cap.grown:
                    k = f"MAX({_n(c.count_key)},{k})"
                put_formula(pool, f"=IF({k}>0,MAX({k},{_n(c.min_key)}),0)")
            elif action == "renew":
                put_formula(pool, f"={_n(c.count_key)}")
            else:
                put_formula(pool, "=0")
            pool.number_format = "#,##0.##"
            before, _after = _rate_formulas(c, {c.name: "renew"}, order)
            after = (
                _after_rate(c, letter(col["pool"], r), bool(cap and c.name in cap.grown))
                if action == "right_size"
                else before
                if action == "renew"
                else "0"
            )
            changes = named[c.name] != "renew"  # a pool grown for moved work: first renewal
            if "cut" in col:
                cut = ws.cell(row=r, column=col["cut"], value=int(cuts.get(c.name, 0)))
                cut.font, cut.fill = INPUT_FONT, INPUT_FILL
                x_cut = letter(col["cut"], r)
                timed_month = (
                    f"=IF({x_cut}>0,{x_cut}-1,{R}+{delay_ref[c.name]}*{T})" if changes else f"={R}"
                )
                fee = (
                    f"=IF(AND({x_cut}>=1,{x_cut}<={horizon}),IF({_n(c.count_key)}>0,"
                    f"{c.name}_termination_fee,0)*(1+risk_adjustment_cost_uplift)"
                    f"*(1+discount_rate)^(-{x_cut}/12),0)"
                    if action != "renew"
                    else "=0"
                )
                put_formula(ws.cell(row=r, column=col["fee"]), fee).number_format = MONEY
                timed_parts.append(f"-{letter(col['fee'], r)}")
            else:
                timed_month = f"={R}+{delay_ref[c.name]}*{T}" if changes else f"={R}"
            put_formula(ws.cell(row=r, column=col["month"]), timed_month)
            g = get_column_letter(_CONTRACT_COLS[c.name][1])
            g_rng = f"'Cash flows'!${g}$2:${g}${horizon + 1}"
            haircut = "*(1-risk_adjustment_benefit_haircut)" if adopts else ""
            for part, month in (("first", R), ("timed", letter(col["month"], r))):
                cell = ws.cell(row=r, column=col[part])
                if action == "renew" and not (cap and c.name in cap.grown):
                    put_formula(cell, "=0")  # nothing changes: nothing saved
                else:
                    put_formula(
                        cell,
                        f"=({before}-{after})*SUMPRODUCT(({m_rng}>{month})*{g_rng}*{b_rng})"
                        f"{haircut}",
                    )
                cell.number_format = MONEY
            first_parts.append(f"+{letter(col['first'], r)}")
            timed_parts.insert(0, f"+{letter(col['timed'], r)}")
        new = letter(5, r)
        put_formula(
            ws.cell(row=r, column=cols[("", "NPV (first renewal)")]),
            f"={''.join(first_parts) or '0'}-{new}",
        ).number_format = MONEY
        put_formula(
            ws.cell(row=r, column=cols[("", "NPV (feasible timing)")]),
            f"={''.join(timed_parts) or '0'}-{new}",
        ).number_format = MONEY
        timed = letter(cols[("", "NPV (feasible timing)")], r)
        # blank unless viable and weighed: MAX and MIN skip text
        put_formula(
            ws.cell(row=r, column=cols[("", "Score")]),
            f'=IF(AND(B{r}="yes",C{r}),ROUND({timed},6),"")',
        ).number_format = MONEY
        put_text(ws.cell(row=r, column=cols[("", "In words")]), _in_words(o.name))
    score = get_column_letter(cols[("", "Score")])
    tie = get_column_letter(cols[("", "Tie-break")])
    s_rng = f"${score}${first_row}:${score}${last_row}"
    for r in range(first_row, last_row + 1):
        # among the best scores: the least disruptive, then the first listed (engine's order)
        put_formula(
            ws.cell(row=r, column=cols[("", "Tie-break")]),
            f"=IF(ISNUMBER({score}{r}),IF({score}{r}=MAX({s_rng}),D{r}*100000+{r - first_row},"
            '""),"")',
        )
    pick_row = last_row + 2
    put_text(ws.cell(row=pick_row, column=1), "Recommended (live)").font = Font(bold=True)
    t_rng = f"${tie}${first_row}:${tie}${last_row}"
    names_rng = f"$A${first_row}:$A${last_row}"
    put_formula(
        ws.cell(row=pick_row, column=2), f"=INDEX({names_rng},MATCH(MIN({t_rng}),{t_rng},0))"
    ).font = Font(bold=True)
    timed_col = get_column_letter(cols[("", "NPV (feasible timing)")])
    first_col = get_column_letter(cols[("", "NPV (first renewal)")])
    words_col = get_column_letter(cols[("", "In words")])
    pick = f"MATCH(recommended_scenario,{names_rng},0)"
    put_text(ws.cell(row=pick_row + 1, column=1), "Its NPV at feasible timing (live)")
    put_formula(
        ws.cell(row=pick_row + 1, column=2),
        f"=INDEX(${timed_col}${first_row}:${timed_col}${last_row},{pick})",
    ).number_format = MONEY
    _name(wb, "plan_timed_npv", ws.title, _abs(2, pick_row + 1))
    put_text(ws.cell(row=pick_row + 2, column=1), "Its NPV at first renewal (live)")
    put_formula(
        ws.cell(row=pick_row + 2, column=2),
        f"=INDEX(${first_col}${first_row}:${first_col}${last_row},{pick})",
    ).number_format = MONEY
    _name(wb, "plan_first_renewal_npv", ws.title, _abs(2, pick_row + 2))
    put_text(ws.cell(row=pick_row + 3, column=1), "In words (live)")
    put_formula(
        ws.cell(row=pick_row + 3, column=2),
        f"=INDEX(${words_col}${first_row}:${words_col}${last_row},{pick})",
    )
    _name(wb, "recommended_in_words", ws.title, _abs(2, pick_row + 3))
    put_text(
        ws.cell(row=pick_row + 4, column=1),
        f"rhmodel's own figures at generation: recommended {a.recommended}, NPV at feasible "
        f"timing {a.option_npv_timed.get(a.recommended, 0.0):,.2f}.",
    )
    fill = PatternFill("solid", fgColor="C6EFCE")
    ws.conditional_formatting.add(
        f"A{first_row}:{get_column_letter(len(titles))}{last_row}",
        FormulaRule(formula=[f"$A{first_row}=$B${pick_row}"], fill=fill),
    )
    ws.freeze_panes = f"B{first_row}"
    ws.print_area = f"A1:{get_column_letter(len(titles))}{pick_row + 4}"
    return f"'{ws.title}'!$B${pick_row}", names_rng


def _summary(
    wb: Workbook,
    ws: Worksheet,
    e: Evaluation,
    ranges: dict[str, dict[str, str]],
    horizon: int,
    names: tuple[str, ...],
    matrix: CapabilityMatrix,
    pick_ref: str = "",
) -> None:
    a = e.analysis
    put_text(ws["A1"], "Scenario summary (live formulas over the Inputs sheet)").font = Font(
        bold=True, size=13
    )
    if e.params.illustrative_inputs():
        put_text(
            ws["A2"],
            "ILLUSTRATIVE: uses inputs that are not quoted facts "
            f"({', '.join(e.params.illustrative_inputs())}).",
        ).font = WARN_FONT
    # long sentences wrap inside the table's width instead of widening the printed page
    for row, height in ((2, 48), (3, 36)):
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=12)
        ws.cell(row=row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[row].height = height
    _header(
        ws,
        4,
        [
            "Scenario",
            "Viable",
            "Total cost",
            "Savings",
            "NPV",
            "ROI",
            "Payback (months)",
            "PV of new spend",
            "NPV if viable",
            "Why",
            "Prepaid beyond horizon",
            "In words",
        ],
        [max(30, *(len(n) + 2 for n in names)), 7, 14, 14, 14, 8, 10, 14, 14, 55, 14, 30],
    )
    last = 4 + len(names)
    for i, s in enumerate(names, start=5):
        result = a.scenario(s)
        put_text(ws.cell(row=i, column=1), s)
        put_formula(ws.cell(row=i, column=2), _viability_formula(e, matrix, plan_actions(s)))
        r = ranges[s]
        put_formula(ws.cell(row=i, column=3), f"=SUM({r['total']})")
        if s == "status_quo":
            put_formula(ws.cell(row=i, column=4), "=0")
            put_formula(ws.cell(row=i, column=5), "=0")
            put_formula(ws.cell(row=i, column=8), "=0")
            put_formula(ws.cell(row=i, column=6), '=""')
            put_formula(ws.cell(row=i, column=7), '=""')  # nothing spent, nothing to pay back
        else:
            put_formula(ws.cell(row=i, column=4), f"=SUM({r['savings']})")
            put_formula(ws.cell(row=i, column=5), f"=SUM({r['disc_savings']})")
            put_formula(ws.cell(row=i, column=8), f"=SUM({r['disc_new']})")
            put_formula(ws.cell(row=i, column=6), f'=IF(H{i}>0,E{i}/H{i},"")')
            put_formula(
                ws.cell(row=i, column=7),
                f'=IF(MAX({r["last_negative"]})>={horizon},"never",'
                f"IF(MAX({r['last_negative']})=0,0,MAX({r['last_negative']})+1))",
            )
        # blank when not viable: MAX and MATCH skip text, and nothing prints a sentinel
        put_formula(ws.cell(row=i, column=9), f'=IF(B{i}="yes",E{i},"")')
        put_text(ws.cell(row=i, column=12), _in_words(s))
        put_text(ws.cell(row=i, column=10), result.why).alignment = Alignment(wrap_text=True)
        # paid inside the horizon for months after it: reported, never a cost or a saving
        put_formula(ws.cell(row=i, column=11), f"=SUM({r['beyond']})")
        for col, fmt in (
            (3, MONEY),
            (4, MONEY),
            (5, MONEY),
            (6, PERCENT),
            (8, MONEY),
            (9, MONEY),
            (11, MONEY),
        ):
            ws.cell(row=i, column=col).number_format = fmt
        if s in SCENARIOS:
            for metric, col in zip(METRICS, (3, 4, 5, 6, 7), strict=True):
                _name(wb, f"{s}_{metric}", ws.title, _abs(col, i))
            _name(wb, f"{s}_pv_new_spend", ws.title, _abs(8, i))
            _name(wb, f"{s}_prepaid_beyond_horizon", ws.title, _abs(11, i))
            _name(wb, f"{s}_viable", ws.title, _abs(2, i))
        else:
            # a mixed plan's name is not a valid defined name: it is the plan_* names
            for metric, col in zip(METRICS, (3, 4, 5, 6, 7), strict=True):
                _name(wb, f"plan_{metric}", ws.title, _abs(col, i))
            _name(wb, "plan_viable", ws.title, _abs(2, i))
    rec = last + 2
    put_text(ws[f"A{rec}"], "Recommended (every plan: Plans sheet)").font = Font(bold=True)
    # the pick over every plan's row, at feasible timing, as the engine recommends
    put_formula(ws[f"C{rec}"], f"={pick_ref}")
    ws[f"C{rec}"].font = Font(bold=True)
    _name(wb, "recommended_scenario", ws.title, f"$C${rec}")
    put_text(ws[f"E{rec}"], "Verdict").font = Font(bold=True)
    put_formula(ws[f"F{rec}"], "=decision_verdict")
    ws[f"F{rec}"].font = Font(bold=True)
    _name(wb, "verdict", ws.title, f"$F${rec}")
    # the headline, built from the live cells: it names the NPV the table shows now
    code = e.params["currency"] or "USD"
    symbol = currency_prefix(code).replace("\u00a0", " ")
    # the recommended plan may be one this table does not list (the Plans sheet lists all):
    # its payback is then the Plans sheet's to show, never an error here
    listed = f"SUMPRODUCT((A5:A{last}=recommended_scenario)*1)>0"
    pick = f"MATCH(recommended_scenario,A5:A{last},0)"
    payback = f"INDEX(G5:G{last},{pick})"
    npv = "plan_first_renewal_npv"
    put_formula(
        ws["A3"],
        f'="Recommended: "&recommended_in_words&" — NPV "&IF({npv}<0,"{MINUS}","")'
        f'&"{symbol}"&FIXED(ABS({npv}),0)&" against renewing as is over {horizon} months, '
        f'payback "&IF(NOT({listed}),"on the Plan sheet",IF({payback}="","none needed",'
        f'IF({payback}="never","never",{payback}&" months")))'
        '&"; the replace-or-keep test says "&IF(decision_verdict="keep","keep the incumbents",'
        'IF(decision_verdict="right_size","right-size the incumbents","replace them"))'
        '&" (live: follows the Inputs and Decision sheets; the dated plan is on the Plan '
        'sheet)."',
    ).font = Font(bold=True)
    _name(wb, "summary_headline", ws.title, "$A$3")
    if a.decision.facts_note:  # the capability facts under the verdict are more than 90 days old
        put_text(ws[f"A{rec + 1}"], a.decision.facts_note).font = WARN_FONT
    fill = PatternFill("solid", fgColor="C6EFCE")
    ws.conditional_formatting.add(f"A5:K{last}", FormulaRule(formula=[f"$A5=$C${rec}"], fill=fill))
    put_text(ws[f"A{rec + 2}"], "Definitions").font = Font(bold=True)
    notes = [
        "total_cost = sum of the scenario's monthly costs over the horizon",
        "savings = sum over months of (status_quo cost − scenario cost), undiscounted",
        "npv = sum over m of (status_quo cost_m − scenario cost_m) / (1 + discount_rate)^(m/12)",
        "roi = npv / PV(new spend: Remote Help licences + transition costs); blank when 0",
        "payback = smallest m >= 0 from which cumulative savings stay >= 0 ('never' if not)",
        f"rhmodel's own figures at generation: recommended {a.recommended}; "
        + "; ".join(f"{x.name} NPV {x.npv:,.2f}" for x in a.scenarios),
    ]
    for j, text in enumerate(notes, start=rec + 3):
        put_text(ws.cell(row=j, column=1), text)
    ws.freeze_panes = "A5"
    # the chart sits below the definitions: the print area takes it in (about 20 rows)
    ws.print_area = f"A1:L{rec + 5 + len(notes) + 20}"
    chart = LineChart()
    chart.title = f"Cumulative savings against status quo ({e.params['currency'] or 'USD'})"
    chart.y_axis.title = e.params["currency"] or "USD"
    chart.x_axis.title = "Month"
    cf = wb["Cash flows"]
    for s in ("right_size", "cancel"):
        col = _scenario_cols(s, names)["cum_savings"]
        data = Reference(cf, min_col=col, min_row=1, max_row=horizon + 1)
        chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(cf, min_col=1, min_row=2, max_row=horizon + 1))
    chart.height, chart.width = 9, 18
    ws.add_chart(chart, f"A{rec + 5 + len(notes)}")


def _tei(
    wb: Workbook,
    ws: Worksheet,
    e: Evaluation,
    flows: Worksheet,
    horizon: int,
    names: tuple[str, ...],
) -> None:
    """The Forrester TEI year table of each scenario, live over the Cash flows sheet."""
    put_text(ws["A1"], "Benefits and costs by year (TEI layout, live formulas)").font = Font(
        bold=True, size=13
    )
    put_text(
        ws["A2"],
        "Benefits: incumbent spend avoided against status quo. Costs: new spend (Remote Help "
        "licences, the user groups' licences and administration; Initial: the one-off costs of "
        "month 1). Present value at "
        "the discount rate; Net PV = NPV."
        + (" Risk-adjusted (see risk_adjustment.*)." if e.analysis.terms.benefit_haircut else ""),
    )
    _illustrative_note(ws, "A3", e)
    years = (horizon + 11) // 12
    first = 2
    row = 5
    sheet = f"'{flows.title}'"

    def col(s: str, part: str) -> str:
        return get_column_letter(_scenario_cols(s, names)[part])

    for s in names:
        if s == "status_quo":
            continue
        _header(
            ws,
            row,
            [
                human(s),
                "Initial",
                *(f"Year {k}" for k in range(1, years + 1)),
                "Total",
                "Present value",
            ],
            [max(26, len(human(s)) + 2), *([14] * (years + 3))],
        )
        sav, rh, tr = col(s, "savings"), col(s, "remote_help"), col(s, "transition")
        for j, label in enumerate(("Benefits", "Costs", "Net"), start=1):
            put_text(ws.cell(row=row + j, column=1), label)
        # Initial: the one-off costs of month 1
        put_formula(ws.cell(row=row + 1, column=2), "=0")
        put_formula(ws.cell(row=row + 2, column=2), f"={sheet}!{tr}{first}")
        for k in range(1, years + 1):
            lo, hi = first + 12 * (k - 1), min(first + 12 * k - 1, first + horizon - 1)
            span = lambda c, lo=lo, hi=hi: f"SUM({sheet}!{c}{lo}:{c}{hi})"  # noqa: E731
            put_formula(ws.cell(row=row + 1, column=2 + k), f"={span(sav)}+{span(rh)}+{span(tr)}")
            put_formula(ws.cell(row=row + 2, column=2 + k), f"={span(rh)}")
        total_col = 3 + years
        for j in (1, 2):
            a, b = get_column_letter(2), get_column_letter(2 + years)
            put_formula(ws.cell(row=row + j, column=total_col), f"=SUM({a}{row + j}:{b}{row + j})")
        last_row = first + horizon - 1
        dsav = f"SUM({sheet}!{col(s, 'disc_savings')}{first}:{col(s, 'disc_savings')}{last_row})"
        dnew = f"SUM({sheet}!{col(s, 'disc_new')}{first}:{col(s, 'disc_new')}{last_row})"
        put_formula(ws.cell(row=row + 1, column=total_col + 1), f"={dsav}+{dnew}")
        put_formula(ws.cell(row=row + 2, column=total_col + 1), f"={dnew}")
        for c in range(2, total_col + 2):
            x = get_column_letter(c)
            put_formula(ws.cell(row=row + 3, column=c), f"={x}{row + 1}-{x}{row + 2}")
            for j in (1, 2, 3):
                ws.cell(row=row + j, column=c).number_format = MONEY
        if s in SCENARIOS:
            for k in range(0, years + 1):
                _name(wb, f"{s}_benefits_year_{k}", ws.title, _abs(2 + k, row + 1))
                _name(wb, f"{s}_costs_year_{k}", ws.title, _abs(2 + k, row + 2))
            _name(wb, f"{s}_pv_benefits", ws.title, _abs(total_col + 1, row + 1))
            _name(wb, f"{s}_pv_costs", ws.title, _abs(total_col + 1, row + 2))
        row += 6
    ws.print_area = f"A1:{get_column_letter(years + 4)}{row}"


def _budget(
    wb: Workbook,
    ws: Worksheet,
    e: Evaluation,
    flows: Worksheet,
    horizon: int,
    names: tuple[str, ...],
) -> None:
    """Spend per fiscal year, per contract and Remote Help, renewing as is against the
    recommended plan: live SUMIFS over the Cash flows sheet, whose last column gives each month's
    fiscal year from ``calendar.fiscal_year_start`` (a fiscal year is named by the calendar year
    it ends in; with January it is the calendar year)."""
    start = e.params["start_date"]
    plan = e.analysis.recommended if e.analysis.recommended in names else "status_quo"
    fy_col = max(c for s in names for c in _scenario_cols(s, names).values()) + 1
    put_text(flows.cell(row=1, column=fy_col), "fiscal year").font = HEADER_FONT
    flows.cell(row=1, column=fy_col).fill = HEADER_FILL
    flows.cell(row=1, column=fy_col).alignment = Alignment(wrap_text=True, vertical="top")
    base = start.year * 12 + start.month - 1  # month 1 as a count of months since year 0
    for r in range(2, horizon + 2):
        idx = f"({base}+$A{r}-1)"
        month = f"({idx}-12*INT({idx}/12)+1)"
        put_formula(
            flows.cell(row=r, column=fy_col),
            f"=INT({idx}/12)+IF(AND(calendar_fiscal_year_start>1,{month}>="
            "calendar_fiscal_year_start),1,0)",
        )
    fy_range = (
        f"'{flows.title}'!${get_column_letter(fy_col)}$2:${get_column_letter(fy_col)}${horizon + 1}"
    )
    put_text(
        ws["A1"], "Budget by fiscal year (live formulas over the Cash flows sheet)"
    ).font = Font(bold=True, size=13)
    put_text(
        ws["A2"],
        "Spend per fiscal year: renewing every contract as it is, against the recommended plan "
        f"({_in_words(plan)}). A fiscal year starts in the month calendar.fiscal_year_start "
        "gives (Inputs); one that spans two calendar years is named for both (FY2027/28). "
        "Amounts are cash as "
        "billed (an annual term paid in advance falls in the year it is paid), before "
        "discounting; the totals equal each scenario's total cost over the horizon. The list "
        "of years is the one calendar.fiscal_year_start gave when the workbook was written "
        "(regenerate after changing it; the check row shows the horizon total).",
    )
    _illustrative_note(ws, "A3", e)
    sq_cols = _scenario_cols("status_quo", names)
    plan_cols = _scenario_cols(plan, names)
    held = [c for c in CONTRACTS if c.name in {h.name for h in held_contracts(e.params)}]
    columns: list[tuple[str, str, str]] = [
        *((f"Renew as is: {human(c.name)}", "status_quo", c.name) for c in held),
        ("Renew as is: total", "status_quo", "total"),
        *((f"Plan: {human(c.name)}", plan, c.name) for c in held),
        *(
            (f"Plan: {human(part)}", plan, part)
            for part in ("remote_help", "transition")
            if part in plan_cols
        ),
        ("Plan: total", plan, "total"),
    ]
    _header(
        ws,
        5,
        ["Fiscal year", *(t for t, _, _ in columns), "Saving"],
        [14, *([16] * len(columns)), 16],
    )
    fys = e.params["calendar.fiscal_year_start"] or 1

    def fiscal(index: int) -> int:  # months since year 0 → the fiscal year's name
        return index // 12 + (1 if fys > 1 and index % 12 + 1 >= fys else 0)

    first_index = start.year * 12 + start.month - 1
    years = range(fiscal(first_index), fiscal(first_index + horizon - 1) + 1)
    top = 6
    for i, year in enumerate(years, start=top):
        # named as the pack names it (rhmodel.core.money.budget.fiscal_year_of): FY2027 for a
        # calendar year, FY2027/28 for one that starts in April 2027
        label_fy = f"FY{year}" if fys == 1 else f"FY{year - 1}/{year % 100:02d}"
        put_text(ws.cell(row=i, column=1), label_fy)
        ws.cell(row=i, column=2 + len(columns) + 1)
        for j, (_title, scen, part) in enumerate(columns, start=2):
            cols = sq_cols if scen == "status_quo" else plan_cols
            letter = get_column_letter(cols[part])
            rng = f"'{flows.title}'!${letter}$2:${letter}${horizon + 1}"
            put_formula(ws.cell(row=i, column=j), f"=SUMIFS({rng},{fy_range},{year})")
            ws.cell(row=i, column=j).number_format = MONEY
        sq_total = get_column_letter(2 + len(held))
        plan_total = get_column_letter(1 + len(columns))
        saving = ws.cell(row=i, column=2 + len(columns))
        put_formula(saving, f"={sq_total}{i}-{plan_total}{i}").number_format = MONEY
        _name(wb, f"budget_fy{year}_status_quo_total", ws.title, f"${sq_total}${i}")
        _name(wb, f"budget_fy{year}_plan_total", ws.title, f"${plan_total}${i}")
    last = top + len(years) - 1
    total = last + 1
    put_text(ws.cell(row=total, column=1), "Total").font = Font(bold=True)
    for j in range(2, 3 + len(columns)):
        x = get_column_letter(j)
        cell = put_formula(ws.cell(row=total, column=j), f"=SUM({x}{top}:{x}{last})")
        cell.number_format, cell.font = MONEY, Font(bold=True)
    check = total + 1
    put_text(ws.cell(row=check, column=1), "Horizon total (Cash flows)")
    for j, (_title, scen, part) in enumerate(columns, start=2):
        if part != "total":
            continue
        cols = sq_cols if scen == "status_quo" else plan_cols
        letter = get_column_letter(cols[part])
        put_formula(
            ws.cell(row=check, column=j),
            f"=SUM('{flows.title}'!${letter}$2:${letter}${horizon + 1})",
        ).number_format = MONEY
    _name(wb, "budget_status_quo_total", ws.title, f"${get_column_letter(2 + len(held))}${total}")
    _name(wb, "budget_plan_total", ws.title, f"${get_column_letter(1 + len(columns))}${total}")
    ws.freeze_panes = "B6"


def _checklist(ws: Worksheet, e: Evaluation) -> None:
    """The readiness checklist of this organisation, for the teams who execute it."""
    c = checklist_for(e)
    put_text(
        ws["A1"], "Readiness checklist (computed by rhmodel; regenerate to change)"
    ).font = Font(bold=True, size=13)
    put_text(
        ws["A2"],
        f"What the pilot needs is due before it starts on {long_date(c.anchor)}; contract "
        "actions by the notice deadline they serve. Set Status as the work is done.",
    )
    _header(ws, 4, ["Area", "Item", "Owner", "Due", "Status", "Source"], [24, 90, 20, 14, 10, 26])
    row = 5
    for r in c.rows:
        put_text(ws.cell(row=row, column=1), r.area)
        put_text(ws.cell(row=row, column=2), r.item).alignment = Alignment(wrap_text=True)
        put_text(ws.cell(row=row, column=3), r.owner)
        ws.cell(row=row, column=4, value=r.due).number_format = "d mmm yyyy"
        status = put_text(ws.cell(row=row, column=5), r.status)
        status.font, status.fill = INPUT_FONT, INPUT_FILL
        put_text(ws.cell(row=row, column=6), r.source)
        row += 1
    dv = DataValidation(type="list", formula1='"open,in progress,done,not applicable"')
    ws.add_data_validation(dv)
    dv.add(f"E5:E{max(row - 1, 5)}")
    if c.endpoints:
        row += 1
        put_text(ws.cell(row=row, column=1), "Endpoints to allow").font = Font(bold=True)
        _header(ws, row + 1, ["Destination", "Ports", "Purpose", "Source"])
        for j, x in enumerate(c.endpoints, start=row + 2):
            for k, v in enumerate((x.fqdn, x.ports, x.purpose, x.source), start=1):
                put_text(ws.cell(row=j, column=k), v)
        row += len(c.endpoints) + 2
    if c.host_firewall:
        row += 1
        put_text(ws.cell(row=row, column=1), "Host firewall: executables to allow").font = Font(
            bold=True
        )
        for j, x in enumerate(c.host_firewall, start=row + 1):
            put_text(ws.cell(row=j, column=1), x)
        row += len(c.host_firewall) + 1
    ws.freeze_panes = "A5"
    ws.print_title_rows = "4:4"
    ws.print_area = f"A1:F{row}"


def _plan(ws: Worksheet, e: Evaluation) -> None:
    """The recommended plan at feasible timing, its dated actions, and every plan weighed
    (values computed by rhmodel: regenerate to change)."""
    a, plan = e.analysis, e.plan
    put_text(ws["A1"], "The plan (computed by rhmodel; regenerate to change)").font = Font(
        bold=True, size=13
    )
    _illustrative_note(ws, "A2", e)
    if plan is None:
        return
    put_text(ws["A3"], plan.headline).font = Font(bold=True)
    rows = [
        ("Plan", plan.name),
        ("NPV at the renewals it can make", plan.npv),
        ("NPV with every change at its first renewal", plan.npv_first_renewal),
        ("Cost of waiting", plan.cost_of_waiting),
        ("Every change at its first renewal", "yes" if plan.feasible else "no"),
        ("Pilot ends", plan.pilot_end.isoformat() if plan.pilot_end else "finished"),
    ]
    for i, (label, value) in enumerate(rows, start=5):
        put_text(ws.cell(row=i, column=1), label)
        cell = ws.cell(row=i, column=2)
        if isinstance(value, float):
            cell.value = value
            cell.number_format = MONEY
        else:
            put_text(cell, value)
    top = 5 + len(rows) + 1
    _header(
        ws,
        top,
        ["Contract", "Action", "Keep", "From month", "Renewal", "Notice by", "NPV", "What to do"],
        [14, 12, 8, 11, 12, 12, 14, 70],
    )
    for i, x in enumerate(plan.actions, start=top + 1):
        put_text(ws.cell(row=i, column=1), x.contract)
        put_text(ws.cell(row=i, column=2), x.action)
        ws.cell(row=i, column=3, value=x.keep)
        ws.cell(row=i, column=4, value=x.effective_month)
        ws.cell(row=i, column=5, value=x.renewal_date).number_format = "d mmmm yyyy"
        ws.cell(row=i, column=6, value=x.notice_by).number_format = "d mmmm yyyy"
        ws.cell(row=i, column=7, value=x.npv).number_format = MONEY
        put_text(ws.cell(row=i, column=8), x.sentence).alignment = Alignment(wrap_text=True)
    row = top + len(plan.actions) + 2
    for text in [*(f"Caveat: {c}" for c in plan.caveats)] + [
        f"Coverage gap ({g.need}): {g.reason}" for g in a.coverage_gaps
    ]:
        put_text(ws.cell(row=row, column=1), text).font = WARN_FONT
        row += 1
    row += 1
    _header(ws, row, ["Plan weighed", "Viable", "NPV (first renewal)", "Why"])
    ws.merge_cells(start_row=row, start_column=4, end_row=row, end_column=8)
    for i, o in enumerate(a.options, start=row + 1):
        put_text(ws.cell(row=i, column=1), o.name)
        put_text(ws.cell(row=i, column=2), "yes" if o.viable else "no")
        ws.cell(row=i, column=3, value=a.option_npv[o.name]).number_format = MONEY
        # the reason reads across the table's width, not down a narrow column
        put_text(ws.cell(row=i, column=4), o.why).alignment = Alignment(wrap_text=True)
        ws.merge_cells(start_row=i, start_column=4, end_row=i, end_column=8)
    ws.column_dimensions["A"].width = 44


def _in_words(scenario: str) -> str:
    """A scenario or plan in words, for people.

    Examples
    --------
    >>> _in_words("logmein_cancel+beyondtrust_right_size")
    'Cancel LogMeIn Resolve, right-size BeyondTrust'
    """
    return human(scenario)


def _illustrative_note(ws: Worksheet, cell: str, e: Evaluation) -> None:
    """Label a sheet whose figures use illustrative inputs, naming them."""
    keys = e.params.illustrative_inputs()
    if keys:
        put_text(
            ws[cell],
            "ILLUSTRATIVE: these figures use inputs that are not quoted facts "
            f"({', '.join(keys)}).",
        ).font = WARN_FONT


def _sensitivity(wb: Workbook, ws: Worksheet, e: Evaluation) -> None:
    subject = e.analysis.subject
    put_text(ws["A1"], f"Sensitivity of {subject} NPV (values computed by rhmodel, not live)")
    ws["A1"].font = Font(bold=True)
    _illustrative_note(ws, "A2", e)
    _header(
        ws,
        3,
        ["Input", "Low", "High", "NPV at low", "NPV at high", "Swing"],
        [36, 12, 12, 16, 16, 16],
    )
    for i, b in enumerate(e.sensitivity, start=4):
        put_text(ws.cell(row=i, column=1), b.key)
        for j, v in enumerate((b.low, b.high, b.npv_low, b.npv_high, b.swing), start=2):
            ws.cell(row=i, column=j, value=v).number_format = MONEY if j > 3 else "#,##0.####"
    n = len(e.sensitivity)
    r = n + 6
    put_text(ws.cell(row=r, column=1), f"Break-even ({subject} NPV = 0)").font = Font(bold=True)
    _header(ws, r + 1, ["Input", "Break-even", "Base", "Current", "Meaning"])
    for i, b in enumerate(e.break_even.values(), start=r + 2):
        put_text(ws.cell(row=i, column=1), b.key)
        if b.value is None:
            pass  # none in the input's meaningful domain: blank (the meaning says so)
        else:
            ws.cell(row=i, column=2, value=b.value).number_format = "#,##0.00"
        ws.cell(row=i, column=3, value=b.base)
        ws.cell(row=i, column=4, value=b.current)
        # the meaning reads across the table, wrapped, rather than widening one column
        put_text(ws.cell(row=i, column=5), b.meaning).alignment = Alignment(wrap_text=True)
        ws.merge_cells(start_row=i, start_column=5, end_row=i, end_column=10)
    if n:
        # a real tornado: bars from the base NPV (each input's low and high as the change it
        # makes), the widest swing on top
        put_text(ws.cell(row=3, column=8), "Input")
        put_text(ws.cell(row=3, column=9), "Change at low")
        put_text(ws.cell(row=3, column=10), "Change at high")
        base = e.analysis.scenario(subject).npv
        for k, b in enumerate(e.sensitivity, start=4):
            put_text(ws.cell(row=k, column=8), human(b.key))
            ws.cell(row=k, column=9, value=b.npv_low - base).number_format = MONEY
            ws.cell(row=k, column=10, value=b.npv_high - base).number_format = MONEY
        chart = BarChart()
        chart.type = "bar"
        chart.grouping = "clustered"
        chart.overlap = 100
        chart.title = f"Tornado: change in {human(subject)} NPV from {base:,.0f}"
        chart.add_data(
            Reference(ws, min_col=9, max_col=10, min_row=3, max_row=3 + n), titles_from_data=True
        )
        chart.set_categories(Reference(ws, min_col=8, min_row=4, max_row=3 + n))
        chart.x_axis.scaling.orientation = "maxMin"  # categories: the first (widest) on top
        chart.height, chart.width = 8, 18
        # below the tables, so the printed page keeps the tables' width (and their type size)
        ws.add_chart(chart, f"A{r + 3 + len(e.break_even)}")


def _simulation(ws: Worksheet, e: Evaluation) -> None:
    sim = e.simulation
    put_text(ws["A1"], "Monte Carlo simulation (values computed by rhmodel, not live)")
    ws["A1"].font = Font(bold=True)
    if sim is None:
        put_text(
            ws["A3"],
            "Not run, so no probability is claimed: either no --simulate N was asked for, or "
            "no input is a range (give ranges {low, mode, high} for the figures you are unsure "
            "of, such as quoted prices).",
        )
        return
    put_text(
        ws["A2"],
        f"{sim.draws:,} draws, seed {sim.seed}; ranged inputs drawn together: "
        + ", ".join(sim.inputs),
    )
    _illustrative_note(ws, "A3", e)
    _header(
        ws, 4, ["Scenario", "NPV mean", "P10", "P50", "P90", "P(NPV > 0)"], [14, 16, 16, 16, 16, 12]
    )
    for i, (name, r) in enumerate(sim.scenarios.items(), start=5):
        put_text(ws.cell(row=i, column=1), name)
        for j, v in enumerate((r.npv_mean, r.npv_p10, r.npv_p50, r.npv_p90), start=2):
            ws.cell(row=i, column=j, value=v).number_format = MONEY
        ws.cell(row=i, column=6, value=r.p_npv_positive).number_format = PERCENT


def _pilot(ws: Worksheet, pool: Worksheet, report: PilotReport, limit: int = 5000) -> None:
    put_text(ws["A1"], "Pilot evidence (values computed by rhmodel)").font = Font(bold=True)
    rows = [
        ("sessions", report.sessions_total),
        ("duplicate records dropped", report.duplicates_dropped),
        ("residual sessions", report.residual_sessions),
        ("residual share", report.residual_share),
        ("time zone", report.timezone),
    ]
    rows += [(f"sessions: {k}", v) for k, v in report.sessions_by_tool.items()]
    rows += [(f"residual: {k}", v) for k, v in report.residual_by_reason.items()]
    for i, (k, v) in enumerate(rows, start=3):
        put_text(ws.cell(row=i, column=1), k)
        if isinstance(v, str):
            put_text(ws.cell(row=i, column=2), v)
        else:
            ws.cell(row=i, column=2, value=v).number_format = (
                PERCENT if k == "residual share" else "#,##0"
            )
    r = len(rows) + 5
    residual = report.records[report.records["residual"]]
    put_text(
        ws.cell(row=r, column=1),
        f"Residual sessions (first {min(limit, len(residual)):,} "
        f"of {len(residual):,}); text from the exports is shown "
        "as text",
    ).font = Font(bold=True)
    _header(
        ws,
        r + 1,
        ["Session", "Tool", "Start (UTC)", "End (UTC)", "Technician", "Reason", "Source"],
        [22, 16, 20, 20, 30, 12, 50],
    )
    for i, row in enumerate(residual.head(limit).itertuples(index=False), start=r + 2):
        put_text(ws.cell(row=i, column=1), row.session_id)
        put_text(ws.cell(row=i, column=2), row.tool)
        for j, t in ((3, row.start), (4, row.end)):
            if t != OPEN:
                ws.cell(
                    row=i,
                    column=j,
                    value=dt.datetime.fromtimestamp(int(t), dt.UTC).replace(tzinfo=None),
                ).number_format = "yyyy-mm-dd hh:mm:ss"
        put_text(ws.cell(row=i, column=5), row.technician)
        put_text(ws.cell(row=i, column=6), row.primary_reason)
        put_text(ws.cell(row=i, column=7), f"{row.file}:{row.line}")
    ws.freeze_panes = f"A{r + 2}"

    put_text(pool["A1"], "Residual pool per incumbent tool (values computed by rhmodel)")
    pool["A1"].font = Font(bold=True)
    fields = [
        "metric",
        "sessions",
        "peak_concurrent_sessions",
        "peak_concurrent_technicians",
        "distinct_technicians",
        "daily_peak_max",
        "daily_peak_p95",
        "busy_hour_erlangs",
        "erlang_b_servers",
        "recommended_licenses",
        "rule",
    ]
    headings = {
        "metric": "Licence metric",
        "sessions": "Residual sessions",
        "peak_concurrent_sessions": "Peak sessions at once",
        "peak_concurrent_technicians": "Peak technicians at once",
        "distinct_technicians": "Technicians who did the work",
        "daily_peak_max": "Highest daily peak",
        "daily_peak_p95": "Daily peak, 95th percentile",
        "busy_hour_erlangs": "Busiest hour (erlangs)",
        "erlang_b_servers": "Erlang B pool",
        "recommended_licenses": "Pool to keep",
        "rule": "How the pool was reached",
    }
    _header(
        pool,
        3,
        ["Tool", *(headings[f] for f in fields)],
        [24] + [13] * (len(fields) - 1) + [110],
    )
    for i, (tool, z) in enumerate(report.tools.items(), start=4):
        put_text(pool.cell(row=i, column=1), human(tool))
        for j, f in enumerate(fields, start=2):
            v = getattr(z, f)
            if isinstance(v, str):
                text = v.replace("_", " ") if f == "metric" else v
                put_text(pool.cell(row=i, column=j), text).alignment = Alignment(wrap_text=True)
            else:
                cell = pool.cell(row=i, column=j, value=v)
                cell.number_format = "#,##0.00" if isinstance(v, float) else "#,##0"
        pool.row_dimensions[i].height = 120
    for c in range(1, len(fields) + 2):
        pool.cell(row=3, column=c).alignment = Alignment(wrap_text=True, vertical="top")


_METRIC_WORDS = {
    "total_cost": ("money", "total cost over the horizon (undiscounted)"),
    "savings": ("money", "savings against renewing as is over the horizon (undiscounted)"),
    "npv": ("money", "net present value of the savings at discount_rate"),
    "roi": ("fraction", "NPV / present value of the new spend (blank when nothing new is spent)"),
    "payback_months": (
        "months",
        "month from which cumulative savings stay >= 0 ('never' if they do not; blank when "
        "nothing is spent)",
    ),
    "pv_new_spend": ("money", "present value of the new spend (Remote Help, transition)"),
    "prepaid_beyond_horizon": (
        "money",
        "paid inside the horizon for months after it (reported, never a cost or a saving)",
    ),
    "viable": ("yes/no", "whether the plan can carry the work that must stay (live)"),
    "pv_benefits": ("money", "present value of the benefits (incumbent spend avoided)"),
    "pv_costs": ("money", "present value of the costs (new spend)"),
}


def _describe(name: str, code: str) -> tuple[str, str]:
    """The unit and meaning of a defined name (inputs: the parameter's own unit and doc).

    Examples
    --------
    >>> _describe("right_size_npv", "EUR")
    ('EUR', 'Right-size: net present value of the savings at discount_rate')
    >>> _describe("cancel_costs_year_2", "GBP")[1]
    'Cancel: costs (new spend) in year 2'
    """
    money = code
    key = name.replace("_", ".")
    for sp in SCHEMA:
        if _n(sp.key) == name:
            return _unit(sp.unit, code) or sp.kind, _unit(sp.doc, code, doc=True)
    fixed = {
        "recommended_scenario": (
            "text",
            "the viable plan with the highest NPV at feasible timing, over every plan on the "
            "Plans sheet (live)",
        ),
        "plan_timed_npv": (
            money,
            "the recommended plan's NPV with each change at its feasible renewal (live)",
        ),
        "plan_first_renewal_npv": (
            money,
            "the recommended plan's NPV with every change at its first renewal (live)",
        ),
        "recommended_in_words": ("text", "the recommended plan in words (live)"),
        "verdict": ("text", "replace, right_size or keep: the replace-or-keep test (live)"),
        "decision_verdict": ("text", "the replace-or-keep test's verdict on the Decision sheet"),
        "summary_headline": ("text", "the Summary's headline sentence, built from live cells"),
        "remote_help_user_groups_monthly_cost": (
            money,
            "Remote Help licences of every user group per month",
        ),
    }
    if name in fixed:
        return fixed[name]
    for s in (*SCENARIOS, "plan"):
        if not name.startswith(s + "_"):
            continue
        rest = name[len(s) + 1 :]
        who = "The recommended mixed plan" if s == "plan" else human(s)
        if rest in _METRIC_WORDS:
            unit, words = _METRIC_WORDS[rest]
            return (money if unit == "money" else unit), f"{who}: {words}"
        m = re.fullmatch(r"(benefits|costs)_year_(\d+)", rest)
        if m:
            kind = (
                "benefits (incumbent spend avoided)" if m[1] == "benefits" else "costs (new spend)"
            )
            when = "initial (month 1 one-offs)" if m[2] == "0" else f"in year {m[2]}"
            return money, f"{who}: {kind} {when}"
    for prefix, unit, words in (
        ("fails_", "yes/no", "whether this criterion fails for Remote Help (live)"),
        ("whole_", "yes/no", "whether all of this work must stay on a specialist tool (live)"),
        ("accept_", "yes/no", "switch: give this residual work up instead of keeping a tool"),
        ("price_book_", f"{money} per user per month", "the price book's Remote Help figure"),
        ("budget_", money, "spend in the fiscal year (Budget sheet)"),
    ):
        if name.startswith(prefix):
            return unit, f"{words}: {name[len(prefix) :].replace('_', ' ')}"
    m = re.fullmatch(r"(\w+)_delay_terms", name)
    if m and m[1] in {c.name for c in CONTRACTS}:
        return "terms", (
            f"{human(m[1])}: whole terms its change waits for the first renewal whose notice "
            "the pilot can meet (Plans sheet; rhmodel's feasible timing at generation)"
        )
    m = re.fullmatch(r"remote_help_user_groups_(\d+)_(\w+)", name)
    if m:
        return ("count" if m[2] in ("users", "helpers", "sharers", "licensed") else ""), (
            f"user group {m[1]} (User groups sheet): {m[2].replace('_', ' ')}"
        )
    return "", key


def _is_input_name(wb: Workbook, name: str) -> bool:
    sheet, ref = wb.defined_names[name].attr_text.rsplit("!", 1)
    sheet = sheet.strip("'")
    cell = wb[sheet][ref.replace("$", "")]
    return sheet == "Inputs" or (
        cell.fill is not None and cell.fill.fgColor.rgb == INPUT_FILL.fgColor.rgb
    )


def _outputs_and_names(wb: Workbook, outputs: Worksheet, names: Worksheet, code: str) -> None:
    """An Outputs sheet (header in row 1: name, value, unit, description; each value a live
    formula over its defined name) and a Names sheet listing every defined name: what a script
    reads with ``pd.read_excel(path, sheet_name="Outputs")``."""
    money = MONEY
    _header(outputs, 1, ["name", "value", "unit", "description"], [34, 16, 16, 80])
    _header(names, 1, ["name", "refers to", "kind", "unit", "meaning"], [40, 26, 8, 24, 80])
    r_out = r_names = 2
    # the answers first: the recommendation, then each scenario's metrics, then the rest
    first = ["recommended_scenario", "plan_timed_npv", "verdict", "summary_headline"] + [
        f"{s}_{m}" for s in (*SCENARIOS, "plan") for m in (*METRICS, "viable")
    ]
    rank = {n: i for i, n in enumerate(first)}
    ordered = sorted(wb.defined_names.items(), key=lambda kv: rank.get(kv[0], len(rank)))
    for name, dn in ordered:
        unit, words = _describe(name, code)
        inp = _is_input_name(wb, name)
        put_text(names.cell(row=r_names, column=1), name)
        put_text(names.cell(row=r_names, column=2), dn.attr_text.replace("$", ""))
        put_text(names.cell(row=r_names, column=3), "input" if inp else "output")
        put_text(names.cell(row=r_names, column=4), unit)
        put_text(names.cell(row=r_names, column=5), words).alignment = Alignment(wrap_text=True)
        r_names += 1
        if inp:
            continue
        put_text(outputs.cell(row=r_out, column=1), name)
        cell = put_formula(outputs.cell(row=r_out, column=2), f"={name}")
        if unit == code:
            cell.number_format = money
        elif unit == "fraction":
            cell.number_format = PERCENT
        put_text(outputs.cell(row=r_out, column=3), unit)
        put_text(outputs.cell(row=r_out, column=4), words).alignment = Alignment(wrap_text=True)
        r_out += 1
    outputs.freeze_panes = "B2"
    names.freeze_panes = "B2"


def build_workbook(
    e: Evaluation,
    matrix: CapabilityMatrix,
    provenance: Provenance,
    pilot: PilotReport | None = None,
    cached: bool = False,
) -> Workbook:
    """The whole workbook for one evaluation (not yet saved). ``cached`` says the values will
    be cached by LibreOffice after saving (the About sheet tells the reader)."""
    wb = Workbook()
    about = wb.active
    about.title = "About"
    _about(about, e, provenance, cached)
    _inputs(wb, wb.create_sheet("Inputs"), e.params)
    _user_groups(wb, wb.create_sheet(GROUPS_SHEET), e.params)
    _decision(wb, wb.create_sheet("Decision"), e, matrix)
    _capabilities(wb.create_sheet("Capabilities"), matrix)
    horizon = e.params["horizon_months"]
    summary = wb.create_sheet("Summary", 1)
    flows = wb.create_sheet("Cash flows")
    names = workbook_scenarios(e.analysis.recommended)
    ranges = _cashflows(flows, horizon, names, e.analysis.terms.absorb_order)
    _illustrative_note(flows, f"A{horizon + 3}", e)
    pick_ref, _plan_names = _plans(wb, wb.create_sheet(PLANS_SHEET), e, matrix, horizon)
    _summary(wb, summary, e, ranges, horizon, names, matrix, pick_ref)
    _plan(wb.create_sheet("Plan", 2), e)
    _tei(wb, wb.create_sheet("By year", 3), e, flows, horizon, names)
    _checklist(wb.create_sheet("Checklist"), e)
    _sensitivity(wb, wb.create_sheet("Sensitivity"), e)
    _simulation(wb.create_sheet("Simulation"), e)
    if pilot is not None:
        _pilot(wb.create_sheet("Pilot"), wb.create_sheet("Pool"), pilot)
    code = e.params["currency"] or "USD"
    _budget(wb, wb.create_sheet("Budget", 4), e, flows, horizon, names)
    _outputs_and_names(wb, wb.create_sheet("Outputs"), wb.create_sheet("Names"), code)
    money, cents = money_format(code), money_format(code, 2)
    decision = wb["Decision"]
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.number_format == MONEY:
                    cell.number_format = money  # the parameters' currency, whole units shown
                elif cell.number_format == MONEY_CENTS:
                    cell.number_format = cents
                elif isinstance(cell.value, bool) or (
                    ws is decision and cell.row >= 6 and cell.column in (3, 5, 6, 8, 9)
                ):
                    cell.number_format = BOOLEAN
    org = visible(e.params["organisation"] or "Remote Help renewal")
    for ws in wb.worksheets:
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToHeight = 0
        # every printed page says what it is, whose, and where it sits
        ws.oddHeader.left.text = f"Remote Help renewal decision — {org}"[:200].replace("&", "&&")
        ws.oddHeader.right.text = "&A"
        ws.oddFooter.left.text = f"rhmodel {provenance.rhmodel_version}"
        ws.oddFooter.right.text = "Page &P of &N"
        finish_sheet(
            ws,
            money,
            INPUT_FILL.fgColor.rgb,
            HEADER_FILL.fgColor.rgb,
            wrap_notes=ws is not flows,
        )
    # 40-odd columns: across a few pages at a readable scale, not squeezed onto one; a
    # contract the organisation does not hold prints no columns of zeros (they stay live)
    held = {h.name for h in held_contracts(e.params)}
    for c in CONTRACTS:
        if c.name in held:
            continue
        cols = [*_CONTRACT_COLS[c.name], *(_scenario_cols(s, names)[c.name] for s in names)]
        for col in cols:
            flows.column_dimensions[get_column_letter(col)].hidden = True
    # every plan's row is wide: two pages across at a readable size, each with the plan names
    plans = wb[PLANS_SHEET]
    plans.page_setup.fitToWidth = 2
    plans.print_title_cols = "A:A"
    flows.sheet_properties.pageSetUpPr.fitToPage = False
    flows.page_setup.scale = 65
    flows.print_title_cols = "A:B"
    flows.print_title_rows = "1:1"
    # Excel recalculates everything when the file opens (openpyxl stores no cached values).
    wb.calculation.fullCalcOnLoad = True
    return wb


def workbook_bytes(wb: Workbook) -> bytes:
    """The workbook as .xlsx bytes (so the caller can write them atomically).

    A full disk or a file-size limit while openpyxl writes its temporary sheet files ends in
    one ``OSError`` (shown as one ``error:`` line), without the second traceback openpyxl's
    half-closed sheet writer would print while it is collected.
    """
    buf = io.BytesIO()
    try:
        wb.save(buf)
    except OSError as exc:
        hook, sys.unraisablehook = sys.unraisablehook, lambda _u: None
        try:
            traceback.clear_frames(exc.__traceback__)
            gc.collect()
        finally:
            sys.unraisablehook = hook
        raise OSError(exc.errno, exc.strerror, exc.filename) from None
    return buf.getvalue()


def write_workbook(
    e: Evaluation,
    matrix: CapabilityMatrix,
    provenance: Provenance,
    path: str | Path,
    pilot: PilotReport | None = None,
    cache: bool = True,
) -> Caching:
    """Build and save: the earlier file at ``path`` is replaced once, by a complete workbook.

    With ``cache`` and LibreOffice installed, the workbook is recalculated beside ``path`` first
    (so previews and pandas see numbers); if LibreOffice fails or hangs it is rebuilt saying it
    carries no cached values, and a ``warning:`` line says so.

    Returns
    -------
    rhmodel.edges.recalc.Caching
        Truthy when the values are cached; otherwise ``.reason`` says why ("LibreOffice not
        found", "not asked for", a timeout) and ``.warn`` whether a ``warning:`` line was
        already printed (a hung LibreOffice), so a caller can tell the reader once.
    """
    from rhmodel.edges.recalc import publish_workbook

    def build(cached: bool) -> bytes:
        return workbook_bytes(build_workbook(e, matrix, provenance, pilot, cached=cached))

    return publish_workbook(path, build, cache=cache)
