"""The workbook as people print and use it, and as scripts read it: no "###", every sheet on its
page width, formulas locked and inputs open, the headline sentence live, the organisation's
currency in every amount, an Outputs and a Names sheet, escalators and a fiscal-year budget
that the engine's monthly figures confirm (LibreOffice, the ``formulas`` package and hand
calculations as the oracles)."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from pathlib import Path

import openpyxl
import pytest

from rhmodel.core.money.scenarios import analyse
from rhmodel.core.text import money_text
from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE, load_capabilities
from rhmodel.edges.paramfile import load_parameters
from rhmodel.edges.recalc import RECALC_PROFILE
from rhmodel.edges.workbook import NOT_LIVE
from tests.edges.test_workbook import (
    SOFFICE,
    Recalculated,
    _write,
    libreoffice_recalculated_many,
    needs_soffice,
    sample_recalculated,
)

CENT = 0.005


def _pdf(path: Path, out_dir: Path) -> Path:
    """``path`` printed to PDF by headless LibreOffice (its own print setup: scale, titles)."""
    assert SOFFICE, "CI must install libreoffice-calc-nogui"
    profile = out_dir / "pdf-profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_PROFILE)
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out_dir),
            str(path),
        ],
        capture_output=True,
        timeout=600,
        check=False,
    )
    pdf = out_dir / (path.stem + ".pdf")
    assert pdf.exists()
    return pdf


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


def _word_heights(pdf: Path, page: int) -> list[float]:
    out = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pattern = r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"'
    return [float(y1) - float(y0) for y0, y1 in re.findall(pattern, out)]


def _sheet_of(page: str, sheets: list[str]) -> str:
    """The sheet a printed page belongs to: its running header ends with the sheet's name."""
    first = next(line for line in page.splitlines() if line.strip())
    return max((s for s in sheets if first.rstrip().endswith(s)), key=len)


