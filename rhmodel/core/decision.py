"""The replace-or-keep decision (seed Section 4.4), derived from the capability matrix.

Each criterion of the matrix file names the requirement key that says whether the organisation
needs a capability, and the dimension whose Remote Help cell says whether Remote Help has it.
A criterion passes when the capability is not needed or Remote Help's level is ``yes``.

Verdict
-------
``keep``
    Remote Help cannot serve the tenant at all (a failing ``cloud`` criterion: DoD; GCC High is
    supported from Intune service release 2609).
``replace``
    Every criterion passes: move everything to Remote Help and cancel at renewal.
``right_size``
    Move the bulk to Remote Help and keep a specialist pool for the failing criteria.

The same rules classify one pilot session (:func:`classify_session`).

Examples
--------
>>> from rhmodel.edges.bundled import load_capabilities
>>> from rhmodel.edges.paramfile import parse_parameters
>>> from rhmodel.core.document import parse_yaml
>>> m = load_capabilities()
>>> decide(parse_parameters(parse_yaml("", "p.yaml")), m).verdict
'replace'
>>> d = decide(parse_parameters(parse_yaml("requirements: {mandatory_session_recording: true}",
...                                        "p.yaml")), m)
>>> d.verdict, d.keep_for
('right_size', ('session_recording',))
>>> decide(parse_parameters(parse_yaml("tenant_cloud: gcc_high", "p.yaml")), m).verdict
'replace'
>>> decide(parse_parameters(parse_yaml("tenant_cloud: dod", "p.yaml")), m).verdict
'keep'
>>> d = decide(parse_parameters(parse_yaml("requirements: {unattended_windows_clients: true}",
...                                        "p.yaml")), m)
>>> d.verdict, d.criterion("unattended_clients").remote_help_level
('replace', 'yes')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from rhmodel.core.capabilities import CapabilityMatrix, Criterion, staleness_note
from rhmodel.core.labels import need_words
from rhmodel.core.params import Parameters
from rhmodel.core.products import INCUMBENTS, PLATFORMS, REASON_CODES, Verdict
from rhmodel.errors import InputError

__all__ = [
    "CriterionResult",
    "Decision",
    "SessionClassification",
    "classify_session",
    "decide",
]


@dataclass(frozen=True)
class CriterionResult:
    """One criterion evaluated against the parameters (or one session).

    Attributes
    ----------
    id : str
        Criterion id (equal to the matrix dimension it rests on).
    passed : bool
        True when Remote Help suffices for this criterion.
    required : bool
        Whether the organisation (or session) needs the capability.
    explanation : str
        One paragraph: what was required, what Remote Help offers (the seed's words) and, on a
        failure, which incumbent can serve it.
    remote_help_level : str
        Remote Help's level on the dimension.
    evidence : str
        The seed's wording of Remote Help's cell.
    source : str
        Where the evidence comes from.
    served_by : tuple of str
        Incumbent products that cover the capability (level ``yes``, else ``partial``).
    missing_platforms : tuple of str
        For the platforms criterion: required platforms Remote Help does not support.
    """

    json_fields: ClassVar[tuple[str, ...]] = (
        "id",
        "passed",
        "explanation",
        "required",
        "remote_help_level",
        "evidence",
        "source",
        "served_by",
        "missing_platforms",
        "declared",
        "observed_sessions",
        "accepted",
        "observed_share",
    )

    id: str
    passed: bool
    required: bool
    explanation: str
    remote_help_level: str
    evidence: str
    source: str
    served_by: tuple[str, ...] = ()
    missing_platforms: tuple[str, ...] = ()
    declared: bool | str | None = None
    observed_sessions: int = 0
    accepted: bool = False
    observed_share: float | None = None


@dataclass(frozen=True)
class Decision:
    """The verdict, every criterion, and what a specialist pool must be kept for."""

    verdict: Verdict
    criteria: tuple[CriterionResult, ...]
    keep_for: tuple[str, ...]
    summary: str
    evidence_notes: tuple[str, ...] = ()
    #: The date of the newest review of the capability facts the verdict rests on.
    facts_as_of: dt.date | None = None
    #: One line when the analysis starts more than 90 days after ``facts_as_of`` ('' otherwise).
    facts_note: str = ""
    #: Whether the organisation moves unattended work on corporate Windows PCs to Remote Help
    #: (``requirements.unattended_windows_clients`` declared): the readiness checklist then
    #: carries the Windows unattended prerequisites.
    moves_unattended_windows: bool = False

    def criterion(self, criterion_id: str) -> CriterionResult:
        """The result of one criterion."""
        return next(c for c in self.criteria if c.id == criterion_id)


def _served_by(
    matrix: CapabilityMatrix, c: Criterion, missing_platforms: tuple[str, ...]
) -> tuple[str, ...]:
    if c.kind == "platforms":
        return tuple(
            p
            for p in INCUMBENTS
            if set(missing_platforms) <= set(matrix.cell(c.dimension, p).platforms)
        )
    cells = {p: matrix.cell(c.dimension, p).level for p in INCUMBENTS}
    best = [p for p in INCUMBENTS if cells[p] == "yes"]
    return tuple(best or [p for p in INCUMBENTS if cells[p] == "partial"])


def _evaluate(matrix: CapabilityMatrix, c: Criterion, need: Any) -> CriterionResult:
    """Evaluate criterion ``c`` for ``need``: a bool (flag), the needed platforms (platforms;
    ``True`` means "some unsupported platform"), or the tenant cloud name (cloud)."""
    rh = matrix.cell(c.dimension, "remote_help")
    missing: tuple[str, ...] = ()
    if c.kind == "cloud":
        required = need not in ("commercial",)
        passed = need in rh.supported_clouds
        asked = f"tenant cloud {need}" + ("" if passed else f" ({c.keep_if})")
    elif c.kind == "platforms":
        if need is True:
            # "some unsupported platform": every platform an incumbent in the matrix supports
            # and Remote Help does not (the union, so no one product's list decides it)
            missing = tuple(
                p
                for p in PLATFORMS
                if p not in rh.platforms
                and any(p in matrix.cell(c.dimension, i).platforms for i in INCUMBENTS)
            )
        else:
            missing = tuple(p for p in (need or ()) if p not in rh.platforms)
        required = bool(missing)
        passed = not missing
        asked = f"support for {', '.join(missing)} ({c.keep_if})" if missing else c.replace_if
    else:
        required = bool(need)
        level = rh.level_for(c.device) if c.device else rh.level
        passed = (not required) or level == "yes"
        asked = c.keep_if if required else c.replace_if
    level = rh.level_for(c.device) if c.kind == "flag" and c.device else rh.level
    remote_help = f"Remote Help: {level} — \u201c{rh.text}\u201d ({rh.source})."
    served = () if passed else _served_by(matrix, c, missing)
    if c.kind == "cloud" and passed:
        explanation = f"Tenant cloud {need}: Remote Help is available. {remote_help}"
    elif passed and not required:
        explanation = f"Not needed: {asked}. {remote_help}"
    elif passed:
        explanation = f"Needed ({asked}) and covered. {remote_help}"
    else:
        names = ", ".join(
            f"{matrix.product_short[p]} ({matrix.cell(c.dimension, p).level})" for p in served
        )
        keep = (
            f"Keep a specialist pool: {names}."
            if served
            else ("No incumbent in the matrix covers it either.")
        )
        if c.kind == "cloud":
            keep = "Remote Help cannot serve this tenant at all: keep the incumbents."
        explanation = f"Needed: {asked}. {remote_help} {keep}"
    return CriterionResult(
        id=c.id,
        passed=passed,
        required=required,
        explanation=explanation,
        remote_help_level=level,
        evidence=rh.text,
        source=rh.source,
        served_by=served,
        missing_platforms=missing,
    )


def _against_all(params: Parameters, requirement: str, need: str, observed: int) -> str:
    """The evidence note when a need is declared ``all`` but the pilot shows Remote Help served
    part of the work ("" when the pilot shows none)."""
    from rhmodel.core.pilot.evidence import pilot_evidence  # the pilot imports the decision

    total = params.pilot_sessions
    report = pilot_evidence(params)
    served = int(report.sessions_by_tool.get("remote_help", 0)) if report is not None else 0
    words = need_words(need)
    if served:
        return (
            f"{requirement} is all (every support session needs {words}), but the pilot shows "
            f"Remote Help served {served:,} of its {total:,} sessions ({served / total:.0%}), and "
            f"{observed:,} sessions needed {words}: check the declaration, or name the team "
            "whose work needs it (pilot.teams)."
        )
    if observed < total:
        return (
            f"{requirement} is all (every support session needs {words}), but only "
            f"{observed:,} of the pilot's {total:,} sessions needed it: check the declaration, "
            "or name the team whose work needs it (pilot.teams)."
        )
    return ""


def _evidence(observed: int, accepted: bool, note: str, total: int) -> str:
    """What the pilot saw for a criterion, in words, for its explanation."""
    share = f" ({observed / total:.1%} of the pilot's {total:,} sessions)" if total else ""
    if accepted:
        said = f" ({note})" if note else ""
        return (
            f" Pilot: {observed:,} sessions needed it{share}; the organisation accepts giving "
            f"that up{said} (decision.accept)."
        )
    if observed:
        return f" Pilot: {observed:,} sessions needed it{share}."
    return ""


def decide(params: Parameters, matrix: CapabilityMatrix) -> Decision:
    """Apply the seed's replace-or-keep test to the parameters.

    Parameters
    ----------
    params : Parameters
        Uses ``tenant_cloud`` and the ``requirements.*`` keys.
    matrix : CapabilityMatrix
        Supplies the criteria and Remote Help's cells.

    Returns
    -------
    Decision
        ``verdict`` is ``keep``, ``replace`` or ``right_size``; ``keep_for`` lists the failing
        criterion ids in matrix order.
    """
    results = []
    notes: list[str] = []
    accepted_codes = params.accepted_reasons()
    for c in matrix.criteria:
        if c.requirement not in params.values:
            # The matrix names a key the parameters schema lacks: a data/code mismatch (our bug).
            raise KeyError(f"criterion {c.id} needs unknown parameter {c.requirement}")
        need = params[c.requirement]
        if c.kind == "platforms":
            # A platform list names exactly what is missing; the bare flag means "some of
            # Linux, iOS, ChromeOS".
            listed = tuple(params["requirements.platforms"] or ())
            supported = matrix.cell(c.dimension, "remote_help").platforms
            named = any(p not in supported for p in listed)
            need = listed if named else (True if need else ())
        # as the file says it: false, true or "all" (a platform list counts as true)
        declared: bool | str = need if need == "all" else bool(need)
        observed = params.observed_residual.get(c.reason_code or "", 0)
        accepted = (c.reason_code or "") in accepted_codes
        if accepted:
            # giving the capability up is the organisation's decision: the need no longer
            # keeps a pool, whatever was declared or observed
            need = () if c.kind == "platforms" else False
        elif observed and not declared:
            # the pilot saw work that needs it: the need exists, whatever was declared
            need = True
            notes.append(
                f"The pilot found {observed:,} sessions that needed {need_words(c.id)}, "
                f"though {c.requirement} says it is not needed: the decision counts it as "
                "needed (set it to true, or accept giving it up with decision.accept)."
            )
        if declared == "all" and params.pilot_sessions and not accepted:
            note = _against_all(params, c.requirement, c.id, int(observed))
            if note:
                notes.append(note)
        result = _evaluate(matrix, c, need)
        if c.reason_code:
            result = replace(
                result,
                declared=declared,
                observed_sessions=int(observed),
                accepted=accepted,
                observed_share=(observed / params.pilot_sessions)
                if params.pilot_sessions
                else None,
                explanation=result.explanation
                + _evidence(
                    observed,
                    accepted,
                    accepted_codes.get(c.reason_code, ""),
                    params.pilot_sessions,
                ),
            )
        results.append(result)
    other = params.observed_residual.get("other", 0)
    if other and "other" not in accepted_codes:
        notes.append(
            f"The pilot found {other:,} sessions that needed the incumbent for another reason "
            "(other): a pool stays for them unless decision.accept gives that work up."
        )
    for code, note in accepted_codes.items():
        n = params.observed_residual.get(code, 0)
        notes.append(
            f"Decision taken: give up or move the {code} work ({n:,} pilot sessions)"
            + (f" — {note}" if note else "")
            + "."
        )
    failed = tuple(r.id for r in results if not r.passed)
    if other and "other" not in accepted_codes:
        failed += ("other",)
    # A need of every support session that Remote Help cannot meet leaves it nothing to carry.
    whole = [
        r
        for r, c in zip(results, matrix.criteria, strict=True)
        if not r.passed and c.kind == "flag" and params[c.requirement] == "all"
    ]
    blocked = [
        r
        for r, c in zip(results, matrix.criteria, strict=True)
        if c.kind == "cloud" and not r.passed
    ]
    if whole:
        names = ", ".join(r.id for r in whole)
        verdict = "keep"
        summary = (
            f"Keep: every support session needs {names} (requirements set to all), which "
            "Remote Help cannot provide, so it can take none of the work; the incumbents stay."
        )
    elif blocked:
        verdict = "keep"
        summary = (
            "Keep: Remote Help is not available for this tenant "
            f"({params['tenant_cloud']}); the incumbents stay."
        )
    elif not failed:
        verdict = "replace"
        summary = (
            "Replace: every scenario is internal and attended, so Remote Help can carry "
            "all of it; cancel the incumbents at their renewals."
        )
    else:
        verdict = "right_size"
        summary = (
            "Right-size: move the internal attended help desk to Remote Help and keep a "
            f"small incumbent pool for {', '.join(failed)}."
        )
    start = params["start_date"]
    clients_key = "requirements.unattended_windows_clients"
    clients = params[clients_key] if clients_key in params.values else False
    return Decision(
        verdict=verdict,
        criteria=tuple(results),
        keep_for=failed,
        summary=summary,
        evidence_notes=tuple(notes),
        facts_as_of=matrix.facts_as_of,
        facts_note=staleness_note(matrix, start) if isinstance(start, dt.date) else "",
        moves_unattended_windows=bool(clients),
    )


@dataclass(frozen=True)
class SessionClassification:
    """Whether Remote Help could have served one session, and if not, why.

    Attributes
    ----------
    remote_help_ok : bool
        True when no criterion fails for the session.
    reasons : tuple of str
        Reason codes (from :data:`REASON_CODES`) that kept the session on the incumbent.
    criteria : tuple of str
        The failing criterion ids.
    explanation : str
        The failing criteria's explanations, joined.
    """

    remote_help_ok: bool
    reasons: tuple[str, ...]
    criteria: tuple[str, ...]
    explanation: str


def classify_session(
    matrix: CapabilityMatrix,
    needs: Iterable[str] = (),
    platform: str | None = None,
    unattended_eligible: bool = False,
) -> SessionClassification:
    """Say whether Remote Help could have served a session that needed ``needs``.

    Parameters
    ----------
    matrix : CapabilityMatrix
        The capability matrix (its criteria carry the reason codes).
    needs : iterable of str
        Reason codes from :data:`REASON_CODES` the session needed.
    platform : str, optional
        The sharer's platform, if the export says (``linux`` fails the platforms criterion).
    unattended_eligible : bool
        The session's device qualifies for Remote Help's unattended control
        (:func:`rhmodel.core.eligibility.judge`): an ``unattended`` need no longer fails.

    Raises
    ------
    InputError
        For a reason code outside :data:`REASON_CODES` (never silently ``other``).

    Examples
    --------
    >>> from rhmodel.edges.bundled import load_capabilities
    >>> m = load_capabilities()
    >>> classify_session(m, []).remote_help_ok
    True
    >>> c = classify_session(m, ["unattended"], platform="linux")
    >>> c.remote_help_ok, c.reasons
    (False, ('unattended', 'platform'))
    >>> classify_session(m, ["other"]).reasons
    ('other',)
    >>> classify_session(m, ["unattended"], "windows", unattended_eligible=True).remote_help_ok
    True
    >>> classify_session(m, ["unattended"], "windows_server").reasons
    ('unattended', 'platform')
    """
    needs = tuple(needs)
    for code in needs:
        if code not in REASON_CODES:
            raise InputError(
                f"unknown reason code ({code!r}) — accepted: {', '.join(REASON_CODES)}"
            )
    if unattended_eligible:
        needs = tuple(n for n in needs if n != "unattended")
    failed: list[CriterionResult] = []
    reasons: list[str] = []
    for c in matrix.criteria:
        if c.reason_code is None:
            continue
        if c.kind == "platforms":
            need: Any = True if c.reason_code in needs else ((platform,) if platform else ())
        else:
            need = c.reason_code in needs
        r = _evaluate(matrix, c, need)
        if not r.passed:
            failed.append(r)
            reasons.append(c.reason_code)
    if "other" in needs:
        reasons.append("other")
    return SessionClassification(
        remote_help_ok=not reasons,
        reasons=tuple(reasons),
        criteria=tuple(r.id for r in failed),
        explanation=" ".join(r.explanation for r in failed)
        or (
            "Needed the incumbent for a reason outside the seed's criteria (other)."
            if "other" in needs
            else "Remote Help could serve it."
        ),
    )
