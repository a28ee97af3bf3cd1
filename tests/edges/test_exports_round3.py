"""Pilot evidence, third round (issue 23): the exports Microsoft and GoTo document, one person
however an export spells them, transfers and invited representatives, LicenseUsage as
BeyondTrust means it, ITSM exports as the reason log.

Every fixture is written from the vendors' documentation (the source is named in each test's
docstring; see ../shared/research/vendor-exports.md), never from rhmodel's generator, and its
figures are counted by hand in the comments.
"""

from __future__ import annotations

import json
import textwrap

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rhmodel.core.jsonable import jsonable
from rhmodel.core.params.structured import Invalid
from rhmodel.core.pilot.pool import merge_by_technician, peak_concurrency
from rhmodel.core.pilot.reason_sources import parse_reason_logs
from rhmodel.core.pilot.sessions import OPEN, merge_sessions, work_intervals
from rhmodel.edges.bundled import load_capabilities
from rhmodel.edges.exports import load_export, load_exports
from rhmodel.edges.pilotfiles import load_pilot
from rhmodel.edges.reasonlog import read_reason_log
from rhmodel.errors import InputError

MEMDOCS = (
    "https://github.com/MicrosoftDocs/memdocs/blob/main/intune/intune-service/fundamentals/"
    "reports-export-graph-available-reports.md#remoteassistancesessions"
)
GOTOASSIST = "https://developer.goto.com/GoToAssistRemoteSupportV4 (GET /G2A/rest/v1/sessions)"


def _utc(iso: str) -> int:
    """Unix seconds of an ISO time in UTC, by the standard library (the oracle)."""
    import datetime as dt

    return int(dt.datetime.fromisoformat(iso).replace(tzinfo=dt.UTC).timestamp())


def _merged(paths, **kw) -> pd.DataFrame:
    return merge_sessions([x.sessions for x in load_exports(paths, **kw)])[0]


# --- Intune: the Graph export job RemoteAssistanceSessions (columns in the documented order).
INTUNE_HEADER = (
    "Attribute,Date,DateDifference,HelperDeviceAadId,HelperDeviceName,HelperEmail,"
    "HelperFirstName,HelperLastName,Sessionend,SessionId,Sessionstart,SharerDeviceAadId,"
    "SharerDeviceName,SharerDeviceOS,SharerDeviceSerialNumber,SharerEmail,SharerFirstName,"
    "SharerLastName"
)
S1, S2, S3, S4 = (f"6f1c2a40-0000-4000-8000-00000000000{i}" for i in range(1, 5))
INTUNE_A = [
    # Ann helps Kim: 14:05:12 - 14:25:40 UTC
    f",2026-11-24,0,aad-h1,HELPER-01,ann@contoso.com,Ann,Lee,2026-11-24 14:25:40.0000000,{S1},"
    "2026-11-24 14:05:12.0000000,aad-s1,PC-001,Windows 11 Enterprise,SN001,kim@contoso.com,Kim,Ro",
    # the same Ann, her e-mail blank on this row (her name links her)
    f",2026-11-24,0,aad-h1,HELPER-01,,Ann,Lee,2026-11-24 14:50:05.0000000,{S2},"
    "2026-11-24 14:30:30.0000000,aad-s2,MAC-7,macOS 14.5,SN002,lou@contoso.com,Lou,Ma",
    # Bob, still running when A was exported
    f",2026-11-24,0,aad-h2,HELPER-02,bob@contoso.com,Bob,Ng,,{S3},"
    "2026-11-24 15:00:07.0000000,aad-s3,PC-003,Windows 10 Pro,SN003,may@contoso.com,May,Su",
]
# Export B, a day later, opened and re-saved by Excel ("CSV UTF-8": BOM, CRLF, en-US dates, the
# seconds dropped): S2 again, S3 now complete, and a new S4.
INTUNE_B = [
    f",11/24/2026,0,aad-h1,HELPER-01,,Ann,Lee,11/24/2026 14:50,{S2},11/24/2026 14:30,aad-s2,"
    "MAC-7,macOS 14.5,SN002,lou@contoso.com,Lou,Ma",
    f",11/24/2026,0,aad-h2,HELPER-02,bob@contoso.com,Bob,Ng,11/24/2026 15:20,{S3},"
    "11/24/2026 15:00,aad-s3,PC-003,Windows 10 Pro,SN003,may@contoso.com,May,Su",
    f",11/25/2026,1,aad-h2,HELPER-02,bob@contoso.com,Bob,Ng,11/25/2026 09:10,{S4},"
    "11/25/2026 09:00,aad-s4,PC-004,Windows 11 Pro,SN004,ned@contoso.com,Ned,Oh",
]


