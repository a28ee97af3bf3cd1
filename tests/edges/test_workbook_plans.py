"""Issue 20, items 5 and 7: the workbook is live for every plan.

Every plan the engine weighs is a row of live formulas on the Plans sheet; recomputed by the
``formulas`` package and by LibreOffice, each row's NPV at first renewal and at feasible timing
equals the engine's (``option_npv`` / ``option_npv_timed``), ``plan_timed_npv`` is the timed NPV
of the engine's recommended plan, and flipping a Decision switch inside the workbook makes
``recommended_scenario`` the plan the engine recommends with the same input changed. The
oracle is the Python engine, run separately on the changed parameters.

Shapes: the sample (a pilot; two contracts), two contracts that replace both until recording
is required (then a mixed plan the Summary does not list), a pilot that delays LogMeIn's change
a term so that timing changes the pick, and three contracts with a consolidation and a contract
that may be cut mid-term.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import yaml

from rhmodel.core.money.scenarios import analyse
from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE, load_capabilities
from rhmodel.edges.paramfile import load_parameters
from tests.core.money.test_plans import BOTH, _merge, _params
from tests.edges.test_workbook import (
    Recalculated,
    libreoffice_recalculated_many,
    mixed_key,
    needs_soffice,
    sample_recalculated,
    shared_book,
)

CENT = 0.01

# Decision switches, each as the workbook's defined name and value, and as the parameter change
# the engine gets (accept-all: every observed reason given up).
SWITCHES = {
    "recording": ("requirements_mandatory_session_recording", True),
    "pam": ("requirements_privileged_access_management", True),
    "external": ("requirements_external_or_unmanaged_support", True),
    "unattended-all": ("requirements_unattended_windows", "all"),
    "gcc_high": ("tenant_cloud", "gcc_high"),
}

TEAMVIEWER = {
    "users": 20,
    "price_per_user_year": 900,
    "months_to_renewal": 10,
    "notice_days": 30,
    "cancellable_mid_term": True,
    "termination_fee": 500,
}


def _shape(name: str) -> tuple[dict | None, dict | None]:
    """A parameters document and the residual pilot sessions per contract (``None`` for the
    sample file, which has its own pilot)."""
    if name == "sample":
        return None, None
    if name == "replace":  # no residual work: cancel both, until a switch needs a pool
        return _merge(BOTH, horizon_months=24), None
    if name == "timed":  # LogMeIn's notice falls before the 120-day pilot ends
        d = _merge(BOTH, pilot__days=120, logmein__price_per_agent_month=200, horizon_months=36)
        return d, {"logmein": {"unattended": 30}, "beyondtrust": {"pam": 20}}
    d = _merge(BOTH, teamviewer=TEAMVIEWER, logmein__price_per_agent_month=300, horizon_months=24)
    d["residual"]["teamviewer_users"] = 4
    return d, {"logmein": {"unattended": 10}, "beyondtrust": {"pam": 5}}


def _engine(name: str, switch: str | None = None):
    """The engine's analysis of a shape, with ``switch`` applied to its parameters."""
    if name in MIXED:
        price, seen = MIXED[name]
        return analyse(
            _params(_merge(BOTH, logmein__price_per_agent_month=price), seen), load_capabilities()
        )
    d, observed = _shape(name)
    if d is None:
        base = load_parameters(SAMPLE_PARAMS_FILE)
        if switch is None:
            return analyse(base, load_capabilities())
        if switch == "accept-all":
            over = [f"decision.accept=[{', '.join(sorted(base.observed_residual))}]"]
        else:
            key, value = SWITCHES[switch]
            over = [f"{key.replace('_', '.', 1)}={str(value).lower()}"]
            if key == "tenant_cloud":
                over = [f"tenant_cloud={value}"]
        return analyse(load_parameters(SAMPLE_PARAMS_FILE, over), load_capabilities())
    d = yaml.safe_load(yaml.safe_dump(d))
    if switch == "accept-all":
        codes = sorted({r for v in (observed or {}).values() for r in v})
        d.setdefault("decision", {})["accept"] = codes
    elif switch is not None:
        key, value = SWITCHES[switch]
        if key == "tenant_cloud":
            d["tenant_cloud"] = value
        else:
            d.setdefault("requirements", {})[key.split("_", 1)[1]] = value
    return analyse(_params(d, observed), load_capabilities())


