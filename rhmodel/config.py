"""Path constants for the files that ship with the project.

The package is installed editable (``pip install -e .``), so bundled data lives beside it in
``data/`` rather than inside the wheel.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "CAPABILITIES_FILE",
    "DATA_DIR",
    "NOTEBOOKS_DIR",
    "PRICE_BOOK_FILE",
    "PROJECT_DIR",
    "READINESS_FILE",
    "REPORTS_DIR",
    "SAMPLE_CANONICAL_DIR",
    "SAMPLE_PARAMS_FILE",
    "SAMPLE_PILOT_DIR",
]

PROJECT_DIR = Path(__file__).resolve().parents[1]
DATA_DIR = PROJECT_DIR / "data"
NOTEBOOKS_DIR = PROJECT_DIR / "notebooks"
REPORTS_DIR = PROJECT_DIR / "reports"
CAPABILITIES_FILE = DATA_DIR / "capabilities.yaml"
PRICE_BOOK_FILE = DATA_DIR / "price_book.yaml"
READINESS_FILE = DATA_DIR / "readiness.yaml"
SAMPLE_PARAMS_FILE = DATA_DIR / "params" / "sample.yaml"
SAMPLE_PILOT_DIR = DATA_DIR / "sample" / "pilot"
SAMPLE_CANONICAL_DIR = DATA_DIR / "sample" / "canonical"
