"""Pilot settings: how the pilot's exports are read and its residual pools sized, in one value.

:class:`PilotSettings` is built once from the parameters' ``pilot.*`` keys (and each contract's
``<contract>.licence_metric``) and passed down: :func:`rhmodel.edges.pilotfiles.load_pilot` →
:func:`rhmodel.core.pilot.evidence.summarise_pilot` → :func:`rhmodel.core.pilot.pool.size_tool`.

A contract's pool is sized on its *licence metric*: ``named`` (the people who did the work each
hold a licence) or ``concurrent`` (the most people logged in at once), one of the metrics its
product is sold under (``Contract.metrics``). A contract whose ``licence_metric`` is not given
follows its product's default (``Contract.metric``).

Examples
--------
>>> s = PilotSettings()
>>> s.target_blocking == DEFAULT_TARGET_BLOCKING, s.headroom, s.routing
(True, 0.2, 'as_worked')
>>> s.metric_of("beyondtrust"), s.metric_of("logmein")
('concurrent', 'named')
>>> s.overriding(headroom=0.0, growth=None, licence_metrics={"logmein": "concurrent"}).metric_of(
...     "logmein_resolve")
'concurrent'
>>> PilotSettings(licence_metrics={"beyondtrust": "named"})
Traceback (most recent call last):
...
ValueError: beyondtrust.licence_metric must be one of concurrent, got 'named'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from rhmodel.core.params.schema import spec
from rhmodel.core.pilot.erlang import DEFAULT_TARGET_BLOCKING
from rhmodel.core.products import CONTRACTS, Contract, contract_for

if TYPE_CHECKING:
    from rhmodel.core.params import Parameters

__all__ = ["DEFAULT_TARGET_BLOCKING", "PilotSettings"]

_ROUTINGS = ("as_worked", "specialist_team")
_DATE_ORDERS = (None, "dmy", "mdy")


def _metrics(
    given: Mapping[str, str | None] | Iterable[tuple[str, str | None]],
) -> tuple[tuple[str, str], ...]:
    """Every contract's licence metric as (contract name, metric) pairs in the contracts'
    order: the one ``given`` (by contract name or product), else the product's default
    (``None`` given means the default too); checked against the metrics it is sold under."""
    pairs = dict(given.items() if isinstance(given, Mapping) else given)
    chosen = {contract_for(k).name: v for k, v in pairs.items() if v is not None}
    out = []
    for con in CONTRACTS:
        metric = chosen.get(con.name, con.metric)
        if metric not in con.metrics:
            raise ValueError(
                f"{con.metric_key} must be one of {', '.join(con.metrics)}, got {metric!r}"
            )
        out.append((con.name, metric))
    return tuple(out)


@dataclass(frozen=True)
class PilotSettings:
    """Every setting of the pilot evidence: how exports are read, classified and sized.

    Attributes
    ----------
    target_blocking : float
        Erlang B target of a concurrent pool, fraction in (0, 1).
    headroom, growth : float
        Fractions added on top of the evidence (0.2 = 20%).
    routing : str
        How a named pool's residual work is routed: ``as_worked`` (every technician who did it
        keeps a licence) or ``specialist_team`` (a team as large as the most at once).
    tenant_domains : tuple of str
        Your tenant's e-mail domains; a sharer outside them is external support.
    timezone : str or None
        Business time zone (IANA) for daily peaks and timestamps without an offset (UTC when
        ``None``).
    date_order : str or None
        ``dmy`` or ``mdy`` for dates such as 01/02/2026; ``None``: from the files.
    days : int
        The pilot's planned length in days.
    licence_metrics : tuple of (str, str)
        (contract name, ``named`` or ``concurrent``) for every contract, in the contracts'
        order: what each pool is sized on. Give a mapping (or pairs) of the contracts whose
        metric is chosen; the others take their product's default (``Contract.metric``). The
        JSON writes a mapping.
    held : tuple of str
        Names of the contracts the parameters hold licences on: a format another product claims
        (LogMeIn Rescue's session report, which the LogMeIn reader reads) counts for the
        claiming contract when it is held (:meth:`claimant`).
    """

    target_blocking: float = DEFAULT_TARGET_BLOCKING
    headroom: float = spec("pilot.headroom").default
    growth: float = spec("pilot.growth").default
    routing: str = spec("pilot.routing").default
    tenant_domains: tuple[str, ...] = ()
    timezone: str | None = None
    date_order: str | None = None
    days: int = spec("pilot.days").default
    licence_metrics: tuple[tuple[str, str], ...] = field(default=(), metadata={"to_json": dict})
    held: tuple[str, ...] = field(default=(), metadata={"json": False})

    def __post_init__(self) -> None:
        if not 0 < self.target_blocking < 1:
            raise ValueError(f"target_blocking must be in (0, 1), got {self.target_blocking!r}")
        for name in ("headroom", "growth"):
            if not getattr(self, name) >= 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)!r}")
        if self.routing not in _ROUTINGS:
            raise ValueError(f"routing must be one of {', '.join(_ROUTINGS)}, got {self.routing!r}")
        if self.date_order not in _DATE_ORDERS:
            raise ValueError(f"date_order must be dmy, mdy or None, got {self.date_order!r}")
        # normalised so that equal settings are equal (and hash alike: the pilot is cached)
        domains = self.tenant_domains
        object.__setattr__(
            self, "tenant_domains", (domains,) if isinstance(domains, str) else tuple(domains)
        )
        object.__setattr__(self, "licence_metrics", _metrics(self.licence_metrics))
        object.__setattr__(self, "held", tuple(self.held))

    @classmethod
    def from_parameters(cls, params: Parameters) -> PilotSettings:
        """The settings of a parameters file: its ``pilot.*`` keys and each contract's
        ``<contract>.licence_metric``.

        Examples
        --------
        >>> import datetime as dt
        >>> from rhmodel.core.document import parse_yaml
        >>> from rhmodel.core.params import resolve_parameters
        >>> p = resolve_parameters(parse_yaml("pilot: {headroom: 0.5, date_order: auto}\\n",
        ...                                   "p.yaml"), today=dt.date(2026, 11, 26))
        >>> s = PilotSettings.from_parameters(p)
        >>> s.headroom, s.date_order, s == PilotSettings(headroom=0.5)
        (0.5, None, True)
        """
        order = params["pilot.date_order"]
        return cls(
            target_blocking=params["pilot.target_blocking"],
            headroom=params["pilot.headroom"],
            growth=params["pilot.growth"],
            routing=params["pilot.routing"],
            tenant_domains=tuple(params["pilot.tenant_domains"] or ()),
            timezone=params["pilot.timezone"],
            date_order=None if order == "auto" else order,
            days=params["pilot.days"],
            licence_metrics={c.name: params[c.metric_key] for c in CONTRACTS},
            held=tuple(
                c.name
                for c in CONTRACTS
                if params[c.count_key] not in (0, None)
                or params.value(c.count_key).uncertain is not None
            ),
        )

    def overriding(self, **changes: Any) -> PilotSettings:
        """These settings with each change that is not ``None`` applied (a command line's
        options over a parameters file's).

        A ``licence_metrics`` change is merged into the chosen metrics contract by contract.
        """
        given = {k: v for k, v in changes.items() if v is not None}
        if "licence_metrics" in given:
            merged = dict(self.licence_metrics)
            merged.update(
                (contract_for(k).name, v) for k, v in dict(given["licence_metrics"]).items()
            )
            given["licence_metrics"] = merged
        return replace(self, **given) if given else self

    def claimant(self, fmt: str) -> Contract | None:
        """The held contract whose record claims export format ``fmt`` (its sessions are that
        contract's work), or ``None``.

        Examples
        --------
        >>> PilotSettings(held=("rescue",)).claimant("logmein_csv").product
        'logmein_rescue'
        >>> PilotSettings(held=("logmein",)).claimant("logmein_csv") is None
        True
        """
        return next((c for c in CONTRACTS if c.name in self.held and fmt in c.claims), None)

    def metric_of(self, contract: Contract | str) -> str:
        """The licence metric ``contract`` (a contract, its name or its product) is sized on:
        the one chosen in the parameters, else its product's default."""
        con = contract_for(contract) if isinstance(contract, str) else contract
        return dict(self.licence_metrics).get(con.name, con.metric)
