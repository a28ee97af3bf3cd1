"""Where the help desk's reason logs come from: ``pilot.reasons`` entries.

An entry is a path (a reason log from ``rhmodel pilot-template``, CSV or XLSX). Owned by the
exports work (issue 23), which extends entries to ITSM exports.

Examples
--------
>>> parse_reason_logs(["reasons.csv"])
('reasons.csv',)
>>> parse_reason_logs(None)
()
"""

from __future__ import annotations

from typing import Any

from rhmodel.core.params.structured import Invalid

__all__ = ["parse_reason_logs"]


def parse_reason_logs(raw: Any) -> tuple[Any, ...]:
    """Validate ``pilot.reasons``: a path or a list of paths."""
    if raw is None:
        return ()
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list):
        raise Invalid("", f"is not a list of paths ({raw!r:.40}) — {parse_reason_logs.accepted}")
    for i, x in enumerate(raw):
        if not isinstance(x, str) or not x.strip():
            raise Invalid(f"[{i}]", f"is not a path ({x!r:.40}) — {parse_reason_logs.accepted}")
    return tuple(raw)


parse_reason_logs.accepted = "a list of paths to reason logs"  # type: ignore[attr-defined]
