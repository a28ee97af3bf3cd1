"""Small shared checks for values read from YAML, each raising a located :class:`InputError`.

Examples
--------
>>> from rhmodel.core.document import parse_yaml
>>> doc = parse_yaml("level: maybe\\n", "m.yaml")
>>> choice(doc, "level", doc.data["level"], ("yes", "partial", "no"))
Traceback (most recent call last):
...
rhmodel.errors.InputError: m.yaml:1: level: unknown value ('maybe') — accepted: yes, partial, no
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

from rhmodel.core.document import YamlDocument

__all__ = ["choice", "did_you_mean", "mapping", "no_unknown_keys", "sequence", "text"]


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """A ``" (did you mean 'x'?)"`` suffix when ``word`` is close to one of ``options``.

    Examples
    --------
    >>> did_you_mean("horizon_month", ["horizon_months", "discount_rate"])
    " (did you mean 'horizon_months'?)"
    >>> did_you_mean("zzz", ["horizon_months"])
    ''
    """
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def mapping(doc: YamlDocument, key: str, value: Any) -> Mapping[str, Any]:
    """``value`` if it is a mapping, else a located error."""
    if not isinstance(value, Mapping):
        raise doc.error(
            key,
            f"must be a mapping of names to values (got {value!r})"
            " — write 'name: value' lines under it",
        )
    return value


def sequence(doc: YamlDocument, key: str, value: Any) -> list[Any]:
    """``value`` if it is a list, else a located error."""
    if not isinstance(value, list):
        raise doc.error(key, f"must be a list (got {value!r}) — write '[a, b]' or '- a' lines")
    return value


def text(doc: YamlDocument, key: str, value: Any) -> str:
    """``value`` if it is a non-empty string, else a located error."""
    if not isinstance(value, str) or not value.strip():
        raise doc.error(key, f"must be non-empty text (got {value!r}) — write a quoted string")
    return value


def choice(doc: YamlDocument, key: str, value: Any, options: Iterable[str]) -> str:
    """``value`` if it is one of ``options``, else a located error naming them."""
    options = tuple(options)
    if not isinstance(value, str) or value not in options:
        hint = did_you_mean(value, options) if isinstance(value, str) else ""
        raise doc.error(key, f"unknown value ({value!r}){hint} — accepted: {', '.join(options)}")
    return value


def no_unknown_keys(
    doc: YamlDocument, key: str, value: Mapping[str, Any], allowed: Iterable[str]
) -> None:
    """Reject keys of ``value`` outside ``allowed``, suggesting the closest allowed key."""
    allowed = tuple(allowed)
    for name in value:
        if name not in allowed:
            path = f"{key}.{name}" if key else name
            raise doc.error(
                path,
                f"unknown key{did_you_mean(name, allowed)} — accepted here: {', '.join(allowed)}",
            )
