"""A synthetic pilot: seeded sessions with a realistic rhythm, written as real exports arrive.

The generator draws a pilot of ``days`` days: Remote Help for the internal attended help desk,
and a smaller stream of incumbent sessions that still needed LogMeIn Resolve or BeyondTrust,
each with a reason. Arrivals follow a working-day rhythm (morning and early-afternoon peaks,
quiet weekends); durations are long-tailed (log-normal).

:func:`write_sample` writes the same sessions twice: as each vendor exports them (Remote Help
as two overlapping Intune exports, LogMeIn as its session CSV in local time with offsets,
BeyondTrust as SupportSession XML) and once as one canonical CSV. Both must give identical
figures, with or without ``--timezone`` and ``--tenant-domain``. It also writes the
organisation's device inventory as the Intune admin center exports it (Devices > All devices >
Export; the DevicesWithInventory columns of Microsoft Learn "Export Intune reports using Graph
APIs"): the PCs its help desk supports, most of them eligible for Remote Help's unattended
control, a few ARM64 or personal, and its Windows 365 Cloud PCs. BeyondTrust's unattended (Jump
Client) sessions go to those PCs and Cloud PCs and to Windows servers, which are not in Intune.

Regenerate the bundled sample with ``python -m rhmodel.edges.synthetic``.

Examples
--------
>>> s = generate_sessions(seed=1, days=5)
>>> sorted(s["tool"].unique())
['beyondtrust', 'logmein_resolve', 'remote_help']
>>> bool((s["end"] >= s["start"]).all())
True
"""

from __future__ import annotations

import datetime as dt
import sys
import zlib
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd

from rhmodel.edges.atomic import atomic_write_bytes

__all__ = ["generate_sessions", "write_canonical", "write_inventory", "write_sample"]

# Share of each hour's arrivals over a working day (local time), peaks at 10:00 and 14:00.
_HOURLY = np.array(
    [
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0.3,
        1.2,
        2.0,
        2.4,
        1.9,
        1.1,
        1.6,
        2.1,
        1.8,
        1.3,
        0.7,
        0.3,
        0.1,
        0,
        0,
        0,
        0,
    ],
    dtype=float,
)
# Residual reasons and their weights per incumbent (BeyondTrust carries PAM and vendor access).
_REASONS = {
    "logmein_resolve": (
        ("unattended", 0.35),
        ("external", 0.2),
        ("recording", 0.1),
        ("rmm", 0.2),
        ("platform", 0.1),
        ("other", 0.05),
    ),
    "beyondtrust": (
        ("pam", 0.35),
        ("external", 0.25),
        ("unattended", 0.2),
        ("recording", 0.15),
        ("platform", 0.05),
    ),
}
_DAILY = {"remote_help": 120.0, "logmein_resolve": 9.0, "beyondtrust": 7.0}
_MEDIAN_MINUTES = {"remote_help": 12.0, "logmein_resolve": 22.0, "beyondtrust": 28.0}
_TECHS = {"remote_help": 40, "logmein_resolve": 9, "beyondtrust": 6}


def _technician(tool: str, i: np.ndarray, count: int) -> np.ndarray:
    if tool == "beyondtrust":
        names = np.array([f"BT Rep {k:02d}" for k in range(1, count + 1)], dtype=object)
        return names[i]
    prefix = "helpdesk" if tool == "remote_help" else "lmi.agent"
    return np.array([f"{prefix}{k:02d}@example.com" for k in range(1, count + 1)], dtype=object)[i]


