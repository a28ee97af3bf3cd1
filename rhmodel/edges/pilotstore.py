"""The pilot store: one DuckDB file that is the pilot's single source of truth.

``pilot.store: DIR`` (relative to the parameters file) names a folder; the store is
``DIR/pilot.duckdb``. It holds three tables:

``sessions``
    One row per session in the columns of :mod:`rhmodel.core.pilot.sessions`, keyed by
    ``(tool, session_id)``: the identity each reader gives a session (Intune's ``SessionId``,
    BeyondTrust's ``lsid``, TeamViewer's ``id``, GoTo's ``sessionId``). ``end`` is NULL for a
    session still running when it was fetched.
``fetches``
    The fetch log: one row per source and window fetched (or file imported), with the rows it
    brought, whether it succeeded and when. A failed window is fetched again by the next run.
``imports``
    The SHA-256 of every file imported by hand, so the same export imported twice changes
    nothing at all.

Why it survives ``kill -9``: every append is one DuckDB transaction (sessions, fetch log and
import record together); DuckDB writes a transaction to its write-ahead log and makes it durable
at ``COMMIT``, and replays only committed transactions when the file is opened again. A process
killed at any instant leaves the store as it was before the append or as it is after it.
:data:`CRASH_ENV` names the test hook that kills the process at a named point of an append.

Appends are idempotent: a session already stored is left alone, except that a session stored as
running and now seen ended is updated (its end and the fields the later record fills).

Examples
--------
>>> import tempfile, pandas as pd
>>> from rhmodel.core.pilot.sessions import COLUMNS, OPEN
>>> row = dict.fromkeys(COLUMNS, ""); row.update(session_id="s1", tool="beyondtrust",
...     start=1_700_000_000, end=OPEN, technician="ann", line=2, file="x.xml")
>>> with tempfile.TemporaryDirectory() as d:
...     with PilotStore.open(d) as store:
...         first = store.append(pd.DataFrame([row]), source="bt", window=(0, 1))
...         again = store.append(pd.DataFrame([row]), source="bt", window=(0, 1))
...         ended = store.append(pd.DataFrame([{**row, "end": 1_700_000_600}]), source="bt")
...         n, end = store.count(), int(store.sessions().sessions["end"].iloc[0])
>>> (first.added, again.added, again.updated, ended.updated, n, end)
(1, 0, 0, 1, 1, 1700000600)
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from rhmodel.core.pilot.sessions import COLUMNS, OPEN
from rhmodel.edges.exports import load_exports
from rhmodel.edges.exports.frame import LoadedExport
from rhmodel.errors import InputError

__all__ = [
    "CRASH_ENV",
    "STORE_FILE",
    "Appended",
    "Fetch",
    "PilotStore",
    "import_files",
    "sessions",
    "store_path",
]

#: The store's file name inside the ``pilot.store`` folder.
STORE_FILE = "pilot.duckdb"
#: Test hook: when this environment variable names a point of :meth:`PilotStore.append`
#: (``begun``, ``inserted``, ``logged``, ``committed``), the process kills itself there with
#: SIGKILL, so a test can prove the store survives it.
CRASH_ENV = "RHMODEL_PILOTSTORE_CRASH_AT"

_TEXT = [c for c in COLUMNS if c not in ("start", "end", "line")]
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS sessions (
    tool TEXT NOT NULL,
    session_id TEXT NOT NULL,
    start BIGINT NOT NULL,
    "end" BIGINT,
    {", ".join(f"{c} TEXT NOT NULL DEFAULT ''" for c in _TEXT if c not in ("tool", "session_id"))},
    line BIGINT NOT NULL DEFAULT 0,
    source TEXT NOT NULL DEFAULT '',
    stored_at BIGINT NOT NULL,
    PRIMARY KEY (tool, session_id)
);
CREATE TABLE IF NOT EXISTS fetches (
    source TEXT NOT NULL,
    window_start BIGINT,
    window_end BIGINT,
    rows BIGINT NOT NULL,
    added BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    ok BOOLEAN NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    fetched_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS licence_peaks (
    source TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    window_end BIGINT NOT NULL,
    peak BIGINT NOT NULL,
    PRIMARY KEY (source, window_start, window_end)
);
CREATE TABLE IF NOT EXISTS imports (
    sha256 TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    imported_at BIGINT NOT NULL
);
"""


