"""The readiness checklist (seed Sections 5–10 and its open decisions), as data, and the
checklist one organisation gets: its environment's steps, owners, due dates and the contract
actions of its plan.

Due dates are set by the event that needs each item: the steps of the readiness file (tenant
enablement, app deployment, network and proxy changes, roles, Conditional Access) are what the
pilot needs, so they fall due ``due`` days before the pilot starts (``pilot.start_date``, or the
analysis start when the pilot has not been scheduled), and never later than its start; the
cut-over items of the plan (notice letters, the residual pool's operating model,
decommissioning) fall due by the notice deadline they serve. No item is due after the event
that needs it.

Examples
--------
>>> from rhmodel.edges.bundled import load_readiness
>>> r = load_readiness()
>>> [a.id for a in r.areas][:3], len(r.decisions)
(['prerequisites', 'rbac', 'network'], 7)
>>> "remotehelp.microsoft.com" in [e.fqdn for e in r.endpoints["commercial"]]
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from rhmodel.core.document import YamlDocument
from rhmodel.core.products import contract_for
from rhmodel.core.text import long_date
from rhmodel.core.validation import mapping, no_unknown_keys, sequence, text
from rhmodel.errors import InputError

__all__ = [
    "FEDERATIONS",
    "PROXIES",
    "Area",
    "Checklist",
    "ChecklistRow",
    "Decision",
    "Endpoint",
    "Item",
    "Readiness",
    "checklist",
    "parse_readiness",
]

#: ``environment.federation`` and ``environment.proxy`` values.
FEDERATIONS: tuple[str, ...] = ("none", "okta", "adfs", "other")
PROXIES: tuple[str, ...] = ("none", "zscaler", "other")
_WHEN_KEYS = ("tenant_cloud", "proxy", "federation", "unattended_windows")


@dataclass(frozen=True)
class Endpoint:
    """One destination the network team allows: an FQDN (or range), its ports and purpose."""

    json_fields: ClassVar[tuple[str, ...]] = ("fqdn", "ports", "purpose", "source")

    fqdn: str
    ports: str
    purpose: str
    source: str


@dataclass(frozen=True)
class Item:
    """One thing that must be true before the switch, who does it, and when."""

    id: str
    item: str
    source: str
    owner: str = "IT lead"
    due: int = 30
    when: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def applies(self, environment: Mapping[str, str]) -> bool:
        """Whether the item belongs to an organisation with this environment."""
        return all(environment.get(k) in v for k, v in self.when.items())


@dataclass(frozen=True)
class Area:
    """A group of items (prerequisites, RBAC, network, ...)."""

    id: str
    label: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Decision:
    """An open decision of the seed, with its recommendation."""

    id: str
    decision: str
    recommendation: str
    source: str


@dataclass(frozen=True)
class Readiness:
    """The whole checklist file."""

    document: str
    areas: tuple[Area, ...]
    decisions: tuple[Decision, ...]
    endpoints: Mapping[str, tuple[Endpoint, ...]] = field(default_factory=dict)
    host_firewall: tuple[str, ...] = ()


def _item(doc: YamlDocument, k: str, it: Any) -> Item:
    it = mapping(doc, k, it)
    no_unknown_keys(doc, k, it, ("id", "item", "source", "owner", "due", "when"))
    due = it.get("due", 30)
    if isinstance(due, bool) or not isinstance(due, int):
        raise doc.error(f"{k}.due", f"is not a whole number of days ({due!r}) — e.g. 30")
    when_raw = mapping(doc, f"{k}.when", it.get("when", {}))
    no_unknown_keys(doc, f"{k}.when", when_raw, _WHEN_KEYS)
    when = {
        w: tuple(text(doc, f"{k}.when.{w}", x) for x in sequence(doc, f"{k}.when.{w}", v))
        for w, v in when_raw.items()
    }
    return Item(
        text(doc, f"{k}.id", it.get("id")),
        text(doc, f"{k}.item", it.get("item")),
        text(doc, f"{k}.source", it.get("source")),
        text(doc, f"{k}.owner", it.get("owner", "IT lead")),
        due,
        when,
    )


def parse_readiness(doc: YamlDocument) -> Readiness:
    """Validate a parsed readiness file; a malformed entry is a located error."""
    raw = mapping(doc, "", doc.data)
    no_unknown_keys(
        doc, "", raw, ("as_of", "document", "areas", "decisions", "endpoints", "host_firewall")
    )
    areas = []
    for i, a in enumerate(sequence(doc, "areas", raw.get("areas"))):
        key = f"areas[{i}]"
        a = mapping(doc, key, a)
        no_unknown_keys(doc, key, a, ("id", "label", "items"))
        items = tuple(
            _item(doc, f"{key}.items[{j}]", it)
            for j, it in enumerate(sequence(doc, f"{key}.items", a.get("items")))
        )
        areas.append(
            Area(
                text(doc, f"{key}.id", a.get("id")),
                text(doc, f"{key}.label", a.get("label")),
                items,
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
    endpoints: dict[str, tuple[Endpoint, ...]] = {}
    for cloud, rows in mapping(doc, "endpoints", raw.get("endpoints", {})).items():
        out = []
        for j, e in enumerate(sequence(doc, f"endpoints.{cloud}", rows)):
            k = f"endpoints.{cloud}[{j}]"
            e = mapping(doc, k, e)
            no_unknown_keys(doc, k, e, ("fqdn", "ports", "purpose", "source"))
            out.append(Endpoint(*(text(doc, f"{k}.{f}", e.get(f)) for f in Endpoint.json_fields)))
        endpoints[str(cloud)] = tuple(out)
    host = tuple(
        text(doc, f"host_firewall[{j}]", x)
        for j, x in enumerate(sequence(doc, "host_firewall", raw.get("host_firewall", [])))
    )
    return Readiness(
        text(doc, "document", raw.get("document")), tuple(areas), tuple(decisions), endpoints, host
    )


@dataclass(frozen=True)
class ChecklistRow:
    """One line of an organisation's checklist: what, who, by when, and its status."""

    json_fields: ClassVar[tuple[str, ...]] = ("area", "item", "owner", "due", "status", "source")

    area: str
    item: str
    owner: str
    due: dt.date
    status: str
    source: str