@needs_soffice
def test_the_printed_workbook_has_no_hashes_and_every_sheet_fits_its_width(tmp_path):
    params = load_parameters(SAMPLE_PARAMS_FILE)
    path = _write(params, tmp_path / "book.xlsx", draws=50)
    sheets = openpyxl.load_workbook(path).sheetnames
    pdf = _pdf(path, tmp_path)
    pages = _pages(pdf)
    assert not [i for i, p in enumerate(pages, 1) if "###" in p]
    by_sheet: dict[str, list[int]] = {}
    for i, page in enumerate(pages, start=1):
        by_sheet.setdefault(_sheet_of(page, sheets), []).append(i)
    assert set(by_sheet) == set(sheets)
    wb = openpyxl.load_workbook(path)
    for name, numbers in by_sheet.items():
        ws = wb[name]
        heights = sorted(h for n in numbers[:1] for h in _word_heights(pdf, n))
        median = heights[len(heights) // 2]
        if name == "Cash flows":
            # across a few pages at a readable scale, the month and its titles on each one
            assert len(numbers) <= 8, len(numbers)
            assert median >= 5.5, median
            assert all("Month" in pages[n - 1] for n in numbers), name
            continue
        # one page wide: the rightmost heading of the first table is on the sheet's first page
        header = next(
            (r for r in ws.iter_rows() if any(c.fill.fgColor.rgb == "001F4E79" for c in r)), None
        )
        if header is not None:
            last = [c for c in header if c.value is not None][-1]
            word = str(last.value).split()[0]
            assert word in pages[numbers[0] - 1], (name, word)
        # and readable: text prints at no less than 40% of its size (about 4 pt of 11)
        assert median >= 4.0, (name, median)


def test_formulas_are_locked_and_inputs_open(tmp_path):
    path = _write(load_parameters(SAMPLE_PARAMS_FILE), tmp_path / "book.xlsx", draws=0)
    wb = openpyxl.load_workbook(path)
    formulas = 0
    for ws in wb.worksheets:
        assert ws.protection.sheet, ws.title
        assert not ws.protection.password, ws.title  # a guard against accidents, not a lock
        assert ws.freeze_panes, ws.title
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":
                    formulas += 1
                    assert c.protection.locked, f"{ws.title}!{c.coordinate}"
    assert formulas > 1000
    # every live input: the Inputs rows the formulas read, the user groups, the accept switches
    inputs = wb["Inputs"]
    live = [
        r
        for r in range(2, inputs.max_row + 1)
        if inputs.cell(row=r, column=1).value not in NOT_LIVE
        and not str(inputs.cell(row=r, column=1).value).startswith(("pilot.", "environment."))
    ]
    assert len(live) > 40
    for r in live:
        key = inputs.cell(row=r, column=1).value
        assert inputs.cell(row=r, column=2).protection.locked is False, key
    names = wb.defined_names
    opened = [
        n
        for n in names
        if n.startswith("accept_")
        or re.match(
            r"remote_help_user_groups_\d+_(users|helpers|sharers|licence|price_per_user_month|android_dedicated)$",
            n,
        )
    ]
    assert len(opened) > 10
    for n in opened:
        sheet, ref = names[n].attr_text.rsplit("!", 1)
        assert wb[sheet.strip("'")][ref.replace("$", "")].protection.locked is False, n
    # what the formulas compute is never an input: the named outputs are locked
    for n in ("right_size_npv", "recommended_scenario", "verdict", "summary_headline"):
        sheet, ref = names[n].attr_text.rsplit("!", 1)
        assert wb[sheet.strip("'")][ref.replace("$", "")].protection.locked, n


def test_booleans_read_yes_no_and_sentinels_are_gone():
    params = load_parameters(SAMPLE_PARAMS_FILE)
    path, book = sample_recalculated()  # written and recomputed once for the session
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, bool):
                    assert c.number_format == '"Yes";"Yes";"No"', f"{ws.title}!{c.coordinate}"
                assert "1E+300" not in str(c.value), f"{ws.title}!{c.coordinate}"
                assert c.value != "—" and '—")' not in str(c.value)[:6], c.coordinate
    assert wb["Inputs"]["B2"].value == params["organisation"]
    rate_row = next(r for r in wb["Inputs"].iter_rows() if r[0].value == "usd_rate")
    assert rate_row[1].number_format.startswith("0.0000")
    a = analyse(params, load_capabilities())
    assert not a.scenario("cancel").viable  # the case has a scenario that is not viable
    summary = {wb["Summary"].cell(row=r, column=1).value: r for r in range(5, 5 + len(a.scenarios))}
    key = f"'[{path.name}]SUMMARY'!I{summary['cancel']}"
    assert book.solution[key].value[0, 0] == ""  # blank, not −1E+300
    assert book["status_quo_payback_months"] == ""


@pytest.mark.parametrize(("code", "symbol"), [("EUR", "€"), ("GBP", "£")])
def test_a_eur_or_gbp_workbook_has_no_dollar_formats(tmp_path, code, symbol):
    params = load_parameters(SAMPLE_PARAMS_FILE, [f"currency={code}", "usd_rate=0.9"])
    path = _write(params, tmp_path / f"{code}.xlsx", draws=0)
    wb = openpyxl.load_workbook(path)
    formats = {c.number_format for ws in wb.worksheets for row in ws.iter_rows() for c in row}
    assert not [f for f in formats if "$" in f]
    assert any(f.startswith(f'"{symbol}"#,##0;') for f in formats)
    # the unit labels and the Outputs sheet's units say the currency too
    units = [r[2].value for r in wb["Inputs"].iter_rows(min_row=2)] + [
        r[2].value for r in wb["Outputs"].iter_rows(min_row=2)
    ]
    assert not [u for u in units if u and "$" in u]
    assert f"{code} per agent per month" in units


def _cached_value(wb, name: str):
    sheet, ref = wb.defined_names[name].attr_text.rsplit("!", 1)
    return wb[sheet.strip("'")][ref.replace("$", "")].value


