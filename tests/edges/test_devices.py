"""The device inventory readers, on fixtures written from Microsoft's documentation (issue 27).

Sources (checked 2026-12-01):
- Admin center export (Devices > All devices > Export) = the ``DevicesWithInventory`` report:
  Microsoft Learn "Export Intune reports using Graph APIs — available reports" (MicrosoftDocs/
  memdocs reports-export-graph-available-reports.md, section DevicesWithInventory): the
  "Columns received" names and the Windows ProcessorArchitecture mapping 9 = x64, 5 = ARM,
  12 = ARM64, 0 = x86.
- Graph ``managedDevice`` resource (Microsoft Learn "managedDevice resource type"): deviceName,
  managedDeviceOwnerType (company | personal), operatingSystem, osVersion, model, manufacturer,
  serialNumber, azureADDeviceId, managementAgent (mdm, configurationManagerClient, ...),
  deviceEnrollmentType; beta: joinType (joinType enum: azureADJoined, azureADRegistered,
  hybridAzureADJoined) and processorArchitecture (managedDeviceArchitecture enum: x86, x64, arm,
  arM64).
Figures are counted by hand.
"""

from __future__ import annotations

import json

import pytest

from rhmodel.edges.devices import read_devices
from rhmodel.errors import InputError

# The admin center's export: the documented "Columns received" (a subset, in their order).
ADMIN_CSV = (
    "Device ID,Device name,Enrollment date,Last check-in,Microsoft Entra Device ID,OS version,"
    "Serial number,Manufacturer,Model,Primary user UPN,Compliance,Managed by,Ownership,OS,"
    "SkuFamily,JoinType,ProcessorArchitecture\n"
    "d1,PC-0001,2026-01-05 10:00:00,2026-11-30 08:00:00,aaaa-1,10.0.26100.4652,SN1,Dell Inc.,"
    "Latitude 7440,ann@example.com,Compliant,Intune,Corporate,Windows,Enterprise,"
    "Microsoft Entra joined,9\n"
    "d2,PC-0002,2026-01-05 10:00:00,2026-11-30 08:00:00,aaaa-2,10.0.26100.4652,SN2,Microsoft,"
    "Surface Pro 11th Edition,bob@example.com,Compliant,Intune,Corporate,Windows,Enterprise,"
    "Microsoft Entra joined,12\n"
    "d3,PC-0003,2026-01-05 10:00:00,2026-11-30 08:00:00,aaaa-3,10.0.22631.4037,SN3,HP,"
    "EliteBook 840 G10,cy@example.com,Compliant,Co-managed,Personal,Windows,Professional,"
    "Microsoft Entra registered,9\n"
    "d4,CPC-ann-1,2026-02-01 10:00:00,2026-11-30 08:00:00,aaaa-4,10.0.26100.4652,0000-1,"
    "Microsoft Corporation,Cloud PC Enterprise 2vCPU/8GB/128GB,ann@example.com,Compliant,Intune,"
    "Corporate,Windows,Enterprise,Microsoft Entra joined,9\n"
    "d5,HV-LAB-1,2026-02-01 10:00:00,2026-11-30 08:00:00,aaaa-5,10.0.26100.4652,0000-2,"
    "Microsoft Corporation,Virtual Machine,ops@example.com,Compliant,ConfigMgr,Corporate,Windows,"
    "Enterprise,Microsoft Entra hybrid joined,9\n"
)

