"""Renewal packs end to end: papermill, HTML without code, summary.json, atomic failure, batch."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE
from rhmodel.edges.pack import chromium, render_pack

CODE_MARKERS = ("RenewalPack", "pack.executive_summary", "params_path", "from rhmodel")


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    out = tmp_path_factory.mktemp("pack")
    result = render_pack(SAMPLE_PARAMS_FILE, out, simulate=2000)
    assert result.ok, result.error
    return out


def test_pack_files(pack):
    for name in ("renewal-pack.ipynb", "renewal-pack.html", "renewal-pack.xlsx", "summary.json"):
        assert (pack / name).stat().st_size > 0, name
    nb = nbformat.read(pack / "renewal-pack.ipynb", as_version=4)
    assert any(c.get("outputs") for c in nb.cells if c.cell_type == "code")  # executed
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in nb.cells)
    if chromium():
        assert (pack / "renewal-pack.pdf").read_bytes().startswith(b"%PDF")
    assert not [p for p in pack.iterdir() if p.name.startswith(".")]  # no temporary folder


def test_the_pack_ships_the_calendar_beside_the_pdf(pack, tmp_path, cli):
    from tests.edges.test_ical import read_ics

    shipped = read_ics((pack / "renewal-plan.ics").read_bytes())
    r = cli("calendar", SAMPLE_PARAMS_FILE, "--out", tmp_path / "plan.ics")
    assert r.returncode == 0, r.stderr
    alone = read_ics((tmp_path / "plan.ics").read_bytes())
    # the same events and alarms as `rhmodel calendar` writes (DTSTAMP aside)
    assert shipped == alone and len(shipped) > 5
    # Friday 30 April 2027: BeyondTrust's 1 August renewal, 90 days before the 31 July term end
    assert any(e["DTSTART"] == "20270430" and len(e["TRIGGER"]) == 3 for e in shipped)


def test_html_is_a_memo_without_code_and_agrees_with_summary(pack):
    html = (pack / "renewal-pack.html").read_text(encoding="utf-8")
    summary = json.loads((pack / "summary.json").read_text())
    for marker in CODE_MARKERS:
        assert marker not in html, marker
    assert "Traceback" not in html
    from rhmodel.core.labels import label

    assert f"Verdict: {label(summary['verdict'])}" in html  # in words, not the id
    rec = next(s for s in summary["scenarios"] if s["name"] == summary["recommended"])
    assert f"US${rec['npv']:,.0f}" in html  # whole dollars
    assert summary["plan"]["headline"] in html
    for action in summary["plan"]["actions"]:
        assert action["sentence"] in html
    for title in (
        "Executive summary",
        "The replace-or-keep test",
        "Capability comparison",
        "Scenarios",
        "Pilot evidence",
        "Sensitivity and risks",
        "Assumptions and illustrative figures",
        "Readiness checklist",
    ):
        assert title in html, title
    assert "data:image/svg+xml;base64," in html  # figures embedded: the file stands alone
    from tests.core.test_readiness import SEED_7_1, SEED_7_2

    for fqdn in SEED_7_1 + SEED_7_2:  # the network team's list, in full (the sample: commercial)
        assert fqdn in html, fqdn
    assert "inputs are not quoted facts" in html  # the one-line warning on page 1
    assert "Illustrative (not quoted facts)" in html  # and the full list it links to


def test_summary_json_is_what_rhmodel_scenarios_prints(pack, cli):
    summary = json.loads((pack / "summary.json").read_text())
    r = cli("scenarios", SAMPLE_PARAMS_FILE, "--simulate", "2000", "--format", "json")
    scenarios = json.loads(r.stdout)
    for doc in (summary, scenarios):
        doc["provenance"].pop("generated_at")
    assert summary == scenarios


def test_failing_render_keeps_the_earlier_pack(pack, tmp_path, cli):
    out = tmp_path / "out"
    shutil.copytree(pack, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        SAMPLE_PARAMS_FILE.read_text().replace(
            "files: [../sample/pilot]", "files: [missing-exports/]"
        )
    )
    r = cli("report", "--params", bad, "--out", out)
    assert r.returncode == 2
    assert "error:" in r.stderr and "pilot file not found ('missing-exports/'" in r.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_a_failing_cell_is_named_and_the_old_pack_stays(pack, tmp_path, monkeypatch):
    import rhmodel.edges.pack as report

    broken = nbformat.read(report.PACK_NOTEBOOK, as_version=4)
    broken.cells.append(nbformat.v4.new_code_cell("raise RuntimeError('no quote from vendor')"))
    path = tmp_path / "broken.ipynb"
    nbformat.write(broken, path)
    monkeypatch.setattr(report, "PACK_NOTEBOOK", path)
    out = tmp_path / "out"
    shutil.copytree(pack, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    result = report.render_pack(SAMPLE_PARAMS_FILE, out, simulate=100)
    assert not result.ok
    assert "cell" in result.error and "RuntimeError: no quote from vendor" in result.error
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_batch_two_files_two_packs(tmp_path, cli):
    a = tmp_path / "north.yaml"
    b = tmp_path / "south.yaml"
    text = SAMPLE_PARAMS_FILE.read_text().replace(
        "../sample/pilot", str(SAMPLE_PARAMS_FILE.parent.parent / "sample" / "pilot")
    )
    a.write_text(text)
    b.write_text(text.replace("agents: 60", "agents: 80"))
    out = tmp_path / "packs"
    r = cli(
        "report", "--params", a, "--params", b, "--out", out, "--jobs", "2", "--simulate", "500"
    )
    assert r.returncode == 0, r.stderr
    for stem in ("north", "south"):
        assert (out / stem / "renewal-pack.html").exists()
        assert (out / stem / "summary.json").exists()
    north = json.loads((out / "north" / "summary.json").read_text())
    south = json.loads((out / "south" / "summary.json").read_text())
    assert north["scenarios"][0]["total_cost"] < south["scenarios"][0]["total_cost"]
    assert "north.yaml" in r.stdout and "south.yaml" in r.stdout and "ok" in r.stdout
    assert "2/2" in r.stderr


def test_notebooks_are_committed_without_outputs():
    for path in Path(__file__).resolve().parents[2].joinpath("notebooks").glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), path
        tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1, path


def test_output_path_that_is_a_file_is_one_error_line(tmp_path, cli):
    target = tmp_path / "taken"
    target.write_text("keep me")
    r = cli("report", "--out", target, "--simulate", "100")
    assert r.returncode == 2
    assert r.stderr.strip().splitlines()[-1].startswith(f"error: {target}: cannot use the output")
    assert "Traceback" not in r.stderr
    assert target.read_text() == "keep me"


def test_a_pack_is_evaluated_once_and_every_file_shows_that_one_result(tmp_path, monkeypatch):
    import openpyxl

    import rhmodel.edges.pack_inputs as inputs_module  # where the pack's evaluation is made

    calls = []
    real = inputs_module.evaluate

    def counting(*args, **kwargs):
        calls.append(kwargs.get("draws"))
        return real(*args, **kwargs)

    monkeypatch.setattr(inputs_module, "evaluate", counting)
    result = render_pack(SAMPLE_PARAMS_FILE, tmp_path, simulate=3000, seed=7, pdf=False)
    assert result.ok, result.error
    assert calls == [3000]  # this process evaluated once; the notebook's kernel did not at all
    summary = json.loads((tmp_path / "summary.json").read_text())
    html = (tmp_path / "renewal-pack.html").read_text(encoding="utf-8")
    # one provenance for the whole pack: the memo, the JSON and the workbook carry the same time
    stamp = summary["provenance"]["generated_at"]
    assert stamp in html
    about = openpyxl.load_workbook(tmp_path / "renewal-pack.xlsx")["About"]
    assert stamp in [row[1] for row in about.iter_rows(values_only=True)]
    # the same simulation draws: the memo's P50 is summary.json's to the dollar
    p50 = summary["simulation"]["scenarios"][summary["recommended"]]["npv_p50"]
    assert f"{p50:,.0f}" in html
    nb = nbformat.read(tmp_path / "renewal-pack.ipynb", as_version=4)
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert "inputs_file" in injected.source


def test_a_bug_in_a_batch_fails_that_pack_with_its_traceback(tmp_path, monkeypatch):
    import rhmodel.edges.pack as pack_module
    from rhmodel.edges.pack import render_packs

    def broken(*_args, **_kwargs):
        raise ZeroDivisionError("a deliberate bug")

    monkeypatch.setattr(pack_module, "evaluate_pack", broken)
    other = tmp_path / "other.yaml"
    other.write_text("horizon_month: 3\n")  # a user error beside the bug
    results = render_packs([SAMPLE_PARAMS_FILE, other], tmp_path / "out")
    bug, user = results
    assert not bug.ok and not bug.user_error
    assert "ZeroDivisionError: a deliberate bug" in bug.error
    assert "Traceback (most recent call last)" in bug.traceback
    assert "broken" in bug.traceback  # names the function that failed
    assert not user.ok and user.user_error and "horizon_month" in user.error
    # a single pack does not swallow it at all
    with pytest.raises(ZeroDivisionError):
        render_pack(SAMPLE_PARAMS_FILE, tmp_path / "single")


def _contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_a_file_that_cannot_be_replaced_leaves_the_earlier_pack_whole(pack, tmp_path, monkeypatch):
    """A viewer holding the old PDF open (Windows refuses to rename it): nothing is replaced.

    Windows has no folder exchange, so the pack is published file by file there: the test
    refuses the exchange to take that path."""
    import errno

    import rhmodel.edges.atomic as atomic
    import rhmodel.edges.pack as pack_module

    def no_exchange(a, b):
        raise OSError(errno.ENOSYS, "no renameat2 here", str(a))

    monkeypatch.setattr(atomic, "exchange", no_exchange)
    out = tmp_path / "out"
    shutil.copytree(pack, out)
    (out / "renewal-pack.pdf").write_bytes(b"%PDF old")  # whatever the machine, an earlier PDF
    before = _contents(out)
    real_replace = os.replace

    def locked(src, dst):
        if Path(src) == out / "renewal-pack.pdf":
            raise PermissionError(13, "Permission denied", str(src))
        return real_replace(src, dst)

    monkeypatch.setattr(pack_module.os, "replace", locked)
    result = render_pack(SAMPLE_PARAMS_FILE, out, simulate=100, pdf=False)
    assert not result.ok and result.user_error
    assert "renewal-pack.pdf" in result.error and "earlier pack is unchanged" in result.error
    assert _contents(out) == before


def test_a_pdf_that_can_no_longer_be_made_is_removed_and_said(pack, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(pack, out)
    (out / "renewal-pack.pdf").write_bytes(b"%PDF from an earlier run")
    result = render_pack(SAMPLE_PARAMS_FILE, out, simulate=100, pdf=False)
    assert result.ok, result.error
    assert not (out / "renewal-pack.pdf").exists()  # no stale PDF beside the new files
    assert "renewal-pack.pdf" not in result.files
    assert any("renewal-pack.pdf not produced" in n for n in result.notes)
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_the_memo_page_stands_alone(pack):
    html = (pack / "renewal-pack.html").read_text(encoding="utf-8")
    # nothing fetched when opened: no scripts or stylesheets from anywhere, no MathJax
    assert not re.search(r"<script[^>]+src=", html, re.I)
    assert not re.search(r"<link[^>]+(stylesheet|href=[\"']https?:)", html, re.I)
    assert not re.search(r"https?://[^\"'\s]*\.(js|css|woff2?)", html, re.I)
    assert "mathjax" not in html.lower() and "require.js" not in html.lower()


@pytest.mark.skipif(os.name != "posix", reason="signals as POSIX sends them")
@pytest.mark.parametrize(
    ("sig", "code", "after"),
    [(signal.SIGTERM, 143, 0.8), (signal.SIGINT, 130, 0.8), (signal.SIGINT, 130, 3.5)],
)
def test_an_interrupted_report_cleans_up_and_says_so_in_one_line(tmp_path, sig, code, after):
    """Only this test's own report is looked at: its kernels are found by a marker in their
    environment (they start in sessions of their own, so not by process group), its sockets
    in a temporary directory of its own. Another kernel on the machine changes nothing.

    The kernel is launched before the pack is evaluated, so ``after`` 0.8 s the signal comes
    while the kernel starts and this process evaluates, and after 3.5 s usually while the
    notebook's cells run (both must stop the same way)."""
    out = tmp_path / "out"
    own_tmp = tmp_path / "tmp"
    own_tmp.mkdir()
    marker = f"rhmodel-test-{os.getpid()}-{sig}"
    env = {**os.environ, "TMPDIR": str(own_tmp), "RHMODEL_TEST_MARKER": marker}
    proc = subprocess.Popen(
        [sys.executable, "-m", "rhmodel", "report", "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    deadline = time.monotonic() + 120
    while not _marked_processes(marker, "ipykernel"):  # the notebook's kernel has started
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.05)
    time.sleep(after)
    proc.send_signal(sig)
    _stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == code, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr
    assert stderr.strip().splitlines()[-1].startswith("error: interrupted")
    # no half pack (the kernel is launched first, so an early signal comes before the
    # output folder is even made)
    assert not out.exists() or list(out.iterdir()) == []
    assert not list(tmp_path.glob(".rhmodel-pack-*"))  # no work folder beside it
    deadline = time.monotonic() + 60  # a guard only: the kernel is usually gone at once
    while _marked_processes(marker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _marked_processes(marker) == []
    assert not list(own_tmp.glob("rhmodel-kernel-*"))


def _marked_processes(marker: str, name: str = "") -> list[int]:
    """This test's own processes: those whose environment carries ``marker`` (read from
    /proc, so a kernel reparented after its parent died is still found)."""
    needle = f"RHMODEL_TEST_MARKER={marker}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if needle in environ.split(b"\0") and name.encode() in cmdline:
            found.append(int(entry.name))
    return found


needs_chromium = pytest.mark.skipif(
    chromium() is None and os.environ.get("CI") != "true",
    reason="Chromium is not installed on this machine; CI installs Debian's chromium and "
    "poppler-utils and runs this test",
)


@needs_chromium
def test_the_pdf_is_a_document_whose_first_page_is_the_decision(pack):
    assert shutil.which("pdftotext"), "CI must install poppler-utils"
    pdf = pack / "renewal-pack.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert 5 <= pages <= 40
    assert "Remote Help renewal decision" in re.search(r"Title:\s+(.*)", info).group(1)
    summary = json.loads((pack / "summary.json").read_text())
    for n in range(1, pages + 1):
        text = subprocess.run(
            ["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(pdf), "-"],
            capture_output=True,
            text=True,
        ).stdout
        assert f"Page {n} of {pages}" in text, n
        if n == 1:
            flat = " ".join(text.split())
            # the plan's sentence, with the deadline as people write dates
            assert " ".join(summary["plan"]["headline"].split()) in flat
            first = min(
                a["notice_by"] for a in summary["plan"]["actions"] if a["action"] != "renew"
            )
            y, m, d = (int(x) for x in first.split("-"))
            month = time.strftime("%B", (2000, m, 1, 0, 0, 0, 0, 1, -1))
            assert f"{d} {month} {y}" in flat
            assert "Next steps" in flat


@needs_chromium
@pytest.mark.parametrize(("width", "height"), [(1366, 768), (390, 844)])
def test_the_pack_html_fits_the_screen_at_laptop_and_phone_widths(pack, tmp_path, width, height):
    from playwright.sync_api import sync_playwright

    html = (pack / "renewal-pack.html").read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=", html)  # nothing loaded from elsewhere
    assert "<script" not in html.lower()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto((pack / "renewal-pack.html").as_uri())
        too_wide = page.evaluate(
            """() => {
                const limit = document.documentElement.clientWidth + 1;
                return [...document.querySelectorAll('body *')]
                    .filter(e => e.getBoundingClientRect().right > limit)
                    .slice(0, 5)
                    .map(e => e.tagName + '.' + e.className + ': ' +
                         Math.round(e.getBoundingClientRect().right));
            }"""
        )
        assert too_wide == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(tmp_path / f"pack-{width}.png"), full_page=True)
        browser.close()
    assert (tmp_path / f"pack-{width}.png").stat().st_size > 10_000


def test_an_organisation_name_cannot_break_out_of_the_page_header():
    from rhmodel.edges.pack import _css_string

    hostile = 'Acme"; } body { display: none } </style><script>alert(1)</script>\\'
    inner = _css_string(hostile)
    # inside a CSS string: no quote to end it, no angle bracket to end the style element,
    # no backslash left to escape what follows
    assert '"' not in inner and "<" not in inner and ">" not in inner
    assert "\\" + "22 " in inner and "\\" + "3c " in inner and inner.endswith("\\" + "5c ")


def test_a_relative_output_folder_works_as_make_report_uses_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = render_pack(SAMPLE_PARAMS_FILE, Path("reports") / "sample", simulate=200, pdf=False)
    assert result.ok, result.error
    assert (tmp_path / "reports" / "sample" / "summary.json").exists()


def test_a_notebook_with_a_cell_not_completed_is_an_interruption(tmp_path):
    """papermill's client can take Ctrl+C, shut the kernel down and return as if the notebook had
    run: a cell whose papermill status is not ``completed`` makes it an interruption, not a pack."""
    import nbformat

    from rhmodel.edges.pack import _raise_if_unfinished

    def notebook(statuses: list[str]) -> Path:
        nb = nbformat.v4.new_notebook(
            cells=[nbformat.v4.new_markdown_cell("# memo")]
            + [
                nbformat.v4.new_code_cell("x = 1", metadata={"papermill": {"status": s}})
                for s in statuses
            ]
        )
        path = tmp_path / f"{'-'.join(statuses)}.ipynb"
        nbformat.write(nb, path)
        return path

    _raise_if_unfinished(notebook(["completed", "completed"]))  # a whole run: nothing raised
    for statuses in (["completed", "pending"], ["running", "pending"], ["completed", ""]):
        with pytest.raises(KeyboardInterrupt):
            _raise_if_unfinished(notebook(statuses))
