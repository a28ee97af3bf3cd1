"""The one exception type for errors a user can cause.

Every mistake in an input file, a ``--set`` override or a command-line argument is raised as
:class:`InputError`. The command line prints it as a single ``error:`` line and exits 2;
tracebacks are reserved for bugs in rhmodel itself.
"""

from __future__ import annotations

__all__ = ["InputError"]


class InputError(ValueError):
    """A user-caused error, located as precisely as we know.

    Parameters
    ----------
    message : str
        What is wrong, including the offending value and what would be accepted.
    file : str, optional
        The file (or ``--set``) the bad input came from.
    line : int, optional
        1-based line in ``file``.
    key : str, optional
        Dotted key path of the bad value, e.g. ``logmein.agents``.

    Examples
    --------
    >>> str(InputError("must be >= 0 (got -3) — a non-negative integer",
    ...                file="p.yaml", line=7, key="logmein.agents"))
    'p.yaml:7: logmein.agents: must be >= 0 (got -3) — a non-negative integer'
    >>> str(InputError("no such file", file="missing.yaml"))
    'missing.yaml: no such file'
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        key: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.key = key
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = f"{self.file}:{self.line}: " if self.line is not None else f"{self.file}: "
        key = f"{self.key}: " if self.key else ""
        return f"{where}{key}{self.message}"
