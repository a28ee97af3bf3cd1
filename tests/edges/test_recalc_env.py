"""The environment LibreOffice recalculates in (rhmodel.edges.recalc.recalculate).

A stand-in ``soffice`` on PATH records what it was given; the real LibreOffice runs with the same
environment in the workbook tests, whose cached values are checked against the model.
"""

from __future__ import annotations

import os

from rhmodel.edges.recalc import MALLOC_TUNABLES, recalculate


def _recording_soffice(folder, monkeypatch) -> None:
    folder.mkdir()
    script = folder / "soffice"
    # writes what it was given and no workbook, as a LibreOffice that failed would
    script.write_text(
        '#!/bin/sh\nprintf "%s\\n%s\\n" "${GLIBC_TUNABLES-unset}" "$TMPDIR" > "$RECORD"\n'
    )
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}:{os.environ['PATH']}")


def test_libreoffice_runs_with_the_allocator_settings_and_a_private_tmpdir(tmp_path, monkeypatch):
    _recording_soffice(tmp_path / "bin", monkeypatch)
    monkeypatch.delenv("GLIBC_TUNABLES", raising=False)
    monkeypatch.setenv("RECORD", str(tmp_path / "record"))
    (tmp_path / "book.xlsx").write_bytes(b"not really a workbook")
    outcome, data = recalculate(tmp_path / "book.xlsx", timeout=60)
    assert data is None and not outcome.cached and outcome.reason == "LibreOffice produced no file"
    tunables, tmpdir = (tmp_path / "record").read_text().splitlines()
    assert tunables == MALLOC_TUNABLES
    assert "rhmodel-recalc-" in tmpdir and not os.path.exists(tmpdir)  # private, and removed
    # both settings glibc reads, each at a size no workbook's blocks reach
    settings = dict(item.split("=") for item in tunables.split(":"))
    assert set(settings) == {"glibc.malloc.mmap_threshold", "glibc.malloc.trim_threshold"}
    assert all(int(v) == 4 * 1024**3 for v in settings.values())


def test_a_users_own_allocator_settings_are_kept(tmp_path, monkeypatch):
    _recording_soffice(tmp_path / "bin", monkeypatch)
    monkeypatch.setenv("GLIBC_TUNABLES", "glibc.malloc.arena_max=1")
    monkeypatch.setenv("RECORD", str(tmp_path / "record"))
    (tmp_path / "book.xlsx").write_bytes(b"x")
    recalculate(tmp_path / "book.xlsx", timeout=60)
    assert (tmp_path / "record").read_text().splitlines()[0] == "glibc.malloc.arena_max=1"
