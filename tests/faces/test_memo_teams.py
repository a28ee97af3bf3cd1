"""The pack's pilot section shows each ``pilot.teams`` team's own pool (issue 20)."""

from __future__ import annotations

import csv
import html
import json
import re

import pytest

from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE

SAMPLE_PILOT = SAMPLE_PARAMS_FILE.parent.parent / "sample" / "pilot"
# two of the sample's LogMeIn technicians (one spelt in capitals) and one who did no work
TEAM = ["lmi.agent09@example.com", "LMI.Agent05@example.com", "nobody@example.com"]


@pytest.fixture(scope="module")
def teams_file(tmp_path_factory):
    text = SAMPLE_PARAMS_FILE.read_text().replace("../sample/pilot", str(SAMPLE_PILOT))
    declared = (
        "  days: 45\n"
        "  teams:\n"
        "    - name: Customer care\n"
        f"      technicians: [{', '.join(TEAM)}]\n"
        "      needs: {external_or_unmanaged_support: all}\n"
    )
    assert "  days: 45\n" in text
    path = tmp_path_factory.mktemp("teams") / "teams.yaml"
    path.write_text(text.replace("  days: 45\n", declared, 1))
    return path


def _rows(section: str, caption: str) -> list[list[str]]:
    """The body rows of the table with ``caption``, as text."""
    table = re.search(
        rf"<table><caption[^>]*>{re.escape(html.escape(caption))}</caption>.*?</table>", section
    )
    assert table, caption
    return [
        [html.unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<td[^>]*>(.*?)</td>", r)]
        for r in re.findall(r"<tr>(.*?)</tr>", table.group(0).split("<tbody>", 1)[1])
    ]


def test_a_declared_team_has_its_pool_table_with_the_reports_numbers(teams_file, cli):
    from rhmodel.faces.memo import RenewalPack

    section = str(RenewalPack.load(teams_file, simulate=0).pilot_evidence())
    assert "<h3>Pools per team</h3>" in section and "<code>pilot.teams</code>" in section
    rows = _rows(section, "LogMeIn Resolve: each team's own pool (named agents)")
    assert len(rows) == 1
    team, technicians, sessions, need, kept, bound = rows[0]
    # the oracle: the export itself, read with the csv module
    with (SAMPLE_PILOT / "logmein-resolve-sessions.csv").open(newline="") as f:
        mine = [r for r in csv.DictReader(f) if r["Technician Email"] in {t.lower() for t in TEAM}]
    people = {r["Technician Email"] for r in mine}
    assert team == "Customer care"
    assert technicians == f"{len(people)} of {len(TEAM)}" == "2 of 3"
    assert sessions == f"{len(mine):,}"
    # a named-agent pool of the people who did the work: one licence each
    assert need == kept == str(len(people))
    assert bound == "the technicians who did the work"
    # and the same numbers as the pool JSON (`rhmodel pool --params`)
    r = cli("pool", "--params", teams_file, "--format", "json")
    assert r.returncode == 0, r.stderr
    z = json.loads(r.stdout)["teams"]["logmein_resolve"]["Customer care"]
    assert (z["routed_sessions"], z["sized_need"], z["kept"], z["bound"]) == (
        len(mine),
        len(people),
        len(people),
        "technicians",
    )
    # the tool's pool above is the one the parameters keep: the teams' pools included
    keep = json.loads(r.stdout)["tools"]["logmein_resolve"]["recommended_licenses"]
    pools = _rows(section, "The pool each incumbent needs, from the pilot")
    assert [row[-1] for row in pools if row[0] == "LogMeIn Resolve"] == [str(keep)]


def test_no_team_declared_shows_no_team_table():
    from rhmodel.faces.memo import RenewalPack

    section = str(RenewalPack.load(SAMPLE_PARAMS_FILE, simulate=0).pilot_evidence())
    assert "Pools per team" not in section and "each team" not in section
