"""The readiness checklist (seed Sections 5–10 and its open decisions), as data.

Examples
--------
>>> from rhmodel.edges.bundled import load_readiness
>>> r = load_readiness()
>>> [a.id for a in r.areas][:3], len(r.decisions)
(['prerequisites', 'rbac', 'network'], 7)
"""

from __future__ import annotations

from dataclasses import dataclass

from rhmodel.core.document import YamlDocument
from rhmodel.core.validation import mapping, no_unknown_keys, sequence, text

__all__ = ["Area", "Decision", "Item", "Readiness", "parse_readiness"]


@dataclass(frozen=True)
class Item:
    """One thing that must be true before the switch."""

    id: str
    item: str
    source: str


@dataclass(frozen=True)
class Area:
    """A group of checklist items (prerequisites, RBAC, network, ...)."""

    id: str
    label: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Decision:
    """An open decision of the seed's final table, with its recommendation."""

    id: str
    decision: str
    recommendation: str
    source: str


@dataclass(frozen=True)
class Readiness:
    """The whole checklist."""

    document: str
    areas: tuple[Area, ...]
    decisions: tuple[Decision, ...]


def parse_readiness(doc: YamlDocument) -> Readiness:
    """Validate a parsed readiness file; a malformed entry is a located error."""
    raw = mapping(doc, "", doc.data)
    no_unknown_keys(doc, "", raw, ("as_of", "document", "areas", "decisions"))
    areas = []
    for i, a in enumerate(sequence(doc, "areas", raw.get("areas"))):
        key = f"areas[{i}]"
        a = mapping(doc, key, a)
        no_unknown_keys(doc, key, a, ("id", "label", "items"))
        items = []
        for j, it in enumerate(sequence(doc, f"{key}.items", a.get("items"))):
            k = f"{key}.items[{j}]"
            it = mapping(doc, k, it)
            no_unknown_keys(doc, k, it, ("id", "item", "source"))
            items.append(
                Item(
                    text(doc, f"{k}.id", it.get("id")),
                    text(doc, f"{k}.item", it.get("item")),
                    text(doc, f"{k}.source", it.get("source")),
                )
            )
        areas.append(
            Area(
                text(doc, f"{key}.id", a.get("id")),
                text(doc, f"{key}.label", a.get("label")),
                tuple(items),
            )
        )
    decisions = []
    for i, d in enumerate(sequence(doc, "decisions", raw.get("decisions"))):
        key = f"decisions[{i}]"
        d = mapping(doc, key, d)
        no_unknown_keys(doc, key, d, ("id", "decision", "recommendation", "source"))
        decisions.append(
            Decision(
                *(
                    text(doc, f"{key}.{f}", d.get(f))
                    for f in ("id", "decision", "recommendation", "source")
                )
            )
        )
    return Readiness(text(doc, "document", raw.get("document")), tuple(areas), tuple(decisions))
