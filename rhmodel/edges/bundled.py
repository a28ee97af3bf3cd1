"""Every bundled data set and notebook is found and loaded here, in one place.

The files ship inside the package (``rhmodel/data``, ``rhmodel/notebooks``; the checkout's
top-level ``data`` and ``notebooks`` are links to them), so a plain ``pip install .`` finds them
through :mod:`importlib.resources` exactly as an editable install does.

Examples
--------
>>> load_capabilities().dimension("session_recording").label
'Session recording'
>>> load_price_book().currency
'USD'
>>> SAMPLE_PARAMS_FILE.name, SAMPLE_PARAMS_FILE.is_file()
('sample.yaml', True)
"""

from __future__ import annotations

import os
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from rhmodel.core.capabilities import CapabilityMatrix, parse_capabilities
from rhmodel.core.prices import PriceBook, parse_price_book
from rhmodel.core.readiness import Checklist, Readiness, checklist, parse_readiness
from rhmodel.edges.yamlfile import load_yaml

__all__ = [
    "CAPABILITIES_FILE",
    "DATA_DIR",
    "INCUMBENTS_FILE",
    "NOTEBOOKS_DIR",
    "PACKAGE_DIR",
    "PRICE_BOOK_FILE",
    "READINESS_FILE",
    "SAMPLE_CANONICAL_DIR",
    "SAMPLE_PARAMS_FILE",
    "SAMPLE_PILOT_DIR",
    "checklist_for",
    "load_capabilities",
    "load_price_book",
    "load_readiness",
]

# The package is installed as files (a wheel or an editable checkout, never a zip), so the
# resource root is a real folder that papermill, Voilà and the pilot loaders can open by path.
PACKAGE_DIR = Path(str(resources.files("rhmodel")))
# RHMODEL_DATA names a folder that replaces the bundled data as a whole (a copy with an
# organisation's own incumbent record, capability column and price entry); the products table
# in rhmodel.core.products reads its incumbents.yaml from the same folder.
DATA_DIR = (
    Path(os.environ["RHMODEL_DATA"]) if os.environ.get("RHMODEL_DATA") else PACKAGE_DIR / "data"
)
INCUMBENTS_FILE = DATA_DIR / "incumbents.yaml"
NOTEBOOKS_DIR = PACKAGE_DIR / "notebooks"
CAPABILITIES_FILE = DATA_DIR / "capabilities.yaml"
PRICE_BOOK_FILE = DATA_DIR / "price_book.yaml"
READINESS_FILE = DATA_DIR / "readiness.yaml"
SAMPLE_PARAMS_FILE = DATA_DIR / "params" / "sample.yaml"
SAMPLE_PILOT_DIR = DATA_DIR / "sample" / "pilot"
SAMPLE_CANONICAL_DIR = DATA_DIR / "sample" / "canonical"


def _is_bundled(path: str | Path) -> bool:
    """Whether ``path`` is one of rhmodel's own data files (not a file a user pointed at)."""
    try:
        return Path(path).resolve().is_relative_to(Path(DATA_DIR).resolve())
    except (OSError, TypeError, ValueError):
        return False


@lru_cache(maxsize=8)
def load_capabilities(path: str | Path = CAPABILITIES_FILE) -> CapabilityMatrix:
    """Load and validate the capability matrix (``data/capabilities.yaml`` by default).

    The file's sections: ``products`` (the three product ids and names), ``dimensions`` (one per
    row of the seed's Section 4.1; each has a cell per product with ``level``, ``text``,
    ``source``), ``incumbent_strengths`` (Section 4.2), ``remote_help_strengths`` (4.3) and
    ``criteria`` (the replace-or-keep test of 4.4).
    """
    return parse_capabilities(load_yaml(path, _is_bundled(path)))


@lru_cache(maxsize=8)
def load_price_book(path: str | Path = PRICE_BOOK_FILE) -> PriceBook:
    """Load and validate the price book (``data/price_book.yaml`` by default).

    Each item: ``product``, ``label``, ``unit``, ``source``, ``as_of``, ``confidence``,
    ``illustrative`` and exactly one of ``price``, ``range`` or ``quote_only``.
    """
    return parse_price_book(load_yaml(path, _is_bundled(path)))


def checklist_for(e: Any) -> Checklist:
    """The readiness checklist of one evaluation: its environment's steps and endpoints (due
    before the pilot starts), its contract actions (due by their notice deadlines)."""
    from rhmodel.edges.pilotfiles import pilot_report  # here: pilotfiles imports this module

    p = e.params
    # the Windows unattended prerequisites apply when the plan moves unattended work on
    # corporate PCs to Remote Help (declared, or found eligible in the pilot)
    pilot = pilot_report(p)
    moves = e.analysis.decision.moves_unattended_windows or bool(
        pilot is not None and pilot.unattended_windows_eligible
    )
    return checklist(
        load_readiness(),
        {
            "tenant_cloud": p["tenant_cloud"],
            "proxy": p["environment.proxy"],
            "federation": p["environment.federation"],
            "unattended_windows": "moves" if moves else "none",
        },
        p["start_date"],
        e.plan.actions if e.plan is not None else (),
        [n.replace("_", " ") for n in e.analysis.decision.keep_for],
        p["pilot.routing"],
        p["pilot.start_date"] or p["start_date"],
    )


@lru_cache(maxsize=8)
def load_readiness(path: str | Path = READINESS_FILE) -> Readiness:
    """Load the readiness checklist (``data/readiness.yaml``): ``areas`` of ``items`` (id, item,
    source) and the seed's open ``decisions`` (id, decision, recommendation, source)."""
    return parse_readiness(load_yaml(path, _is_bundled(path)))
