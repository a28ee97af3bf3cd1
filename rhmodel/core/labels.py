"""The one table that turns rhmodel's ids into the words people read.

Scenario and plan names, criterion ids, reason codes, actions, contracts and parameter keys
are ids in the JSON (a public contract); the pack, the workbook's headings and the explorer show
these labels instead. A plan that mixes actions is labelled from its parts.

Examples
--------
>>> label("status_quo"), label("privileged_access"), label("pam")
('Status quo (renew as is)', 'Privileged access (PAM)', 'Privileged access (PAM)')
>>> label("logmein_cancel+beyondtrust_right_size")
'Cancel LogMeIn Resolve, right-size BeyondTrust'
>>> label("logmein.price_per_agent_month")
'LogMeIn Resolve price per agent-month'
>>> label("something_new")
'Something new'
>>> source_words("seed §10.1; research/pricing-and-licensing.md")
'seed §10.1; rhmodel research notes'
>>> source_words("sample.yaml:34")
'parameters file, line 34'
>>> humanise("needed rmm_ticketing and external_support (seed 000_fd2eba3996fa20b9)")
'needed bundled RMM / ticketing and external or unmanaged support (the seed memo)'
>>> humanise("not priced: tenant_cloud is gcc")
'not priced: parameter tenant_cloud is gcc'
>>> humanise("give remote_help.user_groups.")
'give parameter remote_help.user_groups.'
>>> humanise("pilot evidence (5 files, 4598 sessions; pilot.routing: specialist_team)")
'pilot evidence (5 files, 4,598 sessions; parameter pilot.routing: specialist team)'
"""

from __future__ import annotations

import functools
import re

from rhmodel.core.products import (
    ACTIONS,
    CONTRACTS,
    PRODUCT_NAMES,
    SCENARIO_ACTIONS,
    Contract,
    contract_for,
)

__all__ = ["LABELS", "humanise", "key_words", "label", "need_words", "source_words"]


def _contract_labels(c: Contract) -> dict[str, str]:
    """The words for one contract's keys people meet most, from its record."""
    out = {
        c.count_key: f"{c.short} {c.count_unit}",
        c.price_key: f"{c.short} price per {c.unit_singular}-{c.price_period}",
        c.key("months_to_renewal"): f"{c.short} months to renewal",
        c.key("uplift"): f"{c.short} yearly uplift",
        c.residual_key: f"{c.short} {c.unit} kept",
        c.metric_key: f"{c.short} licence metric",
    }
    if c.extras_key:
        out[c.extras_key] = f"{c.short} {c.extras_label}"
    if c.fixed_key:
        out[c.fixed_key] = f"{c.short} {c.fixed_label}"
    return out


