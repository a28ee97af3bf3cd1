"""Pilot sessions as one table: merging overlapping exports and classifying residual work.

Every loader (:mod:`rhmodel.edges.exports`) produces the same columns, so the rest of the
model never knows which vendor a session came from:

=============  ==========================================================================
column         meaning
=============  ==========================================================================
session_id     the vendor's id (or one made from the record's fields when it has none)
tool           ``remote_help``, ``logmein_resolve`` or ``beyondtrust``
start, end     Unix seconds, UTC; ``end`` is :data:`OPEN` for a session still running
technician     who helped (e-mail, user id or name)
reason         reason code given in the export ('' when none)
session_type   the vendor's session type, lower case ('' when none)
sharer         the person helped, an e-mail address when known ('' when none)
platform       the helped device's platform (``windows``, ``linux``, ...; '' when unknown)
ticket         a ticket reference the export links the session to ('' when none)
device         the helped device as the export names it: host or device name, serial number or
               Microsoft Entra device id ('' when none); joins the session to the device
               inventory (:mod:`rhmodel.core.eligibility`)
others         other technicians in the session (BeyondTrust's invited representatives, the
               technicians of a transferred session), ``;``-separated ('' when none)
aliases        every identifier the record shows for its people (e-mail, id, username, display
               name), for the one technician resolver (:mod:`rhmodel.core.pilot.identity`);
               '' when the record shows only ``technician`` and ``others``
segments       a transferred session's parts: who worked it from when to when
               (:func:`work_intervals` reads it); '' for a session worked by one person
file, line     where the record was read (line as an editor shows it, header = line 1)
=============  ==========================================================================
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rhmodel.core.capabilities import CapabilityMatrix
from rhmodel.core.decision import classify_session
from rhmodel.core.eligibility import Inventory, judge
from rhmodel.core.pilot.identity import (
    GROUP_SEP,
    ID_SEP,
    display_spelling,
    identifier_key,
    resolve,
)
from rhmodel.core.products import PLATFORM_PATTERNS, REASON_CODES, REMOTE_HELP
from rhmodel.core.text import excerpt
from rhmodel.errors import InputError

__all__ = [
    "CLASSES",
    "COLUMNS",
    "OPEN",
    "Classified",
    "ReasonEntry",
    "WorkIntervals",
    "apply_reason_log",
    "classify",
    "merge_sessions",
    "normalise_platform",
    "technicians_merged",
    "work_intervals",
]

COLUMNS: tuple[str, ...] = (
    "session_id",
    "tool",
    "start",
    "end",
    "technician",
    "reason",
    "session_type",
    "sharer",
    "platform",
    "ticket",
    "others",
    "device",
    "aliases",
    "segments",
    "file",
    "line",
)
#: ``end`` of a session that was still running when the export was taken.
OPEN = np.iinfo(np.int64).min

_UNATTENDED_WORDS = ("unattended", "jump", "pre-logon", "prelogon", "system")
# Session types that say a person was at the device: LogMeIn's PIN code, link and calling card,
# BeyondTrust's "support" (when no Jump Client or Jumpoint was used), a plain "attended".
_ATTENDED_WORDS = ("attended", "pin", "link", "calling card", "support", "chat", "invitation")
#: Every session ends in exactly one class.
CLASSES: tuple[str, ...] = ("remote_help", "movable", "residual", "unexplained")


def normalise_platform(text: str) -> str:
    """Map an export's operating-system text to a platform id ('' when unknown).

    The patterns are data (``data/platforms.yaml``,
    :data:`~rhmodel.core.products.PLATFORM_PATTERNS`),
    tried in order: Windows Server and Cloud PC / multi-session before plain Windows.

    Examples
    --------
    >>> [normalise_platform(t) for t in ("Windows 11 Enterprise", "macOS 14.5", "Ubuntu 22.04",
    ...                                  "ChromeOS", "iPadOS 17", "", "Plan 9")]
    ['windows', 'macos', 'linux', 'chromeos', 'ios', '', '']
    >>> [normalise_platform(t) for t in ("Windows Server 2022", "Microsoft Windows 11 Pro",
    ...     "Windows 10 Enterprise multi-session", "Cloud PC", "Android", "Darwin 23.1")]
    ['windows_server', 'windows', 'cloud_pc', 'cloud_pc', 'android', 'macos']
    """
    low = text.strip()
    if not low:
        return ""
    for pattern, platform in PLATFORM_PATTERNS:
        if pattern.search(low):
            return platform
    return ""


def _same_remote_help_twice(df: pd.DataFrame) -> np.ndarray:
    """Rows of the Intune admin center's export (ids made up as ``admin-...``) whose session
    also came in a Graph export: same helper, same start to the second."""
    rh = (df["tool"] == REMOTE_HELP).to_numpy()
    admin = rh & df["session_id"].astype(str).str.startswith("admin-").to_numpy()
    if not admin.any() or not (rh & ~admin).any():
        return np.zeros(len(df), dtype=bool)
    graph = df.loc[rh & ~admin, ["technician", "start"]]
    seen = pd.MultiIndex.from_frame(graph.astype({"technician": str}))
    mine = pd.MultiIndex.from_frame(
        df.loc[admin, ["technician", "start"]].astype({"technician": str})
    )
    out = np.zeros(len(df), dtype=bool)
    out[np.flatnonzero(admin)] = mine.isin(seen)
    return out


def _resolve_people(df: pd.DataFrame) -> pd.DataFrame:
    """Every technician spelling read as its person (:mod:`rhmodel.core.pilot.identity`): the
    ``technician`` and ``others`` columns rewritten to each person's label, and
    ``df.attrs["technicians_merged"]`` (label → spellings merged, for people with several).

    Works on distinct values (a few thousand people, however many rows).
    """
    if df.empty:
        df.attrs["technicians_merged"] = {}
        return df
    tech_codes, tech_uniques = pd.factorize(df["technician"].to_numpy(dtype=object))

    def filled(column: str) -> bool:
        # most exports name one person per row: skip the columns blank throughout
        return column in df and bool((df[column].to_numpy(dtype=object) != "").any())

    alias_uniques = pd.unique(df["aliases"].to_numpy(dtype=object)) if filled("aliases") else []
    has_others = filled("others")
    if has_others:
        other_codes, other_uniques = pd.factorize(df["others"].to_numpy(dtype=object))
    else:
        other_codes, other_uniques = np.zeros(0, dtype=np.intp), np.array([], dtype=object)
    spellings: dict[str, set[str]] = {}
    first_spelling: dict[str, str] = {}

    def key_of(kind: str, tool: str, raw: str) -> str:
        k = identifier_key(kind, raw, tool)
        if k:
            if k in spellings:
                spellings[k].add(raw)
            else:
                spellings[k] = {raw}
                first_spelling[k] = display_spelling(raw)
        return k

    groups: list[list[str]] = []
    tech_keys = [key_of("name", "", str(t)) for t in tech_uniques]
    groups.extend([k] for k in tech_keys)
    for text in alias_uniques:
        for group in str(text).split(GROUP_SEP):
            keys = []
            for entry in group.split(ID_SEP):
                if entry:
                    kind, tool, raw = [*entry.split(":", 2), "", ""][:3]
                    keys.append(key_of(kind, tool, raw))
            groups.append(keys)
    other_keys = [
        [key_of("name", "", n) for n in str(text).split(";") if n] for text in other_uniques
    ]
    groups.extend([k] for ks in other_keys for k in ks)
    people = resolve(groups, first_spelling)
    label_list = [people.label[people.person[k]] if k else "" for k in tech_keys]
    if label_list == [str(t) for t in tech_uniques]:
        out = df.copy(deep=False)  # every spelling is already its person's label
    else:
        labels = np.array([*label_list, ""], dtype=object)
        out = df.assign(technician=pd.Series(labels[tech_codes], index=df.index, dtype=object))
    if has_others:
        # others: each name as its person, the row's own technician and repeats dropped
        person_of_tech = np.array([*(people.person[k] if k else -1 for k in tech_keys), -1])
        blank = [i for i, t in enumerate(other_uniques) if t == ""]
        idx = np.flatnonzero((other_codes >= 0) & ~np.isin(other_codes, blank))
        pairs = pd.MultiIndex.from_arrays([other_codes[idx], person_of_tech[tech_codes[idx]]])
        pcodes, puniques = pd.factorize(pairs)
        relabelled = []
        for oc, me in puniques:
            ps = {people.person[k] for k in other_keys[oc] if k} - {me}
            relabelled.append(";".join(sorted(people.label[p] for p in ps)))
        others = df["others"].to_numpy(dtype=object).copy()
        others[idx] = np.array([*relabelled, ""], dtype=object)[pcodes]
        out["others"] = others
    merged: dict[str, set[str]] = {}
    for k, raws in spellings.items():
        merged.setdefault(people.label[people.person[k]], set()).update(raws)
    out.attrs["technicians_merged"] = {
        label: len(raws) for label, raws in sorted(merged.items()) if len(raws) > 1
    }
    return out


def merge_sessions(frames: Sequence[pd.DataFrame]) -> tuple[pd.DataFrame, int]:
    """Concatenate loaded exports, read every technician as one person, count each session
    once, and fold a transferred session into one.

    People: the spellings of one technician (e-mail, id, username, display name; case, spaces,
    zero-width characters) are one person wherever a record shows two of them together
    (:mod:`rhmodel.core.pilot.identity`); ``technician`` and ``others`` hold each person's label
    and ``attrs["technicians_merged"]`` how many spellings each person had (when more than one).

    Sessions: the same ``(tool, session_id)`` in several exports (Intune keeps about 30 days, so
    pilots export repeatedly) is kept once when the records agree: same technician, same start
    and end to the minute (an Excel re-save drops the seconds; the record with seconds is kept),
    a record with no end (still running at export time) giving way to a complete one. Records of
    one session by **different technicians**, or several parts of it in **one** export, are a
    transfer: one session, from its first start to its last end, worked by each of them
    (``technician`` the first, ``others`` the rest, ``segments`` who worked when). Records by
    the same technician in different exports that disagree otherwise are an error naming both
    places. A Remote Help session exported both from the Intune admin center (which has no
    session id) and from Graph is kept once: same helper, same start to the second.

    Returns
    -------
    (pandas.DataFrame, int)
        The merged sessions and the number of duplicate records dropped (the parts of a
        transferred session are folded, not dropped).

    Raises
    ------
    InputError
        Two records of one session by one technician that disagree.
    """
    frames = [f for f in frames if len(f)]
    if not frames:
        empty = pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
        empty.attrs["technicians_merged"] = {}
        return empty, 0
    df = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    for c in ("aliases", "segments"):
        if c not in df:
            df = df.assign(**{c: ""})
    df = _resolve_people(df)
    merged_people = df.attrs.get("technicians_merged", {})
    key = ["tool", "session_id"]
    # Hash the key to 64 bits first (vectorised), then compare exactly only the rows whose
    # hashes repeat: hashing 10 million Python strings twice over is the slow part otherwise.
    hashed = pd.util.hash_array(df["session_id"].to_numpy(dtype=object), categorize=False)
    hashed ^= pd.util.hash_array(df["tool"].to_numpy(dtype=object), categorize=True) * np.uint64(
        0x9E3779B97F4A7C15
    )
    candidates = pd.Series(hashed).duplicated(keep=False).to_numpy()
    if not candidates.any():
        return _finish_merge(df, 0, merged_people)
    dup_mask = np.zeros(len(df), dtype=bool)
    dup_mask[candidates] = df.loc[candidates].duplicated(key, keep=False).to_numpy()
    if not dup_mask.any():
        return _finish_merge(df, 0, merged_people)
    dups = df[dup_mask].copy()
    starts = dups["start"].to_numpy(dtype=np.int64)
    ends = dups["end"].to_numpy(dtype=np.int64)
    dups["_open"] = ends == OPEN
    # a record with both times on whole minutes may be an Excel re-save of one with seconds
    dups["_coarse"] = (starts % 60 == 0) & ((ends % 60 == 0) | (ends == OPEN))
    dups["_minute"] = starts // 60
    # Complete, then precise records first, so each group's first record is the one to keep.
    dups = dups.sort_values([*key, "technician", "_minute", "_open", "_coarse"], kind="stable")
    same = [*key, "technician", "_minute"]
    group = dups.groupby(same, sort=False)
    first = group[["start", "end", "file", "line"]].transform("first")
    first_file = first["file"]
    close_end = (dups["end"] // 60 == first["end"] // 60) | dups["_open"] | (first["end"] == OPEN)
    bad = ~close_end & (dups["file"] != first_file)
    if bad.any():
        other = dups[bad].iloc[0]
        rep = other.copy()
        rep.update(first[bad].iloc[0])
        raise InputError(
            f"session {excerpt(other['session_id'])} ({other['tool']}) disagrees with "
            f"{rep['file']}:{rep['line']} ({_describe(other)} vs {_describe(rep)}) — the same "
            "session must have the same start, end and technician in every export (a "
            "transfer to another technician is read as one session)",
            file=str(other["file"]),
            line=int(other["line"]),
        )
    # one record per (session, technician, start minute) unless the export itself lists
    # several parts of it
    keep_first = ~dups.duplicated(same, keep="first").to_numpy() | (
        ~close_end.to_numpy() & (dups["file"] == first_file).to_numpy()
    )
    kept = dups[keep_first]
    dropped = int(len(dups) - len(kept))
    by_session = kept.groupby(key, sort=False)
    parts = by_session["start"].transform("size").to_numpy() > 1
    # one technician, several exports, different times: not a transfer but a disagreement
    clash = (
        parts
        & (by_session["technician"].transform("nunique").to_numpy() == 1)
        & (by_session["file"].transform("nunique").to_numpy() > 1)
    )
    if clash.any():
        g = kept[clash]
        g = g[(g["tool"] == g["tool"].iloc[0]) & (g["session_id"] == g["session_id"].iloc[0])]
        rep, other = g.iloc[0], g.iloc[1]
        raise InputError(
            f"session {excerpt(other['session_id'])} ({other['tool']}) disagrees with "
            f"{rep['file']}:{rep['line']} ({_describe(other)} vs {_describe(rep)}) — the same "
            "session must have the same start, end and technician in every export (a "
            "transfer to another technician is read as one session)",
            file=str(other["file"]),
            line=int(other["line"]),
        )
    single = kept[~parts].drop(columns=["_open", "_coarse", "_minute"])
    folded = _fold_transfers(kept[parts].drop(columns=["_open", "_coarse", "_minute"]))
    merged = pd.concat([df[~dup_mask], single, folded]).sort_index()
    return _finish_merge(merged.reset_index(drop=True), dropped, merged_people)


def _fold_transfers(parts: pd.DataFrame) -> pd.DataFrame:
    """One row per session whose records are the parts of a transfer (see
    :func:`merge_sessions`); the row keeps the first part's index, so the order is stable."""
    if parts.empty:
        return parts
    rows = []
    for _, g in parts.sort_values(["start"], kind="stable").groupby(
        ["tool", "session_id"], sort=False
    ):
        row = g.iloc[0].copy()
        people = list(dict.fromkeys(g["technician"]))
        extra = [o for text in g["others"] for o in str(text).split(";") if o]
        row["others"] = ";".join(sorted(set(people[1:] + extra) - {people[0]}))
        ends = g["end"].to_numpy(dtype=np.int64)
        row["start"] = int(g["start"].min())
        row["end"] = OPEN if (ends == OPEN).any() else int(ends.max())
        row["segments"] = GROUP_SEP.join(
            f"{t}{ID_SEP}{int(s)}{ID_SEP}{int(e)}"
            for t, s, e in zip(g["technician"], g["start"], g["end"], strict=True)
        )
        for c in ("reason", "ticket", "session_type", "sharer", "platform", "device"):
            if c in g and not row[c]:
                filled = [v for v in g[c] if v]
                row[c] = filled[0] if filled else ""
        row.name = g.index.min()  # where the session first appeared: the merged order is stable
        rows.append(row)
    out = pd.DataFrame(rows)
    return out.astype({"start": np.int64, "end": np.int64})


