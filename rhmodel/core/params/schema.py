"""Every key a parameters file may hold, declared once.

Each :class:`Spec` gives a key's type, default, unit, bounds, whether it may be a range and what
it means. Validation, ``--set`` overrides, the README's key table, the workbook's Inputs sheet
and the explorer's bounds all read :data:`SCHEMA`.

Examples
--------
>>> spec("logmein.agents").unit, spec("horizon_months").maximum
('named agents', 240)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from rhmodel.core.pilot.erlang import DEFAULT_TARGET_BLOCKING
from rhmodel.core.products import CONTRACTS, PLATFORMS, REASON_CODES, TENANT_CLOUDS, Contract

__all__ = [
    "DATE_RANGE",
    "EXPORT_ENTRY_KEYS",
    "EXPORT_FIELDS",
    "MAX_COUNT",
    "MAX_LIST",
    "MAX_PRICE_PER_MONTH",
    "MAX_TEXT",
    "SCHEMA",
    "SECTIONS",
    "VALUE_FORM_KEYS",
    "Spec",
    "spec",
]


@dataclass(frozen=True)
class Spec:
    """Declaration of one parameters key.

    Attributes
    ----------
    key : str
        Dotted key path, e.g. ``logmein.agents``.
    kind : str
        ``bool``, ``int``, ``float``, ``choice``, ``date``, ``text``, ``platforms`` (a list of
        platform ids), ``texts`` (a list of strings), ``paths`` (a list of file paths) or
        ``dates`` (a list of dates).
    unit : str
        Unit shown beside the value ("US$ per agent per month", "fraction 0–1", "count").
    doc : str
        One line saying what the key means.
    default : Any
        Value when the key is absent; ``None`` means "not given".
    minimum, maximum : float or None
        Inclusive lower bound; upper bound (exclusive when ``maximum_exclusive``).
    choices : tuple of str
        Accepted values for ``choice``.
    rangeable : bool
        Whether the value may be an uncertain range.
    figure : bool
        False for numbers that are modelling choices (horizon, term, notice, pilot length)
        rather than figures a file's ``illustrative: true`` should flag.
    default_from : str or None
        Price-book item whose figure (or range) is the default.
    parser : str or None
        For ``structured`` keys (lists of mappings with a grammar of their own): the
        ``module:function`` in the core that validates the raw YAML value. It raises
        :class:`rhmodel.core.params.structured.Invalid` with a path below the key.
    """

    key: str
    kind: str
    unit: str
    doc: str
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    maximum_exclusive: bool = False
    choices: tuple[str, ...] = ()
    rangeable: bool = False
    default_from: str | None = None
    figure: bool = True
    parser: str | None = None

    def accepted(self) -> str:
        """What a valid value looks like, for error messages."""
        if self.kind == "bool":
            return "true or false"
        if self.kind == "need":
            return "true or false (or all: every support session needs it)"
        if self.kind == "choice":
            return ", ".join(self.choices)
        if self.kind == "date":
            lo, hi = DATE_RANGE
            return f"a date YYYY-MM-DD from {lo.isoformat()} to {hi.isoformat()}"
        if self.kind in ("text",):
            return "text"
        if self.kind == "platforms":
            return f"a list of {', '.join(PLATFORMS)}"
        if self.kind in ("texts", "paths"):
            return "a list of strings"
        if self.kind == "dates":
            lo, hi = DATE_RANGE
            return f"a list of dates YYYY-MM-DD from {lo.isoformat()} to {hi.isoformat()}"
        if self.kind == "accepts":
            codes = ", ".join(REASON_CODES)
            return f"a list of reason codes ({codes}), each optionally {{reason, note}}"
        if self.kind == "user_groups":
            return (
                "a list of mappings {name, users (or helpers, sharers), licence: included | addon "
                "| frontline | suite | plan2, price_per_user_month, android_dedicated}"
            )
        if self.kind == "exports":
            return (
                "a list of paths, or of mappings {path, format, timezone, date_order, columns: "
                "{field: header}}"
            )
        if self.kind == "structured":
            from rhmodel.core.params.structured import parser_of

            return parser_of(self).accepted
        what = "an integer" if self.kind == "int" else "a number"
        lo = "" if self.minimum is None else f" >= {_bound(self.minimum)}"
        hi = ""
        if self.maximum is not None:
            hi = f" {'<' if self.maximum_exclusive else '<='} {_bound(self.maximum)}"
        rng = " (or a range {low, mode, high} / {low, high})" if self.rangeable else ""
        return f"{what}{lo}{' and' if lo and hi else ''}{hi} ({self.unit}){rng}"


def _bound(x: float) -> str:
    """A bound as people write it: ``600``, ``1,000,000``, ``0.0001``."""
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:g}"


def _contract(c: Contract) -> list[Spec]:
    """The keys of one incumbent contract, from its row in the products table."""
    prefix = c.name
    return [
        Spec(
            c.count_key,
            "int",
            c.count_unit,
            "licences on the current contract (0 or absent: the product is not used)",
            default=0,
            minimum=0,
            maximum=MAX_COUNT,
            rangeable=True,
        ),
        Spec(
            c.price_key,
            "float",
            c.price_unit,
            c.price_doc,
            minimum=0,
            # US$10,000 per unit per month: far above any list price, finite for every sum
            maximum=MAX_PRICE_PER_MONTH * c.price_divisor,
            rangeable=True,
            default_from=c.price_default,
        ),
        Spec(
            f"{prefix}.months_to_renewal",
            "int",
            "months",
            "months left on the current term; a change takes effect from the month after",
            minimum=0,
            maximum=600,
            rangeable=True,
        ),
        Spec(
            f"{prefix}.term_months",
            "int",
            "months",
            "length of each renewal term",
            default=12,
            minimum=1,
            maximum=120,
            figure=False,
        ),
        Spec(
            f"{prefix}.uplift",
            "float",
            "fraction per year",
            "yearly price increase: a renewal at month M (the first at R+1) prices at "
            "(1 + uplift)^(1 + floor((M − (R+1)) / 12)) (0.05 = 5% a year)",
            default=0.0,
            minimum=0,
            maximum=1,
            maximum_exclusive=True,
            rangeable=True,
        ),
        Spec(
            f"{prefix}.escalator.rate",
            "float",
            "fraction per year",
            "a price escalator written into the contract (0.07 = 7% a year); see escalator.timing",
            default=0.0,
            minimum=0,
            maximum=1,
            maximum_exclusive=True,
            rangeable=True,
        ),
        Spec(
            f"{prefix}.escalator.timing",
            "choice",
            "",
            "yearly: the price rises by escalator.rate at each contract anniversary inside a "
            "term (a 36-month term costs 1, 1.07, 1.07² by contract year; a 12-month term never "
            "escalates this way); at_renewal: at each renewal, as uplift (its alias)",
            default="at_renewal",
            choices=("yearly", "at_renewal"),
            figure=False,
        ),
        Spec(
            f"{prefix}.termination_fee",
            "float",
            "US$",
            "early-termination or buy-out fee, paid once in the change month when the contract "
            "is cut before its term ends (only with cancellable_mid_term: true)",
            default=0.0,
            minimum=0,
            maximum=MAX_MONEY_PER_YEAR,
            rangeable=True,
        ),
        Spec(
            f"{prefix}.cancellable_mid_term",
            "bool",
            "",
            "whether the contract may be cut before its term ends (paying termination_fee); "
            "false: changes happen only at a renewal",
            default=False,
            figure=False,
        ),
        Spec(
            f"{prefix}.notice_days",
            "int",
            "days",
            "notice needed before the renewal date to change or cancel",
            default=30,
            minimum=0,
            maximum=730,
            figure=False,
        ),
        Spec(
            c.residual_price_key,
            "float",
            c.price_unit,
            "unit price of the smaller pool kept (volume tiers lost); default: today's price",
            minimum=0,
            maximum=MAX_PRICE_PER_MONTH * c.price_divisor,
            rangeable=True,
        ),
        Spec(
            c.min_key,
            "int",
            c.count_unit,
            "the vendor's minimum licence count: a smaller pool kept is raised to it",
            default=0,
            minimum=0,
            maximum=MAX_COUNT,
        ),
        *(
            [
                Spec(
                    c.extras_key,
                    "float",
                    "US$ per year",
                    c.extras_doc
                    or "add-ons billed with the contract (kept whole with a smaller pool unless "
                    "extras_scale says per_agent; nothing after cancelling)",
                    default=0.0,
                    minimum=0,
                    maximum=MAX_MONEY_PER_YEAR,
                    rangeable=True,
                ),
                Spec(
                    c.extras_residual_key,
                    "float",
                    "US$ per year",
                    "optional: the add-ons kept with the smaller pool, when not in proportion",
                    minimum=0,
                    maximum=MAX_MONEY_PER_YEAR,
                    rangeable=True,
                ),
                Spec(
                    f"{c.name}.extras_scale",
                    "choice",
                    "",
                    "fixed: a smaller pool keeps the add-ons whole (endpoint and RMM licences "
                    "do not shrink with the agents); per_agent: in proportion to the licences "
                    "kept (extras × kept / held); nothing after cancelling either way",
                    default="fixed",
                    choices=("fixed", "per_agent"),
                    figure=False,
                ),
            ]
            if c.extras_key and c.extras_residual_key
            else []
        ),
        *(
            [
                Spec(
                    c.fixed_key,
                    "float",
                    "US$ per year",
                    c.fixed_doc
                    or "a yearly amount paid while any licence is kept (nothing after cancelling)",
                    default=0.0,
                    minimum=0,
                    maximum=MAX_MONEY_PER_YEAR,
                    rangeable=True,
                )
            ]
            if c.fixed_key
            else []
        ),
        Spec(
            f"{prefix}.billing",
            "choice",
            "",
            "monthly: cost accrues each month; annual: each term is paid in advance at renewal "
            "(the current term is already paid)",
            default="monthly",
            choices=("monthly", "annual"),
        ),
        Spec(
            c.metric_key,
            "choice",
            "",
            f"what a licence of this contract counts: {' or '.join(c.metrics)} (default "
            f"{c.metric}: {c.count_unit}); named pools are sized on the distinct technicians "
            "who did the residual work, concurrent pools on the most logged in at once",
            default=c.metric,
            choices=c.metrics,
            figure=False,
        ),
    ]


#: Plausibility bounds shared by several keys.
MAX_COUNT = 1_000_000  # licences, seats, pools
MAX_PRICE_PER_MONTH = 10_000  # US$ per licence per month
MAX_MONEY_PER_YEAR = 100_000_000  # a yearly amount (add-ons, appliance, one-off costs)
#: The dates an analysis may start on.
DATE_RANGE = (dt.date(2000, 1, 1), dt.date(2100, 12, 31))
#: The session fields a pilot.files entry's ``columns`` may map to a header of its file.
EXPORT_FIELDS = (
    "session_id",
    "tool",
    "start",
    "end",
    "duration",
    "technician",
    "reason",
    "session_type",
    "sharer",
    "platform",
    "ticket",
    "device",
)
#: The keys of a pilot.files entry written as a mapping.
EXPORT_ENTRY_KEYS = ("path", "format", "timezone", "date_order", "columns")
#: Longest text value (an organisation's name) and longest list (pilot files, domains).
MAX_TEXT = 200
MAX_LIST = 1_000

_REQUIREMENT_DOC = (
    "true if some work needs it, all if every support session does (the seed's 'keep a "
    "specialist tool if you need' column)"
)

#: Every key a parameters file may hold, in the order the README and workbook list them.
SCHEMA: tuple[Spec, ...] = (
    Spec("organisation", "text", "", "name shown on reports", default=""),
    Spec(
        "illustrative",
        "bool",
        "",
        "true when every figure in this file is illustrative (a sample or a what-if), not a "
        "quoted fact",
        default=False,
    ),
    Spec(
        "tenant_cloud",
        "choice",
        "",
        "Microsoft tenant cloud",
        default="commercial",
        choices=TENANT_CLOUDS,
    ),
    Spec(
        "start_date",
        "date",
        "date",
        "first day of month 1 of the analysis (default: the first day of the current month)",
    ),
    Spec(
        "horizon_months",
        "int",
        "months",
        "length of the analysis",
        default=36,
        minimum=1,
        maximum=240,
        figure=False,
    ),
    Spec(
        "environment.federation",
        "choice",
        "",
        "the identity provider federated with Entra ID: none, okta, adfs or other (the "
        "readiness checklist gives that provider's steps)",
        default="none",
        choices=("none", "okta", "adfs", "other"),
    ),
    Spec(
        "environment.proxy",
        "choice",
        "",
        "the web proxy / SSL inspection in the path: none, zscaler (the seed's §8 steps) or "
        "other (the same steps in generic words)",
        default="none",
        choices=("none", "zscaler", "other"),
    ),
    Spec(
        "currency",
        "text",
        "",
        "ISO 4217 code of the parameters' money (every amount is in it; price-book figures, in "
        "US$, are converted with usd_rate)",
        default="USD",
    ),
    Spec(
        "usd_rate",
        "float",
        "currency units per US$",
        "units of `currency` per US$ (e.g. 0.92 for EUR): required when the currency is not USD "
        "and a price-book default is used",
        minimum=0.000001,
        maximum=1_000_000,
        figure=False,
    ),
    Spec(
        "discount_rate",
        "float",
        "annual fraction",
        "discount rate for NPV (0.10 = 10%)",
        default=0.10,
        minimum=0,
        maximum=1,
        maximum_exclusive=True,
        rangeable=True,
        figure=False,
    ),
    Spec(
        "requirements.external_or_unmanaged_support",
        "need",
        "",
        f"support external customers, partners, vendors or unmanaged devices: {_REQUIREMENT_DOC}",
        default=False,
    ),
    Spec(
        "requirements.unattended_windows",
        "need",
        "",
        f"unattended access to Windows servers, kiosks, always-on machines: {_REQUIREMENT_DOC}",
        default=False,
    ),
    Spec(
        "requirements.unattended_windows_clients",
        "need",
        "",
        "unattended access to corporate Windows PCs (physical, x64, Intune-enrolled, Entra "
        "joined or hybrid joined), which Remote Help covers from Intune service release 2608: "
        f"{_REQUIREMENT_DOC}",
        default=False,
    ),
    Spec(
        "requirements.privileged_access_management",
        "need",
        "",
        f"PAM, credential vaulting or vendor-access governance: {_REQUIREMENT_DOC}",
        default=False,
    ),
    Spec(
        "requirements.mandatory_session_recording",
        "need",
        "",
        f"mandatory full session recording for compliance: {_REQUIREMENT_DOC}",
        default=False,
    ),
    Spec(
        "requirements.bundled_rmm_ticketing",
        "need",
        "",
        f"RMM / patching / ticketing inside the support tool: {_REQUIREMENT_DOC}",
        default=False,
    ),
    Spec(
        "requirements.unsupported_platforms",
        "need",
        "",
        "endpoints on Windows Server, Linux, iOS, ChromeOS or Android devices that are not "
        "Android Enterprise dedicated, which need support",
        default=False,
    ),
    Spec(
        "requirements.platforms",
        "platforms",
        "",
        "optional: every endpoint platform you support (checked against Remote Help's list: "
        "windows (client editions), windows_server, cloud_pc (Windows 365 / AVD), macos, linux, "
        "ios, android_dedicated (Samsung Knox, Zebra), android (other), chromeos)",
    ),
    Spec(
        "decision.accept",
        "accepts",
        "",
        "reason codes of residual work the organisation decides to give up or move anyway "
        "(each a code, or {reason, note}): the pilot's sessions for them no longer keep a pool",
        default=(),
    ),
    Spec(
        "requirements.on_prem_or_air_gapped",
        "need",
        "",
        "support must run on-prem / air-gapped, independent of a vendor cloud",
        default=False,
    ),
    *(s for c in CONTRACTS for s in _contract(c)),
    Spec(
        "remote_help.licensing",
        "choice",
        "",
        "included: every helper and sharer outside user_groups holds a commercial M365 E3/E5/E7 "
        "licence (from 2026-07-01; commercial plans only: on gcc/gcc_high an unstated value is "
        "unconfirmed and not priced) or the Intune Suite; add_on: paid per licensed user",
        default="included",
        choices=("included", "add_on"),
    ),
    Spec(
        "remote_help.price_per_user_month",
        "float",
        "US$ per user per month",
        "Remote Help add-on price (used when licensing is add_on)",
        minimum=0,
        rangeable=True,
        default_from="remote_help_add_on",
    ),
    Spec(
        "remote_help.licensed_users",
        "int",
        "users",
        "users outside any user group who need a paid licence: helpers and sharers both "
        "(add_on only)",
        minimum=0,
        rangeable=True,
    ),
    Spec(
        "remote_help.user_groups",
        "user_groups",
        "",
        "optional: Remote Help licences per group of helpers and sharers, each {name, users "
        "(or helpers and sharers), licence, price_per_user_month, android_dedicated: only its "
        "helpers are priced}; a group whose licence is not included is a cost line",
        default=(),
    ),
    Spec(
        "remote_help.admin_hours_per_month",
        "float",
        "hours per month",
        "ongoing Remote Help administration (RBAC, policies, reviews) in scenarios that adopt it",
        default=0.0,
        minimum=0,
        maximum=100_000,
        rangeable=True,
    ),
    Spec(
        "remote_help.admin_rate_per_hour",
        "float",
        "US$ per hour",
        "loaded cost of an hour of Remote Help administration",
        default=0.0,
        minimum=0,
        maximum=10_000,
        rangeable=True,
    ),
    Spec(
        "remote_help.start_month",
        "int",
        "month",
        "the analysis month from which add-on licences and administration are paid (1: the "
        "pilot already uses Remote Help)",
        default=1,
        minimum=1,
        maximum=600,
        figure=False,
    ),
    *(
        Spec(
            c.residual_key,
            "int",
            c.count_unit,
            f"{c.short} {c.unit} to keep after the renewal (default: from pilot evidence)",
            minimum=0,
            maximum=MAX_COUNT,
            rangeable=True,
        )
        for c in CONTRACTS
    ),
    Spec(
        "transition.deployment_cost",
        "float",
        "US$",
        "one-off deployment cost (packaging, RBAC, Conditional Access; seed §10)",
        default=0.0,
        minimum=0,
        rangeable=True,
    ),
    Spec(
        "transition.pilot_cost",
        "float",
        "US$",
        "one-off cost of the pilot itself, in month 1 of scenarios that adopt Remote Help",
        default=0.0,
        minimum=0,
        maximum=MAX_MONEY_PER_YEAR,
        rangeable=True,
    ),
    Spec(
        "transition.training_hours",
        "float",
        "hours",
        "help-desk and end-user briefing time (seed §10.6)",
        default=0.0,
        minimum=0,
        rangeable=True,
    ),
    Spec(
        "transition.training_rate_per_hour",
        "float",
        "US$ per hour",
        "loaded cost of an hour of training",
        default=0.0,
        minimum=0,
        rangeable=True,
    ),
    Spec(
        "transition.network_change_hours",
        "float",
        "hours",
        "network/proxy work: endpoint allow-list, SSL-inspection bypass, UDP media (seed §7–8)",
        default=0.0,
        minimum=0,
        rangeable=True,
    ),
    Spec(
        "transition.network_rate_per_hour",
        "float",
        "US$ per hour",
        "loaded cost of an hour of network-team work",
        default=0.0,
        minimum=0,
        rangeable=True,
    ),
    Spec(
        "risk_adjustment.benefit_haircut",
        "float",
        "fraction 0–1",
        "Forrester-TEI-style risk adjustment: incumbent savings reduced by this fraction",
        default=0.0,
        minimum=0,
        maximum=1,
        maximum_exclusive=True,
    ),
    Spec(
        "risk_adjustment.cost_uplift",
        "float",
        "fraction 0–1",
        "Forrester-TEI-style risk adjustment: new spend increased by this fraction",
        default=0.0,
        minimum=0,
        maximum=1,
        maximum_exclusive=True,
    ),
    Spec(
        "pilot.files",
        "exports",
        "",
        "pilot session exports or folders of them, relative to the parameters file; an entry "
        "may be a mapping {path, format, timezone, date_order, columns} for a layout of its own",
        default=(),
    ),
    Spec(
        "pilot.days",
        "int",
        "days",
        "pilot length (the seed recommends 30–60)",
        default=45,
        minimum=1,
        maximum=365,
        figure=False,
    ),
    Spec(
        "pilot.start_date",
        "date",
        "date",
        "optional: the day a pilot already under way started (it ends pilot.days later); "
        "default: the pilot starts on start_date",
    ),
    Spec(
        "pilot.end_date",
        "date",
        "date",
        "optional: the day the pilot ended (or will end); with pilot.files given, a finished "
        "pilot does not delay any contract's change",
    ),
    Spec(
        "pilot.reasons",
        "structured",
        "",
        "the help desk's reason logs (CSV or XLSX from rhmodel pilot-template), relative to the "
        "parameters file; an entry may be a mapping {path, format: servicenow | jira | csv, "
        "columns, labels} for an ITSM export",
        default=(),
        parser="rhmodel.core.pilot.reason_sources:parse_reason_logs",
    ),
    Spec(
        "pilot.teams",
        "structured",
        "",
        "teams whose work stays on the incumbent whatever the export shows: a list of "
        "{name, technicians: [...], needs: {<requirement>: all}}; each team's pool is sized "
        "from its own work",
        default=(),
        parser="rhmodel.core.pilot.teams:parse_teams",
    ),
    Spec(
        "pilot.store",
        "text",
        "",
        "optional: the pilot store, a folder relative to the parameters file (rhmodel pilot "
        "import / collect add to it; every command reads it beside pilot.files)",
    ),
    Spec(
        "pilot.sources",
        "structured",
        "",
        "the vendor APIs rhmodel pilot collect reads: a list of {type: intune | beyondtrust | "
        "teamviewer | gotoassist, ...endpoints, secret_env}; secrets only from the environment "
        "or the keyring",
        default=(),
        parser="rhmodel.core.pilot.sources:parse_sources",
    ),
    Spec(
        "pilot.devices",
        "paths",
        "",
        "the device inventory: Intune admin center exports (Devices > All devices > Export, CSV) "
        "or Graph managedDevices JSON, relative to the parameters file; unattended sessions "
        "join to it by device name, serial number or Entra device id",
        default=(),
    ),
    Spec("pilot.timezone", "text", "", "business time zone of the pilot exports (IANA name)"),
    Spec(
        "pilot.date_order",
        "choice",
        "",
        "day/month order of dates such as 01/02/2026 in the exports: auto (from the files: "
        "a day above 12 settles it), dmy or mdy",
        default="auto",
        choices=("auto", "dmy", "mdy"),
    ),
    Spec(
        "pilot.target_blocking",
        "float",
        "fraction 0–1",
        "Erlang B target when sizing a concurrent pool (0.01 = 1% of logins refused)",
        default=DEFAULT_TARGET_BLOCKING,
        minimum=0.0001,
        maximum=1,
        maximum_exclusive=True,
        figure=False,
    ),
    Spec(
        "pilot.headroom",
        "float",
        "fraction",
        "added on top of the pilot evidence when sizing a pool (0.2 = 20%)",
        default=0.2,
        minimum=0,
        maximum=5,
        figure=False,
    ),
    Spec(
        "pilot.growth",
        "float",
        "fraction",
        "expected growth of residual work over the next term (0.1 = 10%)",
        default=0.0,
        minimum=0,
        maximum=5,
        figure=False,
    ),
    Spec(
        "pilot.routing",
        "choice",
        "",
        "named-licence pools: as_worked (every technician who did residual work keeps a "
        "licence) or specialist_team (the work routed to a team sized on the most at once)",
        default="as_worked",
        choices=("as_worked", "specialist_team"),
        figure=False,
    ),
    Spec(
        "pilot.tenant_domains",
        "texts",
        "",
        "e-mail domains of your tenant; a sharer outside them is external support",
        default=(),
    ),
    Spec(
        "calendar.fiscal_year_start",
        "int",
        "month 1–12",
        "the month the organisation's fiscal year starts (1 = January): the budget table "
        "sums spend per fiscal year",
        default=1,
        minimum=1,
        maximum=12,
        figure=False,
    ),
    Spec(
        "calendar.holidays",
        "dates",
        "dates",
        "days that are not business days besides weekends (public holidays, a closure): a notice "
        "deadline that falls on one moves to the previous business day",
        default=(),
        figure=False,
    ),
)

# A finite, documented ceiling for every number a user gives, far above any real contract but
# low enough that no sum over the horizon can overflow (the results stay finite numbers).
_CEILINGS: dict[str, float] = {
    "remote_help.price_per_user_month": MAX_PRICE_PER_MONTH,
    "remote_help.licensed_users": 10_000_000,
    "transition.deployment_cost": 1_000_000_000,
    "transition.training_hours": 1_000_000,
    "transition.training_rate_per_hour": 10_000,
    "transition.network_change_hours": 1_000_000,
    "transition.network_rate_per_hour": 10_000,
}
SCHEMA = tuple(
    replace(s, maximum=_CEILINGS[s.key]) if s.key in _CEILINGS and s.maximum is None else s
    for s in SCHEMA
)
BY_KEY = {s.key: s for s in SCHEMA}
SECTIONS = {k.split(".")[0] for k in BY_KEY if "." in k}
VALUE_FORM_KEYS = ("value", "low", "mode", "high", "illustrative", "source", "note")


def spec(key: str) -> Spec:
    """The :class:`Spec` of ``key``.

    Examples
    --------
    >>> spec("discount_rate").unit
    'annual fraction'
    """
    return BY_KEY[key]
