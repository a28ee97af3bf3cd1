"""The explorer's Voilà server, locked to the person who started it.

``rhmodel explore`` runs this module rather than plain ``voila``, because Voilà on its own
answers any page that can reach the port: it accepts any ``Host`` header (a DNS-rebinding page
can read the contract figures and press "Save parameters YAML") and keeps every kernel it ever
started. Here:

- a random token is required (``?token=...`` in the printed URL, as Jupyter does). It never
  appears on a command line (``/proc/PID/cmdline`` is readable by every local account): the
  server takes it from the environment (:data:`TOKEN_ENV`) or from a 0600 file in a private
  0700 folder, which it deletes as soon as it has read it, and it is removed from the
  environment the kernels inherit. Every log line has it replaced by ``[redacted]``;
- a request without the token is refused (HTTP 403), not redirected to a login page;
- the ``Host`` header must be a loopback address or ``localhost``, and the kernel websocket's
  ``Origin`` must match it, with or without the token (Jupyter Server skips the Origin check
  for a token in the URL, so a page from ``Origin: null`` holding the URL could connect);
- every response says ``Referrer-Policy: no-referrer`` and a ``Content-Security-Policy`` that
  loads nothing from another host; the page template's CDN stylesheets and scripts are removed,
  so the page is served entirely from localhost;
- at most :data:`MAX_KERNELS` explorer pages run at once, counting kernels still starting
  (another page gets HTTP 503), and a kernel whose page has gone is shut down after
  :data:`IDLE_SECONDS`;
- SIGTERM and SIGINT stop the server and every kernel (Voilà's own shutdown path), and on Linux
  the server gets SIGTERM when the process that started it dies (``PR_SET_PDEATHSIG``), so a
  ``kill -9`` of ``rhmodel explore`` leaves no server answering to its token.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import re
import shutil
import signal
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jupyter_server.auth.identity import PasswordIdentityProvider
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado import web
from voila.app import Voila

from rhmodel.edges.atomic import OWNER_FILE, owned_folder, sweep

__all__ = [
    "IDLE_SECONDS",
    "MAX_KERNELS",
    "TOKEN_ENV",
    "CappedKernelManager",
    "LockedVoila",
    "command",
    "main",
    "redact",
]

#: Explorer pages (kernels) that may run at once.
MAX_KERNELS = 4
#: A kernel with no page connected is shut down after this long.
IDLE_SECONDS = 600
#: The environment variable the server may take its token from.
TOKEN_ENV = "RHMODEL_EXPLORER_TOKEN"
#: Private folders holding a token file until the server has read it.
TOKEN_PREFIX = "rhmodel-explorer-"

#: Every response: no Referer to anywhere, nothing loaded from another host.
SECURITY_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
        "connect-src 'self'; worker-src 'self' blob:; frame-ancestors 'self'; "
        "base-uri 'self'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
}

_TOKEN_IN_TEXT = re.compile(r"(token=)[^&\s\"'#]+", re.I)
_SECRET: list[str] = []  # the token this process serves, for redaction


def redact(text: str, secrets: Sequence[str] = ()) -> str:
    """``text`` with every ``token=...`` value and every given secret replaced.

    Examples
    --------
    >>> redact("GET /?token=abc123&x=1 (127.0.0.1)")
    'GET /?token=[redacted]&x=1 (127.0.0.1)'
    >>> redact("cookie for abc123", ["abc123"])
    'cookie for [redacted]'
    """
    text = _TOKEN_IN_TEXT.sub(r"\1[redacted]", text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return text


def _redacting_records() -> None:
    """Every log record of this process, whatever its logger, has the token redacted."""
    make = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is the logging module's to report
            return record
        clean = redact(message, _SECRET)
        if clean != message:
            record.msg, record.args = clean, None
        return record

    logging.setLogRecordFactory(factory)


class CappedKernelManager(AsyncMappingKernelManager):
    """Kernels for explorer pages, at most :data:`MAX_KERNELS` at once, counting those still
    starting (a kernel joins ``list_kernel_ids`` only once it is ready, so eight page loads at
    once would otherwise all pass the check)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._starting = 0

    async def start_kernel(self, *args: Any, **kwargs: Any) -> str:
        # the check and the count happen in one step of the event loop: no other start between
        if len(self.list_kernel_ids()) + self._starting >= MAX_KERNELS:
            raise web.HTTPError(
                503, f"{MAX_KERNELS} explorer pages are open already: close one and reload"
            )
        if isinstance(kwargs.get("env"), dict):
            # Voilà hands the kernel the page's URL and query (the token with them): the
            # notebook needs neither secret
            kwargs["env"] = {k: redact(str(v), _SECRET) for k, v in kwargs["env"].items()}
        self._starting += 1
        try:
            return await super().start_kernel(*args, **kwargs)
        finally:
            self._starting -= 1


