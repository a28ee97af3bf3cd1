"""LogMeIn / GoTo: the GoToAssist Remote Support sessions API, where the account still serves it.

Shapes (GoTo developer center, GoToAssist Remote Support REST API, "Get Screen Sharing Sessions"
and "Get Screen Sharing Session Info", as cited in :mod:`rhmodel.edges.exports.gotoassist`;
checked 2026-12-01): ``GET <api_url>/G2A/rest/v1/sessions?sessionType=SCREEN_SHARING&fromTime=
<ISO 8601>&toTime=<ISO 8601>`` with ``Authorization: Bearer <OAuth access token>`` →
``{"sessions": [...]}``. No paging is documented, so windows are a day long.

No public description of a GoTo Resolve / LogMeIn Resolve session API was found: an account
moved to Resolve may answer 404 or 410 here. The collector then says so and stops; the session
report exported by hand stays the way in (``rhmodel pilot import``).
"""

from __future__ import annotations

import json
import time

from rhmodel.core.pilot.sources import Source
from rhmodel.edges.collectors import CredentialsFailed, read_payload
from rhmodel.edges.collectors.http import FetchFailed, Http, Token, safe_url
from rhmodel.edges.exports.frame import LoadedExport

__all__ = ["GoToAssist", "collector"]


def _iso(t: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


class GoToAssist:
    """The screen-sharing sessions of one GoToAssist account, a day at a time."""

    window_seconds = 86_400

    def __init__(self, source: Source, secret: str, http: Http) -> None:
        self.source = source
        self.api = source.url("api_url")
        self.http = http
        self.token = Token(lambda: secret)

    def refresh(self, running: list[tuple[str, int]]) -> list[LoadedExport]:
        """Sessions stored as running, fetched again by the UTC day they started on (the API has
        no documented lookup by id)."""
        days = sorted({start - start % 86_400 for _, start in running})
        return [x for day in days for x in self.fetch((day, day + 86_400))]

    def fetch(self, window: tuple[int, int]) -> list[LoadedExport]:
        """The window's sessions."""
        url = f"{self.api}/G2A/rest/v1/sessions"
        params = {
            "sessionType": "SCREEN_SHARING",
            "fromTime": _iso(window[0]),
            "toTime": _iso(window[1]),
        }
        try:
            body = self.http.request("GET", url, token=self.token, params=params).content
        except FetchFailed as exc:
            if exc.status in (404, 410):
                raise CredentialsFailed(
                    exc.status,
                    "this account does not serve the GoToAssist sessions API (LogMeIn Resolve has "
                    "no documented one): export the session report and `rhmodel pilot import` it",
                ) from None
            if exc.status in (401, 403):
                raise CredentialsFailed(exc.status, f"access token refused ({exc})") from None
            raise
        try:
            doc = json.loads(body)
        except ValueError:
            raise FetchFailed(200, f"GET {safe_url(url)}: not JSON") from None
        if isinstance(doc, dict) and doc.get("sessions") == []:
            return []  # a day without sessions
        loaded = read_payload(body, ".json", f"api:{self.source.name}")
        return [loaded] if loaded is not None else []


def collector(source: Source, secret: str, http: Http) -> GoToAssist:
    """The collector of a ``{type: gotoassist}`` source."""
    return GoToAssist(source, secret, http)
