"""The readiness checklist an organisation gets: its environment's steps, endpoints and dates."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from rhmodel.core.money.evaluation import evaluate
from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE, checklist_for, load_capabilities
from rhmodel.edges.paramfile import load_parameters
from rhmodel.edges.provenance import provenance
from rhmodel.edges.workbook import write_workbook

# Transcribed from the seed's tables (§7.1 feature endpoints and web-pubsub dependency, §7.2 ACS
# media and signaling, §7.4 GCC): the published lists the network team must receive in full.
SEED_7_1 = [
    "*.support.services.microsoft.com",
    "remoteassistance.support.services.microsoft.com",
    "remotehelp.microsoft.com",
    "remoteassistanceprodacs.communication.azure.com",
    "remoteassistanceprodacseu.communication.azure.com",
    "teams.microsoft.com",
    "edge.skype.com",
    "edge.microsoft.com",
    "aadcdn.msftauth.net",
    "aadcdn.msauth.net",
    "alcdn.msauth.net",
    "wcpstatic.microsoft.com",
    "*.aria.microsoft.com",
    "browser.pipe.aria.microsoft.com",
    "*.events.data.microsoft.com",
    "v10c.events.data.microsoft.com",
    "*.monitor.azure.com",
    "js.monitor.azure.com",
    "*.trouter.communication.microsoft.com",
    "*.trouter.teams.microsoft.com",
    "*.trouter.communications.svc.cloud.microsoft",
    "api.flightproxy.skype.com",
    "ecs.communication.microsoft.com",
    "*.webpubsub.azure.com",
    "AMSUA0101-RemoteAssistService-pubsub.webpubsub.azure.com",
]
SEED_7_2 = [
    "20.202.0.0/16",
    "*.skype.com",
    "*.microsoft.com",
    "*.azure.net",
    "*.azure.com",
    "*.office.com",
]
SEED_7_4 = [
    "gcc.remotehelp.microsoft.com",
    "gcc.relay.remotehelp.microsoft.com",
    "remoteassistanceweb-gcc.usgov.communication.azure.us",
    "*.gov.teams.microsoft.us",
]
EXECUTABLES = ["RemoteHelp.exe", "RHService.exe", "RemoteHelpRDP.exe"]


def _checklist(*overrides: str):
    p = load_parameters(SAMPLE_PARAMS_FILE, list(overrides))
    e = evaluate(p, load_capabilities())
    return e, checklist_for(e)


def test_a_commercial_tenant_gets_every_endpoint_port_and_executable_of_the_seed():
    _e, c = _checklist()
    listed = {x.fqdn: x.ports for x in c.endpoints}
    assert set(SEED_7_1 + SEED_7_2) <= set(listed)
    assert listed["20.202.0.0/16"] == "UDP 3478–3481, TCP 443"
    assert all(listed[f] == "TCP 443" for f in SEED_7_1)
    assert not set(SEED_7_4) & set(listed)
    assert [x.rsplit("\\", 1)[1] for x in c.host_firewall] == EXECUTABLES


def test_a_gcc_tenant_gets_the_gcc_endpoints_instead():
    _e, c = _checklist("tenant_cloud=gcc")
    listed = [x.fqdn for x in c.endpoints]
    assert listed == SEED_7_4
    items = " ".join(r.item for r in c.rows)
    assert "GCC endpoints" in items and "Allow every Remote Help feature endpoint" not in items


# issue 27: GCC High is supported from service release 2609 (one source); DoD is not.
@pytest.mark.parametrize("cloud", ["dod"])
def test_gcc_high_and_dod_are_told_remote_help_is_not_supported(cloud):
    _e, c = _checklist(f"tenant_cloud={cloud}")
    assert c.endpoints == () and c.host_firewall == ()
    assert any("not supported on DoD" in r.item for r in c.rows)


def test_gcc_high_is_told_no_endpoint_list_is_published_and_whom_to_ask():
    _e, c = _checklist("tenant_cloud=gcc_high")
    items = " ".join(r.item for r in c.rows)
    assert c.endpoints == () and c.host_firewall != ()
    assert "publishes no Remote Help endpoint list for GCC High" in items
    assert "account team" in items and "not supported on DoD" not in items


def test_zscaler_and_okta_steps_only_for_that_environment():
    _e, seed = _checklist()  # the sample: Okta behind Zscaler, as in the seed
    text = " ".join(r.item for r in seed.rows)
    assert "Do-Not-Inspect" in text and "login.okta.com" in text and "Okta federation" in text
    _e, plain = _checklist("environment.proxy=other", "environment.federation=adfs")
    text = " ".join(r.item for r in plain.rows)
    assert "Zscaler" not in text and "Okta" not in text
    assert "AD FS" in text and "TLS inspection" in text
    _e, none = _checklist("environment.proxy=none", "environment.federation=none")
    text = " ".join(r.item for r in none.rows)
    assert "Zscaler" not in text and "Okta" not in text and "federat" not in text.lower()


def test_every_item_has_an_owner_a_due_date_and_a_status_and_the_plan_its_letters():
    e, c = _checklist()
    start = e.params["start_date"]
    assert c.anchor == start  # the sample schedules no pilot date: it starts with the analysis
    for r in c.rows:
        assert r.owner and r.status == "open" and start <= r.due
    letters = [r for r in c.rows if r.area == "Contract actions"]
    assert len(letters) == len(e.plan.actions)
    for a in e.plan.actions:
        row = next(r for r in letters if a.sentence in r.item)
        assert row.due == a.notice_by and row.owner == "Procurement"
    model = [r for r in c.rows if r.area == "Residual pool operating model"]
    assert model and all("route residual work" in r.item for r in model)
    # the network steps fall due before the pilot that needs them: here, at once
    net = next(r for r in c.rows if "Do-Not-Inspect" in r.item)
    assert net.due == start == dt.date(2026, 12, 1)


PLAN_AREAS = ("Contract actions", "Residual pool operating model")


@pytest.mark.parametrize("pilot_start", ["2027-03-01", "2026-12-01", "2026-10-01"])
def test_no_item_is_due_after_the_event_that_needs_it(pilot_start):
    e, c = _checklist(f"pilot.start_date={pilot_start}")
    began = dt.date.fromisoformat(pilot_start)
    assert c.anchor == began
    steps = [r for r in c.rows if r.area not in PLAN_AREAS]
    assert steps and all(r.due <= began for r in steps)  # what the pilot needs, before it
    for a in e.plan.actions:
        con = a.sentence.split(" written notice")[0].removeprefix("Give ")
        mine = [r for r in c.rows if r.area in PLAN_AREAS and con in r.item]
        assert mine
        for r in mine:  # cut-over items by the notice deadline they serve (renewals: the day)
            assert r.due <= (a.notice_by if a.action != "renew" else a.renewal_date), r.item


def test_readiness_counts_back_from_the_pilot_start():
    # pilot from Monday 1 March 2027: enabling Remote Help (40 days before) is due 20 January
    # 2027 (1 March − 28 days = 1 February, − 12 more = 20 January); the Zscaler Do-Not-Inspect
    # rule (40 days) too; the help-desk briefing (14 days) by 15 February 2027
    _e, c = _checklist("pilot.start_date=2027-03-01")
    enable = next(r for r in c.rows if r.item.startswith("Enable Remote Help in Tenant"))
    assert enable.due == dt.date(2027, 1, 20)
    assert next(r.due for r in c.rows if "Do-Not-Inspect" in r.item) == dt.date(2027, 1, 20)
    assert next(r.due for r in c.rows if r.item.startswith("Brief the help desk")) == (
        dt.date(2027, 2, 15)
    )


def test_the_checklist_is_a_sheet_of_the_workbook(tmp_path):
    e, c = _checklist()
    path = tmp_path / "book.xlsx"
    m = load_capabilities()
    write_workbook(e, m, provenance(e.params), path)
    ws = openpyxl.load_workbook(path)["Checklist"]
    cells = {str(x.value) for row in ws.iter_rows() for x in row if x.value is not None}
    assert set(SEED_7_1 + SEED_7_2) <= cells
    assert {r.item for r in c.rows} <= cells
