"""Shared fixtures: the bundled data, parameters written to a temporary file, and the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from rhmodel.core.capabilities import CapabilityMatrix
from rhmodel.core.document import parse_yaml
from rhmodel.core.params import Parameters
from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE, load_capabilities
from rhmodel.edges.paramfile import parse_parameters

#: The checkout's root: the README, Makefile and pyproject live here.
PROJECT_DIR = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def matrix() -> CapabilityMatrix:
    return load_capabilities()


@pytest.fixture(scope="session")
def sample_params_file() -> Path:
    return SAMPLE_PARAMS_FILE


def params_from(text: str, *overrides: str) -> Parameters:
    """Parameters from YAML text (dedented), as if read from ``p.yaml``."""
    return parse_parameters(parse_yaml(textwrap.dedent(text), "p.yaml"), overrides)


@pytest.fixture
def write_params(tmp_path: Path) -> Callable[[str], Path]:
    def write(text: str, name: str = "p.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


@pytest.fixture
def cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``python -m rhmodel ARGS`` in a subprocess, as a user would."""

    def run(*args: str | Path, cwd: Path = PROJECT_DIR) -> subprocess.CompletedProcess[str]:
        # text wraps to the terminal's width: the tests read it at the width of a pipe (100),
        # whatever COLUMNS the test runner leaves for its children
        env = {**os.environ, "COLUMNS": "100"}
        return subprocess.run(
            [sys.executable, "-m", "rhmodel", *map(str, args)],
            capture_output=True,
            text=True,
            cwd=cwd,
            timeout=300,
            env=env,
        )

    return run
