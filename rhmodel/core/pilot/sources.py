"""The vendor APIs a pilot is collected from: ``pilot.sources`` (owned by the collector work).

Examples
--------
>>> parse_sources(None)
()
"""

from __future__ import annotations

from typing import Any

from rhmodel.core.params.structured import Invalid

__all__ = ["parse_sources"]


def parse_sources(raw: Any) -> tuple[Any, ...]:
    """Validate ``pilot.sources`` (placeholder grammar: a list of mappings)."""
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(x, dict) for x in raw):
        raise Invalid("", f"is not a list of sources ({raw!r:.40}) — {parse_sources.accepted}")
    return tuple(tuple(sorted(x.items())) for x in raw)


parse_sources.accepted = (  # type: ignore[attr-defined]
    "a list of {type: intune | beyondtrust | teamviewer | gotoassist, ...}"
)