def _finish_merge(
    df: pd.DataFrame, dropped: int, merged_people: dict[str, int]
) -> tuple[pd.DataFrame, int]:
    out, dropped = _drop_cross_format(df, dropped)
    out.attrs["technicians_merged"] = merged_people
    return out, dropped


def technicians_merged(
    sessions: pd.DataFrame, people: Iterable[str] | None = None
) -> dict[str, int]:
    """How many spellings each person had, for ``people`` (default: everyone with several),
    from merged sessions (:func:`merge_sessions` keeps it in ``attrs``; it follows the frame
    through :func:`classify`). A person written one way only is absent.

    Examples
    --------
    >>> df = pd.DataFrame({"technician": ["ann@x.com"]})
    >>> df.attrs["technicians_merged"] = {"ann@x.com": 3, "bo@x.com": 2}
    >>> technicians_merged(df, ["ann@x.com", "cy"])
    {'ann@x.com': 3}
    """
    merged = dict(sessions.attrs.get("technicians_merged", {}))
    if people is None:
        return merged
    wanted = set(people)
    return {p: n for p, n in merged.items() if p in wanted}


@dataclass(frozen=True)
class WorkIntervals:
    """Who held a licence when: one interval per person per session (a transferred session's
    parts as the export shows them, an invited representative for the whole session), and
    the sessions once each.

    Attributes
    ----------
    technician : numpy.ndarray
        Person label of each interval (object).
    start, end : numpy.ndarray
        The intervals, Unix seconds (int64).
    session_start, session_end : numpy.ndarray
        One interval per session (for peak concurrent *sessions*).
    """

    technician: np.ndarray
    start: np.ndarray
    end: np.ndarray
    session_start: np.ndarray
    session_end: np.ndarray


