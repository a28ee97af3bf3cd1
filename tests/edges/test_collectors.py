"""The collectors against their vendors' documented APIs, replayed on 127.0.0.1.

Request and response shapes are written from the vendors' documentation (sources, checked
2026-12-01):

- BeyondTrust Remote Support API guide (docs.beyondtrust.com/rs): ``POST /oauth2/token`` with
  HTTP Basic client id:secret and ``grant_type=client_credentials`` → ``{"access_token",
  "token_type": "Bearer", "expires_in": 3600}``; ``GET /api/reporting?generate_report=
  SupportSession&start_time=&duration=`` → ``session_list/session[@lsid]``; ``LicenseUsage`` →
  ``license_usage/license_time_intervals/license_time_interval``.
- TeamViewer Web API (OpenAPI ``/api/v1/reports/connections``): ``{"records",
  "records_remaining", "next_offset"}``, the next page with ``offset_id``.
- Microsoft Graph / MicrosoftDocs memdocs ``reports-export-graph-apis.md`` and
  ``reports-export-graph-available-reports.md`` (RemoteAssistanceSessions columns); Microsoft
  identity platform client-credentials token at ``/<tenant>/oauth2/v2.0/token``.
- GoToAssist Remote Support REST API: ``GET /G2A/rest/v1/sessions?sessionType=SCREEN_SHARING&
  fromTime&toTime`` → ``{"sessions": [...]}``.

Every test asserts the exact requests made and what the store holds afterwards.
"""

from __future__ import annotations

import base64
import io
import zipfile

import pytest
import requests

from rhmodel.core.pilot.sessions import OPEN
from rhmodel.core.pilot.sources import parse_sources
from rhmodel.edges.collectors import collect
from rhmodel.edges.collectors.http import Http
from rhmodel.edges.pilotstore import PilotStore, store_path
from tests.edges.collector_replay import Replay, Seen, ok_json, ok_xml, status

DAY = 86_400
T0 = 1_795_392_000  # 2026-11-23 00:00:00 UTC (a Monday), by hand: 20,780 days * 86,400
NS = "http://www.beyondtrust.com/namespaces/API/reporting"


def _http(sleeps: list[float]) -> Http:
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment: 127.0.0.1 only, never out
    return Http(session, sleep=sleeps.append, timeout=10)


def _bt_session(lsid: str, start: int, end: int | None, rep: str) -> str:
    # the SupportSession element as the reporting API documents it (one representative); how a
    # running session is written is not documented: an empty end timestamp and no duration
    end_attr = "" if end is None else str(end)
    duration = "" if end is None else "00:30:00"
    return f"""
  <session lsid="{lsid}">
    <session_type>support</session_type>
    <lseq>1</lseq>
    <start_time timestamp="{start}">x</start_time>
    <end_time timestamp="{end_attr}"/>
    <duration>{duration}</duration>
    <public_site id="1">Default</public_site>
    <primary_rep id="7">{rep}</primary_rep>
    <customer_list><customer><username>kim@example.com</username><os>Windows 11</os>
    </customer></customer_list>
    <rep_list><representative id="7"><display_name>{rep}</display_name>
    <username>{rep.lower()}</username><primary_rep>1</primary_rep></representative></rep_list>
  </session>"""