#: id → words. Keys not here fall back to the id with its underscores as spaces.
LABELS: dict[str, str] = {
    # scenarios and plans
    "status_quo": "Status quo (renew as is)",
    "right_size": "Right-size",
    "cancel": "Cancel",
    # actions
    "renew": "renew",
    "consolidate": "consolidate",
    # verdicts (``right_size`` is the scenario's word too)
    "keep": "Keep",
    "replace": "Replace",
    # settings people choose between
    "as_worked": "as worked",
    "specialist_team": "specialist team",
    "at_renewal": "at renewal",
    "windows_server": "Windows Server",
    "cloud_pc": "Cloud PC",
    "not_enrolled": "not enrolled",
    "commercial": "Commercial",
    "gcc": "GCC",
    "gcc_high": "GCC High",
    "dod": "DoD",
    "zscaler": "Zscaler",
    "okta": "Okta",
    "adfs": "AD FS",
    "none": "none",
    "addon": "Remote Help add-on",
    "plan2": "Intune Plan 2",
    "suite": "Intune Suite",
    "included": "included in Microsoft 365 E3/E5",
    "frontline": "Remote Help for frontline workers",
    # criteria (matrix dimensions) and the reason codes that map to them
    "external_support": "External or unmanaged support",
    "external": "External or unmanaged support",
    "unattended": "Unattended access",
    "unattended_clients": "Unattended access to corporate Windows PCs",
    "privileged_access": "Privileged access (PAM)",
    "pam": "Privileged access (PAM)",
    "session_recording": "Mandatory session recording",
    "recording": "Mandatory session recording",
    "rmm_ticketing": "Bundled RMM / ticketing",
    "rmm": "Bundled RMM / ticketing",
    "platforms": "Unsupported platforms",
    "platform": "Unsupported platforms",
    "on_prem_deployment": "On-premises / air-gapped",
    "tenant_cloud": "Tenant cloud",
    "other": "Other (not in the seed's criteria)",
    # products and contracts
    **PRODUCT_NAMES,
    **{c.name: c.label for c in CONTRACTS},
    # parameter keys people meet most
    **{k: v for c in CONTRACTS for k, v in _contract_labels(c).items()},
    "remote_help.price_per_user_month": "Remote Help add-on price per user-month",
    "remote_help.licensed_users": "Remote Help licensed users",
    "transition.deployment_cost": "Deployment cost",
    "transition.training_hours": "Training hours",
    "transition.training_rate_per_hour": "Training rate per hour",
    "transition.network_change_hours": "Network change hours",
    "transition.network_rate_per_hour": "Network rate per hour",
    "transition.pilot_cost": "Pilot cost",
    "discount_rate": "Discount rate",
    "requirements.external_or_unmanaged_support": "External or unmanaged support",
    "requirements.unattended_windows": "Unattended Windows access",
    "requirements.unattended_windows_clients": "Unattended access to corporate Windows PCs",
    "requirements.privileged_access_management": "Privileged access management (PAM)",
    "requirements.mandatory_session_recording": "Mandatory session recording",
    "requirements.bundled_rmm_ticketing": "RMM / ticketing in the support tool",
    "requirements.unsupported_platforms": "Linux, iOS or ChromeOS endpoints",
    "pilot.devices": "Device inventory (Intune device exports)",
    "pilot.routing": "How residual work is routed",
    "decision.accept": "Work given up by decision",
    "horizon_months": "Horizon",
    "remote_help.licensing": "Remote Help licensing",
    "environment.proxy": "Web proxy",
    "environment.federation": "Identity federation",
    "risk_adjustment.benefit_haircut": "Savings reduced by (risk adjustment)",
    "risk_adjustment.cost_uplift": "New spend raised by (risk adjustment)",
    "requirements.on_prem_or_air_gapped": "On-premises or air-gapped support",
}


def _split(part: str) -> tuple[str, str]:
    # contract names and actions may both hold underscores: the action is the suffix
    for action in sorted(ACTIONS, key=len, reverse=True):
        if part.endswith(f"_{action}"):
            return part[: -len(action) - 1], action
    return part, ""


def label(key: str) -> str:
    """The words for ``key`` (an id, a plan name or a parameter key)."""
    if key in LABELS:
        return LABELS[key]
    if "+" in key or any(key.startswith(f"{c.name}_") for c in CONTRACTS):
        parts = []
        for part in key.split("+"):
            contract, action = _split(part)
            words = {
                "renew": "renew",
                "right_size": "right-size",
                "cancel": "cancel",
                "consolidate": "consolidate",
            }.get(action, action.replace("_", " "))
            parts.append(f"{words} {contract_for(contract).short}")
        text = ", ".join(parts)
        return text[:1].upper() + text[1:]
    if key in SCENARIO_ACTIONS:
        return key.replace("_", " ").capitalize()
    section, _, rest = key.partition(".")
    for c in CONTRACTS:
        if section == c.name and rest:
            # a contract's own key: named by the product, not the section id
            return f"{c.short} {rest.replace('_', ' ')}"
    return key.replace(".", " ").replace("_", " ").capitalize()


def key_words(key: str) -> str:
    """A parameter key where the reader is told which key to edit: its words, then the key
    marked as such (``Discount rate (parameter discount_rate)``)."""
    return f"{label(key)} (parameter {key})"