# Graph GET /beta/deviceManagement/managedDevices, as the resource documents its properties.
GRAPH_JSON = {
    "@odata.context": "https://graph.microsoft.com/beta/$metadata#deviceManagement/managedDevices",
    "value": [
        {
            "id": "705c034c-034c-705c-4c03-5c704c035c70",
            "deviceName": "LAPTOP-7",
            "managedDeviceOwnerType": "company",
            "operatingSystem": "Windows",
            "osVersion": "10.0.26100.4652",
            "model": "ThinkPad T14 Gen 5",
            "manufacturer": "LENOVO",
            "serialNumber": "PF4XYZ",
            "azureADDeviceId": "bbbb-7",
            "managementAgent": "mdm",
            "deviceEnrollmentType": "windowsAzureADJoin",
            "joinType": "hybridAzureADJoined",
            "processorArchitecture": "x64",
        },
        {
            "id": "705c034c-034c-705c-4c03-5c704c035c71",
            "deviceName": "KIOSK-ARM",
            "managedDeviceOwnerType": "company",
            "operatingSystem": "Windows",
            "osVersion": "10.0.26100.4652",
            "model": "Surface Laptop 7th Edition",
            "manufacturer": "Microsoft Corporation",
            "serialNumber": "0F33",
            "azureADDeviceId": "bbbb-8",
            "managementAgent": "mdm",
            "deviceEnrollmentType": "windowsAzureADJoin",
            "joinType": "azureADJoined",
            "processorArchitecture": "arM64",
        },
        {
            "id": "705c034c-034c-705c-4c03-5c704c035c72",
            "deviceName": "SMITH-PHONE",
            "managedDeviceOwnerType": "personal",
            "operatingSystem": "Android",
            "osVersion": "14",
            "model": "Pixel 8",
            "manufacturer": "Google",
            "serialNumber": "",
            "azureADDeviceId": "bbbb-9",
            "managementAgent": "mdm",
            "deviceEnrollmentType": "androidEnterpriseWorkProfile",
            "joinType": "azureADRegistered",
            "processorArchitecture": "unknown",
        },
    ],
}


def _profile(d):
    return (d.platform, d.ownership, d.architecture, d.form, d.enrolment, d.join)


def test_admin_center_export(tmp_path):
    path = tmp_path / "DevicesWithInventory.csv"
    path.write_text(ADMIN_CSV, encoding="utf-8-sig")  # Excel-style BOM
    inv = read_devices([path])
    assert len(inv) == 5
    by = {d.name: _profile(d) for d in inv.devices}
    assert by["PC-0001"] == ("windows", "corporate", "x64", "physical", "intune", "entra")
    assert by["PC-0002"][2] == "arm64"
    assert by["PC-0003"] == ("windows", "personal", "x64", "physical", "intune", "registered")
    assert by["CPC-ann-1"][0] == "cloud_pc" and by["CPC-ann-1"][3] == "virtual"
    assert by["HV-LAB-1"][3:] == ("virtual", "none", "hybrid")
    # sessions find devices by serial and Entra id as well
    assert inv.candidates("SN1")[0].name == "PC-0001"
    assert inv.candidates("AAAA-2")[0].name == "PC-0002"


def test_graph_managed_devices_json(tmp_path):
    path = tmp_path / "managedDevices.json"
    path.write_text(json.dumps(GRAPH_JSON), encoding="utf-8")
    by = {d.name: _profile(d) for d in read_devices([path]).devices}
    assert by["LAPTOP-7"] == ("windows", "corporate", "x64", "physical", "intune", "hybrid")
    assert by["KIOSK-ARM"][2] == "arm64"
    assert by["SMITH-PHONE"] == ("android", "personal", "", "physical", "intune", "registered")


def test_graph_pages_appended_and_the_report_stream(tmp_path):
    page = {"value": GRAPH_JSON["value"][:1]}
    path = tmp_path / "pages.json"
    path.write_text(json.dumps(page) + "\n" + json.dumps({"value": GRAPH_JSON["value"][1:]}))
    assert len(read_devices([path])) == 3
    # the export API's JSON stream: {"TotalRowCount", "Schema": [{"Column", ...}], "Values"}
    stream = {
        "TotalRowCount": 1,
        "Schema": [
            {"Column": c, "PropertyType": "String"}
            for c in (
                "DeviceName",
                "OwnerType",
                "DeviceType",
                "ManagementAgent",
                "JoinType",
                "ProcessorArchitecture",
                "Model",
            )
        ],
        "Values": [["PC-9", "Corporate", "Windows", "Intune", "Microsoft Entra joined", "9", "X1"]],
    }
    path = tmp_path / "stream.json"
    path.write_text(json.dumps(stream))
    (d,) = read_devices([path]).devices
    assert _profile(d) == ("windows", "corporate", "x64", "physical", "intune", "entra")


