"""Pilot evidence end to end: classification, the sample in two shapes, the CLI, the cost model."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from rhmodel.core.jsonable import jsonable
from rhmodel.core.pilot.pool import peak_concurrency
from rhmodel.core.pilot.sessions import classify
from rhmodel.edges.bundled import (
    SAMPLE_CANONICAL_DIR,
    SAMPLE_PARAMS_FILE,
    SAMPLE_PILOT_DIR,
    load_capabilities,
)
from rhmodel.edges.paramfile import load_parameters
from rhmodel.edges.pilotfiles import load_pilot
from rhmodel.edges.synthetic import generate_sessions, write_sample
from rhmodel.errors import InputError

OPTS = {"timezone": "Europe/London", "tenant_domains": ["example.com"]}


@pytest.fixture(scope="module")
def vendor():
    return load_pilot([SAMPLE_PILOT_DIR], load_capabilities(), **OPTS)


@pytest.fixture(scope="module")
def canonical():
    # the same organisation's device inventory (it sits beside the vendor exports)
    devices = [SAMPLE_PILOT_DIR / "intune-devices.csv"]
    return load_pilot([SAMPLE_CANONICAL_DIR], load_capabilities(), devices=devices, **OPTS)


def _eligible_in_truth(truth: pd.DataFrame) -> np.ndarray:
    """Unattended sessions to the sample's eligible PCs, counted from how the generator states
    its inventory (PC-k: ARM64 when k % 40 == 7, personal when k % 60 == 11; Cloud PCs and
    servers never), not from rhmodel's rules."""
    k = truth["device"].str.extract(r"^PC-(\d{4})$")[0]
    pc = (truth["target"] == "pc") & k.notna()
    n = k.fillna("-1").astype(int)
    return (pc & (n % 40 != 7) & (n % 60 != 11)).to_numpy()


def _figures(report):
    d = jsonable(report)
    for key in ("duplicates_dropped", "files", "open_sessions"):
        d.pop(key)
    for tool in d["tools"].values():
        # how many spellings each person had is a fact about the file (the vendor exports
        # name people by e-mail and display name; the canonical CSV by one spelling), not a figure
        tool.pop("technicians_merged", None)
    return d


def test_vendor_exports_and_canonical_csv_give_identical_figures(vendor, canonical):
    assert _figures(vendor) == _figures(canonical)
    assert vendor.duplicates_dropped > 0 and canonical.duplicates_dropped == 0
    # issue 27: the sample's folder also holds its Intune device export (the inventory)
    assert {f.format for f in vendor.files} == {
        "intune_graph",
        "logmein_csv",
        "beyondtrust_xml",
        "intune_devices",
    }


def test_bundled_sample_is_what_the_generator_writes(tmp_path):
    # data/sample/ is generated, not hand-edited: regenerating gives the same bytes.
    write_sample(generate_sessions(), tmp_path / "pilot", tmp_path / "canonical")
    for folder, bundled in (("pilot", SAMPLE_PILOT_DIR), ("canonical", SAMPLE_CANONICAL_DIR)):
        for f in bundled.iterdir():
            assert (tmp_path / folder / f.name).read_bytes() == f.read_bytes(), f.name


def test_report_counts_against_the_generated_truth(vendor):
    truth = generate_sessions()
    assert vendor.sessions_total == len(truth)
    # issue 27: unattended work on eligible corporate PCs is movable now, the rest residual
    eligible = _eligible_in_truth(truth)
    assert vendor.unattended_windows_eligible == int(eligible.sum()) > 0
    residual = truth[(truth["tool"] != "remote_help").to_numpy() & ~eligible]
    assert vendor.residual_sessions == len(residual)
    assert vendor.residual_by_reason == {
        r: int(n) for r, n in residual["reason"].value_counts().items() if n
    }
    assert sum(vendor.residual_by_reason.values()) == vendor.residual_sessions
    assert vendor.residual_share == pytest.approx(len(residual) / len(truth))
    for tool, sizing in vendor.tools.items():
        rows = residual[residual["tool"] == tool]
        assert sizing.peak_concurrent_sessions == peak_concurrency(
            rows["start"].to_numpy(), rows["end"].to_numpy()
        )
        assert sizing.distinct_technicians == rows["technician"].nunique()


