"""Where a result comes from: rhmodel version, git commit, parameters hash, time, price dates."""

from __future__ import annotations

import datetime as dt
import subprocess
from typing import Any

from rhmodel import __version__
from rhmodel.config import PROJECT_DIR
from rhmodel.parameters import Parameters

__all__ = ["git_commit", "provenance"]


def git_commit() -> str | None:
    """The checkout's commit hash (with ``-dirty`` when files changed), or ``None``."""
    try:
        out = subprocess.run(["git", "describe", "--always", "--dirty", "--abbrev=40"],
                             cwd=PROJECT_DIR, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def provenance(params: Parameters) -> dict[str, Any]:
    """Facts an auditor asks for: what produced these numbers, from what, and when."""
    from rhmodel.datasets import load_capabilities, load_price_book

    book = load_price_book()
    return {
        "rhmodel_version": __version__,
        "git_commit": git_commit(),
        "parameters_file": params.file,
        "parameters_sha256": params.digest(),
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "price_book_as_of": book.as_of.isoformat(),
        "price_items_as_of": {k: v.as_of.isoformat() for k, v in book.items.items()},
        "capabilities_as_of": load_capabilities().as_of.isoformat(),
    }