def work_intervals(rows: pd.DataFrame, ends: np.ndarray | None = None) -> WorkIntervals:
    """The intervals each person worked in ``rows`` (merged sessions), for pool sizing.

    A session worked by one person is one interval. A transferred session (``segments``) is one
    interval per part, for its technician; an invited or transferred-to representative whose
    times the export does not show (``others`` without a segment) is counted for the whole
    session. ``ends`` replaces the rows' ends (a caller's choice for sessions still running).

    Examples
    --------
    >>> seg = "bo\\x1f100\\x1f150\\x1edee\\x1f150\\x1f200"
    >>> rows = pd.DataFrame({"technician": ["ann", "bo"], "start": [0, 100], "end": [60, 200],
    ...     "others": ["cy", ""], "segments": ["", seg]})
    >>> w = work_intervals(rows)
    >>> list(zip(w.technician.tolist(), w.start.tolist(), w.end.tolist()))
    [('ann', 0, 60), ('bo', 100, 150), ('dee', 150, 200), ('cy', 0, 60)]
    >>> list(zip(w.session_start.tolist(), w.session_end.tolist()))
    [(0, 60), (100, 200)]
    """
    starts = rows["start"].to_numpy(dtype=np.int64)
    ends = rows["end"].to_numpy(dtype=np.int64) if ends is None else np.asarray(ends, np.int64)
    techs = rows["technician"].to_numpy(dtype=object)
    segments = (
        rows["segments"].to_numpy(dtype=object)
        if "segments" in rows
        else np.full(len(rows), "", dtype=object)
    )
    others = (
        rows["others"].to_numpy(dtype=object)
        if "others" in rows
        else np.full(len(rows), "", dtype=object)
    )
    plain = segments == ""
    t_parts, s_parts, e_parts = [techs[plain]], [starts[plain]], [ends[plain]]
    for i in np.flatnonzero(~plain):
        for seg in str(segments[i]).split(GROUP_SEP):
            who, s, e = seg.split(ID_SEP)
            e_i = int(e)
            # a part still running ends where the session's (chosen) end is
            t_parts.append(np.array([who], dtype=object))
            s_parts.append(np.array([int(s)], dtype=np.int64))
            e_parts.append(np.array([ends[i] if e_i == OPEN else e_i], dtype=np.int64))
    invited = np.flatnonzero(others != "")
    if len(invited):
        shown = {
            i: {seg.split(ID_SEP)[0] for seg in str(segments[i]).split(GROUP_SEP)}
            for i in invited
            if segments[i]
        }
        names, ss, ee = [], [], []
        for i in invited:
            for who in str(others[i]).split(";"):
                if who and who not in shown.get(i, ()):
                    names.append(who)
                    ss.append(starts[i])
                    ee.append(ends[i])
        t_parts.append(np.array(names, dtype=object))
        s_parts.append(np.array(ss, dtype=np.int64))
        e_parts.append(np.array(ee, dtype=np.int64))
    return WorkIntervals(
        np.concatenate(t_parts),
        np.concatenate(s_parts).astype(np.int64),
        np.concatenate(e_parts).astype(np.int64),
        starts,
        ends,
    )


