"""Collectors: the pilot's sessions fetched from the vendors' documented APIs into the store.

One module per vendor (:mod:`.intune`, :mod:`.beyondtrust`, :mod:`.teamviewer`,
:mod:`.gotoassist`), each citing the request and response shapes it was written from. Every
payload is read by the same readers as a file exported by hand (:mod:`rhmodel.edges.exports`),
so a session fetched and the same session exported are one session in the store.

:func:`collect` runs every source of ``pilot.sources``:

- the range fetched is ``--since`` when given, else from the end of the source's last
  successful window, else from its first failed one, else the last
  :data:`DEFAULT_LOOKBACK_DAYS` days (Intune's retention); a source fetched in one piece
  (TeamViewer's pages, Intune's report) asks for one window a run;
  windows that failed before are fetched again first (a resumed run);
- a window that fails (HTTP 500, a timeout, an unreadable payload) is logged as failed and
  the next windows are still fetched; a source whose credentials fail stops, and the other
  sources still run;
- each window's sessions and its fetch-log row are stored in one transaction.

Secrets come from the environment variable the source names (or the system keyring, service
``rhmodel``, user = that variable's name, when the ``keyring`` package is installed); they are
never written to the store, a log line or an error.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TextIO

import pandas as pd

from rhmodel.core.pilot.sources import Source
from rhmodel.edges.collectors.http import FetchFailed, Http
from rhmodel.edges.exports import load_export
from rhmodel.edges.exports.frame import LoadedExport
from rhmodel.edges.pilotstore import PilotStore
from rhmodel.errors import InputError

__all__ = [
    "DEFAULT_LOOKBACK_DAYS",
    "RUNNING_LOOKBACK_DAYS",
    "Collector",
    "SourceOutcome",
    "collect",
    "read_payload",
    "windows_between",
]

#: Days fetched the first time a source is collected without ``--since``: Intune keeps Remote
#: Help session metadata about 30 days, so nothing older exists there anyway.
DEFAULT_LOOKBACK_DAYS = 30
#: Days back a session stored as running is asked about again: a session open longer is a data
#: error the readers refuse (7 days, :data:`rhmodel.edges.exports.times.MAX_SESSION_SECONDS`).
RUNNING_LOOKBACK_DAYS = 7


class Collector(Protocol):
    """One vendor's fetcher: the window length it fetches (seconds; ``None``: one window per
    run) and the sessions of one window. A collector may also have ``refresh(running)``: the
    current records of sessions stored as running (``(session_id, start)`` pairs), so a
    session fetched while it ran is stored ended once it has."""

    window_seconds: int | None

    def fetch(self, window: tuple[int, int]) -> list[LoadedExport]: ...


class CredentialsFailed(FetchFailed):
    """The source's token endpoint refused its credentials: nothing more to try this run."""


