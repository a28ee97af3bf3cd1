"""Cached values in a workbook: LibreOffice opens it headless, recalculates, and saves it.

openpyxl writes formulas without their values, so a mail preview, pandas or any reader that
does not calculate sees blank NPVs. When LibreOffice is installed, :func:`cache_values` has it
recalculate every formula and save the file with the values beside the formulas; the workbook's
About sheet says whether that happened. Without LibreOffice the file is left as written (Excel
and LibreOffice calculate on opening).

What LibreOffice must not be allowed to do:

- **Drop the quote prefix.** Its save rewrites the styles and loses ``quotePrefix``, so in Excel
  F2 then Enter on a text cell holding ``=HYPERLINK(...)`` would make it a live formula.
  :func:`restore_quote_prefix` puts the prefix back on every text cell that starts with
  ``=``, ``+``, ``-``, ``@``, tab or carriage return, in the saved file's own XML.
- **Hang.** It runs in its own process group with a timeout (:func:`libreoffice_timeout`,
  ``RHMODEL_LIBREOFFICE_TIMEOUT`` seconds, 120 unless set); on expiry the whole group is
  killed, the workbook is kept without cached values, and a ``warning:`` line says so.
- **Unfreeze the panes.** Headless, it has no window and writes every sheet unfrozen;
  :func:`restore_panes` puts each sheet's view back from the file it was given.
- **Leave things behind.** Its profile, its temporary files and its IPC pipes live in one
  private ``rhmodel-recalc-*`` folder (with an owner lock, see :mod:`rhmodel.edges.atomic`),
  removed afterwards, and swept by the next run if this one was killed.
- **Touch the destination before the result is whole.** The cached file is staged beside the
  destination and renamed over it only once complete (a full disk leaves the destination as
  it was, and no partial copy).
"""

from __future__ import annotations

import contextlib
import html
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rhmodel.edges.atomic import atomic_write_bytes, fsync_dir, owned_folder, sweep
from rhmodel.errors import InputError

__all__ = [
    "DEFAULT_TIMEOUT",
    "MALLOC_TUNABLES",
    "RECALC_PROFILE",
    "Caching",
    "cache_values",
    "libreoffice",
    "libreoffice_timeout",
    "publish_workbook",
    "recalculate",
    "restore_panes",
    "restore_quote_prefix",
    "run_bounded",
]

#: glibc's allocator kept from handing large blocks back to the system and mapping them again:
#: recalculating the pack's workbook, LibreOffice otherwise takes about 335,000 page faults
#: (1.0 s of system time) for 270 MB resident; with these, 83,000 (0.4 s) for 300 MB, and the
#: same file. Other C libraries ignore the variable.
MALLOC_TUNABLES = "glibc.malloc.mmap_threshold=4294967296:glibc.malloc.trim_threshold=4294967296"
#: Seconds LibreOffice may take to recalculate and save a workbook.
DEFAULT_TIMEOUT = 120.0
#: Text cells starting with one of these get the quote prefix (as ``workbook.put_text`` does).
DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")

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


@dataclass(frozen=True)
class Caching:
    """Whether a workbook's values were cached, and if not, why (a sentence)."""

    cached: bool
    reason: str = ""
    #: True when the reason is a fault the user should hear about (a hung LibreOffice).
    warn: bool = False

    def __bool__(self) -> bool:
        """Truthy when cached, so a caller that took ``cache_values``'s bool keeps working."""
        return self.cached


def libreoffice() -> str | None:
    """The LibreOffice binary on this machine, if any."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def libreoffice_timeout() -> float:
    """Seconds LibreOffice may run: ``RHMODEL_LIBREOFFICE_TIMEOUT`` or :data:`DEFAULT_TIMEOUT`.

    Raises
    ------
    InputError
        The variable is set to something other than a number of seconds above 0.
    """
    text = os.environ.get("RHMODEL_LIBREOFFICE_TIMEOUT", "").strip()
    if not text:
        return DEFAULT_TIMEOUT
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 86_400:
        raise InputError(
            f"not a number of seconds ({text[:40]!r}) — e.g. 120 (at most 86400)",
            file="RHMODEL_LIBREOFFICE_TIMEOUT",
        )
    return value


def run_bounded(
    cmd: Sequence[str], timeout: float, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run ``cmd`` in a process group of its own; past ``timeout`` seconds kill the whole group.

    Raises
    ------
    subprocess.TimeoutExpired
        After the group (the program and everything it started) has been killed and reaped.
    """
    proc = subprocess.Popen(
        list(cmd),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
    )
    try:
        _out, err = proc.communicate(timeout=timeout)
    except BaseException:  # the timeout, or an interruption: nothing of the group survives
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.kill()
        proc.wait()
        raise
    return subprocess.CompletedProcess(list(cmd), proc.returncode, b"", err)