def test_intune_export_job_csv(tmp_path):
    """The RemoteAssistanceSessions export job's CSV
    (https://github.com/MicrosoftDocs/memdocs/blob/main/intune/intune-service/fundamentals/reports-export-graph-available-reports.md#remoteassistancesessions): three sessions, one running;
    the helper's e-mail blank on one row is the same Ann (her name shows beside the e-mail on
    another row); times without a zone are UTC."""
    f = tmp_path / "RemoteAssistanceSessions.csv"
    f.write_text(INTUNE_HEADER + "\n" + "\n".join(INTUNE_A) + "\n")
    loaded = load_export(f, timezone="America/New_York")  # the zone must not move UTC times
    assert loaded.format == "intune_export"
    s = merge_sessions([loaded.sessions])[0].set_index("session_id")
    assert s.loc[S1, "start"] == _utc("2026-11-24T14:05:12")
    assert s.loc[S1, "end"] - s.loc[S1, "start"] == 20 * 60 + 28
    assert s.loc[S3, "end"] == OPEN
    assert s.loc[S1, "technician"] == s.loc[S2, "technician"] == "ann@contoso.com"
    assert s["platform"].tolist() == ["windows", "macos", "windows"]
    assert s["device"].tolist() == ["PC-001", "MAC-7", "PC-003"]
    assert s.loc[S1, "sharer"] == "kim@contoso.com"
    r = load_pilot([f], load_capabilities())
    assert (r.sessions_total, r.open_sessions, r.sessions_by_tool) == (3, 1, {"remote_help": 3})


def test_intune_export_job_as_a_report_stream(tmp_path):
    """The same columns as the Intune report stream JSON
    (https://github.com/MicrosoftDocs/memdocs/blob/main/intune/intune-service/fundamentals/reports-export-graph-available-reports.md#remoteassistancesessions; the stream's Schema/Values
    envelope): the same sessions as the CSV."""
    rows = [r.split(",") for r in INTUNE_A]
    doc = {
        "TotalRowCount": len(rows),
        "Schema": [{"Column": c, "PropertyType": "String"} for c in INTUNE_HEADER.split(",")],
        "Values": [[v or None for v in r] for r in rows],
    }
    j = tmp_path / "stream.json"
    j.write_text(json.dumps(doc))
    c = tmp_path / "export.csv"
    c.write_text(INTUNE_HEADER + "\n" + "\n".join(INTUNE_A) + "\n")
    cols = ["session_id", "start", "end", "technician", "platform", "device", "sharer"]
    from_json = _merged([j])[cols].reset_index(drop=True)
    from_csv = _merged([c])[cols].reset_index(drop=True)
    pd.testing.assert_frame_equal(from_json, from_csv)


def test_two_overlapping_intune_exports_deduplicate_on_session_id(tmp_path):
    """Intune keeps about 30 days, so a pilot exports twice
    (https://github.com/MicrosoftDocs/memdocs/blob/main/intune/intune-service/fundamentals/reports-export-graph-available-reports.md#remoteassistancesessions); the second export was
    re-saved by Excel without seconds. Hand count: A has S1-S3, B has S2, S3 (complete), S4:
    4 sessions, 2 records dropped; S3's complete record wins (ends 15:20), S2 keeps its
    seconds from A."""
    a = tmp_path / "a.csv"
    a.write_text(INTUNE_HEADER + "\n" + "\n".join(INTUNE_A) + "\n")
    b = tmp_path / "b.csv"
    b.write_bytes(("\ufeff" + INTUNE_HEADER + "\r\n" + "\r\n".join(INTUNE_B) + "\r\n").encode())
    merged, dropped = merge_sessions([x.sessions for x in load_exports([a, b])])
    assert dropped == 2
    s = merged.set_index("session_id")
    assert sorted(s.index) == sorted([S1, S2, S3, S4])
    assert s.loc[S3, "end"] == _utc("2026-11-24T15:20:00")
    assert s.loc[S2, "start"] == _utc("2026-11-24T14:30:30")  # the record with seconds
    r = load_pilot([a, b], load_capabilities())
    assert (r.sessions_total, r.duplicates_dropped, r.open_sessions) == (4, 2, 0)


def test_a_disagreeing_intune_record_is_still_an_error(tmp_path):
    """Same SessionId, same helper, a start 40 minutes apart
    (https://github.com/MicrosoftDocs/memdocs/blob/main/intune/intune-service/fundamentals/reports-export-graph-available-reports.md#remoteassistancesessions): not a re-save, an
    error naming both places."""
    a = tmp_path / "a.csv"
    a.write_text(INTUNE_HEADER + "\n" + INTUNE_A[0] + "\n")
    b = tmp_path / "b.csv"
    b.write_text(INTUNE_HEADER + "\n" + INTUNE_A[0].replace("14:05:12", "13:25:12") + "\n")
    with pytest.raises(InputError, match="disagrees with"):
        _merged([a, b])