@needs_soffice
def test_the_headline_sentence_names_the_new_npv_after_an_input_change(tmp_path):
    params = load_parameters(SAMPLE_PARAMS_FILE)
    path = _write(params, tmp_path / "book.xlsx", draws=0)
    wb = openpyxl.load_workbook(path)
    sheet, ref = wb.defined_names["logmein_price_per_agent_month"].attr_text.rsplit("!", 1)
    wb[sheet.strip("'")][ref.replace("$", "")].value = 94
    wb.save(tmp_path / "changed.xlsx")
    out = libreoffice_recalculated_many([path, tmp_path / "changed.xlsx"], tmp_path)
    for name, overrides in (
        ("book.xlsx", []),
        ("changed.xlsx", ["logmein.price_per_agent_month=94"]),
    ):
        a = analyse(load_parameters(SAMPLE_PARAMS_FILE, overrides), load_capabilities())
        got = openpyxl.load_workbook(out[name], data_only=True)
        sentence = _cached_value(got, "summary_headline")
        npv = a.scenario(a.recommended).npv
        assert money_text(npv, "USD") in sentence, (sentence, npv)
        assert _cached_value(got, "recommended_scenario") == a.recommended
    assert abs(npv - analyse(params, load_capabilities()).scenario(a.recommended).npv) > 1000


def _outputs_by_name(frame) -> dict:
    return dict(zip(frame["name"], frame["value"], strict=True))


def test_outputs_and_names_sheets_list_every_name():
    params = load_parameters(SAMPLE_PARAMS_FILE)
    path, book = sample_recalculated()
    wb = openpyxl.load_workbook(path)
    outputs = wb["Outputs"]
    assert [c.value for c in outputs[1]] == ["name", "value", "unit", "description"]
    listed = {r[0].value: r for r in outputs.iter_rows(min_row=2)}
    for s in ("status_quo", "right_size", "cancel"):
        for metric in ("total_cost", "savings", "npv", "roi", "payback_months"):
            row = listed[f"{s}_{metric}"]
            assert row[1].value == f"={s}_{metric}"  # live: the named cell itself
            assert row[3].value  # described
    names = {r[0].value: r for r in wb["Names"].iter_rows(min_row=2)}
    assert set(names) == set(wb.defined_names)
    assert {r[2].value for r in names.values()} == {"input", "output"}
    assert names["logmein_agents"][2].value == "input"
    assert all(r[4].value for r in names.values())
    # the formulas package computes the Outputs sheet's values to the engine's
    a = analyse(params, load_capabilities())
    for i, r in enumerate(outputs.iter_rows(min_row=2), start=2):
        if r[0].value in ("right_size_npv", "cancel_npv", "status_quo_total_cost"):
            s, metric = r[0].value.rsplit("_", 1) if "npv" in r[0].value else ("status_quo", "")
            got = book.solution[f"'[{path.name}]OUTPUTS'!B{i}"].value[0, 0]
            want = a.scenario(s).npv if metric == "npv" else a.scenario("status_quo").total_cost
            assert abs(got - want) <= CENT, r[0].value


@needs_soffice
def test_pandas_reads_the_json_npvs_from_the_outputs_sheet(cli, tmp_path):
    import pandas as pd

    out = tmp_path / "book.xlsx"
    r = cli("excel", SAMPLE_PARAMS_FILE, "--out", out, "--simulate", "50")
    assert r.returncode == 0, r.stderr
    frame = pd.read_excel(out, sheet_name="Outputs")
    assert list(frame.columns) == ["name", "value", "unit", "description"]
    values = _outputs_by_name(frame)
    j = cli("scenarios", SAMPLE_PARAMS_FILE, "--format", "json")
    assert j.returncode == 0, j.stderr
    data = json.loads(j.stdout)
    for s in data["scenarios"]:
        if s["name"] in ("status_quo", "right_size", "cancel"):
            assert abs(float(values[f"{s['name']}_npv"]) - s["npv"]) <= CENT, s["name"]
            assert abs(float(values[f"{s['name']}_total_cost"]) - s["total_cost"]) <= CENT
    assert values["recommended_scenario"] == data["recommended"]
    # LibreOffice's save keeps what people rely on: frozen panes, protection, open inputs
    wb = openpyxl.load_workbook(out)
    for ws in wb.worksheets:
        assert ws.freeze_panes, ws.title
        assert ws.protection.sheet, ws.title
    sheet, ref = wb.defined_names["logmein_agents"].attr_text.rsplit("!", 1)
    assert wb[sheet.strip("'")][ref.replace("$", "")].protection.locked is False


# ---- escalators and the budget ------------------------------------------------------------


