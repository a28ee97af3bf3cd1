"""The device inventory: Intune's device exports read into an
:class:`~rhmodel.core.eligibility.Inventory`.

Two layouts, as Microsoft documents them (checked 2026-12-01):

- **The Intune admin center export** (Devices > All devices > Export; the ``DevicesWithInventory``
  report of the Graph export API gives the same file), CSV. Columns read (Microsoft Learn
  "Export Intune reports using Graph APIs — available reports", section DevicesWithInventory):
  ``Device name``, ``Serial number``, ``Microsoft Entra Device ID`` (older files: ``Azure AD
  Device ID``), ``OS``, ``OS version``, ``Model``, ``Manufacturer``, ``SkuFamily``,
  ``Ownership``, ``Managed by``, ``JoinType``, ``ProcessorArchitecture`` (Windows: 9 = x64,
  5 = ARM, 12 = ARM64, 0 = x86). The same report as JSON (``{"TotalRowCount", "Schema",
  "Values"}``) is read too.
- **Microsoft Graph** ``GET /deviceManagement/managedDevices`` JSON (``{"value": [...]}``, a list,
  or pages one after another): ``deviceName``, ``serialNumber``, ``azureADDeviceId``,
  ``operatingSystem``, ``osVersion``, ``model``, ``manufacturer``, ``managedDeviceOwnerType``
  (``company``/``personal``), ``managementAgent``, ``deviceEnrollmentType``, and on beta
  ``joinType`` (``azureADJoined``, ``hybridAzureADJoined``, ``azureADRegistered``) and
  ``processorArchitecture`` (``x64``, ``arM64``, ...).

Assumed (not documented): how the admin center writes ``JoinType`` and ``Ownership`` values
(read case-insensitively: "Microsoft Entra joined", "Azure AD joined", "Hybrid ...",
"Corporate", "Personal", and the Graph enum names); a device is virtual when its model or
manufacturer names a virtual machine (Hyper-V "Virtual Machine", VMware, VirtualBox, KVM, QEMU,
Xen) or it is a Cloud PC.

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "devices.csv").write_text(
...     "Device name,Serial number,OS,OS version,Model,Ownership,Managed by,JoinType,"
...     "ProcessorArchitecture\\n"
...     "PC-0001,SN1,Windows,10.0.22631.4037,Latitude 7440,Corporate,Intune,"
...     "Microsoft Entra joined,9\\n", encoding="utf-8")
>>> inv = read_devices([d / "devices.csv"])
>>> dev = inv.candidates("PC-0001")[0]
>>> dev.platform, dev.ownership, dev.architecture, dev.form, dev.enrolment, dev.join
('windows', 'corporate', 'x64', 'physical', 'intune', 'entra')
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rhmodel.core.eligibility import Device, Inventory
from rhmodel.core.pilot.sessions import normalise_platform
from rhmodel.core.text import excerpt
from rhmodel.edges.exports.table import json_values, norm, read_delimited, sniff_encoding
from rhmodel.errors import InputError

__all__ = ["read_devices"]

#: Largest inventory file read (a million devices is far below it).
MAX_BYTES = 500_000_000

# normalised header names (rhmodel.edges.exports.table.norm) per attribute, in preference order
_COLUMNS = {
    "name": ("devicename", "managementname", "manageddevicename", "displayname"),
    "serial": ("serialnumber",),
    "entra_id": (
        "microsoftentradeviceid",
        "azureaddeviceid",
        "aaddeviceid",
        "referenceid",
        "deviceid_entra",
    ),
    "os": ("operatingsystem", "os", "devicetype"),
    "os_version": ("osversion",),
    "model": ("model",),
    "manufacturer": ("manufacturer",),
    "sku": ("skufamily",),
    "ownership": ("manageddeviceownertype", "ownership", "ownertype"),
    "managed_by": ("managementagent", "managedby", "managementagents"),
    "enrollment_type": ("deviceenrollmenttype", "enrollmenttype"),
    "join": ("jointype", "trusttype"),
    "architecture": ("processorarchitecture",),
}
_VIRTUAL = re.compile(r"virtual\s*machine|vmware|virtualbox|\bkvm\b|qemu|\bxen\b|cloud\s*pc", re.I)
_ARCH = {
    "x64": "x64",
    "amd64": "x64",
    "9": "x64",
    "arm64": "arm64",
    "12": "arm64",
    "arm": "arm",
    "5": "arm",
    "x86": "x86",
    "0": "x86",  # the export's Windows mapping: 0 = x86 (Graph's enum writes names, not numbers)
}
# management agents that mean Intune MDM enrolment (Graph managementAgentType; admin center)
_INTUNE = re.compile(r"intune|co-?managed|\bmdm\b|mdm$|^mdm|easmdm|googlecloud|microsoft365managed")
_NOT_INTUNE = re.compile(
    r"configmgr|configurationmanagerclient$|\bmde\b|mssense|^eas$|jamf|\bnone\b"
)


def _ownership(v: str) -> str:
    v = v.strip().lower()
    if v in ("corporate", "company", "corporate-owned", "1"):
        return "corporate"
    if v in ("personal", "2"):
        return "personal"
    return ""


def _enrolment(agent: str, enrolment_type: str) -> str:
    a = agent.strip().lower().replace(" ", "")
    if a and _NOT_INTUNE.search(a) and not _INTUNE.search(a):
        return "none"
    if a and _INTUNE.search(a):
        return "intune"
    if enrolment_type.strip() and enrolment_type.strip().lower() not in ("unknown", "0"):
        return "intune"  # an Intune enrolment type is written only for enrolled devices
    return ""


def _join(v: str, enrolment_type: str) -> str:
    low = v.strip().lower().replace(" ", "")
    if "hybrid" in low or low == "serverad":
        return "hybrid"
    if "registered" in low or low == "workplace":
        return "registered"
    if "joined" in low or low == "azuread":
        return "entra"
    if low in ("none", "notjoined"):
        return "none"
    if enrolment_type.strip().lower().startswith("windowsazureadjoin"):
        return "entra"
    return ""


def _device(row: dict[str, str], source: str) -> Device:
    def get(attr: str) -> str:
        for name in _COLUMNS[attr]:
            value = row.get(name, "")
            if value and value.strip() not in ("--", "N/A", "null"):
                return value.strip()
        return ""

    os_text = " ".join(x for x in (get("os"), get("os_version"), get("sku")) if x)
    model = " ".join(x for x in (get("manufacturer"), get("model")) if x)
    platform = normalise_platform(os_text)
    if platform in ("windows", "") and re.search(r"cloud\s*pc", model, re.I):
        platform = "cloud_pc"  # Windows 365 reports its model as "Cloud PC ..."
    form = (
        "virtual"
        if platform == "cloud_pc" or _VIRTUAL.search(model)
        else ("physical" if model else "")
    )
    arch = get("architecture").lower()
    return Device(
        name=get("name"),
        serial=get("serial"),
        entra_id=get("entra_id"),
        platform=platform,
        ownership=_ownership(get("ownership")),
        architecture=_ARCH.get(arch, ""),
        form=form,
        enrolment=_enrolment(get("managed_by"), get("enrollment_type")),
        join=_join(get("join"), get("enrollment_type")),
        source=source,
    )


def _records_from_json(path: Path, doc: Any) -> list[dict[str, Any]]:
    if isinstance(doc, dict) and "Schema" in doc and "Values" in doc:
        cols = [c.get("Column", "") if isinstance(c, dict) else str(c) for c in doc["Schema"]]
        return [dict(zip(cols, v, strict=False)) for v in doc["Values"] if isinstance(v, list)]
    if isinstance(doc, dict) and isinstance(doc.get("value"), list):
        return [r for r in doc["value"] if isinstance(r, dict)]
    if isinstance(doc, list):
        out: list[dict[str, Any]] = []
        for item in doc:
            out.extend(_records_from_json(path, item) if not _is_device(item) else [item])
        return out
    if _is_device(doc):
        return [doc]
    raise InputError(
        "not a device inventory: no 'value' list of managedDevices, no report 'Schema'/"
        "'Values' — Graph GET /deviceManagement/managedDevices JSON or the Intune device export",
        file=str(path),
        line=1,
    )


def _is_device(item: Any) -> bool:
    return isinstance(item, dict) and any(
        norm(k) in ("devicename", "serialnumber", "azureaddeviceid") for k in item
    )


def _json_pages(text: str, path: Path) -> list[Any]:
    """One JSON document, or several appended one after another (pages saved in turn)."""
    return json_values(
        path,
        text,
        lambda exc: f"not valid JSON ({exc.msg}) — Graph managedDevices JSON as saved",
    )


def _read_one(path: Path) -> list[Device]:
    if not path.is_file():
        raise InputError(
            "no such file (or not a regular file) — an Intune device export (CSV) or Graph "
            "managedDevices JSON",
            file=str(path),
        )
    if path.stat().st_size > MAX_BYTES:
        raise InputError(f"larger than {MAX_BYTES:,} bytes — a device inventory", file=str(path))
    data = path.read_bytes()
    encoding = sniff_encoding(data[:65536])
    text = data.decode(encoding, errors="replace").lstrip("\ufeff")
    if text.lstrip()[:1] in ("{", "["):
        devices = []
        for doc in _json_pages(text, path):
            for i, rec in enumerate(_records_from_json(path, doc)):
                row = {norm(str(k)): "" if v is None else str(v) for k, v in rec.items()}
                devices.append(_device(row, f"{path.name}:record {i + 1}"))
        return devices
    table = read_delimited(path, data[:65536])
    names = {norm(c): c for c in table.frame.columns}
    if not (
        {"devicename", "serialnumber", "azureaddeviceid", "microsoftentradeviceid"} & set(names)
    ):
        raise InputError(
            f"not a device inventory: no Device name, Serial number or Microsoft Entra Device ID "
            f"column (header {excerpt(', '.join(map(str, table.frame.columns)))}) — the Intune "
            "admin center's Devices > All devices > Export",
            file=str(path),
            line=1,
        )
    frame = table.frame.astype(str)
    position = {n: list(frame.columns).index(c) for n, c in names.items()}
    out = []
    for line, values in zip(table.lines, frame.itertuples(index=False), strict=True):
        row = {n: str(values[i]) for n, i in position.items()}
        out.append(_device(row, f"{path.name}:{int(line)}"))
    return out


def read_devices(paths: Iterable[str | Path]) -> Inventory:
    """Read every device inventory in ``paths`` into one :class:`Inventory`.

    Raises
    ------
    InputError
        A file that is missing, not an inventory, or not valid JSON, located by file and line.
    """
    devices: list[Device] = []
    for p in map(Path, paths):
        devices.extend(_read_one(p))
    return Inventory.of(devices)