def store_path(folder: str | Path) -> Path:
    """The store file of a ``pilot.store`` folder."""
    return Path(folder) / STORE_FILE


def _crash_point(name: str) -> None:
    if os.environ.get(CRASH_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


@dataclass(frozen=True)
class Appended:
    """What one append did: sessions seen, newly stored and updated (running → ended)."""

    rows: int
    added: int
    updated: int


@dataclass(frozen=True)
class Fetch:
    """One fetch-log row: a source's window (Unix seconds, ``None`` for a file), the rows it
    brought, whether it succeeded, and when (Unix seconds)."""

    source: str
    window_start: int | None
    window_end: int | None
    rows: int
    added: int
    updated: int
    ok: bool
    detail: str
    at: int


class PilotStore:
    """An open pilot store (use :meth:`open` as a context manager)."""

    def __init__(self, path: Path, con: duckdb.DuckDBPyConnection) -> None:
        self.path = path
        self._con = con

    @classmethod
    @contextlib.contextmanager
    def open(cls, folder: str | Path, *, read_only: bool = False) -> Iterator[PilotStore]:
        """Open (creating it unless ``read_only``) the store in ``folder``."""
        path = store_path(folder)
        if read_only and not path.exists():
            raise InputError(
                "no pilot store here yet — run `rhmodel pilot import` or `rhmodel pilot collect` "
                "first, or check pilot.store",
                file=str(path),
            )
        try:
            if not read_only:
                path.parent.mkdir(parents=True, exist_ok=True)
            con = duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            # another rhmodel holds the store open for writing (DuckDB allows one writer)
            raise InputError(
                f"cannot open the pilot store ({str(exc).splitlines()[0][:160]}) — wait for the "
                "other rhmodel using it to finish",
                file=str(path),
            ) from None
        try:
            if not read_only:
                con.execute(_SCHEMA)
                _add_new_columns(con)
            yield cls(path, con)
        finally:
            con.close()

    # -- writing ---------------------------------------------------------------------------

    def append(
        self,
        frame: pd.DataFrame,
        *,
        source: str,
        window: tuple[int, int] | None = None,
        detail: str = "",
        digest: tuple[str, str] | None = None,
        licence_peak: int | None = None,
        now: int | None = None,
    ) -> Appended:
        """Store the sessions of ``frame`` (the columns of :mod:`rhmodel.core.pilot.sessions`)
        and log the fetch, in one transaction.

        Parameters
        ----------
        frame : pandas.DataFrame
            Sessions as a reader produces them (``end`` :data:`OPEN` while running).
        source : str
            The source's name (``pilot.sources``) or ``import``.
        window : (int, int), optional
            The fetched window, Unix seconds, half-open.
        detail : str
            A short note for the log (never a secret: callers pass URLs without credentials).
        digest : (str, str), optional
            ``(sha256, name)`` of an imported file, recorded with the sessions.
        licence_peak : int, optional
            BeyondTrust's ``LicenseUsage`` peak over ``window`` (licences in use at once).
        """
        now = int(time.time()) if now is None else now
        incoming = _normalised(frame, source, now)
        con = self._con
        con.execute("BEGIN TRANSACTION")
        try:
            _crash_point("begun")
            con.register("incoming", incoming)
            # Within one batch the same session may come twice (a transferred session, two
            # overlapping pages): keep its most complete record (ended over running).
            con.execute(
                """CREATE OR REPLACE TEMP TABLE batch AS
                SELECT * EXCLUDE (rn) FROM (
                    SELECT *, row_number() OVER (PARTITION BY tool, session_id
                        ORDER BY ("end" IS NULL), "end" DESC) AS rn FROM incoming) WHERE rn = 1"""
            )
            added = con.execute(
                """SELECT count(*) FROM batch b ANTI JOIN sessions s
                   ON s.tool = b.tool AND s.session_id = b.session_id"""
            ).fetchone()[0]
            updated = con.execute(
                """SELECT count(*) FROM batch b JOIN sessions s
                   ON s.tool = b.tool AND s.session_id = b.session_id
                   WHERE s."end" IS NULL AND b."end" IS NOT NULL"""
            ).fetchone()[0]
            cols = ", ".join(f'"{c}"' for c in incoming.columns)
            refreshed = ", ".join(
                f'"{c}" = excluded."{c}"'
                for c in incoming.columns
                if c not in ("tool", "session_id")
            )
            con.execute(
                f"""INSERT INTO sessions ({cols}) SELECT {cols} FROM batch
                ON CONFLICT (tool, session_id) DO UPDATE SET {refreshed}
                WHERE sessions."end" IS NULL AND excluded."end" IS NOT NULL"""
            )
            con.unregister("incoming")
            _crash_point("inserted")
            ws, we = window if window is not None else (None, None)
            con.execute(
                "INSERT INTO fetches VALUES (?, ?, ?, ?, ?, ?, TRUE, ?, ?)",
                [source, ws, we, len(incoming), added, updated, detail, now],
            )
            if digest is not None:
                con.execute("INSERT INTO imports VALUES (?, ?, ?)", [digest[0], digest[1], now])
            if licence_peak is not None and window is not None:
                con.execute(
                    "INSERT OR REPLACE INTO licence_peaks VALUES (?, ?, ?, ?)",
                    [source, window[0], window[1], int(licence_peak)],
                )
            _crash_point("logged")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        _crash_point("committed")
        return Appended(len(incoming), int(added), int(updated))

    def log_failure(
        self, source: str, window: tuple[int, int] | None, detail: str, now: int | None = None
    ) -> None:
        """Record a failed fetch of ``window`` (fetched again by the next run)."""
        now = int(time.time()) if now is None else now
        ws, we = window if window is not None else (None, None)
        self._con.execute(
            "INSERT INTO fetches VALUES (?, ?, ?, 0, 0, 0, FALSE, ?, ?)",
            [source, ws, we, detail[:500], now],
        )

    def imported(self, sha256: str) -> bool:
        """Whether a file with this SHA-256 was imported already."""
        return bool(
            self._con.execute("SELECT count(*) FROM imports WHERE sha256 = ?", [sha256]).fetchone()[
                0
            ]
        )

    # -- reading ---------------------------------------------------------------------------

    def count(self) -> int:
        """Sessions stored."""
        return int(self._con.execute("SELECT count(*) FROM sessions").fetchone()[0])

    def fetches(self, source: str | None = None) -> list[Fetch]:
        """The fetch log, oldest first (one source's when ``source`` is given)."""
        sql = "SELECT * FROM fetches" + (" WHERE source = ?" if source else "")
        rows = self._con.execute(sql + " ORDER BY rowid", [source] if source else [])
        return [Fetch(*r) for r in rows.fetchall()]

    def pending_windows(self, source: str) -> tuple[list[tuple[int, int]], int | None]:
        """The failed windows of ``source`` that no later fetch covered, and where the last
        successful window ended (``None`` before the first)."""
        log = self.fetches(source)
        done = [(f.window_start, f.window_end) for f in log if f.ok and f.window_start is not None]
        failed: list[tuple[int, int]] = []
        for f in log:
            if f.ok or f.window_start is None or f.window_end is None:
                continue
            w = (f.window_start, f.window_end)
            # a window is fetched once a later success covers it (the same day, or a longer
            # window of a source fetched in one piece)
            covered = any(lo <= w[0] and w[1] <= hi for lo, hi in done)  # type: ignore[operator]
            if not covered and w not in failed:
                failed.append(w)
        ends = [f.window_end for f in log if f.ok and f.window_end is not None]
        return failed, (max(ends) if ends else None)  # type: ignore[return-value]

    def running(self, source: str, since: int) -> list[tuple[str, int]]:
        """``(session_id, start)`` of the sessions ``source`` stored as still running that
        started at or after ``since``: the ones its next fetch asks about again."""
        rows = self._con.execute(
            """SELECT session_id, start FROM sessions WHERE source = ? AND "end" IS NULL
               AND start >= ? ORDER BY start, session_id""",
            [source, since],
        )
        return [(str(i), int(t)) for i, t in rows.fetchall()]

    def sessions(self, tools: Iterable[str] | None = None) -> LoadedExport:
        """Every stored session as one :class:`LoadedExport` (format ``pilot_store``), ready for
        :func:`rhmodel.core.pilot.evidence.summarise_pilot` beside the exports it reads."""
        sql = "SELECT * EXCLUDE (source, stored_at) FROM sessions"
        params: list = []
        if tools is not None:
            wanted = list(tools)
            sql += f" WHERE tool IN ({', '.join('?' * len(wanted))})" if wanted else " WHERE FALSE"
            params = wanted
        df = self._con.execute(sql + " ORDER BY start, tool, session_id", params).df()
        out = pd.DataFrame(
            {c: df[c].astype(object) if c in df else pd.Series(dtype=object) for c in COLUMNS}
        )
        out["start"] = df["start"].to_numpy(dtype=np.int64)
        ends = df["end"]
        out["end"] = np.where(ends.isna(), OPEN, ends.fillna(0)).astype(np.int64)
        out["line"] = df["line"].to_numpy(dtype=np.int64)
        return LoadedExport(str(self.path), "pilot_store", out, rows=len(out))

    def exports(self) -> list[LoadedExport]:
        """What the store holds as the readers' results: its sessions and, when BeyondTrust's
        ``LicenseUsage`` was collected, the highest licence peak (read as that report is)."""
        out = [self.sessions()]
        peak = self._con.execute("SELECT max(peak) FROM licence_peaks").fetchone()[0]
        if peak is not None:
            empty = out[0].sessions.iloc[0:0]
            out.append(
                LoadedExport(
                    str(self.path), "beyondtrust_license_usage", empty, license_usage_peak=int(peak)
                )
            )
        return out


def _add_new_columns(con: duckdb.DuckDBPyConnection) -> None:
    """A store written before the session table gained a column gets it (blank): the store
    outlives rhmodel upgrades during a pilot."""
    have = {
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'sessions'"
        ).fetchall()
    }
    for c in _TEXT:
        if c not in have:
            con.execute(f"ALTER TABLE sessions ADD COLUMN \"{c}\" TEXT DEFAULT ''")


