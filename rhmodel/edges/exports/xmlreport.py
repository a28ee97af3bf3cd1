"""XML reports streamed with expat: one place that turns a parse error into a located one.

Examples
--------
>>> import xml.parsers.expat
>>> from pathlib import Path
>>> parse_located(xml.parsers.expat.ParserCreate(), Path("r.xml"), b"<a><b></a>", "a report")
Traceback (most recent call last):
...
rhmodel.errors.InputError: r.xml:1: not well-formed XML (mismatched tag) — a report
"""

from __future__ import annotations

import xml.parsers.expat
from pathlib import Path

from rhmodel.errors import InputError

__all__ = ["parse_located"]


def parse_located(
    parser: xml.parsers.expat.XMLParserType, path: Path, data: bytes, what: str
) -> None:
    """Feed ``data`` to ``parser`` (its handlers already set); a malformed document is an
    :class:`InputError` naming the file, the line and what was expected (``what``)."""
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as exc:
        raise InputError(
            f"not well-formed XML ({xml.parsers.expat.errors.messages[exc.code]}) — {what}",
            file=str(path),
            line=exc.lineno,
        ) from None
