"""The three layers and their import contract (import-linter), checked on the real package and
shown to fail on a copy of it that breaks the rules."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PROJECT_DIR

PACKAGE = PROJECT_DIR / "rhmodel"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """Run import-linter with the project's contracts on the package under ``root``."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(PROJECT_DIR / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_package_keeps_its_import_contracts() -> None:
    done = _lint_imports(PROJECT_DIR)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 kept, 0 broken" in done.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        # a core module reaching out to an edge (here: the bundled files)
        ("core/money/scenarios.py", "import rhmodel.edges.bundled", "Layers"),
        # an edge reaching up to a face
        ("edges/workbook.py", "import rhmodel.faces.formatting", "Layers"),
        # the core running a process
        ("core/decision.py", "import subprocess", "The core is pure"),
    ],
)
def test_a_broken_rule_is_caught(tmp_path: Path, module: str, line: str, contract: str) -> None:
    copy = tmp_path / "rhmodel"
    shutil.copytree(
        PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "data", "notebooks")
    )
    target = copy / module
    text = target.read_text(encoding="utf-8")
    # after the module docstring and `from __future__`, where an import statement is legal
    anchor = "from __future__ import annotations\n"
    target.write_text(text.replace(anchor, anchor + line + "\n", 1), encoding="utf-8")
    done = _lint_imports(tmp_path)
    assert done.returncode != 0, done.stdout
    assert re.search(rf"{re.escape(contract)}.*BROKEN", done.stdout), done.stdout


def test_only_the_package_wide_modules_sit_at_the_top() -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert top == ["__init__.py", "__main__.py", "_version.py", "errors.py"]
    assert sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__") == [
        "core",
        "data",
        "edges",
        "faces",
        "notebooks",
    ]


# The product ids written out as a list: only core/products.py may hold one.
_PRODUCT_LISTS = re.compile(
    r"""\(\s*["']logmein_resolve["']\s*,\s*["']beyondtrust["']|"""
    r"""["']remote_help["']\s*,\s*["']logmein_resolve["']\s*,\s*["']beyondtrust["']|"""
    r"""\(\s*["']logmein["']\s*,\s*["']beyondtrust["']"""
)


def test_products_are_listed_in_one_place() -> None:
    offenders = [
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if p.name != "products.py" and _PRODUCT_LISTS.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []
