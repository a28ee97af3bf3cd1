"""Cached values in a workbook: LibreOffice opens it headless, recalculates, and saves it.

openpyxl writes formulas without their values, so a mail preview, pandas or any reader that
does not calculate sees blank NPVs. When LibreOffice is installed, :func:`cache_values` has it
recalculate every formula and save the file with the values beside the formulas; the workbook's
About sheet says whether that happened. Without LibreOffice the file is left as written (Excel
and LibreOffice calculate on opening).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

__all__ = ["RECALC_PROFILE", "cache_values", "libreoffice"]

# Always recalculate an OOXML file on load (LibreOffice's default asks, or never recalculates).
RECALC_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
           xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
  <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop>
</item>
</oor:items>
"""


def libreoffice() -> str | None:
    """The LibreOffice binary on this machine, if any."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def cache_values(path: str | Path, timeout: float = 180) -> bool:
    """Recalculate ``path`` in headless LibreOffice and replace it with the result.

    Returns
    -------
    bool
        True when the values are cached; False when LibreOffice is absent or did not produce
        the file (``path`` is then left exactly as it was).
    """
    binary = libreoffice()
    if binary is None:
        return False
    source = Path(path)
    with tempfile.TemporaryDirectory(prefix="rhmodel-recalc-") as tmp:
        profile = Path(tmp) / "profile"
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(RECALC_PROFILE)
        out = Path(tmp) / "out"
        try:
            subprocess.run(
                [
                    binary,
                    f"-env:UserInstallation={profile.as_uri()}",
                    "--headless",
                    "--norestore",
                    "--convert-to",
                    "xlsx",
                    "--outdir",
                    str(out),
                    str(source),
                ],
                capture_output=True,
                timeout=timeout,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return False
        done = out / source.name
        if not done.exists() or done.stat().st_size == 0:
            return False
        # same directory, then an atomic rename: a reader never sees half a file
        staged = source.with_name(f".{source.name}.cached")
        shutil.copyfile(done, staged)
        os.replace(staged, source)
    return True
