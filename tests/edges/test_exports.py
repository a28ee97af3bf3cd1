"""Loading pilot exports: each format from a hand-written fixture, merging, time zones, errors."""

from __future__ import annotations

import re
import textwrap

import pandas as pd
import pytest

from rhmodel.core.pilot.sessions import OPEN, merge_sessions
from rhmodel.edges.exports import load_export, load_exports
from rhmodel.errors import InputError


def utc(text: str) -> int:
    return int(pd.Timestamp(text).tz_convert("UTC").timestamp())


@pytest.fixture
def write(tmp_path):
    def w(name: str, text: str) -> str:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return str(path)

    return w


def test_canonical(write):
    path = write(
        "c.csv",
        """
        session_id,tool,start,end,technician,reason,ticket
        s1,remote_help,2027-01-04T09:00:00Z,2027-01-04T09:20:00Z,ann@example.com,,T-1
        s2,beyondtrust,2027-01-04T10:00:00+01:00,2027-01-04T10:30:00+01:00,Bob,pam,T-2
        s3,logmein_resolve,2027-01-04T11:00:00Z,,cy@example.com,unattended,T-3
    """,
    )
    x = load_export(path)
    df = x.sessions
    assert x.format == "canonical"
    assert df["tool"].tolist() == ["remote_help", "beyondtrust", "logmein_resolve"]
    assert df["start"].tolist() == [
        utc("2027-01-04T09:00:00Z"),
        utc("2027-01-04T09:00:00Z"),
        utc("2027-01-04T11:00:00Z"),
    ]
    assert df["end"].iloc[1] - df["start"].iloc[1] == 1800
    assert df["end"].iloc[2] == OPEN  # still running at export time
    assert df["reason"].tolist() == ["", "pam", "unattended"]
    assert df["line"].tolist() == [2, 3, 4]


def test_canonical_headers_are_case_and_space_insensitive_and_duration_is_accepted(write):
    path = write(
        "c.csv",
        """
        Session ID , TOOL, Start,Duration,Technician,Reason
        s1,remote_help,2027-01-04T09:00:00Z,00:15:30,ann,
        s2,remote_help,2027-01-04T09:00:00Z,600,ann,
    """,
    )
    df = load_export(path).sessions
    assert (df["end"] - df["start"]).tolist() == [930, 600]


def test_intune_graph(write):
    path = write(
        "g.csv",
        """
        id,startDateTime,endDateTime,remoteAssistanceSessionType,helperEmail,helperUserId,helperFirstName,helperLastName,helperOs,sharerEmail,sharerUserId,sharerFirstName,sharerLastName,sharerDeviceName,sharerOs,sharerDeviceSerialNumber,deviceId,sessionCreateDateTime,sessionDiagnosticCode
        a1,2027-01-04T09:00:00Z,2027-01-04T09:10:00Z,fullControl,h@example.com,u1,H,Elp,Windows,s@example.com,u2,S,Har,PC1,Windows 11,SN1,d1,2027-01-04T08:59:00Z,0
        a2,2027-01-04T09:05:00Z,2027-01-04T09:30:00Z,unattended,h@example.com,u1,H,Elp,Windows,--,,,,KIOSK,Android,SN2,d2,2027-01-04T09:05:00Z,0
    """,
    )
    x = load_export(path)
    assert x.format == "intune_graph"
    df = x.sessions
    assert set(df["tool"]) == {"remote_help"}
    assert df["technician"].tolist() == ["h@example.com"] * 2
    assert df["session_type"].tolist() == ["fullcontrol", "unattended"]
    assert df["platform"].tolist() == ["windows", "android"]
    assert df["sharer"].iloc[0] == "s@example.com"


def test_intune_admin_center_has_no_id_so_one_is_made(write):
    text = """
        Provider ID,Recipient ID,Recipient name,Device name,OS,Session start,Session end
        p1,r1,Sam Sharer,PC-9,Windows,2027-01-04T09:00:00Z,2027-01-04T09:12:00Z
        p1,r2,Ana Sharer,PC-3,macOS,2027-01-04T09:30:00Z,2027-01-04T09:40:00Z
    """
    a = load_export(write("a1.csv", text)).sessions
    b = load_export(write("a2.csv", text)).sessions
    assert a["session_id"].tolist() == b["session_id"].tolist()  # stable across exports
    assert a["session_id"].nunique() == 2
    assert a["platform"].tolist() == ["windows", "macos"]
    merged, dropped = merge_sessions([a, b])
    assert len(merged) == 2 and dropped == 2


