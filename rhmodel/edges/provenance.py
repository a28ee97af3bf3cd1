"""Where a result comes from: rhmodel version, git commit, parameters hash, time, price dates."""

from __future__ import annotations

import datetime as dt
import subprocess
from typing import Any

from rhmodel._version import __version__
from rhmodel.core.money.evaluation import Evaluation, evaluation_document
from rhmodel.core.params import Parameters
from rhmodel.edges.bundled import PACKAGE_DIR

__all__ = ["git_commit", "provenance", "summary_document"]


def git_commit() -> str | None:
    """The checkout's commit hash (with ``-dirty`` when files changed), or ``None``.

    Only a checkout of rhmodel itself has one: an installed wheel has no git history, and a
    virtual environment that happens to sit inside some other repository must not report that
    repository's commit.
    """
    checkout = PACKAGE_DIR.parent
    if not (checkout / "pyproject.toml").is_file() or not (checkout / ".git").exists():
        return None
    try:
        out = subprocess.run(
            ["git", "describe", "--always", "--dirty", "--abbrev=40"],
            cwd=checkout,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def provenance(params: Parameters) -> dict[str, Any]:
    """Facts an auditor asks for: what produced these numbers, from what, and when."""
    from rhmodel.edges.bundled import load_capabilities, load_price_book

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


def summary_document(e: Evaluation, facts: dict[str, Any] | None = None) -> dict[str, Any]:
    """``rhmodel scenarios --format json``: the evaluation plus provenance.

    The renewal pack's ``summary.json`` is this same document. ``facts`` is a provenance
    already taken (a pack takes it once, so every file of the pack carries the same time).
    """
    out = evaluation_document(e)
    out["provenance"] = facts if facts is not None else provenance(e.params)
    return out
