"""Crash-consistent writes: a file or a folder of files is either the earlier one or the complete
new one, whatever instant the process is stopped at (``kill -9`` included).

Three tools:

- :func:`atomic_write_bytes`: one file, through a temporary file beside it and a rename.
- :func:`owned_folder` and :func:`sweep`: a work folder carries ``owner.lock``, a file holding
  its owner's PID and process start time, locked (``flock``) for as long as the owner lives.
  The kernel drops the lock when the owner dies, however it dies, so a later run can prove a
  folder is stale (it takes the lock) and remove it; a folder whose owner still runs, or that
  carries no lock file, is never touched.
- :func:`publish`: a folder's managed files replaced all at once. Where it can, the new files
  are staged in a folder beside the destination and the two folders are swapped in one
  ``renameat2(RENAME_EXCHANGE)`` (Linux 3.15+, glibc 2.28+, on ext4, xfs, btrfs, tmpfs and most
  local file systems). Where it cannot (another system, a file system that refuses the
  exchange, a destination holding files that are not the pack's, or a mount point), a journal
  naming every file is written first (the commit point); the files are then moved one by one,
  and if the process dies part-way, the next :func:`sweep` of that folder finishes the moves.

:data:`FAULT_HOOK` is called with the name of each step of a swap, so tests can stop the
process at exactly that point.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "FAULT_HOOK",
    "JOURNAL",
    "NEW",
    "OWNER_FILE",
    "Claim",
    "PublishError",
    "atomic_write_bytes",
    "exchange",
    "fault_point",
    "fsync_dir",
    "is_stale",
    "owned_folder",
    "publish",
    "sweep",
]

#: The lock file in a work folder: ``<pid> <start time>``, locked while the owner runs.
OWNER_FILE = "owner.lock"
#: The journal of a file-by-file publication (the commit point).
JOURNAL = "journal.json"
#: The subfolder of a work folder that holds the new files.
NEW = "new"

#: Called with each step's name during :func:`publish` (tests stop the process there).
FAULT_HOOK: Callable[[str], None] | None = None

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def fault_point(step: str) -> None:
    """Call :data:`FAULT_HOOK` with ``step`` (nothing happens when no hook is set)."""
    if FAULT_HOOK is not None:
        FAULT_HOOK(step)


class PublishError(OSError):
    """A file could not be moved into place; everything was put back as it was."""


def fsync_dir(path: str | Path) -> None:
    """Flush a folder's entries (a rename in it) to disk, where the system allows it."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _fsync_file(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _normal_mode(path: str | Path) -> None:
    # mkstemp creates the file private (0600); give it the mode a normal write would
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    A failure part-way (a full disk, a file-size limit, a kill) never leaves a half-written
    file where a good one was, nor a temporary file beside it (but for a kill, whose
    ``.<name>.*.tmp`` the file system keeps).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> atomic_write_bytes(d / "x.txt", b"ok"); (d / "x.txt").read_bytes()
    b'ok'
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        _normal_mode(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def exchange(a: str | Path, b: str | Path) -> None:
    """Swap two paths in one atomic step (``renameat2(RENAME_EXCHANGE)``).

    Raises
    ------
    OSError
        ``ENOSYS`` where the system has no such call (not Linux, or an old C library), or the
        file system's own error (``EINVAL`` where it does not support the exchange, ``EXDEV``
        across file systems).
    """
    if not sys.platform.startswith("linux"):
        raise OSError(errno.ENOSYS, "renameat2 is a Linux call", str(a))
    libc = ctypes.CDLL(None, use_errno=True)
    call = getattr(libc, "renameat2", None)
    if call is None:
        raise OSError(errno.ENOSYS, "the C library has no renameat2", str(a))
    call.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    call.restype = ctypes.c_int
    if call(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(a), None, str(b))


# ---- owned work folders ----------------------------------------------------------------------


def _start_time(pid: int) -> str:
    """The process's start time in clock ticks since boot (``/proc/PID/stat`` field 22), so a
    PID reused by another process is not taken for the owner; empty where there is no /proc."""
    try:
        stat_line = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat_line.rsplit(")", 1)[1].split()[19]


@dataclass
class Claim:
    """A held lock on a work folder; the lock goes when the process ends, or by :meth:`release`."""

    folder: Path
    fd: int

    def release(self) -> None:
        """Unlock (the folder may then be swept)."""
        if self.fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self.fd)
            self.fd = -1


