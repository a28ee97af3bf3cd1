"""rhmodel's own canonical session CSV: one row per session, a reason code on every incumbent
session.

Columns ``session_id, tool, start, end, technician, reason`` (``duration`` instead of ``end`` is
accepted; ``session_type``, ``sharer``, ``platform`` optional). ``tool``: ``remote_help`` |
``logmein_resolve`` | ``beyondtrust``; ``reason`` (blank for Remote Help) one of the reason codes.
This is the format to convert any other export to, and the one the 10-million-row benchmark
reads, so it takes the fast path: no blank-word cleaning, values compared as written.
"""

from __future__ import annotations

import pandas as pd

from rhmodel.core.products import PRODUCTS
from rhmodel.core.text import excerpt
from rhmodel.edges.exports.frame import LoadedExport, finish
from rhmodel.edges.exports.table import Table, first_index, per_unique
from rhmodel.edges.exports.times import ReadOptions, end_or_duration, timestamps

__all__ = ["FORMAT", "load"]

#: name, required columns (each: aliases, one must be present), description
FORMAT = (
    "canonical",
    (("sessionid",), ("tool",), ("start",), ("end", "duration"), ("technician",), ("reason",)),
    "session_id, tool, start, end (or duration), technician, reason",
)


def load(src: Table, opts: ReadOptions) -> LoadedExport:
    """Sessions of a canonical CSV."""
    src.clean_blanks = False  # our own strict format: values as written, at columnar speed
    tool = pd.Series(per_unique(src.col("tool"), str.lower), dtype=object)
    bad = ~tool.isin(PRODUCTS)
    if bad.any():
        i = first_index(bad)
        raise src.error(
            i,
            f"unknown tool ({excerpt(src.col('tool').iloc[i])}) — accepted: {', '.join(PRODUCTS)}",
        )
    start = timestamps(src, src.col("start"), "start", opts)
    end = end_or_duration(src, start, opts, ("end",), ("duration",))

    def optional(*aliases: str) -> pd.Series | None:
        return src.col(*aliases) if src.has(*aliases) else None

    return finish(
        src,
        "canonical",
        session_id=src.col("sessionid"),
        tool=tool,
        start=start,
        end=end,
        technician=src.col("technician"),
        reason=src.col("reason"),
        session_type=optional("sessiontype"),
        sharer=optional("sharer", "shareremail"),
        platform=optional("platform", "os"),
        device=optional("device", "devicename", "hostname"),
    )
