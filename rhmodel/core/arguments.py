"""Checks of the arguments a Python caller passes (library functions, notebook parameters).

A file's values are checked by the parameter parsers; these check what arrives from code,
where a wrong type otherwise surfaces deep inside numpy (``'<' not supported between 'str' and
'int'``) or is iterated character by character. Each raises :class:`~rhmodel.errors.InputError`
naming the argument, the value and its type, and what is accepted.

Examples
--------
>>> whole("draws", 2000, 0, 10_000_000)
2000
>>> whole("draws", "2000", 0, 10_000_000)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
rhmodel.errors.InputError: draws: not a whole number ('2000', a str) — a whole number from 0 to...
>>> override_list("overrides", {"logmein.agents": 30, "pilot.files": []})
['logmein.agents=30', 'pilot.files=[]']
>>> override_list("overrides", "logmein.agents=30")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
rhmodel.errors.InputError: overrides: one string ('logmein.agents=30'), not a list — a list of ...
"""

from __future__ import annotations

import datetime as dt
import json
import numbers
import os
from collections.abc import Mapping
from typing import Any

from rhmodel.core.text import excerpt, visible
from rhmodel.errors import InputError

__all__ = ["MAX_DRAWS", "MAX_SEED", "described", "override_list", "path_text", "whole"]

MAX_DRAWS = 10_000_000
MAX_SEED = 2**32 - 1  # numpy's seeds are non-negative and this wide


def described(value: Any) -> str:
    """``value`` as an error message quotes it: its short repr and its type (``'2000', a str``).

    Examples
    --------
    >>> described("2000"), described(3)
    ("'2000', a str", '3, an int')
    """
    text = visible(repr(value))
    kind = type(value).__name__
    article = "an" if kind[:1] in "aeiou" else "a"
    return f"{text if len(text) <= 40 else text[:40] + '…'}, {article} {kind}"


def whole(name: str, value: Any, low: int, high: int, example: int | None = None) -> int:
    """``value`` as an int in [low, high]; a bool, a float or a string is an error.

    Examples
    --------
    >>> whole("seed", 7, 0, 9)
    7
    >>> whole("seed", True, 0, 9)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    rhmodel.errors.InputError: seed: not a whole number (True, a bool) — a whole number from 0 ...
    >>> whole("draws", -1, 0, 9)
    Traceback (most recent call last):
    ...
    rhmodel.errors.InputError: draws: must be at least 0 (-1) — a whole number from 0 to 9, e.g. 0
    """
    eg = low if example is None else example
    accepted = f"a whole number from {low:,} to {high:,}, e.g. {eg}"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InputError(f"not a whole number ({described(value)}) — {accepted}", key=name)
    v = int(value)
    if v < low:
        raise InputError(f"must be at least {low:,} ({v}) — {accepted}", key=name)
    if v > high:
        raise InputError(f"must be at most {high:,} ({v}) — {accepted}", key=name)
    return v


def _value_text(value: Any) -> str:
    # the text after '=' is read as YAML: JSON is YAML, and dates read back as dates
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return str(value)


_OVERRIDES_ACCEPTED = (
    "a list of 'KEY=VALUE' strings such as ['logmein.agents=30'], or a mapping such as "
    "{'logmein.agents': 30}"
)


def override_list(name: str, value: Any, one_string: bool = False) -> list[str]:
    """Overrides as the ``KEY=VALUE`` strings of ``--set``, from a list or a mapping.

    ``one_string`` accepts a single ``"KEY=VALUE"`` string as one override (what
    ``papermill -p overrides logmein.agents=30`` passes); otherwise a string is an error
    rather than a sequence of characters.

    Examples
    --------
    >>> override_list("overrides", None), override_list("overrides", ("horizon_months=24",))
    ([], ['horizon_months=24'])
    >>> override_list("overrides", "horizon_months=24", one_string=True)
    ['horizon_months=24']
    >>> override_list("overrides", {"start_date": dt.date(2027, 1, 1)})
    ['start_date=2027-01-01']
    >>> override_list("overrides", [30])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    rhmodel.errors.InputError: overrides: item 1 is not a 'KEY=VALUE' string (30, an int) — a l...
    """
    if value is None:
        return []
    if isinstance(value, str):
        if one_string:
            return [value] if value.strip() else []
        raise InputError(
            f"one string ({excerpt(value)}), not a list — {_OVERRIDES_ACCEPTED}", key=name
        )
    if isinstance(value, Mapping):
        out = []
        for k, v in value.items():
            if not isinstance(k, str) or not k.strip():
                raise InputError(
                    f"a key is not a parameter name ({described(k)}) — {_OVERRIDES_ACCEPTED}",
                    key=name,
                )
            out.append(f"{k.strip()}={_value_text(v)}")
        return out
    if isinstance(value, list | tuple):
        for i, item in enumerate(value, 1):
            if not isinstance(item, str):
                raise InputError(
                    f"item {i} is not a 'KEY=VALUE' string ({described(item)}) — "
                    f"{_OVERRIDES_ACCEPTED}",
                    key=name,
                )
        return list(value)
    raise InputError(
        f"not a list or mapping ({described(value)}) — {_OVERRIDES_ACCEPTED}", key=name
    )


def path_text(name: str, value: Any) -> str:
    """A file path given as ``str`` or :class:`os.PathLike`, as text; anything else an error.

    Examples
    --------
    >>> from pathlib import Path
    >>> path_text("path", Path("p.yaml"))
    'p.yaml'
    >>> path_text("path", 3)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    rhmodel.errors.InputError: path: not a file path (3, an int) — a str or pathlib.Path naming...
    """
    if isinstance(value, str | os.PathLike) and str(os.fspath(value)).strip():
        return str(os.fspath(value))
    raise InputError(
        f"not a file path ({described(value)}) — a str or pathlib.Path naming a parameters YAML",
        key=name,
    )