def _switch_inputs(name: str, switch: str) -> dict:
    """The defined names a colleague would change in the workbook for ``switch``."""
    if switch == "accept-all":
        d, observed = _shape(name)
        if d is None:
            codes = load_parameters(SAMPLE_PARAMS_FILE).observed_residual
        else:
            codes = {r for v in (observed or {}).values() for r in v}
        return {f"accept_{c}": True for c in codes}
    key, value = SWITCHES[switch]
    return {key: value}


def _params_of(name: str):
    d, observed = _shape(name)
    return load_parameters(SAMPLE_PARAMS_FILE) if d is None else _params(d, observed)


def _plan_cells(path: Path) -> tuple[dict[str, int], dict[str, str]]:
    """Plan name → its row on the Plans sheet, and heading → column letter."""
    ws = openpyxl.load_workbook(path)["Plans"]
    head = next(r for r in ws.iter_rows() if r[0].value == "Plan")
    cols = {c.value: c.column_letter for c in head if c.value}
    rows = {}
    for r in range(head[0].row + 1, ws.max_row + 1):
        v = ws.cell(row=r, column=1).value
        if not v:
            break
        rows[v] = r
    return rows, cols


SHAPES = ("sample", "replace", "timed", "three")
FLIPS = {
    "sample": (),
    "replace": ("recording", "pam", "external"),
    "timed": ("recording", "external", "accept-all"),
    "three": ("recording", "external", "accept-all"),
}


def _book(name: str) -> tuple[Path, Recalculated]:
    """Each shape's workbook, written and loaded by ``formulas`` once per session (shared with
    tests/edges/test_workbook.py where the case is the same), reset to its inputs."""
    if name == "sample":
        return sample_recalculated()
    if name.startswith("mixed-"):
        price, observed = MIXED[name]
        return shared_book(
            name, _params(_merge(BOTH, logmein__price_per_agent_month=price), observed)
        )
    return shared_book(f"plans-{name}", _params_of(name))


# the two mixed-plan cases of tests/edges/test_workbook.py: the same books, shared
MIXED = {
    mixed_key(price, observed): (price, observed)
    for price, observed in (
        (50, {"beyondtrust": {"pam": 20}}),
        (400, {"logmein": {"unattended": 30}, "beyondtrust": {"pam": 20}}),
    )
}


def test_the_shapes_exercise_what_the_plan_rows_are_for():
    # the oracle's own figures: each shape tests what it is here for
    replace = _engine("replace")
    assert replace.recommended == "cancel"
    recording = _engine("replace", "recording")
    assert recording.recommended not in ("status_quo", "right_size", "cancel")  # not on Summary
    timed = _engine("timed")
    assert timed.recommended != timed.best_at_first_renewal  # the pilot's delay changes the pick
    assert timed.option_npv_timed["right_size"] != timed.option_npv["right_size"]
    three = _engine("three")
    assert any("consolidate" in o.name for o in three.options)
    assert "consolidate" in three.recommended
    t, _ev = three.evaluated(three.recommended, timed=True)
    assert "teamviewer" in t.cut_month  # cut mid-term, paying its fee


@pytest.mark.parametrize("name", [*SHAPES, *MIXED])
def test_every_plan_row_equals_the_engine(name):
    path, book = _book(name)
    assert book.errors() == []
    a = _engine(name)
    rows, cols = _plan_cells(path)
    assert list(rows) == [o.name for o in a.options]  # every plan weighed, in the engine's order

    def cell(col: str, r: int):
        return book.solution[f"'[{path.name}]PLANS'!{cols[col]}{r}"].value[0, 0]

    for plan, r in rows.items():
        got = cell("NPV (first renewal)", r)
        assert abs(got - a.option_npv[plan]) <= CENT, (plan, got, a.option_npv[plan])
        got = cell("NPV (feasible timing)", r)
        assert abs(got - a.option_npv_timed[plan]) <= CENT, (plan, got, a.option_npv_timed[plan])
        assert cell("Viable", r) == ("yes" if a.option(plan).viable else "no"), plan
    assert book["recommended_scenario"] == a.recommended
    assert abs(book["plan_timed_npv"] - a.option_npv_timed[a.recommended]) <= CENT
    assert abs(book["plan_first_renewal_npv"] - a.option_npv[a.recommended]) <= CENT