def _drop_cross_format(df: pd.DataFrame, dropped: int) -> tuple[pd.DataFrame, int]:
    """The same Remote Help session from the admin center and from Graph counts once."""
    twice = _same_remote_help_twice(df)
    if not twice.any():
        return df, dropped
    return df[~twice].reset_index(drop=True), dropped + int(twice.sum())


def _describe(row: pd.Series) -> str:
    def ts(v: int) -> str:
        return "open" if v == OPEN else pd.Timestamp(v, unit="s", tz="UTC").isoformat()

    return (
        f"start {ts(row['start'])}, end {ts(row['end'])}, technician {excerpt(row['technician'])}"
    )


@dataclass(frozen=True)
class Classified:
    """Sessions with the classification added.

    Attributes
    ----------
    sessions : pandas.DataFrame
        The merged sessions plus ``residual`` (bool: Remote Help could not have served it),
        ``primary_reason`` (the first reason code, '' when not residual), ``klass`` and
        ``unattended`` ('' for a session that did not need unattended access, ``eligible`` when
        its device qualifies for Remote Help's unattended control, else the bucket of
        :data:`rhmodel.core.eligibility.BUCKETS` that says why not).
    """

    sessions: pd.DataFrame


def _needs(
    reason: str, session_type: str, sharer: str, tenant_domains: frozenset[str]
) -> tuple[str, ...]:
    needs = [reason] if reason else []
    if any(w in session_type for w in _UNATTENDED_WORDS) and "unattended" not in needs:
        needs.append("unattended")
    if tenant_domains and "@" in sharer:
        domain = sharer.rsplit("@", 1)[1].lower()
        if domain not in tenant_domains and "external" not in needs:
            needs.append("external")
    return tuple(needs)