BT_XML = """
<?xml version="1.0" encoding="UTF-8"?>
<session_list xmlns="http://www.beyondtrust.com/sra/namespaces/API/reporting">
  <session lsid="c0ffee01">
    <session_type>support</session_type>
    <lseq>1</lseq>
    <start_time timestamp="1798362000">2026-12-27T09:00:00+00:00</start_time>
    <end_time timestamp="1798363800">2026-12-27T09:30:00+00:00</end_time>
    <duration>00:30:00</duration>
    <public_site id="1">Default</public_site>
    <external_key>pam</external_key>
    <primary_rep id="7">Rita Rep</primary_rep>
    <customer_list>
      <customer gsnumber="3">
        <username>vendor@partner.example</username>
        <public_ip>198.51.100.7</public_ip>
        <private_ip>10.0.0.7</private_ip>
        <hostname>SRV-1</hostname>
        <os>Windows Server 2022</os>
        <primary_cust>1</primary_cust>
        <info><name>V</name><company>Partner</company><company_code/><issue>x</issue></info>
      </customer>
    </customer_list>
    <rep_list>
      <representative gsnumber="4" id="7"><display_name>Rita Rep</display_name>
      <username>rita</username><seconds_involved>1800</seconds_involved>
      <primary_rep>1</primary_rep></representative>
    </rep_list>
    <session_details><event timestamp="1798362000" event_type="Session Start"/></session_details>
  </session>
  <session lsid="c0ffee02">
    <session_type>jump</session_type>
    <start_time timestamp="1798365600"/>
    <end_time timestamp=""/>
    <duration>01:00:00</duration>
    <external_key/>
    <primary_rep id="8">Ravi Rep</primary_rep>
    <customer_list><customer><username>ops@example.com</username><os>Ubuntu 22.04</os></customer></customer_list>
  </session>
</session_list>
"""


def test_beyondtrust_xml(write):
    x = load_export(write("bt.xml", BT_XML))
    df = x.sessions
    assert x.format == "beyondtrust_xml"
    assert df["session_id"].tolist() == ["c0ffee01", "c0ffee02"]
    assert df["start"].tolist() == [1798362000, 1798365600]
    assert df["end"].tolist() == [1798363800, 1798365600 + 3600]  # start + duration
    assert df["technician"].tolist() == ["Rita Rep", "Ravi Rep"]
    assert df["reason"].tolist() == ["pam", ""]
    assert df["session_type"].tolist() == ["support", "jump"]
    assert df["sharer"].tolist() == ["vendor@partner.example", "ops@example.com"]
    # issue 27: "Windows Server 2022" is a server, not a Windows client Remote Help supports
    assert df["platform"].tolist() == ["windows_server", "linux"]
    assert df["line"].tolist() == [3, 30]


def test_beyondtrust_csv(write):
    path = write(
        "bt.csv",
        """
        lsid,session_type,start_time,end_time,duration,primary_rep,customer_username,customer_os,external_key
        b1,support,1798362000,1798363800,00:30:00,Rita Rep,x@example.com,macOS 14,recording
        b2,jump,1798365600,,00:10:00,Ravi Rep,y@example.com,Windows 10,
    """,
    )
    df = load_export(path).sessions
    assert df["end"].tolist() == [1798363800, 1798365600 + 600]
    assert df["reason"].tolist() == ["recording", ""]
    assert df["platform"].tolist() == ["macos", "windows"]


