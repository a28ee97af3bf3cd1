"""Read a YAML file from disk into a located :class:`~rhmodel.core.document.YamlDocument`."""

from __future__ import annotations

import stat
from pathlib import Path

from rhmodel.core.document import MAX_TEXT_CHARS, YamlDocument, parse_yaml
from rhmodel.errors import InputError

__all__ = ["load_yaml"]


def load_yaml(path: str | Path, bundled: bool = False) -> YamlDocument:
    """Read and parse a YAML file; a missing, unreadable, odd or oversized file is an
    :class:`InputError`. ``bundled``: one of rhmodel's own data files (parsed by the faster
    parser, see :func:`~rhmodel.core.document.parse_yaml`).

    Only a regular file is read (a FIFO would block forever, ``/dev/zero`` never ends), and at
    most :data:`~rhmodel.core.document.MAX_TEXT_CHARS` of it.

    Examples
    --------
    >>> load_yaml("/dev/zero")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    rhmodel.errors.InputError: /dev/zero: is not a regular file (a character device) — ...
    """
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InputError(
            "no such file — give the path of an existing YAML file", file=str(path)
        ) from None
    except OSError as exc:
        raise InputError(
            f"cannot read ({exc.strerror}) — check the path and permissions", file=str(path)
        ) from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError("is a directory — give the path of a YAML file", file=str(path))
    if not stat.S_ISREG(info.st_mode):
        raise InputError(
            f"is not a regular file ({_kind(info.st_mode)}) — give the path of a YAML file",
            file=str(path),
        )
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_TEXT_CHARS * 4 + 1)  # UTF-8: at most 4 bytes per character
    except OSError as exc:
        raise InputError(
            f"cannot read ({exc.strerror}) — check permissions", file=str(path)
        ) from None
    if len(raw) > MAX_TEXT_CHARS * 4:
        raise InputError(
            f"is too large for a parameters file (over {MAX_TEXT_CHARS * 4:,} bytes) — a "
            "parameters file is a few kilobytes",
            file=str(path),
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not UTF-8 text ({exc.reason}) — save the file as UTF-8", file=str(path)
        ) from None
    return parse_yaml(text.removeprefix("\ufeff"), str(path), bundled)


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISFIFO, "a named pipe"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a plain file"
