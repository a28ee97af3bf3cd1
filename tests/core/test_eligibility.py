"""Unattended work judged per device (issue 27): hand cases, the facts' history, and a property.

Each hand case is one BeyondTrust Jump Client session (unattended: it went through a Jump
Client) to one device; the expected class and bucket are stated from Microsoft Learn's
requirements for Windows unattended control ("Plan for Remote Help", checked 2026-12-01:
physical, corporate-owned, Intune-managed, x64, Entra joined or hybrid joined; not Windows 365,
AVD, personal or ARM64), not derived from rhmodel's rules.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rhmodel.core.eligibility import BUCKETS, Device, Inventory
from rhmodel.core.pilot.evidence import summarise_pilot
from rhmodel.core.pilot.sessions import COLUMNS, classify
from rhmodel.core.pilot.settings import PilotSettings
from rhmodel.edges.exports.frame import LoadedExport

PC = Device(
    name="PC-0001",
    serial="SN-0001",
    entra_id="11111111-2222-3333-4444-555555555555",
    platform="windows",
    ownership="corporate",
    architecture="x64",
    form="physical",
    enrolment="intune",
    join="entra",
)


def _session(i: int, device: str, platform: str = "Windows 11 Enterprise", **cols) -> dict:
    from rhmodel.core.pilot.sessions import normalise_platform

    row = dict.fromkeys(COLUMNS, "")
    row.update(
        session_id=f"bt-{i}",
        tool="beyondtrust",
        start=1_798_362_000 + 3600 * i,
        end=1_798_362_000 + 3600 * i + 1800,
        technician=f"rep{i % 3}",
        session_type="jump",
        platform=normalise_platform(platform),
        device=device,
        file="x.xml",
        line=i + 1,
    )
    row.update(cols)
    return row


def _classify(matrix, rows, devices):
    df = pd.DataFrame(rows, columns=list(COLUMNS))
    return classify(df, matrix, (), Inventory.of(devices)).sessions


@pytest.mark.parametrize(
    ("device", "platform", "klass", "bucket"),
    [
        (PC, "Windows 11 Enterprise", "movable", "eligible"),
        (replace(PC, join="hybrid"), "Windows 11 Enterprise", "movable", "eligible"),
        (None, "Windows Server 2022", "residual", "server"),
        (
            replace(PC, platform="cloud_pc", form="virtual"),
            "Windows 11 Enterprise",
            "residual",
            "cloud_pc",
        ),
        (replace(PC, ownership="personal"), "Windows 11 Enterprise", "residual", "personal"),
        (replace(PC, architecture="arm64"), "Windows 11 Enterprise", "residual", "arm64"),
        (replace(PC, enrolment="none"), "Windows 11 Enterprise", "residual", "not_enrolled"),
        (replace(PC, join="registered"), "Windows 11 Enterprise", "residual", "not_enrolled"),
        (None, "Windows 11 Enterprise", "residual", "unknown"),  # not in the inventory
        (replace(PC, ownership=""), "Windows 11 Enterprise", "residual", "unknown"),
        (replace(PC, platform="macos"), "macOS 14", "residual", "other"),
    ],
)
def test_one_unattended_session_per_device(matrix, device, platform, klass, bucket):
    s = _classify(matrix, [_session(0, "PC-0001", platform)], [device] if device else [])
    assert s["klass"].tolist() == [klass]
    assert s["unattended"].tolist() == [bucket]
    if klass == "residual":
        assert s["primary_reason"].tolist() == ["unattended"]


def test_sessions_join_by_name_fqdn_serial_or_entra_id(matrix):
    refs = ["pc-0001", "PC-0001.corp.example.com", "SN-0001", PC.entra_id, "PC-9999"]
    s = _classify(matrix, [_session(i, r) for i, r in enumerate(refs)], [PC])
    assert s["klass"].tolist() == ["movable"] * 4 + ["residual"]


def test_a_duplicate_name_makes_a_session_movable_only_if_every_record_qualifies(matrix):
    twin = replace(PC, serial="SN-2", ownership="personal")
    assert _classify(matrix, [_session(0, "PC-0001")], [PC, twin])["unattended"].tolist() == [
        "personal"
    ]
    assert _classify(matrix, [_session(0, "PC-0001")], [PC, replace(PC, serial="SN-3")])[
        "klass"
    ].tolist() == ["movable"]


def test_another_need_keeps_an_eligible_session_residual(matrix):
    # the reason log (or export) says PAM: that need stays, whatever the device
    s = _classify(matrix, [_session(0, "PC-0001", reason="pam")], [PC])
    assert s["klass"].tolist() == ["residual"] and s["primary_reason"].tolist() == ["pam"]


def test_report_counts_by_bucket_and_platform(matrix):
    # hand count: 2 to the eligible PC, 1 to a server, 1 to a device not in the inventory
    rows = [
        _session(0, "PC-0001"),
        _session(1, "PC-0001"),
        _session(2, "SRV-01", "Windows Server 2022"),
        _session(3, "PC-0404"),
        _session(4, "PC-0001", session_type="support", reason="pam"),  # attended, not counted
    ]
    x = LoadedExport("x.xml", "beyondtrust_xml", pd.DataFrame(rows, columns=list(COLUMNS)))
    r = summarise_pilot([x], matrix, PilotSettings(), inventory=Inventory.of([PC]))
    assert r.unattended_windows_eligible == 2
    assert r.unattended_not_eligible == {b: {"server": 1, "unknown": 1}.get(b, 0) for b in BUCKETS}
    assert r.sessions_by_platform == {"windows": 4, "windows_server": 1}
    assert r.residual_by_reason == {"unattended": 2, "pam": 1}
    assert r.sessions_by_class["movable"] == 2


def test_the_facts_history_lists_the_two_changes_with_their_dates(matrix):
    changes = {(c.capability, c.product): c for c in matrix.changes_since_seed}
    assert set(changes) == {("unattended", "remote_help"), ("tenant_cloud", "remote_help")}
    unattended, cloud = (
        changes[("unattended", "remote_help")],
        changes[("tenant_cloud", "remote_help")],
    )
    assert unattended.since == dt.date(2026, 8, 25)
    assert "Windows is not supported for unattended" in unattended.seed_said
    assert cloud.since == dt.date(2026, 9, 28) and "GCC High" in cloud.seed_said
    assert all(c.source.startswith("https://learn.microsoft.com/") for c in changes.values())
    assert matrix.facts_as_of == dt.date(2026, 12, 1)
    assert matrix.cell("tenant_cloud", "remote_help").confidence == "medium"


# ---- the property: adding devices that qualify never enlarges a pool --------------------------

_device_ids = st.integers(min_value=0, max_value=11)


@st.composite
def _pilots(draw):
    n = draw(st.integers(min_value=1, max_value=25))
    rows = []
    for i in range(n):
        start = draw(st.integers(min_value=0, max_value=5 * 86_400))
        length = draw(st.integers(min_value=60, max_value=4 * 3600))
        unattended = draw(st.booleans())
        rows.append(
            _session(
                i,
                f"PC-{draw(_device_ids):02d}",
                start=1_798_329_600 + start,
                end=1_798_329_600 + start + length,
                technician=f"rep{draw(st.integers(min_value=0, max_value=5))}",
                tool=draw(st.sampled_from(["beyondtrust", "logmein_resolve"])),
                session_type="jump" if unattended else "support",
                reason="" if unattended else draw(st.sampled_from(["pam", "external", "rmm"])),
            )
        )
    known = draw(st.sets(_device_ids))
    more = draw(st.sets(_device_ids))
    return rows, known, known | more


def _pool(matrix, rows, ids):
    inv = Inventory.of(replace(PC, name=f"PC-{k:02d}", serial="", entra_id="") for k in ids)
    x = LoadedExport("x.csv", "canonical", pd.DataFrame(rows, columns=list(COLUMNS)))
    r = summarise_pilot([x], matrix, PilotSettings(), inventory=inv)
    return r, {t: z.recommended_licenses for t, z in r.tools.items()}


@settings(max_examples=40, deadline=None)
@given(pilot=_pilots())
def test_adding_qualifying_devices_never_enlarges_a_pool(matrix, pilot):
    rows, before_ids, after_ids = pilot
    before, pools_before = _pool(matrix, rows, before_ids)
    after, pools_after = _pool(matrix, rows, after_ids)
    assert after.residual_sessions <= before.residual_sessions
    for tool, n in pools_before.items():
        assert pools_after.get(tool, 0) <= n, tool
    assert np.all(after.unattended_windows_eligible >= before.unattended_windows_eligible)