def test_logmein_local_times_need_a_time_zone(write):
    text = """
        session_id,start_time,end_time,technician_name,technician_id,technician_email,session_type,status,channel_name,device_id,platform,total_time,work_time,active_time,waiting_time,hold_time
        9001,2027-03-28 00:30:00,2027-03-28 03:30:00,Lee,17,lee@example.com,Unattended,Closed,Desk,D1,Windows,03:00:00,,,,
        9002,2027-03-29 09:00:00,,Lee,17,lee@example.com,Attended,Closed,Desk,D2,ChromeOS,00:20:00,,,,
    """
    path = write("lmi.csv", text)
    with pytest.raises(InputError) as err:
        load_export(path)
    assert re.match(
        rf"{re.escape(path)}:2: start_time has no time zone \('2027-03-28 00:30:00'\)",
        str(err.value),
    )
    df = load_export(path, timezone="Europe/London").sessions
    # 00:30 GMT, then 03:30 BST (clocks went forward at 01:00 GMT): 2 hours elapsed, not 3
    assert df["start"].iloc[0] == utc("2027-03-28T00:30:00Z")
    assert df["end"].iloc[0] - df["start"].iloc[0] == 2 * 3600
    assert df["end"].iloc[1] - df["start"].iloc[1] == 1200  # total_time when no end
    assert df["technician"].tolist() == ["lee@example.com"] * 2
    assert df["platform"].tolist() == ["windows", "chromeos"]


def test_nonexistent_local_time_is_refused(write):
    path = write(
        "lmi.csv",
        """
        session_id,start_time,end_time,technician_email
        1,2027-03-28 01:30:00,2027-03-28 02:30:00,lee@example.com
    """,
    )
    with pytest.raises(
        InputError,
        match=r"lmi\.csv:2: start_time does not exist or is "
        r"ambiguous in Europe/London",
    ):
        load_export(path, timezone="Europe/London")


def test_mixed_offsets_are_fine(write):
    path = write(
        "c.csv",
        """
        session_id,tool,start,end,technician,reason
        s1,remote_help,2027-01-04T09:00:00+01:00,2027-01-04T09:20:00-05:00,ann,
    """,
    )
    df = load_export(path).sessions
    assert df["end"].iloc[0] - df["start"].iloc[0] == 6 * 3600 + 20 * 60


BAD = [
    ("empty.csv", "", r"empty\.csv: empty file"),
    ("blank.csv", "\n\n  \n", r"blank\.csv: empty file"),
    ("junk.csv", "a,b,c\n1,2,3\n", r"junk\.csv:1: no recognisable header"),
    (
        "header.csv",
        "session_id,tool,start,end,technician,reason\n",
        r"header\.csv: no sessions below the header",
    ),
    (
        "back.csv",
        "session_id,tool,start,end,technician,reason\n"
        "s1,remote_help,2027-01-04T09:00:00Z,2027-01-04T08:00:00Z,ann,\n",
        r"back\.csv:2: end is before start",
    ),
    (
        "tool.csv",
        "session_id,tool,start,end,technician,reason\n"
        "s1,remote_help,2027-01-04T09:00:00Z,,ann,\n"
        # (TeamViewer became a product: a tool rhmodel has no record of stands in)
        "s2,anydesk,2027-01-04T09:00:00Z,,ann,\n",
        r"tool\.csv:3: unknown tool \('anydesk'\) — accepted: remote_help, logmein_resolve, "
        r"beyondtrust",
    ),
    (
        "reason.csv",
        "session_id,tool,start,end,technician,reason\n"
        "s1,beyondtrust,2027-01-04T09:00:00Z,,ann,vendor\n",
        r"reason\.csv:2: unknown reason code \('vendor'\) — accepted: unattended, external",
    ),
    (
        "rhreason.csv",
        "session_id,tool,start,end,technician,reason\n"
        "s1,remote_help,2027-01-04T09:00:00Z,,ann,pam\n",
        r"rhreason\.csv:2: a Remote Help session has a reason \('pam'\)",
    ),
    (
        "noreason.csv",
        "session_id,tool,start,end,technician,reason\n"
        "s1,logmein_resolve,2027-01-04T09:00:00Z,,ann,\n",
        r"noreason\.csv:2: an incumbent session \(logmein_resolve\) has no reason",
    ),
    (
        "ts.csv",
        "session_id,tool,start,end,technician,reason\n"
        "s1,remote_help,2027-01-04T09:00:00Z,,ann,\n"
        "s2,remote_help,yesterday,,ann,\n",
        r"ts\.csv:3: start is not a timestamp \('yesterday'\)",
    ),
    (
        "naive.csv",
        "session_id,tool,start,end,technician,reason\ns1,remote_help,2027-01-04T09:00:00,,ann,\n",
        r"naive\.csv:2: start has no time zone",
    ),
    (
        "dur.csv",
        "session_id,tool,start,duration,technician,reason\n"
        "s1,remote_help,2027-01-04T09:00:00Z,ten minutes,ann,\n",
        r"dur\.csv:2: duration is not a duration \('ten minutes'\)",
    ),
    (
        "tech.csv",
        "session_id,tool,start,end,technician,reason\ns1,remote_help,2027-01-04T09:00:00Z,,,\n",
        r"tech\.csv:2: technician is missing",
    ),
    (
        "quoted.csv",
        "session_id,tool,start,end,technician,reason,note\n"
        's1,remote_help,2027-01-04T09:00:00Z,,ann,,"two\nlines"\n'
        "s2,remote_help,2027-01-04T09:00:00Z,2027-01-04T08:00:00Z,ann,,x\n",
        r"quoted\.csv:4: end is before start",
    ),  # the line an editor shows, after the note
    (
        "bad.xml",
        "<session_list><session lsid='1'><start_time>\n</session_list>",
        r"bad\.xml:2: not well-formed XML",
    ),
    ("none.xml", "<session_list></session_list>", r"none\.xml: no <session> elements"),
]


