"""Results looked up by name: a tuple that is also a read-only mapping from each item's name.

``analysis.scenarios`` is a sequence (``for s in analysis.scenarios`` and ``[0]`` keep
working) and a mapping where a name is natural (``analysis.scenarios["right_size"]``); a name
that is not there raises :class:`NameNotFound`, a :class:`KeyError` whose message says what is
accepted and the closest name.

Examples
--------
>>> from collections import namedtuple
>>> S = namedtuple("S", "name npv")
>>> items = ByName([S("status_quo", 0.0), S("right_size", 77531.0)], what="scenario")
>>> items["right_size"].npv, items[0].name, "right_size" in items, len(items)
(77531.0, 'status_quo', True, 2)
>>> items["right-size"]  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
rhmodel.core.named.NameNotFound: no scenario named 'right-size' (did you mean 'right_size'?) — ...
>>> list(items.keys()), items.get("cancel") is None
(['status_quo', 'right_size'], True)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, SupportsIndex, TypeVar, overload

from rhmodel.core.validation import did_you_mean

__all__ = ["ByName", "NameNotFound", "by_name"]

T = TypeVar("T")


class NameNotFound(KeyError):
    """A name looked up that is not there; the message names what is accepted."""

    def __str__(self) -> str:
        # KeyError quotes its argument as a repr; this one is a sentence
        return str(self.args[0]) if self.args else ""


def by_name(items: Iterable[T], name: str, what: str = "item") -> T:
    """The item of ``items`` whose ``.name`` is ``name``.

    Raises
    ------
    NameNotFound
        With a did-you-mean and the accepted names.

    Examples
    --------
    >>> from collections import namedtuple
    >>> O = namedtuple("O", "name")
    >>> by_name([O("a"), O("b")], "b")
    O(name='b')
    >>> by_name([O("cancel")], "cancl", "plan")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    rhmodel.core.named.NameNotFound: no plan named 'cancl' (did you mean 'cancel'?) — accepted:...
    """
    seen = []
    for item in items:
        n = item.name  # type: ignore[attr-defined]
        if n == name:
            return item
        seen.append(n)
    shown = ", ".join(seen[:20]) + (f" and {len(seen) - 20} more" if len(seen) > 20 else "")
    raise NameNotFound(
        f"no {what} named {name!r}{did_you_mean(str(name), seen)} — accepted: {shown or 'none'}"
    )


class ByName(tuple):  # type: ignore[type-arg]
    """A tuple of named results that also answers ``[name]``, ``keys()``, ``get()`` and
    ``name in``. Equal to the plain tuple of the same items; pickles and copies as a tuple."""

    what: str

    def __new__(cls, items: Iterable[Any] = (), what: str = "item") -> ByName:
        self = super().__new__(cls, items)
        self.what = what
        return self

    @overload
    def __getitem__(self, key: str) -> Any: ...
    @overload
    def __getitem__(self, key: SupportsIndex) -> Any: ...
    @overload
    def __getitem__(self, key: slice) -> tuple[Any, ...]: ...
    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return by_name(self, key, getattr(self, "what", "item"))
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            return key in self.keys()
        return super().__contains__(key)

    def keys(self) -> list[str]:
        """The names, in order."""
        return [item.name for item in self]

    def get(self, name: str, default: Any = None) -> Any:
        """The item named ``name``, or ``default``."""
        return next((item for item in self if item.name == name), default)

    def items(self) -> Iterator[tuple[str, Any]]:
        """``(name, item)`` pairs, in order."""
        return ((item.name, item) for item in self)
