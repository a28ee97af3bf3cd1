"""HTTP for the collectors: throttling, one token refresh, errors that never carry a secret.

Every vendor API the collectors call throttles (HTTP 429 with ``Retry-After``, in seconds or as
an HTTP date, RFC 9110 §10.2.3), and a bearer token may expire in the middle of a run (HTTP 401).
:class:`Http` retries a 429 after the time the server asks for (capped, and with an injectable
``sleep`` so tests do not wait), and on a 401 asks its :class:`Token` for a new token once per
request. Any other failure is a :class:`FetchFailed` naming the status and the URL's path, never
a header, a query string or a body: those can hold a token or a secret.

Examples
--------
>>> retry_after_seconds("7", now=0.0)
7.0
>>> retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0)
10.0
>>> retry_after_seconds(None, now=0.0)
1.0
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import requests

__all__ = ["FetchFailed", "Http", "Token", "retry_after_seconds", "safe_url"]

#: The longest wait a Retry-After may impose before the source is given up for this run.
MAX_RETRY_AFTER = 300.0
#: 429 responses retried per request before the source is given up for this run.
MAX_THROTTLED = 5


class FetchFailed(RuntimeError):
    """A request failed: ``status`` (0 when there was no response) and a safe description."""

    def __init__(self, status: int, what: str) -> None:
        self.status = status
        super().__init__(what)


def safe_url(url: str) -> str:
    """``url`` without credentials, query or fragment: what a log or an error may show.

    >>> safe_url("https://u:p@bt.example.com/api/reporting?generate_report=x&token=abc")
    'https://bt.example.com/api/reporting'
    """
    p = urlsplit(url)
    host = p.hostname or ""
    port = f":{p.port}" if p.port else ""
    return f"{p.scheme}://{host}{port}{p.path}"


def retry_after_seconds(value: str | None, now: float | None = None) -> float:
    """Seconds a ``Retry-After`` header asks to wait (1 when absent or unreadable)."""
    if value is None or not str(value).strip():
        return 1.0
    text = str(value).strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text).timestamp()
    except (TypeError, ValueError):
        return 1.0
    return max(0.0, when - (time.time() if now is None else now))


class Token:
    """A bearer token obtained by ``fetch`` (a client-credentials grant), fetched lazily and
    again on :meth:`refresh`."""

    def __init__(self, fetch: Callable[[], str]) -> None:
        self._fetch = fetch
        self._value: str | None = None
        self.fetched = 0

    @property
    def value(self) -> str:
        """The current token (fetched on first use)."""
        if self._value is None:
            self._value = self._fetch()
            self.fetched += 1
        return self._value

    def refresh(self) -> None:
        """Forget the token: the next use fetches a new one."""
        self._value = None

    def header(self) -> dict[str, str]:
        """The ``Authorization`` header."""
        return {"Authorization": f"Bearer {self.value}"}


class Http:
    """Requests with throttling and one token refresh per request.

    Parameters
    ----------
    session : requests.Session, optional
        Connection reuse; a new one by default.
    sleep : callable
        How to wait (``time.sleep``; tests pass a recorder).
    timeout : float
        Seconds per request.
    """

    def __init__(
        self,
        session: requests.Session | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float = 60.0,
    ) -> None:
        self.session = session if session is not None else requests.Session()
        self.sleep = sleep
        self.timeout = timeout

    def request(
        self, method: str, url: str, *, token: Token | None = None, **kwargs: Any
    ) -> requests.Response:
        """Send one request; a 2xx response is returned, anything else raises
        :class:`FetchFailed` (after waiting out 429s and refreshing an expired token once)."""
        refreshed = False
        throttled = 0
        while True:
            headers = dict(kwargs.pop("headers", None) or {})
            if token is not None:
                headers.update(token.header())
            try:
                resp = self.session.request(
                    method,
                    url,
                    headers=headers,
                    timeout=self.timeout,
                    allow_redirects=False,
                    **kwargs,
                )
            except requests.RequestException as exc:
                raise FetchFailed(0, f"{method} {safe_url(url)}: {type(exc).__name__}") from None
            kwargs["headers"] = {k: v for k, v in headers.items() if k != "Authorization"}
            if resp.status_code == 429 and throttled < MAX_THROTTLED:
                wait = retry_after_seconds(resp.headers.get("Retry-After"))
                if wait > MAX_RETRY_AFTER:
                    raise FetchFailed(429, f"{method} {safe_url(url)}: throttled for {wait:.0f} s")
                throttled += 1
                self.sleep(wait)
                continue
            if resp.status_code == 401 and token is not None and not refreshed:
                refreshed = True  # an access token expired mid-run: one new one, then give up
                token.refresh()
                continue
            if not 200 <= resp.status_code < 300:
                raise FetchFailed(
                    resp.status_code, f"{method} {safe_url(url)}: HTTP {resp.status_code}"
                )
            return resp
