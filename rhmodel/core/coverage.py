"""Which incumbent pool can do the residual work, and which plans are viable.

The decision (:mod:`rhmodel.core.decision`) says which needs Remote Help cannot meet (its
``keep_for``). This module says who can meet them and whether a plan — one action per incumbent
contract — leaves every such need with a pool that covers it.

Rules (the README's "Plans and coverage" section says the same):

- **Needs of a contract.** With a pilot, a contract must serve the unaccepted needs its own
  residual sessions showed (by reason code). A failing need no contract's sessions showed (a
  declared need, or every need when there is no pilot) must be served by *some* kept pool.
- **Covers.** A product covers a need when its matrix level is ``yes``. ``partial`` counts only
  when no incumbent in the matrix has ``yes`` for it, and then with the seed's words as a
  caveat. Work the pilot marked ``other`` is covered by the tool it was done on and by no other
  (nothing says what it needed).
- **Actions.** ``renew`` keeps the contract as it is (always possible). ``right_size`` keeps
  ``residual.*`` licences, which must cover the contract's needs (a pool of 0 covers nothing).
  ``cancel`` is possible only when the contract has no needs left. ``consolidate`` cancels it
  and moves its residual work to another held incumbent the plan keeps, which must cover that
  work; that pool grows by the pool this one would have kept, licence for licence. Of the
  incumbents the plan keeps, the work goes to the first that covers every need the contract's
  work showed (:func:`absorb_order`; ties in the record's ``consolidate_into`` order, then the
  table's). With two incumbents it is always the other.
- **Plan.** Viable when every contract's action is possible and every other failing need has a
  kept pool that covers it. With a verdict of ``keep`` only renewing everything is viable.
- **Coverage gap.** A failing need that no contract the organisation holds covers; the gap names
  the product that would (not priced: the model has no quote for a product not held).

Examples
--------
>>> from rhmodel.edges.bundled import load_capabilities
>>> from rhmodel.edges.paramfile import parse_parameters
>>> from rhmodel.core.document import parse_yaml
>>> from rhmodel.core.decision import decide
>>> m = load_capabilities()
>>> p = parse_parameters(parse_yaml('''
... requirements: {privileged_access_management: true}
... logmein: {agents: 10, price_per_agent_month: 40, months_to_renewal: 3}
... beyondtrust: {concurrent_seats: 0}
... residual: {logmein_agents: 2}
... ''', "p.yaml"))
>>> gaps = coverage_gaps(p, m, decide(p, m))
>>> [(g.need, g.product) for g in gaps]
[('privileged_access', 'beyondtrust')]
>>> [(o.name, o.viable) for o in plan_options(p, m, decide(p, m))][:3]
[('status_quo', True), ('right_size', False), ('cancel', False)]
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import ClassVar

from rhmodel.core.capabilities import CapabilityMatrix, Criterion
from rhmodel.core.decision import Decision
from rhmodel.core.labels import need_words
from rhmodel.core.params import Parameters
from rhmodel.core.products import (
    ACTIONS,
    CONTRACTS,
    INCUMBENTS,
    PRODUCT_NAMES,
    SCENARIOS,
    Contract,
    absorb_candidates,
    consolidation_target,
    contract_for,
    plan_actions,
    plan_name,
)

__all__ = [
    "CoverageGap",
    "PlanOption",
    "absorb_order",
    "contract_needs",
    "coverage_gaps",
    "held_contracts",
    "plan_options",
]

#: How disruptive each action is, for breaking NPV ties (less disruptive wins).
DISRUPTION = {"renew": 0, "right_size": 1, "consolidate": 2, "cancel": 3}


@dataclass(frozen=True)
class CoverageGap:
    """A need Remote Help cannot meet and no contract the organisation holds covers.

    Attributes
    ----------
    need : str
        The criterion id (``privileged_access``).
    product : str or None
        The incumbent product that covers it (level ``yes``) but is not held; ``None`` when
        no incumbent does.
    reason : str
        In words, with the seed's wording of what is held.
    """

    json_fields: ClassVar[tuple[str, ...]] = ("need", "product", "reason")

    need: str
    product: str | None
    reason: str


@dataclass(frozen=True)
class PlanOption:
    """One combination of actions, at first-renewal timing.

    Attributes
    ----------
    name : str
        Its scenario name (:func:`rhmodel.core.products.plan_name`).
    actions : dict[str, str]
        Contract name → action, for the contracts held.
    keep : dict[str, float]
        Contract name → licences kept after the change (the base case).
    viable : bool
        Whether the plan leaves every failing need with a pool that covers it.
    why : str
        What the plan does, or why it is not viable.
    caveats : tuple of str
        Partial coverage relied on, in the seed's words.
    """

    json_fields: ClassVar[tuple[str, ...]] = (
        "name",
        "actions",
        "keep",
        "viable",
        "why",
        "caveats",
        "into",
    )

    name: str
    actions: dict[str, str]
    keep: dict[str, float]
    viable: bool
    why: str
    caveats: tuple[str, ...] = ()
    #: Contract consolidated → the contract whose pool takes its work.
    into: dict[str, str] = field(default_factory=dict)

    @property
    def disruption(self) -> int:
        """Sum of the actions' disruption ranks; a pool of 0 counts as cancelling."""
        return sum(
            DISRUPTION["cancel" if a == "right_size" and not self.keep[c] else a]
            for c, a in self.actions.items()
        )


