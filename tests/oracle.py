"""An independent, deliberately plain implementation of the money model, month by month.

Written from the issue's definitions, without numpy and without reading rhmodel.core.money.cashflows, so
that the vectorised model is checked against a second reading of the same text.
"""

from __future__ import annotations

from typing import Any

CONTRACTS = (
    # (section, count key, price key, residual key, months per price unit, minimum key)
    ("logmein", "agents", "price_per_agent_month", "logmein_agents", 1, "min_agents"),
    (
        "beyondtrust",
        "concurrent_seats",
        "price_per_seat_year",
        "beyondtrust_seats",
        12,
        "min_seats",
    ),
    (
        "rescue",
        "technicians",
        "price_per_technician_year",
        "rescue_technicians",
        12,
        "min_technicians",
    ),
    ("teamviewer", "users", "price_per_user_year", "teamviewer_users", 12, "min_users"),
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


def _contract_month(
    p: dict[str, Any],
    section: str,
    m: int,
    actions: dict[str, str],
    delay: dict[str, int],
    hosts: dict[str, str] | None = None,
    cuts: dict[str, int] | None = None,
) -> tuple[float, float]:
    """One contract's cost in month m, and what that month's payment buys beyond the horizon.

    ``hosts`` names, for each consolidated contract, the pool that takes its work (default:
    every right-sized contract other than itself, which is "the other one" with two)."""
    spec = next(x for x in CONTRACTS if x[0] == section)
    _section, count_key, price_key, residual_key, per, min_key = spec
    c = p.get(section, {})
    count = c.get(count_key, 0)
    if not count:
        return 0.0, 0.0
    horizon = p.get("horizon_months", 36)
    residual = p.get("residual", {})
    renewal = c["months_to_renewal"]
    term = c.get("term_months", 12)
    extras = c.get("extras_per_year", 0) / 12
    fixed = c.get("appliance_per_year", 0) / 12
    rate = c[price_key] / per * count + extras + fixed
    cut = (cuts or {}).get(section)
    changed = m >= cut if cut is not None else m > renewal + delay.get(section, 0) * term
    action = actions[section]
    keep = residual.get(residual_key, 0) or 0
    moved_in = 0
    for other, a in actions.items():
        if a != "consolidate" or other == section:
            continue
        if hosts is not None and hosts.get(other) != section:
            continue
        other_key = next(x[3] for x in CONTRACTS if x[0] == other)
        moved_in += residual.get(other_key, 0) or 0
    # a pool renewed as it is that takes more work than it holds grows at its renewal, at
    # today's price and add-ons (licence for licence without a pilot)
    grown = action == "renew" and moved_in and keep + moved_in > count
    if changed and (action != "renew" or grown):
        if action in ("right_size", "renew"):
            keep += moved_in
            minimum = c.get(min_key, 0)
            units = max(keep, minimum) if keep > 0 else 0
            price = c[price_key] if grown else c.get(f"residual_{price_key}", c[price_key])
            if units == 0:
                kept_extras = 0.0
            elif c.get("extras_per_year_residual") is not None and not grown:
                kept_extras = c["extras_per_year_residual"] / 12
            elif c.get("extras_scale", "fixed") == "per_agent":
                kept_extras = extras * units / count  # in proportion to the licences kept
            else:
                kept_extras = extras  # fixed (the default): endpoint licences stay whole
            rate = price / per * units + kept_extras + (fixed if units > 0 else 0.0)
        else:
            rate = 0.0
    fee = 0.0
    if cut is not None and m == cut and action != "renew":
        fee = c.get("termination_fee", 0.0)
    if c.get("billing", "monthly") == "monthly":
        return rate * price_factor(c, m) + fee, 0.0
    if m > renewal and (m - renewal - 1) % term == 0:
        # a term paid in advance: each of its months at that month's escalated price
        inside = sum(rate * price_factor(c, j) for j in range(m, min(m + term, horizon + 1)))
        past = sum(rate * price_factor(c, j) for j in range(horizon + 1, m + term))
        return inside + fee, past
    return fee, 0.0


def price_factor(c: dict[str, Any], j: int) -> float:
    """The price of month ``j`` relative to today's, listing the contract's events one by one.

    The renewal uplift (``uplift``, or ``escalator`` with timing at_renewal): the latest renewal
    on or before ``j`` carries ``1 + (its month − first renewal) // 12`` years of it. A yearly
    escalator: one step at each contract anniversary inside a term, counted by walking the
    terms — the current term's years end with it; a renewed term's start 12, 24, … months
    after its first month.
    """
    renewal = c["months_to_renewal"]
    term = c.get("term_months", 12)
    escalator = c.get("escalator", {})
    rate = escalator.get("rate", 0.0)
    yearly = escalator.get("timing", "at_renewal") == "yearly"
    factor = 1.0
    if j > renewal:
        last_renewal = renewal + 1 + ((j - renewal - 1) // term) * term
        years = 1 + (last_renewal - (renewal + 1)) // 12
        factor *= (1 + c.get("uplift", 0.0)) ** years
        if not yearly:
            factor *= (1 + rate) ** years
    if yearly:
        steps = 0
        month = renewal + 1 - 12  # the current term's anniversaries, walking back
        while month >= 2:
            steps += month <= j
            month -= 12
        start = renewal + 1
        while start <= j:
            k = 1
            while 12 * k < term:
                steps += start + 12 * k <= j
                k += 1
            start += term
        factor *= (1 + rate) ** steps
    return factor


def monthly(
    p: dict[str, Any],
    scenario: str,
    delay: dict[str, int] | None = None,
    beyond: list[float] | None = None,
    hosts: dict[str, str] | None = None,
    cuts: dict[str, int] | None = None,
) -> list[float]:
    """Cost of ``scenario`` (or plan) in each month 1..horizon. ``p`` is a nested dict like the
    YAML; ``delay`` shifts a contract's change by whole terms; ``beyond`` (a list) collects
    what each month's payments buy after the horizon."""
    delay = delay or {}
    actions = actions_of(scenario)
    horizon = p.get("horizon_months", 36)
    out = []
    for m in range(1, horizon + 1):
        total = 0.0
        past = 0.0
        for section, *_ in CONTRACTS:
            cost, after = _contract_month(p, section, m, actions, delay, hosts, cuts)
            total += cost
            past += after
        if beyond is not None:
            beyond.append(past)
        total += new_spend_month(p, scenario, m)
        out.append(total)
    return out


def new_spend_month(p: dict[str, Any], scenario: str, m: int) -> float:
    """Remote Help licences and administration (from its start month), and the one-off costs
    of month 1, in a plan that adopts Remote Help."""
    if all(a == "renew" for a in actions_of(scenario).values()):
        return 0.0
    rh = p.get("remote_help", {})
    total = 0.0
    if m >= rh.get("start_month", 1):
        if rh.get("licensing", "included") == "add_on":
            total += rh["licensed_users"] * rh.get("price_per_user_month", 3.5)
        for group in rh.get("user_groups", []):
            total += group_month(group)
        total += rh.get("admin_hours_per_month", 0) * rh.get("admin_rate_per_hour", 0)
    if m == 1:
        t = p.get("transition", {})
        total += (
            t.get("deployment_cost", 0)
            + t.get("training_hours", 0) * t.get("training_rate_per_hour", 0)
            + t.get("network_change_hours", 0) * t.get("network_rate_per_hour", 0)
            + t.get("pilot_cost", 0)
        )
    return total


# List prices per user per month from research/pricing-and-licensing.md (US$); the frontline
# licence has none, so a frontline group always states its price.
LIST_PRICE = {"addon": 3.50, "plan2": 4.00, "suite": 10.00}


def group_month(group: dict[str, Any]) -> float:
    """One user group's licences in a month: nothing when included; otherwise every helper and
    sharer pays, except the sharers of an Android dedicated group (devices: helpers only)."""
    if group["licence"] == "included":
        return 0.0
    if group.get("android_dedicated", False):
        people = group.get("helpers", 0)
    elif "users" in group:
        people = group["users"]
    else:
        people = group.get("helpers", 0) + group.get("sharers", 0)
    return people * group.get("price_per_user_month", LIST_PRICE.get(group["licence"]))


def fees(p: dict[str, Any], scenario: str, cuts: dict[str, int] | None) -> list[float]:
    """Termination fees per month: each contract cut mid-term pays its fee in the cut month."""
    horizon = p.get("horizon_months", 36)
    out = [0.0] * horizon
    for section, cut in (cuts or {}).items():
        c = p.get(section, {})
        held = c.get(next(x[1] for x in CONTRACTS if x[0] == section), 0)
        if held and actions_of(scenario)[section] != "renew" and 1 <= cut <= horizon:
            out[cut - 1] += c.get("termination_fee", 0.0)
    return out


def new_spend(p: dict[str, Any], scenario: str) -> list[float]:
    """Remote Help licences, administration and one-off costs, per month."""
    return [new_spend_month(p, scenario, m) for m in range(1, p.get("horizon_months", 36) + 1)]


def metrics(
    p: dict[str, Any],
    scenario: str,
    delay: dict[str, int] | None = None,
    haircut: float = 0.0,
    uplift: float = 0.0,
    hosts: dict[str, str] | None = None,
    cuts: dict[str, int] | None = None,
) -> dict[str, Any]:
    """total_cost, savings, npv, roi, payback_months, the TEI year table, its present values
    and what is prepaid beyond the horizon, exactly as the issues define them."""
    r = p.get("discount_rate", 0.10)
    horizon = p.get("horizon_months", 36)
    beyond: list[float] = []
    sq = monthly(p, "status_quo")
    sc = monthly(p, scenario, delay, beyond, hosts, cuts)
    # a termination fee is the incumbent's cost (it reduces that contract's saving), but the
    # risk adjustment treats it as new spend: raised by the cost uplift, never cut by the haircut
    fee = fees(p, scenario, cuts)
    new = new_spend(p, scenario)
    adopts = any(a != "renew" for a in actions_of(scenario).values())
    t = p.get("transition", {})
    one_off = (
        t.get("deployment_cost", 0)
        + t.get("training_hours", 0) * t.get("training_rate_per_hour", 0)
        + t.get("network_change_hours", 0) * t.get("network_rate_per_hour", 0)
        + t.get("pilot_cost", 0)
        if adopts
        else 0.0
    )
    # incumbent spend avoided (benefits) and new spend (costs), month by month
    benefits = [q - (s - n - f) for q, s, n, f in zip(sq, sc, new, fee, strict=True)]
    running = [n - (one_off if m == 1 else 0.0) for m, n in enumerate(new, start=1)]
    if adopts and (haircut or uplift):
        benefits = [b * (1 - haircut) for b in benefits]
        running = [x * (1 + uplift) for x in running]
        one_off *= 1 + uplift
    benefits = [b - f * (1 + uplift) for b, f in zip(benefits, fee, strict=True)]
    new = [x + (one_off if m == 1 else 0.0) for m, x in enumerate(running, start=1)]
    sc = [q - b + n for q, b, n in zip(sq, benefits, new, strict=True)]
    diff = [a - b for a, b in zip(sq, sc, strict=True)]
    disc = [(1 + r) ** (-m / 12) for m in range(1, horizon + 1)]
    npv = sum(d * f for d, f in zip(diff, disc, strict=True))
    pv_new = sum(n * f for n, f in zip(new, disc, strict=True))
    cum = [0.0]
    for d in diff:
        cum.append(cum[-1] + d)
    payback = None
    if scenario != "status_quo":
        for start in range(len(cum)):
            if all(c >= -1e-6 for c in cum[start:]):
                payback = start
                break
    by_year = [{"year": 0, "benefits": 0.0, "costs": one_off, "net": -one_off}]
    for k in range(1, (horizon + 11) // 12 + 1):
        span = range(12 * (k - 1), min(12 * k, horizon))
        b = sum(benefits[i] for i in span)
        c = sum(running[i] for i in span)
        by_year.append({"year": k, "benefits": b, "costs": c, "net": b - c})
    return {
        "total_cost": sum(sc),
        "savings": sum(diff),
        "npv": npv,
        "roi": npv / pv_new if pv_new > 0 else None,
        "payback_months": payback,
        "monthly_cost": sc,
        "by_year": by_year,
        "pv_benefits": sum(b * f for b, f in zip(benefits, disc, strict=True)),
        "pv_costs": pv_new,
        "prepaid_beyond_horizon": sum(beyond),
    }