@dataclass(frozen=True)
class Checklist:
    """The checklist of one organisation, ready to print or put in a workbook.

    Attributes
    ----------
    rows : tuple of ChecklistRow
        The items of its environment, then its contract actions and the residual pool's
        operating model, each with owner, due date and status.
    endpoints : tuple of Endpoint
        The destinations its network team allows (commercial or GCC; none is published for GCC
        High, where an item says whom to ask; none for DoD).
    host_firewall : tuple of str
        Executables to allow where host firewalls are restrictive.
    anchor : datetime.date
        The day the pilot starts: the readiness file's steps count back from it.
    decisions : tuple of Decision
        The seed's open decisions, with recommendations.
    """

    rows: tuple[ChecklistRow, ...]
    endpoints: tuple[Endpoint, ...]
    host_firewall: tuple[str, ...]
    anchor: dt.date
    decisions: tuple[Decision, ...]


def _plan_rows(
    actions: Sequence[Any], reasons: Sequence[str], routing: str
) -> list[tuple[str, str, str, dt.date]]:
    """Contract actions (notice letters) and the residual pool's operating model."""
    rows = []
    for a in actions:
        con = contract_for(a.contract)
        unit = getattr(a, "unit", "") or con.count_unit  # the contract's licence metric
        if a.action == "renew":
            rows.append(
                (
                    "Contract actions",
                    f"{con.short}: renew as it is ({a.keep:g} {unit}) at the "
                    f"{long_date(a.renewal_date)} renewal; no notice needed.",
                    "Procurement",
                    a.renewal_date,
                )
            )
            continue
        rows.append(
            (
                "Contract actions",
                f"Send the written notice letter to {con.short}: {a.sentence}",
                "Procurement",
                a.notice_by,
            )
        )
        if a.action == "right_size" and a.keep:
            work = ", ".join(reasons) or "the needs the plan keeps it for"
            rows.append(
                (
                    "Residual pool operating model",
                    f"{con.short} pool of {a.keep:g} {unit} from the "
                    f"{long_date(a.renewal_date)} renewal: name who holds each licence; route "
                    f"residual work ({work}) to them, everything else to Remote Help"
                    + (
                        " (a specialist team sized on the busiest moment: it needs a queue and "
                        "cover for absence)."
                        if routing == "specialist_team"
                        and (getattr(a, "metric", "") or con.metric) == "named"
                        else "."
                    ),
                    "Service desk lead",
                    a.notice_by,  # the letter states the pool: it is settled by then
                )
            )
        if a.action in ("cancel", "consolidate"):
            rows.append(
                (
                    "Residual pool operating model",
                    f"{con.short} ends at the {long_date(a.renewal_date)} renewal: export its "
                    "session history and recordings that must be retained, and remove its "
                    "agents and deployment"
                    + (
                        "; its residual work moves to the other incumbent's pool."
                        if a.action == "consolidate"
                        else "."
                    ),
                    "Service desk lead",
                    a.notice_by,  # planned before the letter that ends the contract
                )
            )
    return rows


