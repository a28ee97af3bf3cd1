"""The README's parameter-key table, generated from :data:`~rhmodel.core.params.schema.SCHEMA`.

Every key's type, bounds, unit, default and meaning are declared once in the schema; this
module renders them as a markdown table and writes it into ``README.md`` between two markers,
so the README cannot drift from what validation accepts::

    <!-- keys:start -->
    ...generated, never edited by hand...
    <!-- keys:end -->

``make keys`` (``python -m rhmodel.faces.keytable README.md``) rewrites the table;
``--check`` only compares, exiting 1 when the README is out of date. The test
``tests/faces/test_keytable.py`` runs the same comparison, so a schema change without
``make keys`` fails CI.

Examples
--------
>>> from rhmodel.core.params.schema import Spec
>>> print(key_table_markdown((
...     Spec("pilot.days", "int", "days", "pilot length", default=45, minimum=1, maximum=365),
...     Spec("note", "text", "", "free text | with a pipe"),
... )))
| Key | Accepted | Unit | Default | Meaning |
|---|---|---|---|---|
| `pilot.days` | integer 1 to 365 | days | 45 | pilot length |
| `note` | text |  | — | free text \\| with a pipe |
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path

from rhmodel.core.params.schema import SCHEMA, Spec
from rhmodel.core.text import visible
from rhmodel.edges.atomic import atomic_write_bytes

__all__ = [
    "END",
    "START",
    "MarkerError",
    "key_table_markdown",
    "main",
    "replace_table",
    "update_readme",
]

#: The comments that delimit the generated table in README.md (each on a line of its own).
START = "<!-- keys:start -->"
END = "<!-- keys:end -->"
#: First line inside the markers: tells an editor where the table comes from.
NOTE = "<!-- generated from rhmodel/core/params/schema.py by `make keys`; do not edit by hand -->"
#: Shown where a key has no default, no unit or no value.
NONE = "—"
_HEADER = ("Key", "Accepted", "Unit", "Default", "Meaning")
# "(default: the first day of the current month)", "; default: today's price"
_DOC_DEFAULT = re.compile(r"\bdefault: ([^;)]+)")
_SPACE = re.compile(r"\s+")


class MarkerError(ValueError):
    """README.md lacks exactly one ``START`` marker followed by exactly one ``END`` marker."""


def _cell(text: str) -> str:
    """Text fit for one markdown table cell: one line, control characters escaped, ``|``
    escaped as ``\\|``."""
    return _SPACE.sub(" ", visible(text)).strip().replace("|", r"\|")


def _number(x: float) -> str:
    """A number as people write it: ``36``, ``1,000,000``, ``0.2``, ``0.000001`` (never
    ``1e-06``)."""
    if float(x).is_integer():
        return f"{int(x):,}"
    return format(Decimal(repr(float(x))), ",f")


def _or(values: Sequence[str]) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    return values[0] if len(values) == 1 else f"{', '.join(values[:-1])} or {values[-1]}"


def _accepted(s: Spec) -> str:
    """What a valid value looks like: the kind and bounds of a number (its unit has a column
    of its own), the choices, or the schema's own :meth:`Spec.accepted` wording."""
    if s.kind in ("int", "float"):
        what = "integer" if s.kind == "int" else "number"
        below = "below" if s.maximum_exclusive else "up to"
        lo = None if s.minimum is None else _number(s.minimum)
        hi = None if s.maximum is None else _number(s.maximum)
        if lo is not None and hi is not None:
            bounds = f" {lo} to {'below ' if s.maximum_exclusive else ''}{hi}"
        elif lo is not None:
            bounds = f" {lo} or more"
        elif hi is not None:
            bounds = f" {below} {hi}"
        else:
            bounds = ""
        return f"{what}{bounds}{' (or a range)' if s.rangeable else ''}"
    if s.kind == "choice" and s.choices:
        return _or([f"`{c}`" for c in s.choices])
    return s.accepted()


