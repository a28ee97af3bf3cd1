"""The explorer's token stays secret, nothing loads from a CDN, Origin is checked with the token,
the kernel cap holds under simultaneous loads, and the server dies with its parent.

Each test starts its own ``rhmodel explore`` and looks only at that process's own children, its
own log and its own Voilà connection folder.
"""

from __future__ import annotations

import asyncio
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from rhmodel.faces.explorer_server import MAX_KERNELS, redact

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads /proc, as a local attacker would"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Explorer:
    """One ``rhmodel explore`` of this test, its log, token and Voilà connection folder."""

    def __init__(self, tmp_path: Path, *extra: str) -> None:
        self.port = _free_port()
        self.log_path = tmp_path / "explore.log"
        self._log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            [
                *(sys.executable, "-m", "rhmodel", "explore"),
                *("--port", str(self.port), "--no-browser", *extra),
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while "running at" not in self.log():
            assert self.proc.poll() is None, self.log()
            assert time.monotonic() < deadline, "the explorer did not start in 120 s"
            time.sleep(0.3)
        self.token = re.search(r"\?token=([\w-]+)", self.log()).group(1)
        self.connections = re.search(r"Storing connection files in (\S+)\.", self.log()).group(1)
        self.here = f"127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def get(self, path: str, **headers: str) -> tuple[int, dict[str, str], str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        conn.request("GET", path, headers={"Host": self.here, **headers})
        response = conn.getresponse()
        body = response.read().decode(errors="replace")
        conn.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body

    def kernels(self) -> list[int]:
        """This explorer's kernels: processes whose command line names its connection folder."""
        return _pids_whose_cmdline_has(self.connections.encode())

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


def _pids_whose_cmdline_has(needle: bytes) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if needle in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def _children(pid: int) -> list[int]:
    kids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                kids.append(int(entry.name))
    return kids


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture
def explorer(tmp_path):
    app = Explorer(tmp_path)
    yield app
    app.stop()


def test_the_token_is_on_no_command_line_and_in_no_log(explorer):
    token = explorer.token.encode()
    assert _pids_whose_cmdline_has(token) == []  # readable by every local account
    status, _headers, _page = explorer.get(f"/?token={explorer.token}")
    assert status == 200
    explorer.get(f"/voila/static/nothing.js?token={explorer.token}")  # a 404, logged
    time.sleep(0.5)
    log = explorer.log()
    # the URL printed once for the user to open is the one place the token is shown
    assert log.count(explorer.token) == 1, redact(log, [explorer.token])
    assert "token=[redacted]" in log
    # the token file the server was given is gone
    assert not list(Path(os.environ.get("TMPDIR", "/tmp")).glob("rhmodel-explorer-*/token"))
    server = _children(explorer.proc.pid)
    assert server
    for pid in server + explorer.kernels():
        assert token not in Path(f"/proc/{pid}/environ").read_bytes(), pid


def test_no_token_is_a_refusal_without_figures_and_every_response_keeps_its_referrer(explorer):
    status, headers, body = explorer.get("/")
    assert status == 403 and "location" not in headers  # refused, not sent to a login page
    assert "rh-npv" not in body and "<svg" not in body and "US$" not in body
    status, headers, page = explorer.get(f"/?token={explorer.token}")
    assert status == 200
    assert headers["referrer-policy"] == "no-referrer"
    assert "default-src 'self'" in headers["content-security-policy"]
    # nothing the page loads comes from another host: no CDN stylesheet, script or module
    for pattern in (
        r"<link\b[^>]*href=[\"']https?://",
        r"<script\b[^>]*src=[\"']https?://",
        r"import\([\"']https?://",
        r"https?://(cdn|cdnjs|unpkg|fonts)\.",
    ):
        assert not re.search(pattern, page, re.I), pattern


def test_a_foreign_origin_is_refused_even_with_the_token_in_the_url(explorer):
    from tornado.httpclient import HTTPClientError, HTTPRequest
    from tornado.websocket import websocket_connect

    status, _headers, page = explorer.get(f"/?token={explorer.token}")
    assert status == 200
    kernel = re.search(r'kernelId": "([^"]+)', page).group(1)

    async def websocket(origin: str) -> int:
        request = HTTPRequest(
            f"ws://{explorer.here}/api/kernels/{kernel}/channels?token={explorer.token}",
            headers={"Origin": origin},
        )
        try:
            (await websocket_connect(request)).close()
            return 101
        except HTTPClientError as exc:
            return exc.code

    assert asyncio.run(websocket("null")) == 403  # a sandboxed frame or a file:// page
    assert asyncio.run(websocket("http://attacker.example")) == 403
    assert asyncio.run(websocket(f"http://{explorer.here}")) == 101


def test_simultaneous_page_loads_start_no_more_kernels_than_the_cap(explorer):
    loads = 2 * MAX_KERNELS
    with ThreadPoolExecutor(max_workers=loads) as pool:
        statuses = list(
            pool.map(lambda _: explorer.get(f"/?token={explorer.token}")[0], range(loads))
        )
    assert statuses.count(200) == MAX_KERNELS, statuses
    assert statuses.count(503) == loads - MAX_KERNELS, statuses
    assert len(explorer.kernels()) == MAX_KERNELS


def test_the_server_and_its_kernels_die_with_rhmodel_explore(tmp_path):
    app = Explorer(tmp_path)
    try:
        status, _h, _p = app.get(f"/?token={app.token}")
        assert status == 200
        server = _children(app.proc.pid)
        kernels = app.kernels()
        assert server and kernels
        app.proc.send_signal(signal.SIGKILL)  # no clean-up of its own can run
        app.proc.wait()
        deadline = time.monotonic() + 60  # a guard: Voilà stops its kernels, then itself
        while any(map(_alive, server + kernels)) and time.monotonic() < deadline:
            time.sleep(0.3)
        assert [p for p in server + kernels if _alive(p)] == []
        with socket.socket() as s:  # nobody answers to that token any more
            assert s.connect_ex(("127.0.0.1", app.port)) != 0
    finally:
        app.stop()
