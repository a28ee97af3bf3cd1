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
"""

from __future__ import annotations

from rhmodel.core.products import (
    ACTIONS,
    CONTRACTS,
    PRODUCT_NAMES,
    SCENARIO_ACTIONS,
    Contract,
    contract_for,
)

__all__ = ["LABELS", "label"]


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
    # verdicts
    "keep": "Keep",
    "replace": "Replace",
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
    return key.replace(".", " ").replace("_", " ").capitalize()
