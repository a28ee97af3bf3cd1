"""``rhmodel pilot import | collect | status`` end to end, against a replayed BeyondTrust site on
127.0.0.1 (shapes: see tests/edges/test_collectors.py)."""

from __future__ import annotations

import json

from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE
from rhmodel.faces.cli import main
from tests.edges.collector_replay import Replay, Seen, ok_json, ok_xml, status
from tests.edges.test_collectors import DAY, T0, _bt_list, _bt_session, _bt_usage


def _params(tmp_path, url: str) -> str:
    text = SAMPLE_PARAMS_FILE.read_text()
    assert "  files: [../sample/pilot]" in text
    text = text.replace(
        "  files: [../sample/pilot]",
        "  store: store\n  start_date: 2026-11-23\n  sources:\n"
        f"    - {{type: beyondtrust, site_url: '{url}', client_id: c, secret_env: RHM_TEST_BT}}",
    )
    path = tmp_path / "params.yaml"
    path.write_text(text)
    return str(path)


def test_collect_then_status_json_and_table(tmp_path, monkeypatch, capsys):
    def answer(req: Seen):
        if req.path == "/oauth2/token":
            return ok_json({"access_token": "tok", "token_type": "Bearer", "expires_in": 3600})
        start = int(req.query["start_time"])
        if req.query["generate_report"] == "LicenseUsage":
            return ok_xml(_bt_usage(2))
        if start == T0 + DAY:
            return status(500)
        return ok_xml(
            _bt_list(_bt_session(f"s{start}", start + 9 * 3600, start + 10 * 3600, "Rita"))
        )

    monkeypatch.setenv("RHM_TEST_BT", "bt-cli-SECRET")
    for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(proxy, raising=False)  # the replayed site is on 127.0.0.1: no proxy
    with Replay(answer) as api:
        params = _params(tmp_path, api.url)
        code = main(["pilot", "collect", params, "--since", "2026-11-23"])
    out = capsys.readouterr()
    assert code == 1  # one window failed: logged, fetched again next run
    assert "beyondtrust: partly failed" in out.out and "1 failed" in out.out
    assert "[" in out.err and "fetched again next run" in out.err  # progress on stderr
    assert "bt-cli-SECRET" not in out.out + out.err

    assert main(["pilot", "status", "--params", params, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert list(doc)[:4] == ["weeks", "sufficient", "retention_warning", "deadline_warning"]
    assert set(doc["weeks"][0]) >= {
        "week",
        "sessions_by_tool",
        "residual_share",
        "unexplained",
        "pool",
    }
    assert doc["weeks"][0]["week"] == "2026-W48"
    assert isinstance(doc["sufficient"], bool)
    # sessions on the days fetched before today; the failed day (24 Nov) has none yet
    assert sum(w["sessions_by_tool"].get("beyondtrust", 0) for w in doc["weeks"]) >= 1
    assert main(["pilot", "status", params]) == 0
    table = capsys.readouterr().out
    assert "2026-W48" in table and "Sufficiency:" in table


def test_import_twice_then_errors_are_one_line(tmp_path, capsys):
    export = tmp_path / "SupportSession.xml"
    export.write_text(_bt_list(_bt_session("A", T0 + 3600, T0 + 5400, "Rita")))
    params = _params(tmp_path, "https://support.example.com")
    assert main(["pilot", "import", str(export), "--params", params]) == 0
    assert "1 new" in capsys.readouterr().out
    assert main(["pilot", "import", str(export), "--params", params]) == 0
    assert "imported before — nothing changed" in capsys.readouterr().out
    assert main(["pilot", "collect", params, "--since", "23/11/2026"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --since: not a date") and err.count("\n") == 1
    assert main(["pilot", "import", str(export)]) == 2
    assert "--store DIR" in capsys.readouterr().err


def test_a_bad_source_is_one_located_line(tmp_path, capsys):
    params = _params(tmp_path, "http://support.example.com")  # not https, not loopback
    assert main(["pilot", "collect", params]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1
    assert "pilot.sources" in err and "[0].site_url" in err and "https://" in err


def test_the_last_week_of_the_status_is_what_rhmodel_pool_says(tmp_path):
    """Oracle: `rhmodel pool`'s own report of the sample pilot (pilotfiles.pilot_report) — the
    status's last week holds every session, so its pool and residual share are the same."""
    from rhmodel.edges.paramfile import load_parameters
    from rhmodel.edges.pilotfiles import pilot_report
    from rhmodel.faces.pilot_commands import status_of

    params = load_parameters(SAMPLE_PARAMS_FILE)
    report = pilot_report(params)
    last = status_of(params, replicates=2).weeks[-1]
    assert last.pool == {t: s.recommended_licenses for t, s in report.tools.items()}
    assert last.residual_share == report.residual_share
    assert last.unexplained == report.unexplained_sessions
