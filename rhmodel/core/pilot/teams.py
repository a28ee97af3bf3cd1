"""Teams whose work stays on an incumbent: ``pilot.teams``.

An organisation can say that one team's work stays on the incumbent whatever the export shows
(customer care that only supports customers, a server team): every incumbent session of the
team's technicians is residual, the team's pool is sized from its own work, and the rest of the
help desk is judged session by session.

Grammar::

    pilot:
      teams:
        - name: Customer care
          technicians: [cc.agent1@example.com, cc.agent2@example.com]
          needs: {external_or_unmanaged_support: all}

``needs`` maps a requirement (``requirements.<name>``, with or without the ``requirements.``
prefix) to ``all``: the only scope a team can declare today.

Examples
--------
>>> parse_teams(None)
()
>>> t = parse_teams([{"name": "Customer care", "technicians": ["Ann", "Bo"],
...                   "needs": {"external_or_unmanaged_support": "all"}}])
>>> t[0].name, t[0].technicians, t[0].needs
('Customer care', ('Ann', 'Bo'), (('requirements.external_or_unmanaged_support', 'all'),))
>>> try:
...     parse_teams([{"name": "Care", "technicians": "Ann", "needs": {}}])
... except Invalid as e:
...     print(e.path, "|", e.message.split(" — ")[0])
[0].technicians | is not a list of technician names ('Ann')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rhmodel.core.params.structured import Invalid

__all__ = ["Team", "parse_teams"]

_KEYS = ("name", "technicians", "needs")


@dataclass(frozen=True)
class Team:
    """One ``pilot.teams`` entry.

    Attributes
    ----------
    name : str
        The team's name, as the pack shows its pool.
    technicians : tuple of str
        Technician names as the exports write them (matched case-insensitively).
    needs : tuple of (str, str)
        ``(requirements.<name>, "all")`` pairs: the team needs it for all its work.
    """

    name: str
    technicians: tuple[str, ...]
    needs: tuple[tuple[str, str], ...]

    def knows(self, technician: str) -> bool:
        """Whether ``technician`` (as an export writes it) is on this team."""
        return technician.strip().lower() in {t.strip().lower() for t in self.technicians}


def _requirements() -> tuple[str, ...]:
    # read lazily: the schema names this parser, so importing it at module load would cycle
    from rhmodel.core.params.schema import SCHEMA

    return tuple(s.key for s in SCHEMA if s.key.startswith("requirements."))


def _short(raw: Any) -> str:
    return f"{raw!r:.40}"


def parse_teams(raw: Any) -> tuple[Team, ...]:
    """Validate ``pilot.teams``: a list of ``{name, technicians: [...], needs: {<req>: all}}``.

    Raises
    ------
    Invalid
        With the path below the key (``[0].technicians``) and what is accepted.
    """
    if raw is None:
        return ()
    accepted = parse_teams.accepted  # type: ignore[attr-defined]
    if not isinstance(raw, list):
        raise Invalid("", f"is not a list of teams ({_short(raw)}) — {accepted}")
    known = _requirements()
    out: list[Team] = []
    names: set[str] = set()
    for i, entry in enumerate(raw):
        here = f"[{i}]"
        if not isinstance(entry, dict):
            raise Invalid(here, f"is not a team ({_short(entry)}) — {accepted}")
        extra = [k for k in entry if k not in _KEYS]
        if extra:
            raise Invalid(
                f"{here}.{extra[0]}", f"is not a team field ({_short(extra[0])}) — {accepted}"
            )
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise Invalid(f"{here}.name", f"is not a team name ({_short(name)}) — a non-empty text")
        if name.strip().lower() in names:
            raise Invalid(f"{here}.name", f"names a team twice ({_short(name)}) — unique names")
        names.add(name.strip().lower())
        techs = entry.get("technicians")
        if (
            not isinstance(techs, list)
            or not techs
            or not all(isinstance(t, str) and t.strip() for t in techs)
        ):
            raise Invalid(
                f"{here}.technicians",
                f"is not a list of technician names ({_short(techs)}) — a non-empty list of "
                "names as the exports write them",
            )
        needs = entry.get("needs")
        if not isinstance(needs, dict) or not needs:
            raise Invalid(
                f"{here}.needs",
                f"is not a mapping of needs ({_short(needs)}) — {{<requirement>: all}}",
            )
        pairs = []
        for req, scope in needs.items():
            key = str(req) if str(req).startswith("requirements.") else f"requirements.{req}"
            if key not in known:
                raise Invalid(
                    f"{here}.needs.{req}",
                    f"is not a requirement ({_short(req)}) — one of "
                    + ", ".join(k.removeprefix("requirements.") for k in known),
                )
            if scope != "all":
                raise Invalid(f"{here}.needs.{req}", f"is not a scope ({_short(scope)}) — all")
            pairs.append((key, "all"))
        out.append(Team(name.strip(), tuple(t.strip() for t in techs), tuple(pairs)))
    return tuple(out)


parse_teams.accepted = (  # type: ignore[attr-defined]
    "a list of {name, technicians: [...], needs: {<requirement>: all}}"
)
