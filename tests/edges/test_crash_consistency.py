"""A crash at any step of publishing a pack leaves the complete earlier pack or the complete new
one, and the next run sweeps what the crashed run left, and nothing else.

The process is stopped with SIGKILL (nothing of its own can run) at each named step of the swap,
through :data:`rhmodel.edges.atomic.FAULT_HOOK`: no timing luck.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from rhmodel.edges import atomic
from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE
from rhmodel.edges.pack import PACK_FILES, WORK_PREFIX, sweep_leftovers

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL and flock are POSIX")

OLD = {name: f"earlier {name}\n".encode() for name in PACK_FILES}
NEW = {name: f"new {name}\n".encode() for name in PACK_FILES if name != "renewal-pack.pdf"}

# A child that stages NEW beside (or inside) OUT and publishes it, killed at STEP.
_CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from rhmodel.edges import atomic
    from rhmodel.edges.pack import PACK_FILES, _work_folder

    out, step, inside = Path(sys.argv[1]), sys.argv[2], sys.argv[3] == "inside"
    new = {name: f"new {name}\\n".encode() for name in PACK_FILES if name != "renewal-pack.pdf"}

    def hook(at):
        print(at, flush=True)
        if at == step:
            os.kill(os.getpid(), signal.SIGKILL)

    atomic.FAULT_HOOK = hook
    work, claim = (
        atomic.owned_folder(out, ".rhmodel-pack-") if inside else _work_folder(out)
    )
    (work / atomic.NEW).mkdir()
    for name, data in new.items():
        (work / atomic.NEW / name).write_bytes(data)
    atomic.publish(work, out, PACK_FILES)
    """
)


def _contents(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in out.iterdir() if p.name in PACK_FILES}


def _steps(tmp_path: Path, foreign: bool, inside: bool = False) -> list[str]:
    """Every step one publication passes through (a run that is not stopped)."""
    out = _earlier_pack(tmp_path / "probe", foreign)
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(out), "none", "inside" if inside else "beside"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert _contents(out) == NEW
    return done.stdout.split()


def _earlier_pack(out: Path, foreign: bool) -> Path:
    out.mkdir(parents=True)
    for name, data in OLD.items():
        (out / name).write_bytes(data)
    if foreign:  # a file of the user's beside the pack: the folders cannot simply be swapped
        (out / "my-notes.txt").write_text("mine")
    return out


def _leftovers(out: Path) -> list[Path]:
    return list(out.parent.glob(WORK_PREFIX + "*")) + list(out.glob(WORK_PREFIX + "*"))


