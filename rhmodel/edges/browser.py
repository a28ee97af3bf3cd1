"""Headless Chromium held open to print a page to PDF, driven over its DevTools pipe.

``chromium --print-to-pdf`` starts the browser, prints and quits: its start (about 0.8 s of a
1.6 s print on a 2-CPU machine) is then on the reader's wait. :class:`Printer` starts the
browser while the pack's notebook still runs and prints when the page is ready. It prints
with Chromium's headless shell where that is installed (:func:`print_browser`), which costs
the machine about 1.0 CPU second for the sample pack against 2.5 for the full browser.

The browser is driven with the Chrome DevTools Protocol over ``--remote-debugging-pipe``:
JSON messages, each ending in a NUL byte, written to the browser's file descriptor 3 and read
from its descriptor 4 (https://chromedevtools.github.io/devtools-protocol/). The messages are
encoded by the standard library's ``json``; no socket or port is opened, so nothing else on
the machine can reach the browser. Four commands are used: ``Target.createTarget``,
``Target.attachToTarget``, ``Page.navigate`` (after ``Page.enable``, to hear
``Page.loadEventFired``) and ``Page.printToPDF``; then ``Browser.close``.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import signal
import time
from pathlib import Path
from types import TracebackType
from typing import Any

#: Flags shared with the one-shot print: no sandbox (CI runs as root), no GPU, and no
#: network traffic of the browser's own.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


#: The full browsers, in the order they are looked for.
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Chromium's headless shell (the "old" headless mode, kept by the Chromium project as its own
#: binary for printing and screenshots; Debian's ``chromium-headless-shell``, Google's
#: ``chrome-headless-shell``): no browser user interface is loaded, so it starts and prints the
#: sample pack on about 1.0 CPU second against 2.5 for the full browser, with the same Blink
#: and Skia, so the same pages.
HEADLESS_SHELLS = ("chromium-headless-shell", "chrome-headless-shell")


def chromium() -> str | None:
    """Path of a full Chromium/Chrome browser, or ``None`` (what tests that drive a page use).

    Examples
    --------
    >>> found = chromium()
    >>> found is None or Path(found).name in BROWSERS
    True
    """
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def print_browser() -> str | None:
    """The binary that prints the pack: Chromium's headless shell where it is installed,
    otherwise the full browser (:func:`chromium`), or ``None``.

    Examples
    --------
    >>> found = print_browser()
    >>> found is None or Path(found).name in HEADLESS_SHELLS + BROWSERS
    True
    """
    for name in HEADLESS_SHELLS:
        found = shutil.which(name)
        if found:
            return found
    return chromium()


class BrowserError(RuntimeError):
    """The browser could not be started, closed its pipe, answered with an error or did not
    answer in time."""


class Printer:
    """A headless Chromium, started at once, that prints HTML files to PDF.

    Parameters
    ----------
    binary
        The Chromium or Chrome executable.
    profile
        A private, empty folder for the browser's profile.
    log
        Where the browser's own messages go (its last lines explain a failure).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> binary = print_browser()
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "a.html").write_text("<p>Hello</p>")
    >>> if binary:  # where Chromium is installed
    ...     with Printer(binary, d / "profile", d / "log") as printer:
    ...         printer.print_pdf(d / "a.html", d / "a.pdf")
    ...     print((d / "a.pdf").read_bytes()[:5])
    ... else:
    ...     print(b"%PDF-")
    b'%PDF-'
    """

    def __init__(self, binary: str, profile: Path, log: Path) -> None:
        self._log = Path(log)
        self._buffer = b""
        self._next_id = 0
        self.pid = 0
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        log_fd = os.open(self._log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        null = os.open(os.devnull, os.O_RDWR)
        try:
            # posix_spawn places the pipe's ends on descriptors 3 and 4 in the child without
            # running Python code between fork and exec (the pack has threads running)
            self.pid = os.posix_spawn(
                binary,
                [
                    binary,
                    *FLAGS,
                    f"--user-data-dir={profile}",
                    "--remote-debugging-pipe",
                    "about:blank",
                ],
                os.environ,
                file_actions=[
                    (os.POSIX_SPAWN_DUP2, null, 0),
                    (os.POSIX_SPAWN_DUP2, log_fd, 1),
                    (os.POSIX_SPAWN_DUP2, log_fd, 2),
                    (os.POSIX_SPAWN_DUP2, to_browser_r, 3),
                    (os.POSIX_SPAWN_DUP2, from_browser_w, 4),
                ],
                setsid=True,  # a group of its own: killed whole if it hangs
            )
        except OSError as exc:
            self._close_pipes()
            raise BrowserError(f"Chromium could not start ({exc.strerror or exc})") from None
        finally:
            for fd in (to_browser_r, from_browser_w, log_fd, null):
                os.close(fd)

    def __enter__(self) -> Printer:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- the protocol ---------------------------------------------------------------------

    def _send(self, method: str, params: dict[str, Any] | None = None, session: str = "") -> int:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        data = json.dumps(message).encode() + b"\0"
        try:
            while data:
                data = data[os.write(self._to_browser, data) :]
        except OSError as exc:
            tail = self._tail()
            raise BrowserError(f"Chromium closed its pipe ({exc.strerror}){tail}") from None
        return self._next_id

    def _receive(self, wanted: Any, deadline: float) -> dict[str, Any]:
        """The first message ``wanted(message)`` accepts; the others are dropped."""
        while True:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                message = json.loads(raw)
                if wanted(message):
                    return message
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_browser], [], [], left)[0]:
                raise BrowserError("Chromium did not answer in time and was stopped")
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise BrowserError(f"Chromium closed its pipe{self._tail()}")
            self._buffer += chunk

    def _call(
        self, method: str, deadline: float, params: dict[str, Any] | None = None, session: str = ""
    ) -> dict[str, Any]:
        sent = self._send(method, params, session)
        answer = self._receive(lambda m: m.get("id") == sent, deadline)
        if "error" in answer:
            raise BrowserError(f"Chromium refused {method}: {answer['error'].get('message')}")
        return answer.get("result", {})

    def _tail(self) -> str:
        with contextlib.suppress(OSError):
            text = self._log.read_text("utf-8", "replace").strip()
            if text:
                return f": {text[-300:]}"
        return ""

    # -- what the pack uses ---------------------------------------------------------------

    def print_pdf(self, html_file: Path, pdf_file: Path, timeout: float = 180) -> None:
        """Print ``html_file`` to ``pdf_file`` as the page's CSS lays it out (``@page`` size
        and margins, no browser header or footer), within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        target = self._call("Target.createTarget", deadline, {"url": "about:blank"})["targetId"]
        session = self._call(
            "Target.attachToTarget", deadline, {"targetId": target, "flatten": True}
        )["sessionId"]
        self._call("Page.enable", deadline, session=session)
        self._call("Page.navigate", deadline, {"url": Path(html_file).resolve().as_uri()}, session)
        self._receive(
            lambda m: m.get("method") == "Page.loadEventFired" and m.get("sessionId") == session,
            deadline,
        )
        result = self._call(
            "Page.printToPDF",
            deadline,
            {"preferCSSPageSize": True, "displayHeaderFooter": False},
            session,
        )
        Path(pdf_file).write_bytes(base64.b64decode(result["data"]))

    def close(self, grace: float = 5) -> None:
        """Ask the browser to quit; past ``grace`` seconds (or on any trouble) kill it. Its
        whole process group goes (what it started and left behind), and it is reaped; safe
        to call twice."""
        if not self.pid:
            return
        with contextlib.suppress(BrowserError, OSError, ValueError):
            self._call("Browser.close", time.monotonic() + grace)
        deadline = time.monotonic() + grace
        # WNOWAIT: the leader is seen to exit but not reaped yet, so its group's number
        # cannot be reused before the group is killed
        flags = os.WEXITED | os.WNOHANG | os.WNOWAIT
        with contextlib.suppress(ChildProcessError):
            while os.waitid(os.P_PID, self.pid, flags) is None and time.monotonic() < deadline:
                time.sleep(0.02)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)
        self.pid = 0
        self._close_pipes()

    def _close_pipes(self) -> None:
        for fd in (self._to_browser, self._from_browser):
            with contextlib.suppress(OSError):
                os.close(fd)
