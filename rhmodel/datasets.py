"""Every bundled data set is loaded here, in one place.

Examples
--------
>>> load_capabilities().dimension("session_recording").label
'Session recording'
>>> load_price_book().currency
'USD'
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from rhmodel.capabilities import CapabilityMatrix, parse_capabilities
from rhmodel.config import CAPABILITIES_FILE, PRICE_BOOK_FILE, READINESS_FILE
from rhmodel.prices import PriceBook, parse_price_book
from rhmodel.readiness import Readiness, parse_readiness
from rhmodel.yamlsource import load_yaml

__all__ = ["load_capabilities", "load_price_book", "load_readiness"]


@lru_cache(maxsize=8)
def load_capabilities(path: str | Path = CAPABILITIES_FILE) -> CapabilityMatrix:
    """Load and validate the capability matrix (``data/capabilities.yaml`` by default).

    The file's sections: ``products`` (the three product ids and names), ``dimensions`` (one per
    row of the seed's Section 4.1; each has a cell per product with ``level``, ``text``,
    ``source``), ``incumbent_strengths`` (Section 4.2), ``remote_help_strengths`` (4.3) and
    ``criteria`` (the replace-or-keep test of 4.4).
    """
    return parse_capabilities(load_yaml(path))


@lru_cache(maxsize=8)
def load_price_book(path: str | Path = PRICE_BOOK_FILE) -> PriceBook:
    """Load and validate the price book (``data/price_book.yaml`` by default).

    Each item: ``product``, ``label``, ``unit``, ``source``, ``as_of``, ``confidence``,
    ``illustrative`` and exactly one of ``price``, ``range`` or ``quote_only``.
    """
    return parse_price_book(load_yaml(path))


@lru_cache(maxsize=8)
def load_readiness(path: str | Path = READINESS_FILE) -> Readiness:
    """Load the readiness checklist (``data/readiness.yaml``): ``areas`` of ``items`` (id, item,
    source) and the seed's open ``decisions`` (id, decision, recommendation, source)."""
    return parse_readiness(load_yaml(path))