def _escalated(billing: str, horizon: int = 60, renewal: int = 2, term: int = 36):
    return load_parameters(
        SAMPLE_PARAMS_FILE,
        [
            f"horizon_months={horizon}",
            f"logmein.months_to_renewal={renewal}",
            f"logmein.term_months={term}",
            "logmein.uplift=0",
            "logmein.escalator.rate=0.07",
            "logmein.escalator.timing=yearly",
            f"logmein.billing={billing}",
            "logmein.price_per_agent_month=50",
            "logmein.agents=60",
            "logmein.extras_per_year=0",
            "calendar.fiscal_year_start=4",
        ],
    )


def _hand_monthly(price: float, renewal: int, term: int, rate: float, horizon: int, billing: str):
    """The contract's cost per month by hand: anniversaries are months R + 1 + 12j (>= 2) that
    are not renewal months R + 1 + T·i; each raises the price by (1 + rate). Annual billing pays
    a renewed term's months (inside the horizon) in its first month."""
    renewals = {renewal + 1 + term * i for i in range(0, horizon // term + 2)}
    steps = [m for m in range(2, horizon + 1) if (m - renewal - 1) % 12 == 0 and m not in renewals]
    monthly = [price * (1 + rate) ** sum(1 for s in steps if s <= m) for m in range(1, horizon + 1)]
    if billing == "monthly":
        return monthly
    paid = [0.0] * horizon
    for start in sorted(renewals):
        if start <= horizon:
            paid[start - 1] = sum(monthly[start - 1 : min(start - 1 + term, horizon)])
    return paid


def _engine(a, params) -> dict[str, dict[str, list[float]]]:
    """The engine's monthly costs per scenario and component (and ``total``)."""
    out = {}
    for s in ("status_quo", "right_size", "cancel", a.recommended):
        r = a.scenario(s)
        parts = {k: list(v) for k, v in r.components.items()}
        parts["total"] = list(r.monthly_cost)
        out[s] = parts
    return out


def _npv(engine, s: str, rate: float) -> float:
    return sum(
        (q - c) * (1 + rate) ** (-m / 12)
        for m, (q, c) in enumerate(
            zip(engine["status_quo"]["total"], engine[s]["total"], strict=True), start=1
        )
    )


def _flows_column(wb, header: str) -> int:
    return next(c.column for c in wb["Cash flows"][1] if c.value == header)


@pytest.mark.parametrize("billing", ["monthly", "annual"])
def test_a_yearly_escalator_inside_a_36_month_term_is_live_in_the_workbook(tmp_path, billing):
    params = _escalated(billing)
    a = analyse(params, load_capabilities())
    engine = _engine(a, params)
    hand = _hand_monthly(50 * 60, 2, 36, 0.07, 60, billing)
    sq = engine["status_quo"]["logmein"]
    assert max(abs(x - y) for x, y in zip(sq, hand, strict=True)) <= CENT  # engine = hand
    if billing == "monthly":  # a term priced P at its start: P, 1.07P, 1.07²P by contract year
        assert [round(hand[m] / 3000, 6) for m in (2, 14, 26, 38, 50)] == [
            1.0,
            1.07,
            1.1449,
            1.1449,  # the renewal in month 39 carries the price on, with no step of its own
            1.225043,
        ]
    path = _write(params, tmp_path / "esc.xlsx", draws=0)
    wb = openpyxl.load_workbook(path)
    book = Recalculated(path)
    for s in ("status_quo", "right_size", "cancel"):
        col = openpyxl.utils.get_column_letter(_flows_column(wb, f"{s}: logmein"))
        got = [
            book.solution[f"'[{path.name}]CASH FLOWS'!{col}{r}"].value[0, 0] for r in range(2, 62)
        ]
        want = engine[s]["logmein"]
        assert max(abs(float(x) - y) for x, y in zip(got, want, strict=True)) <= CENT, s
        assert abs(book[f"{s}_total_cost"] - sum(engine[s]["total"])) <= CENT, s
        assert abs(book[f"{s}_npv"] - _npv(engine, s, params["discount_rate"])) <= CENT, s
        assert abs(book[f"{s}_npv"] - a.scenario(s).npv) <= CENT, s
    _assert_budget(a, params, engine, lambda n: book[n])


@needs_soffice
def test_libreoffice_prices_the_escalator_and_the_budget_as_the_engine(tmp_path):
    paths = []
    cases = {}
    for billing in ("monthly", "annual"):
        params = _escalated(billing)
        paths.append(_write(params, tmp_path / f"esc-{billing}.xlsx", draws=0))
        cases[paths[-1].name] = params
    out = libreoffice_recalculated_many(paths, tmp_path)
    for name, params in cases.items():
        a = analyse(params, load_capabilities())
        engine = _engine(a, params)
        wb = openpyxl.load_workbook(out[name], data_only=True)
        for s in ("status_quo", "right_size", "cancel"):
            col = _flows_column(wb, f"{s}: logmein")
            got = [wb["Cash flows"].cell(row=r, column=col).value for r in range(2, 62)]
            want = engine[s]["logmein"]
            assert max(abs(float(x) - y) for x, y in zip(got, want, strict=True)) <= CENT, s
            assert abs(_cached_value(wb, f"{s}_total_cost") - sum(engine[s]["total"])) <= CENT
        _assert_budget(a, params, engine, lambda n, wb=wb: _cached_value(wb, n))


def _fiscal_year(day: dt.date, start_month: int) -> int:
    """The fiscal year a month belongs to, named by the calendar year it ends in."""
    return day.year + (1 if start_month > 1 and day.month >= start_month else 0)


def _assert_budget(a, params, engine, get) -> None:
    """Each fiscal year's spend, grouped by hand from the engine's months and their dates."""
    start, fys = params["start_date"], params["calendar.fiscal_year_start"]
    plan = a.recommended
    totals: dict[int, list[float]] = {}
    for m in range(params["horizon_months"]):
        idx = start.year * 12 + start.month - 1 + m
        fy = _fiscal_year(dt.date(idx // 12, idx % 12 + 1, 1), fys)
        t = totals.setdefault(fy, [0.0, 0.0])
        t[0] += engine["status_quo"]["total"][m]
        t[1] += engine[plan]["total"][m]
    assert len(totals) >= 4
    for fy, (sq, pl) in totals.items():
        assert abs(get(f"budget_fy{fy}_status_quo_total") - sq) <= CENT, fy
        assert abs(get(f"budget_fy{fy}_plan_total") - pl) <= CENT, fy
    assert abs(get("budget_status_quo_total") - sum(engine["status_quo"]["total"])) <= CENT
    assert abs(get("budget_plan_total") - sum(engine[plan]["total"])) <= CENT


def test_a_fiscal_year_starting_in_january_is_the_calendar_year():
    params = load_parameters(SAMPLE_PARAMS_FILE)
    assert params["calendar.fiscal_year_start"] == 1
    a = analyse(params, load_capabilities())
    engine = _engine(a, params)
    _path, book = sample_recalculated()
    _assert_budget(a, params, engine, lambda n: book[n])
    # the sample starts on 1 December 2026: FY2026 is that one month
    assert abs(book["budget_fy2026_status_quo_total"] - engine["status_quo"]["total"][0]) <= CENT


def test_the_budget_sheet_names_and_sums_the_years_as_the_pack_does(tmp_path):
    # one budget, two readings: the workbook's live SUMIFS and the engine's table the pack
    # shows (the sample's plan makes its first renewals, so both compare the same plan)
    from rhmodel.core.money.evaluation import evaluate

    params = load_parameters(SAMPLE_PARAMS_FILE, ["calendar.fiscal_year_start=4"])
    e = evaluate(params, load_capabilities())
    assert e.plan.feasible
    path = _write(params, tmp_path / "budget.xlsx", draws=0)
    ws = openpyxl.load_workbook(path)["Budget"]
    labels = [ws.cell(row=r, column=1).value for r in range(6, 6 + len(e.budget.rows))]
    assert labels == [r.fiscal_year for r in e.budget.rows]
    book = Recalculated(path)
    for r in e.budget.rows:
        end_year = int(r.fiscal_year[2:6]) + 1  # defined names carry the year it ends in
        assert abs(book[f"budget_fy{end_year}_status_quo_total"] - r.status_quo_total) <= CENT
        assert abs(book[f"budget_fy{end_year}_plan_total"] - r.plan_total) <= CENT
