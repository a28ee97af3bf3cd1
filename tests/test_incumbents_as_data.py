"""Incumbents are data: a three-contract organisation end to end, and a fourth incumbent that
takes one record, one capability column and one price entry and no code.

NPVs are held against the month-by-month oracle (``tests/oracle.py``, extended for the third and
fourth contracts and told by hand which pool takes consolidated work); the plan count against
``4 ** n``; the workbook against two spreadsheet engines.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import openpyxl
import pytest
import yaml

from rhmodel.core.money.evaluation import evaluate
from rhmodel.core.money.plans import timed_plan
from rhmodel.core.money.scenarios import analyse
from rhmodel.core.products import COMPONENTS, CONTRACTS, contract_for
from rhmodel.edges.bundled import DATA_DIR, load_capabilities
from rhmodel.edges.provenance import provenance
from rhmodel.edges.workbook import METRICS, write_workbook
from tests import oracle
from tests.conftest import PROJECT_DIR

# LogMeIn Resolve named agents billed monthly, BeyondTrust seats and TeamViewer Tensor users
# billed yearly in advance; three different renewal months; residual pools given.
THREE = {
    "organisation": "Three-tool help desk (illustrative)",
    "illustrative": True,
    "start_date": "2026-12-01",
    "discount_rate": 0.09,
    "logmein": {"agents": 40, "price_per_agent_month": 50, "months_to_renewal": 4},
    "beyondtrust": {
        "concurrent_seats": 10,
        "price_per_seat_year": 2400,
        "months_to_renewal": 7,
        "billing": "annual",
        "uplift": 0.04,
    },
    "teamviewer": {
        "users": 30,
        "price_per_user_year": 900,
        "months_to_renewal": 2,
        "billing": "annual",
        "extras_per_year": 3000,
    },
    "residual": {"logmein_agents": 6, "beyondtrust_seats": 3, "teamviewer_users": 5},
    "transition": {"deployment_cost": 5000},
    "pilot": {"days": 30},
}
# The pilot's residual work per contract: RMM on LogMeIn (only LogMeIn Resolve has it in full),
# PAM on BeyondTrust (only BeyondTrust), external customers on TeamViewer (several have it).
OBSERVED = {"logmein": {"rmm": 8}, "beyondtrust": {"pam": 5}, "teamviewer": {"external": 12}}


def _params(d: dict, observed: dict | None = OBSERVED):
    from tests.core.money.test_plans import _params as with_observed

    return with_observed(d, observed)


def test_three_contracts_give_64_plans_each_equal_to_the_oracle():
    a = analyse(_params(THREE), load_capabilities())
    names = [o.name for o in a.options]
    assert len(names) == len(set(names)) == 4**3
    for o in a.options:
        want = oracle.metrics(THREE, o.name, hosts=o.into)["npv"]
        assert a.option_npv[o.name] == pytest.approx(want, rel=1e-12, abs=1e-6), o.name
    # TeamViewer's external work can go to LogMeIn Resolve or BeyondTrust (both 'yes'); its
    # record tries BeyondTrust first
    tv = a.option("logmein_right_size+beyondtrust_right_size+teamviewer_consolidate")
    assert tv.into == {"teamviewer": "beyondtrust"} and tv.viable, tv.why
    assert tv.keep["beyondtrust"] == 3 + 5  # its own pool plus TeamViewer's, licence for licence
    # with BeyondTrust cancelled it moves to the next kept pool that covers it
    tv2 = a.option("logmein_right_size+beyondtrust_cancel+teamviewer_consolidate")
    assert tv2.into == {"teamviewer": "logmein"} and not tv2.viable  # BeyondTrust's PAM work
    # LogMeIn's RMM work has no other home: consolidating it is never viable
    assert all(not o.viable for o in a.options if o.actions.get("logmein") == "consolidate"), (
        "RMM work is covered in full only by LogMeIn Resolve"
    )


def test_three_contracts_plan_is_timed_and_its_parts_add_up():
    a = analyse(_params(THREE), load_capabilities())
    best = max((o for o in a.options if o.viable), key=lambda o: a.option_npv[o.name])
    assert a.recommended == best.name
    plan = timed_plan(a)
    assert [x.contract for x in plan.actions] == ["logmein", "beyondtrust", "teamviewer"]
    assert sum(x.npv for x in plan.actions) == pytest.approx(plan.npv, rel=1e-12)
    # the 30-day pilot ends 31 December 2026: TeamViewer's 1 February 2027 renewal (term ends
    # 31 January) needs notice by Friday 1 January 2027 (30 days), which follows it, so nothing
    # waits
    delay = {x.contract: x.terms_delayed for x in plan.actions if x.action != "renew"}
    hosts = {x.contract: x.into for x in plan.actions if x.into}
    want = oracle.metrics(THREE, plan.name, delay=delay, hosts=hosts)["npv"]
    assert plan.npv == pytest.approx(want, rel=1e-12)
    # every scenario's total is the sum of its components, each contract among them
    for s in a.scenarios:
        assert set(s.components) == set(COMPONENTS)
        assert sum(sum(v) for v in s.components.values()) == pytest.approx(s.total_cost)


def _book_values(path: Path) -> dict[str, object]:
    wb = openpyxl.load_workbook(path, data_only=True)
    out = {}
    for name, dn in wb.defined_names.items():
        sheet, ref = dn.attr_text.rsplit("!", 1)
        out[name] = wb[sheet.strip("'")][ref.replace("$", "")].value
    return out


def _three_book(tmp_path: Path, draws: int):
    """The three-contract workbook as openpyxl writes it, and its evaluation."""
    params = _params(THREE)
    matrix = load_capabilities()
    e = evaluate(params, matrix, draws=draws)
    path = tmp_path / "three.xlsx"
    write_workbook(e, matrix, provenance(params), path, cache=False)
    return path, e


def _assert_book_equals_engine(get, names, e) -> None:
    """Every metric of the pinned scenarios and the recommended plan, as the engine has it."""
    from tests.edges.test_workbook import _assert_equal, _expected

    checked = 0
    for s in dict.fromkeys(["status_quo", "right_size", "cancel", e.analysis.recommended]):
        for metric in METRICS:
            if f"{s}_{metric}" not in names:
                continue
            want, got = _expected(e.analysis, s, metric), get(f"{s}_{metric}")
            if want == "":
                assert got in ("", None, 0), (s, metric, got)
            else:
                _assert_equal(got, want, f"{s}_{metric}")
            checked += 1
    assert checked >= 3 * len(METRICS)  # the pinned scenarios at least


def test_three_contracts_workbook_recalculates_as_the_engine(tmp_path):
    from tests.edges.test_workbook import Recalculated

    path, e = _three_book(tmp_path, draws=50)
    book = Recalculated(path)
    assert book.errors() == []
    _assert_book_equals_engine(book.__getitem__, book.names, e)
    # each contract's inputs are named cells of the workbook, TeamViewer's among them
    for c in (*CONTRACTS[:2], contract_for("teamviewer")):
        assert c.count_key.replace(".", "_") in book.names


@pytest.mark.skipif(
    shutil.which("soffice") is None and os.environ.get("CI") != "true",
    reason="LibreOffice (soffice) is not installed here; CI installs it",
)
def test_three_contracts_workbook_in_libreoffice(tmp_path):
    from tests.edges.test_workbook import libreoffice_recalculated

    path, e = _three_book(tmp_path, draws=20)
    got = _book_values(libreoffice_recalculated(path, tmp_path))
    _assert_book_equals_engine(got.__getitem__, got, e)


def test_three_contracts_through_every_command(cli, tmp_path):
    f = tmp_path / "three.yaml"
    f.write_text(yaml.safe_dump(THREE), encoding="utf-8")
    decide = cli("decide", f, "--format", "json")
    assert decide.returncode == 0, decide.stderr
    r = cli("scenarios", f, "--format", "json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    a = analyse(_params(THREE, observed=None), load_capabilities())
    assert out["recommended"] == a.recommended
    text = cli("scenarios", f).stdout
    assert "TeamViewer" in text
    x = cli("excel", f, "--out", tmp_path / "three.xlsx", "--simulate", "20")
    assert x.returncode == 0, x.stderr
    rep = cli("report", "--params", f, "--out", tmp_path / "pack", "--simulate", "50")
    assert rep.returncode == 0, rep.stderr
    html = (tmp_path / "pack" / "renewal-pack.html").read_text(encoding="utf-8")
    assert "TeamViewer" in html and "BeyondTrust" in html and "LogMeIn Resolve" in html
    summary = json.loads((tmp_path / "pack" / "summary.json").read_text(encoding="utf-8"))
    assert summary["recommended"] == a.recommended


def test_the_explorer_shows_each_contract_held(tmp_path):
    from rhmodel.faces.explorer import Explorer

    f = tmp_path / "three.yaml"
    f.write_text(yaml.safe_dump(THREE), encoding="utf-8")
    from rhmodel.edges.paramfile import load_parameters

    ex = Explorer(load_parameters(f), save_dir=tmp_path)
    keys = set(ex.controls)
    assert {"teamviewer.users", "residual.teamviewer_users"} <= keys
    assert "rescue.technicians" not in keys  # not held: no controls
    # 1 February 2027 renewal, term ends 31 January, 30 days before: Friday 1 January 2027
    assert "give TeamViewer notice by Friday 1 January 2027" in ex.verdict.value
    before = ex.table.value
    ex.controls["teamviewer.users"].value = 60  # twice the licences: the savings move
    assert ex.table.value != before


# ---- a fourth incumbent from data alone -------------------------------------------------------

ACME_RECORD = {
    "product": "acme_support",
    "name": "Acme Remote Support",
    "short": "Acme",
    "chart_label": "Acme",
    "vendor": "Acme Corp (fictitious)",
    "colour": "#8c564b",
    "licence": {
        "metrics": ["concurrent"],
        "default": "concurrent",
        "unit": {"singular": "seat", "plural": "seats"},
    },
    "keys": {
        "count": "seats",
        "price": "price_per_seat_month",
        "price_per": "month",
        "residual": "acme_seats",
        "minimum": "min_seats",
    },
    "price": {"doc": "Acme price per seat", "item": "acme_seat", "quote_only": True},
    "exports": [],
}

SCRIPT = textwrap.dedent(
    """
    import json, sys
    from rhmodel.core.money.evaluation import evaluate
    from rhmodel.edges.bundled import load_capabilities
    from rhmodel.edges.paramfile import load_parameters
    from rhmodel.edges.provenance import provenance
    from rhmodel.edges.workbook import build_workbook
    from rhmodel.faces.explorer import Explorer
    from rhmodel.faces.memo import RenewalPack

    p = load_parameters(sys.argv[1])
    m = load_capabilities()
    e = evaluate(p, m)
    wb = build_workbook(e, m, provenance(p))
    cells = [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
             if c.value is not None]
    pack = RenewalPack.load(sys.argv[1], simulate=0)
    html = "".join(str(getattr(pack, s)()) for s in
                   ("executive_summary", "capabilities", "scenarios"))
    ex = Explorer(p)
    rs = e.analysis.scenario("right_size")
    print(json.dumps({
        "components": {k: sum(v) for k, v in rs.components.items()},
        "total_cost": rs.total_cost,
        "names": [o.name for o in e.analysis.options],
        "book_mentions": sum("Acme" in c for c in cells),
        "book_names": sorted(wb.defined_names),
        "memo": html.count("Acme"),
        "explorer": sorted(k for k in ex.controls if "acme" in k),
        "explorer_plan": "Acme" in ex.verdict.value,
    }))
    """
)


def test_a_fourth_incumbent_is_one_record_one_column_one_price(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    # one record
    inc = yaml.safe_load((data / "incumbents.yaml").read_text(encoding="utf-8"))
    inc["incumbents"]["acme"] = ACME_RECORD
    (data / "incumbents.yaml").write_text(yaml.safe_dump(inc, sort_keys=False), "utf-8")
    # one capability column (a fictitious product that covers what BeyondTrust covers)
    caps = yaml.safe_load((data / "capabilities.yaml").read_text(encoding="utf-8"))
    caps["products"]["acme_support"] = {"name": "Acme Remote Support", "short": "Acme"}
    for d in caps["dimensions"]:
        cell = dict(d["cells"]["beyondtrust"])
        cell.update(text=f"Acme: {cell['text']}", source="fictitious test column")
        d["cells"]["acme_support"] = cell
    (data / "capabilities.yaml").write_text(yaml.safe_dump(caps, sort_keys=False), "utf-8")
    # one price entry
    book = yaml.safe_load((data / "price_book.yaml").read_text(encoding="utf-8"))
    book["items"]["acme_seat"] = {
        "product": "acme_support",
        "label": "Acme, per seat",
        "quote_only": True,
        "unit": "US$ per seat per month",
        "source": "fictitious",
        "as_of": dt.date(2026, 12, 1),
        "confidence": "none",
        "illustrative": True,
    }
    (data / "price_book.yaml").write_text(yaml.safe_dump(book, sort_keys=False), "utf-8")
    params = tmp_path / "four.yaml"
    params.write_text(
        yaml.safe_dump(
            {
                "illustrative": True,
                "start_date": "2026-12-01",
                "logmein": {"agents": 20, "price_per_agent_month": 40, "months_to_renewal": 3},
                "acme": {"seats": 6, "price_per_seat_month": 150, "months_to_renewal": 5},
                "residual": {"logmein_agents": 3, "acme_seats": 2},
            }
        ),
        encoding="utf-8",
    )
    r = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(params)],
        capture_output=True,
        text=True,
        cwd=PROJECT_DIR,
        env={**os.environ, "RHMODEL_DATA": str(data)},
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    # totals equal the sum of components, Acme's among them
    assert "acme" in out["components"]
    assert sum(out["components"].values()) == pytest.approx(out["total_cost"])
    # right-sizing keeps 2 of 6 seats at US$150 from month 6: (6 - 2) × 150 × 31 months saved
    assert out["components"]["acme"] == pytest.approx(6 * 150 * 5 + 2 * 150 * 31)
    # 4 ** 2 plans over the two contracts held
    assert len(out["names"]) == 16 and any("acme_consolidate" in n for n in out["names"])
    assert out["book_mentions"] > 0 and "acme_seats" in out["book_names"]
    assert out["memo"] > 0
    assert out["explorer"] == [
        "acme.months_to_renewal",
        "acme.price_per_seat_month",
        "acme.seats",
        "residual.acme_seats",
    ]
    assert out["explorer_plan"]
    # and the bundled table did not change: the fixture folder alone carried the product
    assert "acme" not in {c.name for c in CONTRACTS}


def test_every_record_names_formats_the_loader_registers():
    from rhmodel.edges.exports import FORMAT_NAMES

    for c in CONTRACTS:
        assert set(c.exports) | set(c.claims) <= set(FORMAT_NAMES), c.name
    # each format's sessions belong to one record (Rescue only claims LogMeIn's when held)
    owners = [f for c in CONTRACTS for f in c.exports]
    assert len(owners) == len(set(owners))


# ---- LogMeIn Rescue as its own product ---------------------------------------------------------


def _rescue_report(sessions) -> str:
    """A getReport_v2 session report (text output: "OK", a blank line, a pipe-delimited
    report, CRLF; en-US times in the account's time zone), the columns of
    tests/edges/test_vendor_exports.py's documented header; every session unattended."""
    from tests.edges.test_vendor_exports import RESCUE_HEADER

    def when(minutes: int) -> str:
        h, m = divmod(9 * 60 + minutes, 60)
        return f"11/24/2026 {(h - 1) % 12 + 1}:{m:02d}:00 {'AM' if h < 12 else 'PM'}"

    rows = [
        f"{when(s)}|{when(e)}|{when(e)}|{t.upper()} Tech|{100 + i}|{7000 + i}|Unattended|Closed|"
        f"srv{i}|||10.0.0.{i}|Windows 11|{t}@example.com|0:{e - s:02d}:00"
        for i, (t, s, e) in enumerate(sessions)
    ]
    return "OK\r\n\r\n" + RESCUE_HEADER + "\r\n" + "\r\n".join(rows) + "\r\n"


@pytest.mark.parametrize("metric", ["named", "concurrent"])
def test_named_and_concurrent_rescue_contracts_size_different_pools(tmp_path, metric):
    from rhmodel.core.pilot.settings import PilotSettings
    from rhmodel.edges.paramfile import load_parameters
    from rhmodel.edges.pilotfiles import pilot_report
    from rhmodel.faces.pilot_text import pilot_text
    from tests.core.pilot.test_licence_metric import (
        SESSIONS,
        brute_distinct,
        brute_peak_technicians,
        oracle_concurrent,
    )

    (tmp_path / "rescue-sessions.txt").write_text(_rescue_report(SESSIONS), encoding="utf-8")
    doc = {
        "start_date": "2026-12-01",
        "rescue": {
            "technicians": 12,
            "price_per_technician_year": 1500,
            "months_to_renewal": 3,
            "licence_metric": metric,
        },
        "pilot": {
            "files": ["rescue-sessions.txt"],
            "timezone": "UTC",
            "headroom": 0.0,
            "target_blocking": 0.1,
        },
    }
    (tmp_path / "p.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    p = load_parameters(tmp_path / "p.yaml")
    # brute force over the same sessions: 6 people did the work, at most 3 at once
    assert (brute_distinct(SESSIONS), brute_peak_technicians(SESSIONS)) == (6, 3)
    want = {
        "named": brute_distinct(SESSIONS),
        "concurrent": oracle_concurrent(SESSIONS, PilotSettings(headroom=0.0, target_blocking=0.1)),
    }
    # concurrent: the 3 at once with no headroom (Erlang B is a blocking check beside the pool
    # since issue 20, no longer a layer under it: it made this 4)
    assert want == {"named": 6, "concurrent": 3}
    assert p["residual.rescue_technicians"] == want[metric]
    assert p["residual.logmein_agents"] is None  # the Rescue report counted for Rescue
    report = pilot_report(p)
    assert set(report.tools) == {"logmein_rescue"}
    assert report.tools["logmein_rescue"].unit == f"{metric} technicians"
    assert report.files[0].counted_for == "logmein_rescue"
    assert "counted for LogMeIn Rescue" in pilot_text(report)


def test_a_rescue_report_counts_for_logmein_when_no_rescue_contract_is_held(tmp_path):
    from rhmodel.edges.paramfile import load_parameters
    from rhmodel.edges.pilotfiles import pilot_report
    from rhmodel.faces.pilot_text import pilot_text
    from tests.core.pilot.test_licence_metric import SESSIONS

    (tmp_path / "rescue-sessions.txt").write_text(_rescue_report(SESSIONS), encoding="utf-8")
    doc = {
        "start_date": "2026-12-01",
        "logmein": {"agents": 20, "price_per_agent_month": 40, "months_to_renewal": 3},
        "pilot": {"files": ["rescue-sessions.txt"], "timezone": "UTC", "headroom": 0.0},
    }
    (tmp_path / "p.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    p = load_parameters(tmp_path / "p.yaml")
    assert p["residual.logmein_agents"] == 6  # today's figures: Resolve's named agents
    report = pilot_report(p)
    assert report.files[0].counted_for == "logmein_resolve"
    text = pilot_text(report)
    assert "counted for LogMeIn Resolve: no LogMeIn Rescue contract is held" in text


def test_a_data_folder_without_the_records_is_one_error_line(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "rhmodel", "decide", str(PROJECT_DIR / "data/params/sample.yaml")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "RHMODEL_DATA": str(tmp_path)},
        timeout=300,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.startswith(f"error: {tmp_path / 'incumbents.yaml'}: RHMODEL_DATA names")
