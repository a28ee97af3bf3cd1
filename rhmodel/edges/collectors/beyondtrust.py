"""BeyondTrust Remote Support: OAuth 2.0 client credentials, then the reporting API.

Shapes (BeyondTrust Remote Support API guide, docs.beyondtrust.com/rs "Authenticate to the API"
and "Reporting API", checked 2026-12-01):

- token: ``POST https://<site>/oauth2/token`` with HTTP Basic ``client_id:client_secret`` and
  the form body ``grant_type=client_credentials`` → ``{"access_token", "token_type": "Bearer",
  "expires_in": 3600}``; each API call sends ``Authorization: Bearer <token>``. A token lasts an
  hour, so a long run sees a 401 and asks for a new one (once per request).
- reports: ``GET https://<site>/api/reporting?generate_report=SupportSession&start_time=<Unix
  seconds>&duration=<seconds>`` ("all sessions, even those still in progress, that began at or
  after this time", BeyondTrust's SupportSession page; ``lsids=<a,b,...>`` asks for given
  sessions: how a session stored while running is fetched again) → XML
  ``session_list/session[@lsid]`` (read by
  :mod:`rhmodel.edges.exports.beyondtrust`); ``generate_report=LicenseUsage`` over the same
  window → ``license_usage`` (the vendor's own count of licences in use). A reporting error comes
  back as XML ``<error>...</error>``, sometimes with HTTP 200: that is a failed window too.

One window per day, so a failure loses (for this run) one day, which the next run fetches again.
"""

from __future__ import annotations

import re

from rhmodel.core.pilot.sources import Source
from rhmodel.edges.collectors import CredentialsFailed, read_payload
from rhmodel.edges.collectors.http import FetchFailed, Http, Token, safe_url
from rhmodel.edges.exports.frame import LoadedExport

__all__ = ["BeyondTrust", "collector"]

_ERROR = re.compile(rb"<(?:\w+:)?error[\s>]")
# A window with nothing in it answers an empty list: not an error, and nothing to read.
_SESSION = re.compile(rb"<(?:\w+:)?session[\s>]")
_INTERVAL = re.compile(rb"<(?:\w+:)?license_time_interval[\s>]")


class BeyondTrust:
    """The SupportSession and LicenseUsage reports of one site, a day at a time."""

    window_seconds = 86_400

    def __init__(self, source: Source, secret: str, http: Http) -> None:
        self.source = source
        self.site = source.url("site_url")
        self.http = http
        client_id = source.get("client_id")

        def fetch_token() -> str:
            url = f"{self.site}/oauth2/token"
            try:
                resp = http.request(
                    "POST", url, auth=(client_id, secret), data={"grant_type": "client_credentials"}
                )
                token = resp.json()["access_token"]
            except FetchFailed as exc:
                raise CredentialsFailed(exc.status, f"token refused ({exc})") from None
            except (ValueError, KeyError, TypeError):
                raise CredentialsFailed(0, f"POST {safe_url(url)}: no access_token") from None
            return str(token)

        self.token = Token(fetch_token)

    def _report(self, name: str, window: tuple[int, int]) -> bytes:
        url = f"{self.site}/api/reporting"
        params = {
            "generate_report": name,
            "start_time": str(window[0]),
            "duration": str(window[1] - window[0]),
        }
        body = self.http.request("GET", url, token=self.token, params=params).content
        if _ERROR.search(body[:2000]):
            raise FetchFailed(200, f"GET {safe_url(url)} {name}: the reporting API said <error>")
        return body

    def refresh(self, running: list[tuple[str, int]]) -> list[LoadedExport]:
        """The current records of sessions stored as running, by ``lsids`` (documented with
        SupportSession beside the date parameters), a hundred at a time."""
        url = f"{self.site}/api/reporting"
        out = []
        ids = [i for i, _ in running]
        for k in range(0, len(ids), 100):
            params = {"generate_report": "SupportSession", "lsids": ",".join(ids[k : k + 100])}
            body = self.http.request("GET", url, token=self.token, params=params).content
            if _ERROR.search(body[:2000]):
                raise FetchFailed(200, f"GET {safe_url(url)} SupportSession: <error>")
            if _SESSION.search(_text(body)):
                loaded = read_payload(body, ".xml", f"api:{self.source.name}")
                if loaded is not None:
                    out.append(loaded)
        return out

    def fetch(self, window: tuple[int, int]) -> list[LoadedExport]:
        """The window's sessions and its licence-usage peak."""
        label = f"api:{self.source.name}"
        out = []
        body = self._report("SupportSession", window)
        sessions = read_payload(body, ".xml", label) if _SESSION.search(_text(body)) else None
        if sessions is not None:
            out.append(sessions)
        body = self._report("LicenseUsage", window)
        usage = read_payload(body, ".xml", label) if _INTERVAL.search(_text(body)) else None
        if usage is not None:
            out.append(usage)
        return out


def _text(body: bytes) -> bytes:
    """The XML as UTF-8 bytes for a search (PowerShell-era appliances may send UTF-16)."""
    if body[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return body.decode("utf-16", errors="ignore").encode()
    return body


def collector(source: Source, secret: str, http: Http) -> BeyondTrust:
    """The collector of a ``{type: beyondtrust}`` source."""
    return BeyondTrust(source, secret, http)