# --- GoToAssist Remote Support API sessions (the LogMeIn Resolve family's documented evidence)
GOTO_SESSIONS = [
    {  # attended, internal; a ticket in the notes (free text, not read)
        "sessionId": "5001",
        "sessionType": "SCREEN_SHARING",
        "status": "complete",
        "accountKey": "9001",
        "expertName": "Ann Agent",
        "expertEmail": "Ann@Contoso.com",
        "expertUserKey": "u-100",
        "startedAt": "2026-11-24T14:00:00Z",
        "customerJoinedAt": "2026-11-24T14:01:10Z",
        "endedAt": "2026-11-24T14:40:00Z",
        "unattendedMachineName": None,
        "customerName": "Kim",
        "customerEmail": "kim@contoso.com",
        "notes": "INC0012345",
        "collaborators": [],
    },
    {  # unattended (a machine): residual; Ann joined as a collaborator
        "sessionId": "5002",
        "sessionType": "SCREEN_SHARING",
        "status": "complete",
        "expertName": "Bo Agent",
        "expertEmail": "bo@contoso.com",
        "expertUserKey": "u-200",
        "startedAt": "2026-11-24T14:10:00Z",
        "customerJoinedAt": None,
        "endedAt": "2026-11-24T15:10:00Z",
        "unattendedMachineName": "SRV01",
        "customerName": None,
        "customerEmail": None,
        "notes": None,
        "collaborators": [{"name": "Ann Agent", "email": "ann@contoso.com"}],
    },
    {  # the customer gave up before anyone joined: skipped
        "sessionId": "5003",
        "sessionType": "SCREEN_SHARING",
        "status": "abandoned",
        "expertName": None,
        "expertEmail": None,
        "startedAt": None,
        "endedAt": None,
        "collaborators": [],
    },
    {  # Ann again, her e-mail blank; her user key links her; still active
        "sessionId": "5004",
        "sessionType": "SCREEN_SHARING",
        "status": "active",
        "expertName": "Ann Agent",
        "expertEmail": "",
        "expertUserKey": "u-100",
        "startedAt": "2026-11-24T15:00:00Z",
        "endedAt": None,
        "unattendedMachineName": None,
        "collaborators": [],
    },
]
# Hand count: 3 sessions (5003 skipped), 1 open (5004); people: ann (5001, 5004, and 5002 as a
# collaborator), bo -> 2; residual: 5002 (unattended) worked by bo and ann.


def _goto_check(path):
    loaded = load_export(path)
    assert loaded.format == "gotoassist"
    assert loaded.skipped == {"never worked (waiting, abandoned or not started)": 1}
    s = merge_sessions([loaded.sessions])[0].set_index("session_id")
    assert sorted(s.index) == ["5001", "5002", "5004"]
    assert (s["tool"] == "logmein_resolve").all()
    assert s.loc["5001", "technician"] == s.loc["5004", "technician"] == "ann@contoso.com"
    assert s.loc["5002", "others"] == "ann@contoso.com"
    assert "unattended" in s.loc["5002", "session_type"]
    assert s.loc["5004", "end"] == OPEN
    assert s.loc["5001", "end"] - s.loc["5001", "start"] == 40 * 60
    r = load_pilot([path], load_capabilities())
    assert (r.sessions_total, r.open_sessions, r.residual_sessions) == (3, 1, 1)
    residual = r.records[r.records["residual"]]
    w = work_intervals(residual)
    assert sorted(set(w.technician)) == ["ann@contoso.com", "bo@contoso.com"]  # 2 named agents
    return s


def test_gotoassist_sessions_json(tmp_path):
    """The sessions API response as it came
    (https://developer.goto.com/GoToAssistRemoteSupportV4 (GET /G2A/rest/v1/sessions)): {"sessions": [...]}."""
    f = tmp_path / "sessions.json"
    f.write_text(json.dumps({"sessions": GOTO_SESSIONS}))
    _goto_check(f)


def test_gotoassist_convertto_json_out_file_utf16(tmp_path):
    """``Invoke-RestMethod | ConvertTo-Json | Out-File`` in Windows PowerShell 5.1 writes UTF-16
    LE with a BOM
    (https://developer.goto.com/GoToAssistRemoteSupportV4 (GET /G2A/rest/v1/sessions); PowerShell's documented Out-File default): a bare list."""
    f = tmp_path / "sessions.json"
    f.write_bytes(json.dumps(GOTO_SESSIONS, indent=4).replace("\n", "\r\n").encode("utf-16"))
    _goto_check(f)


def test_gotoassist_export_csv_with_a_type_line(tmp_path):
    """``$r.sessions | Export-Csv`` without -NoTypeInformation
    (https://developer.goto.com/GoToAssistRemoteSupportV4 (GET /G2A/rest/v1/sessions); PowerShell 5.1):
    a #TYPE first line, every field quoted, CRLF, a nested object as @{name=...; email=...}."""
    fields = [
        "sessionId",
        "sessionType",
        "status",
        "expertName",
        "expertEmail",
        "expertUserKey",
        "startedAt",
        "customerJoinedAt",
        "endedAt",
        "unattendedMachineName",
        "customerName",
        "customerEmail",
        "notes",
        "collaborators",
    ]

    def cell(s, k):
        v = s.get(k)
        if k == "collaborators":
            return "; ".join("@{name=" + c["name"] + "; email=" + c["email"] + "}" for c in v or [])
        return "" if v is None else str(v)

    lines = ["#TYPE System.Management.Automation.PSCustomObject"]
    lines.append(",".join(f'"{k}"' for k in fields))
    lines += [",".join(f'"{cell(s, k)}"' for k in fields) for s in GOTO_SESSIONS]
    f = tmp_path / "sessions.csv"
    f.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    _goto_check(f)