def generate_sessions(
    seed: int = 2026,
    days: int = 45,
    start: dt.date = dt.date(2026, 12, 1),
    tz: str = "Europe/London",
    scale: float = 1.0,
) -> pd.DataFrame:
    """Draw a pilot's sessions in the canonical columns (start/end as Unix seconds, UTC).

    Parameters
    ----------
    seed : int
        Random seed: the same seed gives the same pilot.
    days : int
        Pilot length in days.
    start : datetime.date
        First day (local).
    tz : str
        Business time zone.
    scale : float
        Multiplies every daily volume (benchmarks use it to reach millions of sessions).
    """
    rng = np.random.default_rng(seed)
    day0 = pd.Timestamp(start, tz=tz)
    local_days = pd.date_range(day0, periods=days, freq="D")
    weekday = np.asarray(local_days.day_of_week < 5)
    hour_p = _HOURLY / _HOURLY.sum()
    frames = []
    for tool, per_day in _DAILY.items():
        counts = rng.poisson(per_day * scale * np.where(weekday, 1.0, 0.08))
        n = int(counts.sum())
        day_idx = np.repeat(np.arange(days), counts)
        hours = rng.choice(24, size=n, p=hour_p)
        seconds = hours * 3600 + rng.integers(0, 3600, size=n)
        local = local_days[day_idx] + pd.to_timedelta(seconds, unit="s")
        starts = local.tz_convert("UTC").as_unit("s").asi8
        minutes = rng.lognormal(np.log(_MEDIAN_MINUTES[tool]), 0.8, size=n)
        durations = np.clip(np.rint(minutes * 60), 60, 8 * 3600).astype(np.int64)
        # Bigger volumes come from a bigger help desk, not from each technician doing more.
        count = max(1, round(_TECHS[tool] * scale))
        tech = _technician(tool, rng.integers(0, count, size=n), count)
        if tool == "remote_help":
            reason = np.full(n, "", dtype=object)
        else:
            codes, weights = zip(*_REASONS[tool], strict=True)
            reason = rng.choice(np.array(codes, dtype=object), size=n, p=weights)
            durations = np.where(reason == "unattended", durations * 2, durations)
        frames.append(
            pd.DataFrame(
                {
                    "tool": tool,
                    "start": starts,
                    "end": starts + durations,
                    "technician": tech,
                    "reason": reason,
                }
            )
        )
    df = pd.concat(frames, ignore_index=True).sort_values("start", kind="stable")
    df = df.reset_index(drop=True)
    prefix = (
        df["tool"]
        .map({"remote_help": "rh-", "logmein_resolve": "lmi-", "beyondtrust": "bt-"})
        .to_numpy(dtype=str)
    )
    numbers = np.char.zfill(np.arange(len(df)).astype(str), 7)
    df.insert(0, "session_id", np.char.add(prefix, numbers).astype(object))
    # What each export shows of the helped device, derived from the session (no random draws,
    # so the sessions themselves are those of every earlier sample)
    platform, device, target = _devices(df)
    return df.assign(platform=platform, device=device, target=target)


#: PCs in the sample's device inventory (PC-0000 ... PC-2499) and Cloud PCs (CPC-000 ...).
_PCS, _CLOUD_PCS = 2500, 60


def _pc_profile(k: int) -> tuple[str, str, str, str]:
    """(ownership, architecture, join, model) of the sample's PC-k."""
    arm = k % 40 == 7
    personal = k % 60 == 11
    return (
        "Personal" if personal else "Corporate",
        "12" if arm else "9",  # the export's ProcessorArchitecture: 12 = ARM64, 9 = x64
        "Microsoft Entra hybrid joined" if k % 3 == 0 else "Microsoft Entra joined",
        "Surface Pro 11th Edition" if arm else ("Latitude 7440" if k % 2 else "EliteBook 840 G10"),
    )


