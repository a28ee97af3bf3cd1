"""The pack notebook's kernel: launched early, on private IPC sockets, and killed whole.

This module is light on purpose (the standard library, ``jupyter_client`` when a kernel is
launched, and rhmodel's folder claims): ``rhmodel report`` launches the kernel before it
imports the model, so the kernel's start (about 1.4 s) and its imports run beside the
command's own imports and evaluation instead of after them.

Examples
--------
>>> cmd = ipc_kernel_manager("/tmp/k", warmup="import math")(kernel_name=KERNEL)
>>> cmd.transport, cmd.ip
('ipc', '/tmp/k')
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rhmodel.edges.atomic import Claim, owned_folder

__all__ = [
    "KERNEL",
    "KERNEL_PREFIX",
    "WARMUP",
    "PackKernel",
    "home_is_writable",
    "ipc_kernel_manager",
    "launch",
]

#: The kernel the pack's notebook runs in.
KERNEL = "python3"
#: Private folders of the kernels' IPC sockets, in the temporary directory.
KERNEL_PREFIX = "rhmodel-kernel-"
#: What the pack's kernel imports while it starts (``IPKernelApp.exec_lines``), so the memo's
#: first cell does not wait for it.
WARMUP = "import rhmodel.faces.memo, rhmodel.faces.plots"


def ipc_kernel_manager(prefix: str | None = None, warmup: str = "") -> type:
    """A kernel manager on local IPC sockets: the kernel stays off TCP, and ipykernel has
    nothing to warn about. ``prefix`` names the socket files (``<prefix>-<port>``); ``warmup``
    is code the kernel runs while it starts, before it says it is ready (no output of it
    reaches the notebook; a failure there fails again, visibly, in the cell that needs it)."""
    from jupyter_client.manager import KernelManager

    class IPCKernelManager(KernelManager):
        def __init__(self, **kwargs: object) -> None:
            kwargs.setdefault("transport", "ipc")
            # IPC sockets are files named <ip>-<port>; kernels of parallel packs must not share
            # them, so each gets its own prefix.
            kwargs.setdefault(
                "ip",
                prefix or os.path.join(tempfile.gettempdir(), f"{KERNEL_PREFIX}{uuid.uuid4().hex}"),
            )
            super().__init__(**kwargs)

        def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
            # An interrupted pack interrupts its kernel, which would log "KeyboardInterrupt
            # caught in kernel" on our stderr beside the one line the user is promised; errors
            # in the notebook still reach papermill through the kernel's messages.
            cmd = super().format_kernel_cmd(extra_arguments)
            cmd.append("--IPKernelApp.log_level=CRITICAL")
            if warmup:
                cmd.append(f"--IPKernelApp.exec_lines={warmup}")
            return cmd

    return IPCKernelManager


@dataclass
class PackKernel:
    """A launched kernel (``manager``, for papermill's ``km``) and the private folder of its
    sockets, claimed so no other run sweeps it. Not frozen: it holds a live process."""

    manager: Any
    sockets: Path
    claim: Claim
    stopped: bool = False

    def stop(self) -> None:
        """Kill the kernel (its notebook is done or abandoned), remove its connection and
        socket files and release the folder; safe to call twice.

        Not ``shutdown_kernel``: that runs on the event loop papermill's client shares, and
        after a Ctrl+C the loop still holds the client's interrupted poll of the kernel's
        messages, which would block the clean-up (measured: the work folder was left
        behind). The kernel runs in a session of its own, so its whole process group goes.
        """
        if self.stopped:
            return
        self.stopped = True
        process = getattr(getattr(self.manager, "provisioner", None), "process", None)
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            process.wait()
        with contextlib.suppress(OSError):
            self.manager.cleanup_connection_file()
        with contextlib.suppress(OSError):
            self.manager.cleanup_ipc_files()
        shutil.rmtree(self.sockets, ignore_errors=True)
        self.claim.release()


def home_is_writable() -> bool:
    """Whether IPython and matplotlib can keep their folders in HOME (where they cannot, the
    pack points them at a private folder first, and its kernel must start after that)."""
    home = Path(os.path.expanduser("~"))
    return home.is_dir() and os.access(home, os.W_OK | os.X_OK)


def launch(cwd: str | Path, warmup: str = WARMUP) -> PackKernel:
    """Start the pack's kernel in ``cwd`` (it imports ``warmup`` while it starts) and return
    at once; :meth:`PackKernel.stop` ends it. The caller must stop it on every path."""
    sockets, claim = owned_folder(tempfile.gettempdir(), KERNEL_PREFIX)
    try:
        manager = ipc_kernel_manager(str(sockets / "k"), warmup)(kernel_name=KERNEL)
        manager.start_kernel(cwd=str(cwd))
    except BaseException:
        shutil.rmtree(sockets, ignore_errors=True)
        claim.release()
        raise
    return PackKernel(manager, sockets, claim)