def test_a_type_line_is_skipped_in_every_csv(tmp_path):
    """PowerShell's #TYPE line before rhmodel's own CSV, and before a column-mapped file: the
    header is the line after it, and an error names the line as an editor shows it."""
    head = "#TYPE System.Management.Automation.PSCustomObject\r\n"
    canon = tmp_path / "c.csv"
    canon.write_text(
        head + '"session_id","tool","start","end","technician","reason"\r\n'
        '"s1","beyondtrust","2026-11-24T09:00:00Z","2026-11-24T09:30:00Z","ann","pam"\r\n'
    )
    assert load_export(canon).sessions["session_id"].tolist() == ["s1"]
    mapped = tmp_path / "m.csv"
    mapped.write_text(
        head
        + '"Ref","Agent","From","To"\r\n"m1","ann","2026-11-24T09:00:00Z","2026-11-24T09:30:00Z"\r\n'
        '"m2","bo","not a time","2026-11-24T09:30:00Z"\r\n'
    )
    cols = {"session_id": "Ref", "technician": "Agent", "start": "From", "end": "To"}
    cols["tool"] = "logmein_resolve"
    with pytest.raises(InputError) as err:
        load_export(mapped, columns=cols)
    assert err.value.line == 4  # #TYPE 1, header 2, m1 3, m2 4


def test_a_support_session_listing_is_refused_with_what_to_export():
    """BeyondTrust ``generate_report=SupportSessionListing`` (docs.beyondtrust.com/rs/reference,
    reporting API): session_summary_list/session_summary[@lsid] with external_key, no times."""
    import tempfile
    from pathlib import Path

    f = Path(tempfile.mkdtemp()) / "listing.xml"
    f.write_text(
        textwrap.dedent(
            """\
            <?xml version="1.0" encoding="UTF-8"?>
            <session_summary_list xmlns="http://www.beyondtrust.com/namespaces/API/reporting">
              <session_summary lsid="c0ffee01"><external_key>INC001</external_key></session_summary>
              <session_summary lsid="c0ffee02"><external_key/></session_summary>
            </session_summary_list>
            """
        )
    )
    with pytest.raises(InputError) as err:
        load_export(f)
    message = str(err.value)
    assert "SupportSessionListing" in message and "2 session ids" in message
    assert "generate_report=SupportSession" in message


# --- Transfers: LogMeIn Rescue getReport_v2, one row per technician of a transferred session
RESCUE_HEADER = (
    "Start Time|End Time|Technician Name|Technician ID|Session ID|Session Type|Status|Name|"
    "Platform|Technician Email|Total Time"
)


def _rescue(rows):
    return "OK\r\n\r\n" + RESCUE_HEADER + "\r\n" + "\r\n".join(rows) + "\r\n"


def test_a_transferred_session_is_one_session_worked_by_two(tmp_path):
    """A Rescue session report (LogMeIn Rescue API reference, getReport_v2) in which session
    7001 appears once per technician: Ann 9:00-9:20, then Bo 9:20-9:50 (a transfer). Session
    7002 (Cy, 9:10-9:30) overlaps both. Hand count: 2 sessions; 3 named agents; sessions at
    once: 2 (7001 counted once); technicians at once: Ann 9:10-9:20 with Cy -> 2, Bo 9:20-9:30
    with Cy -> 2."""
    f = tmp_path / "rescue.txt"
    f.write_text(
        _rescue(
            [
                "11/24/2026 9:00:00 AM|11/24/2026 9:20:00 AM|Ann|1001|7001|Unattended|Closed|srv|Windows 11|ann@x.com|0:20:00",
                "11/24/2026 9:20:00 AM|11/24/2026 9:50:00 AM|Bo|1002|7001|Unattended|Closed|srv|Windows 11|bo@x.com|0:30:00",
                "11/24/2026 9:10:00 AM|11/24/2026 9:30:00 AM|Cy|1003|7002|Unattended|Closed|srv2|Windows 11|cy@x.com|0:20:00",
            ]
        )
    )
    merged = _merged([f], timezone="UTC")
    assert len(merged) == 2
    t = merged.set_index("session_id").loc["7001"]
    assert (t["technician"], t["others"]) == ("ann@x.com", "bo@x.com")
    assert t["end"] - t["start"] == 50 * 60
    w = work_intervals(merged)
    assert sorted(set(w.technician)) == ["ann@x.com", "bo@x.com", "cy@x.com"]
    assert peak_concurrency(w.session_start, w.session_end) == 2
    codes = pd.factorize(w.technician)[0]
    ms, me = merge_by_technician(codes, w.start, w.end)
    assert peak_concurrency(ms, me) == 2
    r = load_pilot([f], load_capabilities(), timezone="UTC")
    assert r.sessions_total == 2 and r.duplicates_dropped == 0


