"""rhmodel's own data files are parsed by LibYAML's C parser (rhmodel.core.document.parse_yaml
with ``bundled=True``); a user's files keep PyYAML's Python parser.

The oracle is the Python parser itself: every bundled file must give the same values and the
same line for every key under both parsers, so the faster parse changes nothing a reader sees.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from rhmodel.core.document import parse_yaml
from rhmodel.edges.bundled import DATA_DIR, _is_bundled, load_capabilities
from rhmodel.errors import InputError

BUNDLED = sorted(Path(DATA_DIR).rglob("*.yaml"))


def test_pyyaml_here_has_the_c_parser():
    # the wheel's PyYAML ships LibYAML on every platform CI and users install from
    assert yaml.__with_libyaml__


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: str(p.relative_to(DATA_DIR)))
def test_a_bundled_file_reads_the_same_with_either_parser(path):
    text = path.read_text(encoding="utf-8")
    fast = parse_yaml(text, str(path), bundled=True)
    slow = parse_yaml(text, str(path))
    assert fast.data == slow.data
    assert fast.lines == slow.lines  # error messages point at the same lines
    assert _is_bundled(path)


def test_there_are_bundled_files_to_compare():
    names = {p.name for p in BUNDLED}
    assert {"capabilities.yaml", "price_book.yaml", "readiness.yaml", "sample.yaml"} <= names


def test_a_users_file_keeps_the_python_parser_and_its_messages(tmp_path):
    user = tmp_path / "capabilities.yaml"
    user.write_text("products: [a, b\n", encoding="utf-8")
    assert not _is_bundled(user)
    with pytest.raises(InputError) as raised:
        load_capabilities(user)
    # the Python parser's wording ("expected"); LibYAML would say "did not find expected"
    assert "YAML syntax error: expected ',' or ']'" in str(raised.value)
    assert str(raised.value).startswith(f"{user}:2:")
    with pytest.raises(InputError, match=r"did not find expected ',' or '\]'"):
        # the same text as a bundled file: proof the two parsers really differ
        parse_yaml("products: [a, b\n", "bundled.yaml", bundled=True)
