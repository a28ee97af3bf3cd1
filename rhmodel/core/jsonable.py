"""The one serialisation helper: frozen result dataclasses to plain JSON values.

Every result type is a frozen dataclass whose fields are its JSON keys, in order. A class may
say more with three class attributes:

- ``json_fields``: the keys and their order when they differ from the fields (a property such
  as ``swing`` may be listed; a field left out is not written);
- ``json_omit_empty``: keys left out when their value is ``None`` or an empty list;
- a field's ``metadata={"json": False}`` leaves it out (large arrays, DataFrames), and
  ``metadata={"to_json": f}`` writes ``f(value)`` instead of the value.

Dates become ISO strings, named tuples mappings, other tuples lists, numpy scalars Python numbers.

Examples
--------
>>> from dataclasses import dataclass
>>> import datetime as dt
>>> @dataclass(frozen=True)
... class Renewal:
...     contract: str
...     on: dt.date
...     months: tuple[int, ...] = ()
>>> jsonable(Renewal("logmein", dt.date(2027, 5, 1), (5, 17)))
{'contract': 'logmein', 'on': '2027-05-01', 'months': [5, 17]}
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from typing import Any

import numpy as np

__all__ = ["jsonable"]


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, tuple | list | dict) and not value)


def jsonable(value: Any) -> Any:
    """``value`` as JSON-ready Python values (dict, list, str, int, float, bool, None)."""
    if is_dataclass(value) and not isinstance(value, type):
        cls = type(value)
        meta = {f.name: f.metadata for f in fields(value)}
        names = getattr(cls, "json_fields", None) or tuple(
            name for name, m in meta.items() if m.get("json", True)
        )
        omit = getattr(cls, "json_omit_empty", ())
        out: dict[str, Any] = {}
        for name in names:
            item = getattr(value, name)
            if name in omit and _empty(item):
                continue
            convert = meta.get(name, {}).get("to_json")
            out[name] = jsonable(
                convert(item) if convert is not None and item is not None else item
            )
        return out
    if isinstance(value, tuple) and hasattr(value, "_asdict"):  # a NamedTuple: its fields
        return {k: jsonable(v) for k, v in value._asdict().items()}
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, np.generic):
        return value.item()
    return value