def test_a_blank_email_on_one_row_is_the_same_technician(tmp_path):
    """Rescue leaves Technician Email blank on some rows (LogMeIn Rescue API reference): the
    name and id on that row are the person whose e-mail another row shows. Hand count: 3
    sessions by Ann (one without e-mail) and Bo: 2 people, at most 2 at once."""
    f = tmp_path / "rescue.txt"
    f.write_text(
        _rescue(
            [
                "11/24/2026 9:00:00 AM|11/24/2026 9:40:00 AM|Ann|1001|8001|Unattended|Closed|a|Windows 11|ann@x.com|0:40:00",
                "11/24/2026 9:30:00 AM|11/24/2026 10:00:00 AM|Ann|1001|8002|Unattended|Closed|b|Windows 11||0:30:00",
                "11/24/2026 9:35:00 AM|11/24/2026 9:45:00 AM|Bo|1002|8003|Unattended|Closed|c|Windows 11|bo@x.com|0:10:00",
            ]
        )
    )
    merged = _merged([f], timezone="UTC")
    assert merged["technician"].tolist() == ["ann@x.com", "ann@x.com", "bo@x.com"]
    assert merged.attrs["technicians_merged"]["ann@x.com"] == 3  # ann@x.com, Ann, 1001
    w = work_intervals(merged)
    ms, me = merge_by_technician(pd.factorize(w.technician)[0], w.start, w.end)
    assert peak_concurrency(ms, me) == 2
    r = load_pilot([f], load_capabilities(), timezone="UTC")
    assert r.tools["logmein_resolve"].distinct_technicians == 2


# --- BeyondTrust: display name on primary_rep, username in rep_list (one person)
BT_XML = """\
<?xml version="1.0" encoding="UTF-8"?>
<session_list xmlns="http://www.beyondtrust.com/namespaces/API/reporting">
  <session lsid="aa01">
    <session_type>support</session_type>
    <start_time timestamp="1795528800">2026-11-24T09:00:00+00:00</start_time>
    <end_time timestamp="1795531200">2026-11-24T09:40:00+00:00</end_time>
    <jumpoint id="1">DC Jumpoint</jumpoint>
    <primary_rep id="7">Carol Cruz</primary_rep>
    <rep_list>
      <representative id="7"><primary_rep>1</primary_rep><username>ccruz</username>
        <display_name>Carol Cruz</display_name><seconds_involved>2400</seconds_involved>
      </representative>
    </rep_list>
  </session>
  <session lsid="aa02">
    <session_type>support</session_type>
    <start_time timestamp="1795529400">2026-11-24T09:10:00+00:00</start_time>
    <end_time timestamp="1795532400">2026-11-24T10:00:00+00:00</end_time>
    <jumpoint id="1">DC Jumpoint</jumpoint>
    <primary_rep id="8">Dan Diaz</primary_rep>
    <rep_list>
      <representative id="8"><primary_rep>1</primary_rep><username>ddiaz</username>
        <display_name>Dan Diaz</display_name></representative>
      <representative id="7"><primary_rep>0</primary_rep><invited>1</invited>
        <username>ccruz</username><display_name>Carol Cruz</display_name></representative>
    </rep_list>
  </session>
</session_list>
"""


def test_beyondtrust_display_name_and_username_are_one_person(tmp_path):
    """SupportSession report (BeyondTrust reporting API, "supportsession"): primary_rep carries
    the display name, rep_list the username with the same id. Hand count: 2 sessions, both
    through a Jumpoint (residual); people: Carol (aa01, and invited to aa02), Dan -> 2 (not 3);
    sessions at once 2 (the invitation is not a session); technicians at once 2."""
    f = tmp_path / "sessions.xml"
    f.write_text(BT_XML)
    merged = _merged([f])
    assert merged["technician"].tolist() == ["Carol Cruz", "Dan Diaz"]
    assert merged["others"].tolist() == ["", "Carol Cruz"]
    w = work_intervals(merged)
    assert sorted(set(w.technician)) == ["Carol Cruz", "Dan Diaz"]
    assert peak_concurrency(w.session_start, w.session_end) == 2
    r = load_pilot([f], load_capabilities())
    assert r.tools["beyondtrust"].distinct_technicians == 2
    assert r.tools["beyondtrust"].peak_concurrent_technicians == 2
    # the pool counts the invited representative as a technician, not as a third session
    assert r.tools["beyondtrust"].peak_concurrent_sessions == 2


# --- LicenseUsage: rows only above 90%
def _usage(tmp_path, intervals: str) -> str:
    f = tmp_path / "usage.xml"
    f.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<license_usage xmlns="http://www.beyondtrust.com/namespaces/API/reporting" '
        'start_time="1795528800" end_time="1795615200" group_by="hour">\n'
        "<total_licenses>20</total_licenses>\n"
        f"<license_time_intervals>{intervals}</license_time_intervals></license_usage>\n"
    )
    return f