def _normalised(frame: pd.DataFrame, source: str, now: int) -> pd.DataFrame:
    """The frame in the store's columns: ``end`` NULL while running, text never null."""
    n = len(frame)
    out = pd.DataFrame(
        {
            c: (frame[c] if c in frame else pd.Series([""] * n))
            .astype(object)
            .fillna("")
            .astype(str)
            for c in _TEXT
        }
    )
    out["start"] = frame["start"].to_numpy(dtype=np.int64)
    ends = frame["end"].to_numpy(dtype=np.int64)
    out["end"] = pd.array(np.where(ends == OPEN, 0, ends), dtype="Int64")
    out.loc[ends == OPEN, "end"] = pd.NA
    out["line"] = (frame["line"] if "line" in frame else pd.Series([0] * n)).to_numpy(
        dtype=np.int64
    )
    out["source"] = source
    out["stored_at"] = now
    return out


def sessions(folder: str | Path) -> list[LoadedExport]:
    """What the store in ``folder`` holds, as the export readers' results (``[]`` when it has no
    store yet): the two-line wiring for every command that reads ``pilot.files``
    (``loaded += sessions(folder)`` before :func:`~rhmodel.core.pilot.evidence.summarise_pilot`).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     print(sessions(d))
    []
    """
    if not store_path(folder).exists():
        return []
    with PilotStore.open(folder, read_only=True) as store:
        return store.exports()


