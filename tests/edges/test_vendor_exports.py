"""Vendor exports as the vendors document them, and as Excel re-saves them.

Every fixture here is written from the vendors' documentation (see ../shared/research/
vendor-exports.md: BeyondTrust's reporting API and /login report, the LogMeIn Rescue API's
getReport_v2, Microsoft Learn's Remote Help pages and the Intune report stream), never from
rhmodel's synthetic generator; each carries its figures counted by hand.
"""

from __future__ import annotations

import json
import random
import textwrap

import pytest

from rhmodel.core.jsonable import jsonable
from rhmodel.edges.bundled import load_capabilities
from rhmodel.edges.exports import load_export
from rhmodel.edges.pilotfiles import load_pilot
from rhmodel.errors import InputError


def _utc(iso: str) -> int:
    """Unix seconds of an ISO time in UTC, by the standard library (the oracle)."""
    import datetime as dt

    return int(dt.datetime.fromisoformat(iso).replace(tzinfo=dt.UTC).timestamp())


# --- LogMeIn Rescue: getReport_v2 text output (API reference: "OK", a blank line, then a
# pipe-delimited report, CRLF; times in the account's local time, en-US).
RESCUE_HEADER = (
    "Start Time|End Time|Last Action Time|Technician Name|Technician ID|Session ID|Session Type|"
    "Status|Name|Custom field 1|Tracking ID|Customer IP|Platform|Technician Email|Total Time"
)
RESCUE_ROWS = [
    # attended, Windows, a ticket in the custom field (not a reason code)
    "11/24/2026 9:00:00 AM|11/24/2026 9:40:00 AM|11/24/2026 9:40:00 AM|Ann Agent|1001|5001|PIN Code|Closed|Kim|INC0012345||10.0.0.1|Windows 11|ann@example.com|0:40:00",
    # unattended: residual
    "11/24/2026 9:10:00 AM|11/24/2026 10:10:00 AM|11/24/2026 10:10:00 AM|Bo Agent|1002|5002|Unattended|Closed|srv01|||10.0.0.2|Windows 11|bo@example.com|1:00:00",
    # a Linux endpoint: residual (platform); the technician has no e-mail: the ID is used
    "11/24/2026 9:20:00 AM|11/24/2026 9:50:00 AM|11/24/2026 9:50:00 AM|Cy Agent|1003|5003|Link|Closed|Lee|pam||10.0.0.3|Ubuntu 22.04||0:30:00",
    # a customer who left the queue: no technician at all, skipped
    "11/24/2026 9:30:00 AM|11/24/2026 9:31:00 AM|11/24/2026 9:31:00 AM|||5004|Calling Card|Timed out|Max|||10.0.0.4|Windows 11||0:01:00",
]
# Hand count: 3 sessions (one row skipped); residual 2 (5002 unattended, 5003 platform + pam);
# technicians of residual work: bo@example.com and 1003 -> 2; at 09:20-09:50 both residual
# sessions run -> peak 2 at once.


def _rescue_text() -> str:
    return "OK\r\n\r\n" + RESCUE_HEADER + "\r\n" + "\r\n".join(RESCUE_ROWS) + "\r\n"


def _rescue_xml() -> str:
    names = RESCUE_HEADER.split("|")
    head = "".join(f'<field id="{i}">{n}</field>' for i, n in enumerate(names))
    rows = "".join(
        "<row>"
        + "".join(f'<field id="{i}">{v}</field>' for i, v in enumerate(r.split("|")))
        + "</row>\n"
        for r in RESCUE_ROWS
    )
    return f'<?xml version="1.0" encoding="utf-8"?>\n<report><header>{head}</header>\n<data>\n{rows}</data></report>\n'


def _excel_resave(text: str, delimiter: str, date_style: str) -> str:
    """The report opened in Excel and saved as CSV: times lose their seconds (and AM/PM in a
    European locale), durations stay h:mm:ss."""
    import datetime as dt

    lines = text.replace("\r\n", "\n").strip().split("\n")[2:]  # no "OK" preamble any more
    out = []
    for k, line in enumerate(lines):
        cells = line.split("|")
        if k:
            for c in (0, 1, 2):
                when = dt.datetime.strptime(cells[c], "%m/%d/%Y %I:%M:%S %p")
                cells[c] = when.strftime(
                    "%m/%d/%Y %H:%M" if date_style == "us" else "%d.%m.%Y %H:%M"
                )
        out.append(delimiter.join(cells))
    return "\r\n".join(out) + "\r\n"


