"""Where a result comes from: rhmodel version, git commit, parameters hash, time, price dates."""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass
from typing import Any

from rhmodel._version import __version__
from rhmodel.core.jsonable import jsonable
from rhmodel.core.money.evaluation import Evaluation, evaluation_document
from rhmodel.core.params import Parameters
from rhmodel.edges.bundled import PACKAGE_DIR, load_capabilities, load_price_book

__all__ = ["Provenance", "git_commit", "provenance", "summary_document"]


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


@dataclass(frozen=True)
class Provenance:
    """Facts an auditor asks for: what produced these numbers, from what, and when.

    Its fields, in order, are the ``provenance`` keys of ``summary.json``.
    """

    rhmodel_version: str
    git_commit: str | None
    parameters_file: str
    parameters_sha256: str
    generated_at: str
    price_book_as_of: dt.date
    price_items_as_of: dict[str, dt.date]
    capabilities_as_of: dt.date


def provenance(params: Parameters) -> Provenance:
    """Take the provenance of results computed from ``params`` now."""
    book = load_price_book()
    return Provenance(
        rhmodel_version=__version__,
        git_commit=git_commit(),
        parameters_file=params.file,
        parameters_sha256=params.digest(),
        generated_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        price_book_as_of=book.as_of,
        price_items_as_of={k: v.as_of for k, v in book.items.items()},
        capabilities_as_of=load_capabilities().as_of,
    )


def summary_document(e: Evaluation, facts: Provenance | None = None) -> dict[str, Any]:
    """``rhmodel scenarios --format json``: the evaluation plus provenance.

    The renewal pack's ``summary.json`` is this same document. ``facts`` is a provenance
    already taken (a pack takes it once, so every file of the pack carries the same time).
    """
    out = evaluation_document(e)
    out["provenance"] = jsonable(facts if facts is not None else provenance(e.params))
    return out