def test_license_usage_with_no_rows_is_never_above_90_percent(tmp_path):
    """BeyondTrust LicenseUsage (docs.beyondtrust.com, reporting API "licenseusage": "Data is
    added to this report when at least 90% of your BeyondTrust licenses are in use"): no rows
    means below 90% of the 20 licences all period, not zero."""
    loaded = load_export(_usage(tmp_path, ""))
    assert loaded.license_usage_peak is None
    assert "never above 90% of 20 licences" in loaded.notes[0]
    s = tmp_path / "sessions.xml"
    s.write_text(BT_XML)
    r = load_pilot([s, tmp_path / "usage.xml"], load_capabilities())
    assert r.tools["beyondtrust"].license_usage_peak is None  # not read as 0
    assert any("never above 90% of 20 licences" in w for w in r.warnings)


def test_license_usage_counts_extended_availability(tmp_path):
    """Licences in use = representatives logged in + those in extended availability (BeyondTrust
    licensing reports). Hand count: 17 + 2 = 19 and 18 + 0 = 18 -> peak 19."""
    f = _usage(
        tmp_path,
        '<license_time_interval timestamp="1795528800"><logged_in_representatives>17'
        "</logged_in_representatives><extended_availability_representatives>2"
        "</extended_availability_representatives></license_time_interval>"
        '<license_time_interval timestamp="1795532400"><logged_in_representatives>18'
        "</logged_in_representatives></license_time_interval>",
    )
    loaded = load_export(f)
    assert loaded.license_usage_peak == 19 and loaded.rows == 2


# --- The property: any re-spelling of a technician leaves every figure unchanged
_BASE = [
    # start, end, tech name, id, email, session id
    ("9:00", "9:40", "Ann Lee", "1001", "ann@x.com", "9001"),
    ("9:10", "9:50", "Bo Ng", "1002", "bo@x.com", "9002"),
    ("9:20", "9:30", "Ann Lee", "1001", "ann@x.com", "9003"),
    ("9:45", "10:15", "Cy Oh", "1003", "cy@x.com", "9004"),
    ("10:00", "10:20", "Bo Ng", "1002", "bo@x.com", "9005"),
]


def _rescue_rows(spell) -> list[str]:
    out = []
    for i, (s, e, name, tid, mail, sid) in enumerate(_BASE):
        name_s, mail_s = spell(i, name, mail)
        out.append(
            f"11/24/2026 {s}:00 AM|11/24/2026 {e}:00 AM|{name_s}|{tid}|{sid}|Unattended|Closed|"
            f"m{i}|Windows 11|{mail_s}|0:10:00".replace("10:15:00 AM", "10:15:00 AM")
        )
    return out


def _figures(path) -> dict:
    r = load_pilot([path], load_capabilities(), timezone="UTC")
    d = jsonable(r)
    z = d["tools"]["logmein_resolve"]
    return {
        "sessions": d["sessions_total"],
        "residual": d["residual_sessions"],
        **{
            k: z[k]
            for k in (
                "peak_concurrent_sessions",
                "peak_concurrent_technicians",
                "distinct_technicians",
                "recommended_licenses",
            )
        },
    }


_ZW = st.sampled_from(["", "\u200b", "\ufeff", "\u200e", "\u2060", "\u200d"])


@st.composite
def _respelling(draw):
    """Per row: the name re-cased, padded, with zero-width characters; the e-mail re-cased,
    full-width, with zero-width characters, or blank (never on the first row of a person, so
    their e-mail is shown somewhere)."""
    choices = []
    for i in range(len(_BASE)):
        case = draw(st.sampled_from([str, str.upper, str.lower, str.title]))
        pad = draw(st.sampled_from(["", " ", "  ", "\u00a0"]))
        zw = draw(_ZW)
        blank = draw(st.booleans()) and i in (2, 4)  # later rows of Ann and Bo
        wide = draw(st.booleans())
        choices.append((case, pad, zw, blank, wide))

    def spell(i, name, mail):
        case, pad, zw, blank, wide = choices[i]
        n = pad + case(name[:2]) + zw + case(name[2:]) + pad
        m = "" if blank else case(mail[:1]) + zw + case(mail[1:])
        if wide and m:
            m = m.replace("x", "\uff58")  # full-width x: NFKC makes it x
        return n, m

    return spell


_PLAIN = None


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(spell=_respelling())
def test_any_respelling_of_a_technician_leaves_every_figure_unchanged(tmp_path_factory, spell):
    """Hand count for the plain spelling (Rescue rows, all unattended: residual): 5 sessions,
    3 people (Ann, Bo, Cy); technicians at once: 9:20-9:30 Ann and Bo -> 2, 9:45-9:50 Bo and
    Cy -> 2; sessions at once: 9:20-9:30 three (9001, 9002, 9003)."""
    global _PLAIN
    d = tmp_path_factory.mktemp("spell")
    if _PLAIN is None:
        plain = d / "plain.txt"
        plain.write_text(_rescue(_rescue_rows(lambda i, n, m: (n, m))))
        _PLAIN = _figures(plain)
        assert _PLAIN["sessions"] == 5 and _PLAIN["residual"] == 5
        assert _PLAIN["distinct_technicians"] == 3
        assert _PLAIN["peak_concurrent_technicians"] == 2
        assert _PLAIN["peak_concurrent_sessions"] == 3
    f = d / "respelled.txt"
    f.write_bytes(_rescue(_rescue_rows(spell)).encode("utf-8"))
    assert _figures(f) == _PLAIN