def _shows_movable(values: dict[str, str], domains: frozenset[str]) -> bool:
    """Whether the export shows internal, attended work on a platform Remote Help supports (the
    platform rule has already passed when this is asked; the platform must be known)."""
    session_type, sharer = values["session_type"], values.get("sharer", "")
    attended = any(w in session_type for w in _ATTENDED_WORDS) and not any(
        w in session_type for w in _UNATTENDED_WORDS
    )
    internal = bool(domains) and "@" in sharer and sharer.rsplit("@", 1)[1] in domains
    return attended and internal and bool(values["platform"])


def _unattended_buckets(
    df: pd.DataFrame, need: np.ndarray, matrix: CapabilityMatrix, inventory: Inventory | None
) -> np.ndarray:
    """Per session that needs unattended access: ``eligible`` or why not (a bucket); '' for the
    others. Judged once per distinct (device, platform)."""
    out = np.full(len(df), "", dtype=object)
    if not need.any():
        return out
    cell = matrix.cell("unattended", REMOTE_HELP)
    devices = df["device"] if "device" in df else pd.Series([""] * len(df), index=df.index)
    pairs = pd.MultiIndex.from_arrays(
        [devices[need].astype(str), df.loc[need, "platform"].astype(str)]
    )
    codes, uniques = pd.factorize(pairs)
    judged = np.full(len(uniques), "", dtype=object)
    for i, (device, platform) in enumerate(uniques):
        found = inventory.candidates(device) if inventory is not None else ()
        verdicts = [judge(cell, d, platform) for d in found] or [judge(cell, None, platform)]
        # several records under one name: eligible only if every one is (never by a duplicate)
        bad = [b for ok, b in verdicts if not ok]
        judged[i] = bad[0] if bad else "eligible"
    out[need] = judged[codes]
    return out