# Internal references a reader cannot open: research notes, the seed memo's file id.
_RESEARCH = re.compile(r"(?:\.\./)?(?:shared/)?research/[\w./-]+\.md")
_SEED_ID = re.compile(r"seed [0-9]{3}_[0-9a-f]{8,}")
_FILE_LINE = re.compile(r"^[\w.-]+\.ya?ml:(\d+)$")
# Reason codes and criterion ids that read as words once their underscores go.
_IDS = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
_DOTTED = re.compile(r"([\w\[\]*-]+(?:\.[\w\[\]*-]+)+)")


def source_words(source: str) -> str:
    """A source as the reader can follow it: research notes and file ids left out, the
    parameters file's line said as such."""
    m = _FILE_LINE.match(source.strip())
    if m:
        return f"parameters file, line {m.group(1)}"
    text = _RESEARCH.sub("rhmodel research notes", source)
    return _SEED_ID.sub("the seed memo", text)


def need_words(need: str) -> str:
    """A need (a criterion id or reason code) as words inside a sentence: its label, in lower
    case where the label's second letter is (acronyms keep their capitals).

    Examples
    --------
    >>> need_words("rmm_ticketing"), need_words("unattended"), need_words("platforms")
    ('bundled RMM / ticketing', 'unattended access', 'unsupported platforms')
    >>> need_words("PAM_review")
    'PAM review'
    """
    words = LABELS.get(need) or need.replace("_", " ")
    return words[:1].lower() + words[1:] if words[1:2].islower() else words


def humanise(text: str) -> str:
    """A sentence built from ids, in words: each reason code or criterion id in it
    (``rmm_ticketing``) becomes its label in lower case, and internal references go
    (:func:`source_words`).
    Parameter keys (with a dot) stay: a sentence that names one tells the reader to edit it."""

    def one(m: re.Match[str]) -> str:
        word = m.group()
        if _is_key(word):
            # a top-level key (tenant_cloud): the name to edit, marked as one
            before = m.string[: m.start()]
            return word if before.endswith("parameter ") else f"parameter {word}"
        # "Bundled RMM / ticketing" → "bundled RMM / ticketing": keep acronyms' capitals
        return need_words(word) if word in LABELS else word

    # a parameter key or a file name (a dotted word) is left as written; a key is marked as
    # one, so the reader knows it is the name to edit, not a word
    pieces = _DOTTED.split(source_words(text))
    out = []
    for i, piece in enumerate(pieces):
        if not i % 2:
            out.append(_PLATFORMS.sub(lambda m: _PLATFORM_WORDS[m.group()], _IDS.sub(one, piece)))
        elif _is_key(piece) and not out[-1].endswith(("parameter ", "parameter <code>")):
            out.append(f"parameter {piece}")
        else:
            out.append(piece)
    return _COUNT.sub(lambda m: f"{int(m.group()):,}", "".join(out))


_PLATFORM_WORDS = {
    "linux": "Linux",
    "ios": "iOS",
    "ipados": "iPadOS",
    "android": "Android",
    "chromeos": "ChromeOS",
    "macos": "macOS",
}
_PLATFORMS = re.compile(r"\b(?:" + "|".join(_PLATFORM_WORDS) + r")\b")
# a bare count of sessions or draws, as the model's sentences write it ("4598 sessions")
_COUNT = re.compile(r"(?<![\d,.])\d{4,}(?= (?:sessions|draws|records|users|devices)\b)")


def _is_key(token: str) -> bool:
    """Whether ``token`` is a parameter key (the schema's, or a section of it such as
    ``residual.*`` or ``remote_help.user_groups``)."""
    from rhmodel.core.params import SCHEMA

    keys = _keys(tuple(s.key for s in SCHEMA))
    token = token.rstrip("*").rstrip(".")
    return token in keys or any(k.startswith(token + ".") for k in keys)


@functools.cache
def _keys(keys: tuple[str, ...]) -> frozenset[str]:
    return frozenset(keys)
