"""GoToAssist Remote Support sessions: the documented evidence of the LogMeIn Resolve family.

No public description of a GoTo Resolve / LogMeIn Resolve session-history export exists; the
documented ancestor is the GoToAssist Remote Support (v4) REST API, ``GET /G2A/rest/v1/sessions?
sessionType=SCREEN_SHARING&fromTime=...&toTime=...``, which answers ``{"sessions": [...]}``
with, per session, ``sessionId, sessionType, status, accountKey, expertName, expertEmail,
expertUserKey, startedAt, customerJoinedAt, endedAt, unattendedMachineName,
unattendedMachineUuid, accountName, customerName, customerEmail, notes, sessionRecordingUrl,
collaborators[]`` (ISO 8601 times; field names from GoTo's "Get Screen Sharing Session Info"
page, the list envelope from the same API's reference). An administrator saves it in one of
three ways, all read as the format ``gotoassist``:

- the JSON as it came (``{"sessions": [...]}``, a bare list of sessions, or pages one after
  another);
- ``Invoke-RestMethod ... | ConvertTo-Json | Out-File`` in Windows PowerShell 5.1: the same JSON
  in UTF-16 LE with a byte-order mark (nested values beyond ``-Depth 2`` flattened to text);
- ``... | Export-Csv`` without ``-NoTypeInformation``: a ``#TYPE ...`` first line (skipped),
  every field quoted, CRLF, nested values written as ``@{name=...; email=...}`` or
  ``System.Object[]``.

What rhmodel reads: ``sessionId``; ``startedAt`` (else ``customerJoinedAt``) to ``endedAt`` (a
session still active has none); the technician is the expert (``expertEmail``, ``expertUserKey``
and ``expertName`` shown together: one person); each ``collaborators`` entry (an e-mail, a
name, or an object with ``email``/``name``/``userKey``) is another technician in the session;
``unattendedMachineName`` set means unattended access to that machine; ``customerEmail`` is the
person helped. A session whose ``status`` is ``waiting``, ``abandoned`` or ``notStarted`` was
never worked: skipped and counted. LogMeIn Resolve licenses named technicians.

Examples
--------
>>> looks_like_sessions('{"sessions": [{"sessionId": "1", "expertEmail": "a@x.com"}]}')
True
>>> looks_like_sessions('{"records": [], "records_remaining": 0}')
False
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from rhmodel.edges.exports.frame import LoadedExport, alias_entries, finish
from rhmodel.edges.exports.table import Table, json_values, table_from_rows
from rhmodel.edges.exports.times import ReadOptions, timestamps
from rhmodel.errors import InputError

__all__ = ["FORMAT", "json_table", "load", "looks_like_sessions"]

FORMAT = (
    "gotoassist",
    (
        ("sessionid",),
        ("startedat", "customerjoinedat"),
        ("endedat",),
        ("expertemail", "expertname", "expertuserkey"),
    ),
    "GoToAssist Remote Support API sessions: sessionId, startedAt, endedAt, expertEmail, ...",
)

_FIELDS = (
    "sessionId",
    "sessionType",
    "status",
    "expertName",
    "expertEmail",
    "expertUserKey",
    "startedAt",
    "customerJoinedAt",
    "endedAt",
    "unattendedMachineName",
    "unattendedMachineUuid",
    "customerName",
    "customerEmail",
    "notes",
    "collaborators",
)
_NOT_WORKED = ("waiting", "abandoned", "notstarted")
_HINT = 'the GoToAssist sessions API response {"sessions": [{"sessionId": ..., ...}]}'
_SESSION_KEYS = re.compile(r'"sessionId"\s*:')
_EXPERT_KEYS = re.compile(r'"(expertEmail|expertName|expertUserKey|startedAt)"\s*:')


def looks_like_sessions(head: str) -> bool:
    """Whether JSON text starting with ``head`` is GoToAssist sessions (``sessionId`` beside an
    expert or ``startedAt`` field)."""
    sample = head[:20000]
    return bool(_SESSION_KEYS.search(sample) and _EXPERT_KEYS.search(sample))


def _people(value: object) -> str:
    """A ``collaborators`` value as ``;``-joined identifier groups: each collaborator's e-mail,
    user key and name (``|``-joined) as far as the file shows them."""
    if value is None or value == "":
        return ""
    items = value if isinstance(value, list) else [value]
    groups = []
    for item in items:
        if isinstance(item, dict):
            ids = [
                str(item.get(a) or item.get(b) or "").strip()
                for a, b in (
                    ("email", "expertEmail"),
                    ("userKey", "expertUserKey"),
                    ("name", "expertName"),
                )
            ]
            groups.append("|".join(ids))
        elif isinstance(item, str):
            # PowerShell's flattening of a nested object: "@{name=Ann; email=ann@x.com}"
            found = dict(re.findall(r"(\w+)=([^;}]*)", item)) if item.startswith("@{") else {}
            if found:
                groups.append(
                    "|".join(found.get(k, "").strip() for k in ("email", "userKey", "name"))
                )
            elif item.strip() not in ("System.Object[]", ""):
                groups.append(item.strip())
    return ";".join(g for g in groups if g.strip("|"))


def json_table(path: Path, data: bytes, encoding: str) -> Table:
    """The sessions JSON (any of the saved forms above) as a Table, a row per session."""
    try:
        text = data.decode(encoding).lstrip("\ufeff")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not readable text (byte {exc.start}) — {_HINT}, as UTF-8 or UTF-16", file=str(path)
        ) from None
    values = json_values(
        path, text, lambda exc: f"not readable JSON ({exc.msg}, column {exc.colno}) — {_HINT}"
    )
    sessions: list[dict] = []
    for v in values:
        items = v if isinstance(v, list) else [v]
        for item in items:
            if isinstance(item, dict) and isinstance(item.get("sessions"), list):
                sessions.extend(s for s in item["sessions"] if isinstance(s, dict))
            elif isinstance(item, dict) and "sessionId" in item:
                sessions.append(item)
    if not sessions:
        raise InputError(f"no sessions in the file — {_HINT}", file=str(path))
    rows = []
    for s in sessions:
        row = []
        for f in _FIELDS:
            v = s.get(f)
            if f == "collaborators":
                row.append(_people(v))
            else:
                row.append("" if v is None else str(v))
        rows.append(row)
    # JSON is located by position: session 1 = row 1, as for the Intune report stream
    return table_from_rows(path, list(_FIELDS), rows, range(1, len(rows) + 1))


def load(src: Table, opts: ReadOptions) -> LoadedExport:
    """Sessions of the GoToAssist sessions JSON or its PowerShell CSV."""
    started = src.first_filled("startedat", "customerjoinedat")
    status = src.col("status").str.lower().str.replace(r"[\s_]", "", regex=True)
    not_worked = status.isin(_NOT_WORKED).to_numpy()
    # a session never started has no start: skip it before the times are read
    start = timestamps(src, started.where(~not_worked, "2000-01-02T00:00:00Z"), "startedAt", opts)
    end = timestamps(
        src, src.col("endedat").where(~not_worked, ""), "endedAt", opts, required=False
    )
    email, key, name = src.col("expertemail"), src.col("expertuserkey"), src.col("expertname")
    technician = src.first_filled("expertemail", "expertuserkey", "expertname")
    machine = src.col("unattendedmachinename")
    kind = src.col("sessiontype").str.lower()
    session_type = kind.where(machine == "", "unattended (" + kind + ")")
    others_groups = src.col("collaborators") if src.has("collaborators") else None
    others = other_aliases = None
    if others_groups is not None:
        # PowerShell's CSV holds the flattened text; the JSON reader has made the groups already
        others_groups = others_groups.map(
            lambda t: _people(t) if t.startswith("@{") or t == "System.Object[]" else t
        )
        others = others_groups.map(
            lambda t: ";".join(next((i for i in g.split("|") if i), "") for g in t.split(";") if g)
        )
        other_aliases = others_groups.map(lambda t: _collaborator_aliases(t))
    return finish(
        src,
        "gotoassist",
        session_id=src.col("sessionid"),
        tool="logmein_resolve",
        start=start,
        end=end,
        technician=technician,
        aliases=[("email", email), ("id", key), ("name", name)],
        session_type=session_type,
        sharer=src.first_filled("customeremail", "customername"),
        others=others,
        other_aliases=other_aliases,
        device=src.first_filled("unattendedmachinename", "unattendedmachineuuid"),
        skip={
            "never worked (waiting, abandoned or not started)": not_worked,
            "no expert joined": (technician == "").to_numpy(),
        },
    )


def _collaborator_aliases(text: str) -> str:
    """``email|key|name;...`` → the ``aliases`` encoding of the other technicians' groups."""
    from rhmodel.core.pilot.identity import GROUP_SEP, ID_SEP

    groups = []
    for g in text.split(";"):
        if not g:
            continue
        parts = ([*g.split("|"), "", "", ""])[:3] if "|" in g else [g, "", ""]
        kinds = ("email", "id", "name") if "|" in g else ("name", "id", "name")
        entries = [
            alias_entries(k, "logmein_resolve", pd.Series([v.strip()])).iloc[0]
            for k, v in zip(kinds, parts, strict=True)
        ]
        groups.append(ID_SEP.join(e for e in entries if e))
    return GROUP_SEP.join(groups)