def classify(
    sessions: pd.DataFrame,
    matrix: CapabilityMatrix,
    tenant_domains: Iterable[str] = (),
    inventory: Inventory | None = None,
) -> Classified:
    """Say for each session whether Remote Help served it (or could have) or why not.

    Every session ends in exactly one class (the ``klass`` column, one of :data:`CLASSES`):

    - ``remote_help``: a Remote Help session;
    - ``residual``: an incumbent session whose reason (in the export, or in the help desk's
      reason log) or what the export shows (an unattended session type, a sharer outside
      ``tenant_domains``, a platform Remote Help does not support) fails the seed's
      per-session rules (:func:`rhmodel.core.decision.classify_session`);
    - ``movable``: an incumbent session the export shows to be internal (a sharer inside
      ``tenant_domains``), attended (a session type such as PIN code, link, support) and on a
      platform Remote Help supports, or an unattended session whose device the ``inventory``
      shows to qualify for Remote Help's unattended control (and nothing else keeps it):
      Remote Help could have served it;
    - ``unexplained``: an incumbent session the export cannot tell about and no reason covers.
      It is never counted as movable: the pilot shows it beside the residual work, to chase.

    An unattended session (its reason, or its session type) is judged on its device: the
    ``device`` column joined to the ``inventory`` by name, serial or Entra device id
    (:func:`rhmodel.core.eligibility.judge`); a device not found stays residual (``unknown``).

    The rules run once per distinct combination of needs and platform, so 10 million sessions
    cost a group-by, not 10 million rule evaluations.
    """
    domains = frozenset(d.lower().lstrip("@") for d in tenant_domains)
    df = sessions
    incumbent = (df["tool"] != REMOTE_HELP).to_numpy()
    if incumbent.any():
        types = df["session_type"].astype(str)
        shown = types.str.contains("|".join(_UNATTENDED_WORDS), regex=True).to_numpy()
        need_unattended = incumbent & (
            (df["reason"].astype(str) == "unattended").to_numpy() | shown
        )
    else:
        need_unattended = np.zeros(len(df), dtype=bool)
    buckets = _unattended_buckets(df, need_unattended, matrix, inventory)
    df = df.assign(unattended=buckets)
    combo_cols = ["reason", "session_type", "sharer", "platform", "unattended"]
    if not domains:
        combo_cols.remove("sharer")  # sharers only matter when we know the tenant's domains
    residual = np.zeros(len(df), dtype=bool)
    shown_movable = np.zeros(len(df), dtype=bool)
    primary = np.full(len(df), "", dtype=object)
    if incumbent.any():
        sub = df.loc[incumbent, combo_cols]
        codes, uniques = pd.factorize(pd.MultiIndex.from_frame(sub.astype(str)))
        is_res = np.zeros(len(uniques), dtype=bool)
        movable = np.zeros(len(uniques), dtype=bool)
        first = np.full(len(uniques), "", dtype=object)
        for i, combo in enumerate(uniques):
            values = dict(zip(combo_cols, combo, strict=True))
            needs = _needs(
                values["reason"], values["session_type"], values.get("sharer", ""), domains
            )
            eligible = values["unattended"] == "eligible"
            # an eligible device's platform comes from the inventory when the export has none
            platform = values["platform"] or ("windows" if eligible else "")
            result = classify_session(matrix, needs, platform or None, unattended_eligible=eligible)
            is_res[i] = not result.remote_help_ok
            first[i] = result.reasons[0] if result.reasons else ""
            movable[i] = not is_res[i] and (
                _shows_movable(values, domains) or (eligible and "unattended" in needs)
            )
        residual[incumbent] = is_res[codes]
        shown_movable[incumbent] = movable[codes]
        primary[incumbent] = first[codes]
    klass = np.where(
        ~incumbent,
        "remote_help",
        np.where(residual, "residual", np.where(shown_movable, "movable", "unexplained")),
    ).astype(object)
    out = df.assign(residual=residual, primary_reason=primary, klass=klass)
    return Classified(out)


