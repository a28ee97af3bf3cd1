"""Erlang B and C: how many licences a pool needs so that a request is rarely refused.

Erlang B (blocked requests are lost) uses the stable recurrence
``B(0) = 1; B(k) = A·B(k−1) / (k + A·B(k−1))`` — no factorials, no overflow at large loads.
Erlang C (requests wait) follows from B: ``C = c·B / (c − A·(1 − B))`` for ``c > A``, else 1.

Offered load ``A`` is in erlangs: busy-hour busy-seconds / 3600.

Examples
--------
Classic table points (1% blocking):

>>> erlang_b_servers(10.0, 0.01), erlang_b_servers(20.0, 0.01), erlang_b_servers(100.0, 0.01)
(18, 30, 117)
>>> round(erlang_b(10.0, 18), 5)
0.00714
"""

from __future__ import annotations

import math

__all__ = ["DEFAULT_TARGET_BLOCKING", "erlang_b", "erlang_b_servers", "erlang_c"]

#: The Erlang B target every default refers to (``pilot.target_blocking``, the pool sizing, the
#: CLI): a concurrent pool refuses at most 1% of logins.
DEFAULT_TARGET_BLOCKING = 0.01


def _check_load(load: float) -> None:
    if not (isinstance(load, int | float) and math.isfinite(load) and load >= 0):
        raise ValueError(f"offered load must be a finite number >= 0 erlangs, got {load!r}")


def erlang_b(load: float, servers: int) -> float:
    """Probability that a request finds all ``servers`` busy (Erlang B), fraction 0–1.

    Parameters
    ----------
    load : float
        Offered load A in erlangs (>= 0).
    servers : int
        Pool size c (>= 0).
    """
    _check_load(load)
    if servers < 0:
        raise ValueError(f"servers must be a non-negative integer, got {servers!r}")
    b = 1.0
    for k in range(1, servers + 1):
        b = load * b / (k + load * b)
    return b


def erlang_b_servers(load: float, target_blocking: float = DEFAULT_TARGET_BLOCKING) -> int:
    """Smallest pool whose Erlang B blocking is at most ``target_blocking``.

    Parameters
    ----------
    load : float
        Offered load in erlangs.
    target_blocking : float
        Acceptable share of refused requests, in (0, 1) (default
        :data:`DEFAULT_TARGET_BLOCKING`).

    Examples
    --------
    >>> erlang_b_servers(0.0)
    0
    """
    _check_load(load)
    if not 0 < target_blocking < 1:
        raise ValueError(f"target_blocking must be in (0, 1), got {target_blocking!r}")
    if load == 0:
        return 0  # nothing offered, nothing to refuse
    b, k = 1.0, 0
    while b > target_blocking:
        k += 1
        b = load * b / (k + load * b)
    return k


def erlang_c(load: float, servers: int) -> float:
    """Probability that a request must wait (Erlang C), fraction 0–1.

    Examples
    --------
    >>> round(erlang_c(10.0, 18), 4), erlang_c(10.0, 10)
    (0.0159, 1.0)
    """
    if servers <= load:
        return 1.0
    b = erlang_b(load, servers)
    return servers * b / (servers - load * (1.0 - b))