@pytest.mark.parametrize(("name", "text", "pattern"), BAD)
def test_bad_exports_never_yield_numbers(tmp_path, name, text, pattern):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_exports([path])
    message = str(err.value)
    assert re.search(pattern, message), message
    assert " — " in message and "\n" not in message


def test_overlapping_exports_count_each_session_once(write):
    head = "session_id,tool,start,end,technician,reason\n"
    one = write(
        "one.csv",
        head
        + "s1,remote_help,2027-01-04T09:00:00Z,2027-01-04T09:20:00Z,ann,\n"
        + "s2,remote_help,2027-01-04T10:00:00Z,,ann,\n",
    )  # running at export time
    two = write(
        "two.csv",
        head
        + "s2,remote_help,2027-01-04T10:00:00Z,2027-01-04T10:45:00Z,ann,\n"
        + "s3,remote_help,2027-01-05T10:00:00Z,2027-01-05T10:05:00Z,bo,\n"
        + "s1,remote_help,2027-01-04T09:00:00Z,2027-01-04T09:20:00Z,ann,\n",
    )
    merged, dropped = merge_sessions([x.sessions for x in load_exports([one, two])])
    assert dropped == 2
    assert sorted(merged["session_id"]) == ["s1", "s2", "s3"]
    s2 = merged[merged["session_id"] == "s2"].iloc[0]
    assert s2["end"] - s2["start"] == 45 * 60  # the complete record won


def test_disagreeing_records_name_both_places(write):
    head = "session_id,tool,start,end,technician,reason\n"
    one = write("one.csv", head + "s1,remote_help,2027-01-04T09:00:00Z,2027-01-04T09:20:00Z,ann,\n")
    two = write(
        "two.csv",
        head
        + "x,remote_help,2027-01-04T09:00:00Z,,ann,\n"
        + "s1,remote_help,2027-01-04T09:00:00Z,2027-01-04T09:50:00Z,ann,\n",
    )
    with pytest.raises(InputError) as err:
        merge_sessions([x.sessions for x in load_exports([one, two])])
    message = str(err.value)
    assert "one.csv:2" in message and "two.csv:3" in message
    assert "disagrees" in message


def test_a_folder_stands_for_its_files(tmp_path, write):
    write(
        "a.csv",
        "session_id,tool,start,end,technician,reason\ns1,remote_help,2027-01-04T09:00:00Z,,ann,\n",
    )
    (tmp_path / ".hidden").write_text("ignored")
    assert [x.format for x in load_exports([tmp_path])] == ["canonical"]
    with pytest.raises(InputError, match="no such file"):
        load_exports([tmp_path / "missing.csv"])