# ---- the quote prefix --------------------------------------------------------------------------

_CELL = re.compile(rb"<c\b([^>]*?)(/>|>(.*?)</c>)", re.S)
_ATTR = re.compile(rb'\s([\w:]+)="([^"]*)"')
_SI = re.compile(rb"<si\b[^>]*>(.*?)</si>|<si\b[^>]*/>", re.S)
_T = re.compile(rb"<t\b[^>]*>(.*?)</t>|<t\b[^>]*/>", re.S)
_XF = re.compile(rb"<xf\b[^>]*/>|<xf\b[^>]*>.*?</xf>", re.S)
_CELLXFS = re.compile(rb"(<cellXfs\b[^>]*>)(.*?)(</cellXfs>)", re.S)


def _text(fragment: bytes) -> str:
    return html.unescape(b"".join(m.group(1) or b"" for m in _T.finditer(fragment)).decode())


def _dangerous(text: str) -> bool:
    return text.startswith(DANGEROUS_START)


def restore_quote_prefix(data: bytes) -> bytes:
    """``data`` (an .xlsx) with ``quotePrefix="1"`` on every text cell that starts with ``=``,
    ``+``, ``-``, ``@``, tab or carriage return, edited in its own XML (so cached values and
    everything else LibreOffice wrote stay byte for byte).

    Examples
    --------
    >>> from openpyxl import Workbook
    >>> wb = Workbook(); wb.active["A1"] = "=1+1"; wb.active["A1"].data_type = "s"
    >>> buf = io.BytesIO(); wb.save(buf)
    >>> fixed = zipfile.ZipFile(io.BytesIO(restore_quote_prefix(buf.getvalue())))
    >>> b'quotePrefix="1"' in fixed.read("xl/styles.xml")
    True
    """
    src = zipfile.ZipFile(io.BytesIO(data))
    names = src.namelist()
    shared: list[str] = []
    if "xl/sharedStrings.xml" in names:
        shared = [_text(m.group(1) or b"") for m in _SI.finditer(src.read("xl/sharedStrings.xml"))]
    styles = src.read("xl/styles.xml")
    found = _CELLXFS.search(styles)
    if found is None:
        return data
    xfs = [m.group(0) for m in _XF.finditer(found.group(2))]
    prefixed: dict[int, int] = {}  # style index -> the same style with the quote prefix

    def quoted_style(index: int) -> int:
        if index not in prefixed:
            xf = xfs[index] if index < len(xfs) else b"<xf/>"
            if b'quotePrefix="1"' in xf or b'quotePrefix="true"' in xf:
                prefixed[index] = index
            else:
                xf = re.sub(rb'\squotePrefix="[^"]*"', b"", xf)
                xf = re.sub(rb"^<xf\b", b'<xf quotePrefix="1"', xf)
                xfs.append(xf)
                prefixed[index] = len(xfs) - 1
        return prefixed[index]

    changed: dict[str, bytes] = {}
    for name in names:
        if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
            continue
        sheet = src.read(name)

        def fix(m: re.Match[bytes]) -> bytes:
            attrs = dict(_ATTR.findall(m.group(1)))
            kind, body = attrs.get(b"t"), m.group(3) or b""
            if kind == b"s":
                v = re.search(rb"<v>(\d+)</v>", body)
                text = shared[int(v.group(1))] if v and int(v.group(1)) < len(shared) else ""
            elif kind == b"inlineStr":
                text = _text(body)
            else:
                return m.group(0)
            if not _dangerous(text):
                return m.group(0)
            style = quoted_style(int(attrs.get(b"s", b"0") or 0))
            head = re.sub(rb'\ss="\d*"', b"", m.group(1)) + f' s="{style}"'.encode()
            return b"<c" + head + m.group(2)

        fixed = _CELL.sub(fix, sheet)
        if fixed != sheet:
            changed[name] = fixed
    if not changed:
        return data
    cellxfs = re.sub(rb'\scount="\d+"', b"", found.group(1)).replace(
        b"<cellXfs", f'<cellXfs count="{len(xfs)}"'.encode(), 1
    )
    changed["xl/styles.xml"] = (
        styles[: found.start()] + cellxfs + b"".join(xfs) + found.group(3) + styles[found.end() :]
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, changed.get(info.filename, src.read(info.filename)))
    return out.getvalue()