def _figures(paths, **kw) -> dict:
    r = load_pilot(paths, load_capabilities(), **kw)
    d = jsonable(r)
    keep = (
        "sessions_total",
        "sessions_by_tool",
        "residual_sessions",
        "residual_by_reason",
        "open_sessions",
    )
    out = {k: d[k] for k in keep}
    for tool, z in d["tools"].items():
        out[tool] = {
            k: z[k]
            for k in (
                "peak_concurrent_sessions",
                "peak_concurrent_technicians",
                "distinct_technicians",
            )
        }
    return out


RESCUE_FIGURES = {
    "sessions_total": 3,
    "sessions_by_tool": {"logmein_resolve": 3},
    "residual_sessions": 2,
    "residual_by_reason": {"unattended": 1, "pam": 1},
    "open_sessions": 0,
    "logmein_resolve": {
        "peak_concurrent_sessions": 2,
        "peak_concurrent_technicians": 2,
        "distinct_technicians": 2,
    },
}


def test_rescue_report_text_gives_the_hand_counted_figures(tmp_path):
    f = tmp_path / "rescue.txt"
    f.write_bytes(_rescue_text().encode())
    loaded = load_export(f, "America/New_York")
    assert loaded.format == "logmein_csv"
    assert loaded.skipped == {"no technician picked it up": 1}
    s = loaded.sessions.set_index("session_id")
    assert s.loc["5001", "ticket"] == "INC0012345" and s.loc["5001", "reason"] == ""
    assert s.loc["5003", "technician"] == "1003"  # no e-mail: the technician ID
    assert s.loc["5001", "start"] == _utc("2026-11-24T14:00:00")  # 09:00 EST
    assert s.loc["5003", "line"] == 6  # OK, blank, header, then rows from line 4
    assert _figures([f], timezone="America/New_York") == RESCUE_FIGURES


@pytest.mark.parametrize(
    ("name", "encode"),
    [
        ("rescue.xml", lambda: _rescue_xml().encode()),
        (
            "excel-utf8-bom.csv",
            lambda: b"\xef\xbb\xbf" + _excel_resave(_rescue_text(), ",", "us").encode(),
        ),
        ("excel-european.csv", lambda: _excel_resave(_rescue_text(), ";", "eu").encode("cp1252")),
        (
            "powershell-utf16.tsv",
            lambda: _excel_resave(_rescue_text(), "\t", "us").encode("utf-16"),
        ),
        ("rescue-pipe.csv", lambda: _excel_resave(_rescue_text(), "|", "us").encode()),
    ],
)
def test_every_shape_of_the_rescue_report_gives_the_same_figures(tmp_path, name, encode):
    f = tmp_path / name
    f.write_bytes(encode())
    assert _figures([f], timezone="America/New_York") == RESCUE_FIGURES


def test_shuffled_rows_change_nothing(tmp_path):
    rows = RESCUE_ROWS[:]
    random.Random(7).shuffle(rows)
    f = tmp_path / "shuffled.txt"
    f.write_text("OK\n\n" + RESCUE_HEADER + "\n" + "\n".join(rows) + "\n")
    assert _figures([f], timezone="America/New_York") == RESCUE_FIGURES


def test_an_ambiguous_day_month_order_names_the_value_and_date_order_settles_it(tmp_path):
    f = tmp_path / "ambiguous.csv"
    f.write_text(
        "Session ID,Start Time,End Time,Technician Name\n"
        "1,01/02/2026 09:00,01/02/2026 09:30,ann\n"
        "2,03/04/2026 10:00,03/04/2026 10:30,bo\n"
    )
    with pytest.raises(
        InputError,
        match=r"ambiguous\.csv:2: start_time could be day/month or month/day \('01/02/2026 09:00'",
    ):
        load_export(f, "UTC")
    dmy = load_export(f, "UTC", date_order="dmy").sessions["start"].iloc[0]
    mdy = load_export(f, "UTC", date_order="mdy").sessions["start"].iloc[0]
    assert dmy == _utc("2026-02-01T09:00:00")
    assert mdy == _utc("2026-01-02T09:00:00")