def check_reasons(
    values: pd.Series, tool: pd.Series, file: str, lines: pd.Series, require_for_incumbents: bool
) -> None:
    """Reject unknown reason codes, reasons on Remote Help sessions, and (canonical files)
    incumbent sessions without a reason; each error names the row.

    Works on the distinct values (a handful) rather than on every row.
    """
    codes, uniques = pd.factorize(values)
    uniques = [str(u) for u in uniques]
    unknown = [i for i, u in enumerate(uniques) if u not in ("", *REASON_CODES)]
    if unknown:
        i = int(np.flatnonzero(np.isin(codes, unknown))[0])
        raise InputError(
            f"unknown reason code ({excerpt(values.iloc[i])}) — accepted: "
            f"{', '.join(REASON_CODES)} (blank for Remote Help sessions)",
            file=file,
            line=int(lines.iloc[i]),
        )
    blank = uniques.index("") if "" in uniques else -2
    rh = (tool == REMOTE_HELP).to_numpy()
    on_rh = rh & (codes != blank)
    if on_rh.any():
        i = int(np.flatnonzero(on_rh)[0])
        raise InputError(
            f"a Remote Help session has a reason ({excerpt(values.iloc[i])}) — leave "
            "reason blank for Remote Help sessions",
            file=file,
            line=int(lines.iloc[i]),
        )
    if require_for_incumbents:
        missing = ~rh & (codes == blank)
        if missing.any():
            i = int(np.flatnonzero(missing)[0])
            raise InputError(
                f"an incumbent session ({tool.iloc[i]}) has no reason — what it "
                f"still needed the incumbent for: {', '.join(REASON_CODES)}",
                file=file,
                line=int(lines.iloc[i]),
            )


