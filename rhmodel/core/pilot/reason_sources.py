"""Where the help desk's reason logs come from: ``pilot.reasons`` entries.

An entry is a path (a reason log from ``rhmodel pilot-template``, CSV or XLSX), or a mapping for
an ITSM export that serves as the reason log::

    pilot:
      reasons:
        - reasons.xlsx
        - path: incidents.csv          # ServiceNow: List > Export > CSV
          format: servicenow           # servicenow | jira | csv
          columns: {reason: u_incumbent_reason, session_id: u_remote_session_id}
          labels: {"Unsupported platform": platform, "Unattended server": unattended}

``columns`` maps the reason log's fields (``ticket``, ``reason``, ``session_id``,
``technician``, ``date``, ``note``) to the export's headers; ``format`` gives the defaults
(ServiceNow: ``ticket: number``; Jira Service Management: ``ticket: Issue key``). ``labels``
maps the export's choice labels to reason codes (compared without case or surrounding spaces);
a value that is already a reason code needs no label.

Examples
--------
>>> parse_reason_logs(["reasons.csv"])
('reasons.csv',)
>>> parse_reason_logs(None)
()
>>> src = parse_reason_logs([{"path": "inc.csv", "format": "servicenow",
...     "columns": {"reason": "u_reason"}, "labels": {"Unsupported platform": "platform"}}])[0]
>>> src.column("ticket"), src.column("reason"), src.code_of(" unsupported PLATFORM ")
('number', 'u_reason', 'platform')
>>> try:
...     parse_reason_logs([{"path": "x.csv", "columns": {"ticket": "id", "reason": "why"},
...                         "labels": {"Server": "unatended"}}])
... except Invalid as e:
...     print(e.path, "|", e.message.split(" — ")[0])
[0].labels | unknown reason code for 'Server' ('unatended'): did you mean unattended?
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from rhmodel.core.params.structured import Invalid
from rhmodel.core.products import REASON_CODES

__all__ = ["FIELDS", "ITSM_FORMATS", "ReasonSource", "parse_reason_logs", "suggest"]

#: The reason log's fields a ``columns`` mapping may name.
FIELDS = ("ticket", "reason", "session_id", "technician", "date", "note")
#: Each ITSM format's default columns (export header names).
ITSM_FORMATS: dict[str, dict[str, str]] = {
    "servicenow": {"ticket": "number"},
    "jira": {"ticket": "Issue key"},
    "csv": {},
}
_ENTRY_KEYS = ("path", "format", "columns", "labels")


def suggest(value: str, choices: tuple[str, ...] | list[str]) -> str:
    """``": did you mean X?"`` for the closest of ``choices``, or ``""``.

    Examples
    --------
    >>> suggest("platfrom", REASON_CODES), suggest("zzz", REASON_CODES)
    (': did you mean platform?', '')
    """
    close = difflib.get_close_matches(value.strip().lower(), [c.lower() for c in choices], 1, 0.6)
    if not close:
        return ""
    original = next(c for c in choices if c.lower() == close[0])
    return f": did you mean {original}?"


@dataclass(frozen=True)
class ReasonSource:
    """One ``pilot.reasons`` mapping: an ITSM export read as a reason log.

    Attributes
    ----------
    path : str
        The file, relative to the parameters file.
    format : str
        ``servicenow``, ``jira`` or ``csv``.
    columns : tuple of (str, str)
        Reason-log field → export header, the format's defaults filled in.
    labels : tuple of (str, str)
        Choice label (case-folded, trimmed) → reason code.
    """

    path: str
    format: str = "csv"
    columns: tuple[tuple[str, str], ...] = ()
    labels: tuple[tuple[str, str], ...] = ()

    def column(self, field: str) -> str | None:
        """The export header that holds ``field``, or ``None``."""
        return dict(self.columns).get(field)

    def code_of(self, label: str) -> str | None:
        """The reason code of a value: a code itself, or a mapped label; ``None`` when
        neither (blank values are ``""``)."""
        value = " ".join(label.split()).casefold()
        if not value:
            return ""
        if value in REASON_CODES:
            return value
        return dict(self.labels).get(value)

    def given(self) -> dict[str, Any]:
        """The entry as a parameters file writes it."""
        defaults = ITSM_FORMATS.get(self.format, {})
        out: dict[str, Any] = {"path": self.path, "format": self.format}
        columns = {k: v for k, v in self.columns if defaults.get(k) != v}
        if columns:
            out["columns"] = columns
        if self.labels:
            out["labels"] = dict(self.labels)
        return out


def _source(i: int, x: dict) -> ReasonSource:
    unknown = [k for k in x if k not in _ENTRY_KEYS]
    if unknown:
        raise Invalid(
            f"[{i}].{unknown[0]}",
            f"is not a key of a reason-log entry{suggest(str(unknown[0]), _ENTRY_KEYS)} — "
            f"accepted: {', '.join(_ENTRY_KEYS)}",
        )
    path = x.get("path")
    if not isinstance(path, str) or not path.strip():
        raise Invalid(f"[{i}].path", f"is not a path ({path!r:.40}) — the export file")
    fmt = x.get("format", "csv")
    if fmt not in ITSM_FORMATS:
        raise Invalid(
            f"[{i}].format",
            f"unknown format ({fmt!r:.40}){suggest(str(fmt), tuple(ITSM_FORMATS))} — accepted: "
            f"{', '.join(ITSM_FORMATS)}",
        )
    columns = x.get("columns") or {}
    if not isinstance(columns, dict):
        raise Invalid(f"[{i}].columns", f"is not a mapping ({columns!r:.40}) — {{field: header}}")
    for field, header in columns.items():
        if field not in FIELDS:
            raise Invalid(
                f"[{i}].columns.{field}",
                f"is not a reason-log field{suggest(str(field), FIELDS)} — accepted: "
                f"{', '.join(FIELDS)}",
            )
        if not isinstance(header, str) or not header.strip():
            raise Invalid(
                f"[{i}].columns.{field}", f"is not a header name ({header!r:.40}) — a column name"
            )
    merged = {**ITSM_FORMATS[fmt], **columns}
    if "reason" not in merged:
        raise Invalid(
            f"[{i}].columns",
            "names no reason column — columns: {reason: <the export's header>}, e.g. "
            "u_incumbent_reason (ServiceNow) or Custom field (Incumbent reason) (Jira)",
        )
    if not ({"ticket", "session_id"} & set(merged)):
        raise Invalid(
            f"[{i}].columns",
            "names neither a ticket nor a session_id column — which session each row is for",
        )
    labels = x.get("labels") or {}
    if not isinstance(labels, dict):
        raise Invalid(f"[{i}].labels", f"is not a mapping ({labels!r:.40}) — {{label: code}}")
    out_labels = []
    for label, code in labels.items():
        c = str(code).strip().lower()
        if c not in REASON_CODES:
            raise Invalid(
                f"[{i}].labels",
                f"unknown reason code for {str(label)!r} ({code!r:.40}){suggest(c, REASON_CODES)}"
                f" — accepted: {', '.join(REASON_CODES)}",
            )
        out_labels.append((" ".join(str(label).split()).casefold(), c))
    return ReasonSource(path, fmt, tuple(sorted(merged.items())), tuple(sorted(out_labels)))


def parse_reason_logs(raw: Any) -> tuple[Any, ...]:
    """Validate ``pilot.reasons``: a path, or a list of paths and ITSM mappings
    (:class:`ReasonSource`)."""
    if raw is None:
        return ()
    if isinstance(raw, str | dict):
        raw = [raw]
    if not isinstance(raw, list):
        raise Invalid("", f"is not a list of paths ({raw!r:.40}) — {parse_reason_logs.accepted}")
    out: list[Any] = []
    for i, x in enumerate(raw):
        if isinstance(x, dict):
            out.append(_source(i, x))
        elif isinstance(x, str) and x.strip():
            out.append(x)
        else:
            raise Invalid(f"[{i}]", f"is not a path ({x!r:.40}) — {parse_reason_logs.accepted}")
    return tuple(out)


parse_reason_logs.accepted = (  # type: ignore[attr-defined]
    "a list of paths to reason logs, or of {path, format: servicenow | jira | csv, "
    "columns: {reason, ticket, session_id, ...}, labels: {label: code}}"
)