# ---- the frozen panes ----------------------------------------------------------------------------

_SHEET = re.compile(rb'<sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"', re.S)
_REL = re.compile(rb"<Relationship\b([^>]*)/?>", re.S)
_VIEWS = re.compile(rb"<sheetViews>.*?</sheetViews>|<sheetViews/>", re.S)


def _sheet_files(z: zipfile.ZipFile) -> dict[bytes, str]:
    """Sheet name → its part name in the package, from the workbook and its relationships."""
    targets = {}
    for m in _REL.finditer(z.read("xl/_rels/workbook.xml.rels")):
        attrs = dict(_ATTR.findall(b" " + m.group(1)))
        if b"Id" in attrs and b"Target" in attrs:
            target = attrs[b"Target"].decode().lstrip("/")
            targets[attrs[b"Id"]] = target if target.startswith("xl/") else f"xl/{target}"
    names = {}
    for m in _SHEET.finditer(z.read("xl/workbook.xml")):
        if m.group(2) in targets:
            names[m.group(1)] = targets[m.group(2)]
    return names


def restore_panes(original: bytes, converted: bytes) -> bytes:
    """``converted`` (LibreOffice's save of ``original``) with each sheet's view — the frozen
    panes — as ``original`` had it: headless LibreOffice has no window, so it writes every
    sheet unfrozen.

    Examples
    --------
    >>> from openpyxl import Workbook
    >>> wb = Workbook(); wb.active.freeze_panes = "A2"; buf = io.BytesIO(); wb.save(buf)
    >>> plain = io.BytesIO(); Workbook().save(plain)
    >>> fixed = restore_panes(buf.getvalue(), plain.getvalue())
    >>> b'topLeftCell="A2"' in zipfile.ZipFile(io.BytesIO(fixed)).read("xl/worksheets/sheet1.xml")
    True
    """
    src, dst = zipfile.ZipFile(io.BytesIO(original)), zipfile.ZipFile(io.BytesIO(converted))
    before, after = _sheet_files(src), _sheet_files(dst)
    changed: dict[str, bytes] = {}
    for name, part in after.items():
        if name not in before:
            continue
        views = _VIEWS.search(src.read(before[name]))
        if views is None or b"<pane" not in views.group(0):
            continue
        xml = dst.read(part)
        found = _VIEWS.search(xml)
        if found is None:
            continue
        changed[part] = xml[: found.start()] + views.group(0) + xml[found.end() :]
    if not changed:
        return converted
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in dst.infolist():
            z.writestr(info, changed.get(info.filename, dst.read(info.filename)))
    return out.getvalue()


# ---- recalculation -----------------------------------------------------------------------------