def held_contracts(params: Parameters) -> tuple[Contract, ...]:
    """The contracts the organisation holds licences on (a count above 0, or a range)."""
    return tuple(
        c
        for c in CONTRACTS
        if params[c.count_key] not in (0, None) or params.value(c.count_key).uncertain is not None
    )


def _criteria(matrix: CapabilityMatrix) -> dict[str, Criterion]:
    return {c.id: c for c in matrix.criteria}


def _by_reason(matrix: CapabilityMatrix) -> dict[str, str]:
    out = {c.reason_code: c.id for c in matrix.criteria if c.reason_code}
    out["other"] = "other"
    return out


def contract_needs(
    params: Parameters, matrix: CapabilityMatrix, decision: Decision
) -> tuple[dict[str, dict[str, int]], tuple[str, ...]]:
    """The failing needs each contract's own residual work showed, and the rest.

    Returns
    -------
    per_contract : dict[str, dict[str, int]]
        Contract name → need id → residual pilot sessions (only failing, unaccepted needs).
    shared : tuple of str
        Failing needs no contract's pilot work showed: some kept pool must cover each.
    """
    failing = set(decision.keep_for)
    codes = _by_reason(matrix)
    per: dict[str, dict[str, int]] = {}
    for c in CONTRACTS:
        seen = params.observed_by_contract.get(c.name, {})
        per[c.name] = {
            codes[r]: n for r, n in seen.items() if n and r in codes and codes[r] in failing
        }
    shown = {n for v in per.values() for n in v}
    return per, tuple(n for n in decision.keep_for if n not in shown)


def absorb_order(
    params: Parameters, matrix: CapabilityMatrix, decision: Decision
) -> dict[str, tuple[str, ...]]:
    """Per held contract, the other held contracts in the order they are tried when it is
    consolidated: those covering every need its residual work showed first, then the rest,
    each group in the record's ``consolidate_into`` order and then the table's.

    Examples
    --------
    >>> from rhmodel.edges.bundled import load_capabilities
    >>> from rhmodel.edges.paramfile import parse_parameters
    >>> from rhmodel.core.document import parse_yaml
    >>> from rhmodel.core.decision import decide
    >>> m = load_capabilities()
    >>> p = parse_parameters(parse_yaml('''
    ... logmein: {agents: 10, price_per_agent_month: 40, months_to_renewal: 3}
    ... beyondtrust: {concurrent_seats: 4, price_per_seat_year: 2000, months_to_renewal: 3}
    ... residual: {logmein_agents: 2, beyondtrust_seats: 1}
    ... ''', "p.yaml"))
    >>> absorb_order(p, m, decide(p, m))
    {'logmein': ('beyondtrust',), 'beyondtrust': ('logmein',)}
    """
    held = [c.name for c in held_contracts(params)]
    per, _shared = contract_needs(params, matrix, decision)
    out = {}
    for c in held:
        candidates = [o for o in absorb_candidates(c) if o in held]
        needs = per.get(c, {})

        def covers_all(host: str, needs: dict[str, int] = needs) -> bool:
            return all(covers(matrix, decision, n, host)[0] for n in needs)

        out[c] = tuple(sorted(candidates, key=lambda o: not covers_all(o)))
    return out


def _level(matrix: CapabilityMatrix, need: str, product: str, decision: Decision) -> str:
    """The product's level for the need (platforms: whether it supports what is missing)."""
    crit = _criteria(matrix)[need]
    cell = matrix.cell(crit.dimension, product)
    if crit.kind == "platforms":
        missing = decision.criterion(need).missing_platforms
        if missing:
            return "yes" if set(missing) <= set(cell.platforms) else "no"
    return cell.level


