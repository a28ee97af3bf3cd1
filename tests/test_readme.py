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


def section(title: str) -> str:
    """The README's ``## title`` section, up to the next ``## `` heading."""
    start = README.find(f"\n## {title}\n")
    assert start >= 0, f"the README has no '## {title}' section"
    end = README.find("\n## ", start + 1)
    return README[start : end if end >= 0 else len(README)]


def pycon_blocks(text: str) -> str:
    """Every ```pycon block of ``text``, joined: one doctest."""
    import re

    return "\n".join(re.findall(r"```pycon\n(.*?)```", text, re.S))


def run_doctest(source: str) -> tuple[int, int]:
    """Run ``source`` as a doctest (ELLIPSIS, NORMALIZE_WHITESPACE); (failed, attempted)."""
    import doctest

    test = doctest.DocTestParser().get_doctest(source, {}, "README Library", "README.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    return runner.failures, runner.tries


def test_the_library_examples_run_as_written():
    # every DataFrame accessor of the table is shown, and each example runs as a doctest
    text = section("Library")
    for accessor in (
        "scenarios_frame()",
        "cash_flows()",
        "by_year_frame()",
        "sensitivity_frame()",
        "simulation_frame()",
        "pilot.sessions",
        "pool_frame()",
    ):
        assert accessor in text, accessor
    failed, tried = run_doctest(pycon_blocks(text))
    assert tried >= 15 and failed == 0, f"{failed} of {tried} README Library examples failed"


def test_the_notebooks_section_has_the_papermill_command_and_the_parameter_table():
    from rhmodel.edges.notebook_params import parameter_table

    text = section("Notebooks")
    assert "papermill --help-notebook" in text and "-p params_path" in text
    # the table is the notebooks' own parameters cells, row for row
    assert parameter_table() in text, "regenerate the table with parameter_table()"


def test_examples_work_from_an_installed_package():
    # data/params/sample.yaml is a checkout path; `rhmodel sample` prints the installed one
    assert "data/params/sample.yaml" not in README
    assert '"$(rhmodel sample)"' in README