def _warn_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def recalculate(source: str | Path, timeout: float | None = None) -> tuple[Caching, bytes | None]:
    """``source`` recalculated by headless LibreOffice, quote prefixes restored, as bytes.

    ``source`` is only read. Returns the outcome and the new file's bytes (None when not
    cached). LibreOffice runs with a private profile, temporary folder and pipes, in a
    process group of its own that is killed whole after ``timeout`` seconds.
    """
    binary = libreoffice()
    if binary is None:
        return Caching(False, "LibreOffice not found"), None
    limit = libreoffice_timeout() if timeout is None else timeout
    source = Path(source)
    base = Path(tempfile.gettempdir())
    sweep(base, "rhmodel-recalc-")  # what a killed run left
    work, claim = owned_folder(base, "rhmodel-recalc-")
    try:
        profile = work / "profile"
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(RECALC_PROFILE)
        (work / "tmp").mkdir()
        out = work / "out"
        # LibreOffice's own temporary files and pipes go in the private folder too
        env = {**os.environ, "TMPDIR": str(work / "tmp")}
        if not env.get("GLIBC_TUNABLES"):  # a user's own setting wins
            env["GLIBC_TUNABLES"] = MALLOC_TUNABLES
        cmd = [
            binary,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(source.resolve()),
        ]
        try:
            run_bounded(cmd, limit, env)
        except subprocess.TimeoutExpired:
            return (
                Caching(
                    False,
                    f"LibreOffice did not finish within {limit:g} s and was stopped",
                    warn=True,
                ),
                None,
            )
        except OSError as exc:
            return Caching(False, f"LibreOffice could not start ({exc.strerror or exc})"), None
        done = out / source.name
        if not done.exists() or done.stat().st_size == 0:
            return Caching(False, "LibreOffice produced no file"), None
        try:
            data = restore_panes(source.read_bytes(), restore_quote_prefix(done.read_bytes()))
        except (zipfile.BadZipFile, KeyError, ValueError):
            return Caching(False, "LibreOffice produced an unreadable file"), None
        return Caching(True), data
    finally:
        shutil.rmtree(work, ignore_errors=True)
        claim.release()


def cache_values(
    path: str | Path,
    timeout: float | None = None,
    warn: Callable[[str], None] | None = _warn_stderr,
) -> bool:
    """Recalculate ``path`` in headless LibreOffice and replace it with the result.

    A hung LibreOffice is stopped after ``timeout`` seconds (default
    :func:`libreoffice_timeout`) and ``warn`` gets a ``warning:`` line (printed on stderr
    unless another callable, or None, is given).

    Returns
    -------
    bool
        True when the values are cached; False when LibreOffice is absent, hung or did not
        produce the file (``path`` is then left exactly as it was).

    Raises
    ------
    OSError
        The cached file could not be written beside ``path`` (a full disk, a file-size
        limit): ``path`` is as it was, and no partial copy is left.
    """
    path = Path(path)
    outcome, data = recalculate(path, timeout)
    if data is None:
        if outcome.warn and warn is not None:
            warn(
                f"warning: {path}: values not cached: {outcome.reason}; the workbook is kept "
                "without them (Excel and LibreOffice calculate on opening)"
            )
        return False
    atomic_write_bytes(path, data)
    return True


def publish_workbook(
    path: str | Path,
    build: Callable[[bool], bytes],
    cache: bool = True,
    timeout: float | None = None,
    warn: Callable[[str], None] | None = _warn_stderr,
) -> Caching:
    """Write the workbook ``build(cached)`` returns to ``path``, with cached values if it can,
    touching ``path`` once: when the final bytes are complete on disk beside it.

    ``build`` is called with True (the About sheet says the values are cached) and, if caching
    then fails, again with False, so the file never claims values it lacks. The uncached file
    is staged and recalculated in a private folder beside ``path``. A hung LibreOffice is
    reported to ``warn`` as one ``warning:`` line (stderr unless another callable, or None).

    Raises
    ------
    OSError
        A full disk or a file-size limit while staging: ``path`` is as it was, nothing staged
        is left.
    """
    path = Path(path)
    caching = cache and libreoffice() is not None
    if not caching:
        atomic_write_bytes(path, build(False))
        return Caching(False, "LibreOffice not found" if cache else "not asked for")
    parent = path.parent
    sweep(parent, ".rhmodel-book-")
    work, claim = owned_folder(parent, ".rhmodel-book-")
    try:
        staged = work / path.name
        staged.write_bytes(build(True))
        outcome, data = recalculate(staged, timeout)
        atomic_write_bytes(path, data if data is not None else build(False))
        fsync_dir(parent)
        if outcome.warn and warn is not None:
            warn(
                f"warning: {path}: values not cached: {outcome.reason}; the workbook is kept "
                "without them (Excel and LibreOffice calculate on opening)"
            )
        return outcome
    finally:
        shutil.rmtree(work, ignore_errors=True)
        claim.release()
