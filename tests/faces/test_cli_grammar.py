"""One grammar across every verb (issue 24, items 5-7): the parameters file positionally and as
--params, one --format vocabulary, a help text for every flag, --out that creates its folder,
text wrapped to the terminal, and help that points at `rhmodel sample`, not a checkout path."""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE, SAMPLE_PILOT_DIR
from rhmodel.faces import cli as cli_module
from tests.conftest import PROJECT_DIR

# One spelling per concept: the flag, its metavar, and spellings that must not appear.
SHARED = {
    "params_flag": ("--params", "PARAMS.yaml"),
    "overrides": ("--set", "KEY=VALUE"),
    "seed": ("--seed", "S"),
    "simulate": ("--simulate", "N"),
}
NOT_SPELLINGS = ("--param", "--parameters", "--output", "--fmt", "--draws", "--seeds", "--override")


def _verbs() -> dict[str, argparse.ArgumentParser]:
    """Every verb's parser, sub-verbs (``pilot import``...) included, by its full name."""
    out: dict[str, argparse.ArgumentParser] = {}

    def walk(parser: argparse.ArgumentParser, prefix: str) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    full = f"{prefix} {name}".strip()
                    out[full] = sub
                    walk(sub, full)

    walk(cli_module._build_parser(), "")
    return out


VERBS = _verbs()


def _run(*args: str | Path, env: dict[str, str] | None = None, cwd: Path = PROJECT_DIR):
    return subprocess.run(
        [sys.executable, "-m", "rhmodel", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def test_the_verbs_are_all_there():
    assert {
        "matrix",
        "decide",
        "scenarios",
        "report",
        "explore",
        "excel",
        "calendar",
        "pool",
    } <= set(VERBS)


@pytest.mark.parametrize("verb", sorted(VERBS))
def test_every_flag_has_a_help_text_and_the_shared_flags_one_spelling(verb):
    parser = VERBS[verb]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction | argparse._HelpAction):
            continue
        assert action.help and action.help is not argparse.SUPPRESS, (verb, action.option_strings)
        for bad in NOT_SPELLINGS:
            assert bad not in action.option_strings, (verb, bad)
        if action.dest in SHARED:
            flag, metavar = SHARED[action.dest]
            assert action.option_strings == [flag] and action.metavar == metavar, (verb, action)
        if action.dest == "format":
            assert action.option_strings == ["--format"]
            assert {"table", "json"} <= set(action.choices), verb
            # the old spelling stays accepted, as an alias or a choice of its own
            word = action.type("text") if action.type else "text"
            assert word in action.choices, verb
        if action.dest == "simulate":
            assert "default" in action.help, verb  # each verb says its own default
        if action.dest == "out":
            assert "created" in action.help, verb


@pytest.mark.parametrize("verb", ["matrix", "decide", "scenarios", "report", "excel", "pool"])
def test_each_verbs_help_shows_every_flag_with_its_help(verb):
    r = _run(*verb.split(), "--help", env={"COLUMNS": "100"})
    assert r.returncode == 0, r.stderr
    text = " ".join(r.stdout.split())
    for action in VERBS[verb]._actions:
        if action.option_strings and action.help:
            assert action.option_strings[-1] in text, (verb, action.option_strings)
            assert " ".join(action.help.split()[:4]) in text, (verb, action.help)
    assert "data/params/sample.yaml" not in r.stdout


def test_the_top_level_help_points_at_rhmodel_sample():
    r = _run("--help")
    assert r.returncode == 0
    assert "rhmodel sample" in r.stdout and "data/params/sample.yaml" not in r.stdout
    assert '"$(rhmodel sample)"' in r.stdout


@pytest.mark.parametrize("verb", ["decide", "scenarios"])
def test_the_parameters_file_positionally_and_as_params_is_the_same(verb):
    a = _run(verb, SAMPLE_PARAMS_FILE, "--format", "json")
    b = _run(verb, "--params", SAMPLE_PARAMS_FILE, "--format", "json")
    assert a.returncode == b.returncode == 0, a.stderr + b.stderr
    da, db = json.loads(a.stdout), json.loads(b.stdout)
    da.pop("provenance", None), db.pop("provenance", None)
    assert da == db


def test_text_is_an_alias_of_table():
    for verb in ("decide", "scenarios"):
        t = _run(verb, SAMPLE_PARAMS_FILE, "--format", "text", env={"COLUMNS": "100"})
        u = _run(verb, SAMPLE_PARAMS_FILE, "--format", "table", env={"COLUMNS": "100"})
        assert t.returncode == 0 and t.stdout == u.stdout, t.stderr


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("decide",), r"no parameters file — give PARAMS\.yaml or --params .*rhmodel sample"),
        (
            ("decide", "a.yaml", "--params", "b.yaml"),
            r"more than one parameters file \(a\.yaml, b\.yaml\)",
        ),
        (("scenarios", "--format", "xml"), r"invalid choice: 'xml'"),
    ],
)
def test_grammar_mistakes_are_one_error_line(args, says):
    r = _run(*args)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and re.search(says, lines[0]), r.stderr


def test_a_parameters_file_given_as_a_pilot_export_says_use_params(tmp_path):
    r = _run("pool", SAMPLE_PARAMS_FILE)
    assert r.returncode == 2 and r.stderr.count("\n") == 1
    assert "this looks like a parameters file: use --params" in r.stderr
    assert "no recognisable header" not in r.stderr
    # and the other way round: an export where the parameters go
    export = next(p for p in sorted(SAMPLE_PILOT_DIR.iterdir()) if p.suffix == ".csv")
    r = _run("decide", export)
    assert r.returncode == 2 and "this looks like a pilot export" in r.stderr
    assert "rhmodel pool" in r.stderr


def test_every_out_creates_its_folder_and_excel_warns_without_libreoffice(tmp_path):
    empty_path = tmp_path / "bin"
    empty_path.mkdir()  # a PATH with no soffice on it: LibreOffice is not found
    book = tmp_path / "new" / "deeper" / "book.xlsx"
    r = _run(
        "excel",
        SAMPLE_PARAMS_FILE,
        "--out",
        book,
        "--simulate",
        "50",
        env={"PATH": str(empty_path)},
    )
    assert r.returncode == 0, r.stderr
    assert book.is_file()
    warnings = [line for line in r.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1, r.stderr
    assert "not cached" in warnings[0] and "LibreOffice" in warnings[0]
    assert "pandas" in warnings[0]  # says who is affected and how to get the values
    ics = tmp_path / "cal" / "plan.ics"
    r = _run("calendar", SAMPLE_PARAMS_FILE, "--out", ics)
    assert r.returncode == 0 and ics.is_file(), r.stderr
    template = tmp_path / "pilot" / "log.xlsx"
    r = _run("pilot-template", "--out", template)
    assert r.returncode == 0 and template.is_file(), r.stderr


def test_a_failed_run_leaves_no_empty_folder(tmp_path):
    r = _run(
        "excel", SAMPLE_PARAMS_FILE, "--set", "discount_rate=3", "--out", tmp_path / "x" / "b.xlsx"
    )
    assert r.returncode == 2 and not (tmp_path / "x").exists()


@pytest.mark.parametrize("columns", [60, 140])
def test_text_wraps_to_the_terminal_width(columns):
    r = _run("decide", SAMPLE_PARAMS_FILE, env={"COLUMNS": str(columns)})
    assert r.returncode == 0, r.stderr
    widths = [len(line) for line in r.stdout.splitlines()]
    assert max(widths) <= columns
    if columns > 100:
        assert max(widths) > 100  # not the old fixed 100 columns