# --- BeyondTrust /login "Support Sessions" CSV (the 22 columns a public clean-up script names;
# times like "2026-11-24 09:00:00 EST").
LOGIN_HEADER = (
    "Session ID,Session Sequence Number,Started,Ended,Representative's Name,"
    "Representative's Time Involved,Session Key,Jumpoint,Jump Group,External Key,"
    "Customer's Name,Customer's Private IP,Customer's Public IP,Representative's Public IP,"
    "Representative's Private IP,Session Type,Chat Transcript,Notes,Additional Representatives,"
    "# Files Transferred,# Files Renamed,# Files Deleted"
)
LOGIN_ROWS = [
    # through a Jumpoint: unattended access, residual
    "a1,1,2026-11-24 09:00:00 EST,2026-11-24 09:40:00 EST,Dee Rep,0:40,,DC-Jumpoint,Servers,,SRV01,10.1.0.1,,,,support,,,,0,0,0",
    # attended, a ServiceNow ticket in External Key (a ticket, not a reason)
    "a2,1,2026-11-24 09:10:00 EST,2026-11-24 09:30:00 EST,Eve Rep,0:20,,,,INC0099999,Pat,10.1.0.2,,,,support,,,,0,0,0",
    # nobody joined: the customer left the queue (skipped)
    "a3,1,2026-11-24 09:15:00 EST,2026-11-24 09:16:00 EST,,0:00,,,,,Sam,10.1.0.3,,,,support,,,,0,0,0",
    # a reason code in External Key: residual (pam), overlapping a1 with another rep
    "a4,1,2026-11-24 09:20:00 EST,2026-11-24 10:00:00 EST,Fay Rep,0:40,,,,pam,Vendor,10.1.0.4,,,,support,,,,0,0,0",
]
# Hand count: 3 sessions; residual 2 (a1 unattended via Jumpoint, a4 pam); technicians of
# residual work: Dee, Fay -> 2; a1 09:00-09:40 and a4 09:20-10:00 overlap -> peak 2.


def test_beyondtrust_login_csv(tmp_path):
    f = tmp_path / "Support-sessions-20261124-20261124.csv"
    f.write_text(LOGIN_HEADER + "\n" + "\n".join(LOGIN_ROWS) + "\n")
    loaded = load_export(f)
    assert loaded.format == "beyondtrust_login_csv"
    assert loaded.skipped == {"no representative joined": 1}
    s = loaded.sessions.set_index("session_id")
    assert s.loc["a2", "ticket"] == "INC0099999" and s.loc["a2", "reason"] == ""
    assert s.loc["a1", "start"] == _utc("2026-11-24T14:00:00")  # 09:00 EST
    assert "unattended" in s.loc["a1", "session_type"]
    assert _figures([f]) == {
        "sessions_total": 3,
        "sessions_by_tool": {"beyondtrust": 3},
        "residual_sessions": 2,
        "residual_by_reason": {"unattended": 1, "pam": 1},
        "open_sessions": 0,
        "beyondtrust": {
            "peak_concurrent_sessions": 2,
            "peak_concurrent_technicians": 2,
            "distinct_technicians": 2,
        },
    }


# --- BeyondTrust SupportSession XML as PowerShell saves it: UTF-16, the older bomgar.com
# namespace, a Jump Client session, a session no representative joined, a running session.
BT_XML = textwrap.dedent(
    """\
    <?xml version="1.0" encoding="UTF-16"?>
    <session_list xmlns="http://www.bomgar.com/namespaces/API/reporting">
      <session lsid="b1">
        <session_type>support</session_type>
        <start_time timestamp="1795528800">2026-11-24T09:00:00-05:00</start_time>
        <end_time timestamp="1795531200">2026-11-24T09:40:00-05:00</end_time>
        <jump_group type="shared">Servers</jump_group>
        <external_key>CHG0001234</external_key>
        <primary_rep id="7">Gil Rep</primary_rep>
        <customer_list><customer gsnumber="1"><username>svc-backup</username><os>Windows Server 2022</os></customer></customer_list>
      </session>
      <session lsid="b2">
        <session_type>support</session_type>
        <start_time timestamp="1795529400">2026-11-24T09:10:00-05:00</start_time>
        <end_time timestamp="0"></end_time>
        <primary_rep id="8">Hal Rep</primary_rep>
        <customer_list><customer gsnumber="1"><username>kim@example.com</username><os>Windows 11</os></customer></customer_list>
      </session>
      <session lsid="b3">
        <session_type>support</session_type>
        <start_time timestamp="1795529700">2026-11-24T09:15:00-05:00</start_time>
        <end_time timestamp="1795529760">2026-11-24T09:16:00-05:00</end_time>
        <customer_list><customer gsnumber="1"><username>max@example.com</username></customer></customer_list>
      </session>
    </session_list>
    """
)


