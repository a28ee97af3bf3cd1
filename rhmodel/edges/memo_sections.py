"""The memo's sections handed from ``rhmodel report`` to the pack notebook's kernel.

``rhmodel report`` renders the memo's sections (HTML fragments, charts embedded as SVG) in its
own process while the notebook's kernel starts, and writes them beside the pack's inputs file
(:func:`sections_path`); the kernel only displays them. While they are being rendered a
``.pending`` file stands beside them, so a kernel that starts first waits
(:func:`wait_for_sections`) instead of rendering the same sections a second time; a kernel
with no such files (the notebook run alone, by papermill or Jupyter) renders them itself.

Only the standard library is imported here: this module is the kernel's first import, and its
start is on the reader's wait.

Examples
--------
>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> inputs = folder / "pack-inputs.pickle"
>>> wait_for_sections(inputs) is None  # nothing announced: the notebook renders itself
True
>>> announce_sections(inputs)
>>> write_sections(inputs, [("title", "<h1>Memo</h1>")])
>>> wait_for_sections(inputs)
{'title': '<h1>Memo</h1>'}
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterable
from pathlib import Path

__all__ = [
    "announce_sections",
    "pending_path",
    "sections_path",
    "wait_for_sections",
    "withdraw_sections",
    "write_sections",
]

#: How often a waiting kernel looks for the sections, in seconds.
_POLL = 0.01


def sections_path(inputs_file: str | Path) -> Path:
    """Where the sections of the pack whose inputs are ``inputs_file`` are written."""
    p = Path(inputs_file)
    return p.with_name(p.stem + ".sections.json")


def pending_path(inputs_file: str | Path) -> Path:
    """The file that says the sections are being rendered."""
    s = sections_path(inputs_file)
    return s.with_name(s.name + ".pending")


def announce_sections(inputs_file: str | Path, pid: int | None = None) -> None:
    """Say that process ``pid`` (this one by default) is rendering the sections: a kernel that
    starts now waits for them, as long as that process lives."""
    pending_path(inputs_file).write_text(str(os.getpid() if pid is None else pid))


def withdraw_sections(inputs_file: str | Path) -> None:
    """Say that no sections will come (their rendering failed or was stopped): a waiting
    kernel renders them itself."""
    pending_path(inputs_file).unlink(missing_ok=True)


def write_sections(inputs_file: str | Path, sections: Iterable[tuple[str, str]]) -> None:
    """Write the sections (name, HTML) in order, whole or not at all (a kernel never reads a
    half-written file), then withdraw the pending file."""
    target = sections_path(inputs_file)
    part = target.with_name(target.name + ".part")
    part.write_text(json.dumps(dict(sections), ensure_ascii=False), encoding="utf-8")
    os.replace(part, target)
    withdraw_sections(inputs_file)


def wait_for_sections(inputs_file: str | Path, timeout: float = 600.0) -> dict[str, str] | None:
    """The sections rendered for ``inputs_file``, waiting while they are announced; ``None``
    when there are none (no inputs file, nothing announced, the rendering failed, or it took
    longer than ``timeout`` seconds)."""
    if not inputs_file:
        return None
    target, pending = sections_path(inputs_file), pending_path(inputs_file)
    deadline = time.monotonic() + timeout
    # the sections are written before the pending file goes, so one more look after it has
    # gone never misses them
    while not target.exists() and pending.exists() and time.monotonic() < deadline:
        if not _alive(pending):
            break  # the process rendering them died without a word
        time.sleep(_POLL)
    if not target.exists():
        return None
    sections = json.loads(target.read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in sections.items()}


def _alive(pending: Path) -> bool:
    """Whether the process named in ``pending`` still runs (unknown counts as running)."""
    try:
        pid = int(pending.read_text() or "0")
    except (OSError, ValueError):
        return True  # gone meanwhile, or being written: look again
    if pid <= 0:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, under another user
    # a child that died is a zombie until its parent (busy running this kernel) reaps it
    with contextlib.suppress(OSError, IndexError):
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    return True
