"""Whether one device qualifies for a capability that holds only under conditions.

Remote Help's unattended control holds for some devices only: physical, corporate-owned,
Intune-enrolled, x64, Microsoft Entra joined or hybrid joined Windows clients (and Android
Enterprise dedicated devices), not Windows Server, Windows 365 Cloud PCs, Azure Virtual Desktop,
personal (BYOD) or ARM64 devices. The capability matrix states that as data: a cell's
``conditions`` (:class:`~rhmodel.core.capabilities.Condition`). This module describes a device
(:class:`Device`), holds an organisation's device inventory (:class:`Inventory`: looked up by
device name, serial number or Microsoft Entra device id) and judges one device against a cell
(:func:`judge`): eligible, or the bucket that says why not.

Use it for: an unattended pilot session, to say whether Remote Help could now have served it.
A device that cannot be checked (not in the inventory, or an attribute the inventory leaves
blank) is never eligible: the session stays residual, counted under ``unknown``.

Examples
--------
>>> from rhmodel.edges.bundled import load_capabilities
>>> cell = load_capabilities().cell("unattended", "remote_help")
>>> pc = Device(name="PC-0001", platform="windows", ownership="corporate", architecture="x64",
...             form="physical", enrolment="intune", join="entra")
>>> judge(cell, pc)
(True, 'eligible')
>>> judge(cell, Device(name="SRV-01", platform="windows_server"))
(False, 'server')
>>> from dataclasses import replace
>>> judge(cell, replace(pc, architecture="arm64")), judge(cell, replace(pc, ownership="personal"))
((False, 'arm64'), (False, 'personal'))
>>> judge(cell, None), judge(cell, None, platform="cloud_pc")
((False, 'unknown'), (False, 'cloud_pc'))
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from rhmodel.core.capabilities import Cell

__all__ = [
    "ATTRIBUTES",
    "BUCKETS",
    "Device",
    "Inventory",
    "judge",
]

#: The attributes a condition may name, and the values each takes ('' = not known).
ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "platform": (),  # a platform id of rhmodel.core.products.PLATFORMS
    "ownership": ("corporate", "personal"),
    "architecture": ("x64", "arm64", "x86", "arm"),
    "form": ("physical", "virtual"),
    "enrolment": ("intune", "none"),
    "join": ("entra", "hybrid", "registered", "none"),
    "cloud": ("commercial", "gcc", "gcc_high", "dod"),
}
#: Why an unattended session's device is not eligible (the pool JSON's
#: ``unattended_not_eligible``): the six the issue pins, then ``other`` (x86 or 32-bit ARM,
#: macOS, Linux, iOS, ChromeOS, Android other than dedicated).
BUCKETS: tuple[str, ...] = (
    "server",
    "cloud_pc",
    "personal",
    "arm64",
    "not_enrolled",
    "unknown",
    "other",
)


@dataclass(frozen=True)
class Device:
    """One device of an inventory, as the unattended conditions see it.

    Attributes
    ----------
    name, serial, entra_id : str
        Device name, serial number and Microsoft Entra device id: what a session joins on.
    platform : str
        Platform id (``windows``, ``windows_server``, ``cloud_pc``, ...; '' when unknown).
    ownership : str
        ``corporate`` or ``personal`` ('' when unknown).
    architecture : str
        ``x64``, ``arm64``, ``x86`` or ``arm`` ('' when unknown).
    form : str
        ``physical`` or ``virtual`` ('' when unknown).
    enrolment : str
        ``intune`` (Intune-enrolled, including co-managed) or ``none`` ('' when unknown).
    join : str
        ``entra`` (Microsoft Entra joined), ``hybrid``, ``registered`` or ``none``.
    source : str
        Where the record was read (``file:line``), for messages.
    """

    json_fields: ClassVar[tuple[str, ...]] = (
        "name",
        "serial",
        "entra_id",
        "platform",
        "ownership",
        "architecture",
        "form",
        "enrolment",
        "join",
    )

    name: str = ""
    serial: str = ""
    entra_id: str = ""
    platform: str = ""
    ownership: str = ""
    architecture: str = ""
    form: str = ""
    enrolment: str = ""
    join: str = ""
    source: str = field(default="", compare=False)

    def attribute(self, name: str) -> str:
        """The device's value of a condition attribute ('' when it has none)."""
        return getattr(self, name, "") if name in _DEVICE_FIELDS else ""