def test_beyondtrust_xml_as_powershell_saves_it(tmp_path):
    f = tmp_path / "SupportSession.xml"
    f.write_bytes(BT_XML.encode("utf-16"))
    loaded = load_export(f)
    assert loaded.format == "beyondtrust_xml"
    assert loaded.skipped == {"no representative joined": 1}
    s = loaded.sessions.set_index("session_id")
    assert list(s.index) == ["b1", "b2"]
    assert "unattended" in s.loc["b1", "session_type"] and s.loc["b1", "ticket"] == "CHG0001234"
    figures = _figures([f])
    assert figures["open_sessions"] == 1  # b2 still running (timestamp="0")
    assert figures["residual_by_reason"] == {"unattended": 1}  # b1: Jump group (and a server OS)


# --- Intune: the Graph report stream JSON, and the admin center's export with "--".
def test_intune_graph_report_stream(tmp_path):
    doc = {
        "TotalRowCount": 2,
        "Schema": [
            {"Column": "Id", "PropertyType": "String"},
            {"Column": "StartDateTime", "PropertyType": "DateTime"},
            {"Column": "EndDateTime", "PropertyType": "DateTime"},
            {"Column": "HelperEmail", "PropertyType": "String"},
            {"Column": "SharerEmail", "PropertyType": "String"},
        ],
        "Values": [
            [
                "g1",
                "2026-11-24T14:05:12.0000000Z",
                "2026-11-24T14:20:00.0000000Z",
                "helper@example.com",
                "kim@example.com",
            ],
            ["g2", "2026-11-24T15:00:00.1234567Z", None, "helper@example.com", "lee@example.com"],
        ],
    }
    f = tmp_path / "RemoteAssistanceSessions.json"
    f.write_text(json.dumps(doc))
    loaded = load_export(f)
    assert loaded.format == "intune_graph"
    s = loaded.sessions.set_index("session_id")
    assert s.loc["g1", "start"] == _utc("2026-11-24T14:05:12")
    assert _figures([f])["open_sessions"] == 1


def test_intune_admin_center_grid_export(tmp_path):
    f = tmp_path / "RemoteHelpSessions.csv"
    f.write_text(
        "Provider ID,Recipient ID,Recipient name,Device name,OS,Session start,Session end\n"
        'helper@example.com,kim@example.com,Kim,PC-1,Windows,"11/24/2026, 9:05:12 AM","11/24/2026, 9:25:00 AM"\n'
        'helper@example.com,--,Kiosk,ZEBRA-1,Android,"11/24/2026, 1:00:00 PM",--\n'
    )
    loaded = load_export(f, "America/New_York")
    starts = sorted(loaded.sessions["start"])
    assert starts == [_utc("2026-11-24T14:05:12"), _utc("2026-11-24T18:00:00")]  # EST
    assert _figures([f], timezone="America/New_York")["open_sessions"] == 1