@dataclass(frozen=True)
class SourceOutcome:
    """What collecting one source did."""

    source: str
    windows: int
    failed_windows: int
    rows: int
    added: int
    updated: int
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Every window fetched and stored."""
        return self.error is None and self.failed_windows == 0


def windows_between(start: int, end: int, step: int | None) -> list[tuple[int, int]]:
    """Half-open windows covering ``[start, end)``, ``step`` seconds each (the last shorter).

    >>> windows_between(0, 250, 100)
    [(0, 100), (100, 200), (200, 250)]
    >>> windows_between(0, 250, None), windows_between(5, 5, 100)
    ([(0, 250)], [])
    """
    if end <= start:
        return []
    if step is None:
        return [(start, end)]
    return [(t, min(t + step, end)) for t in range(start, end, step)]


def read_payload(data: bytes, suffix: str, label: str) -> LoadedExport | None:
    """Read one downloaded payload with the export readers (``None``: it holds no sessions).

    ``label`` (``api:<source>``) replaces the temporary file's name in the sessions' ``file``
    column, so a later message names the source, not a deleted file.
    """
    with tempfile.TemporaryDirectory(prefix="rhmodel-fetch-") as tmp:
        path = Path(tmp) / f"payload{suffix}"
        path.write_bytes(data)
        try:
            loaded = load_export(path)
        except InputError as exc:
            if "no sessions" in exc.message:
                return None
            # the reader's message names the temporary file: name the source instead
            raise FetchFailed(0, f"{label}: {exc.message}") from None
    frame = loaded.sessions.copy()
    frame["file"] = label
    return LoadedExport(
        label,
        loaded.format,
        frame,
        loaded.notes,
        loaded.skipped,
        loaded.rows,
        loaded.license_usage_peak,
    )


def _secret(source: Source, env: Mapping[str, str]) -> str | None:
    name = source.secret_env
    value = env.get(name)
    if value:
        return value
    try:  # the keyring is optional: a desktop's credential store, never required
        import keyring  # type: ignore[import-not-found]

        return keyring.get_password("rhmodel", name) or None
    except Exception:
        return None


def _collector(source: Source, secret: str, http: Http) -> Collector:
    from rhmodel.edges.collectors import beyondtrust, gotoassist, intune, teamviewer

    modules = {
        "intune": intune,
        "beyondtrust": beyondtrust,
        "teamviewer": teamviewer,
        "gotoassist": gotoassist,
    }
    return modules[source.type].collector(source, secret, http)


def _iso(t: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(t))


def collect(
    sources: Sequence[Source],
    folder: str | Path,
    *,
    since: int | None = None,
    now: int | None = None,
    env: Mapping[str, str] | None = None,
    http: Http | None = None,
    progress: TextIO | None = None,
    make: Callable[[Source, str, Http], Collector] | None = None,
) -> list[SourceOutcome]:
    """Fetch what is new from every source into the store in ``folder``.

    Parameters
    ----------
    sources : sequence of Source
        ``pilot.sources`` as parsed.
    folder : path
        The ``pilot.store`` folder.
    since : int, optional
        Fetch from this instant (Unix seconds) instead of the last successful fetch.
    now : int, optional
        The end of the range (default: the clock).
    env : mapping, optional
        Where secrets are looked up (default: ``os.environ``).
    http : Http, optional
        The HTTP client (tests pass one with a recording ``sleep``).
    progress : text stream, optional
        Where a progress line per window goes (default: standard error).
    """
    now = int(time.time()) if now is None else now
    env = os.environ if env is None else env
    http = http if http is not None else Http()
    out = sys.stderr if progress is None else progress
    make = make or _collector
    outcomes: list[SourceOutcome] = []
    with PilotStore.open(folder) as store:
        for source in sources:
            outcomes.append(_collect_one(source, store, since, now, env, http, out, make))
    return outcomes


def _collect_one(
    source: Source,
    store: PilotStore,
    since: int | None,
    now: int,
    env: Mapping[str, str],
    http: Http,
    out: TextIO,
    make: Callable[[Source, str, Http], Collector],
) -> SourceOutcome:
    name = source.name
    secret = _secret(source, env)
    if secret is None:
        why = f"the environment variable {source.secret_env} is not set (nor in the keyring)"
        store.log_failure(name, None, why, now)
        print(f"{name}: skipped — {why}", file=out)
        return SourceOutcome(name, 0, 0, 0, 0, 0, why)
    collector = make(source, secret, http)
    failed, last_end = store.pending_windows(name)
    start = since if since is not None else last_end
    if start is None:
        # nothing fetched yet: from the first window that failed (a first run's --since), else
        # what Intune still holds
        start = min((w[0] for w in failed), default=now - DEFAULT_LOOKBACK_DAYS * 86_400)
    todo = [w for w in failed if since is None or w[1] > since]
    if collector.window_seconds is None:
        # a source fetched in one piece (paged, or a whole report): one window from the
        # earliest thing missing, never the same report twice in a run
        lo = min([start, *(w[0] for w in todo)])
        todo = windows_between(lo, now, None)
    else:
        todo += [w for w in windows_between(start, now, collector.window_seconds) if w not in todo]
    rows = added = updated = bad = 0
    # Sessions fetched while they ran are asked about again (by id where the API can, else
    # their window): a window is fetched once, by the sessions that started in it.
    refresh = getattr(collector, "refresh", None)
    running = store.running(name, now - RUNNING_LOOKBACK_DAYS * 86_400) if refresh else []
    if running:
        try:
            loaded = refresh(running)
            frames = [x.sessions for x in loaded if len(x.sessions)]
            done = store.append(
                pd.concat(frames, ignore_index=True) if frames else _empty(),
                source=name,
                detail=f"{len(running)} running sessions asked about again",
                now=now,
            )
            rows, added, updated = done.rows, done.added, done.updated
            print(
                f"{name}: {len(running)} running sessions asked about again: "
                f"{done.updated} ended since",
                file=out,
            )
        except FetchFailed as exc:
            # not a window: the next run asks again, as the sessions are still stored running
            store.log_failure(name, None, f"running sessions: {exc}", now)
            print(f"{name}: running sessions not refreshed — {exc}", file=out)
            if isinstance(exc, CredentialsFailed):
                return SourceOutcome(name, 0, 1, 0, 0, 0, str(exc))
    for i, window in enumerate(todo, 1):
        bar = _bar(i, len(todo))
        try:
            loaded = collector.fetch(window)
            frames = [x.sessions for x in loaded if len(x.sessions)]
            frame = pd.concat(frames, ignore_index=True) if frames else _empty()
            peaks = [x.license_usage_peak for x in loaded if x.license_usage_peak is not None]
            done = store.append(
                frame,
                source=name,
                window=window,
                licence_peak=max(peaks) if peaks else None,
                now=now,
            )
        except CredentialsFailed as exc:
            store.log_failure(name, window, str(exc), now)
            print(f"{name}: {bar} stopped — {exc}", file=out)
            return SourceOutcome(name, i, bad + 1, rows, added, updated, str(exc))
        except FetchFailed as exc:
            bad += 1
            store.log_failure(name, window, str(exc), now)
            print(
                f"{name}: {bar} {_iso(window[0])} to {_iso(window[1])} failed — {exc} "
                "(fetched again next run)",
                file=out,
            )
            continue
        rows, added, updated = rows + done.rows, added + done.added, updated + done.updated
        print(
            f"{name}: {bar} {_iso(window[0])} to {_iso(window[1])}: {done.rows} sessions "
            f"({done.added} new, {done.updated} ended since)",
            file=out,
        )
    return SourceOutcome(name, len(todo), bad, rows, added, updated)


def _bar(i: int, n: int, width: int = 20) -> str:
    filled = round(width * i / n) if n else width
    return f"[{'#' * filled}{'.' * (width - filled)}] {i}/{n}"


def _empty() -> pd.DataFrame:
    from rhmodel.core.pilot.sessions import COLUMNS

    return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
