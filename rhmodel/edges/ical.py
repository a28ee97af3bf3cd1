"""The plan's dates as an iCalendar file (RFC 5545), written with the ``icalendar`` package.

One whole-day VEVENT per dated action (:func:`rhmodel.core.events.dated_actions`): the pilot's
end, each notice deadline, each renewal, each readiness item by its due date. Every notice
deadline carries VALARMs 120, 90 and 30 days before it. ``rhmodel calendar`` writes the file
on its own; the pack ships it as ``renewal-plan.ics`` beside the PDF.

Examples
--------
>>> from rhmodel.edges.paramfile import load_parameters
>>> from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE, load_capabilities
>>> from rhmodel.core.money.evaluation import evaluate
>>> e = evaluate(load_parameters(SAMPLE_PARAMS_FILE), load_capabilities())
>>> data = calendar_bytes(e, dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
>>> data.startswith(b"BEGIN:VCALENDAR\\r\\n"), b"TRIGGER:-P120D" in data
(True, True)
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import icalendar

from rhmodel._version import __version__
from rhmodel.core.events import DatedAction, dated_actions
from rhmodel.edges.atomic import atomic_write_bytes
from rhmodel.edges.bundled import checklist_for

__all__ = ["calendar_bytes", "write_calendar"]


def _event(x: DatedAction, stamp: dt.datetime) -> icalendar.Event:
    ev = icalendar.Event()
    ev.add("uid", x.uid)
    ev.add("dtstamp", stamp)
    ev.add("dtstart", x.day)
    ev.add("dtend", x.day + dt.timedelta(days=1))  # a whole day: DTEND is exclusive
    ev.add("summary", x.summary)
    ev.add("description", x.description)
    ev.add("categories", [x.kind.replace("_", " ")])
    ev.add("transp", "TRANSPARENT")  # a deadline, not a meeting: it does not block the day
    for days in x.alarm_days:
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"In {days} days: {x.summary}")
        alarm.add("trigger", dt.timedelta(days=-days))
        ev.add_component(alarm)
    return ev


def calendar_bytes(e: Any, stamp: dt.datetime | None = None) -> bytes:
    """The plan of evaluation ``e`` as an iCalendar file (CRLF lines, folded at 75 octets).

    Parameters
    ----------
    e : Evaluation
        The evaluation (:func:`rhmodel.core.money.evaluation.evaluate`).
    stamp : datetime.datetime, optional
        DTSTAMP of every event (UTC; default now).
    """
    stamp = stamp or dt.datetime.now(dt.UTC).replace(microsecond=0)
    cal = icalendar.Calendar()
    cal.add("prodid", f"-//rhmodel {__version__}//Remote Help renewal plan//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    org = e.params["organisation"] or "Remote Help renewal plan"
    cal.add("x-wr-calname", f"{org}: renewal plan")
    if e.plan is None:
        return bytes(cal.to_ical())
    terms = {t.contract: t.term_months for t in e.timing}
    for x in dated_actions(e.plan, checklist_for(e).rows, terms):
        cal.add_component(_event(x, stamp))
    return bytes(cal.to_ical())


def write_calendar(e: Any, path: str | Path, stamp: dt.datetime | None = None) -> None:
    """Write :func:`calendar_bytes` to ``path`` atomically (a reader sees the old file or the
    new one, never part of one)."""
    atomic_write_bytes(Path(path), calendar_bytes(e, stamp))