def test_the_plain_command_gives_the_same_figures(cli, vendor):
    # `rhmodel pool data/sample/pilot/*` with no options: the exports carry their offsets and
    # tags, and the pilot ran in winter, when Europe/London is UTC.
    r = cli("pool", *sorted(SAMPLE_PILOT_DIR.iterdir()), "--format", "json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    want = jsonable(vendor)
    for key in (
        "sessions_total",
        "duplicates_dropped",
        "residual_sessions",
        "residual_by_reason",
        "sessions_by_tool",
    ):
        assert out[key] == want[key], key
    for tool in want["tools"]:
        assert (
            out["tools"][tool]["recommended_licenses"]
            == (want["tools"][tool]["recommended_licenses"])
        )


def test_json_contract(cli):
    r = cli(
        "pool",
        *sorted(SAMPLE_PILOT_DIR.iterdir()),
        "--timezone",
        "Europe/London",
        "--tenant-domain",
        "example.com",
        "--format",
        "json",
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    for key in (
        "sessions_total",
        "duplicates_dropped",
        "sessions_by_tool",
        "residual_sessions",
        "residual_share",
        "residual_by_reason",
        "tools",
    ):
        assert key in out
    assert set(out["tools"]) == {"logmein_resolve", "beyondtrust"}
    for tool in out["tools"].values():
        for key in (
            "peak_concurrent_sessions",
            "peak_concurrent_technicians",
            "distinct_technicians",
            "daily_peak_max",
            "daily_peak_p95",
            "erlang_b_servers",
            "recommended_licenses",
            "rule",
        ):
            assert key in tool
        assert isinstance(tool["recommended_licenses"], int) and tool["rule"]


def test_table_and_params_route_agree(cli):
    table = cli(
        "pool", SAMPLE_PILOT_DIR, "--timezone", "Europe/London", "--tenant-domain", "example.com"
    )
    assert table.returncode == 0, table.stderr
    assert "Residual (not served by Remote Help)" in table.stdout
    assert "named agents" in table.stdout and "logged-in representatives" in table.stdout
    assert max(len(x) for x in table.stdout.splitlines()) <= 100
    a = json.loads(cli("pool", "--params", SAMPLE_PARAMS_FILE, "--format", "json").stdout)
    b = json.loads(
        cli(
            "pool",
            SAMPLE_PILOT_DIR,
            "--timezone",
            "Europe/London",
            "--tenant-domain",
            "example.com",
            "--format",
            "json",
        ).stdout
    )
    a.pop("files"), b.pop("files")
    assert a == b


def test_cost_model_uses_the_pilot_pool_when_residual_is_absent(vendor):
    p = load_parameters(SAMPLE_PARAMS_FILE)
    for tool, key in (
        ("logmein_resolve", "residual.logmein_agents"),
        ("beyondtrust", "residual.beyondtrust_seats"),
    ):
        v = p.value(key)
        assert v.origin == "pilot"
        assert v.value == vendor.tools[tool].recommended_licenses
        assert "pilot evidence" in v.source and vendor.tools[tool].rule in v.source
    # an explicit value wins, and an override keeps the pilot's value for the other key
    q = load_parameters(SAMPLE_PARAMS_FILE, ["residual.logmein_agents=3"])
    assert q["residual.logmein_agents"] == 3 and q.value("residual.logmein_agents").origin == (
        "--set"
    )
    assert q.value("residual.beyondtrust_seats").origin == "pilot"
    assert (
        p.with_overrides(["discount_rate=0.05"]).value("residual.beyondtrust_seats").origin
        == "pilot"
    )


def test_pilot_pool_is_capped_at_the_contract(tmp_path):
    text = SAMPLE_PARAMS_FILE.read_text().replace("concurrent_seats: 12", "concurrent_seats: 3")
    text = text.replace("../sample/pilot", str(SAMPLE_PILOT_DIR))
    path = tmp_path / "small.yaml"
    path.write_text(text)
    p = load_parameters(path)
    assert p["residual.beyondtrust_seats"] == 3
    assert "Capped at the 3 held today" in p.value("residual.beyondtrust_seats").source


def _one(tool, **cols):
    base = {
        "session_id": "x",
        "tool": tool,
        "start": 0,
        "end": 60,
        "technician": "t",
        "reason": "",
        "session_type": "",
        "sharer": "",
        "platform": "",
        "file": "f",
        "line": 2,
    }
    base.update(cols)
    return pd.DataFrame([base])


@pytest.mark.parametrize(
    ("tool", "cols", "domains", "residual", "reason"),
    [
        ("remote_help", {}, (), False, ""),
        ("remote_help", {"session_type": "unattended", "platform": "android"}, (), False, ""),
        ("beyondtrust", {"reason": "pam"}, (), True, "pam"),
        ("beyondtrust", {"session_type": "jump"}, (), True, "unattended"),
        ("logmein_resolve", {"sharer": "a@partner.com"}, ("example.com",), True, "external"),
        ("logmein_resolve", {"sharer": "a@example.com"}, ("example.com",), False, ""),
        ("logmein_resolve", {"sharer": "a@partner.com"}, (), False, ""),  # unknown tenant: no call
        ("logmein_resolve", {"platform": "linux"}, (), True, "platform"),
        ("logmein_resolve", {"platform": "windows"}, (), False, ""),
        ("beyondtrust", {"reason": "other"}, (), True, "other"),
    ],
)
def test_classification_rules(matrix, tool, cols, domains, residual, reason):
    out = classify(_one(tool, **cols), matrix, domains).sessions.iloc[0]
    assert bool(out["residual"]) is residual
    assert out["primary_reason"] == reason


def test_pool_bad_input(cli, tmp_path):
    r = cli("pool", tmp_path / "nope.csv")
    assert r.returncode == 2 and r.stderr.startswith("error: ")
    r = cli("pool", SAMPLE_PILOT_DIR, "--headroom", "-1")
    assert r.returncode == 2 and "argument --headroom: out of range (-1)" in r.stderr
    r = cli("pool", SAMPLE_PILOT_DIR, "--timezone", "Mars/Base")
    assert r.returncode == 2 and r.stderr.startswith("error: --timezone: unknown time zone")
    r = cli("pool")
    assert r.returncode == 2 and "no pilot exports given" in r.stderr


def test_empty_day_counts_as_zero_peak():
    # Days of the pilot without residual work must pull the p95 down, not vanish.
    from rhmodel.core.pilot.pool import size_tool

    day = 86_400
    t0 = 1_798_761_600  # a Monday 00:00 UTC
    starts = np.array([t0 + 9 * 3600, t0 + 9 * 3600 + 60])
    ends = starts + 600
    z = size_tool("beyondtrust", np.array([0, 1]), starts, ends, "UTC", span=(t0, t0 + 4 * day + 1))
    assert z.daily.peaks.tolist() == [2, 0, 0, 0, 0]
    assert z.daily_peak_max == 2


def test_pilot_errors_reach_parameters(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "session_id,tool,start,end,technician,reason\ns1,beyondtrust,2027-01-04T09:00:00Z,,ann,\n"
    )
    params = tmp_path / "p.yaml"
    params.write_text(
        "logmein: {agents: 3, price_per_agent_month: 40, months_to_renewal: 1}\n"
        "beyondtrust: {concurrent_seats: 3, price_per_seat_year: 100, "
        "months_to_renewal: 1}\n"
        "pilot: {files: [bad.csv]}\n"
    )
    with pytest.raises(InputError, match=r"bad\.csv:2: an incumbent session"):
        load_parameters(params)


def test_undeclared_needs_flag_requirements_the_pilot_contradicts(vendor, matrix):
    from rhmodel.core.pilot.evidence import undeclared_needs

    p = load_parameters(SAMPLE_PARAMS_FILE)
    reqs = {k: p[k] for k in p.values if k.startswith("requirements.")}
    gaps = undeclared_needs(vendor, matrix, reqs)
    assert {c for c, _, _ in gaps} == {
        "external_support",
        "unattended",
        "privileged_access",
        "session_recording",
        "rmm_ticketing",
        "platforms",
    }
    assert (
        dict((c, n) for c, _, n in gaps)["privileged_access"] == (vendor.residual_by_reason["pam"])
    )
    declared = {k: True for k in reqs}
    assert undeclared_needs(vendor, matrix, declared) == []