@pytest.mark.parametrize("name", [s for s in SHAPES if s != "sample"])
def test_flipping_each_switch_recommends_the_engines_plan(name):
    # the sample's switches: tests/edges/test_workbook.py flips each on the same shared book
    path, book = _book(name)
    rows, _cols = _plan_cells(path)
    read = ["verdict", "recommended_scenario", "plan_timed_npv"]
    read += [f"'[{path.name}]PLANS'!B{r}" for r in rows.values()]
    for switch in FLIPS[name]:
        book.recalc(outputs=read, **_switch_inputs(name, switch))
        a = _engine(name, switch)
        assert book["verdict"] == a.decision.verdict, (name, switch)
        assert book["recommended_scenario"] == a.recommended, (name, switch)
        assert abs(book["plan_timed_npv"] - a.option_npv_timed[a.recommended]) <= CENT, switch
        weighed = {o.name: o for o in a.options}
        for plan, r in rows.items():
            if plan not in weighed:
                continue  # the switch re-sized a pool to nothing: the engine no longer offers it
            got = book.solution[f"'[{path.name}]PLANS'!B{r}"].value[0, 0]
            assert got == ("yes" if weighed[plan].viable else "no"), (name, switch, plan)


def test_the_delays_are_visible_inputs_and_move_the_timed_npv():
    path, book = _book("timed")
    a = _engine("timed")
    wb = openpyxl.load_workbook(path)
    sheet, ref = wb.defined_names["logmein_delay_terms"].attr_text.rsplit("!", 1)
    cell = wb[sheet.strip("'")][ref.replace("$", "")]
    t, _ev = a.evaluated("right_size", timed=True)
    assert cell.value == t.delay_terms["logmein"] == 1
    assert cell.protection.locked is False  # an input: the formulas read it
    names = {r[0].value: r for r in wb["Names"].iter_rows(min_row=2)}
    assert names["logmein_delay_terms"][2].value == "input"
    assert names["plan_timed_npv"][2].value == "output" and names["plan_timed_npv"][4].value
    # no delay: every row's timed NPV is its first-renewal NPV, and the pick is the engine's
    # first-renewal best
    book.recalc(logmein_delay_terms=0)
    rows, cols = _plan_cells(path)
    for plan, r in rows.items():
        got = book.solution[f"'[{path.name}]PLANS'!{cols['NPV (feasible timing)']}{r}"]
        assert abs(got.value[0, 0] - a.option_npv[plan]) <= CENT, plan
    assert book["recommended_scenario"] == a.best_at_first_renewal


# ---- LibreOffice ----------------------------------------------------------------------------


def _written(name: str) -> Path:
    """The shape's workbook file (as openpyxl wrote it; LibreOffice recomputes it itself)."""
    if name == "sample":
        return sample_recalculated()[0]
    return _book(name)[0]


@needs_soffice
def test_libreoffice_computes_every_plan_and_follows_each_switch(tmp_path):
    # the sample's switches in LibreOffice: tests/edges/test_workbook.py; here each other
    # shape as written and with its first switch flipped, in one LibreOffice run
    cases: dict[str, tuple[str, str | None]] = {}
    paths = []
    for name in SHAPES:
        path = _written(name)
        for switch in (None, *FLIPS[name][:1]):
            copy = tmp_path / f"{name}-{switch or 'base'}.xlsx"
            wb = openpyxl.load_workbook(path)
            for n, value in (_switch_inputs(name, switch) if switch else {}).items():
                sheet, ref = wb.defined_names[n].attr_text.rsplit("!", 1)
                wb[sheet.strip("'")][ref.replace("$", "")].value = value
            wb.save(copy)
            paths.append(copy)
            cases[copy.name] = (name, switch)
    out = libreoffice_recalculated_many(paths, tmp_path)
    for file, (name, switch) in cases.items():
        wb = openpyxl.load_workbook(out[file], data_only=True)

        def get(n: str, wb=wb):
            sheet, ref = wb.defined_names[n].attr_text.rsplit("!", 1)
            return wb[sheet.strip("'")][ref.replace("$", "")].value

        a = _engine(name, switch)
        assert get("recommended_scenario") == a.recommended, (name, switch)
        assert abs(get("plan_timed_npv") - a.option_npv_timed[a.recommended]) <= CENT
        if switch is None:
            ws = wb["Plans"]
            rows, cols = _plan_cells(_written(name))
            for plan, r in rows.items():
                first = ws[f"{cols['NPV (first renewal)']}{r}"].value
                timed = ws[f"{cols['NPV (feasible timing)']}{r}"].value
                assert abs(first - a.option_npv[plan]) <= CENT, (name, plan)
                assert abs(timed - a.option_npv_timed[plan]) <= CENT, (name, plan)
