"""The pack's kernel launched early (rhmodel.edges.kernel): it runs its warm-up while it
starts, and every path stops it and removes its sockets."""

from __future__ import annotations

import time

import pytest

from rhmodel.edges.kernel import launch
from rhmodel.errors import InputError


def _wait_for(condition, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds  # a guard against hanging, not a timing claim
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    return condition()


def test_a_launched_kernel_runs_its_warmup_and_is_stopped_whole(tmp_path):
    kernel = launch(tmp_path, warmup="open('warmed', 'w').write('yes')")
    process = kernel.manager.provisioner.process
    assert process.poll() is None and kernel.sockets.is_dir()
    # the warm-up runs in the kernel's folder while it starts, before any notebook cell
    assert _wait_for(lambda: (tmp_path / "warmed").exists())
    kernel.stop()
    assert process.poll() is not None  # killed and reaped
    assert not kernel.sockets.exists()
    kernel.stop()  # twice is harmless


def test_render_packs_stops_a_kernel_it_cannot_use(tmp_path):
    from rhmodel.edges.pack import render_packs

    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    for folder in (a, b):
        (folder / "same.yaml").write_text("organisation: x\n", encoding="utf-8")
    kernel = launch(tmp_path)
    process = kernel.manager.provisioner.process
    with pytest.raises(InputError, match="share a name"):
        render_packs([a / "same.yaml", b / "same.yaml"], tmp_path / "out", kernel=kernel)
    assert process.poll() is not None and not kernel.sockets.exists()