def checklist(
    readiness: Readiness,
    environment: Mapping[str, str],
    start: dt.date,
    actions: Sequence[Any] = (),
    reasons: Sequence[str] = (),
    routing: str = "as_worked",
    pilot_start: dt.date | None = None,
) -> Checklist:
    """The checklist of an organisation with this ``environment``.

    Parameters
    ----------
    readiness : Readiness
        The checklist file.
    environment : mapping
        ``tenant_cloud``, ``proxy`` and ``federation``; ``unattended_windows``: ``moves`` when
        the plan moves unattended work on corporate Windows PCs to Remote Help (the Windows
        unattended prerequisites are then on the checklist), else ``none`` (the default).
    start : datetime.date
        The analysis start: no due date falls before it (nor after the pilot's start).
    actions : sequence of PlanAction
        The plan's actions: their letters, pool and decommissioning steps fall due by their
        notice deadlines.
    reasons : sequence of str
        The needs the residual pool is kept for.
    routing : str
        How residual LogMeIn work is routed (``as_worked`` or ``specialist_team``).
    pilot_start : datetime.date, optional
        When the pilot starts (default ``start``): the readiness file's steps are due before.

    Raises
    ------
    InputError
        For an environment value outside :data:`PROXIES` / :data:`FEDERATIONS` (the schema
        refuses them first; this guards direct callers).

    Examples
    --------
    >>> from rhmodel.edges.bundled import load_readiness
    >>> c = checklist(load_readiness(), {"tenant_cloud": "gcc", "proxy": "none",
    ...               "federation": "none"}, dt.date(2027, 1, 1))
    >>> [e.fqdn for e in c.endpoints][0]
    'gcc.remotehelp.microsoft.com'
    >>> env = {"tenant_cloud": "commercial", "proxy": "none", "federation": "none",
    ...        "unattended_windows": "moves"}
    >>> [r.area for r in checklist(load_readiness(), env, dt.date(2027, 1, 1)).rows
    ...  if "Azure Virtual Desktop Agent" in r.item]
    ['Windows unattended control (service release 2608)']
    >>> # a pilot from 1 March 2027: enabling Remote Help (due 40 days before) by 20 January
    >>> c = checklist(load_readiness(), env, dt.date(2027, 1, 1), pilot_start=dt.date(2027, 3, 1))
    >>> [r.due for r in c.rows if r.item.startswith("Enable Remote Help")]
    [datetime.date(2027, 1, 20)]
    """
    if environment.get("proxy") not in PROXIES:
        raise InputError(f"unknown proxy ({environment.get('proxy')!r})", key="environment.proxy")
    if environment.get("federation") not in FEDERATIONS:
        raise InputError(
            f"unknown federation ({environment.get('federation')!r})",
            key="environment.federation",
        )
    environment = {"unattended_windows": "none", **environment}
    anchor = pilot_start or start
    # never after the pilot's start, nor before the analysis start unless the pilot began first
    earliest = min(start, anchor)
    rows = []
    for area in readiness.areas:
        for it in area.items:
            if it.applies(environment):
                due = max(earliest, anchor - dt.timedelta(days=it.due))
                rows.append(ChecklistRow(area.label, it.item, it.owner, due, "open", it.source))
    for area, item, owner, due in _plan_rows(actions, reasons, routing):
        rows.append(ChecklistRow(area, item, owner, max(start, due), "open", "rhmodel plan"))
    cloud = environment.get("tenant_cloud", "commercial")
    endpoints = readiness.endpoints.get(cloud, ())
    host = readiness.host_firewall if cloud in ("commercial", "gcc", "gcc_high") else ()
    return Checklist(tuple(rows), endpoints, host, anchor, readiness.decisions)