class StrictIdentityProvider(PasswordIdentityProvider):
    """Checks the websocket's ``Origin`` even for a request that carries the token."""

    def should_check_origin(self, handler: web.RequestHandler) -> bool:
        return True


class _RefuseLogin:
    """A request without the token is refused (403), never redirected to a login page."""

    def get_login_url(self) -> str:
        raise web.HTTPError(403, "this explorer needs the URL with its token")


def _no_cdn(source: str) -> str:
    """A page template with everything it would load from another host taken out."""
    source = re.sub(r"<link\b[^>]*href=\"https?://[^\"]*\"[^>]*>", "", source)
    source = re.sub(r"\{\{\s*mermaid_js\([^)]*\)\s*\}\}", "", source)
    return source


class _LocalOnlyLoader:
    """Wraps a jinja2 loader so that no template the page is built from names a CDN."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def get_source(self, environment: Any, template: str) -> tuple[str, str | None, Any]:
        source, filename, uptodate = self.inner.get_source(environment, template)
        return _no_cdn(source), filename, uptodate

    def load(self, environment: Any, name: str, globals: Any = None) -> Any:
        # jinja2's BaseLoader.load, through this get_source (the inner loader's own load would
        # bypass it)
        from jinja2.loaders import BaseLoader

        return BaseLoader.load(self, environment, name, globals)  # type: ignore[arg-type]


def _local_only_templates() -> None:
    """The page's templates, as Voilà's exporter loads them, with their CDN links taken out.

    Voilà builds the page with its own exporter's jinja environment, not the application's, so
    the exporter's environment gets the :class:`_LocalOnlyLoader` (once, in this process).
    """
    from voila.exporter import VoilaExporter

    create = VoilaExporter._create_environment
    if getattr(create, "_local_only", False):
        return

    def local_only(self: Any) -> Any:
        env = create(self)
        env.loader = _LocalOnlyLoader(env.loader)
        return env

    local_only._local_only = True  # type: ignore[attr-defined]
    VoilaExporter._create_environment = local_only  # type: ignore[method-assign]


class LockedVoila(Voila):
    """Voilà with Jupyter Server's host check switched back on, the Origin always checked,
    refusals instead of login redirects, no CDN, and the token redacted from its logs."""

    def init_settings(self) -> dict[str, Any]:
        self.identity_provider_class = StrictIdentityProvider
        _local_only_templates()
        settings = super().init_settings()
        settings["allow_remote_access"] = False
        settings["local_hostnames"] = ["localhost"]
        settings["headers"] = {**settings.get("headers", {}), **SECURITY_HEADERS}
        settings["log_function"] = _log_request
        settings["mathjax_url"] = ""  # Voilà would point the page at cdnjs
        for key in ("voila_jinja2_env", "jinja2_env"):
            env = settings.get(key)
            if env is not None and not isinstance(env.loader, _LocalOnlyLoader):
                env.loader = _LocalOnlyLoader(env.loader)
        return settings

    def init_handlers(self) -> list[Any]:
        handlers = []
        for spec in super().init_handlers():
            if isinstance(spec, tuple) and len(spec) >= 2 and isinstance(spec[1], type):
                cls = spec[1]
                if issubclass(cls, web.RequestHandler):
                    refusing = type(cls.__name__, (_RefuseLogin, cls), {})
                    spec = (spec[0], refusing, *spec[2:])
            handlers.append(spec)
        return handlers


def _log_request(handler: web.RequestHandler) -> None:
    """Tornado's access log line, with the URL's token redacted."""
    status = handler.get_status()
    log = logging.getLogger("tornado.access")
    level = logging.INFO if status < 400 else logging.WARNING
    request = handler.request
    log.log(
        level,
        "%d %s %s (%s) %.2fms",
        status,
        request.method,
        redact(request.uri or "", _SECRET),
        request.remote_ip,
        1000.0 * request.request_time(),
    )


def write_token_file(token: str) -> Path:
    """The token in a 0600 file inside a private 0700 folder of the temporary directory (the
    server deletes both once read; a folder whose writer died is swept by the next call)."""
    base = Path(tempfile.gettempdir())
    sweep(base, TOKEN_PREFIX)
    folder, _claim = owned_folder(base, TOKEN_PREFIX)  # the claim lives as long as this process
    path = folder / "token"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(token)
    return path


def _read_token_file(path: Path) -> str:
    """The token, read once; the file and its private folder are removed."""
    st = os.lstat(path)
    if st.st_uid != os.geteuid() or st.st_mode & 0o077:
        raise SystemExit(f"error: {path}: the token file must be private to its owner (0600)")
    token = path.read_text().strip()
    folder = path.parent
    path.unlink(missing_ok=True)
    if folder.name.startswith(TOKEN_PREFIX) and (folder / OWNER_FILE).exists():
        shutil.rmtree(folder, ignore_errors=True)
    return token


def command(notebook: str, port: int, token: str, idle_seconds: float = IDLE_SECONDS) -> list[str]:
    """The arguments that start the locked server on 127.0.0.1:``port`` for ``notebook``.

    The token is not among them: it goes into a private file (:func:`write_token_file`) that
    the arguments name and the server deletes on reading. The calling process is named as the
    server's parent: the server stops when it dies.
    """
    # the culler looks every minute, or more often when the idle limit is short
    interval = max(1, min(60, int(idle_seconds // 2)))
    return [
        sys.executable,
        "-m",
        "rhmodel.faces.explorer_server",
        notebook,
        f"--rhmodel-token-file={write_token_file(token)}",
        f"--rhmodel-parent={os.getpid()}",
        f"--port={port}",
        "--Voila.port_retries=0",  # the printed URL must be the one served
        "--no-browser",
        "--Voila.ip=127.0.0.1",
        "--strip_sources=True",
        "--show_tracebacks=False",
        f"--VoilaConfiguration.multi_kernel_manager_class={__name__}.CappedKernelManager",
        f"--MappingKernelManager.cull_idle_timeout={max(1, int(idle_seconds))}",
        f"--MappingKernelManager.cull_interval={interval}",
    ]


def _die_with_parent(parent: int) -> None:
    """SIGTERM to this process when ``parent`` dies (Linux); if it is gone already, stop now."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
    if parent and os.getppid() != parent:  # it died before the signal was armed
        raise SystemExit(143)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the locked server (``python -m rhmodel.faces.explorer_server NOTEBOOK ...``)."""
    args = list(sys.argv[1:] if argv is None else argv)
    token_file = next(
        (a.split("=", 1)[1] for a in args if a.startswith("--rhmodel-token-file=")), ""
    )
    parent = next((a.split("=", 1)[1] for a in args if a.startswith("--rhmodel-parent=")), "")
    args = [a for a in args if not a.startswith(("--rhmodel-token-file=", "--rhmodel-parent="))]
    if parent.isdigit():
        _die_with_parent(int(parent))
    token = os.environ.pop(TOKEN_ENV, "") or (
        _read_token_file(Path(token_file)) if token_file else ""
    )
    if not token:
        raise SystemExit(f"error: no token: set {TOKEN_ENV} or pass --rhmodel-token-file")
    _SECRET.append(token)
    _redacting_records()
    LockedVoila.launch_instance(args, token=token)


if __name__ == "__main__":
    main()
