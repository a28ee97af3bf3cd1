"""The explorer's Voilà server, locked to the person who started it.

``rhmodel explore`` runs this module rather than plain ``voila``, because Voilà on its own
answers any page that can reach the port: it accepts any ``Host`` header (a DNS-rebinding page
can read the contract figures and press "Save parameters YAML") and keeps every kernel it ever
started. Here:

- a random token is required (``?token=...`` in the printed URL, as Jupyter does);
- the ``Host`` header must be a loopback address or ``localhost``, and the kernel websocket's
  ``Origin`` must match it (Jupyter Server's own checks, which Voilà switches off);
- at most :data:`MAX_KERNELS` explorer pages run at once (another gets HTTP 503), and a kernel
  whose page has gone is shut down after :data:`IDLE_SECONDS`;
- SIGTERM and SIGINT stop the server and every kernel (Voilà's own shutdown path).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado import web
from voila.app import Voila

__all__ = ["IDLE_SECONDS", "MAX_KERNELS", "CappedKernelManager", "LockedVoila", "command", "main"]

#: Explorer pages (kernels) that may run at once.
MAX_KERNELS = 4
#: A kernel with no page connected is shut down after this long.
IDLE_SECONDS = 600


class CappedKernelManager(AsyncMappingKernelManager):
    """Kernels for explorer pages, at most :data:`MAX_KERNELS` at once."""

    async def start_kernel(self, *args: Any, **kwargs: Any) -> str:
        if len(self.list_kernel_ids()) >= MAX_KERNELS:
            raise web.HTTPError(
                503, f"{MAX_KERNELS} explorer pages are open already: close one and reload"
            )
        return await super().start_kernel(*args, **kwargs)


class LockedVoila(Voila):
    """Voilà with Jupyter Server's host check switched back on."""

    def init_settings(self) -> dict[str, Any]:
        settings = super().init_settings()
        settings["allow_remote_access"] = False
        settings["local_hostnames"] = ["localhost"]
        return settings


def command(notebook: str, port: int, token: str, idle_seconds: float = IDLE_SECONDS) -> list[str]:
    """The arguments that start the locked server on 127.0.0.1:``port`` for ``notebook``."""
    # the culler looks every minute, or more often when the idle limit is short
    interval = max(1, min(60, int(idle_seconds // 2)))
    return [
        sys.executable,
        "-m",
        "rhmodel.faces.explorer_server",
        notebook,
        f"--port={port}",
        "--Voila.port_retries=0",  # the printed URL must be the one served
        "--no-browser",
        "--Voila.ip=127.0.0.1",
        f"--Voila.token={token}",
        "--strip_sources=True",
        "--show_tracebacks=False",
        f"--VoilaConfiguration.multi_kernel_manager_class={__name__}.CappedKernelManager",
        f"--MappingKernelManager.cull_idle_timeout={max(1, int(idle_seconds))}",
        f"--MappingKernelManager.cull_interval={interval}",
    ]


def main(argv: Sequence[str] | None = None) -> None:
    """Run the locked server (``python -m rhmodel.faces.explorer_server NOTEBOOK ...``)."""
    LockedVoila.launch_instance(list(argv) if argv is not None else None)


if __name__ == "__main__":
    main()