def test_every_incumbent_session_ends_in_one_class(tmp_path):
    """movable only when the export shows internal, attended, supported work; unexplained is
    never movable; a running session's technician still needs a named licence."""
    f = tmp_path / "lmi.csv"
    f.write_text(
        "Session ID,Start Time,End Time,Technician Email,Session Type,Platform,Customer Email\n"
        # internal, attended (PIN code), Windows: movable
        "m1,2026-11-24T09:00:00Z,2026-11-24T09:30:00Z,ann@example.com,PIN Code,Windows 11,kim@example.com\n"
        # attended, Windows, but no customer e-mail: the export cannot tell -> unexplained
        "m2,2026-11-24T09:10:00Z,2026-11-24T09:40:00Z,bo@example.com,PIN Code,Windows 11,\n"
        # unattended: residual
        "m3,2026-11-24T09:20:00Z,2026-11-24T09:50:00Z,cy@example.com,Unattended,Windows 11,kim@example.com\n"
        # a partner's customer (external), still running at export: residual, open
        "m4,2026-11-24T09:25:00Z,,dee@example.com,PIN Code,macOS 14,lee@partner.org\n"
    )
    r = load_pilot([f], load_capabilities(), tenant_domains=["example.com"], headroom=0.0)
    assert r.sessions_by_class == {"remote_help": 0, "movable": 1, "residual": 2, "unexplained": 1}
    assert r.unexplained_sessions == 1 and r.incumbent_movable == 1
    assert r.residual_by_reason == {"unattended": 1, "external": 1}
    lmi = r.tools["logmein_resolve"]
    # named agents: cy (finished) and dee (running at export) did residual work -> 2
    assert lmi.distinct_technicians == 2 and lmi.recommended_licenses == 2
    # if bo's unexplained session turns out residual: 3
    assert lmi.recommended_licenses_with_unexplained == 3
    d = jsonable(r)
    assert d["files"][0]["rows"] == 4 and d["files"][0]["skipped"] == {}
    assert d["tools"]["logmein_resolve"]["recommended_licenses_with_unexplained"] == 3