# --- ITSM exports as the reason log
# Sessions: a BeyondTrust /login CSV whose External Key holds the ServiceNow ticket (the
# ServiceNow integration writes it there), all attended with no customer e-mail: unexplained
# until a reason log speaks.
LOGIN_HEADER = (
    "Session ID,Session Sequence Number,Started,Ended,Representative's Name,"
    "Representative's Time Involved,Session Key,Jumpoint,Jump Group,External Key,"
    "Customer's Name,Customer's Private IP,Customer's Public IP,Representative's Public IP,"
    "Representative's Private IP,Session Type,Chat Transcript,Notes,Additional Representatives,"
    "# Files Transferred,# Files Renamed,# Files Deleted"
)
LOGIN_ROWS = [
    "b1,1,2026-11-24 09:00:00 EST,2026-11-24 09:40:00 EST,Dee Rep,0:40,,,,INC0010001,Pat,,,,,support,,,,0,0,0",
    "b2,1,2026-11-24 09:10:00 EST,2026-11-24 09:30:00 EST,Eve Rep,0:20,,,,INC0010002,Sam,,,,,support,,,,0,0,0",
    "b3,1,2026-11-24 09:20:00 EST,2026-11-24 10:00:00 EST,Fay Rep,0:40,,,,INC0010003,Lee,,,,,support,,,,0,0,0",
]
PLAIN_LOG = "ticket,reason\nINC0010001,platform\nINC0010002,recording\n"


def _itsm_case(tmp_path):
    s = tmp_path / "sessions.csv"
    s.write_text(LOGIN_HEADER + "\n" + "\n".join(LOGIN_ROWS) + "\n")
    plain = tmp_path / "plain.csv"
    plain.write_text(PLAIN_LOG)
    return s, plain


def _classes(sessions, reasons):
    r = load_pilot([sessions], load_capabilities(), reasons=reasons)
    return r.sessions_by_class, r.residual_by_reason, r.reasons_log


def test_servicenow_and_jira_exports_classify_as_the_plain_log(tmp_path):
    """ServiceNow List > Export > CSV (field names as headers, choice fields as their labels) and
    Jira Service Management's CSV export (``Issue key``, ``Custom field (...)``, dates like
    ``24/Nov/26 8:52 AM``), each mapped through pilot.reasons, give the classification of the
    plain reason log. Hand count: b1 platform, b2 recording -> residual 2, b3 unexplained 1
    (INC0010003 has no reason in either export)."""
    s, plain = _itsm_case(tmp_path)
    snow = tmp_path / "incident.csv"
    snow.write_text(
        '"number","opened_at","short_description","u_incumbent_reason","u_remote_session_id"\n'
        '"INC0010001","2026-11-24 08:52:11","Linux box","Unsupported platform",""\n'
        '"INC0010002","2026-11-24 09:05:40","Audit session","Recording required",""\n'
        '"INC0010003","2026-11-24 09:15:02","Printer","",""\n'
        '"INC0010004","2026-11-24 11:00:00","No remote session","",""\n'
    )
    jira = tmp_path / "jira.csv"
    jira.write_text(
        "Summary,Issue key,Issue id,Issue Type,Created,Custom field (Incumbent reason),"
        "Custom field (ServiceNow ref)\n"
        "Linux box,ITSD-11,10011,Incident,24/Nov/26 8:52 AM,Unsupported Platform,INC0010001\n"
        "Audit,ITSD-12,10012,Incident,24/Nov/26 9:05 AM,recording,INC0010002\n"
        "Printer,ITSD-13,10013,Incident,24/Nov/26 9:15 AM,,INC0010003\n"
    )
    labels = {"Unsupported platform": "platform", "Recording required": "recording"}
    (snow_src,) = parse_reason_logs(
        [
            {
                "path": str(snow),
                "format": "servicenow",
                "columns": {"reason": "u_incumbent_reason"},
                "labels": labels,
            }
        ]
    )
    (jira_src,) = parse_reason_logs(
        [
            {
                "path": str(jira),
                "format": "jira",
                "columns": {
                    "ticket": "Custom field (ServiceNow ref)",
                    "reason": "Custom field (Incumbent reason)",
                },
                "labels": {"unsupported platform": "platform"},
            }
        ]
    )
    want = _classes(s, [plain])
    assert want[0]["residual"] == 2 and want[0]["unexplained"] == 1
    assert want[1] == {"platform": 1, "recording": 1}
    assert _classes(s, [snow_src]) == want
    assert _classes(s, [jira_src]) == want


