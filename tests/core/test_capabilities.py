"""The capability matrix file: the seed's rows are all there, and malformed files are refused."""

from __future__ import annotations

import re

import pytest

from rhmodel.core.capabilities import parse_capabilities
from rhmodel.core.document import parse_yaml
from rhmodel.edges.bundled import CAPABILITIES_FILE
from rhmodel.errors import InputError

# Section 4.1's rows, as the seed labels them, and the wording each product's cell must carry.
SEED_ROWS = {
    "design_intent": ("Internal employee help desk", "RMM/UEM + ticketing", "privileged"),
    "external_support": ("Your own Entra users", "external customers", "vendors"),
    "identity": ("cross-tenant impossible", "Vendor accounts / SSO", "AD integration"),
    "unattended": (
        "unattended only on Android dedicated",
        "Both, on all platforms",
        "jump clients",
    ),
    "platforms": ("view-only web app", "Linux*", "ChromeOS"),
    "privileged_access": (
        "UAC elevation only",
        "zero-trust command approval",
        "credential injection",
    ),
    "session_recording": ("audit metadata only", "Yes", "Yes"),
    "rmm_ticketing": ("use Intune separately", "full suite", "support-focused"),
    "on_prem_deployment": ("SaaS (Microsoft cloud)", "SaaS (vendor cloud)", "on-prem"),
    "licensing": ("E3/E5", "Per agent + per-device", "Concurrent / named"),
    "network_posture": ("no inbound, no VPN", "no inbound", "your appliance"),
}


SEED_PRODUCTS = ("remote_help", "logmein_resolve", "beyondtrust")


def test_every_seed_row_is_present_with_its_wording(matrix):
    for dim_id, texts in SEED_ROWS.items():
        dim = matrix.dimension(dim_id)
        # the seed compares Remote Help with its two incumbents; later columns have their own
        # sources (tests/core/test_incumbent_columns.py)
        for product, fragment in zip(SEED_PRODUCTS, texts, strict=True):
            cell = dim.cells[product]
            # issue 27: a fact that changed since the seed keeps the seed's words as seed_said
            assert fragment in (cell.seed_said or cell.text), (dim_id, product, cell.text)
            assert "seed" in cell.source, (dim_id, product)


def test_levels_follow_the_seed(matrix):
    # Where the seed is explicit, the normalised level must say the same thing.
    assert matrix.cell("session_recording", "remote_help").level == "no"
    assert matrix.cell("session_recording", "logmein_resolve").level == "yes"
    assert matrix.cell("privileged_access", "beyondtrust").level == "yes"
    assert matrix.cell("on_prem_deployment", "beyondtrust").level == "yes"
    assert matrix.cell("on_prem_deployment", "logmein_resolve").level == "no"
    assert matrix.cell("rmm_ticketing", "beyondtrust").level == "partial"


def test_platform_lists(matrix):
    # issue 27: platforms as Remote Help sees them (Plan for Remote Help, checked 2026-12-01)
    assert matrix.cell("platforms", "remote_help").platforms == (
        "windows",
        "cloud_pc",
        "macos",
        "android_dedicated",
    )
    assert matrix.cell("platforms", "remote_help").view_only == ("web",)
    for product in ("logmein_resolve", "beyondtrust"):
        assert set(matrix.cell("platforms", product).platforms) == {
            "windows",
            "windows_server",
            "cloud_pc",
            "macos",
            "android_dedicated",
            "android",
            "linux",
            "ios",
            "chromeos",
        }


def test_strengths_list_section_4_2(matrix):
    ids = [s.id for s in matrix.incumbent_strengths]
    assert ids == [
        "external_support",
        "unattended",
        "privileged_access",
        "session_recording",
        "rmm_ticketing",
        "on_prem_deployment",
    ]
    pam = next(s for s in matrix.incumbent_strengths if s.id == "privileged_access")
    assert pam.products == ("beyondtrust",)


def test_each_criterion_rests_on_a_dimension(matrix):
    dims = {d.id for d in matrix.dimensions}
    assert {c.dimension for c in matrix.criteria} <= dims
    assert [c.reason_code for c in matrix.criteria if c.reason_code] == [
        "external",
        "unattended",
        "pam",
        "recording",
        "rmm",
        "platform",
    ]


def _mutated(old: str, new: str) -> str:
    text = CAPABILITIES_FILE.read_text(encoding="utf-8")
    assert old in text, old
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            'remote_help: {level: no, text: "No (audit metadata only)"',
            'remote_help: {level: maybe, text: "No (audit metadata only)"',
            r"dimensions\[6\]\.cells\.remote_help\.level: unknown value \('maybe'\)",
        ),
        (
            '      beyondtrust: {level: yes, text: "Yes", source: "seed §4.1, row \'Session recording\'"}\n',
            "",
            r"dimensions\[6\]\.cells: no cell for beyondtrust",
        ),
        (
            "  - id: session_recording\n    label: Session recording\n",
            "  - id: session_recording\n    label: Session recording\n    colour: red\n",
            r"dimensions\[6\]\.colour: unknown key",
        ),
        (
            "platforms: [windows, cloud_pc, macos, android_dedicated]\n",
            "platforms: [windows, beos]\n",
            r"platforms\[1\]: unknown value \('beos'\)",
        ),
        (
            "    dimension: rmm_ticketing\n    requirement",
            "    dimension: rmm\n    requirement",
            r"criteria\[4\]\.dimension: unknown value \('rmm'\)",
        ),
        (
            "  - id: session_recording\n    label",
            "  - id: design_intent\n    label",
            r"duplicate dimension id \('design_intent'\)",
        ),
        ("as_of: 2026-11-25\n", "as_of: yesterday\n", r"as_of: must be a date"),
    ],
)
def test_malformed_entries_are_refused_with_their_line(old, new, expected):
    text = _mutated(old, new)
    with pytest.raises(InputError) as err:
        parse_capabilities(parse_yaml(text, "capabilities.yaml"))
    message = str(err.value)
    assert re.search(expected, message), message
    assert re.match(r"capabilities\.yaml:\d+: ", message), message
    assert " — " in message  # says what would be accepted


def test_missing_required_dimension_is_named():
    text = _mutated("  - id: session_recording\n", "  - id: recording_of_sessions\n")
    with pytest.raises(InputError, match="no dimension 'session_recording'"):
        parse_capabilities(parse_yaml(text, "capabilities.yaml"))
