"""Microsoft Intune Remote Help: the Graph report export job ``RemoteAssistanceSessions``.

Shapes (checked 2026-12-01):

- token (Microsoft identity platform, OAuth 2.0 client credentials grant):
  ``POST <login_url>/<tenant_id>/oauth2/v2.0/token`` with the form ``client_id``,
  ``client_secret``, ``grant_type=client_credentials`` and ``scope=<graph_url>/.default`` →
  ``{"token_type": "Bearer", "expires_in", "access_token"}``. Creating an export job is a
  write: the app needs an application permission the Graph page "Create
  deviceManagementExportJob" lists (``DeviceManagementConfiguration.ReadWrite.All``,
  ``DeviceManagementApps.ReadWrite.All`` or ``DeviceManagementManagedDevices.ReadWrite.All``).
- export (MicrosoftDocs/memdocs ``reports-export-graph-apis.md``; Graph
  ``intune-reporting-devicemanagementexportjob-create``): ``POST
  <graph_url>/beta/deviceManagement/reports/exportJobs`` with ``{"reportName":
  "RemoteAssistanceSessions", "format": "csv"}`` → the job ``{"id", "status": "notStarted",
  ...}``; ``GET .../exportJobs('<id>')`` until ``status`` is ``completed`` (or ``failed``); the
  job's ``url`` is a time-limited download of a zip holding one CSV. The download is a storage
  URL that carries its own signature: the Graph token is not sent to it.
- columns (memdocs ``reports-export-graph-available-reports.md``, RemoteAssistanceSessions):
  ``Attribute, Date, DateDifference, HelperDeviceAadId, HelperDeviceName, HelperEmail,
  HelperFirstName, HelperLastName, Sessionend, SessionId, Sessionstart, SharerDeviceAadId,
  SharerDeviceName, SharerDeviceOS, SharerDeviceSerialNumber, SharerEmail, SharerFirstName,
  SharerLastName``. ``SessionId`` is the identity in the store.

The report holds what Intune still keeps (about 30 days), whatever window is asked: one job per
run, and the store keeps each session once. National clouds use their own ``graph_url`` and
``login_url`` (GCC High: ``graph.microsoft.us``, ``login.microsoftonline.us``).
"""

from __future__ import annotations

import csv
import io
import zipfile

from rhmodel.core.pilot.sources import Source, https_or_loopback
from rhmodel.edges.collectors import CredentialsFailed, read_payload
from rhmodel.edges.collectors.http import FetchFailed, Http, Token, safe_url
from rhmodel.edges.exports import detect_format
from rhmodel.edges.exports.frame import LoadedExport

__all__ = ["REPORT", "Intune", "as_graph_fields", "collector"]

REPORT = "RemoteAssistanceSessions"
#: Polls of an export job before the window is given up (and fetched again next run).
MAX_POLLS = 60
#: Seconds between polls (Microsoft's examples poll every few seconds).
POLL_SECONDS = 2.0
#: The report's names → the Graph remoteAssistanceReporting names the intune_graph reader reads
#: (used only when the installed readers do not know the export job's own columns).
_GRAPH_NAMES = {
    "sessionid": "id",
    "sessionstart": "startDateTime",
    "sessionend": "endDateTime",
    "helperemail": "helperEmail",
    "shareremail": "sharerEmail",
    "sharerdeviceos": "sharerDeviceOS",
    "sharerdevicename": "sharerDeviceName",
}


def as_graph_fields(text: str) -> str:
    """The export job's CSV with its columns renamed to the Graph field names.

    >>> as_graph_fields("SessionId,Sessionstart,Sessionend,HelperEmail\\r\\nA,1,2,x\\r\\n")
    'id,startDateTime,endDateTime,helperEmail\\r\\nA,1,2,x\\r\\n'
    """
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return text
    rows[0] = [_GRAPH_NAMES.get(h.strip().lower(), h) for h in rows[0]]
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


class Intune:
    """One tenant's RemoteAssistanceSessions report, one export job per run."""

    window_seconds = None

    def __init__(self, source: Source, secret: str, http: Http) -> None:
        self.source = source
        self.graph = source.url("graph_url")
        self.http = http
        login = source.url("login_url")
        tenant, client_id = source.get("tenant_id"), source.get("client_id")

        def fetch_token() -> str:
            url = f"{login}/{tenant}/oauth2/v2.0/token"
            data = {
                "client_id": client_id,
                "client_secret": secret,
                "grant_type": "client_credentials",
                "scope": f"{self.graph}/.default",
            }
            try:
                token = http.request("POST", url, data=data).json()["access_token"]
            except FetchFailed as exc:
                raise CredentialsFailed(exc.status, f"token refused ({exc})") from None
            except (ValueError, KeyError, TypeError):
                raise CredentialsFailed(0, f"POST {safe_url(url)}: no access_token") from None
            return str(token)

        self.token = Token(fetch_token)

    def _json(self, method: str, url: str, **kwargs: object) -> dict:
        resp = self.http.request(method, url, token=self.token, **kwargs)  # type: ignore[arg-type]
        try:
            doc = resp.json()
        except ValueError:
            raise FetchFailed(resp.status_code, f"{method} {safe_url(url)}: not JSON") from None
        if not isinstance(doc, dict):
            raise FetchFailed(resp.status_code, f"{method} {safe_url(url)}: not a JSON object")
        return doc

    def fetch(self, window: tuple[int, int]) -> list[LoadedExport]:
        """Run the export job, download its zip and read the CSV in it."""
        jobs = f"{self.graph}/beta/deviceManagement/reports/exportJobs"
        job = self._json("POST", jobs, json={"reportName": REPORT, "format": "csv"})
        job_id = str(job.get("id", ""))
        if not job_id:
            raise FetchFailed(0, f"POST {safe_url(jobs)}: the job has no id")
        for _ in range(MAX_POLLS):
            if job.get("status") == "completed" and job.get("url"):
                break
            if job.get("status") == "failed":
                raise FetchFailed(0, f"export job {REPORT} failed in Intune")
            self.http.sleep(POLL_SECONDS)
            job = self._json("GET", f"{jobs}('{job_id}')")
        else:
            raise FetchFailed(0, f"export job {REPORT} not completed after {MAX_POLLS} polls")
        url = str(job["url"])
        self._check_download(url)
        data = self.http.request("GET", url).content
        return self._read_zip(data, url)

    def _check_download(self, url: str) -> None:
        # the job names where to download from: the same HTTPS-or-loopback rule as the sources
        if not https_or_loopback(url):
            raise FetchFailed(0, f"the export job's download {safe_url(url)} is not https")

    def _read_zip(self, data: bytes, url: str) -> list[LoadedExport]:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = [n for n in zf.namelist() if n.lower().endswith(".csv")]
                if not names:
                    raise FetchFailed(0, f"GET {safe_url(url)}: the zip holds no CSV")
                text = zf.read(names[0]).decode("utf-8-sig")
        except zipfile.BadZipFile:
            raise FetchFailed(0, f"GET {safe_url(url)}: not a zip") from None
        header = next(csv.reader(io.StringIO(text)), [])
        if detect_format(header) is None:
            # readers from before the export job's own layout: the Graph field names they know
            text = as_graph_fields(text)
        loaded = read_payload(text.encode("utf-8"), ".csv", f"api:{self.source.name}")
        return [loaded] if loaded is not None else []


def collector(source: Source, secret: str, http: Http) -> Intune:
    """The collector of a ``{type: intune}`` source."""
    return Intune(source, secret, http)