def test_an_unmapped_label_names_the_file_and_line(tmp_path):
    """A choice label with no code is an error at its row, with a did-you-mean."""
    snow = tmp_path / "incident.csv"
    snow.write_text(
        "number,u_incumbent_reason\nINC1,Unsupported platform\nINC2,Unsuported platform\n"
    )
    (src,) = parse_reason_logs(
        [
            {
                "path": str(snow),
                "format": "servicenow",
                "columns": {"reason": "u_incumbent_reason"},
                "labels": {"Unsupported platform": "platform"},
            }
        ]
    )
    with pytest.raises(InputError) as err:
        read_reason_log([src])
    assert err.value.line == 3 and "did you mean unsupported platform?" in str(err.value)


def test_a_missing_column_names_the_header(tmp_path):
    snow = tmp_path / "incident.csv"
    snow.write_text("number,u_reason\nINC1,pam\n")
    (src,) = parse_reason_logs(
        [{"path": str(snow), "format": "servicenow", "columns": {"reason": "u_resaon"}}]
    )
    with pytest.raises(InputError, match="no column 'u_resaon' for reason: did you mean ureason"):
        read_reason_log([src])


@pytest.mark.parametrize(
    ("entry", "path", "words"),
    [
        (
            {"path": "a.csv", "format": "servicenw", "columns": {"reason": "r"}},
            "[0].format",
            "did you mean servicenow?",
        ),
        (
            {"path": "a.csv", "format": "jira", "columns": {"reasn": "r"}},
            "[0].columns.reasn",
            "did you mean reason?",
        ),
        (
            {
                "path": "a.csv",
                "format": "jira",
                "columns": {"reason": "r"},
                "labels": {"Linux": "platfrom"},
            },
            "[0].labels",
            "did you mean platform?",
        ),
        (
            {"path": "a.csv", "format": "csv", "columns": {"reason": "r"}},
            "[0].columns",
            "neither a ticket nor a session_id",
        ),
        ({"path": "a.csv", "colums": {}}, "[0].colums", "did you mean columns?"),
    ],
)
def test_pilot_reasons_mapping_errors(entry, path, words):
    with pytest.raises(Invalid) as err:
        parse_reason_logs(["log.csv", entry])
    got = err.value
    assert got.path == path.replace("[0]", "[1]") and words in got.message


def test_a_parameters_file_with_an_itsm_reason_log(tmp_path):
    """pilot.reasons with a mapping, through the parameters file, the cached pilot and a save
    that keeps the mapping."""
    from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE
    from rhmodel.edges.paramfile import load_parameters, save_parameters

    _itsm_case(tmp_path)
    (tmp_path / "incident.csv").write_text(
        "number,u_incumbent_reason\nINC0010001,Unsupported platform\nINC0010002,recording\n"
    )
    text = SAMPLE_PARAMS_FILE.read_text()
    import yaml

    doc = yaml.safe_load(text)
    doc.setdefault("pilot", {})
    doc["pilot"]["files"] = ["sessions.csv"]
    doc["pilot"]["reasons"] = [
        {
            "path": "incident.csv",
            "format": "servicenow",
            "columns": {"reason": "u_incumbent_reason"},
            "labels": {"Unsupported platform": "platform"},
        }
    ]
    doc["pilot"].pop("devices", None)
    p = tmp_path / "p.yaml"
    p.write_text(yaml.safe_dump(doc, sort_keys=False))
    params = load_parameters(p)
    from rhmodel.edges.pilotfiles import pilot_report

    r = pilot_report(params)
    assert r is not None and r.residual_by_reason == {"platform": 1, "recording": 1}
    out = tmp_path / "sub" / "saved.yaml"
    out.parent.mkdir()
    save_parameters(params, out)
    saved = yaml.safe_load(out.read_text())["pilot"]["reasons"][0]
    assert saved["path"] == "../incident.csv" and saved["format"] == "servicenow"
    assert saved["labels"] == {"unsupported platform": "platform"}


def test_work_intervals_of_a_plain_session_are_the_session():
    """No transfer, no invitation: one interval per session (hand count)."""
    rows = pd.DataFrame(
        {"technician": ["a", "b"], "start": [0, 10], "end": [5, 20], "others": ["", ""]}
    )
    w = work_intervals(rows)
    assert w.technician.tolist() == ["a", "b"]
    assert np.array_equal(w.start, [0, 10]) and np.array_equal(w.end, [5, 20])


def test_the_reason_logs_technician_is_spelled_by_the_same_resolver(tmp_path):
    """The reason log's technician column goes through the one resolver: NFKC, format
    characters removed, an address case-folded (hand-written expectation)."""
    log = tmp_path / "log.csv"
    log.write_text("session_id,technician,reason\n7001, ANN@\uff58.com\u200b ,pam\n", "utf-8")
    (entry,) = read_reason_log([log])
    assert entry.technician == "ann@x.com"
