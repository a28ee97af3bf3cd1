"""One technician, however the exports spell them: the one resolver every format goes through.

Exports name a technician by e-mail, by an id, by a username or by a display name, and not
always the same way on every row: Rescue leaves the e-mail blank for some rows, BeyondTrust names
the primary representative by display name ("Carol Cruz") and the representatives in
``rep_list`` by username ("ccruz") with an ``id``, Intune writes the helper's e-mail beside
their first and last name. Two spellings are one person when **one row (or one session) shows
them together**: a union of identifiers (union–find), never a guess from similar names.

Every identifier is compared after Unicode NFKC (full-width letters become ASCII), with format
characters removed (zero-width spaces and joiners, the byte-order mark, bidi marks: Unicode
category Cf) and control characters dropped, spaces collapsed and case folded. Ids are scoped by
their tool (Rescue's technician 1001 is not BeyondTrust's representative 1001); e-mail addresses
and names are not.

Examples
--------
>>> clean_identifier(" Ann\\u200b@Ex\\uff41mple.com\\ufeff ")
'ann@example.com'
>>> people = resolve([("e:ann@x.com", "n:ann lee"), ("n:ann lee", "i:logmein_resolve:7"),
...                   ("e:bob@x.com",)])
>>> people.person["i:logmein_resolve:7"] == people.person["e:ann@x.com"]
True
>>> people.label[people.person["n:ann lee"]], people.merged[people.person["e:ann@x.com"]]
('ann@x.com', 3)
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "GROUP_SEP",
    "ID_SEP",
    "People",
    "clean_identifier",
    "display_spelling",
    "identifier_key",
    "resolve",
]

#: Separators of the ``aliases`` column: identifiers of one person (``ID_SEP``), people of one
#: row (``GROUP_SEP``; the first group is the row's technician). Control characters, which
#: :func:`clean_identifier` removes from any identifier, so they never collide with text.
ID_SEP, GROUP_SEP = "\x1f", "\x1e"

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@lru_cache(maxsize=1 << 18)  # exports repeat a few thousand spellings millions of times
def display_spelling(text: str) -> str:
    """``text`` as a person's label: NFKC, format and control characters removed, inner spaces
    collapsed, an e-mail address case-folded (case is kept in a name).

    Examples
    --------
    >>> display_spelling("  Carol\\u00a0 Cruz\\u200e"), display_spelling("CCruz@Example.COM")
    ('Carol Cruz', 'ccruz@example.com')
    """
    text = unicodedata.normalize("NFKC", text)
    if not text.isascii() or any(ord(c) < 32 for c in text):
        text = "".join(c for c in text if unicodedata.category(c) not in ("Cf", "Cc") or c in " ")
    text = " ".join(text.split())
    return text.casefold() if _EMAIL.fullmatch(text) else text


def clean_identifier(text: str) -> str:
    """The comparable form of one identifier: :func:`display_spelling`, case-folded."""
    return display_spelling(text).casefold()


def identifier_key(kind: str, text: str, tool: str = "") -> str:
    """The resolver's key of an identifier: ``e:`` e-mail, ``i:<tool>:`` id, ``n:`` name or
    username; ``''`` for a blank one. A value written where an e-mail belongs that is not an
    address is a name (``Ann Lee`` in an e-mail column), and a name that is an address is an
    e-mail.

    Examples
    --------
    >>> identifier_key("email", "Ann@X.com"), identifier_key("id", " 7 ", "beyondtrust")
    ('e:ann@x.com', 'i:beyondtrust:7')
    >>> identifier_key("name", "ANN@x.com"), identifier_key("name", "  "), identifier_key("id", "")
    ('e:ann@x.com', '', '')
    """
    value = clean_identifier(text)
    if not value:
        return ""
    if _EMAIL.fullmatch(value):
        return "e:" + value
    if kind == "id":
        return f"i:{tool}:{value}"
    return "n:" + value


@dataclass(frozen=True)
class People:
    """Who is who after the union of identifiers.

    Attributes
    ----------
    person : dict of str to int
        Identifier key → person number.
    label : tuple of str
        Each person's label: their e-mail address when any identifier is one, else the first
        spelling seen.
    merged : tuple of int
        Per person, how many distinct identifiers (spellings) were merged into them.
    """

    person: dict[str, int]
    label: tuple[str, ...]
    merged: tuple[int, ...]


def resolve(groups: Iterable[Sequence[str]], spellings: dict[str, str] | None = None) -> People:
    """Union–find over identifier keys: the keys of each group are one person.

    ``spellings`` maps a key to how it was first written (a person without an e-mail is
    labelled by it); without it the key's text is the label.
    """
    parent: dict[str, str] = {}

    def find(k: str) -> str:
        root = k
        while parent[root] != root:
            root = parent[root]
        while parent[k] != root:  # path compression
            parent[k], k = root, parent[k]
        return root

    order: list[str] = []
    seen_at: dict[str, int] = {}
    for group in groups:
        keys = [k for k in group if k]
        for k in keys:
            if k not in parent:
                parent[k] = k
                seen_at[k] = len(order)
                order.append(k)
        for k in keys[1:]:
            a, b = find(keys[0]), find(k)
            if a != b:
                # the earlier-seen root stays the root: labels do not depend on union order
                first, later = (a, b) if seen_at[a] < seen_at[b] else (b, a)
                parent[later] = first
    number: dict[str, int] = {}
    members: list[list[str]] = []
    person: dict[str, int] = {}
    for k in order:
        root = find(k)
        if root not in number:
            number[root] = len(members)
            members.append([])
        members[number[root]].append(k)
        person[k] = number[root]
    spellings = spellings or {}

    def label(keys: list[str]) -> str:
        emails = sorted(k[2:] for k in keys if k.startswith("e:"))
        if emails:
            return emails[0]
        names = [k for k in keys if k.startswith("n:")] or keys
        k = names[0]
        return spellings.get(k, k.split(":", 2)[-1] if k.startswith("i:") else k[2:])

    return People(person, tuple(label(m) for m in members), tuple(len(m) for m in members))
