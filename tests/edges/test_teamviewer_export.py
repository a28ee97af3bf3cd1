"""TeamViewer connection reports as TeamViewer documents them, and as Excel re-saves them.

The fixtures are written here from the documentation (as in test_vendor_exports.py), never
from rhmodel's synthetic generator; sources, checked 2026-12-01:

- the Web API OpenAPI document (webapi.teamviewer.com; saved in the public repo
  panoramicdata/TeamViewer.Api, Documentation/swagger-spec.json): GET /api/v1/reports/connections,
  schemas GetAllConnectionsResponse (records, records_remaining, next_offset) and
  GetConnectionResponse (id, userid, username, deviceid, devicename, groupid, groupname,
  support_session_type 1 RemoteConnection / 2 RemoteSupportActive / 3 RemoteSupportActiveSdk,
  start_date, end_date, fee, currency, billing_state, notes, session_code, end_customer, ...);
  "Reports are sorted by end date descending", offset_id = the last record's id;
- TeamViewerPS (github.com/teamviewer/TeamViewerPS): Get-TeamViewerConnectionReport's property
  names (Id, UserId, UserName, DeviceId, DeviceName, GroupId, GroupName, SupportSessionType,
  StartDate, EndDate, SessionCode, Fee, BillingState, Currency, Notes), dates as local DateTime;
- TeamViewer knowledge base "Connection reports" (TeamViewer Remote): CSV export, times in UTC.
  Its column names are not published: the console CSV below uses assumed names.

Each carries its figures counted by hand.
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest

from rhmodel.core.pilot.pool import peak_concurrency
from rhmodel.core.pilot.sessions import OPEN, merge_sessions
from rhmodel.edges.exports import detect_format, load_export, load_exports
from rhmodel.errors import InputError


def _utc(iso: str) -> int:
    """Unix seconds of an ISO time in UTC, by the standard library (the oracle)."""
    return int(dt.datetime.fromisoformat(iso).replace(tzinfo=dt.UTC).timestamp())


def _id(n: int) -> str:
    return f"6f1c2a4e-0d3b-4c5a-9e7f-{n:012d}"


# --- The Web API page, one record per line (hand-countable lines), newest end first as the API
# sorts it. "_source" is a key the loader does not read: JSON holds no comments.
PAGE = (
    "{\n"  # line 1
    '  "_source": "hand-written from TeamViewer Web API GetAllConnectionsResponse, 2026-12-01",\n'
    '  "records": [\n'  # line 3
    # line 4, r7: type 0 (in the enum, meaning undocumented); fractional seconds
    f'    {{"id": "{_id(7)}", "userid": "u1003", "username": "Cy Agent", "deviceid": "1234567007", "devicename": "PC-MAX", "groupid": "g100", "groupname": "Office", "support_session_type": 0, "start_date": "2026-11-26T08:00:00.123Z", "end_date": "2026-11-26T08:20:00Z", "fee": 0.0, "currency": "EUR", "billing_state": "Open", "notes": null}},\n'
    # line 5, r6: no user at all: not a session of one of our technicians (skipped)
    f'    {{"id": "{_id(6)}", "userid": "", "username": "", "deviceid": "1234567006", "devicename": "PC-X", "groupid": "g100", "groupname": "Office", "support_session_type": 1, "start_date": "2026-11-25T14:00:00Z", "end_date": "2026-11-25T14:05:00Z"}},\n'
    # line 6, r5: a service case with an external customer
    f'    {{"id": "{_id(5)}", "userid": "u1002", "username": "Bo Müller", "deviceid": "1234567005", "devicename": "PC-LEE", "groupid": "g100", "groupname": "Office", "support_session_type": 2, "start_date": "2026-11-25T13:00:00Z", "end_date": "2026-11-25T13:30:00Z", "session_code": "s13-579-246", "end_customer": {{"name": "Lee", "email": "Lee@Partner.org"}}, "notes": "call back Friday"}},\n'
    # line 7, r4: the SDK (type 3)
    f'    {{"id": "{_id(4)}", "userid": "u1003", "username": "Cy Agent", "deviceid": "1234567004", "devicename": "KIOSK-3", "groupid": "g200", "groupname": "Kiosks", "support_session_type": 3, "start_date": "2026-11-25T10:00:00Z", "end_date": "2026-11-25T10:12:30Z"}},\n'
    # line 8, r3: across midnight (UTC)
    f'    {{"id": "{_id(3)}", "userid": "u1002", "username": "Bo Müller", "deviceid": "1234567003", "devicename": "LAB-07", "groupid": "g300", "groupname": "Lab", "support_session_type": 1, "start_date": "2026-11-24T23:30:00Z", "end_date": "2026-11-25T01:15:00Z"}},\n'
    # line 9, r2: Ann again, overlapping r1; the comment is a reason code
    f'    {{"id": "{_id(2)}", "userid": "u1001", "username": "Ann Agent", "deviceid": "1234567002", "devicename": "SRV-DB01", "groupid": "g300", "groupname": "Servers", "support_session_type": 1, "start_date": "2026-11-24T09:20:00Z", "end_date": "2026-11-24T10:05:00Z", "notes": "PAM"}},\n'
    # line 10, r1: a service case (session code) with an internal customer; a ticket in the notes
    f'    {{"id": "{_id(1)}", "userid": "u1001", "username": "Ann Agent", "deviceid": "1234567001", "devicename": "PC-KIM", "groupid": "g100", "groupname": "Office", "support_session_type": 2, "start_date": "2026-11-24T09:00:00Z", "end_date": "2026-11-24T09:40:00Z", "session_code": "s12-345-678", "end_customer": {{"name": "Kim", "email": "kim@example.com"}}, "notes": "INC0012345", "feedback": {{"session_rating": 5, "user_comment": "thanks"}}}}\n'
    "  ],\n"
    '  "records_remaining": 0,\n'
    '  "next_offset": null\n'
    "}\n"
)
# Hand count: 7 records, 1 skipped (r6, no user) -> 6 sessions; technicians u1001 (Ann: r1, r2),
# u1002 (Bo: r3, r5), u1003 (Cy: r4, r7) -> 3. Minutes: r1 09:00-09:40 = 40; r2 09:20-10:05 =
# 45; r3 23:30-01:15 = 30 + 75 = 105; r4 10:00-10:12:30 = 12.5; r5 13:00-13:30 = 30;
# r7 08:00:00(.123 dropped)-08:20 = 20. Only r1 and r2 overlap (09:20-09:40): peak 2 at once.
MINUTES = {1: 40.0, 2: 45.0, 3: 105.0, 4: 12.5, 5: 30.0, 7: 20.0}
LINES = {7: 4, 5: 6, 4: 7, 3: 8, 2: 9, 1: 10}


def _records() -> list[dict]:
    return json.loads(PAGE)["records"]


def _minutes(sessions, n: int) -> float:
    row = sessions.set_index("session_id").loc[_id(n)]
    return (row["end"] - row["start"]) / 60


def test_one_api_page_gives_the_hand_counted_sessions(tmp_path):
    f = tmp_path / "connections.json"
    f.write_text(PAGE, encoding="utf-8")
    loaded = load_export(f)
    assert loaded.format == "teamviewer_json"
    assert loaded.rows == 7 and loaded.skipped == {"no TeamViewer user recorded": 1}
    s = loaded.sessions
    assert len(s) == 6 and set(s["tool"]) == {"teamviewer"}
    assert sorted(s["technician"].unique()) == ["u1001", "u1002", "u1003"]
    assert {n: _minutes(s, n) for n in MINUTES} == MINUTES
    by_id = s.set_index("session_id")
    assert by_id.loc[_id(3), "start"] == _utc("2026-11-24T23:30:00")  # across midnight
    assert by_id.loc[_id(3), "end"] == _utc("2026-11-25T01:15:00")
    assert {n: int(by_id.loc[_id(n), "line"]) for n in LINES} == LINES
    starts, ends = s["start"].to_numpy(np.int64), s["end"].to_numpy(np.int64)
    assert peak_concurrency(starts, ends) == 2
    ann = (s["technician"] == "u1001").to_numpy()
    assert peak_concurrency(starts[ann], ends[ann]) == 2  # the same user in two at once
    assert not any("remain" in n for n in loaded.notes)


def test_session_type_sharer_and_notes_follow_the_documented_meanings(tmp_path):
    f = tmp_path / "connections.json"
    f.write_text(PAGE, encoding="utf-8")
    s = load_export(f).sessions.set_index("session_id")
    assert s.loc[_id(1), "session_type"] == "remote support (session code)"  # 2: attended
    assert s.loc[_id(2), "session_type"] == "remote connection (teamviewer id)"  # 1: not known
    assert s.loc[_id(4), "session_type"] == "remote support sdk (session code)"  # 3
    assert s.loc[_id(7), "session_type"] == ""  # 0: undocumented
    # the customer's e-mail when the service case has one, else the device
    assert s.loc[_id(1), "sharer"] == "kim@example.com"
    assert s.loc[_id(5), "sharer"] == "lee@partner.org"
    assert s.loc[_id(2), "sharer"] == "srv-db01"
    # a comment is a reason only when it is one; otherwise neither reason nor ticket
    assert s.loc[_id(2), "reason"] == "pam" and s.loc[_id(2), "ticket"] == ""
    assert s.loc[_id(1), "reason"] == "" and s.loc[_id(1), "ticket"] == ""
    assert s.loc[_id(5), "reason"] == "" and (s["platform"] == "").all()


@pytest.mark.parametrize(
    "shape",
    ["pretty", "minified", "list_of_records", "utf16", "bom"],
)
def test_every_saved_shape_of_the_page_gives_the_same_sessions(tmp_path, shape):
    doc = json.loads(PAGE)
    f = tmp_path / f"{shape}.json"
    if shape == "pretty":  # PowerShell's ConvertTo-Json, jq: one key a line
        f.write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")
    elif shape == "minified":  # the API's own response body
        f.write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")
    elif shape == "list_of_records":  # $response.records saved alone
        f.write_text(json.dumps(doc["records"], indent=1), encoding="utf-8")
    elif shape == "utf16":  # PowerShell 5's Out-File
        f.write_bytes(json.dumps(doc, indent=2).encode("utf-16"))
    else:
        f.write_bytes(b"\xef\xbb\xbf" + json.dumps(doc).encode())
    loaded = load_export(f)
    assert loaded.format == "teamviewer_json" and loaded.skipped == {
        "no TeamViewer user recorded": 1
    }
    assert {n: _minutes(loaded.sessions, n) for n in MINUTES} == MINUTES
    lines = loaded.sessions.set_index("session_id")["line"]
    if shape == "minified":  # one line: records located by position (r7 = 1st, r1 = 7th)
        assert lines[_id(7)] == 1 and lines[_id(1)] == 7
    elif shape == "pretty":  # each record opens on its own "{" line
        text = f.read_text(encoding="utf-8").splitlines()
        for n in MINUTES:  # the "{" line, and the record's id on the line after it
            assert text[lines[_id(n)] - 1].strip() == "{"
            assert text[lines[_id(n)]].strip() == f'"id": "{_id(n)}",'


def _pages() -> list[dict]:
    """Two pages as Get-TeamViewerConnectionReport fetches them: 4 records, then the rest from
    offset_id = next_offset. The second fetch overlaps the first by one record (r4)."""
    r = _records()  # r7, r6, r5, r4, r3, r2, r1 (newest end first)
    return [
        {"records": r[:4], "records_remaining": 3, "next_offset": r[3]["id"]},
        {"records": r[3:], "records_remaining": 0},
    ]


@pytest.mark.parametrize("layout", ["list", "appended"])
def test_pages_saved_together_count_each_session_once(tmp_path, layout):
    f = tmp_path / "pages.json"
    pages = _pages()
    if layout == "list":
        f.write_text(json.dumps(pages, indent=2))
    else:  # each response appended to the file, one after another
        f.write_text("\n".join(json.dumps(p) for p in pages) + "\n")
    loaded = load_export(f)
    # hand count: 4 + 4 = 8 records, r6 skipped, r4 twice -> 7 loaded, 6 sessions after merging
    assert loaded.rows == 8 and len(loaded.sessions) == 7
    assert not any("remain" in n for n in loaded.notes)  # the last page says 0
    merged, dropped = merge_sessions([loaded.sessions])
    assert len(merged) == 6 and dropped == 1
    lines = loaded.sessions["line"].tolist()
    if layout == "appended":
        # one page a line, so records share lines: each is located by its position among the
        # 8 records instead (r6, the 2nd, skipped)
        assert lines == [1, 3, 4, 5, 6, 7, 8]
    else:  # indented: each record opens on a line of its own
        assert len(set(lines)) == 7 and lines == sorted(lines) and lines[0] > 3


def test_a_page_that_is_not_the_last_is_noted(tmp_path):
    f = tmp_path / "first-page.json"
    f.write_text(json.dumps(_pages()[0], indent=2))
    loaded = load_export(f)
    assert len(loaded.sessions) == 3  # r7, r5, r4 (r6 skipped)
    assert any("3 more records remain" in n and "offset_id" in n for n in loaded.notes)


def test_a_malformed_record_names_the_file_and_its_line(tmp_path):
    f = tmp_path / "bad.json"
    # r3 (line 8) made to end before it starts
    f.write_text(
        PAGE.replace('"end_date": "2026-11-25T01:15:00Z"', '"end_date": "2026-11-24T01:15:00Z"')
    )
    with pytest.raises(InputError, match=r"bad\.json:8: end is before start"):
        load_export(f)
    f.write_text(PAGE.replace('"2026-11-25T10:00:00Z"', '"25/11/2026 ten"'))  # r4, line 7
    with pytest.raises(InputError, match=r"bad\.json:7: start_date is not a timestamp"):
        load_export(f)
    f.write_text(PAGE.replace('"support_session_type": 3,', '"support_session_type": 3'))
    with pytest.raises(InputError, match=r"bad\.json:7: not readable JSON"):
        load_export(f)
    f.write_text('{"records": [{"id": "x", "username": "a"}]}')
    with pytest.raises(InputError, match=r"bad\.json: the records have no start_date"):
        load_export(f)
    f.write_text('{"records": "none"}')
    with pytest.raises(InputError, match=r'"records" is not a list of records'):
        load_export(f)


def test_the_intune_report_stream_is_still_read_as_intune(tmp_path):
    f = tmp_path / "stream.json"
    f.write_text(
        json.dumps(
            {
                "TotalRowCount": 1,
                "Schema": [{"Column": c} for c in ("Id", "StartDateTime", "EndDateTime")]
                + [{"Column": "HelperEmail"}],
                "Values": [["g1", "2026-11-24T14:05:12Z", "2026-11-24T14:20:00Z", "h@x.com"]],
            }
        )
    )
    assert load_export(f).format == "intune_graph"


# --- The same fields as CSV: Get-TeamViewerConnectionReport | Export-Csv -NoTypeInformation on
# an en-US machine in New York (PowerShell writes the local DateTime in its culture; November:
# EST, UTC-5). A hashtable's property order is PowerShell's own: any order reads the same.
PS_HEADER = (
    '"Notes","SupportSessionType","StartDate","EndDate","DeviceName","DeviceId","GroupName",'
    '"GroupId","Id","UserName","UserId","SessionCode","Fee","BillingState","Currency"'
)
PS_ROWS = [
    # r1 09:00Z-09:40Z = 4:00-4:40 AM EST; type 2 by its enum name
    f'"INC0012345","RemoteSupportActive","11/24/2026 4:00:00 AM","11/24/2026 4:40:00 AM","PC-KIM","1234567001","Office","g100","{_id(1)}","Ann Agent","u1001","s12-345-678","0","Open","EUR"',
    # r2 09:20Z-10:05Z = 4:20-5:05 AM
    f'"pam","RemoteConnection","11/24/2026 4:20:00 AM","11/24/2026 5:05:00 AM","SRV-DB01","1234567002","Servers","g300","{_id(2)}","Ann Agent","u1001","","","",""',
    # r3 23:30Z-01:15Z = 6:30-8:15 PM on the 24th
    f'"","RemoteConnection","11/24/2026 6:30:00 PM","11/24/2026 8:15:00 PM","LAB-07","1234567003","Lab","g300","{_id(3)}","Bo Müller","u1002","","","",""',
    # r6: no user (skipped)
    f'"","RemoteConnection","11/25/2026 9:00:00 AM","11/25/2026 9:05:00 AM","PC-X","1234567006","Office","g100","{_id(6)}","","","","","",""',
]
# Hand count: 4 rows, 1 skipped, 3 sessions; technicians u1001, u1002 -> 2; minutes 40, 45, 105.


def _ps_csv() -> str:
    return PS_HEADER + "\r\n" + "\r\n".join(PS_ROWS) + "\r\n"


def _excel_resave(text: str, delimiter: str, european: bool) -> str:
    """Opened in Excel and saved as CSV: quotes only where needed, times without seconds
    (a European Excel writes 24.11.2026 04:00 and semicolons)."""
    import csv
    import io

    rows = list(csv.reader(io.StringIO(text)))
    out = io.StringIO()
    w = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    for k, row in enumerate(rows):
        if k:
            for c in (2, 3):
                when = dt.datetime.strptime(row[c], "%m/%d/%Y %I:%M:%S %p")
                row[c] = when.strftime("%d.%m.%Y %H:%M" if european else "%m/%d/%Y %H:%M")
        w.writerow(row)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "encode"),
    [
        ("Export-Csv.csv", lambda: _ps_csv().encode("utf-8")),
        (
            "excel-utf8-bom.csv",
            lambda: b"\xef\xbb\xbf" + _excel_resave(_ps_csv(), ",", False).encode(),
        ),
        ("excel-european.csv", lambda: _excel_resave(_ps_csv(), ";", True).encode("cp1252")),
    ],
)
def test_the_api_fields_as_csv_in_every_shape(tmp_path, name, encode):
    f = tmp_path / name
    f.write_bytes(encode())
    loaded = load_export(f, "America/New_York")
    assert loaded.format == "teamviewer_api_csv"
    assert loaded.rows == 4 and loaded.skipped == {"no TeamViewer user recorded": 1}
    s = loaded.sessions.set_index("session_id")
    assert sorted(s["technician"].unique()) == ["u1001", "u1002"]
    assert s.loc[_id(1), "start"] == _utc("2026-11-24T09:00:00")  # 4:00 AM EST
    assert s.loc[_id(3), "end"] == _utc("2026-11-25T01:15:00")  # 8:15 PM EST, next day in UTC
    assert {n: _minutes(loaded.sessions, n) for n in (1, 2, 3)} == {1: 40.0, 2: 45.0, 3: 105.0}
    assert s.loc[_id(1), "session_type"] == "remote support (session code)"
    assert s.loc[_id(2), "reason"] == "pam"
    assert s.loc[_id(3), "line"] == 4  # header line 1, r1 line 2
    if name == "excel-european.csv":
        assert any("Windows-1252" in n for n in loaded.notes)


def test_the_api_csv_needs_the_time_zone_of_the_machine_that_wrote_it(tmp_path):
    f = tmp_path / "Export-Csv.csv"
    f.write_text(_ps_csv(), encoding="utf-8")
    with pytest.raises(InputError, match=r"Export-Csv\.csv:2: start_date has no time zone"):
        load_export(f)


def test_the_same_session_from_the_json_and_the_api_csv_counts_once(tmp_path):
    (tmp_path / "a.json").write_text(PAGE, encoding="utf-8")
    (tmp_path / "b.csv").write_text(_ps_csv(), encoding="utf-8")
    loaded = load_exports([tmp_path / "a.json", tmp_path / "b.csv"], "America/New_York")
    merged, dropped = merge_sessions([x.sessions for x in loaded])
    # 6 + 3 sessions; r1, r2, r3 in both, agreeing to the second -> 6 sessions, 3 dropped
    assert len(merged) == 6 and dropped == 3


# --- The Management Console / Admin settings CSV export. TeamViewer documents that its times are
# UTC; its column names are not published: these are assumptions (low confidence).
CONSOLE = (
    "User,Device,Group,Start,End,Duration,Session type,Notes\n"
    "Ann Agent,PC-KIM,Office,2026-11-24 09:00:00,2026-11-24 09:40:00,00:40:00,Remote support,INC0012345\n"
    "Ann Agent,SRV-DB01,Servers,2026-11-24 09:20:00,2026-11-24 10:05:00,00:45:00,Remote control,pam\n"
    # no end written: the duration gives it (23:30 + 1:45 = 01:15)
    "Bo Müller,LAB-07,Lab,2026-11-24 23:30:00,,01:45:00,Remote control,\n"
    ",PC-X,Office,2026-11-25 14:00:00,2026-11-25 14:05:00,00:05:00,Remote control,\n"
)
# Hand count: 4 rows, 1 skipped (no user), 3 sessions, 2 technicians (by name: no ids here);
# minutes 40, 45, 105; r1 and r2 overlap -> peak 2.


def test_the_console_csv_is_read_in_utc(tmp_path):
    f = tmp_path / "connection-report.csv"
    f.write_text(CONSOLE, encoding="utf-8")
    loaded = load_export(f)
    assert loaded.format == "teamviewer_csv"
    assert loaded.rows == 4 and loaded.skipped == {"no TeamViewer user recorded": 1}
    s = loaded.sessions.sort_values("start")
    assert sorted(s["technician"].unique()) == ["Ann Agent", "Bo Müller"]
    assert ((s["end"] - s["start"]) / 60).tolist() == [40.0, 45.0, 105.0]
    assert s["start"].iloc[0] == _utc("2026-11-24T09:00:00")
    assert s["session_id"].str.match(r"^tv-[0-9a-f]{16}$").all() and s["session_id"].is_unique
    assert s["session_type"].iloc[0] == "remote support" and s["reason"].iloc[1] == "pam"
    assert peak_concurrency(s["start"].to_numpy(np.int64), s["end"].to_numpy(np.int64)) == 2
    assert any("not published" in n for n in loaded.notes)
    # a time zone given does not move documented-UTC times; a note says so
    berlin = load_export(f, "Europe/Berlin")
    assert berlin.sessions["start"].tolist() == loaded.sessions["start"].tolist()
    assert any("is not applied" in n for n in berlin.notes)
    assert (loaded.sessions["end"] != OPEN).all()


def test_a_malformed_console_row_names_its_line(tmp_path):
    f = tmp_path / "connection-report.csv"
    f.write_text(CONSOLE.replace("2026-11-24 10:05:00", "2026-11-24 08:05:00"), encoding="utf-8")
    with pytest.raises(InputError, match=r"connection-report\.csv:3: end is before start"):
        load_export(f)


def test_detection_picks_the_teamviewer_formats_and_leaves_the_others():
    api = [h.strip('"') for h in PS_HEADER.split(",")]
    assert detect_format(api) == "teamviewer_api_csv"
    assert detect_format(["id", "userid", "username", "devicename", "start_date", "end_date",
                          "support_session_type"]) == "teamviewer_api_csv"  # fmt: skip
    assert detect_format(CONSOLE.splitlines()[0].split(",")) == "teamviewer_csv"
    assert detect_format(["Expert", "Computer", "Start time", "End time"]) == "teamviewer_csv"
    # the others keep theirs
    assert detect_format(["Session ID", "Start Time", "End Time", "Technician Name"]) == (
        "logmein_csv"
    )
    assert detect_format(["Session ID", "Tool", "Start", "End", "Technician", "Reason"]) == (
        "canonical"
    )
    assert detect_format(["User", "Start", "End"]) is None  # no device: not TeamViewer's


def test_the_page_end_to_end_when_teamviewer_is_a_product(tmp_path):
    """Through load_pilot, once the core lists TeamViewer as a product."""
    from rhmodel.core.products import PRODUCTS
    from rhmodel.edges.bundled import load_capabilities
    from rhmodel.edges.pilotfiles import load_pilot

    if "teamviewer" not in PRODUCTS:
        pytest.skip("rhmodel.core.products does not list teamviewer yet")
    f = tmp_path / "connections.json"
    f.write_text(PAGE, encoding="utf-8")
    r = load_pilot([f], load_capabilities(), tenant_domains=["example.com"])
    # hand count: 6 sessions; residual r2 (comment "PAM") and r5 (customer at partner.org);
    # r1 (internal, attended) still unexplained: the report names no platform
    assert r.sessions_total == 6 and r.sessions_by_tool == {"teamviewer": 6}
    assert r.residual_by_reason == {"pam": 1, "external": 1}
    assert r.sessions_by_class["unexplained"] == 4 and r.sessions_by_class["movable"] == 0
