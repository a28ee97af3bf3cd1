"""An independent, deliberately plain implementation of the money model, month by month.

Written from the issue's definitions, without numpy and without reading rhmodel.core.money.cashflows, so
that the vectorised model is checked against a second reading of the same text.
"""

from __future__ import annotations

from typing import Any

CONTRACTS = (
    # (section, count key, price key, residual key, months per price unit)
    ("logmein", "agents", "price_per_agent_month", "logmein_agents", 1),
    ("beyondtrust", "concurrent_seats", "price_per_seat_year", "beyondtrust_seats", 12),
)


PINNED = {"status_quo": "renew", "right_size": "right_size", "cancel": "cancel"}


def actions_of(scenario: str) -> dict[str, str]:
    """Each contract's action: a pinned scenario gives all the same one; a plan is written
    ``logmein_cancel+beyondtrust_right_size`` (a contract it leaves out keeps nothing)."""
    if scenario in PINNED:
        return {section: PINNED[scenario] for section, *_ in CONTRACTS}
    out = {section: "cancel" for section, *_ in CONTRACTS}
    for part in scenario.split("+"):
        section, action = part.split("_", 1)
        out[section] = action
    return out


def monthly(p: dict[str, Any], scenario: str, delay: dict[str, int] | None = None) -> list[float]:
    """Cost of ``scenario`` (or plan) in each month 1..horizon. ``p`` is a nested dict like the
    YAML; ``delay`` shifts a contract's change by whole terms."""
    delay = delay or {}
    actions = actions_of(scenario)
    residual = p.get("residual", {})
    pools = {section: residual.get(key, 0) or 0 for section, _c, _p, key, _ in CONTRACTS}
    horizon = p.get("horizon_months", 36)
    out = []
    for m in range(1, horizon + 1):
        total = 0.0
        for section, count_key, price_key, _residual, per in CONTRACTS:
            c = p.get(section, {})
            count = c.get(count_key, 0)
            if not count:
                continue
            renewal = c["months_to_renewal"]
            term = c.get("term_months", 12)
            uplift = c.get("uplift", 0.0)
            renewals_so_far = 0 if m <= renewal else (m - renewal - 1) // term + 1
            price = c[price_key] / per * (1 + uplift) ** renewals_so_far
            changed = m > renewal + delay.get(section, 0) * term
            action = actions[section]
            if action == "renew" or not changed:
                units = count
            elif action == "right_size":
                # the other contract's pool moves here, licence for licence, if consolidated
                moved = sum(
                    pools[other]
                    for other, a in actions.items()
                    if a == "consolidate" and other != section
                )
                units = pools[section] + moved
            else:
                units = 0
            if c.get("billing", "monthly") == "monthly":
                total += units * price
            elif m > renewal and (m - renewal - 1) % term == 0:
                total += units * price * term
        if any(a != "renew" for a in actions.values()):
            rh = p.get("remote_help", {})
            if rh.get("licensing", "included") == "add_on":
                total += rh["licensed_users"] * rh.get("price_per_user_month", 3.5)
            if m == 1:
                t = p.get("transition", {})
                total += (
                    t.get("deployment_cost", 0)
                    + t.get("training_hours", 0) * t.get("training_rate_per_hour", 0)
                    + t.get("network_change_hours", 0) * t.get("network_rate_per_hour", 0)
                )
        out.append(total)
    return out


def new_spend(p: dict[str, Any], scenario: str) -> list[float]:
    """Remote Help licences + transition, per month."""
    if all(a == "renew" for a in actions_of(scenario).values()):
        return [0.0] * p.get("horizon_months", 36)
    bare = {k: v for k, v in p.items() if k not in ("logmein", "beyondtrust")}
    return monthly(bare, scenario)


def metrics(
    p: dict[str, Any],
    scenario: str,
    delay: dict[str, int] | None = None,
    haircut: float = 0.0,
    uplift: float = 0.0,
) -> dict[str, Any]:
    """total_cost, savings, npv, roi, payback_months exactly as the issue defines them."""
    r = p.get("discount_rate", 0.10)
    sq = monthly(p, "status_quo")
    sc = monthly(p, scenario, delay)
    new = new_spend(p, scenario)
    if haircut or uplift:
        # risk adjustment: incumbent savings down by the haircut, new spend up by the uplift
        sc = [
            q - ((q - (s - n)) * (1 - haircut)) + n * (1 + uplift)
            for q, s, n in zip(sq, sc, new, strict=True)
        ]
        new = [n * (1 + uplift) for n in new]
    diff = [a - b for a, b in zip(sq, sc, strict=True)]
    npv = sum(d / (1 + r) ** (m / 12) for m, d in enumerate(diff, start=1))
    pv_new = sum(n / (1 + r) ** (m / 12) for m, n in enumerate(new, start=1))
    cum = [0.0]
    for d in diff:
        cum.append(cum[-1] + d)
    payback = None
    for start in range(len(cum)):
        if all(c >= -1e-6 for c in cum[start:]):
            payback = start
            break
    return {
        "total_cost": sum(sc),
        "savings": sum(diff),
        "npv": npv,
        "roi": npv / pv_new if pv_new > 0 else None,
        "payback_months": payback,
        "monthly_cost": sc,
    }
