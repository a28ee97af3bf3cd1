"""Hostile and malformed input, one case per class: each is refused with one ``error:`` line and
exit 2 — no traceback, no number on stdout, nothing on disk changed — or, where the input is
legitimate but awkward, handled correctly.

The cases are the classes of issue 11 (a recursive alias, an alias bomb, ``/dev/zero``, a FIFO,
an overflowing price, a 400-digit count, dates outside 2000–2100, a secret file named as a pilot
export, epochs in milliseconds, week-long durations, ...), each written here as a user (or an
attacker) would write it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE

HEAD = "session_id,tool,start,end,technician,reason\n"
#: A minimal valid parameters file naming ``pilot.csv`` (written by each case that needs it).
PARAMS = textwrap.dedent(
    """\
    organisation: Hostile test
    start_date: 2026-12-01
    logmein: {agents: 20, price_per_agent_month: 45, months_to_renewal: 3}
    pilot: {files: [pilot.csv]}
    """
)
GOOD_ROW = "s1,logmein_resolve,2026-12-01T09:00:00Z,2026-12-01T10:00:00Z,alice,pam\n"


def _bomb() -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    return "\n".join(lines) + "\n"


def _bt_xml(timestamp: str) -> str:
    # The shape of BeyondTrust's SupportSession report (see tests/edges/test_exports.py).
    return textwrap.dedent(
        f"""\
        <?xml version="1.0" encoding="UTF-8"?>
        <session_list xmlns="http://www.beyondtrust.com/sra/namespaces/API/reporting">
          <session lsid="c0ffee01">
            <session_type>support</session_type>
            <start_time timestamp="{timestamp}">2026-12-01T09:00:00+00:00</start_time>
            <end_time timestamp="1796122800">2026-12-01T10:00:00+00:00</end_time>
            <primary_rep id="19">BT Rep 01</primary_rep>
          </session>
        </session_list>
        """
    )


# (id, files to write {name: text}, command arguments, what the message must say)
CASES: list[tuple[str, dict[str, str], list[str], str]] = [
    # --- numbers that must stay numbers
    (
        "price 1e308",
        {},
        ["scenarios", "{sample}", "--set", "logmein.price_per_agent_month=1.0e+308"],
        "too large",
    ),
    (
        "count of 400 digits",
        {},
        ["scenarios", "{sample}", "--set", "logmein.agents=" + "9" * 400],
        "too large",
    ),
    ("empty --set value", {}, ["scenarios", "{sample}", "--set", "logmein.agents="], "no value"),
    ("null --set value", {}, ["scenarios", "{sample}", "--set", "logmein.agents=null"], "no value"),
    (
        "start in 9999",
        {},
        ["scenarios", "{sample}", "--set", "start_date=9999-12-01"],
        "2000-01-01 to 2100-12-31",
    ),
    (
        "start in year 1",
        {},
        ["scenarios", "{sample}", "--set", "start_date=0001-01-01"],
        "2000-01-01 to 2100-12-31",
    ),
    (
        "negative seed",
        {},
        ["scenarios", "{sample}", "--simulate", "10", "--seed", "-1"],
        "at least 0",
    ),
    ("absurd draws", {}, ["scenarios", "{sample}", "--simulate", "10000000000"], "at most"),
    (
        "organisation too long",
        {},
        ["decide", "{sample}", "--set", "organisation=" + "x" * 500],
        "up to 200",
    ),
    # --- YAML that would exhaust the machine
    ("recursive alias", {"p.yaml": "a: &a [*a]\n"}, ["decide", "p.yaml"], "recursive alias"),
    (
        "recursive alias via --set",
        {},
        ["decide", "{sample}", "--set", "horizon_months=&a [*a]"],
        "recursive alias",
    ),
    (
        "3,000-deep nesting",
        {"p.yaml": "a: " + "[" * 3000 + "]" * 3000 + "\n"},
        ["decide", "p.yaml"],
        "nest",
    ),
    ("alias bomb", {"p.yaml": _bomb()}, ["decide", "p.yaml"], "more than 100,000 values"),
    ("complex key", {"p.yaml": "? [a, b]\n: 1\n"}, ["decide", "p.yaml"], "accepted"),
    ("/dev/zero as parameters", {}, ["decide", "/dev/zero"], "not a regular file"),
    ("a folder as parameters", {"d/x": ""}, ["decide", "d"], "is a directory"),
    (
        "oversized parameters",
        {"p.yaml": "# " + "x" * 9_000_000 + "\n"},
        ["decide", "p.yaml"],
        "too large",
    ),
    # --- pilot files that are not what they say
    (
        "a secret file as a pilot export",
        {
            "p.yaml": PARAMS.replace("pilot.csv", "secret/credentials.txt"),
            "secret/credentials.txt": "db_password=hunter2\napi_key=abc\n",
        },
        ["scenarios", "p.yaml"],
        "no recognisable header",
    ),
    (
        "an empty folder as pilot",
        {"p.yaml": PARAMS.replace("pilot.csv", "empty"), "empty/.keep": ""},
        ["scenarios", "p.yaml"],
        "p.yaml:4: pilot.files",
    ),
    (
        "/dev/zero as pilot",
        {"p.yaml": PARAMS.replace("pilot.csv", "/dev/zero")},
        ["scenarios", "p.yaml"],
        "p.yaml:4: pilot.files",
    ),
    # --- exports with values no pilot has
    (
        "20-digit Total Time",
        {
            "l.csv": "Session ID,Start Time,End Time,Technician Name,Total Time\nl1,2026-12-01T09:00:00Z,,alice,99999999999999999999\n"
        },
        ["pool", "l.csv"],
        "not a duration",
    ),
    (
        "duration of 9,999,999,999 hours",
        {
            "l.csv": "Session ID,Start Time,End Time,Technician Name,Total Time\nl1,2026-12-01T09:00:00Z,,alice,9999999999:00:00\n"
        },
        ["pool", "l.csv"],
        "l.csv:2",
    ),
    (
        "a week-long session",
        {"p.csv": HEAD + "s1,beyondtrust,2026-12-01T09:00:00Z,2026-12-20T09:00:00Z,alice,pam\n"},
        ["pool", "p.csv"],
        "up to 7 days",
    ),
    (
        "seconds and milliseconds mixed",
        {
            "b.csv": "lsid,start_time,end_time,primary_rep\n1,1796119200,1796122800,rep\n2,1796119200000,1796122800000,rep\n"
        },
        ["pool", "b.csv"],
        "mixes seconds and milliseconds",
    ),
    (
        "20-digit XML timestamp",
        {"b.xml": _bt_xml("17961192000000000000")},
        ["pool", "b.xml"],
        "b.xml:3",
    ),
    (
        "a pilot spanning 1970-2100",
        {
            "p.csv": HEAD
            + "s1,logmein_resolve,1970-01-02T09:00:00Z,1970-01-02T10:00:00Z,alice,pam\n"
        },
        ["pool", "p.csv"],
        "between 2000 and 2100",
    ),
    (
        "a pilot spanning 25 years",
        {
            "p.csv": HEAD
            + GOOD_ROW
            + "s2,logmein_resolve,2001-12-01T09:00:00Z,2001-12-01T10:00:00Z,bob,pam\n"
        },
        ["pool", "p.csv"],
        "10 years",
    ),
    (
        "a row with more fields",
        {
            "p.csv": HEAD
            + "s1,logmein_resolve,2026-12-01T09:00:00Z,2026-12-01T10:00:00Z,alice,pam,EXTRA\n"
        },
        ["pool", "p.csv"],
        "p.csv:2: the row has 7 fields",
    ),
]


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.fixture()
def rh(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    def run(*args: str, timeout: int = 120) -> subprocess.CompletedProcess[str]:
        argv = [a.replace("{sample}", str(SAMPLE_PARAMS_FILE)) for a in args]
        return subprocess.run(
            [sys.executable, "-m", "rhmodel", *argv],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run


@pytest.mark.parametrize(
    ("files", "args", "says"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_hostile_input_is_one_error_line(tmp_path, rh, files, args, says):
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    before = _snapshot(tmp_path)
    done = rh(*args)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""  # no number, no partial table
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert "Traceback" not in done.stderr
    assert " — " in lines[0]  # what is accepted
    assert says in lines[0], lines[0]
    assert len(lines[0]) < 1200
    assert "hunter2" not in done.stderr and "db_password" not in done.stderr
    assert _snapshot(tmp_path) == before


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_fifo_as_parameters_does_not_hang(tmp_path, rh):
    os.mkfifo(tmp_path / "p.yaml")
    done = rh("decide", "p.yaml", timeout=30)
    assert done.returncode == 2 and "not a regular file (a named pipe)" in done.stderr


def test_excel_refuses_to_overwrite_nothing_on_bad_input(tmp_path, rh):
    (tmp_path / "book.xlsx").write_bytes(b"earlier workbook")
    done = rh("excel", "{sample}", "--set", "logmein.agents=", "--out", "book.xlsx")
    assert done.returncode == 2
    assert (tmp_path / "book.xlsx").read_bytes() == b"earlier workbook"


# ---- awkward but legitimate: handled, not refused ----------------------------------------


def _pool_json(rh, *args: str) -> dict:
    import json

    done = rh("pool", *args, "--format", "json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_epoch_milliseconds_are_read_as_the_same_times(tmp_path, rh):
    seconds = "lsid,start_time,end_time,primary_rep,external_key\n1,1796115600,1796119200,rep,pam\n"
    millis = (
        "lsid,start_time,end_time,primary_rep,external_key\n1,1796115600000,1796119200000,rep,pam\n"
    )
    (tmp_path / "s").mkdir()
    (tmp_path / "m").mkdir()
    (tmp_path / "s" / "b.csv").write_text(seconds)
    (tmp_path / "m" / "b.csv").write_text(millis)
    a, b = _pool_json(rh, "s/b.csv"), _pool_json(rh, "m/b.csv")
    assert a["first_start"] == b["first_start"] == "2026-12-01T09:00:00+00:00"
    assert a["tools"] == b["tools"]


def test_a_lower_case_z_is_utc(tmp_path, rh):
    (tmp_path / "p.csv").write_text(HEAD + GOOD_ROW.replace("09:00:00Z", "09:00:00z"))
    assert _pool_json(rh, "p.csv")["first_start"] == "2026-12-01T09:00:00+00:00"


def test_one_technician_written_three_ways_is_one_person(tmp_path, rh):
    rows = "".join(
        f"s{i},logmein_resolve,2026-12-0{i}T09:00:00Z,2026-12-0{i}T10:00:00Z,{who},pam\n"
        for i, who in enumerate(["alice@x.com", " Alice@X.com ", "ALICE@x.com", "bob@x.com"], 1)
    )
    (tmp_path / "p.csv").write_text(HEAD + rows)
    out = _pool_json(rh, "p.csv", "--headroom", "0")
    assert out["tools"]["logmein_resolve"]["distinct_technicians"] == 2  # brute force: alice, bob
    assert out["tools"]["logmein_resolve"]["recommended_licenses"] == 2
    assert any("4 spellings of technicians read as 2 people" in w for w in out["warnings"])


def test_a_long_pilot_is_warned_about(tmp_path, rh):
    late = GOOD_ROW.replace("s1", "s2").replace("2026-12-01", "2027-08-01")
    (tmp_path / "p.csv").write_text(HEAD + GOOD_ROW + late)
    out = _pool_json(rh, "p.csv")
    assert any("span 243 days" in w for w in out["warnings"])


def test_control_characters_reach_no_terminal_workbook_or_page(tmp_path, rh):
    import openpyxl

    (tmp_path / "pilot.csv").write_text(HEAD + GOOD_ROW.replace("alice", "ali\x1b[31mce\x07"))
    (tmp_path / "p.yaml").write_text(PARAMS.replace("Hostile test", "Evil\\x1b]0;pwned\\x07 Ltd"))
    done = rh("excel", "p.yaml", "--out", "book.xlsx", "--simulate", "10")
    assert done.returncode == 0, done.stderr
    texts = [
        c.value
        for ws in openpyxl.load_workbook(tmp_path / "book.xlsx").worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str)
    ]
    assert not any("\x1b" in t or "\x07" in t for t in texts)
    assert any("ali\\x1b[31mce\\x07" in t for t in texts)  # shown, escaped
    table = rh("pool", "pilot.csv")
    assert table.returncode == 0 and "\x1b" not in table.stdout


def test_a_pilot_with_only_remote_help_sessions_renders(tmp_path):
    """The memo's pilot section and its charts with no incumbent session at all."""
    from rhmodel.edges.bundled import load_capabilities
    from rhmodel.edges.pilotfiles import load_pilot
    from rhmodel.faces.plots import daily_peaks_figure, time_at_or_above_figure

    (tmp_path / "p.csv").write_text(
        HEAD + "r1,remote_help,2026-12-01T09:00:00Z,2026-12-01T09:10:00Z,helpdesk1,\n"
    )
    report = load_pilot([tmp_path / "p.csv"], load_capabilities())
    assert report.tools == {}
    daily_peaks_figure(report)
    time_at_or_above_figure(report)