@pytest.mark.parametrize(
    ("foreign", "inside", "way"),
    [(False, False, "exchange"), (True, False, "journal"), (False, True, "journal")],
    ids=["folder-exchange", "journal-user-files-beside", "journal-work-inside"],
)
def test_a_kill_at_every_step_leaves_the_earlier_or_the_new_pack(tmp_path, foreign, inside, way):
    steps = _steps(tmp_path, foreign, inside)
    assert ("exchanged" in steps) == (way == "exchange")
    assert ("journal-written" in steps) == (way == "journal")
    assert len(steps) >= 2
    for k, step in enumerate(steps):
        out = _earlier_pack(tmp_path / f"run{k}" / "out", foreign)
        killed = subprocess.run(
            [sys.executable, "-c", _CHILD, str(out), step, "inside" if inside else "beside"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert killed.returncode == -9, (step, killed.stderr)
        now = _contents(out)
        journal = [p for p in _leftovers(out) if (p / atomic.JOURNAL).exists()]
        if way == "exchange":
            assert now in (OLD, NEW), step  # at every instant, one whole pack
        else:
            # file by file: whole, or a committed journal the next run finishes
            assert now in (OLD, NEW) or journal, step
        assert _leftovers(out), step  # the killed run's work folder is still there
        removed = sweep_leftovers(out)  # what the next run does first
        assert removed and not _leftovers(out), step
        after = _contents(out)
        assert after in (OLD, NEW), step
        assert after == (NEW if journal or now == NEW else OLD), step
        if foreign:
            assert (out / "my-notes.txt").read_text() == "mine", step


def test_the_sweep_takes_only_stale_folders_of_its_own(tmp_path):
    out = _earlier_pack(tmp_path / "out", foreign=False)
    # a live run: its owner holds the lock
    live = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from rhmodel.edges.atomic import owned_folder; "
            f"f, c = owned_folder({str(tmp_path)!r}, '.rhmodel-pack-out-'); "
            "print(f, flush=True); time.sleep(600)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        live_folder = Path(live.stdout.readline().strip())
        assert atomic.is_stale(live_folder) is False
        # a folder with no lock file (another program's, or an older rhmodel's): not provably ours
        unowned = tmp_path / ".rhmodel-pack-out-unowned"
        unowned.mkdir()
        (unowned / "keep").write_text("x")
        # a folder whose lock file names a PID, but whose owner is gone
        dead, claim = atomic.owned_folder(tmp_path, ".rhmodel-pack-out-")
        claim.release()
        removed = sweep_leftovers(out)
        assert removed == [dead]
        assert live_folder.exists() and unowned.exists()
        assert _contents(out) == OLD
    finally:
        live.kill()
        live.wait()
    assert atomic.is_stale(live_folder)  # its owner is gone now: the lock says so
    assert live_folder in sweep_leftovers(out)


def test_a_lock_file_names_its_owner(tmp_path):
    folder, claim = atomic.owned_folder(tmp_path, "x-")
    try:
        pid, start = (folder / atomic.OWNER_FILE).read_text().split()
        assert int(pid) == os.getpid() and start.isdigit()
        assert oct(folder.stat().st_mode & 0o777) == "0o700"
    finally:
        claim.release()


def test_a_journal_cannot_send_files_elsewhere(tmp_path):
    """A planted journal naming another folder is not followed."""
    out = _earlier_pack(tmp_path / "a" / "out", foreign=False)
    elsewhere = _earlier_pack(tmp_path / "b" / "victim", foreign=False)
    work, claim = atomic.owned_folder(out.parent, WORK_PREFIX + "out-")
    (work / atomic.NEW).mkdir()
    (work / atomic.NEW / "summary.json").write_bytes(b"planted")
    (work / atomic.JOURNAL).write_text(
        json.dumps({"out": str(elsewhere), "install": ["summary.json"], "remove": []})
    )
    claim.release()
    sweep_leftovers(out)
    assert _contents(elsewhere) == OLD and _contents(out) == OLD


@pytest.mark.parametrize("step", ["staged", "exchanged"])
def test_a_report_killed_while_publishing_leaves_a_whole_pack_and_the_next_run_cleans_up(
    tmp_path, step
):
    """The real pack: rendered, then killed just before or just after the folder swap."""
    out = tmp_path / "out"
    first = _render(out, step="none")
    assert first.returncode == 0, first.stderr
    earlier = _contents(out)
    assert set(earlier) >= {"renewal-pack.html", "summary.json", "renewal-pack.xlsx"}
    killed = _render(out, step=step)
    assert killed.returncode == -9, killed.stderr
    now = _contents(out)
    assert set(now) == set(earlier)
    if step == "staged":
        assert now == earlier  # the earlier pack, untouched
    else:
        assert now["summary.json"] != earlier["summary.json"]  # the complete new pack
        json.loads(now["summary.json"])
        assert now["renewal-pack.html"].rstrip().endswith(b"</html>")
    assert _leftovers(out)  # the work folder (with the pickled evaluation) is still there
    again = _render(out, step="none")  # the next run sweeps it
    assert again.returncode == 0, again.stderr
    assert not _leftovers(out)
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def _render(out: Path, step: str) -> subprocess.CompletedProcess[str]:
    script = textwrap.dedent(
        f"""
        import os, signal
        from rhmodel.edges import atomic
        from rhmodel.edges.pack import render_pack

        def hook(at):
            if at == {step!r}:
                os.kill(os.getpid(), signal.SIGKILL)

        atomic.FAULT_HOOK = hook
        r = render_pack({str(SAMPLE_PARAMS_FILE)!r}, {str(out)!r}, simulate=100, pdf=False)
        assert r.ok, r.error
        """
    )
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=600
    )


# ---- the workbook: staged whole beside the destination, touched once ------------------------


def _hung_libreoffice(folder: Path, monkeypatch) -> None:
    folder.mkdir()
    (folder / "soffice").write_text("#!/bin/sh\nsleep 1000\n")
    (folder / "soffice").chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}:{os.environ['PATH']}")
    monkeypatch.setenv("RHMODEL_LIBREOFFICE_TIMEOUT", "2")


def test_a_workbook_whose_caching_hangs_is_rebuilt_saying_it_is_not_cached(tmp_path, monkeypatch):
    from rhmodel.edges.recalc import publish_workbook

    _hung_libreoffice(tmp_path / "bin", monkeypatch)
    path = tmp_path / "book.xlsx"
    path.write_bytes(b"earlier")
    outcome = publish_workbook(path, lambda cached: b"cached claim" if cached else b"uncached")
    assert not outcome.cached and outcome.warn and "within 2 s" in outcome.reason
    assert path.read_bytes() == b"uncached"  # never the file that claims cached values
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin", "book.xlsx"]


def test_a_workbook_that_cannot_be_written_leaves_the_earlier_one(tmp_path, monkeypatch):
    import errno

    from rhmodel.edges import recalc

    _hung_libreoffice(tmp_path / "bin", monkeypatch)
    path = tmp_path / "book.xlsx"
    path.write_bytes(b"earlier")

    def full(target, data):
        raise OSError(errno.ENOSPC, "No space left on device", str(target))

    monkeypatch.setattr(recalc, "atomic_write_bytes", full)
    with pytest.raises(OSError, match="No space"):
        recalc.publish_workbook(path, lambda cached: b"new")
    assert path.read_bytes() == b"earlier"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin", "book.xlsx"]
