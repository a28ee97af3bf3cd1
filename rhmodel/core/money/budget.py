"""The budget view: spend per fiscal year, per contract and Remote Help, status quo versus plan.

A budget owner puts next year's figure into the plan by fiscal year, not by analysis month.
Month ``m`` of the analysis is the month that starts ``m − 1`` calendar months after
``start_date``; it belongs to the fiscal year its first day falls in. A fiscal year starting in
January is named for its calendar year ("FY2027"); one starting in another month spans two
calendar years and is named for both ("FY2027/28", April 2027 to March 2028).

The rows are the monthly costs the engine computes (undiscounted), so the table's total equals
the horizon total of each scenario: the figures a budget is written in, not present values.

Examples
--------
>>> import datetime as dt
>>> fiscal_year_of(dt.date(2027, 3, 1), 4), fiscal_year_of(dt.date(2027, 4, 1), 4)
('FY2026/27', 'FY2027/28')
>>> fiscal_year_of(dt.date(2027, 3, 1), 1)
'FY2027'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["BudgetRow", "BudgetTable", "budget_table", "fiscal_year_of", "month_starts"]


def month_starts(start: dt.date, horizon: int) -> tuple[dt.date, ...]:
    """The first day of each analysis month (``start`` moved by whole calendar months).

    Examples
    --------
    >>> [d.isoformat() for d in month_starts(dt.date(2027, 1, 31), 3)]
    ['2027-01-31', '2027-02-28', '2027-03-31']
    """
    from rhmodel.core.money.timing import add_months

    return tuple(add_months(start, m) for m in range(horizon))


def fiscal_year_of(day: dt.date, first_month: int) -> str:
    """The name of the fiscal year (starting in ``first_month``) that ``day`` falls in."""
    if first_month == 1:
        return f"FY{day.year}"
    begins = day.year if day.month >= first_month else day.year - 1
    return f"FY{begins}/{(begins + 1) % 100:02d}"


@dataclass(frozen=True)
class BudgetRow:
    """One fiscal year of the budget view.

    Attributes
    ----------
    fiscal_year : str
        ``FY2027`` or ``FY2027/28``.
    first_month, last_month : int
        The analysis months (1-based) it covers; a partial year at either end covers fewer.
    status_quo, plan : dict[str, float]
        Spend per component (each contract, ``remote_help``, ``transition``).
    """

    fiscal_year: str
    first_month: int
    last_month: int
    status_quo: dict[str, float]
    plan: dict[str, float]

    @property
    def months(self) -> int:
        """Analysis months in this fiscal year (12 except at the ends)."""
        return self.last_month - self.first_month + 1

    @property
    def status_quo_total(self) -> float:
        """Everything spent in the year if every contract is renewed as it is."""
        return float(sum(self.status_quo.values()))

    @property
    def plan_total(self) -> float:
        """Everything spent in the year under the plan."""
        return float(sum(self.plan.values()))

    @property
    def saving(self) -> float:
        """``status_quo_total − plan_total``."""
        return self.status_quo_total - self.plan_total


@dataclass(frozen=True)
class BudgetTable:
    """Spend per fiscal year, status quo versus the plan.

    Attributes
    ----------
    plan : str
        The plan compared with renewing everything as it is.
    first_month_of_year : int
        ``calendar.fiscal_year_start``.
    components : tuple of str
        The columns, in order.
    rows : tuple of BudgetRow
        One per fiscal year the horizon touches.
    currency : str
        The money's currency code.
    """

    plan: str
    first_month_of_year: int
    components: tuple[str, ...]
    rows: tuple[BudgetRow, ...]
    currency: str = "USD"

    def total(self, which: str) -> float:
        """The horizon total of ``status_quo`` or ``plan`` (equal to the rows' sum)."""
        return float(sum(getattr(r, f"{which}_total") for r in self.rows))

    def to_json(self) -> dict[str, object]:
        """The table as JSON values (``calendar.fiscal_year_start`` and one row per year)."""
        return {
            "plan": self.plan,
            "fiscal_year_start": self.first_month_of_year,
            "currency": self.currency,
            "rows": [
                {
                    "fiscal_year": r.fiscal_year,
                    "first_month": r.first_month,
                    "last_month": r.last_month,
                    "status_quo": r.status_quo,
                    "plan": r.plan,
                    "status_quo_total": r.status_quo_total,
                    "plan_total": r.plan_total,
                    "saving": r.saving,
                }
                for r in self.rows
            ],
        }


def budget_table(
    status_quo: Mapping[str, np.ndarray],
    plan: Mapping[str, np.ndarray],
    start: dt.date,
    first_month: int,
    *,
    plan_name: str,
    components: Sequence[str] | None = None,
    currency: str = "USD",
) -> BudgetTable:
    """Group two scenarios' monthly costs by fiscal year.

    Parameters
    ----------
    status_quo, plan : mapping of str to numpy.ndarray
        Monthly cost per component (shape ``(horizon,)`` or ``(1, horizon)``), as
        :func:`rhmodel.core.money.cashflows.monthly_costs` gives them.
    start : datetime.date
        The analysis start (month 1 starts on it).
    first_month : int
        The month (1–12) the fiscal year starts in.
    plan_name : str
        The plan's name.

    Examples
    --------
    Eighteen months of 100 a month from 1 January, a fiscal year from April: 3 + 12 + 3.

    >>> sq = {"logmein": np.full(18, 100.0)}
    >>> plan = {"logmein": np.r_[np.full(6, 100.0), np.full(12, 10.0)]}
    >>> t = budget_table(sq, plan, dt.date(2027, 1, 1), 4, plan_name="right_size")
    >>> for r in t.rows:
    ...     print(r.fiscal_year, r.months, r.status_quo_total, r.plan_total)
    FY2026/27 3 300.0 300.0
    FY2027/28 12 1200.0 390.0
    FY2028/29 3 300.0 30.0
    >>> t.total("plan") == float(plan["logmein"].sum())
    True
    """
    names = tuple(components or status_quo.keys())
    sq = {k: np.asarray(status_quo[k], dtype=float).reshape(-1) for k in names}
    pl = {k: np.asarray(plan[k], dtype=float).reshape(-1) for k in names}
    horizon = len(next(iter(sq.values()))) if sq else 0
    years = [fiscal_year_of(d, first_month) for d in month_starts(start, horizon)]
    rows = []
    i = 0
    while i < horizon:
        j = i
        while j + 1 < horizon and years[j + 1] == years[i]:
            j += 1
        rows.append(
            BudgetRow(
                fiscal_year=years[i],
                first_month=i + 1,
                last_month=j + 1,
                status_quo={k: float(sq[k][i : j + 1].sum()) for k in names},
                plan={k: float(pl[k][i : j + 1].sum()) for k in names},
            )
        )
        i = j + 1
    return BudgetTable(plan_name, first_month, names, tuple(rows), currency)
