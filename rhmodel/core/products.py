"""The one table of products, incumbent contracts, licence metrics, reason codes and platforms.

Every other module that needs to know which products exist, how an incumbent is licensed, which
parameters hold its contract, or which reason codes and platforms a pilot export may name reads
it here. Adding a third incumbent means one more :class:`Contract` row (plus its parameters in
the schema, which are generated from this table).

Examples
--------
>>> [c.name for c in CONTRACTS]
['logmein', 'beyondtrust']
>>> contract_for("beyondtrust").price_key, contract_for("beyondtrust").price_divisor
('beyondtrust.price_per_seat_year', 12.0)
>>> PRODUCT_NAMES["logmein_resolve"]
'LogMeIn Resolve'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

__all__ = [
    "ACTIONS",
    "COMPONENTS",
    "CONTRACTS",
    "INCUMBENTS",
    "PLATFORMS",
    "PRODUCTS",
    "PRODUCT_NAMES",
    "REASON_CODES",
    "REMOTE_HELP",
    "SCENARIOS",
    "SCENARIO_ACTIONS",
    "TENANT_CLOUDS",
    "VERDICTS",
    "Action",
    "Component",
    "Contract",
    "ProductId",
    "ScenarioName",
    "Verdict",
    "consolidation_target",
    "contract_for",
    "plan_actions",
    "plan_name",
]

#: Product ids used everywhere: parameters, pilot data (the ``tool`` column), JSON output.
ProductId = Literal["remote_help", "logmein_resolve", "beyondtrust"]
PRODUCTS: tuple[ProductId, ...] = get_args(ProductId)
#: The product that replaces the incumbents.
REMOTE_HELP: ProductId = "remote_help"
#: The products rhmodel weighs Remote Help against.
INCUMBENTS: tuple[ProductId, ...] = ("logmein_resolve", "beyondtrust")
#: Display names (the capability matrix carries the same, with its sources).
PRODUCT_NAMES: dict[str, str] = {
    "remote_help": "Intune Remote Help",
    "logmein_resolve": "LogMeIn Resolve",
    "beyondtrust": "BeyondTrust Remote Support",
}

#: The replace-or-keep verdicts (seed §4.4); see :mod:`rhmodel.core.decision`.
Verdict = Literal["keep", "replace", "right_size"]
VERDICTS: tuple[Verdict, ...] = get_args(Verdict)
#: Scenario names, in the order they are reported.
ScenarioName = Literal["status_quo", "right_size", "cancel"]
SCENARIOS: tuple[ScenarioName, ...] = get_args(ScenarioName)
#: What a plan does with one incumbent contract at a renewal: renew it as it is, keep a smaller
#: pool, cancel it, or cancel it and move its residual work to the other incumbent's pool.
Action = Literal["renew", "right_size", "cancel", "consolidate"]
ACTIONS: tuple[Action, ...] = get_args(Action)
#: The pinned scenarios are plans that give every contract the same action.
SCENARIO_ACTIONS: dict[str, Action] = {
    "status_quo": "renew",
    "right_size": "right_size",
    "cancel": "cancel",
}
#: Cost components of every scenario.
Component = Literal["logmein", "beyondtrust", "remote_help", "transition"]
COMPONENTS: tuple[Component, ...] = get_args(Component)

#: Reason codes a pilot export may give for a session that needed the incumbent.
REASON_CODES: tuple[str, ...] = (
    "unattended",
    "external",
    "recording",
    "pam",
    "platform",
    "rmm",
    "other",
)
#: Microsoft tenant clouds a parameters file may name.
TENANT_CLOUDS: tuple[str, ...] = ("commercial", "gcc", "gcc_high", "dod")
#: Endpoint platforms, as named in the matrix and in pilot exports.
PLATFORMS: tuple[str, ...] = ("windows", "macos", "android", "linux", "ios", "chromeos")


@dataclass(frozen=True)
class Contract:
    """One incumbent contract: its product, licence metric and the parameters that hold it.

    Attributes
    ----------
    name : str
        Parameters section and cost component (``logmein``, ``beyondtrust``).
    product : str
        Product id (``logmein_resolve``, ``beyondtrust``).
    metric : str
        What a licence counts: ``named`` (people who may use it) or ``concurrent`` (logged in
        at once).
    unit : str
        The licence unit in prose, plural (``agents``, ``seats``).
    count_key, price_key, residual_key : str
        Parameters keys of the licences held, the unit price and the pool kept.
    price_divisor : float
        Converts the price to US$ per unit per month (12 for a yearly price).
    short : str
        The name used in running text (``BeyondTrust``).
    count_unit, price_unit, price_doc : str
        How the schema describes the count and the price.
    price_default : str or None
        Price-book item whose figure is the price's default (``None``: quote-only).
    extras_key : str or None
        Yearly add-ons billed with the contract and kept in proportion to the licences kept
        (LogMeIn's endpoint/device licences); ``None`` when the contract has none.
    fixed_key : str or None
        A yearly amount paid while any licence is kept (BeyondTrust's appliance or hosting).
    min_field : str
        The parameter field of the vendor's minimum licence count (``min_agents``).
    """

    name: str
    product: ProductId
    metric: Literal["named", "concurrent"]
    unit: str
    count_key: str
    price_key: str
    residual_key: str
    price_divisor: float
    short: str
    count_unit: str
    price_unit: str
    price_doc: str
    price_default: str | None
    extras_key: str | None = None
    fixed_key: str | None = None
    min_field: str = "min_units"

    @property
    def residual_price_key(self) -> str:
        """The unit price of the smaller pool kept (default: today's price)."""
        return f"{self.name}.residual_{self.price_key.split('.', 1)[1]}"

    @property
    def extras_residual_key(self) -> str | None:
        """The add-ons kept with the smaller pool, when not in proportion."""
        return f"{self.extras_key}_residual" if self.extras_key else None

    @property
    def min_key(self) -> str:
        """The vendor's minimum licence count (a smaller pool is raised to it)."""
        return f"{self.name}.{self.min_field}"

    @property
    def label(self) -> str:
        """The product's display name."""
        return PRODUCT_NAMES[self.product]

    def key(self, field: str) -> str:
        """The parameters key of one of this contract's fields, e.g. ``logmein.uplift``."""
        return f"{self.name}.{field}"


#: The incumbent contracts: LogMeIn Resolve per named agent per month, BeyondTrust per
#: concurrent seat (logged-in representative) per year.
CONTRACTS: tuple[Contract, ...] = (
    Contract(
        name="logmein",
        product="logmein_resolve",
        metric="named",
        unit="agents",
        count_key="logmein.agents",
        price_key="logmein.price_per_agent_month",
        residual_key="residual.logmein_agents",
        price_divisor=1.0,
        short="LogMeIn Resolve",
        count_unit="named agents",
        price_unit="US$ per agent per month",
        price_doc="LogMeIn Resolve price per named agent",
        price_default="logmein_resolve_agent",
        extras_key="logmein.extras_per_year",
        min_field="min_agents",
    ),
    Contract(
        name="beyondtrust",
        product="beyondtrust",
        metric="concurrent",
        unit="seats",
        count_key="beyondtrust.concurrent_seats",
        price_key="beyondtrust.price_per_seat_year",
        residual_key="residual.beyondtrust_seats",
        price_divisor=12.0,
        short="BeyondTrust",
        count_unit="concurrent seats",
        price_unit="US$ per concurrent seat per year",
        price_doc="BeyondTrust Remote Support price per concurrent seat (quote-only: your quote)",
        price_default=None,
        fixed_key="beyondtrust.appliance_per_year",
        min_field="min_seats",
    ),
)


def contract_for(name_or_product: str) -> Contract:
    """The contract named ``logmein`` / ``beyondtrust`` or of product ``logmein_resolve``.

    Raises
    ------
    KeyError
        For anything else (a bug: callers pass ids from this table).
    """
    for c in CONTRACTS:
        if name_or_product in (c.name, c.product):
            return c
    raise KeyError(name_or_product)


def plan_name(actions: dict[str, str]) -> str:
    """The scenario name of a plan: a pinned name when every contract named takes the same
    action, else ``contract_action`` joined by ``+`` in contract order.

    Examples
    --------
    >>> plan_name({"logmein": "cancel", "beyondtrust": "right_size"})
    'logmein_cancel+beyondtrust_right_size'
    >>> plan_name({"logmein": "renew"}), plan_name({"logmein": "cancel", "beyondtrust": "cancel"})
    ('status_quo', 'cancel')
    """
    named = [c.name for c in CONTRACTS if c.name in actions]
    if len({actions[n] for n in named}) == 1:
        for scenario, action in SCENARIO_ACTIONS.items():
            if actions[named[0]] == action:
                return scenario
    return "+".join(f"{n}_{actions[n]}" for n in named)


def plan_actions(name: str) -> dict[str, Action]:
    """Each contract's action in the plan (or pinned scenario) ``name``.

    A mixed plan names only the contracts held; one it leaves out has no licences and keeps
    none (``cancel``).

    Raises
    ------
    KeyError
        For a name that is neither a scenario nor a plan (a bug: names come from this module).

    Examples
    --------
    >>> plan_actions("right_size")
    {'logmein': 'right_size', 'beyondtrust': 'right_size'}
    >>> plan_actions("logmein_consolidate+beyondtrust_right_size")["logmein"]
    'consolidate'
    """
    if name in SCENARIO_ACTIONS:
        return {c.name: SCENARIO_ACTIONS[name] for c in CONTRACTS}
    out: dict[str, Action] = {c.name: "cancel" for c in CONTRACTS}
    for part in name.split("+"):
        contract, _, action = part.partition("_")
        if contract not in out or action not in ACTIONS:
            raise KeyError(name)
        out[contract] = action  # type: ignore[assignment]
    return out


def consolidation_target(name: str) -> str:
    """The contract whose pool takes ``name``'s residual work when ``name`` is consolidated:
    the other incumbent.

    Examples
    --------
    >>> consolidation_target("logmein")
    'beyondtrust'
    """
    others = [c.name for c in CONTRACTS if c.name != name]
    if len(others) != 1:
        # a third incumbent would need the plan to name the target
        raise NotImplementedError("consolidation needs exactly two incumbent contracts")
    return others[0]