def _default(s: Spec) -> str:
    """The default in words: a price-book item, the doc's own "default: ..." clause, the
    value, or ``—`` for none."""
    if s.default_from is not None:
        return f"price book `{s.default_from}`"
    d = s.default
    if d is None:
        found = _DOC_DEFAULT.search(s.doc)
        return found.group(1).strip() if found else NONE
    if isinstance(d, bool):
        return f"`{str(d).lower()}`"
    if isinstance(d, int | float):
        return _number(d)
    if isinstance(d, dt.date):
        return d.isoformat()
    if isinstance(d, str):
        return f"`{d}`" if d else NONE
    if isinstance(d, Iterable):
        items = [str(v) for v in d]
        return ", ".join(f"`{v}`" for v in items) if items else NONE
    return str(d)


def key_table_markdown(schema: Sequence[Spec] = SCHEMA) -> str:
    """The markdown table of every key in ``schema``, one row per key in its order.

    Parameters
    ----------
    schema : sequence of Spec
        The keys to list; the live :data:`SCHEMA` by default.

    Returns
    -------
    str
        Header, rule and one row per key, lines joined by ``\\n``, no trailing newline.
        Columns: the key; what is accepted (integer or number with its bounds and whether it
        may be a range, the choices, or the schema's wording); the unit; the default in words
        (a price-book item, the doc's own ``default: ...``, the value, or ``—``); the schema's
        one-line meaning, verbatim. ``|`` in any cell is escaped.

    Examples
    --------
    >>> from rhmodel.core.params.schema import Spec
    >>> print(key_table_markdown((
    ...     Spec("x.rate", "float", "fraction 0–1", "a | b", default=0.1, minimum=0,
    ...          maximum=1, maximum_exclusive=True, rangeable=True),
    ...     Spec("x.price", "float", "US$", "price", minimum=0, default_from="x_item"),
    ...     Spec("x.mode", "choice", "", "how", default="a", choices=("a", "b", "c")),
    ... )))
    | Key | Accepted | Unit | Default | Meaning |
    |---|---|---|---|---|
    | `x.rate` | number 0 to below 1 (or a range) | fraction 0–1 | 0.1 | a \\| b |
    | `x.price` | number 0 or more | US$ | price book `x_item` | price |
    | `x.mode` | `a`, `b` or `c` |  | `a` | how |
    """
    rows = [
        (f"`{_cell(s.key)}`", _cell(_accepted(s)), _cell(s.unit), _cell(_default(s)), _cell(s.doc))
        for s in schema
    ]
    lines = [f"| {' | '.join(_HEADER)} |", "|---" * len(_HEADER) + "|"]
    return "\n".join(lines + [f"| {' | '.join(r)} |" for r in rows])


def replace_table(text: str, schema: Sequence[Spec] = SCHEMA) -> str:
    """``text`` (a README) with everything between the markers replaced by the table.

    Parameters
    ----------
    text : str
        The README's text; it must hold :data:`START` once, then :data:`END` once.
    schema : sequence of Spec
        The keys to list.

    Returns
    -------
    str
        The same text with the region between the markers regenerated; nothing outside them
        changes.

    Raises
    ------
    MarkerError
        When a marker is missing, repeated or the two are out of order.

    Examples
    --------
    >>> from rhmodel.core.params.schema import Spec
    >>> text = "# Keys\\n\\n<!-- keys:start -->\\nold table\\n<!-- keys:end -->\\n\\nMore prose.\\n"
    >>> print(replace_table(text, (Spec("a", "bool", "", "flag", default=True),)))
    # Keys
    <BLANKLINE>
    <!-- keys:start -->
    <!-- generated from rhmodel/core/params/schema.py by `make keys`; do not edit by hand -->
    <BLANKLINE>
    | Key | Accepted | Unit | Default | Meaning |
    |---|---|---|---|---|
    | `a` | true or false |  | `true` | flag |
    <BLANKLINE>
    <!-- keys:end -->
    <BLANKLINE>
    More prose.
    <BLANKLINE>
    """
    starts, ends = text.count(START), text.count(END)
    if starts != 1 or ends != 1 or text.index(START) > text.index(END):
        raise MarkerError(
            f"expected one {START!r} line followed by one {END!r} line around the "
            f"parameter-key table (found {starts} and {ends})"
        )
    head, rest = text.split(START)
    _, tail = rest.split(END)
    # the blank lines keep each marker a block of its own, apart from the table
    return f"{head}{START}\n{NOTE}\n\n{key_table_markdown(schema)}\n\n{END}{tail}"


