"""The browser held open to print the pack's PDF (rhmodel.edges.browser).

Printing is checked with poppler's own readers (pdfinfo, pdftotext), not by the code that
wrote the file; the failures are made by real processes that do not speak the protocol.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import time
from pathlib import Path

import pytest

from rhmodel.edges.browser import BrowserError, Printer, chromium, print_browser


def _group_alive(pgid: int) -> bool:
    """Whether any process of group ``pgid`` is still running (zombies, killed and waiting
    for init to reap them, do not count)."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":  # state, ppid, pgrp
            return True
    return False


def _page_size_mm(pdf) -> tuple[float, float]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    w, h = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info.stdout).groups()
    return float(w) * 25.4 / 72, float(h) * 25.4 / 72  # 72 points to the inch


#: Each browser that can print the pack: the headless shell the pack prefers, and the full
#: browser it falls back to (CI installs both).
BINARIES = [
    pytest.param(
        name,
        marks=pytest.mark.skipif(
            shutil.which(name) is None and os.environ.get("CI") != "true",
            reason=f"{name} is not installed on this machine; CI installs it and runs this test",
        ),
    )
    for name in ("chromium-headless-shell", "chromium")
]


@pytest.mark.parametrize("name", BINARIES)
def test_one_browser_prints_pages_as_their_css_lays_them_out(tmp_path, name):
    assert shutil.which("pdftotext"), "CI must install poppler-utils"
    # A5 landscape is 210 x 148 mm (ISO 216); Chromium's own default would be Letter or A4
    (tmp_path / "a.html").write_text(
        "<style>@page { size: A5 landscape; margin: 10mm }</style>"
        "<p>Savings at renewal: €61,473</p>"
        '<p style="break-before: page">Second page</p>',
        encoding="utf-8",
    )
    (tmp_path / "b.html").write_text("<p>Another document</p>", encoding="utf-8")
    binary = shutil.which(name)
    assert binary, f"CI must install {name}"
    with Printer(binary, tmp_path / "profile", tmp_path / "log") as printer:
        pid = printer.pid
        printer.print_pdf(tmp_path / "a.html", tmp_path / "a.pdf")
        printer.print_pdf(tmp_path / "b.html", tmp_path / "b.pdf")  # the same browser again
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "a.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Savings at renewal: €61,473" in text
    assert text.count("\f") == 2  # two pages
    w, h = _page_size_mm(tmp_path / "a.pdf")
    assert abs(w - 210) < 1 and abs(h - 148) < 1
    second = subprocess.run(
        ["pdftotext", str(tmp_path / "b.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Another document" in second and "Savings" not in second
    # no browser header or footer: only the page's own words
    assert "file://" not in text and "a.html" not in text
    assert not _group_alive(pid)  # closed: the browser and everything it started are gone


def _fake_browser(tmp_path, body: str) -> str:
    path = tmp_path / "fake-browser"
    path.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def test_a_browser_that_never_answers_is_stopped_at_the_deadline(tmp_path):
    binary = _fake_browser(tmp_path, "sleep 300 & wait")  # a child of its own, too
    printer = Printer(binary, tmp_path / "profile", tmp_path / "log")
    pid = printer.pid
    started = time.monotonic()
    with pytest.raises(BrowserError, match="did not answer in time"):
        printer.print_pdf(tmp_path / "a.html", tmp_path / "a.pdf", timeout=1)
    assert time.monotonic() - started < 60  # a guard against hanging, not a timing claim
    printer.close(grace=0.5)
    assert not _group_alive(pid)  # the sleeping child went with it
    printer.close()  # twice is harmless
    assert not (tmp_path / "a.pdf").exists()


def test_a_browser_that_quits_says_why(tmp_path):
    binary = _fake_browser(tmp_path, "echo 'no display, no sandbox' >&2; exit 1")
    with (
        Printer(binary, tmp_path / "profile", tmp_path / "log") as printer,
        # found on reading its answer or on writing the next command, whichever comes first
        pytest.raises(BrowserError, match=r"closed its pipe.*: no display, no sandbox"),
    ):
        printer.print_pdf(tmp_path / "a.html", tmp_path / "a.pdf", timeout=30)


def test_a_browser_that_is_not_there_cannot_start(tmp_path):
    with pytest.raises(BrowserError, match="could not start"):
        Printer(str(tmp_path / "no-such-browser"), tmp_path / "profile", tmp_path / "log")


def _on_path(folder: Path, *names: str) -> None:
    folder.mkdir()
    for name in names:
        exe = folder / name
        exe.write_text("#!/bin/sh\n")
        exe.chmod(0o755)


def test_the_pack_prints_with_the_headless_shell_where_it_is_installed(tmp_path, monkeypatch):
    _on_path(tmp_path / "both", "chromium", "chromium-headless-shell")
    _on_path(tmp_path / "full", "chromium")
    _on_path(tmp_path / "google", "google-chrome", "chrome-headless-shell")
    _on_path(tmp_path / "none")
    cases = {
        "both": "chromium-headless-shell",
        "full": "chromium",
        "google": "chrome-headless-shell",
        "none": None,
    }
    for folder, wanted in cases.items():
        monkeypatch.setenv("PATH", str(tmp_path / folder))
        found = print_browser()
        assert (found and Path(found).name) == wanted, folder
    # the tests that drive a page take the full browser, never the shell
    monkeypatch.setenv("PATH", str(tmp_path / "both"))
    assert Path(chromium()).name == "chromium"
    monkeypatch.setenv("PATH", str(tmp_path / "google"))
    assert Path(chromium()).name == "google-chrome"