def covers(
    matrix: CapabilityMatrix, decision: Decision, need: str, contract: str, own: bool = False
) -> tuple[bool, str]:
    """Whether ``contract``'s pool covers ``need``, and the caveat (or why not) in words.

    ``own`` says the work was done on this contract's tool in the pilot (``other`` work is
    covered only there).

    Examples
    --------
    >>> from rhmodel.edges.bundled import load_capabilities
    >>> from rhmodel.edges.paramfile import parse_parameters
    >>> from rhmodel.core.document import parse_yaml
    >>> from rhmodel.core.decision import decide
    >>> m = load_capabilities()
    >>> d = decide(parse_parameters(parse_yaml("", "p.yaml")), m)
    >>> covers(m, d, "privileged_access", "beyondtrust")[0]
    True
    >>> ok, why = covers(m, d, "privileged_access", "logmein")
    >>> ok, why.startswith("LogMeIn Resolve covers privileged access (PAM) only partly")
    (False, True)
    """
    product = contract_for(contract).product
    name = PRODUCT_NAMES[product]
    if need == "other":
        if own:
            return True, ""
        return False, (
            f"the pilot does not say what its 'other' work needed, so {name} is not known to "
            "cover it"
        )
    level = _level(matrix, need, product, decision)
    words = need_words(need)
    if level == "yes":
        return True, ""
    crit = _criteria(matrix)[need]
    best = [p for p in INCUMBENTS if _level(matrix, need, p, decision) == "yes"]
    cell = matrix.cell(crit.dimension, product)
    quoted = f"\u201c{cell.text}\u201d ({cell.source})"
    if level == "partial" and not best:
        return True, f"{name} covers {words} only partly: {quoted}."
    if level == "partial":
        others = ", ".join(PRODUCT_NAMES[p] for p in best)
        return False, f"{name} covers {words} only partly ({quoted}); {others} covers it fully"
    return False, f"{name} does not cover {words} ({quoted})"


def coverage_gaps(
    params: Parameters, matrix: CapabilityMatrix, decision: Decision
) -> tuple[CoverageGap, ...]:
    """Failing needs that no contract the organisation holds covers."""
    held = held_contracts(params)
    per, _shared = contract_needs(params, matrix, decision)
    gaps = []
    for need in decision.keep_for:
        if need not in _criteria(matrix):
            continue  # "other": done on a held tool, which covers it by construction
        if any(covers(matrix, decision, need, c.name, own=need in per[c.name])[0] for c in held):
            continue
        crit = _criteria(matrix)[need]
        if crit.kind == "cloud":
            continue  # the tenant cannot use Remote Help at all: the verdict is keep
        best = [p for p in INCUMBENTS if _level(matrix, need, p, decision) == "yes"]
        missing = [p for p in best if p not in {c.product for c in held}]
        held_words = (
            "; ".join(covers(matrix, decision, need, c.name)[1] for c in held)
            or "no incumbent contract is held"
        )
        if missing:
            reason = (
                f"Only {', '.join(PRODUCT_NAMES[p] for p in missing)} covers "
                f"{need_words(need)}, and it is not held: {held_words}. Not priced: give "
                "its quote (licences held, price and pool) to weigh buying it."
            )
        else:
            reason = f"No incumbent covers {need_words(need)}: {held_words}."
        gaps.append(CoverageGap(need=need, product=missing[0] if missing else None, reason=reason))
    return tuple(gaps)


def _sessions(needs: dict[str, int]) -> str:
    return ", ".join(f"{need_words(n)} {k:,}" for n, k in needs.items())


def _judge(
    params: Parameters,
    matrix: CapabilityMatrix,
    decision: Decision,
    actions: dict[str, str],
    keep: dict[str, float],
    order: dict[str, tuple[str, ...]],
) -> tuple[bool, str, tuple[str, ...]]:
    """Whether the plan is viable, why (what it does, or what fails), and its caveats."""
    if all(a == "renew" for a in actions.values()):
        return True, "Renew every contract as it is.", ()
    if decision.verdict == "keep":
        return False, f"Not viable: {decision.summary}", ()
    per, shared = contract_needs(params, matrix, decision)
    caveats: list[str] = []
    problems: list[str] = []
    kept = [c for c, a in actions.items() if a in ("renew", "right_size") and keep[c] > 0]
    for c, a in actions.items():
        short = contract_for(c).short
        needs = per.get(c, {})
        if a == "cancel" and needs:
            problems.append(
                f"cancelling {short} leaves its residual work ({_sessions(needs)} pilot "
                "sessions) with no pool: right-size or consolidate it, or accept giving the work "
                "up (decision.accept)"
            )
        elif a == "right_size" and needs and not keep[c]:
            problems.append(f"a pool of 0 {short} licences cannot do its residual work")
        elif a in ("right_size", "renew", "consolidate"):
            host = consolidation_target(c, actions, order) if a == "consolidate" else c
            if a == "consolidate" and (host not in actions or host not in kept):
                others = [o for o in order.get(c, ()) if o != c] or [host]
                pools = " or ".join(contract_for(o).short for o in others)
                problems.append(f"consolidating {short} needs a {pools} pool kept")
                continue
            for need in needs:
                ok, words = covers(matrix, decision, need, host, own=host == c)
                if ok and words:
                    caveats.append(words)
                elif not ok and a != "renew":
                    problems.append(f"{short}'s {need_words(need)} work: {words}")
                elif not ok:
                    caveats.append(f"renewed as it is, {words}")
    for need in shared:
        found = [f for f in (covers(matrix, decision, need, c) for c in kept) if f[0]]
        if not found:
            problems.append(f"no pool kept covers {need_words(need)}")
        elif all(words for _ok, words in found):
            caveats.append(found[0][1])
    if problems:
        return False, "Not viable: " + "; ".join(problems) + ".", tuple(dict.fromkeys(caveats))
    return True, _describe(actions, keep, order), tuple(dict.fromkeys(caveats))


