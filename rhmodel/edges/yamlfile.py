"""Read a YAML file from disk into a located :class:`~rhmodel.core.document.YamlDocument`."""

from __future__ import annotations

from pathlib import Path

from rhmodel.core.document import YamlDocument, parse_yaml
from rhmodel.errors import InputError

__all__ = ["load_yaml"]


def load_yaml(path: str | Path) -> YamlDocument:
    """Read and parse a YAML file; a missing or unreadable file is an :class:`InputError`."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(
            "no such file — give the path of an existing YAML file", file=str(path)
        ) from None
    except IsADirectoryError:
        raise InputError("is a directory — give the path of a YAML file", file=str(path)) from None
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not UTF-8 text ({exc.reason}) — save the file as UTF-8", file=str(path)
        ) from None
    except OSError as exc:
        raise InputError(
            f"cannot read ({exc.strerror}) — check permissions", file=str(path)
        ) from None
    return parse_yaml(text, str(path))