def update_readme(path: Path, *, schema: Sequence[Spec] = SCHEMA, write: bool = True) -> bool:
    """Regenerate the parameter-key table in the README at ``path``.

    Parameters
    ----------
    path : Path
        The README; only the text between :data:`START` and :data:`END` is rewritten, and the
        rest is kept byte for byte (line endings included).
    schema : sequence of Spec
        The keys to list.
    write : bool
        False to compare only (``--check``): the file is never touched.

    Returns
    -------
    bool
        Whether the table differed from the schema's (and, with ``write``, was rewritten).

    Raises
    ------
    MarkerError
        When the markers are missing, repeated or out of order (the message names the file).

    Examples
    --------
    >>> import tempfile
    >>> readme = Path(tempfile.mkdtemp()) / "README.md"
    >>> _ = readme.write_text("<!-- keys:start -->\\n<!-- keys:end -->\\n", encoding="utf-8")
    >>> update_readme(readme), update_readme(readme)
    (True, False)
    >>> "| `horizon_months` |" in readme.read_text(encoding="utf-8")
    True
    """
    path = Path(path)
    with path.open(encoding="utf-8", newline="") as fh:
        text = fh.read()
    newline = "\r\n" if "\r\n" in text else "\n"
    try:
        new = replace_table(text.replace("\r\n", "\n"), schema).replace("\n", newline)
    except MarkerError as e:
        raise MarkerError(f"{path}: {e}") from None
    changed = new != text
    if changed and write:
        atomic_write_bytes(path, new.encode("utf-8"))
    return changed


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m rhmodel.faces.keytable [--check] README.md``.

    Returns 0 when the table was already current (or has been rewritten), 1 when ``--check``
    finds it out of date, 2 when the file cannot be read or lacks the markers; every outcome
    is one line.

    Examples
    --------
    >>> import tempfile
    >>> readme = Path(tempfile.mkdtemp()) / "README.md"
    >>> _ = readme.write_text("<!-- keys:start -->\\n<!-- keys:end -->\\n", encoding="utf-8")
    >>> main([str(readme), "--check"])  # the message goes to stderr
    1
    >>> main([str(readme)])  # doctest: +ELLIPSIS
    /.../README.md: parameter-key table rewritten
    0
    >>> main([str(readme), "--check"])  # doctest: +ELLIPSIS
    /.../README.md: the parameter-key table matches the schema
    0
    """
    parser = argparse.ArgumentParser(
        prog="python -m rhmodel.faces.keytable",
        description="Write the parameter-key table generated from the schema into the README.",
    )
    parser.add_argument("readme", type=Path, nargs="?", default=Path("README.md"))
    parser.add_argument(
        "--check",
        action="store_true",
        help="only compare: exit 1 if the README's table differs from the schema's",
    )
    args = parser.parse_args(argv)
    try:
        changed = update_readme(args.readme, write=not args.check)
    except (OSError, UnicodeDecodeError, MarkerError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.check:
        if changed:
            print(
                f"{args.readme}: the parameter-key table differs from the schema — run `make keys`",
                file=sys.stderr,
            )
            return 1
        print(f"{args.readme}: the parameter-key table matches the schema")
        return 0
    print(f"{args.readme}: parameter-key table {'rewritten' if changed else 'already current'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
