"""The README documents what the code accepts: every parameter key and command."""

from __future__ import annotations

from rhmodel.core.params import SCHEMA
from tests.conftest import PROJECT_DIR

README = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")


def test_readme_starts_with_the_two_commands():
    first_block = README.split("```")[1]
    commands = [line.split("#")[0].strip() for line in first_block.strip().splitlines()]
    assert commands == ["make report", "make test"]


def test_every_parameter_key_is_documented():
    missing = [s.key for s in SCHEMA if f"`{s.key}`" not in README]
    assert not missing, missing


def test_every_command_is_documented():
    for command in (
        "rhmodel matrix",
        "rhmodel decide",
        "rhmodel scenarios",
        "rhmodel pool",
        "rhmodel excel",
        "rhmodel report",
        "rhmodel explore",
    ):
        assert f"### `{command}" in README
