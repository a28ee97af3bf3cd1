"""The README's parameter-key table is the schema's, and the renderer writes what we expect."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from rhmodel.core.params.schema import SCHEMA, Spec
from rhmodel.faces.keytable import (
    END,
    START,
    MarkerError,
    key_table_markdown,
    main,
    replace_table,
    update_readme,
)
from tests.conftest import PROJECT_DIR

README = PROJECT_DIR / "README.md"
HEADER = "| Key | Accepted | Unit | Default | Meaning |\n|---|---|---|---|---|\n"


def _region(text: str) -> list[str]:
    """The lines between the markers."""
    return text.split(START, 1)[1].split(END, 1)[0].splitlines()


def _row(spec: Spec) -> str:
    """The one row the renderer gives ``spec``."""
    return key_table_markdown((spec,)).splitlines()[2]


# -- the README ----------------------------------------------------------------------------------


def test_readme_key_table_is_generated_from_the_live_schema():
    text = README.read_text(encoding="utf-8")
    assert text.count(START) == 1 and text.count(END) == 1, "README.md lacks the key-table markers"
    assert _region(text) == _region(replace_table(text)), (
        "README.md's parameter-key table differs from rhmodel/core/params/schema.py: run `make keys`"
    )


def test_readme_lists_every_schema_key_once_in_schema_order():
    rows = [line for line in _region(README.read_text(encoding="utf-8")) if line.startswith("| `")]
    assert [row.split("`")[1] for row in rows] == [s.key for s in SCHEMA]


def test_make_keys_runs_the_generator_on_the_readme():
    makefile = (PROJECT_DIR / "Makefile").read_text(encoding="utf-8")
    assert "\nkeys: $(VENV)/.installed ## " in makefile
    assert "\t$(PY) -m rhmodel.faces.keytable README.md\n" in makefile


# -- the renderer, on hand-made specs -----------------------------------------------------------


def test_table_header_rule_and_one_row_per_spec_in_order():
    specs = (
        Spec("b", "bool", "", "second flag", default=True),
        Spec("a", "bool", "", "first flag", default=False),
    )
    assert key_table_markdown(specs) == (
        HEADER
        + "| `b` | true or false |  | `true` | second flag |\n"
        + "| `a` | true or false |  | `false` | first flag |"
    )


def test_an_empty_schema_is_just_the_header():
    assert key_table_markdown(()) == HEADER.rstrip("\n")


def test_pipes_are_escaped_in_every_cell():
    s = Spec(
        "x.mode", "choice", "a|b", "either a | b, or || c", default="p|q", choices=("p|q", "r")
    )
    assert _row(s) == r"| `x.mode` | `p\|q` or `r` | a\|b | `p\|q` | either a \| b, or \|\| c |"


def test_newlines_and_control_characters_never_break_a_row():
    s = Spec("x.t", "text", "", "two\nlines,\ta tab and an \x1b escape")
    assert _row(s) == r"| `x.t` | text |  | — | two lines, a tab and an \x1b escape |"


@pytest.mark.parametrize(
    ("spec", "default"),
    [
        (
            Spec("k", "float", "US$", "price", minimum=0, default_from="item_a"),
            "price book `item_a`",
        ),
        (Spec("k", "int", "count", "kept (default: from pilot evidence)"), "from pilot evidence"),
        (Spec("k", "float", "US$", "smaller pool; default: today's price"), "today's price"),
        (
            Spec("k", "date", "date", "start (default: the first day of the month)"),
            "the first day of the month",
        ),
        (Spec("k", "int", "months", "months left on the term"), "—"),
        (Spec("k", "float", "fraction", "rate", default=0.0), "0"),
        (Spec("k", "float", "fraction", "rate", default=0.1), "0.1"),
        (Spec("k", "int", "count", "many", default=1_000_000), "1,000,000"),
        (Spec("k", "float", "US$", "cost", default=1234.5), "1,234.5"),
        (Spec("k", "bool", "", "flag", default=False), "`false`"),
        (Spec("k", "need", "", "need", default=True), "`true`"),
        (
            Spec("k", "choice", "", "how", default="monthly", choices=("monthly", "annual")),
            "`monthly`",
        ),
        (Spec("k", "text", "", "code", default="USD"), "`USD`"),
        (Spec("k", "text", "", "name", default=""), "—"),
        (Spec("k", "texts", "", "domains", default=()), "—"),
        (Spec("k", "texts", "", "domains", default=("a.com", "b.org")), "`a.com`, `b.org`"),
        (Spec("k", "date", "date", "day", default=dt.date(2026, 12, 1)), "2026-12-01"),
    ],
)
def test_defaults_are_shown_in_words(spec, default):
    assert _row(spec).split(" | ")[3] == default


@pytest.mark.parametrize(
    ("spec", "accepted"),
    [
        (Spec("k", "int", "u", "d", minimum=0, maximum=1_000_000), "integer 0 to 1,000,000"),
        (
            Spec("k", "int", "u", "d", minimum=0, maximum=600, rangeable=True),
            "integer 0 to 600 (or a range)",
        ),
        (
            Spec(
                "k", "float", "u", "d", minimum=0, maximum=1, maximum_exclusive=True, rangeable=True
            ),
            "number 0 to below 1 (or a range)",
        ),
        (
            Spec("k", "float", "u", "d", minimum=0.0001, maximum=1, maximum_exclusive=True),
            "number 0.0001 to below 1",
        ),
        (
            Spec("k", "float", "u", "d", minimum=0.000001, maximum=1_000_000),
            "number 0.000001 to 1,000,000",
        ),
        (Spec("k", "float", "u", "d", minimum=0, rangeable=True), "number 0 or more (or a range)"),
        (Spec("k", "float", "u", "d", maximum=5), "number up to 5"),
        (Spec("k", "float", "u", "d", maximum=5, maximum_exclusive=True), "number below 5"),
        (Spec("k", "int", "u", "d"), "integer"),
        (Spec("k", "choice", "", "d", choices=("only",)), "`only`"),
        (Spec("k", "choice", "", "d", choices=("a", "b", "c")), "`a`, `b` or `c`"),
        (Spec("k", "bool", "", "d"), "true or false"),
        (Spec("k", "need", "", "d"), "true or false (or all: every support session needs it)"),
        (Spec("k", "date", "date", "d"), "a date YYYY-MM-DD from 2000-01-01 to 2100-12-31"),
        (Spec("k", "paths", "", "d"), "a list of strings"),
    ],
)
def test_accepted_values_give_bounds_and_ranges_without_repeating_the_unit(spec, accepted):
    assert _row(spec).split(" | ")[1] == accepted


def test_a_full_row_keeps_the_unit_and_the_doc_verbatim():
    s = Spec(
        "x.uplift",
        "float",
        "fraction per year",
        "yearly increase: (1 + uplift)^(1 + floor((M − (R+1)) / 12)) (0.05 = 5% a year)",
        default=0.0,
        minimum=0,
        maximum=1,
        maximum_exclusive=True,
        rangeable=True,
    )
    assert _row(s) == (
        "| `x.uplift` | number 0 to below 1 (or a range) | fraction per year | 0 | "
        "yearly increase: (1 + uplift)^(1 + floor((M − (R+1)) / 12)) (0.05 = 5% a year) |"
    )


# -- writing the README ---------------------------------------------------------------------------

SMALL = (Spec("a", "bool", "", "flag", default=True),)


def test_only_the_region_between_the_markers_changes():
    text = f"# Title\n\nprose before\n\n{START}\nhand table\n{END}\n\nprose after\n"
    new = replace_table(text, SMALL)
    assert new.startswith(f"# Title\n\nprose before\n\n{START}\n")
    assert new.endswith(f"\n\n{END}\n\nprose after\n")
    assert "hand table" not in new
    assert f"\n\n{key_table_markdown(SMALL)}\n\n" in new
    assert replace_table(new, SMALL) == new


@pytest.mark.parametrize(
    "text",
    [
        "no markers at all\n",
        f"{START}\nonly the start\n",
        f"only the end\n{END}\n",
        f"{END}\nout of order\n{START}\n",
        f"{START}\n{END}\n{START}\n{END}\n",
    ],
)
def test_missing_repeated_or_misordered_markers_are_a_clear_error(text):
    with pytest.raises(MarkerError, match=r"keys:start.*keys:end"):
        replace_table(text, SMALL)


def test_update_readme_reports_change_and_check_never_writes(tmp_path: Path):
    readme = tmp_path / "README.md"
    readme.write_text(
        f"intro\r\n{START}\r\nold\r\n{END}\r\noutro\r\n", encoding="utf-8", newline=""
    )
    before = readme.read_bytes()
    assert update_readme(readme, schema=SMALL, write=False) is True
    assert readme.read_bytes() == before
    assert update_readme(readme, schema=SMALL) is True
    after = readme.read_bytes()
    assert after.startswith(b"intro\r\n<!-- keys:start -->\r\n") and after.endswith(
        b"\r\noutro\r\n"
    )
    assert b"| `a` | true or false |  | `true` | flag |\r\n" in after
    assert b"\n" not in after.replace(b"\r\n", b"")  # CRLF kept throughout
    assert update_readme(readme, schema=SMALL) is False


def test_update_readme_names_the_file_when_markers_are_missing(tmp_path: Path):
    readme = tmp_path / "README.md"
    readme.write_text("no table here\n", encoding="utf-8")
    with pytest.raises(MarkerError, match=r"README\.md: expected one"):
        update_readme(readme)


def test_main_check_exits_1_with_one_line_and_rewrite_fixes_it(tmp_path: Path, capsys):
    readme = tmp_path / "README.md"
    readme.write_text(f"{START}\n{END}\n", encoding="utf-8")
    assert main([str(readme), "--check"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "differs from the schema" in err and "make keys" in err
    assert main([str(readme)]) == 0
    assert main([str(readme), "--check"]) == 0
    assert _region(readme.read_text(encoding="utf-8"))[3:-1] == key_table_markdown().splitlines()


def test_main_without_markers_exits_2_with_one_error_line(tmp_path: Path, capsys):
    readme = tmp_path / "README.md"
    readme.write_text("nothing\n", encoding="utf-8")
    assert main([str(readme), "--check"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1
    assert readme.read_text(encoding="utf-8") == "nothing\n"
    assert main([str(tmp_path / "missing.md")]) == 2