def _lock(fd: int) -> bool:
    """Take an exclusive lock without waiting: True if taken, False if someone holds it."""
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def owned_folder(parent: str | Path, prefix: str) -> tuple[Path, Claim]:
    """A new private folder ``parent/<prefix>XXXXXXXX`` with a held ``owner.lock``.

    The lock file is written and locked under a temporary name and then renamed into place,
    so no other run ever sees the folder's lock file unlocked while its owner lives.

    Examples
    --------
    >>> import tempfile
    >>> folder, claim = owned_folder(tempfile.mkdtemp(), "rhmodel-doc-")
    >>> (folder / OWNER_FILE).read_text().split()[0] == str(os.getpid()), is_stale(folder)
    (True, False)
    >>> claim.release(); is_stale(folder)
    True
    """
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    staging = folder / f".{OWNER_FILE}.tmp"
    fd = os.open(staging, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        _lock(fd)
        os.write(fd, f"{os.getpid()} {_start_time(os.getpid())}\n".encode())
        os.replace(staging, folder / OWNER_FILE)
    except BaseException:
        os.close(fd)
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder, Claim(folder, fd)


def _owner_gone(text: str) -> bool:
    """For a file system without locks: the recorded PID runs no more (or is another process)."""
    parts = text.split()
    if not parts or not parts[0].isdigit():
        return False
    pid = int(parts[0])
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return len(parts) > 1 and _start_time(pid) not in ("", parts[1])


def _take_if_stale(folder: Path) -> int | None:
    """A descriptor holding ``folder``'s lock if its owner is gone; None if it lives or the
    folder carries no lock file (nothing proves it ours)."""
    try:
        fd = os.open(folder / OWNER_FILE, os.O_RDWR | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        if _lock(fd):
            return fd
    except OSError:  # no locks on this file system: fall back to the PID it names
        with contextlib.suppress(OSError):
            if _owner_gone(os.pread(fd, 200, 0).decode("ascii", "replace")):
                return fd
    os.close(fd)
    return None


def is_stale(folder: str | Path) -> bool:
    """Whether ``folder``'s owner is gone (its lock can be taken)."""
    fd = _take_if_stale(Path(folder))
    if fd is None:
        return False
    os.close(fd)
    return True


def sweep(
    parent: str | Path, prefix: str, managed: Sequence[str] = (), recover: bool = False
) -> list[Path]:
    """Remove ``parent``'s stale ``<prefix>*`` work folders; return those removed.

    Only a folder (not a link) owned by this user, carrying an ``owner.lock`` whose lock can be
    taken (its owner is dead), is removed. With ``recover``, a folder holding a publication
    journal is first finished (see :func:`publish`): its new files (of ``managed``) are moved
    into the folder the journal names.
    """
    removed: list[Path] = []
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(prefix):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid():
            continue
        folder = Path(entry.path)
        fd = _take_if_stale(folder)
        if fd is None:
            continue
        try:
            if recover and (folder / JOURNAL).exists():
                with contextlib.suppress(OSError, ValueError):
                    _finish_journal(folder, managed)
            shutil.rmtree(folder, ignore_errors=True)
            if not folder.exists():
                removed.append(folder)
        finally:
            os.close(fd)
    return removed


# ---- publication -----------------------------------------------------------------------------


def _can_exchange(work: Path, out_dir: Path, managed: Sequence[str]) -> bool:
    """The folder swap keeps everything the user had: the destination is a plain folder of
    ours beside the work folder, holding nothing but managed files."""
    try:
        st = os.lstat(out_dir)
        names = os.listdir(out_dir)
    except OSError:
        return False
    return (
        work.parent == out_dir.parent
        and stat.S_ISDIR(st.st_mode)
        and st.st_uid == os.geteuid()
        and not os.path.ismount(out_dir)
        and set(names) <= set(managed)
    )


def publish(work: str | Path, out_dir: str | Path, managed: Sequence[str]) -> str:
    """Make ``out_dir`` hold ``work/new``'s files in place of its ``managed`` files, at once.

    ``work`` is an :func:`owned_folder`; a managed file the new set lacks is removed from
    ``out_dir``. Returns the way it was done: ``"exchange"`` (one atomic swap of the two
    folders, when ``work`` sits beside ``out_dir`` and ``out_dir`` holds only managed files) or
    ``"journal"`` (file by file after a journal; a run stopped part-way is finished by the next
    :func:`sweep`).

    Raises
    ------
    PublishError
        A file could not be moved (held open on Windows, a full disk): everything moved was
        put back, so ``out_dir`` is as it was.
    """
    work, out_dir = Path(work), Path(out_dir)
    new = work / NEW
    written = [n for n in managed if os.path.lexists(new / n)]
    for name in written:  # on disk before anything the user has is touched
        _fsync_file(new / name)
    fsync_dir(new)
    fault_point("staged")
    if _can_exchange(work, out_dir, managed):
        with contextlib.suppress(OSError):
            os.chmod(new, stat.S_IMODE(os.stat(out_dir).st_mode))
        try:
            exchange(new, out_dir)
        except OSError:
            pass  # no exchange here: the journal below
        else:
            fsync_dir(out_dir.parent)
            fault_point("exchanged")
            return "exchange"
    _publish_by_journal(work, out_dir, written, managed)
    return "journal"


def _publish_by_journal(
    work: Path, out_dir: Path, written: Sequence[str], managed: Sequence[str]
) -> None:
    new = work / NEW
    journal = {
        "out": str(out_dir),
        "install": list(written),
        "remove": [n for n in managed if n not in written],
    }
    atomic_write_bytes(work / JOURNAL, json.dumps(journal).encode())  # the commit point
    fault_point("journal-written")
    aside = work / "earlier"
    aside.mkdir()
    moved_aside: list[str] = []
    moved_in: list[str] = []
    try:
        for name in managed:
            if os.path.lexists(out_dir / name):
                os.replace(out_dir / name, aside / name)
                moved_aside.append(name)
                fault_point(f"aside:{name}")
        for name in written:
            os.replace(new / name, out_dir / name)
            moved_in.append(name)
            fault_point(f"in:{name}")
    except OSError as exc:
        for name in moved_in:
            os.replace(out_dir / name, new / name)
        for name in moved_aside:
            os.replace(aside / name, out_dir / name)
        (work / JOURNAL).unlink(missing_ok=True)
        raise PublishError(exc.errno or 0, exc.strerror or str(exc), exc.filename) from None
    fsync_dir(out_dir)
    (work / JOURNAL).unlink()
    fault_point("journal-done")


def _finish_journal(work: Path, managed: Sequence[str]) -> None:
    """Finish a publication whose owner died after its journal was written (idempotent)."""
    journal = json.loads((work / JOURNAL).read_text())
    out_dir = Path(journal["out"])
    # a journal only ever names the work folder's own destination: beside it or around it
    if out_dir.parent != work.parent and out_dir != work.parent:
        raise ValueError(f"journal names a folder elsewhere: {out_dir}")
    ok = set(managed)
    install = [n for n in journal["install"] if n in ok]
    remove = [n for n in journal["remove"] if n in ok]
    for name in install:
        if os.path.lexists(work / NEW / name):
            os.replace(work / NEW / name, out_dir / name)
    for name in remove:
        if os.path.lexists(out_dir / name):
            os.unlink(out_dir / name)
    fsync_dir(out_dir)
    (work / JOURNAL).unlink()