def _bt_list(*sessions: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<session_list xmlns="{NS}">{"".join(sessions)}\n</session_list>\n'


def _bt_usage(in_use: int) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<license_usage xmlns="{NS}" start_time="{T0}" end_time="{T0 + DAY}" group_by="hour">
  <license_time_intervals>
    <license_time_interval timestamp="{T0}">
      <logged_in_representatives>{in_use + 1}</logged_in_representatives>
      <licenses_in_use>{in_use}</licenses_in_use>
    </license_time_interval>
  </license_time_intervals>
</license_usage>
"""


def _stored(folder) -> dict[str, tuple[int, int]]:
    with PilotStore.open(folder) as store:
        df = store.sessions().sessions
    return {r.session_id: (int(r.start), int(r.end)) for r in df.itertuples()}


def test_beyondtrust_throttle_expired_token_failed_window_and_resumed_run(tmp_path):
    tokens = iter(["tok-1", "tok-2", "tok-3"])
    sessions_by_day = {
        # day 0: A still running, B ended; day 1: C; day 2: a 500 the first time
        T0: _bt_list(
            _bt_session("A", T0 + 9 * 3600, None, "Rita"),
            _bt_session("B", T0 + 10 * 3600, T0 + 10 * 3600 + 1800, "Ravi"),
        ),
        T0 + DAY: _bt_list(_bt_session("C", T0 + DAY + 3600, T0 + DAY + 5400, "Rita")),
    }
    state = {"throttled": False, "expired": False, "failed": False}

    def answer(req: Seen):
        if req.path == "/oauth2/token":
            assert req.form == {"grant_type": "client_credentials"}
            user, _, secret = base64.b64decode(req.authorization.split()[1]).decode().partition(":")
            assert (user, secret) == ("bt-client", "bt-S3CRET-value")
            return ok_json(
                {"access_token": next(tokens), "token_type": "Bearer", "expires_in": 3600}
            )
        assert req.path == "/api/reporting"
        if "lsids" in req.query:  # the resumed run asks about the session stored running
            assert req.query == {"generate_report": "SupportSession", "lsids": "A"}
            return ok_xml(_bt_list(_bt_session("A", T0 + 9 * 3600, T0 + 9 * 3600 + 2400, "Rita")))
        start = int(req.query["start_time"])
        assert int(req.query["duration"]) == DAY
        if req.query["generate_report"] == "LicenseUsage":
            return ok_xml(_bt_usage(3 if start == T0 else 4))
        if start == T0 and not state["throttled"]:
            state["throttled"] = True
            return status(429, {"Retry-After": "0.01"})
        if start == T0 + DAY and req.authorization == "Bearer tok-1":
            state["expired"] = True  # the hour-long token ran out mid-run
            return status(401)
        if start == T0 + 2 * DAY and not state["failed"]:
            state["failed"] = True
            return status(500)
        if start == T0 + 2 * DAY:  # the resumed run: D is new
            return ok_xml(
                _bt_list(_bt_session("D", T0 + 2 * DAY + 3600, T0 + 2 * DAY + 7200, "Ravi"))
            )
        return ok_xml(sessions_by_day.get(start, _bt_list()))

    with Replay(answer) as api:
        (source,) = parse_sources(
            [
                {
                    "type": "beyondtrust",
                    "site_url": api.url,
                    "client_id": "bt-client",
                    "secret_env": "BT_SECRET",
                }
            ]
        )
        env = {"BT_SECRET": "bt-S3CRET-value"}
        sleeps: list[float] = []
        log = io.StringIO()
        (first,) = collect(
            [source],
            tmp_path,
            since=T0,
            now=T0 + 3 * DAY,
            env=env,
            http=_http(sleeps),
            progress=log,
        )
        first_requests = [s.brief() for s in api.seen]
        first_auth = [s.authorization for s in api.seen if s.path == "/api/reporting"]
        api.seen.clear()
        (second,) = collect(
            [source], tmp_path, now=T0 + 4 * DAY, env=env, http=_http(sleeps), progress=log
        )
        second_requests = [s.brief() for s in api.seen]

    def report(name: str, start: int):
        return (
            "GET",
            "/api/reporting",
            tuple(
                sorted(
                    {
                        "generate_report": name,
                        "start_time": str(start),
                        "duration": str(DAY),
                    }.items()
                )
            ),
        )

    token = ("POST", "/oauth2/token", ())
    assert first_requests == [
        token,
        report("SupportSession", T0),  # 429
        report("SupportSession", T0),
        report("LicenseUsage", T0),
        report("SupportSession", T0 + DAY),  # 401: expired
        token,
        report("SupportSession", T0 + DAY),
        report("LicenseUsage", T0 + DAY),
        report("SupportSession", T0 + 2 * DAY),  # 500
    ]
    assert first_auth == ["Bearer tok-1"] * 4 + ["Bearer tok-2"] * 3
    assert sleeps == [0.01]  # the Retry-After asked for, waited through the injected sleep
    assert (first.windows, first.failed_windows, first.added) == (3, 1, 3)
    # the resumed run: the session stored running asked about by its lsid (it started on a
    # day already fetched), the failed day, then the new day; a fresh token for a fresh run
    assert second_requests == [
        ("POST", "/oauth2/token", ()),
        ("GET", "/api/reporting", (("generate_report", "SupportSession"), ("lsids", "A"))),
        report("SupportSession", T0 + 2 * DAY),
        report("LicenseUsage", T0 + 2 * DAY),
        report("SupportSession", T0 + 3 * DAY),
        report("LicenseUsage", T0 + 3 * DAY),
    ]
    assert (second.windows, second.failed_windows, second.added, second.updated) == (2, 0, 1, 1)
    assert _stored(tmp_path) == {
        "A": (T0 + 9 * 3600, T0 + 9 * 3600 + 2400),  # running at first, ended since: updated
        "B": (T0 + 36000, T0 + 37800),
        "C": (T0 + DAY + 3600, T0 + DAY + 5400),
        "D": (T0 + 2 * DAY + 3600, T0 + 2 * DAY + 7200),
    }
    with PilotStore.open(tmp_path) as store:
        log_rows = [
            (None if f.window_start is None else f.window_start - T0, f.ok, f.rows)
            for f in store.fetches("beyondtrust")
        ]
        assert store.pending_windows("beyondtrust") == ([], T0 + 4 * DAY)
        exports = store.exports()
    assert log_rows == [
        (0, True, 2),
        (DAY, True, 1),
        (2 * DAY, False, 0),
        (None, True, 1),  # the running session asked about again (not a window)
        (2 * DAY, True, 1),
        (3 * DAY, True, 0),
    ]
    # LicenseUsage: the largest licences-in-use count over the windows (3, 4, 4, 4)
    assert exports[1].format == "beyondtrust_license_usage" and exports[1].license_usage_peak == 4
    assert "fetched again next run" in log.getvalue()
    assert "bt-S3CRET-value" not in log.getvalue() and "tok-" not in log.getvalue()


def _tv_record(n: int, start: str, end: str) -> dict:
    # GetConnectionResponse fields (TeamViewer Web API OpenAPI document)
    return {
        "id": f"6f1c2a4e-0d3b-4c5a-9e7f-{n:012d}",
        "userid": f"u{1000 + n % 2}",
        "username": f"Agent {n % 2}",
        "deviceid": f"12345670{n:02d}",
        "devicename": f"PC-{n}",
        "groupid": "g100",
        "groupname": "Office",
        "support_session_type": 2,
        "start_date": start,
        "end_date": end,
    }


def test_teamviewer_pages_through_next_offset_and_a_failed_source_never_blocks_others(tmp_path):
    recs = [
        _tv_record(n, f"2026-11-2{n}T09:00:00Z", f"2026-11-2{n}T09:30:00Z") for n in (4, 3, 2, 1)
    ]
    state = {"throttled": False}

    def answer(req: Seen):
        if req.path == "/G2A/rest/v1/sessions":
            return status(401)  # the GoTo token was revoked: that source fails, alone
        assert req.path == "/api/v1/reports/connections"
        assert req.authorization == "Bearer tv-script-TOKEN"
        if "offset_id" not in req.query:
            return ok_json(
                {"records": recs[:2], "records_remaining": 2, "next_offset": recs[1]["id"]}
            )
        assert req.query["offset_id"] == recs[1]["id"]
        if not state["throttled"]:
            state["throttled"] = True
            return status(429, {"Retry-After": "0"})
        return ok_json({"records": recs[2:], "records_remaining": 0, "next_offset": None})

    with Replay(answer) as api:
        sources = parse_sources(
            [
                {"type": "gotoassist", "token_env": "GOTO_TOKEN", "api_url": api.url},
                {"type": "teamviewer", "token_env": "TV_TOKEN", "api_url": api.url},
            ]
        )
        sleeps: list[float] = []
        goto, tv = collect(
            sources,
            tmp_path,
            since=T0,
            now=T0 + 7 * DAY,
            env={"TV_TOKEN": "tv-script-TOKEN", "GOTO_TOKEN": "goto-TOKEN"},
            http=_http(sleeps),
            progress=io.StringIO(),
        )
        seen = [s.brief() for s in api.seen]
    window = {"from_date": "2026-11-23T00:00:00Z", "to_date": "2026-11-30T00:00:00Z"}
    page1 = ("GET", "/api/v1/reports/connections", tuple(sorted(window.items())))
    page2 = (
        "GET",
        "/api/v1/reports/connections",
        tuple(sorted({**window, "offset_id": recs[1]["id"]}.items())),
    )
    goto_first = (
        "GET",
        "/G2A/rest/v1/sessions",
        tuple(
            sorted(
                {
                    "sessionType": "SCREEN_SHARING",
                    "fromTime": "2026-11-23T00:00:00Z",
                    "toTime": "2026-11-24T00:00:00Z",
                }.items()
            )
        ),
    )
    # GoTo: the first day answers 401 twice (a script token "refreshed" is the same): it stops;
    # TeamViewer then runs: page 1, page 2 throttled, page 2
    assert seen == [goto_first, goto_first, page1, page2, page2]
    assert goto.error is not None and "refused" in goto.error and tv.ok
    assert sleeps == [0.0]
    assert sorted(_stored(tmp_path)) == sorted(r["id"] for r in recs)


def _intune_csv() -> str:
    # RemoteAssistanceSessions columns, in memdocs' order; times UTC without a zone
    header = (
        "Attribute,Date,DateDifference,HelperDeviceAadId,HelperDeviceName,HelperEmail,"
        "HelperFirstName,HelperLastName,Sessionend,SessionId,Sessionstart,SharerDeviceAadId,"
        "SharerDeviceName,SharerDeviceOS,SharerDeviceSerialNumber,SharerEmail,"
        "SharerFirstName,SharerLastName"
    )
    rows = [
        "Screen sharing,2026-11-24,0,aad-h1,HD-01,ann@contoso.com,Ann,Lee,2026-11-24 09:40:00,"
        "rh-1,2026-11-24 09:00:00,aad-s1,PC-KIM,Windows,SN1,kim@contoso.com,Kim,Ng",
        "Full control,2026-11-25,0,aad-h2,HD-02,bo@contoso.com,Bo,Ray,2026-11-25 14:30:00,"
        "rh-2,2026-11-25 14:00:00,aad-s2,MAC-7,macOS,SN2,lee@contoso.com,Lee,Oh",
    ]
    return header + "\r\n" + "\r\n".join(rows) + "\r\n"


def test_intune_export_job_poll_download_unzip(tmp_path):
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as zf:
        zf.writestr("RemoteAssistanceSessions_2026-11-30.csv", _intune_csv())
    state = {"polls": 0}

    def answer(req: Seen):
        if req.path == "/tenant-1/oauth2/v2.0/token":
            assert req.form == {
                "client_id": "app-1",
                "client_secret": "intune-S3CRET",
                "grant_type": "client_credentials",
                "scope": f"{base}/.default",
            }
            return ok_json(
                {
                    "token_type": "Bearer",
                    "expires_in": 3599,
                    "access_token": f"graph-tok-{len(api.seen)}",
                }
            )
        if req.path == "/beta/deviceManagement/reports/exportJobs":
            assert req.json == {"reportName": "RemoteAssistanceSessions", "format": "csv"}
            return ok_json(
                {
                    "id": "job-1",
                    "reportName": "RemoteAssistanceSessions",
                    "status": "notStarted",
                    "url": None,
                },
                201,
            )
        if req.path == "/beta/deviceManagement/reports/exportJobs('job-1')":
            state["polls"] += 1
            if state["polls"] == 1:
                return status(401)  # the token expired between the POST and the poll
            if state["polls"] == 2:
                return ok_json({"id": "job-1", "status": "inProgress", "url": None})
            return ok_json(
                {
                    "id": "job-1",
                    "status": "completed",
                    "url": f"{base}/blob/job-1.zip?sv=2026&sig=abc",
                }
            )
        assert req.path == "/blob/job-1.zip"
        assert req.authorization == ""  # the Graph token is never sent to the storage URL
        return 200, {"Content-Type": "application/octet-stream"}, zipped.getvalue()

    with Replay(answer) as api:
        base = api.url
        (source,) = parse_sources(
            [
                {
                    "type": "intune",
                    "tenant_id": "tenant-1",
                    "client_id": "app-1",
                    "secret_env": "INTUNE_SECRET",
                    "graph_url": base,
                    "login_url": base,
                }
            ]
        )
        sleeps: list[float] = []
        (out,) = collect(
            [source],
            tmp_path,
            now=T0 + 8 * DAY,
            env={"INTUNE_SECRET": "intune-S3CRET"},
            http=_http(sleeps),
            progress=io.StringIO(),
        )
        seen = [(s.method, s.path) for s in api.seen]
    job = "/beta/deviceManagement/reports/exportJobs"
    assert seen == [
        ("POST", "/tenant-1/oauth2/v2.0/token"),
        ("POST", job),
        ("GET", f"{job}('job-1')"),  # 401
        ("POST", "/tenant-1/oauth2/v2.0/token"),
        ("GET", f"{job}('job-1')"),  # inProgress
        ("GET", f"{job}('job-1')"),  # completed
        ("GET", "/blob/job-1.zip"),
    ]
    assert sleeps == [2.0, 2.0]  # the poll interval, through the injected sleep
    assert out.ok and out.added == 2
    # hand: 2026-11-24 09:00 UTC = T0 + 1 day + 9 h; 09:40 = + 40 min
    assert _stored(tmp_path) == {
        "rh-1": (T0 + DAY + 9 * 3600, T0 + DAY + 9 * 3600 + 2400),
        "rh-2": (T0 + 2 * DAY + 14 * 3600, T0 + 2 * DAY + 14 * 3600 + 1800),
    }
    with PilotStore.open(tmp_path) as store:
        tools = set(store.sessions().sessions["tool"])
    assert tools == {"remote_help"}


def test_gotoassist_sessions_and_an_account_that_no_longer_serves_the_api(tmp_path):
    body = {
        "sessions": [
            {
                "sessionId": "g-1",
                "sessionType": "SCREEN_SHARING",
                "status": "complete",
                "expertName": "Cy Tech",
                "expertEmail": "cy@contoso.com",
                "expertUserKey": "77",
                "startedAt": "2026-11-23T10:00:00Z",
                "customerJoinedAt": "2026-11-23T10:01:00Z",
                "endedAt": "2026-11-23T10:20:00Z",
                "customerName": "Kim",
                "customerEmail": "kim@contoso.com",
            },
            {
                "sessionId": "g-2",
                "sessionType": "SCREEN_SHARING",
                "status": "active",
                "expertName": "Cy Tech",
                "expertEmail": "cy@contoso.com",
                "expertUserKey": "77",
                "startedAt": "2026-11-23T11:00:00Z",
                "customerJoinedAt": "2026-11-23T11:00:30Z",
                "endedAt": None,
                "unattendedMachineName": "SRV-9",
            },
        ]
    }

    ended = {**body["sessions"][1], "status": "complete", "endedAt": "2026-11-23T11:45:00Z"}
    later = {"sessions": [body["sessions"][0], ended]}
    state = {"day1": 0}

    def answer(req: Seen):
        if req.query["fromTime"].startswith("2026-11-23"):
            state["day1"] += 1
            return ok_json(body if state["day1"] == 1 else later)
        if req.query["fromTime"].startswith("2026-11-26"):
            return ok_json({"sessions": []})
        return status(404)  # day 2 the first time: as if the account had moved to Resolve

    with Replay(answer) as api:
        (source,) = parse_sources([{"type": "gotoassist", "token_env": "G", "api_url": api.url}])
        (out,) = collect(
            [source],
            tmp_path,
            since=T0,
            now=T0 + 3 * DAY,
            env={"G": "g-TOKEN"},
            http=_http([]),
            progress=io.StringIO(),
        )
        n_requests = len(api.seen)
    assert n_requests == 2  # day 1, then day 2's 404 stops the source (day 3 not asked)
    assert "rhmodel pilot import" in (out.error or "")
    stored = _stored(tmp_path)
    assert stored["g-1"] == (T0 + 10 * 3600, T0 + 10 * 3600 + 1200)
    assert stored["g-2"] == (T0 + 11 * 3600, OPEN)  # still active: running

    # the next run: g-2's day asked again (no lookup by id is documented), then what is pending
    def answer_later(req: Seen):
        return (
            ok_json(later)
            if req.query["fromTime"].startswith("2026-11-23")
            else ok_json({"sessions": []})
        )

    with Replay(answer_later) as api:
        (source,) = parse_sources([{"type": "gotoassist", "token_env": "G", "api_url": api.url}])
        (again,) = collect(
            [source],
            tmp_path,
            now=T0 + 3 * DAY,
            env={"G": "g-TOKEN"},
            http=_http([]),
            progress=io.StringIO(),
        )
        asked = [s.query["fromTime"][:10] for s in api.seen]
    # g-2's day; day 2 (failed before); day 3 (after the last success, day 1's end)
    assert asked == ["2026-11-23", "2026-11-24", "2026-11-25"]
    assert again.ok and again.updated == 1
    assert _stored(tmp_path)["g-2"] == (T0 + 11 * 3600, T0 + 11 * 3600 + 2700)


def test_a_missing_secret_skips_that_source_only_and_says_which_variable(tmp_path):
    sources = parse_sources(
        [{"type": "teamviewer", "token_env": "NOT_SET_TV", "api_url": "http://127.0.0.1:9"}]
    )
    log = io.StringIO()
    (out,) = collect(sources, tmp_path, now=T0, env={}, http=_http([]), progress=log)
    assert out.error is not None and "NOT_SET_TV" in out.error
    assert store_path(tmp_path).exists()


def test_credentials_never_reach_any_file_the_run_wrote(tmp_path):
    """Run every collector with distinctive secrets, then grep every byte written."""
    secrets = {
        "BT": "bt-SECRET-4f9a",
        "TV": "tv-SECRET-77c1",
        "IN": "in-SECRET-0b2e",
        "GO": "go-SECRET-9d3f",
    }
    tokens = ["bt-ACCESS-1a2b", "graph-ACCESS-3c4d"]
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as zf:
        zf.writestr("r.csv", _intune_csv())

    def answer(req: Seen):
        if req.path == "/oauth2/token":
            return ok_json({"access_token": tokens[0], "token_type": "Bearer"})
        if req.path.endswith("/oauth2/v2.0/token"):
            return ok_json({"access_token": tokens[1], "token_type": "Bearer"})
        if req.path == "/api/reporting":
            if req.query["generate_report"] == "LicenseUsage":
                return ok_xml(_bt_usage(1))
            start = int(req.query["start_time"])
            return (
                ok_xml(_bt_list(_bt_session(f"s{start}", start + 60, start + 600, "Rita")))
                if start < T0 + DAY
                else status(500)
            )
        if req.path == "/api/v1/reports/connections":
            return ok_json(
                {
                    "records": [_tv_record(1, "2026-11-23T09:00:00Z", "2026-11-23T09:10:00Z")],
                    "records_remaining": 0,
                }
            )
        if req.path.startswith("/beta/deviceManagement/reports/exportJobs"):
            return ok_json({"id": "j", "status": "completed", "url": f"{base}/blob/j.zip"})
        if req.path == "/blob/j.zip":
            return 200, {}, zipped.getvalue()
        return status(404)

    out_dir = tmp_path / "store"
    with Replay(answer) as api:
        base = api.url
        sources = parse_sources(
            [
                {"type": "beyondtrust", "site_url": base, "client_id": "c", "secret_env": "BT"},
                {"type": "teamviewer", "token_env": "TV", "api_url": base},
                {
                    "type": "intune",
                    "tenant_id": "t",
                    "client_id": "c",
                    "secret_env": "IN",
                    "graph_url": base,
                    "login_url": base,
                },
                {"type": "gotoassist", "token_env": "GO", "api_url": base},
            ]
        )
        log = io.StringIO()
        outcomes = collect(
            sources, out_dir, since=T0, now=T0 + 2 * DAY, env=secrets, http=_http([]), progress=log
        )
    assert [o.source for o in outcomes] == ["beyondtrust", "teamviewer", "intune", "gotoassist"]
    assert outcomes[0].failed_windows == 1 and outcomes[3].error  # a 500 and a 404 were logged
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert store_path(out_dir) in written
    blobs = [p.read_bytes() for p in written] + [log.getvalue().encode()]
    for needle in [*secrets.values(), *tokens]:
        for blob in blobs:
            for encoded in (needle.encode(), needle.encode("utf-16-le")):
                assert encoded not in blob, needle
    with PilotStore.open(out_dir) as store:
        details = " ".join(f.detail for f in store.fetches())
    assert "HTTP 500" in details and "sig=" not in details


@pytest.mark.parametrize(
    "entry, path",
    [
        (
            {
                "type": "beyondtrust",
                "site_url": "http://bt.example.com",
                "client_id": "c",
                "secret_env": "S",
            },
            "[1].site_url",
        ),
        (
            {
                "type": "intune",
                "tenant_id": "t",
                "client_id": "c",
                "secret_env": "S",
                "graph_url": "ftp://graph.microsoft.com",
            },
            "[1].graph_url",
        ),
        ({"type": "teamviewer", "token_env": "tv-token-value!"}, "[1].token_env"),
        ({"type": "teamviewer", "token_env": "T", "token": "abc"}, "[1].token"),
        ({"type": "gotoassist"}, "[1].token_env"),
        ({"type": "rescue", "token_env": "T"}, "[1].type"),
        (
            {
                "type": "beyondtrust",
                "site_url": "https://u:pw@bt.example.com",
                "client_id": "c",
                "secret_env": "S",
            },
            "[1].site_url",
        ),
    ],
)
def test_sources_are_validated_with_the_path_of_the_bad_key(entry, path):
    from rhmodel.core.params.structured import Invalid

    with pytest.raises(Invalid) as caught:
        parse_sources([{"type": "teamviewer", "token_env": "OK"}, entry])
    assert caught.value.path == path
    assert "pw" not in caught.value.message and "abc" not in caught.value.message


def test_source_defaults_and_national_clouds():
    (commercial, gcc) = parse_sources(
        [
            {"type": "intune", "tenant_id": "t", "client_id": "c", "secret_env": "S"},
            {
                "type": "intune",
                "name": "gcc",
                "tenant_id": "t",
                "client_id": "c",
                "secret_env": "S",
                "graph_url": "https://graph.microsoft.us/",
                "login_url": "https://login.microsoftonline.us",
            },
        ]
    )
    assert (commercial.url("graph_url"), commercial.url("login_url")) == (
        "https://graph.microsoft.com",
        "https://login.microsoftonline.com",
    )
    assert (gcc.name, gcc.url("graph_url"), gcc.url("login_url")) == (
        "gcc",
        "https://graph.microsoft.us",
        "https://login.microsoftonline.us",
    )
    (loop,) = parse_sources(
        [{"type": "teamviewer", "token_env": "T", "api_url": "http://[::1]:8080"}]
    )
    assert loop.url("api_url") == "http://[::1]:8080"


def test_a_source_fetched_in_one_piece_resumes_from_its_failed_window(tmp_path):
    """TeamViewer pages one window per run: a 500 on a page fails the run's window; the next run
    asks again from that window's start to its own now, in one window (not two)."""
    state = {"calls": 0}
    recs = [_tv_record(n, f"2026-11-2{n}T09:00:00Z", f"2026-11-2{n}T09:30:00Z") for n in (4, 3)]

    def answer(req: Seen):
        state["calls"] += 1
        if state["calls"] == 1:
            return status(500)
        return ok_json({"records": recs, "records_remaining": 0})

    with Replay(answer) as api:
        (source,) = parse_sources([{"type": "teamviewer", "token_env": "T", "api_url": api.url}])
        args = {"env": {"T": "t"}, "http": _http([]), "progress": io.StringIO()}
        (first,) = collect([source], tmp_path, since=T0, now=T0 + 2 * DAY, **args)
        (second,) = collect([source], tmp_path, now=T0 + 3 * DAY, **args)
        (third,) = collect([source], tmp_path, now=T0 + 4 * DAY, **args)
        asked = [(s.query["from_date"], s.query["to_date"]) for s in api.seen]
    assert (first.failed_windows, second.ok, third.ok) == (1, True, True)
    assert asked == [
        ("2026-11-23T00:00:00Z", "2026-11-25T00:00:00Z"),  # 500
        ("2026-11-23T00:00:00Z", "2026-11-26T00:00:00Z"),  # from the failed window's start
        ("2026-11-26T00:00:00Z", "2026-11-27T00:00:00Z"),  # the failure is covered now
    ]
    assert sorted(_stored(tmp_path)) == sorted(r["id"] for r in recs)


def test_throttling_waits_are_capped_and_redirects_are_not_followed():
    """A Retry-After beyond 5 minutes gives the source up for this run rather than hang it; a
    redirect is a failure, not followed (it could carry the bearer token to another host)."""
    from rhmodel.edges.collectors.http import FetchFailed, Token

    def answer(req: Seen):
        if req.path == "/slow":
            return status(429, {"Retry-After": "3600"})
        if req.path == "/dated":
            return status(429, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})  # the past
        return status(302, {"Location": "http://127.0.0.2/elsewhere"})

    sleeps: list[float] = []
    http = _http(sleeps)
    with Replay(answer) as api:
        with pytest.raises(FetchFailed, match="throttled for 3600 s"):
            http.request("GET", f"{api.url}/slow")
        with pytest.raises(FetchFailed, match="HTTP 429"):  # 5 retries, each waiting 0 s
            http.request("GET", f"{api.url}/dated")
        with pytest.raises(FetchFailed, match="HTTP 302"):
            http.request("GET", f"{api.url}/moved", token=Token(lambda: "tok"))
        paths = [s.path for s in api.seen]
    assert paths == ["/slow"] + ["/dated"] * 6 + ["/moved"]
    assert sleeps == [0.0] * 5