def _describe(
    actions: dict[str, str], keep: dict[str, float], order: dict[str, tuple[str, ...]]
) -> str:
    words = []
    for c, a in actions.items():
        con = contract_for(c)
        if a == "renew":
            words.append(f"renew {con.short} as it is")
        elif a == "right_size":
            words.append(f"keep {keep[c]:g} {con.short} {con.unit}")
        elif a == "cancel":
            words.append(f"cancel {con.short}")
        else:
            words.append(
                f"cancel {con.short} and move its residual work to "
                f"{contract_for(consolidation_target(c, actions, order)).short}"
            )
    text = "; ".join(words)
    return text[:1].upper() + text[1:] + " at each first renewal; Remote Help carries the rest."


def _keep(
    params: Parameters, actions: dict[str, str], order: dict[str, tuple[str, ...]]
) -> dict[str, float]:
    """Licences each contract keeps after its change (a pool below the vendor's minimum is
    raised to it, as the cash flows do)."""
    out = {}
    for c, a in actions.items():
        con = contract_for(c)
        if a == "renew":
            out[c] = float(params[con.count_key] or 0)
        elif a == "right_size":
            n = float(params[con.residual_key] or 0)
            for other, b in actions.items():
                if b == "consolidate" and consolidation_target(other, actions, order) == c:
                    n += float(params[contract_for(other).residual_key] or 0)
            out[c] = max(n, float(params[con.min_key] or 0)) if n > 0 else 0.0
        else:
            out[c] = 0.0
    return out


def _minimum_notes(
    params: Parameters,
    actions: dict[str, str],
    keep: dict[str, float],
    order: dict[str, tuple[str, ...]],
) -> str:
    notes = []
    for c, a in actions.items():
        con = contract_for(c)
        if a != "right_size" or not keep[c]:
            continue
        wanted = float(params[con.residual_key] or 0) + sum(
            float(params[contract_for(o).residual_key] or 0)
            for o, b in actions.items()
            if b == "consolidate" and consolidation_target(o, actions, order) == c
        )
        if keep[c] > wanted:
            notes.append(
                f" The {con.short} pool of {wanted:g} is raised to the vendor's minimum of "
                f"{keep[c]:g} {con.unit} ({con.min_key})."
            )
    return "".join(notes)


def plan_options(
    params: Parameters, matrix: CapabilityMatrix, decision: Decision
) -> list[PlanOption]:
    """Every combination of actions on the contracts held, the pinned scenarios first.

    With ``n`` contracts held there are ``4 ** n`` combinations. A contract whose
    ``residual.*`` is 0 is not offered ``right_size`` in a mixed plan (it would be the same as
    cancelling); consolidating is not offered when no other contract is held.
    """
    held = [c.name for c in held_contracts(params)]
    order = absorb_order(params, matrix, decision)
    options: dict[str, PlanOption] = {}

    def add(actions: dict[str, str]) -> None:
        name = plan_name(actions) if actions else "status_quo"
        if name in options:
            return
        keep = _keep(params, actions, order)
        viable, why, caveats = _judge(params, matrix, decision, actions, keep, order)
        why += _minimum_notes(params, actions, keep, order)
        into = {
            c: consolidation_target(c, actions, order)
            for c, a in actions.items()
            if a == "consolidate"
        }
        options[name] = PlanOption(name, dict(actions), keep, viable, why, caveats, into)

    for s in SCENARIOS:
        add({c: a for c, a in plan_actions(s).items() if c in held})
    for combo in itertools.product(ACTIONS, repeat=len(held)):
        actions = dict(zip(held, combo, strict=True))
        if any(a == "consolidate" and not order.get(c) for c, a in actions.items()):
            continue  # no other held contract to take the work
        if any(
            a == "right_size" and not params[contract_for(c).residual_key]
            for c, a in actions.items()
        ):
            continue
        add(actions)
    return list(options.values())


def recommend(options: list[PlanOption], npv: dict[str, float]) -> PlanOption:
    """The viable option with the highest NPV; ties (within a millionth of a dollar: float
    noise) go to the less disruptive, then to the earlier (pinned scenarios come first)."""
    viable = [o for o in options if o.viable]
    return min(viable, key=lambda o: (-round(npv[o.name], 6), o.disruption))
