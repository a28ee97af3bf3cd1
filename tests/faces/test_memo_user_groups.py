"""The pack says what Remote Help's licence figures rest on (issue 27, item 4)."""

from __future__ import annotations

import yaml

from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE
from rhmodel.faces.memo import RenewalPack

GROUPS = [
    {
        "name": "Ward staff <F3>",
        "users": 3400,
        "licence": "frontline",
        "price_per_user_month": {"value": 2.0, "illustrative": True},
    },
    {
        "name": "Scanners",
        "helpers": 12,
        "sharers": 900,
        "licence": "plan2",
        "android_dedicated": True,
    },
]


def test_page_one_names_the_included_assumption_without_groups():
    pack = RenewalPack.load(SAMPLE_PARAMS_FILE, simulate=0)
    page = str(pack.title())
    assert (
        "Assumes every helper and sharer holds a commercial Microsoft 365 E3/E5/E7 licence; "
        "frontline (F-SKU), education and government users need the add-on, a frontline licence, "
        "Plan 2 or the Suite: give parameter remote_help.user_groups"
    ) in page


def test_page_one_gives_the_groups_cost_line_and_the_assumptions_list_each_group():
    groups = yaml.safe_dump(GROUPS, default_flow_style=True).strip()
    pack = RenewalPack.load(SAMPLE_PARAMS_FILE, [f"remote_help.user_groups={groups}"], simulate=0)
    page = str(pack.title())
    assert "Assumes every helper and sharer" not in page
    assert "Remote Help licences by user group: US$6,848.00 a month from month 1" in page
    assert (
        "Ward staff &lt;F3&gt;: 3,400 users × US$2.00 (Remote Help Frontline Worker licence — illustrative)"
        in page
    )
    assert "Scanners: 12 helpers (Android dedicated devices need no licence) × US$4.00" in page
    table = str(pack.assumptions())
    assert "remote_help.user_groups[0]" in table and "remote_help.user_groups[1]" in table
    assert "US$2.00 (illustrative)" in table
    assert "Ward staff &lt;F3&gt;: price per user month" in table  # the illustrative input, named


def test_a_government_tenant_is_told_its_licences_are_not_priced(tmp_path):
    path = tmp_path / "gov.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "tenant_cloud": "gcc",
                "logmein": {"agents": 100, "price_per_agent_month": 50, "months_to_renewal": 0},
                "residual": {"logmein_agents": 10},
            }
        )
    )
    page = str(RenewalPack.load(path, simulate=0).title())
    assert "Remote Help licences are not priced: parameter tenant_cloud is gcc" in page
    assert "Assumes every helper" not in page
    table = str(RenewalPack.load(path, simulate=0).assumptions())
    assert "UNCONFIRMED: parameter tenant_cloud is gcc" in table
    # stated explicitly, it is the parameters' word, and the commercial line is not shown
    path.write_text(path.read_text() + "remote_help: {licensing: included}\n")
    page = str(RenewalPack.load(path, simulate=0).title())
    assert "not priced" not in page and "stated as included for a gcc tenant" in page
