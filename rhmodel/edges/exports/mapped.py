"""Any other layout, read through a column mapping given in the parameters file.

A ``pilot.files`` entry ``{path: agents.csv, columns: {start: Begin, end: Finish, technician:
Agent, session_id: Ref, tool: logmein_resolve}}`` says which header holds each session field;
``tool`` may name a column or be a product id for the whole file. Fields: ``session_id``,
``tool``, ``start``, ``end`` or ``duration``, ``technician`` (required, with ``start``), and
``reason``, ``session_type``, ``sharer``, ``platform``, ``ticket``, ``device``. A ``reason``
value that is not a reason code is a ticket reference, as in the vendors' exports.
"""

from __future__ import annotations

import hashlib

import pandas as pd

from rhmodel.core.products import PRODUCTS
from rhmodel.core.text import excerpt
from rhmodel.edges.exports.frame import LoadedExport, finish
from rhmodel.edges.exports.table import Table, first_index, norm, per_unique
from rhmodel.edges.exports.times import ReadOptions, end_or_duration, timestamps
from rhmodel.errors import InputError

__all__ = ["apply_mapping", "load"]


def apply_mapping(src: Table, columns: dict[str, str]) -> dict[str, str]:
    """Point each mapped field at its header; returns the literal values (a product id for
    ``tool``). A header the file does not have is an error naming the file."""
    literals: dict[str, str] = {}
    for field, header in columns.items():
        if field == "tool" and header in PRODUCTS:
            literals["tool"] = header
            continue
        if norm(header) not in src.columns:
            raise InputError(
                f"no column {excerpt(header)} for {field} — the file's columns: "
                + ", ".join(sorted(src.frame.columns))[:300],
                file=str(src.path),
                line=1 + src.preamble,  # the header's line, after any #TYPE line
            )
        src.columns[f"@{field}"] = src.columns[norm(header)]
    return literals


def load(src: Table, opts: ReadOptions, literals: dict[str, str]) -> LoadedExport:
    """Sessions of a file whose columns the mapping names (``@field`` in ``src.columns``)."""

    def has(field: str) -> bool:
        return f"@{field}" in src.columns

    for needed in ("start", "technician"):
        if not has(needed):
            raise InputError(
                f"the column mapping names no {needed} column — columns: {{{needed}: <header>}}",
                file=str(src.path),
            )
    if "tool" in literals:
        tool: pd.Series | str = literals["tool"]
    elif has("tool"):
        tool = pd.Series(per_unique(src.col("@tool"), lambda v: v.strip().lower()))
        bad = ~tool.isin(PRODUCTS)
        if bad.any():
            i = first_index(bad)
            raise src.error(
                i,
                f"unknown tool ({excerpt(src.col('@tool').iloc[i])}) — accepted: "
                f"{', '.join(PRODUCTS)} (or tool: <product id> in the mapping)",
            )
    else:
        raise InputError(
            "the column mapping names no tool — columns: {tool: <header>} or "
            f"{{tool: <one of {', '.join(PRODUCTS)}>}}",
            file=str(src.path),
        )
    start = timestamps(src, src.col("@start"), "start", opts)
    end = end_or_duration(src, start, opts, ("@end",), ("@duration",))
    if has("session_id"):
        ids = src.col("@session_id")
    else:  # no id: made from technician and start, so overlapping exports still match
        key = src.col("@technician") + "|" + pd.Series(start).astype(str)
        ids = key.map(lambda k: "mapped-" + hashlib.sha1(k.encode()).hexdigest()[:16])

    def optional(field: str) -> pd.Series | None:
        return src.col(f"@{field}") if has(field) else None

    reason = optional("reason")
    ticket = optional("ticket")
    if ticket is not None:  # a ticket column feeds the ticket reference where no reason says
        reason = ticket if reason is None else reason.where(reason != "", ticket)
    return finish(
        src,
        "mapped",
        session_id=ids,
        tool=tool,
        start=start,
        end=end,
        technician=src.col("@technician"),
        reason=reason,
        session_type=optional("session_type"),
        sharer=optional("sharer"),
        platform=optional("platform"),
        device=optional("device"),
        skip={"no technician": (src.col("@technician") == "").to_numpy()},
    )