def test_bad_inventories_are_one_located_error(tmp_path):
    p = tmp_path / "sessions.csv"
    p.write_text("Session ID,Start,End\n1,2,3\n")
    with pytest.raises(InputError, match=r"sessions\.csv:1: not a device inventory"):
        read_devices([p])
    p = tmp_path / "broken.json"
    p.write_text('{"value": [\n{"deviceName": "x",}\n]}')
    with pytest.raises(InputError, match=r"broken\.json:2: not valid JSON"):
        read_devices([p])
    with pytest.raises(InputError, match=r"missing\.csv: no such file"):
        read_devices([tmp_path / "missing.csv"])


def test_pool_devices_flag_and_json_keys(cli, tmp_path):
    inv = tmp_path / "devices.csv"
    inv.write_text(ADMIN_CSV)
    # canonical sessions: unattended work to the eligible PC, the ARM64 one, the Cloud PC, a
    # server and a device Intune does not know (hand count: 1 eligible, 4 residual)
    rows = [
        ("u1", "PC-0001", "Windows 11 Enterprise"),
        ("u2", "PC-0002", "Windows 11 Enterprise"),
        ("u3", "CPC-ann-1", "Windows 11 Enterprise"),
        ("u4", "SRV-01", "Windows Server 2022"),
        ("u5", "PC-0404", "Windows 11 Enterprise"),
    ]
    body = "session_id,tool,start,end,technician,reason,platform,device\n" + "".join(
        f"{sid},beyondtrust,2026-12-0{i + 1}T09:00:00Z,2026-12-0{i + 1}T10:00:00Z,rep,unattended,"
        f"{os},{dev}\n"
        for i, (sid, dev, os) in enumerate(rows)
    )
    sessions = tmp_path / "sessions.csv"
    sessions.write_text(body)
    r = cli("pool", sessions, "--devices", inv, "--format", "json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["unattended_windows_eligible"] == 1
    assert out["unattended_not_eligible"] == {
        "server": 1,
        "cloud_pc": 1,
        "personal": 0,
        "arm64": 1,
        "not_enrolled": 0,
        "unknown": 1,
        "other": 0,
    }
    assert out["sessions_by_platform"] == {"windows": 4, "windows_server": 1}
    assert out["residual_sessions"] == 4
    # without the inventory nothing can be checked: all five stay residual
    out = json.loads(cli("pool", sessions, "--format", "json").stdout)
    assert out["unattended_windows_eligible"] == 0 and out["residual_sessions"] == 5
    bad = cli("pool", sessions, "--devices", sessions)
    assert bad.returncode == 2 and bad.stderr.startswith("error: ") and ":1: " in bad.stderr


def test_matrix_changes(cli):
    r = cli("matrix", "--changes")
    assert r.returncode == 0, r.stderr
    assert "2026-08-25" in r.stdout and "2026-09-28" in r.stdout
    flat = " ".join(r.stdout.split())
    assert (
        "seed said: Attended (Win / macOS), unattended only on Android dedicated; Windows is"
        in flat
    )
    doc = json.loads(cli("matrix", "--format", "json").stdout)
    assert doc["facts_as_of"] == "2026-12-01"
    assert [(c["capability"], c["product"], c["since"]) for c in doc["changes_since_seed"]] == [
        ("unattended", "remote_help", "2026-08-25"),
        ("tenant_cloud", "remote_help", "2026-09-28"),
    ]
    assert set(doc["changes_since_seed"][0]) == {
        "capability",
        "product",
        "seed_said",
        "now",
        "since",
        "source",
    }
    j = json.loads(cli("matrix", "--changes", "--format", "json").stdout)
    assert j["changes_since_seed"] == doc["changes_since_seed"]


def test_stale_facts_are_said_in_one_line(cli, tmp_path):
    p = tmp_path / "p.yaml"
    p.write_text("start_date: 2027-06-01\n")
    r = cli("decide", p)
    assert r.returncode == 0, r.stderr
    assert "https://learn.microsoft.com/en-us/intune/whats-new/" in r.stdout
    d = json.loads(cli("decide", p, "--format", "json").stdout)
    assert d["facts_as_of"] == "2026-12-01" and "182 days" in d["facts_note"]
    p.write_text("start_date: 2027-01-01\n")
    assert json.loads(cli("decide", p, "--format", "json").stdout)["facts_note"] == ""