def import_files(
    folder: str | Path,
    files: Iterable[str | Path],
    *,
    timezone: str | None = None,
    date_order: str | None = None,
) -> list[tuple[str, Appended | None]]:
    """Read each export with the readers of :mod:`rhmodel.edges.exports` and append its
    sessions; a file imported before (same bytes) is skipped (``None``). Every file is read
    before anything is stored, so one bad file stores nothing. A device inventory found among
    the files is not stored (``Appended(0, 0, 0)``): it stays a ``pilot.devices`` file."""
    paths = [Path(f) for f in files]
    loaded = load_exports(paths, timezone, date_order)
    digests = {}
    for x in loaded:
        digests[x.path] = hashlib.sha256(Path(x.path).read_bytes()).hexdigest()
    out: list[tuple[str, Appended | None]] = []
    with PilotStore.open(folder) as store:
        for x in loaded:
            digest = digests[x.path]
            if getattr(x, "devices", ()) and not len(x.sessions):
                # a device inventory holds devices, not sessions: pilot.devices names it
                out.append((x.path, Appended(0, 0, 0)))
                continue
            if store.imported(digest):
                out.append((x.path, None))
                continue
            done = store.append(
                x.sessions,
                source="import",
                detail=f"{Path(x.path).name} ({x.format})",
                digest=(digest, Path(x.path).name),
            )
            out.append((x.path, done))
    return out
