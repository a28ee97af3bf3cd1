"""Renewal dates, decision deadlines, whether the pilot fits, and the cost of delay.

Notice deadlines are counted as contracts count them: the term ends the day before the renewal,
notice is due ``notice_days`` before the term ends, and a deadline that falls on a weekend or on
a date in ``calendar.holidays`` moves to the previous business day.

Examples
--------
>>> add_months(dt.date(2026, 1, 31), 1)
datetime.date(2026, 2, 28)
>>> d = notice_deadline(dt.date(2027, 7, 1), 90)  # term ends 30 June; 90 days before: 1 April
>>> d.term_end, d.notice_by, d.moved_from
(datetime.date(2027, 6, 30), datetime.date(2027, 4, 1), None)
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, replace

from rhmodel.core.money.scenarios import Analysis, metrics
from rhmodel.core.params import Parameters
from rhmodel.core.products import CONTRACTS
from rhmodel.core.text import long_date

__all__ = [
    "Commitment",
    "ContractTiming",
    "MidTermCut",
    "NoticeDeadline",
    "add_months",
    "commitment",
    "contract_notice",
    "contract_timing",
    "mid_term_cut",
    "notice_deadline",
    "pilot_end",
    "pilot_window",
    "pilot_window_phrase",
    "weekday_date",
]

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole calendar months, clamped to the month's last day."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class NoticeDeadline:
    """The last day to give notice for one renewal.

    Attributes
    ----------
    renewal_date : datetime.date
        First day of the next term.
    term_end : datetime.date
        Last day of the current term: the day before the renewal.
    notice_by : datetime.date
        ``term_end − notice_days``, moved back to a business day.
    moved_from : datetime.date or None
        The counted day when it fell on a weekend or a listed holiday (``None``: not moved).
    moved_because : str
        Why it moved (``a Sunday``, ``a listed holiday``); empty when it did not.
    """

    renewal_date: dt.date
    term_end: dt.date
    notice_by: dt.date
    moved_from: dt.date | None = None
    moved_because: str = ""

    @property
    def phrase(self) -> str:
        """The deadline as a sentence names it, with its weekday and why it moved.

        Examples
        --------
        >>> print(notice_deadline(dt.date(2027, 8, 1), 90).phrase)  # 31 July − 90 d = Sun 2 May
        Friday 30 April 2027 — 2 May is a Sunday
        >>> print(notice_deadline(dt.date(2027, 7, 1), 90).phrase)
        Thursday 1 April 2027
        """
        text = f"{_WEEKDAYS[self.notice_by.weekday()]} {long_date(self.notice_by)}"
        if self.moved_from is None:
            return text
        counted = long_date(self.moved_from)
        if self.moved_from.year == self.notice_by.year:
            counted = counted.rsplit(" ", 1)[0]
        return f"{text} — {counted} is {self.moved_because}"


def notice_deadline(
    renewal: dt.date, notice_days: int, holidays: tuple[dt.date, ...] = ()
) -> NoticeDeadline:
    """The notice deadline of the renewal on ``renewal``, as a contract counts it.

    Parameters
    ----------
    renewal : datetime.date
        First day of the next term.
    notice_days : int
        Days' notice the contract needs before the end of the term.
    holidays : tuple of datetime.date
        Days that are not business days besides Saturdays and Sundays.

    Examples
    --------
    >>> # 1 June renewal, 30 days: term ends 31 May, 30 days before is Saturday 1 May
    >>> notice_deadline(dt.date(2027, 6, 1), 30).notice_by
    datetime.date(2027, 4, 30)
    >>> # a listed holiday on Friday 30 April moves it once more, to Thursday 29 April
    >>> d = notice_deadline(dt.date(2027, 6, 1), 30, (dt.date(2027, 4, 30),))
    >>> d.notice_by, d.moved_from, d.moved_because
    (datetime.date(2027, 4, 29), datetime.date(2027, 5, 1), 'a Saturday')
    """
    term_end = renewal - dt.timedelta(days=1)
    counted = term_end - dt.timedelta(days=notice_days)
    closed = set(holidays)
    day = counted
    while day.weekday() >= 5 or day in closed:
        day -= dt.timedelta(days=1)
    if day == counted:
        return NoticeDeadline(renewal, term_end, day)
    why = f"a {_WEEKDAYS[counted.weekday()]}" if counted.weekday() >= 5 else "a listed holiday"
    return NoticeDeadline(renewal, term_end, day, counted, why)


def contract_notice(params: Parameters, contract: str, renewal: dt.date) -> NoticeDeadline:
    """:func:`notice_deadline` of ``contract``'s renewal on ``renewal``, with the file's
    ``notice_days`` and ``calendar.holidays``."""
    holidays = tuple(params["calendar.holidays"] or ())
    return notice_deadline(renewal, int(params[f"{contract}.notice_days"]), holidays)


def pilot_end(params: Parameters) -> dt.date | None:
    """The day the pilot ends; ``None`` when it has finished (``pilot.end_date`` set and its
    exports given in ``pilot.files``), so it delays nothing.

    Otherwise ``pilot.end_date`` when given, else ``pilot.start_date`` + ``pilot.days`` for a
    pilot already under way, else ``start_date`` + ``pilot.days``.
    """
    ended = params["pilot.end_date"]
    if ended is not None:
        # one truth for every output: a pilot that ends after the analysis starts is still
        # running (its exports so far are partial), so it delays what its deadline needs
        return ended if ended > params["start_date"] else None
    began = params["pilot.start_date"] or params["start_date"]
    return began + dt.timedelta(days=params["pilot.days"])


def pilot_window(params: Parameters) -> tuple[dt.date, dt.date]:
    """The pilot's first and last day as every output prints them: ``pilot.start_date`` (or
    the analysis start) to ``pilot.end_date`` (or ``pilot.days`` later).

    Examples
    --------
    >>> from rhmodel.edges.paramfile import parse_parameters
    >>> from rhmodel.core.document import parse_yaml
    >>> p = parse_parameters(parse_yaml(
    ...     "start_date: 2027-01-01\\npilot: {start_date: 2027-01-04, days: 60}", "p.yaml"))
    >>> [d.isoformat() for d in pilot_window(p)]
    ['2027-01-04', '2027-03-05']
    >>> print(pilot_window_phrase(p))
    pilot from Monday 4 January 2027 to Friday 5 March 2027 (60 days)
    """
    began = params["pilot.start_date"] or params["start_date"]
    ended = params["pilot.end_date"] or began + dt.timedelta(days=params["pilot.days"])
    return began, ended


def weekday_date(day: dt.date) -> str:
    """``Monday 4 January 2027``."""
    return f"{_WEEKDAYS[day.weekday()]} {long_date(day)}"


def pilot_window_phrase(params: Parameters) -> str:
    """The pilot window in words, from :func:`pilot_window`."""
    began, ended = pilot_window(params)
    days = (ended - began).days
    return f"pilot from {weekday_date(began)} to {weekday_date(ended)} ({days} days)"


@dataclass(frozen=True)
class Commitment:
    """What renewing a contract on a date commits the organisation to.

    Attributes
    ----------
    renewal_date : datetime.date
        First day of the term.
    months : int
        The term's length.
    last_day : datetime.date
        The term's last day (the day before the following renewal).
    """

    renewal_date: dt.date
    months: int
    last_day: dt.date

    @property
    def phrase(self) -> str:
        """``renewing on 1 July 2027 commits you to 36 months, to 30 June 2030``.

        Examples
        --------
        >>> print(commitment(dt.date(2027, 7, 1), 36).phrase)
        renewing on 1 July 2027 commits you to 36 months, to 30 June 2030
        >>> print(commitment(dt.date(2027, 7, 1), 1).phrase)
        renewing on 1 July 2027 commits you to 1 month, to 31 July 2027
        """
        unit = "month" if self.months == 1 else "months"
        return (
            f"renewing on {long_date(self.renewal_date)} commits you to {self.months} {unit}, "
            f"to {long_date(self.last_day)}"
        )


def commitment(renewal: dt.date, term_months: int) -> Commitment:
    """The term a renewal on ``renewal`` starts: ``term_months`` to the day before the next."""
    last = add_months(renewal, term_months) - dt.timedelta(days=1)
    return Commitment(renewal, term_months, last)


@dataclass(frozen=True)
class MidTermCut:
    """The earliest a contract that may be cut mid-term can be cut.

    Attributes
    ----------
    contract : str
        The contract.
    notice_given : datetime.date
        The first day notice can be given: the pilot's end, or the analysis start.
    effective : datetime.date
        ``notice_given + notice_days``: the first day the cut may take effect.
    month : int
        The analysis month (1-based) that starts on or after ``effective``: the change month.
    fee : float
        The contract's ``termination_fee`` (its base value).
    """

    contract: str
    notice_given: dt.date
    effective: dt.date
    month: int
    fee: float


def mid_term_cut(params: Parameters, contract: str) -> MidTermCut | None:
    """When ``contract`` (``cancellable_mid_term: true``) can be cut before its term ends.

    ``None`` when the contract may not be cut mid-term, or when the earliest cut is not
    before its first renewal (a renewal needs no cut).

    Examples
    --------
    >>> from rhmodel.edges.paramfile import parse_parameters
    >>> from rhmodel.core.document import parse_yaml
    >>> p = parse_parameters(parse_yaml(
    ...     "start_date: 2027-01-01\\n"
    ...     "logmein: {agents: 10, price_per_agent_month: 40, months_to_renewal: 20,"
    ...     " notice_days: 30, cancellable_mid_term: true, termination_fee: 4000}\\n"
    ...     "residual: {logmein_agents: 2}\\npilot: {days: 45}", "p.yaml"))
    >>> cut = mid_term_cut(p, "logmein")  # pilot ends 15 Feb; + 30 days: 17 March
    >>> cut.effective, cut.month, cut.fee
    (datetime.date(2027, 3, 17), 4, 4000.0)
    """
    if not params[f"{contract}.cancellable_mid_term"]:
        return None
    start: dt.date = params["start_date"]
    end = pilot_end(params)
    given = max(start, end) if end is not None else start
    effective = given + dt.timedelta(days=int(params[f"{contract}.notice_days"]))
    month = 1
    while add_months(start, month - 1) < effective:
        month += 1
    if month > int(params[f"{contract}.months_to_renewal"]):
        return None
    fee = float(params[f"{contract}.termination_fee"] or 0)
    return MidTermCut(contract, given, effective, month, fee)


@dataclass(frozen=True)
class ContractTiming:
    """The calendar of one incumbent contract.

    Attributes
    ----------
    contract : str
        ``logmein`` or ``beyondtrust``.
    renewal_date : datetime.date
        First day of the next term (start date + months_to_renewal).
    decision_deadline : datetime.date
        The last day to give notice: the term's end (renewal − 1 day) minus the notice period,
        moved back to a business day (the same as ``notice_by``).
    pilot_end : datetime.date
        Start date + ``pilot.days``.
    pilot_fits : bool
        Whether a pilot started on the start date ends on or before the deadline.
    slack_days : int
        Days from the pilot's end to the deadline (negative: too late).
    latest_pilot_start : datetime.date
        The last day a pilot of ``pilot.days`` can start and still meet the deadline.
    deadline_passed : bool
        The deadline falls before the analysis start.
    scenario : str
        The scenario whose cost of delay is reported.
    cost_of_delay : float
        NPV lost (US$) if this contract's change slips to the following renewal.
    term_end : datetime.date
        Last day of the current term (renewal − 1 day).
    notice_by : datetime.date
        The notice deadline (``decision_deadline``).
    notice_moved_from : datetime.date or None
        The counted deadline when it fell on a weekend or listed holiday (``None``: not moved).
    term_months : int
        Length of the term the renewal starts.
    commits_until : datetime.date
        The last day of that term: renewing commits the organisation to it.
    commitment : str
        The same in words ("renewing on 1 July 2027 commits you to 36 months, to 30 June 2030").
    cut_month : int or None
        For a contract that may be cut mid-term: the first analysis month a cut can take
        effect (after the pilot and the notice period); ``None`` otherwise.
    termination_fee : float
        The fee a mid-term cut pays.
    """

    contract: str
    renewal_date: dt.date
    decision_deadline: dt.date
    pilot_end: dt.date
    pilot_fits: bool
    slack_days: int
    latest_pilot_start: dt.date
    deadline_passed: bool
    scenario: str
    cost_of_delay: float
    term_end: dt.date
    notice_by: dt.date
    notice_moved_from: dt.date | None
    term_months: int = 12
    commits_until: dt.date | None = None
    commitment: str = ""
    cut_month: int | None = None
    termination_fee: float = 0.0


def contract_timing(params: Parameters, analysis: Analysis) -> tuple[ContractTiming, ...]:
    """Timing risk for each contract the organisation holds.

    The cost of delay is measured on the recommended scenario, or on ``right_size`` when the
    recommendation is to change nothing.
    """
    start: dt.date = params["start_date"]
    end = pilot_end(params)
    ended = end if end is not None else params["pilot.end_date"]
    scenario = analysis.recommended if analysis.recommended != "status_quo" else "right_size"
    # the plan as it is carried out: its pools sized from the work routed to them
    terms, evaluate_as = analysis.evaluated(scenario)
    npv_now = float(metrics(terms, [evaluate_as])[evaluate_as].npv[0])
    out = []
    for c in CONTRACTS:
        if not params[c.count_key] and params.value(c.count_key).uncertain is None:
            continue
        renewal = add_months(start, params[f"{c.name}.months_to_renewal"])
        notice = contract_notice(params, c.name, renewal)
        deadline = notice.notice_by
        commits = commitment(renewal, int(params[f"{c.name}.term_months"]))
        cut = mid_term_cut(params, c.name)
        delayed = replace(terms, delay_terms={c.name: 1})
        npv_late = float(metrics(delayed, [evaluate_as])[evaluate_as].npv[0])
        out.append(
            ContractTiming(
                contract=c.name,
                renewal_date=renewal,
                decision_deadline=deadline,
                pilot_end=ended,
                pilot_fits=ended <= deadline,
                slack_days=(deadline - ended).days,
                latest_pilot_start=deadline - dt.timedelta(days=params["pilot.days"]),
                deadline_passed=deadline < start,
                scenario=scenario,
                cost_of_delay=npv_now - npv_late,
                term_end=notice.term_end,
                notice_by=deadline,
                notice_moved_from=notice.moved_from,
                term_months=int(params[f"{c.name}.term_months"]),
                commits_until=commits.last_day,
                commitment=commits.phrase,
                cut_month=None if cut is None else cut.month,
                termination_fee=float(params[f"{c.name}.termination_fee"] or 0),
            )
        )
    return tuple(out)
