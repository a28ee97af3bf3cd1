"""The replace-or-keep test: golden cases from the seed's table and invariants."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rhmodel.core.decision import classify_session, decide
from rhmodel.core.products import REASON_CODES
from rhmodel.errors import InputError
from tests.conftest import params_from
from tests.strategies import REQUIREMENT_KEYS, platform_lists, requirement_sets, tenant_clouds


def _decide(matrix, requirements=(), cloud="commercial", platforms=None):
    overrides = [f"{k}=true" for k in requirements] + [f"tenant_cloud={cloud}"]
    if platforms is not None:
        overrides.append(f"requirements.platforms=[{', '.join(platforms)}]")
    return decide(params_from("", *overrides), matrix)


def test_all_clear_gives_replace(matrix):
    d = _decide(matrix)
    assert d.verdict == "replace" and d.keep_for == ()
    assert all(c.passed for c in d.criteria)


# The seed's "keep a specialist tool if you need" column, one row at a time.
SEED_ROWS = [
    (
        "requirements.external_or_unmanaged_support",
        "external_support",
        ("logmein_resolve", "beyondtrust"),
    ),
    ("requirements.unattended_windows", "unattended", ("logmein_resolve", "beyondtrust")),
    ("requirements.privileged_access_management", "privileged_access", ("beyondtrust",)),
    (
        "requirements.mandatory_session_recording",
        "session_recording",
        ("logmein_resolve", "beyondtrust"),
    ),
    ("requirements.bundled_rmm_ticketing", "rmm_ticketing", ("logmein_resolve",)),
    ("requirements.unsupported_platforms", "platforms", ("logmein_resolve", "beyondtrust")),
    ("requirements.on_prem_or_air_gapped", "on_prem_deployment", ("beyondtrust",)),
]


SEED_INCUMBENTS = ("logmein_resolve", "beyondtrust")


def _later_serving(matrix, criterion, missing):
    later = [p for p in matrix.products[1:] if p not in SEED_INCUMBENTS]
    cells = {p: matrix.cell(criterion, p) for p in matrix.products[1:]}
    if criterion == "platforms":
        return tuple(p for p in later if set(missing) <= set(cells[p].platforms))
    if any(c.level == "yes" for c in cells.values()):
        return tuple(p for p in later if cells[p].level == "yes")
    return tuple(p for p in later if cells[p].level == "partial")


@pytest.mark.parametrize(("requirement", "criterion", "served_by"), SEED_ROWS)
def test_each_keep_row_flips_the_verdict(matrix, requirement, criterion, served_by):
    d = _decide(matrix, [requirement])
    assert d.verdict == "right_size"
    assert d.keep_for == (criterion,)
    failed = d.criterion(criterion)
    assert not failed.passed and failed.required
    # the seed names its two incumbents; a product added after it serves the need as its own
    # matrix cell says (levels yes, or partial when no product has yes; platforms by list)
    assert tuple(p for p in failed.served_by if p in SEED_INCUMBENTS) == served_by
    later = tuple(p for p in failed.served_by if p not in SEED_INCUMBENTS)
    assert later == _later_serving(matrix, criterion, failed.missing_platforms)
    assert "Keep a specialist pool" in failed.explanation
    # The evidence is the matrix's wording, not a second copy in code.
    assert failed.evidence == matrix.cell(criterion, "remote_help").text


# issue 27: GCC High is supported from Intune service release 2609 ("What's new", week of
# 28 September 2026); DoD still is not.
@pytest.mark.parametrize("cloud", ["dod"])
def test_government_high_clouds_keep(matrix, cloud):
    d = _decide(matrix, cloud=cloud)
    assert d.verdict == "keep" and "tenant_cloud" in d.keep_for


@pytest.mark.parametrize("cloud", ["gcc", "gcc_high"])
def test_gcc_is_served(matrix, cloud):
    assert _decide(matrix, cloud=cloud).verdict == "replace"


def test_platform_list_names_the_missing_platforms(matrix):
    d = _decide(matrix, platforms=["windows", "linux", "ios"])
    assert d.verdict == "right_size"
    assert d.criterion("platforms").missing_platforms == ("linux", "ios")
    # issue 27: Remote Help supports Android Enterprise dedicated devices only
    assert _decide(matrix, platforms=["windows", "android_dedicated"]).verdict == "replace"
    assert _decide(matrix, platforms=["windows", "android"]).verdict == "right_size"
    assert _decide(matrix, platforms=["windows_server"]).verdict == "right_size"
    assert _decide(matrix, platforms=["cloud_pc", "macos"]).verdict == "replace"


def test_a_changed_matrix_cell_changes_the_verdict(matrix):
    # The decision reads the matrix: if Remote Help gained recording, the row would pass.
    from dataclasses import replace

    dims = tuple(
        replace(d, cells={**d.cells, "remote_help": replace(d.cells["remote_help"], level="yes")})
        if d.id == "session_recording"
        else d
        for d in matrix.dimensions
    )
    upgraded = replace(matrix, dimensions=dims)
    p = params_from("", "requirements.mandatory_session_recording=true")
    assert decide(p, matrix).verdict == "right_size"
    assert decide(p, upgraded).verdict == "replace"


@settings(max_examples=60, deadline=None)
@given(base=requirement_sets, extra=requirement_sets, cloud=tenant_clouds)
def test_adding_requirements_never_improves_the_verdict(matrix, base, extra, cloud):
    rank = {"replace": 0, "right_size": 1, "keep": 2}
    before = _decide(matrix, sorted(base), cloud)
    after = _decide(matrix, sorted(base | extra), cloud)
    assert rank[after.verdict] >= rank[before.verdict]
    assert set(before.keep_for) <= set(after.keep_for)


@settings(max_examples=60, deadline=None)
@given(reqs=requirement_sets, platforms=platform_lists)
def test_verdict_is_replace_exactly_when_nothing_fails(matrix, reqs, platforms):
    d = _decide(matrix, sorted(reqs), platforms=platforms or None)
    # issue 27: unattended access to corporate Windows PCs is covered; platforms as Remote
    # Help sees them
    covered = {"requirements.unattended_windows_clients"}
    supported = {"windows", "cloud_pc", "macos", "android_dedicated"}
    expected_fail = bool(set(reqs) - covered) or bool(set(platforms) - supported)
    assert (d.verdict == "right_size") == expected_fail
    assert (d.verdict == "replace") == (not expected_fail)


def test_every_requirement_key_is_a_criterion(matrix):
    assert {c.requirement for c in matrix.criteria} >= set(REQUIREMENT_KEYS)


@pytest.mark.parametrize(
    ("needs", "platform", "ok", "reasons"),
    [
        ((), "windows", True, ()),
        ((), None, True, ()),
        (("unattended",), "windows", False, ("unattended",)),
        (("external",), None, False, ("external",)),
        (("pam",), None, False, ("pam",)),
        (("recording",), None, False, ("recording",)),
        (("rmm",), None, False, ("rmm",)),
        ((), "linux", False, ("platform",)),
        ((), "chromeos", False, ("platform",)),
        (("platform",), None, False, ("platform",)),
        (("other",), None, False, ("other",)),
        (("recording", "pam"), "ios", False, ("pam", "recording", "platform")),
    ],
)
def test_classify_session(matrix, needs, platform, ok, reasons):
    c = classify_session(matrix, needs, platform)
    assert c.remote_help_ok is ok
    assert c.reasons == reasons


def test_unknown_reason_code_is_an_error(matrix):
    with pytest.raises(InputError, match="unknown reason code \\('vendor'\\)"):
        classify_session(matrix, ["vendor"])
    assert "other" in REASON_CODES


CODE_TO_CRITERION = {
    "external": "external_support",
    "unattended": "unattended",
    "pam": "privileged_access",
    "recording": "session_recording",
    "rmm": "rmm_ticketing",
    "platform": "platforms",
    "other": "other",
}


def test_observed_work_binds_the_verdict_and_accepting_it_releases_it(matrix):
    p = params_from("").with_observed({"pam": 5})
    d = decide(p, matrix)
    assert d.verdict == "right_size" and d.keep_for == ("privileged_access",)
    c = d.criterion("privileged_access")
    assert (c.declared, c.observed_sessions, c.accepted) == (False, 5, False)
    assert "Pilot: 5 sessions needed it." in c.explanation
    accepted = params_from("decision: {accept: [{reason: pam, note: vendors use the portal}]}")
    d = decide(accepted.with_observed({"pam": 5}), matrix)
    assert d.verdict == "replace" and d.criterion("privileged_access").accepted
    assert any("5 pilot sessions" in n and "vendors use the portal" in n for n in d.evidence_notes)


@settings(max_examples=60, deadline=None)
@given(
    observed=st.dictionaries(st.sampled_from(sorted(CODE_TO_CRITERION)), st.integers(1, 500)),
    accepted=st.sets(st.sampled_from(sorted(CODE_TO_CRITERION))),
    more=st.sets(st.sampled_from(sorted(CODE_TO_CRITERION))),
)
def test_accepting_more_never_keeps_more(matrix, observed, accepted, more):
    def keep(codes):
        text = "decision: {accept: [" + ", ".join(sorted(codes)) + "]}\n" if codes else ""
        return set(decide(params_from(text).with_observed(observed), matrix).keep_for)

    kept = keep(accepted)
    # brute force: exactly the observed, unaccepted reasons keep a pool (nothing is declared)
    assert kept == {CODE_TO_CRITERION[c] for c in observed if c not in accepted}
    assert keep(accepted | more) <= kept


def test_a_need_of_every_session_remote_help_cannot_meet_gives_keep(matrix):
    d = decide(params_from("requirements: {mandatory_session_recording: all}"), matrix)
    assert d.verdict == "keep" and "every support session needs session_recording" in d.summary
    # 'all' of something Remote Help does (Windows attended: nothing fails) changes nothing
    assert decide(params_from("requirements: {unsupported_platforms: false}"), matrix).verdict == (
        "replace"
    )
    with pytest.raises(
        InputError, match=r"accepted: true or false \(or all: every support session needs it\)"
    ):
        params_from("requirements: {mandatory_session_recording: most}")
