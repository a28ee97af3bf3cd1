"""TeamViewer: the Web API connection reports with a script token.

Shapes (TeamViewer Web API OpenAPI document, ``/api/v1/reports/connections``, operation
``Connections_Get``, as cited in :mod:`rhmodel.edges.exports.teamviewer`; TeamViewerPS
``Get-TeamViewerConnectionReport``; checked 2026-12-01):

- ``GET <api_url>/api/v1/reports/connections?from_date=<ISO 8601>&to_date=<ISO 8601>`` with
  ``Authorization: Bearer <script token>``;
- the response ``{"records": [...], "records_remaining": n, "next_offset": "<id>"}`` holds at
  most 1000 reports; while ``next_offset`` is given (and ``records_remaining`` > 0) the next
  page is the same request with ``offset_id=<next_offset>``.

A script token does not expire like an OAuth token, so a 401 is a revoked or wrong token: the
source stops (the others still run). One window per run: paging covers any length.
"""

from __future__ import annotations

import json
import time

from rhmodel.core.pilot.sources import Source
from rhmodel.edges.collectors import CredentialsFailed, read_payload
from rhmodel.edges.collectors.http import FetchFailed, Http, Token, safe_url
from rhmodel.edges.exports.frame import LoadedExport

__all__ = ["TeamViewer", "collector"]

#: Pages followed in one window before the run stops trusting ``next_offset`` (a loop).
MAX_PAGES = 10_000


def _iso(t: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


class TeamViewer:
    """The connection reports of one TeamViewer company, page by page."""

    window_seconds = None

    def __init__(self, source: Source, secret: str, http: Http) -> None:
        self.source = source
        self.api = source.url("api_url")
        self.http = http
        self.token = Token(lambda: secret)

    def fetch(self, window: tuple[int, int]) -> list[LoadedExport]:
        """Every page of the window's connection reports."""
        url = f"{self.api}/api/v1/reports/connections"
        params = {"from_date": _iso(window[0]), "to_date": _iso(window[1])}
        records: list[dict] = []
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            try:
                resp = self.http.request("GET", url, token=self.token, params=params)
            except FetchFailed as exc:
                if exc.status in (401, 403):
                    raise CredentialsFailed(exc.status, f"script token refused ({exc})") from None
                raise
            try:
                page = resp.json()
            except ValueError:
                raise FetchFailed(resp.status_code, f"GET {safe_url(url)}: not JSON") from None
            if not isinstance(page, dict) or not isinstance(page.get("records"), list):
                raise FetchFailed(resp.status_code, f"GET {safe_url(url)}: no records list")
            records.extend(page["records"])
            nxt = page.get("next_offset")
            if not nxt or not page.get("records_remaining", 1) or str(nxt) in seen:
                break
            seen.add(str(nxt))
            params = {**params, "offset_id": str(nxt)}
        if not records:
            return []
        payload = json.dumps({"records": records, "records_remaining": 0}, indent=1).encode()
        loaded = read_payload(payload, ".json", f"api:{self.source.name}")
        return [loaded] if loaded is not None else []


def collector(source: Source, secret: str, http: Http) -> TeamViewer:
    """The collector of a ``{type: teamviewer}`` source."""
    return TeamViewer(source, secret, http)
