"""``rhmodel pilot import | collect | status``: the pilot as a process (issue 25).

:func:`register` adds the ``pilot`` verb and its sub-verbs to the command line's subparsers;
each sub-verb sets ``func`` to a function that takes the parsed arguments and returns the exit
status, as every other verb does.
"""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["register"]


def register(sub: Any, parser_class: type[argparse.ArgumentParser]) -> None:
    """Add ``rhmodel pilot ...`` to ``sub`` (the top-level subparsers)."""
    return None
