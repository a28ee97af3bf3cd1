"""From a format's columns to the one session table every loader produces.

Each loader says which column holds the id, the start and end, the technician and so on;
:func:`finish` checks what every session needs, normalises technicians, separates reason codes
from ticket references, drops the rows that are not sessions (counted, with the reason) and
builds the frame of :mod:`rhmodel.core.pilot.sessions`.

Examples
--------
>>> [same_person(n) for n in ("alice@x.com", " Alice@X.com ", "ALICE@x.com", " Bob  Lee ")]
['alice@x.com', 'alice@x.com', 'alice@x.com', 'Bob Lee']
>>> same_person("@SUM(1+1)")  # not an address: kept as written
'@SUM(1+1)'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from rhmodel.core.pilot.identity import GROUP_SEP, ID_SEP, display_spelling
from rhmodel.core.pilot.sessions import COLUMNS, OPEN, check_reasons, normalise_platform
from rhmodel.core.products import REASON_CODES
from rhmodel.edges.exports.table import Table, first_index, per_unique
from rhmodel.edges.exports.times import MAX_SESSION_SECONDS

__all__ = ["LoadedExport", "finish", "same_person"]

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class LoadedExport:
    """One file read: its format, its sessions (see :mod:`rhmodel.core.pilot.sessions`), the
    rows that were not sessions (``skipped``: reason → count) and what reading it noticed."""

    path: str
    format: str
    sessions: pd.DataFrame
    notes: tuple[str, ...] = ()
    skipped: dict[str, int] = field(default_factory=dict)
    rows: int = 0
    license_usage_peak: int | None = None  # a BeyondTrust LicenseUsage report: no sessions
    #: The LicenseUsage report as read (rhmodel.edges.exports.beyondtrust.LicenseUsage): rows
    #: only above 90% of the licences, so no rows is "never above 90%", not zero.
    license_usage: object | None = None
    #: An Intune device export found among the exports: no sessions, the devices it lists
    #: (rhmodel.core.eligibility.Device), joined to the unattended sessions.
    devices: tuple = ()


def same_person(name: str) -> str:
    """One spelling per technician: Unicode NFKC, zero-width and other format characters
    removed, trimmed, inner spaces collapsed, e-mail addresses (which are case-insensitive in
    practice) folded to lower case (:func:`rhmodel.core.pilot.identity.display_spelling`)."""
    return display_spelling(name)


def alias_entries(kind: str, tool: str, values: pd.Series) -> pd.Series:
    """Per row, one identifier of the ``aliases`` column: ``kind:tool:as written`` ('' when
    blank). ``kind`` is ``email``, ``id`` or ``name``.

    Examples
    --------
    >>> alias_entries("id", "beyondtrust", pd.Series(["7", ""])).tolist()
    ['id:beyondtrust:7', '']
    """
    raw = values.to_numpy(dtype=object)
    if kind == "raw":  # entries a reader encoded already (ID_SEP-joined)
        return pd.Series(raw, dtype=object)
    prefix = f"{kind}:{tool}:"
    return pd.Series(np.where(raw == "", "", prefix + raw.astype(str)).astype(object), dtype=object)


def join_aliases(parts: list[pd.Series], sep: str = ID_SEP) -> pd.Series:
    """Row-wise join of alias columns (blanks dropped by the resolver)."""
    out = parts[0].astype(object)
    for p in parts[1:]:
        out = out + sep + p.astype(object)
    return out


def _other_people(names: str) -> str:
    """``"Ann Rep, bob@x.com"`` → ``"Ann Rep;bob@x.com"``: one spelling each, ``;``-joined."""
    parts = (same_person(n) for n in re.split(r"[;,\n]", names))
    return ";".join(sorted({p for p in parts if p}))


def finish(
    src: Table,
    fmt: str,
    *,
    session_id: pd.Series,
    tool: pd.Series | str,
    start: np.ndarray,
    end: np.ndarray,
    technician: pd.Series,
    reason: pd.Series | None = None,
    session_type: pd.Series | None = None,
    sharer: pd.Series | None = None,
    platform: pd.Series | None = None,
    others: pd.Series | None = None,
    skip: dict[str, np.ndarray] | None = None,
    device: pd.Series | None = None,
    aliases: list[tuple[str, pd.Series]] | None = None,
    other_aliases: pd.Series | None = None,
) -> LoadedExport:
    """Check and assemble the sessions of ``src``.

    ``skip`` maps a reason (``no representative joined``) to a mask of rows that are not
    sessions: they are dropped before any check and counted. ``reason`` holds reason codes in
    the canonical format (where one is required for every incumbent session); elsewhere a value
    that is not a reason code is a ticket reference (BeyondTrust's ``external_key``, a Rescue
    custom field), kept in the ``ticket`` column. ``device`` names the helped device (host name,
    serial or Entra device id) for the join to the device inventory.

    ``aliases`` lists the other identifiers each row shows for its technician (``("email",
    column)``, ``("id", column)``, ``("name", column)``): shown together, they are one person
    (:mod:`rhmodel.core.pilot.identity`). ``other_aliases`` holds, per row, the identifier groups
    of the other technicians (each group ``ID_SEP``-joined entries, groups ``GROUP_SEP``-joined).
    """
    rows = len(src.frame)
    keep = np.ones(rows, dtype=bool)
    skipped: dict[str, int] = {}
    for why, mask in (skip or {}).items():
        mask = np.asarray(mask) & keep
        if mask.any():
            skipped[why] = int(mask.sum())
            keep &= ~mask
    if not keep.all():
        src = Table(
            src.path,
            src.frame[keep].reset_index(drop=True),
            src.lines[keep].reset_index(drop=True),
            src.columns,
            clean_blanks=src.clean_blanks,
            notes=src.notes,
        )
        session_id = session_id[keep].reset_index(drop=True)
        technician = technician[keep].reset_index(drop=True)
        start, end = start[keep], end[keep]
        tool = tool if isinstance(tool, str) else tool[keep].reset_index(drop=True)
        reason, session_type, sharer, platform, others, device, other_aliases = (
            None if s is None else s[keep].reset_index(drop=True)
            for s in (reason, session_type, sharer, platform, others, device, other_aliases)
        )
        aliases = [(k, v[keep].reset_index(drop=True)) for k, v in aliases or ()]
    n = len(src.frame)
    blank_id = (session_id == "").to_numpy()
    if blank_id.any():
        raise src.error(first_index(blank_id), "session id is missing — every session needs its id")
    blank_tech = (technician == "").to_numpy()
    if blank_tech.any():
        raise src.error(
            first_index(blank_tech), "technician is missing — who helped (e-mail, id or name)"
        )
    closed = end != OPEN
    too_long = closed & (end - start > MAX_SESSION_SECONDS)
    if too_long.any():
        i = first_index(too_long)
        raise src.error(
            i,
            f"session lasts {(end[i] - start[i]) / 86_400:,.1f} days — up to 7 days; a session "
            "left open that long is a data error to fix or drop",
        )
    backwards = closed & (end < start)
    if backwards.any():
        i = first_index(backwards)
        raise src.error(
            i,
            f"end is before start (start {pd.Timestamp(start[i], unit='s')}Z, "
            f"end {pd.Timestamp(end[i], unit='s')}Z) — end >= start",
        )
    tools = (
        pd.Series(np.full(n, tool, dtype=object), dtype=object) if isinstance(tool, str) else tool
    )
    people = per_unique(technician, same_person)
    spellings, persons = technician.nunique(), pd.unique(people).size
    notes = list(src.notes)
    if persons < spellings:
        notes.append(
            f"{src.path.name}: {spellings:,} spellings of technicians read as {persons:,} "
            "people (spaces trimmed, e-mail addresses compared without case)"
        )
    for why, count in skipped.items():
        notes.append(f"{src.path.name}: {count:,} rows skipped ({why})")
    empty = np.full(n, "", dtype=object)
    if reason is None:
        codes, tickets = pd.Series(empty, dtype=object), empty
    elif fmt == "canonical":
        codes, tickets = pd.Series(per_unique(reason, str.lower), dtype=object), empty
    else:
        lowered = per_unique(reason, lambda v: v.strip().lower())
        is_code = np.isin(lowered, REASON_CODES)
        codes = pd.Series(np.where(is_code, lowered, ""), dtype=object)
        tickets = np.where(is_code | (lowered == ""), "", reason.to_numpy(dtype=object))
    check_reasons(codes, tools, str(src.path), src.lines, require_for_incumbents=fmt == "canonical")

    if aliases and isinstance(tool, str):
        group = join_aliases(
            [
                alias_entries("name", tool, technician),
                *(alias_entries(k, tool, v) for k, v in aliases),
            ]
        )
        if other_aliases is not None:
            group = (
                group
                + np.where(other_aliases.to_numpy(dtype=object) == "", "", GROUP_SEP)
                + (other_aliases.astype(object))
            )
        alias_column = group.to_numpy(dtype=object)
    else:
        alias_column = empty

    def constant(value: str) -> pd.Series:
        # a column with one value throughout (a field this format lacks, the file's name) is a
        # one-category Categorical: 1 byte a row and a block of its own, where 2 million object
        # pointers would be copied again when pandas stacks the object columns together
        return pd.Series(pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), [value]))

    def text(values: np.ndarray | pd.Series) -> pd.Series:
        if values is empty:
            return constant("")
        # object columns as they are: pandas would otherwise convert each to an Arrow string
        # array (a second copy of 10 million strings) only for the merge to convert it back
        return pd.Series(np.asarray(values, dtype=object), dtype=object, copy=False)

    frame = pd.DataFrame(
        {
            "session_id": text(session_id.to_numpy(dtype=object)),
            "tool": text(tools.to_numpy(dtype=object)),
            "start": start,
            "end": end,
            "technician": text(people),
            "reason": text(codes.to_numpy(dtype=object)),
            "session_type": text(
                empty if session_type is None else per_unique(session_type, str.lower)
            ),
            "sharer": text(empty if sharer is None else per_unique(sharer, str.lower)),
            "platform": text(
                empty if platform is None else per_unique(platform, normalise_platform)
            ),
            "ticket": text(tickets),
            "others": text(empty if others is None else per_unique(others, _other_people)),
            "device": text(empty if device is None else per_unique(device, str.strip)),
            "aliases": text(alias_column),
            "segments": text(empty),
            "file": constant(str(src.path)),
            "line": src.lines.to_numpy(),
        },
        columns=list(COLUMNS),
    )
    return LoadedExport(str(src.path), fmt, frame, tuple(notes), skipped, rows)
