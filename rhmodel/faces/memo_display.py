"""The pack notebook's memo: the sections ``rhmodel report`` rendered, or rendered here.

:func:`open_memo` is the pack notebook's entry point. Under ``rhmodel report`` the memo's
sections were rendered in the report's own process while this kernel started
(:mod:`rhmodel.edges.memo_sections`): the notebook displays them and imports nothing heavy.
Run alone (papermill or Jupyter, from any folder), it loads the parameters and renders the
memo itself (:class:`rhmodel.faces.memo.RenewalPack`). Either way each cell shows the same
:class:`Html`.

Examples
--------
>>> memo = RenderedMemo({"title": "<h1>Memo</h1>"})
>>> memo.title()._repr_html_()
'<h1>Memo</h1>'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from rhmodel.edges.memo_sections import wait_for_sections

__all__ = ["Html", "RenderedMemo", "open_memo"]


class Html(str):
    """A string of HTML that notebooks render as HTML."""

    def _repr_html_(self) -> str:
        return str(self)


class RenderedMemo:
    """The memo's sections as ``rhmodel report`` rendered them, by section name.

    ``memo.title()`` is the title section, as :meth:`RenewalPack.title
    <rhmodel.faces.memo.RenewalPack.title>` would render it. A section that was not rendered
    ahead (a notebook edited to show another) is rendered by ``fallback``, the memo itself.
    """

    def __init__(
        self, sections: Mapping[str, str], fallback: Callable[[], Any] | None = None
    ) -> None:
        self._sections = dict(sections)
        self._fallback = fallback
        self._memo: Any = None

    def __getattr__(self, name: str) -> Callable[[], Html]:
        if name.startswith("_"):
            raise AttributeError(name)
        if name in self._sections:
            text = self._sections[name]
            return lambda: Html(text)
        if self._fallback is None:
            raise AttributeError(f"the memo has no section {name!r}")
        if self._memo is None:
            self._memo = self._fallback()
        return getattr(self._memo, name)


def open_memo(
    params_path: str | Path,
    overrides: Sequence[str] = (),
    simulate: int = 10_000,
    seed: int = 0,
    inputs_file: str | Path = "",
) -> Any:
    """The memo the pack notebook shows: the sections rendered for ``inputs_file`` when
    ``rhmodel report`` rendered them, else a :class:`~rhmodel.faces.memo.RenewalPack` loaded
    here (same arguments as :meth:`RenewalPack.load <rhmodel.faces.memo.RenewalPack.load>`)."""

    def load() -> Any:
        from rhmodel.faces.memo import RenewalPack

        return RenewalPack.load(
            params_path, overrides, simulate=simulate, seed=seed, inputs_file=inputs_file
        )

    sections = wait_for_sections(inputs_file) if inputs_file else None
    return RenderedMemo(sections, load) if sections is not None else load()