_DEVICE_FIELDS = frozenset(f.name for f in fields(Device))


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


@dataclass(frozen=True)
class Inventory:
    """An organisation's devices, looked up by name, serial number or Entra device id.

    A name (or serial) that several records share is judged on all of them: eligible only if
    every one is (:meth:`candidates`), so a duplicate never makes a session movable.

    Examples
    --------
    >>> inv = Inventory.of([Device(name="PC-1", serial="SN1"), Device(name="pc-2")])
    >>> [d.name for d in inv.candidates("pc-1.corp.example.com")], len(inv.candidates("SN1"))
    (['PC-1'], 1)
    >>> inv.candidates("PC-9"), len(inv)
    ((), 2)
    """

    devices: tuple[Device, ...] = ()
    _index: Mapping[str, tuple[int, ...]] = field(
        default_factory=dict, repr=False, compare=False, metadata={"json": False}
    )

    @classmethod
    def of(cls, devices: Iterable[Device]) -> Inventory:
        """An inventory of ``devices`` with its lookup index."""
        devices = tuple(devices)
        index: dict[str, list[int]] = {}
        for i, d in enumerate(devices):
            for k in {_key(d.name), _key(d.serial), _key(d.entra_id)} - {""}:
                index.setdefault(k, []).append(i)
        return cls(devices, {k: tuple(v) for k, v in index.items()})

    def __len__(self) -> int:
        return len(self.devices)

    def candidates(self, ref: str) -> tuple[Device, ...]:
        """The devices ``ref`` (a session's device name, FQDN, serial or Entra id) names."""
        k = _key(ref)
        if not k:
            return ()
        hits = self._index.get(k) or self._index.get(k.split(".", 1)[0], ())
        return tuple(self.devices[i] for i in hits)


def _bucket(attribute: str, value: str) -> str:
    """Why a device whose ``attribute`` is ``value`` fails a condition."""
    if not value:
        return "unknown"
    if attribute == "platform":
        return {"windows_server": "server", "cloud_pc": "cloud_pc"}.get(value, "other")
    if attribute == "form":
        return "cloud_pc"  # a virtual machine: Windows 365, Azure Virtual Desktop or another VM
    if attribute == "ownership":
        return "personal"
    if attribute == "architecture":
        return "arm64" if value in ("arm64", "arm") else "other"
    if attribute in ("enrolment", "join"):
        return "not_enrolled"
    return "other"


# the order failures are reported in: what the device is before how it is managed
_ORDER = ("platform", "form", "ownership", "architecture", "enrolment", "join", "cloud")


def judge(cell: Cell, device: Device | None, platform: str = "") -> tuple[bool, str]:
    """Whether ``device`` qualifies under ``cell``'s conditions, or why not.

    Parameters
    ----------
    cell : Cell
        A capability cell with ``conditions`` (Remote Help's unattended cell).
    device : Device or None
        The device from the inventory (``None``: not found, or no inventory).
    platform : str
        The platform the session's export shows. ``windows_server`` and ``cloud_pc`` are
        decisive even without an inventory record; otherwise the inventory's platform wins.

    Returns
    -------
    (bool, str)
        ``(True, "eligible")``, or ``(False, bucket)`` with a bucket of :data:`BUCKETS`: the
        first attribute (in the order platform, form, ownership, architecture, enrolment, join)
        by which the device misses the condition closest to holding, ``unknown`` when that
        attribute is not known.
    """
    if platform in ("windows_server", "cloud_pc"):
        device = replace(device or Device(), platform=platform)
    elif device is None or not device.platform:
        if device is None and not platform:
            return False, "unknown"
        device = replace(device or Device(), platform=platform)
    best: str | None = None
    best_rank = -1
    for cond in cell.conditions:
        if cond.level != "yes":
            continue
        failed = [a for a in _ORDER if a in cond.when and device.attribute(a) not in cond.when[a]]
        if not failed:
            return True, "eligible"
        # the condition the device meets furthest (platform first) says why it is not eligible
        rank = _ORDER.index(failed[0])
        if rank > best_rank:
            best_rank, best = rank, _bucket(failed[0], device.attribute(failed[0]))
    if device.platform == "" and best is None:
        return False, "unknown"
    return False, best or "other"
