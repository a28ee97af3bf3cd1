"""The explorer: in-process against rhmodel scenarios, and once in a real browser."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from rhmodel.core.params import spec
from rhmodel.edges.browser import FLAGS as BROWSER_FLAGS
from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE
from rhmodel.faces.explorer import CONTROLS, Explorer


@pytest.fixture(scope="module")
def explorer():
    return Explorer.from_file(SAMPLE_PARAMS_FILE)


def _scenarios(cli, *sets: str) -> dict:
    args = [a for s in sets for a in ("--set", s)]
    r = cli("scenarios", SAMPLE_PARAMS_FILE, *args, "--format", "json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def _shown(app: Explorer) -> dict[str, float]:
    return {s.name: s.npv for s in app.evaluation.analysis.scenarios}


CHANGES = [
    ("logmein.price_per_agent_month", 94.0),
    ("logmein.agents", 75),
    ("beyondtrust.concurrent_seats", 15),
    ("beyondtrust.price_per_seat_year", 3200.0),
    ("residual.logmein_agents", 15),
    ("residual.beyondtrust_seats", 10),
    ("logmein.months_to_renewal", 4),
    ("discount_rate", 7.0),  # a percentage in the box: 0.07 in the parameters
    ("horizon_months", 24),
]


@pytest.mark.parametrize(("key", "value"), CHANGES)
def test_a_control_change_equals_rhmodel_scenarios(explorer, cli, key, value):
    # the explorer's own values, so that every other control is as the file has it
    app = Explorer.from_file(SAMPLE_PARAMS_FILE)
    app.controls[key].value = value
    fixed = [
        f"{k}={app.value(k)}" for k in app.controls if spec(k).kind in ("int", "float", "choice")
    ]
    want = _scenarios(cli, *fixed)
    got = _shown(app)
    for s in want["scenarios"]:
        assert got[s["name"]] == pytest.approx(s["npv"], abs=0.005), (key, s["name"])
    assert app.evaluation.analysis.recommended == want["recommended"]
    table = app.table.value
    right = next(s for s in want["scenarios"] if s["name"] == "right_size")
    # whole dollars, as the pack writes them
    assert f"US${right['npv']:,.0f}<" in table.replace("−", "-")


def test_add_on_licensing_and_simulation(cli):
    app = Explorer.from_file(SAMPLE_PARAMS_FILE)
    app.controls["remote_help.licensed_users"].value = 400
    app.controls["remote_help.licensing"].value = "add_on"
    app.simulate.value = True
    assert app.evaluation.simulation is not None
    assert app.distribution.layout.display == ""
    assert "data:image/svg+xml;base64," in app.distribution.value
    want = _scenarios(
        cli,
        *[
            f"{k}={app.value(k)}"
            for k in app.controls
            if spec(k).kind in ("int", "float", "choice")
        ],
    )
    assert _shown(app)["right_size"] == pytest.approx(
        next(s["npv"] for s in want["scenarios"] if s["name"] == "right_size"), abs=0.005
    )
    assert "Illustrative inputs" in app.illustrative.value


def test_invalid_input_keeps_the_last_valid_result():
    app = Explorer.from_file(SAMPLE_PARAMS_FILE)
    app.controls["logmein.price_per_agent_month"].value = 60.0
    before = _shown(app)
    table = app.table.value
    app.controls["residual.beyondtrust_seats"].value = 99  # more than the 12 held
    assert "Not valid" in app.message.value and "larger than the current" in app.message.value
    assert "Traceback" not in app.message.value
    assert _shown(app) == before and app.table.value == table
    app.controls["residual.beyondtrust_seats"].value = 2  # valid again: message clears
    assert app.message.value == ""


def test_saved_yaml_round_trips_through_rhmodel_scenarios(tmp_path, cli):
    app = Explorer.from_file(SAMPLE_PARAMS_FILE)
    app.controls["logmein.price_per_agent_month"].value = 81.5
    app.controls["residual.beyondtrust_seats"].value = 4
    path = app.save_yaml(tmp_path / "what-if.yaml")
    r = cli("scenarios", path, "--format", "json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    for s in out["scenarios"]:
        assert s["npv"] == pytest.approx(_shown(app)[s["name"]], abs=0.005)
    assert "download" in app.links.value


def test_workbook_download(explorer):
    explorer.offer_workbook()
    assert 'download="renewal-model.xlsx"' in explorer.links.value
    assert explorer.workbook_bytes()[:2] == b"PK"  # a zip: an .xlsx


def test_every_control_takes_its_bounds_from_the_schema():
    for c in CONTROLS:
        s = spec(c.key)
        assert (c.kind, c.low, c.high) == (s.kind, s.minimum, s.maximum), c.key
        if c.kind in ("int", "float"):
            assert c.low is not None and (c.high is None or c.high > c.low), c.key
    renewal = next(c for c in CONTROLS if c.key == "logmein.months_to_renewal")
    assert renewal.high == 600  # the schema's bound, not a widget's own


def test_a_value_outside_the_seed_range_is_taken_not_clamped():
    from rhmodel.edges.paramfile import load_parameters

    # a plain price (not a range): any price the schema accepts is taken as typed
    explorer = Explorer(load_parameters(SAMPLE_PARAMS_FILE, ["logmein.price_per_agent_month=45"]))
    explorer.controls["logmein.price_per_agent_month"].value = 120.0
    assert explorer.evaluation.params["logmein.price_per_agent_month"] == 120.0
    explorer.controls["logmein.months_to_renewal"].value = 200
    assert explorer.evaluation.params["logmein.months_to_renewal"] == 200
    explorer.controls["logmein.months_to_renewal"].value = 601  # above the schema's 600
    assert "too large" in explorer.message.value
    assert explorer.evaluation.params["logmein.months_to_renewal"] == 200


def test_an_untouched_range_stays_a_range():
    explorer = Explorer.from_file(SAMPLE_PARAMS_FILE)
    explorer.controls["discount_rate"].value = 8.0
    price = explorer.evaluation.params.value("logmein.price_per_agent_month")
    assert price.uncertain is not None and price.uncertain.low == 29
    assert "logmein.price_per_agent_month" in explorer.evaluation.params.illustrative_inputs()


# ---- a real browser -------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
HAVE_CHROMIUM = Path(CHROMIUM).exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(
    not HAVE_CHROMIUM and os.environ.get("CI") != "true",
    reason="Chromium (/usr/bin/chromium) is not installed on this machine; CI "
    "installs Debian's chromium and runs this test",
)
def test_explorer_in_a_real_browser(tmp_path):
    from playwright.sync_api import sync_playwright

    from rhmodel.core.money.scenarios import analyse
    from rhmodel.edges.bundled import load_capabilities
    from rhmodel.edges.paramfile import load_parameters

    port = _free_port()
    log = (tmp_path / "explore.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "rhmodel",
            "explore",
            "--params",
            str(SAMPLE_PARAMS_FILE),
            "--port",
            str(port),
            "--no-browser",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while True:  # the URL it prints carries the token
            found = re.search(r"(http://127\.0\.0\.1:\d+/\?token=[\w-]+)", _read(tmp_path))
            if found:
                try:
                    urllib.request.urlopen(base, timeout=5)
                    break
                except urllib.error.HTTPError:
                    break  # answering (with a refusal): it is up
                except OSError:
                    pass
            assert proc.poll() is None, _read(tmp_path)
            assert time.monotonic() < deadline, "the explorer did not start in 90 s"
            time.sleep(0.5)
        url = found.group(1)
        token = url.split("token=", 1)[1]
        _check_the_door_is_locked(port, token)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM,
                # the pack's own flags (playwright adds its headless mode)
                args=[f for f in BROWSER_FLAGS if f != "--headless"],
            )
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url)
            npv = page.locator(".rh-npv-right_size")
            npv.wait_for(timeout=120_000)
            text = page.inner_text("body")
            for leak in ("from rhmodel", "app(params_path)", "params_path =", "Traceback"):
                assert leak not in text, leak
            before = npv.inner_text()
            price = page.locator(".rh-logmein-price-per-agent-month input")
            price.fill("94")
            price.press("Enter")
            params = load_parameters(SAMPLE_PARAMS_FILE, ["logmein.price_per_agent_month=94"])
            want = analyse(params, load_capabilities()).scenario("right_size").npv
            expected = f"US${want:,.0f}"
            page.wait_for_function(
                "e => document.querySelector('.rh-npv-right_size')?.innerText === e",
                arg=expected,
                timeout=60_000,
            )
            assert npv.inner_text() == expected != before
            page.screenshot(path=str(tmp_path / "explorer.png"), full_page=True)
            assert (tmp_path / "explorer.png").stat().st_size > 10_000
            for width, height in ((1366, 768), (390, 844)):
                page.set_viewport_size({"width": width, "height": height})
                page.wait_for_timeout(500)
                hidden = page.evaluate(_EVERY_INPUT_VISIBLE)
                assert hidden == [], (width, hidden)
                assert page.evaluate("document.documentElement.scrollWidth") <= width
                units = page.locator(".rh-unit")
                assert units.count() >= 10 and units.first.is_visible()
                for which in ("first", "last"):
                    seen = page.evaluate(_INPUT_AND_RESULT_IN_VIEW, which)
                    if width == 1366:
                        # an input and its effect on one screen: the first and the last
                        # control, each scrolled to, with the NPV still in view beside it
                        assert seen["input"] and seen["npv"], (which, seen)
                    # on a phone too, the table keeps the NPV and the payback of a scenario
                    assert seen["cells"] == {"NPV": True, "Payback": True}, seen
                page.screenshot(path=str(tmp_path / f"explorer-{width}.png"), full_page=True)
            # the IT lead's question: what if every session must be recorded?
            switch = page.locator(".rh-requirements-mandatory-session-recording select")
            switch.select_option(label="every session")
            page.wait_for_function(
                "() => document.querySelector('.rh-verdict')?.innerText.includes('Verdict: Keep')",
                timeout=60_000,
            )
            browser.close()
    finally:
        proc.terminate()  # SIGTERM: the explorer must take Voilà and every kernel with it
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
    assert proc.returncode == 143, _read(tmp_path)
    connections = re.search(r"Storing connection files in (\S+)\.", _read(tmp_path)).group(1)
    time.sleep(1)
    left = subprocess.run(["pgrep", "-f", connections], capture_output=True, text=True).stdout
    assert left == "", f"kernels left running: {left}"
    with socket.socket() as s:  # nothing listens on the port any more
        assert s.connect_ex(("127.0.0.1", port)) != 0


# Every input box and list of the explorer, scrolled into view: fully inside the viewport's
# width, and the element found at its centre is the box itself (nothing covers it).
_EVERY_INPUT_VISIBLE = """() => {
    const bad = [];
    for (const el of document.querySelectorAll('.rh-input input, .rh-input select')) {
        el.scrollIntoView({block: 'center', inline: 'nearest'});
        const r = el.getBoundingClientRect();
        const inside = r.width > 0 && r.left >= 0 && r.right <= window.innerWidth + 1;
        const hit = document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2);
        const free = hit !== null && (hit === el || el.contains(hit));
        if (!inside || !free) {
            bad.push(el.closest('.rh-input').className + ' ' + Math.round(r.left) + '-' +
                     Math.round(r.right));
        }
    }
    return bad;
}"""


_INPUT_AND_RESULT_IN_VIEW = """which => {
    const inputs = [...document.querySelectorAll('.rh-input input, .rh-input select')];
    const input = which === 'first' ? inputs[0] : inputs[inputs.length - 1];
    input.scrollIntoView({block: 'center'});
    const inView = e => { if (!e) return false; const r = e.getBoundingClientRect();
        return r.width > 0 && r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 &&
               r.right <= innerWidth + 1; };
    const shown = e => { if (!e) return false; const r = e.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && r.right <= innerWidth + 1; };
    const row = document.querySelector('.rh-npv-right_size')?.closest('tr');
    const cells = {};
    for (const name of ['NPV', 'Payback']) {
        cells[name] = shown(row?.querySelector(`td[data-label="${name}"]`));
    }
    return {input: inView(input), npv: inView(document.querySelector('.rh-npv-right_size')),
            cells};
}"""


def _read(tmp_path: Path) -> str:
    return (tmp_path / "explore.log").read_text(errors="replace")


def _status(port: int, path: str, headers: dict[str, str]) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers=headers)
    status = conn.getresponse().status
    conn.close()
    return status


def _check_the_door_is_locked(port: int, token: str) -> None:
    """No token, a foreign Host (DNS rebinding) or a foreign Origin on the kernel websocket: no
    access; the token opens the page."""
    import asyncio

    from tornado.httpclient import HTTPClientError, HTTPRequest
    from tornado.websocket import websocket_connect

    here = f"127.0.0.1:{port}"
    assert _status(port, "/", {"Host": here}) == 403  # refused, not sent to a login page
    assert _status(port, f"/?token={token}", {"Host": "attacker.example"}) == 403
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", f"/?token={token}", headers={"Host": here})
    response = conn.getresponse()
    page = response.read().decode()
    cookie = "; ".join(
        v.split(";", 1)[0] for k, v in response.getheaders() if k.lower() == "set-cookie"
    )
    conn.close()
    assert response.status == 200
    kernel = re.search(r'kernelId": "([^"]+)', page).group(1)

    async def websocket(origin: str) -> int:
        request = HTTPRequest(
            f"ws://{here}/api/kernels/{kernel}/channels",
            headers={"Origin": origin, "Cookie": cookie},
        )
        try:
            (await websocket_connect(request)).close()
            return 101
        except HTTPClientError as exc:
            return exc.code

    assert asyncio.run(websocket("http://attacker.example")) == 403
    assert asyncio.run(websocket(f"http://{here}")) == 101


def _kernels(connections: str) -> int:
    out = subprocess.run(["pgrep", "-f", connections], capture_output=True, text=True).stdout
    return len(out.split())


def test_explorer_caps_and_culls_its_kernels(tmp_path):
    """Page loads start kernels: at most MAX_KERNELS at once (then 503), and a kernel whose page
    is gone is shut down after --idle-minutes."""
    from rhmodel.faces.explorer_server import MAX_KERNELS

    port = _free_port()
    log = (tmp_path / "explore.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "rhmodel",
            "explore",
            "--port",
            str(port),
            "--no-browser",
            "--idle-minutes",
            "0.1",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        while "Voil" not in _read(tmp_path) or "running at" not in _read(tmp_path):
            assert proc.poll() is None and time.monotonic() < deadline, _read(tmp_path)
            time.sleep(0.5)
        token = re.search(r"token=([\w-]+)", _read(tmp_path)).group(1)
        connections = re.search(r"Storing connection files in (\S+)\.", _read(tmp_path)).group(1)
        here = {"Host": f"127.0.0.1:{port}"}
        statuses = [_status(port, f"/?token={token}", here) for _ in range(MAX_KERNELS + 1)]
        assert statuses[:MAX_KERNELS] == [200] * MAX_KERNELS
        assert statuses[MAX_KERNELS] == 503
        assert _kernels(connections) == MAX_KERNELS
        deadline = time.monotonic() + 60  # idle 6 s, culler every 3 s
        while _kernels(connections) and time.monotonic() < deadline:
            time.sleep(1)
        assert _kernels(connections) == 0
        assert _status(port, f"/?token={token}", here) == 200  # room again
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def test_moving_a_ranged_input_moves_its_mode_and_keeps_range_flag_and_source(tmp_path):
    explorer = Explorer.from_file(SAMPLE_PARAMS_FILE)
    explorer.controls["logmein.price_per_agent_month"].value = 60.0
    v = explorer.evaluation.params.value("logmein.price_per_agent_month")
    assert (v.uncertain.low, v.uncertain.mode, v.uncertain.high) == (29, 60, 94)
    assert v.illustrative
    explorer.controls["logmein.price_per_agent_month"].value = 120.0  # outside the range
    assert "outside the range given for it (29 to 94)" in explorer.message.value
    assert explorer.evaluation.params["logmein.price_per_agent_month"] == 60
    saved = explorer.save_yaml(tmp_path / "saved.yaml")
    again = Explorer.from_file(saved).evaluation.params.value("logmein.price_per_agent_month")
    assert again.uncertain == v.uncertain and again.illustrative


def test_the_simulation_with_ranges_is_the_packs():
    from rhmodel.core.money.evaluation import evaluate
    from rhmodel.edges.bundled import load_capabilities
    from rhmodel.edges.paramfile import load_parameters
    from rhmodel.faces.explorer import SIMULATION_DRAWS

    app = Explorer.from_file(SAMPLE_PARAMS_FILE)
    app.simulate.value = True
    pack = evaluate(
        load_parameters(SAMPLE_PARAMS_FILE), load_capabilities(), draws=SIMULATION_DRAWS, seed=0
    )
    got = app.evaluation.simulation.scenarios
    for name, want in pack.simulation.scenarios.items():
        assert (got[name].npv_p10, got[name].npv_p90) == (want.npv_p10, want.npv_p90), name
    # moving a range's high end moves the distribution, not the single figure
    det = app.evaluation.analysis.scenario("right_size").npv
    _low, high = app.range_controls["logmein.price_per_agent_month"]
    high.value = 60.0
    assert app.evaluation.params.value("logmein.price_per_agent_month").uncertain.high == 60.0
    assert app.evaluation.analysis.scenario("right_size").npv == det
    assert app.evaluation.simulation.scenarios["right_size"].npv_p90 < got["right_size"].npv_p90


def test_requirement_switches_and_accept_drive_the_plan(cli):
    app = Explorer.from_file(SAMPLE_PARAMS_FILE)
    assert app.evaluation.plan.headline in app.verdict.value
    app.controls["requirements.mandatory_session_recording"].value = "all"
    want = _scenarios(cli, "requirements.mandatory_session_recording=all")
    assert app.evaluation.analysis.decision.verdict == want["verdict"] == "keep"
    assert app.evaluation.analysis.recommended == want["recommended"] == "status_quo"
    app.controls["requirements.mandatory_session_recording"].value = False
    codes = tuple(sorted(app.evaluation.params.observed_residual))
    app.controls["decision.accept"].value = codes
    want = _scenarios(cli, f"decision.accept=[{', '.join(codes)}]")
    assert app.evaluation.analysis.recommended == want["recommended"] == "cancel"
    assert app.evaluation.plan.npv == pytest.approx(want["plan"]["npv"], abs=0.005)
    assert "written notice" in app.verdict.value or "notice by" in app.verdict.value


def test_rates_read_as_percentages_and_money_in_whole_units():
    app = Explorer.from_file(SAMPLE_PARAMS_FILE)
    assert app.controls["discount_rate"].value == 10.0  # 0.10 in the parameters file
    assert app.value("discount_rate") == 0.10
    app.controls["discount_rate"].value = 7.5
    assert app.evaluation.params["discount_rate"] == 0.075
    assert "discount rate 7.5% a year" in app.table.value
    # whole currency units, a true minus, the scenario's words rather than its id
    assert not re.search(r"\d\.\d\d<", app.table.value)
    assert "right_size<" not in app.table.value and "Right-size" in app.table.value


def test_the_simulation_is_labelled_truthfully_and_is_the_packs_for_the_same_inputs():
    import inspect

    from rhmodel.edges.pack import evaluate_pack, render_pack
    from rhmodel.edges.paramfile import load_parameters
    from rhmodel.faces.explorer import SIMULATION_DRAWS

    # the pack's own default, not a copy of a number: if the pack's default moves, this fails
    assert inspect.signature(render_pack).parameters["simulate"].default == SIMULATION_DRAWS
    app = Explorer.from_file(SAMPLE_PARAMS_FILE)
    assert f"{SIMULATION_DRAWS:,} draws" in app.simulate.description
    app.simulate.value = True
    pack = evaluate_pack(load_parameters(SAMPLE_PARAMS_FILE), SIMULATION_DRAWS, 0)
    for name, want in pack.evaluation.simulation.scenarios.items():
        got = app.evaluation.simulation.scenarios[name]
        assert (got.npv_p10, got.npv_p90) == (want.npv_p10, want.npv_p90), name
    assert app.evaluation.simulation.draws == pack.evaluation.simulation.draws