def _devices(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Platform text, device name and target kind ('' / pc / cloud_pc / server) per session."""
    n = len(df)
    tool = df["tool"].to_numpy(dtype=object)
    reason = df["reason"].to_numpy(dtype=object)
    sharer_n = (np.arange(n) * 7919) % 2500
    platform = np.full(n, "", dtype=object)
    device = np.full(n, "", dtype=object)
    target = np.full(n, "", dtype=object)
    rh = tool == "remote_help"
    platform[rh] = np.where(sharer_n[rh] % 9 == 0, "macOS", "Windows")
    device[rh] = [f"PC-{k:04d}" for k in sharer_n[rh]]
    lmi = tool == "logmein_resolve"
    platform[lmi] = np.where(reason[lmi] == "platform", "Linux (Ubuntu 22.04)", "Windows 11")
    bt = tool == "beyondtrust"
    h = np.array([zlib.crc32(str(i).encode()) for i in df["session_id"]], dtype=np.int64)
    for i in np.flatnonzero(bt):
        if reason[i] == "platform":
            platform[i], device[i] = "Red Hat Enterprise Linux 9", f"LNX-{h[i] % 40:02d}"
        elif reason[i] == "unattended":
            pick = h[i] % 20
            if pick < 11:  # Jump Clients on the help desk's PCs
                platform[i], device[i], target[i] = (
                    "Windows 11 Enterprise",
                    f"PC-{h[i] // 20 % _PCS:04d}",
                    "pc",
                )
            elif pick < 13:  # Windows 365 Cloud PCs: the export shows Windows 11
                platform[i], device[i], target[i] = (
                    "Windows 11 Enterprise",
                    f"CPC-{h[i] // 20 % _CLOUD_PCS:03d}",
                    "cloud_pc",
                )
            else:  # Jump Clients on servers, which Intune does not manage
                platform[i], device[i], target[i] = (
                    "Windows Server 2022",
                    f"SRV-{h[i] // 20 % 30:02d}",
                    "server",
                )
        else:
            platform[i], device[i] = "Windows 11 Enterprise", f"PC-{h[i] // 20 % _PCS:04d}"
    return platform, device, target


def write_inventory(path: Path) -> None:
    """The sample's device inventory, as the Intune admin center exports it (atomic write).

    Columns as Microsoft documents the export (Devices > All devices > Export: the
    ``DevicesWithInventory`` report, Microsoft Learn "Export Intune reports using Graph APIs",
    checked 2026-12-01), a subset of them in the documented order.
    """
    rows = []
    for k in range(_PCS):
        owner, arch, join, model = _pc_profile(k)
        rows.append(
            (
                f"dev-{k:05d}",
                f"PC-{k:04d}",
                f"5CD{k:07d}",
                "Microsoft"
                if "Surface" in model
                else ("Dell Inc." if "Latitude" in model else "HP"),
                model,
                "10.0.26100.4652",
                "Intune",
                owner,
                "Windows",
                "Enterprise",
                join,
                arch,
            )
        )
    for k in range(_CLOUD_PCS):
        rows.append(
            (
                f"cpc-{k:05d}",
                f"CPC-{k:03d}",
                f"0000-{k:04d}-cpc",
                "Microsoft Corporation",
                "Cloud PC Enterprise 2vCPU/8GB/128GB",
                "10.0.26100.4652",
                "Intune",
                "Corporate",
                "Windows",
                "Enterprise",
                "Microsoft Entra joined",
                "9",
            )
        )
    header = (
        "Device ID",
        "Device name",
        "Serial number",
        "Manufacturer",
        "Model",
        "OS version",
        "Managed by",
        "Ownership",
        "OS",
        "SkuFamily",
        "JoinType",
        "ProcessorArchitecture",
    )
    out = pd.DataFrame(rows, columns=list(header))
    atomic_write_bytes(path, out.to_csv(index=False, lineterminator="\n").encode())


def _iso(seconds: np.ndarray | pd.Series) -> pd.Series:
    text = np.datetime_as_string(np.asarray(seconds, dtype="datetime64[s]"), unit="s")
    return pd.Series(np.char.add(text, "Z"), dtype=object)


def write_canonical(sessions: pd.DataFrame, path: Path) -> None:
    """The canonical CSV of ``sessions`` (atomic write)."""
    out = pd.DataFrame(
        {
            "session_id": sessions["session_id"],
            "tool": sessions["tool"],
            "start": _iso(sessions["start"]).to_numpy(),
            "end": _iso(sessions["end"]).to_numpy(),
            "technician": sessions["technician"],
            "reason": sessions["reason"],
        }
    )
    for col in ("platform", "device"):
        if col in sessions:
            out[col] = sessions[col].to_numpy()
    atomic_write_bytes(path, out.to_csv(index=False, lineterminator="\n").encode())


def _intune_graph_csv(rh: pd.DataFrame, running: set[str], export_time: int) -> bytes:
    n = len(rh)
    names = rh["technician"].str.split("@").str[0]
    sharer_n = (rh.index.to_numpy() * 7919) % 2500
    end = _iso(rh["end"])
    end = end.where(~rh["session_id"].isin(running).to_numpy(), "")  # still running then
    out = pd.DataFrame(
        {
            "id": rh["session_id"].to_numpy(),
            "startDateTime": _iso(rh["start"]).to_numpy(),
            "endDateTime": end.to_numpy(),
            "remoteAssistanceSessionType": np.where(sharer_n % 5 == 0, "viewOnly", "fullControl"),
            "helperEmail": rh["technician"].to_numpy(),
            "helperFirstName": names.to_numpy(),
            "helperLastName": "Helpdesk",
            "helperOs": "Windows",
            "sharerEmail": [f"user{k:04d}@example.com" for k in sharer_n],
            "sharerOs": rh["platform"].to_numpy()
            if "platform" in rh
            else np.where(sharer_n % 9 == 0, "macOS", "Windows"),
            "sharerDeviceName": [f"PC-{k:04d}" for k in sharer_n],
            "sessionCreateDateTime": _iso(rh["start"]).to_numpy(),
        }
    )
    assert len(out) == n
    del export_time
    return out.to_csv(index=False, lineterminator="\n").encode()


def _logmein_csv(lmi: pd.DataFrame, tz: str) -> bytes:
    def local_iso(seconds: np.ndarray) -> list[str]:
        # local business time with its UTC offset, as the export writes it
        stamps = pd.to_datetime(seconds, unit="s", utc=True).tz_convert(tz)
        return [t.isoformat() for t in stamps]

    local = local_iso(lmi["start"].to_numpy())
    local_end = local_iso(lmi["end"].to_numpy())
    reason = lmi["reason"].to_numpy()
    # What the export itself shows: session type, platform, customer; the technician tags the
    # rest in a custom field.
    session_type = np.where(reason == "unattended", "Unattended", "Attended")
    platform = lmi["platform"].to_numpy()
    customer = np.where(reason == "external", "contact@partner-supplier.com", "staff@example.com")
    # The technician tags what the export cannot show (external work is tagged too, so the
    # export stands on its own without --tenant-domain).
    tagged = np.where(np.isin(reason, ["recording", "rmm", "other", "external"]), reason, "")
    total = lmi["end"].to_numpy() - lmi["start"].to_numpy()
    out = pd.DataFrame(
        {
            "Session ID": lmi["session_id"].to_numpy(),
            "Start Time": np.asarray(local),
            "End Time": np.asarray(local_end),
            "Technician Name": lmi["technician"].str.split("@").str[0].to_numpy(),
            "Technician ID": lmi["technician"].str.split("@").str[0].to_numpy(),
            "Technician Email": lmi["technician"].to_numpy(),
            "Session Type": session_type,
            "Status": "Closed",
            "Channel Name": "Service Desk",
            "Device ID": [f"D{k:05d}" for k in range(len(lmi))],
            "Platform": platform,
            "Customer Email": customer,
            "Total Time": [f"{t // 3600:02d}:{t % 3600 // 60:02d}:{t % 60:02d}" for t in total],
            "Reason": tagged,
        }
    )
    return out.to_csv(index=False, lineterminator="\n").encode()


def _beyondtrust_xml(bt: pd.DataFrame) -> bytes:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<session_list xmlns="http://www.beyondtrust.com/sra/namespaces/API/reporting">',
    ]
    for row in bt.itertuples(index=False):
        reason = row.reason
        stype = "jump" if reason == "unattended" else "support"
        user = (
            "vendor.engineer@partner-supplier.com"
            if reason == "external"
            else ("staff@example.com")
        )
        os_name = row.platform
        key = reason if reason in ("pam", "recording", "other", "external") else ""
        dur = row.end - row.start
        lines += [
            f'  <session lsid="{escape(row.session_id)}">',
            f"    <session_type>{stype}</session_type>",
            f'    <start_time timestamp="{row.start}">'
            f"{pd.Timestamp(row.start, unit='s', tz='UTC').isoformat()}</start_time>",
            f'    <end_time timestamp="{row.end}">'
            f"{pd.Timestamp(row.end, unit='s', tz='UTC').isoformat()}</end_time>",
            f"    <duration>{dur // 3600:02d}:{dur % 3600 // 60:02d}:{dur % 60:02d}</duration>",
            '    <public_site id="1">Default</public_site>',
            f"    <external_key>{key}</external_key>",
            f'    <primary_rep id="{zlib.crc32(row.technician.encode()) % 1000}">'
            f"{escape(row.technician)}</primary_rep>",
            "    <customer_list>",
            '      <customer gsnumber="1">',
            f"        <username>{user}</username>",
            f"        <hostname>{escape(row.device)}</hostname>",
            f"        <os>{os_name}</os>",
            "        <info><name>Customer</name><company>Example</company>"
            "<issue>Support</issue></info>",
            "      </customer>",
            "    </customer_list>",
            "    <rep_list>",
            f'      <representative id="1"><display_name>{escape(row.technician)}'
            "</display_name><primary_rep>1</primary_rep></representative>",
            "    </rep_list>",
            "  </session>",
        ]
    lines.append("</session_list>")
    return ("\n".join(lines) + "\n").encode()


def write_sample(
    sessions: pd.DataFrame,
    pilot_dir: Path,
    canonical_dir: Path,
    tz: str = "Europe/London",
    devices_dir: Path | None = None,
) -> None:
    """Write ``sessions`` as vendor exports into ``pilot_dir`` and as canonical CSV, and the
    device inventory into ``devices_dir`` (default: beside the exports, in ``pilot_dir``)."""
    pilot_dir.mkdir(parents=True, exist_ok=True)
    canonical_dir.mkdir(parents=True, exist_ok=True)
    devices_dir = pilot_dir if devices_dir is None else devices_dir
    devices_dir.mkdir(parents=True, exist_ok=True)
    write_inventory(devices_dir / "intune-devices.csv")
    write_canonical(sessions, canonical_dir / "sessions.csv")
    rh = sessions[sessions["tool"] == "remote_help"]
    t0, t1 = int(rh["start"].min()), int(rh["start"].max())
    # The first export is taken at 10:30 local on a day two thirds in (sessions are running
    # then); the second covers from a third of the way in: the middle third is in both.
    day = pd.Timestamp(t0 + (t1 - t0) * 2 // 3, unit="s", tz="UTC").tz_convert(tz).normalize()
    while day.day_of_week >= 5:
        day -= pd.Timedelta(days=1)
    cut_1 = int((day + pd.Timedelta(hours=10, minutes=30)).tz_convert("UTC").timestamp())
    cut_2 = t0 + (t1 - t0) // 3
    first = rh[rh["start"] < cut_1]
    second = rh[rh["start"] >= cut_2]
    # Sessions running when the first export was taken: no end there, complete in the second.
    running = set(first.loc[(first["end"] > cut_1) & (first["start"] >= cut_2), "session_id"])
    atomic_write_bytes(
        pilot_dir / "intune-remote-help-export-1.csv", _intune_graph_csv(first, running, cut_1)
    )
    atomic_write_bytes(
        pilot_dir / "intune-remote-help-export-2.csv", _intune_graph_csv(second, set(), t1)
    )
    atomic_write_bytes(
        pilot_dir / "logmein-resolve-sessions.csv",
        _logmein_csv(sessions[sessions["tool"] == "logmein_resolve"], tz),
    )
    atomic_write_bytes(
        pilot_dir / "beyondtrust-supportsession.xml",
        _beyondtrust_xml(sessions[sessions["tool"] == "beyondtrust"]),
    )


def main(argv: list[str] | None = None) -> int:
    """Regenerate ``data/sample/``."""
    from rhmodel.edges.bundled import SAMPLE_CANONICAL_DIR, SAMPLE_PILOT_DIR

    del argv
    sessions = generate_sessions()
    write_sample(sessions, SAMPLE_PILOT_DIR, SAMPLE_CANONICAL_DIR)
    print(f"wrote {len(sessions)} sessions to {SAMPLE_PILOT_DIR} and {SAMPLE_CANONICAL_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
