"""Teams whose work stays on an incumbent: ``pilot.teams`` (owned by the operable-plans work).

Examples
--------
>>> parse_teams(None)
()
"""

from __future__ import annotations

from typing import Any

from rhmodel.core.params.structured import Invalid

__all__ = ["parse_teams"]


def parse_teams(raw: Any) -> tuple[Any, ...]:
    """Validate ``pilot.teams`` (placeholder grammar: a list of mappings)."""
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(x, dict) for x in raw):
        raise Invalid("", f"is not a list of teams ({raw!r:.40}) — {parse_teams.accepted}")
    return tuple(tuple(sorted(x.items())) for x in raw)


parse_teams.accepted = (  # type: ignore[attr-defined]
    "a list of {name, technicians: [...], needs: {<requirement>: all}}"
)