@dataclass(frozen=True)
class ReasonEntry:
    """One line of the reason log the help desk keeps during the pilot.

    Attributes
    ----------
    session_id, ticket : str
        What the entry matches: a session's id, or the ticket the session is linked to (at
        least one is given).
    reason : str
        A reason code (:data:`~rhmodel.core.products.REASON_CODES`).
    technician, note : str
        Optional context.
    file : str
        The log file.
    line : int
        The entry's line (row) in it.
    """

    session_id: str
    ticket: str
    reason: str
    technician: str = ""
    note: str = ""
    file: str = ""
    line: int = 0


def apply_reason_log(
    sessions: pd.DataFrame, entries: Sequence[ReasonEntry]
) -> tuple[pd.DataFrame, int, tuple[ReasonEntry, ...]]:
    """Give incumbent sessions without a reason the reason their log entry states.

    An entry matches the incumbent sessions with its session id, or linked to its ticket
    (compared without case or surrounding spaces). A reason already in the export stays.

    Returns
    -------
    (pandas.DataFrame, int, tuple of ReasonEntry)
        The sessions, how many entries matched a session, and the entries that matched none.

    Examples
    --------
    >>> s = pd.DataFrame({"session_id": ["1", "2"], "tool": ["beyondtrust"] * 2,
    ...                   "reason": ["", ""], "ticket": ["", "INC7"]})
    >>> log = [ReasonEntry("1", "", "pam"), ReasonEntry("", "inc7", "recording"),
    ...        ReasonEntry("9", "", "rmm")]
    >>> out, matched, unmatched = apply_reason_log(s, log)
    >>> out["reason"].tolist(), matched, [e.session_id for e in unmatched]
    (['pam', 'recording'], 2, ['9'])
    """
    if not entries or sessions.empty:
        return sessions, 0, tuple(entries)
    incumbent = (sessions["tool"] != REMOTE_HELP).to_numpy()
    ids = sessions["session_id"].astype(str).to_numpy()
    tickets = sessions["ticket"].astype(str).str.strip().str.casefold().to_numpy()
    reason = sessions["reason"].to_numpy(dtype=object).copy()
    by_id = {e.session_id: e.reason for e in entries if e.session_id}
    by_ticket = {e.ticket.strip().casefold(): e.reason for e in entries if e.ticket.strip()}
    from_id = pd.Series(ids).map(by_id).to_numpy(dtype=object)
    from_ticket = pd.Series(tickets).map(by_ticket).to_numpy(dtype=object)
    given = np.where(pd.notna(from_id), from_id, from_ticket)
    fill = incumbent & (reason == "") & pd.notna(given)
    reason[fill] = given[fill]
    seen_ids = set(ids[incumbent])
    seen_tickets = set(tickets[incumbent]) - {""}
    unmatched = tuple(
        e
        for e in entries
        if not (
            (e.session_id and e.session_id in seen_ids)
            or (e.ticket.strip() and e.ticket.strip().casefold() in seen_tickets)
        )
    )
    return sessions.assign(reason=reason), len(entries) - len(unmatched), unmatched