def test_the_reason_log_end_to_end(tmp_path):
    """pilot-template -> the help desk fills it in -> pool --reasons -> the figures follow."""
    import subprocess
    import sys

    import openpyxl

    def rh(*args):
        return subprocess.run(
            [sys.executable, "-m", "rhmodel", *map(str, args)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )

    export = tmp_path / "rescue.txt"
    export.write_bytes(_rescue_text().encode())
    # 5001 (PIN code, no customer e-mail) is unexplained before the log says anything
    before = json.loads(
        rh("pool", export, "--timezone", "America/New_York", "--format", "json").stdout
    )
    assert before["sessions_by_class"]["unexplained"] == 1
    assert rh("pilot-template", "--out", "log.xlsx").returncode == 0
    book = openpyxl.load_workbook(tmp_path / "log.xlsx")
    log = book["Reason log"]
    assert [c.value for c in log[1]] == [
        "date",
        "session_id",
        "ticket",
        "technician",
        "reason",
        "note",
    ]
    assert log.protection.sheet and log.data_validations.dataValidation  # header locked, drop-down
    assert "recording" in log.data_validations.dataValidation[0].formula1
    # the help desk logs the ticket of 5001, and one entry that matches no session
    for row, values in (
        (2, [None, None, "inc0012345", "ann@example.com", "recording", "audit"]),
        (3, [None, "9999", None, None, "pam", "typo in the id"]),
    ):
        for col, value in enumerate(values, start=1):
            log.cell(row=row, column=col, value=value)
    book.save(tmp_path / "log.xlsx")
    after = rh(
        "pool",
        export,
        "--timezone",
        "America/New_York",
        "--reasons",
        "log.xlsx",
        "--format",
        "json",
    )
    assert after.returncode == 0, after.stderr
    d = json.loads(after.stdout)
    assert d["sessions_by_class"] == {
        "remote_help": 0,
        "movable": 0,
        "residual": 3,
        "unexplained": 0,
    }
    assert d["residual_by_reason"] == {"unattended": 1, "recording": 1, "pam": 1}
    assert d["reasons_log"] == {"matched": 1, "unmatched": 1}
    assert any("log.xlsx:3 (9999)" in w for w in d["warnings"])
    # a CSV log with a code that is not one: one error line naming the row
    (tmp_path / "bad.csv").write_text("session_id,reason\n5001,recordings\n")
    bad = rh("pool", export, "--timezone", "America/New_York", "--reasons", "bad.csv")
    assert bad.returncode == 2
    assert (
        bad.stderr.startswith("error: ")
        and "bad.csv:2: unknown reason code ('recordings')" in bad.stderr
    )
    # the same log through the parameters file reaches the decision (and so the pack)
    (tmp_path / "p.yaml").write_text(
        textwrap.dedent(
            """\
            start_date: 2026-12-01
            logmein: {agents: 10, price_per_agent_month: 40, months_to_renewal: 3}
            pilot: {files: [rescue.txt], reasons: [log.xlsx], timezone: America/New_York}
            """
        )
    )
    decided = json.loads(rh("decide", "p.yaml", "--format", "json").stdout)
    recording = next(c for c in decided["criteria"] if c["id"] == "session_recording")
    assert recording["observed_sessions"] == 1 and not recording["passed"]


def test_one_remote_help_session_in_both_intune_exports_counts_once(tmp_path):
    admin = tmp_path / "admin.csv"
    admin.write_text(
        "Provider ID,Recipient ID,Recipient name,Device name,OS,Session start,Session end\n"
        "helper@example.com,kim@example.com,Kim,PC-1,Windows,2026-11-24T14:05:12Z,2026-11-24T14:20:00Z\n"
        "helper@example.com,lee@example.com,Lee,PC-2,Windows,2026-11-24T16:00:00Z,2026-11-24T16:10:00Z\n"
    )
    graph = tmp_path / "graph.csv"
    graph.write_text(
        "id,startDateTime,endDateTime,helperEmail,sharerEmail\n"
        "g1,2026-11-24T14:05:12.0000000Z,2026-11-24T14:20:00Z,helper@example.com,kim@example.com\n"
    )
    r = load_pilot([admin, graph], load_capabilities())
    # hand count: 3 records, the 14:05:12 session twice -> 2 sessions, 1 duplicate dropped
    assert r.sessions_total == 2 and r.duplicates_dropped == 1


def test_invited_beyondtrust_representatives_hold_a_licence(tmp_path):
    """BeyondTrust licenses every logged-in representative: an invited one counts for the whole
    session (the join time is unknown: the conservative bound)."""
    f = tmp_path / "SupportSession.xml"
    f.write_text(
        textwrap.dedent(
            """\
            <?xml version="1.0" encoding="UTF-8"?>
            <session_list xmlns="http://www.beyondtrust.com/namespaces/API/reporting">
              <session lsid="c1">
                <session_type>support</session_type>
                <start_time timestamp="1795528800">2026-11-24T09:00:00-05:00</start_time>
                <end_time timestamp="1795531200">2026-11-24T09:40:00-05:00</end_time>
                <external_key>pam</external_key>
                <primary_rep id="1">Ann Rep</primary_rep>
                <rep_list>
                  <representative id="1"><display_name>Ann Rep</display_name><primary_rep>1</primary_rep></representative>
                  <representative id="2"><display_name>Bob Rep</display_name><primary_rep>0</primary_rep><invited>1</invited></representative>
                </rep_list>
              </session>
            </session_list>
            """
        )
    )
    r = load_pilot([f], load_capabilities(), headroom=0.0)
    bt = r.tools["beyondtrust"]
    # hand count: one residual session, two representatives logged in at once
    assert bt.sessions == 1 and r.residual_sessions == 1
    assert bt.peak_concurrent_technicians == 2 and bt.distinct_technicians == 2
    login = tmp_path / "login.csv"
    login.write_text(
        LOGIN_HEADER
        + "\n"
        + "z1,1,2026-11-24 09:00:00 EST,2026-11-24 09:40:00 EST,Dee Rep,0:40,,,,pam,Pat,,,,,support,,,"
        + '"Eve Rep, Fay Rep",0,0,0\n'
    )
    z = load_pilot([login], load_capabilities(), headroom=0.0).tools["beyondtrust"]
    assert z.peak_concurrent_technicians == 3 and z.sessions == 1


def test_any_layout_through_a_column_mapping(tmp_path):
    """A pilot.files entry {path, columns, timezone, date_order} reads a layout of its own."""
    import subprocess
    import sys

    (tmp_path / "agents.csv").write_text(
        "Ref;Begin;Finish;Agent;Why;Case\n"
        "r1;01.12.2026 09:00;01.12.2026 09:30;ann;unattended;\n"
        "r2;01.12.2026 09:10;01.12.2026 09:50;bo;;INC42\n"
        "r3;02.12.2026 14:00;02.12.2026 14:20;ann;pam;\n"
    )
    (tmp_path / "p.yaml").write_text(
        textwrap.dedent(
            """\
            start_date: 2026-12-01
            logmein: {agents: 10, price_per_agent_month: 40, months_to_renewal: 3}
            pilot:
              files:
                - path: agents.csv
                  timezone: Europe/Berlin
                  date_order: dmy
                  columns: {session_id: Ref, start: Begin, end: Finish, technician: Agent,
                            reason: Why, ticket: Case, tool: logmein_resolve}
            """
        )
    )
    done = subprocess.run(
        [sys.executable, "-m", "rhmodel", "pool", "--params", "p.yaml", "--format", "json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    d = json.loads(done.stdout)
    # hand count: 3 sessions, r1 and r3 residual (unattended, pam), r2 unexplained (a ticket)
    assert d["sessions_by_class"] == {
        "remote_help": 0,
        "movable": 0,
        "residual": 2,
        "unexplained": 1,
    }
    assert d["files"][0]["format"] == "mapped"
    assert d["first_start"] == "2026-12-01T08:00:00+00:00"  # 09:00 in Berlin
    assert d["tools"]["logmein_resolve"]["distinct_technicians"] == 1  # only ann did residual work
    bad = tmp_path / "bad.yaml"
    bad.write_text((tmp_path / "p.yaml").read_text().replace("Agent,", "Agnt,"))
    err = subprocess.run(
        [sys.executable, "-m", "rhmodel", "pool", "--params", "bad.yaml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert err.returncode == 2 and "no column 'Agnt' for technician" in err.stderr


def test_a_license_usage_report_is_shown_beside_the_session_figure(tmp_path):
    """BeyondTrust's LicenseUsage report (root license_usage, license_time_interval entries with
    counts; its child names are not public: medium confidence) gives the licence peak."""
    (tmp_path / "sessions.xml").write_bytes(BT_XML.encode("utf-16"))
    (tmp_path / "usage.xml").write_text(
        textwrap.dedent(
            """\
            <?xml version="1.0" encoding="UTF-8"?>
            <license_usage xmlns="http://www.beyondtrust.com/namespaces/API/reporting"
                           start_time="1795528800" end_time="1795615200" group_by="hour">
              <license_time_intervals>
                <license_time_interval timestamp="1795528800">
                  <logged_in_representatives>3</logged_in_representatives>
                  <licenses_in_use>2</licenses_in_use>
                </license_time_interval>
                <license_time_interval timestamp="1795532400">
                  <logged_in_representatives>6</logged_in_representatives>
                  <licenses_in_use>5</licenses_in_use>
                </license_time_interval>
              </license_time_intervals>
            </license_usage>
            """
        )
    )
    r = load_pilot([tmp_path / "sessions.xml", tmp_path / "usage.xml"], load_capabilities())
    assert r.tools["beyondtrust"].license_usage_peak == 5  # the largest licences-in-use count
    assert jsonable(r)["tools"]["beyondtrust"]["license_usage_peak"] == 5
    assert r.sessions_total == 2  # the usage report adds no session


def test_logmein_pool_as_worked_or_as_a_specialist_team(tmp_path):
    """Five technicians each did one residual session, never more than two at once: as worked
    the pool is 5 named agents; routed to a specialist team it is 2 (headroom 0)."""
    f = tmp_path / "lmi.csv"
    rows = [
        ("a", "09:00", "09:30"),
        ("b", "09:10", "09:20"),  # a and b overlap: 2 at once
        ("c", "10:00", "10:30"),
        ("d", "11:00", "11:30"),
        ("e", "12:00", "12:30"),
    ]
    f.write_text(
        "Session ID,Start Time,End Time,Technician Email,Session Type\n"
        + "".join(
            f"s{i},2026-11-24T{s}:00Z,2026-11-24T{e}:00Z,{who}@example.com,Unattended\n"
            for i, (who, s, e) in enumerate(rows)
        )
    )
    worked = load_pilot([f], load_capabilities(), headroom=0.0).tools["logmein_resolve"]
    team = load_pilot([f], load_capabilities(), headroom=0.0, routing="specialist_team").tools[
        "logmein_resolve"
    ]
    assert (worked.as_worked, worked.specialist_team) == (5, 2)
    assert worked.recommended_licenses == 5 and team.recommended_licenses == 2
    assert "specialist team" in team.rule and "as worked" in team.rule
