"""The plan's dates as an iCalendar file (issue 22, item 6): read back with the ``icalendar``
package and with a reader of a few lines written here from RFC 5545 §3.1 (lines end in CRLF; a
line that begins with a space or a tab continues the one before), so the file is checked by
something that shares no code with what wrote it."""

from __future__ import annotations

import datetime as dt
import re

import icalendar
import pytest

from rhmodel.core.money.evaluation import evaluate
from rhmodel.edges.bundled import SAMPLE_PARAMS_FILE, checklist_for, load_capabilities
from rhmodel.edges.paramfile import load_parameters


def read_ics(data: bytes) -> list[dict]:
    """Every VEVENT as {DTSTART, SUMMARY, TRIGGER: [...]}, by RFC 5545 §3.1 and nothing else."""
    text = re.sub(r"\r\n[ \t]", "", data.decode("utf-8"))  # unfold
    events: list[dict] = []
    stack: list[str] = []
    for line in text.split("\r\n"):
        name, _, value = line.partition(":")
        name = name.split(";")[0]
        if name == "BEGIN":
            stack.append(value)
            if value == "VEVENT":
                events.append({"TRIGGER": []})
        elif name == "END":
            stack.pop()
        elif stack and stack[-1] == "VEVENT" and name in ("DTSTART", "SUMMARY", "DESCRIPTION"):
            events[-1][name] = value.replace("\\,", ",").replace("\\;", ";")
        elif stack[-2:] == ["VEVENT", "VALARM"] and name == "TRIGGER":
            events[-1]["TRIGGER"].append(value)
    assert not stack
    return events


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    e = evaluate(load_parameters(SAMPLE_PARAMS_FILE), load_capabilities())
    return e


def test_every_dated_action_is_an_event_with_its_alarms(sample, tmp_path, cli):
    out = tmp_path / "plan.ics"
    r = cli("calendar", SAMPLE_PARAMS_FILE, "--out", out)
    assert r.returncode == 0, r.stderr
    data = out.read_bytes()
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))  # folded at 75 octets
    events = read_ics(data)
    by = {(ev["DTSTART"], ev["SUMMARY"]): ev for ev in events}
    # hand-worked: LogMeIn renews 1 May 2027 with 60 days' notice: term ends 30 April, notice
    # by Monday 1 March 2027. BeyondTrust renews 1 August 2027 with 90 days: term ends 31 July,
    # 90 days before is Sunday 2 May, so Friday 30 April 2027. The 45-day pilot from 1 December
    # 2026 (the sample's pilot.days) ends 15 January 2027.
    lm = by[("20270301", "Notice to LogMeIn Resolve: reduce to 9 named agents")]
    bt = by[("20270430", "Notice to BeyondTrust: reduce to 5 concurrent seats")]
    for notice in (lm, bt):
        assert sorted(notice["TRIGGER"]) == sorted(["-P120D", "-P90D", "-P30D"])
        assert "NPV at stake: US$" in notice["DESCRIPTION"]
    assert "LogMeIn Resolve" in lm["DESCRIPTION"] and "1 May 2027 renewal" in lm["DESCRIPTION"]
    assert ("20270501", "LogMeIn Resolve renews: reduce to 9 named agents") in by
    assert ("20270801", "BeyondTrust renews: reduce to 5 concurrent seats") in by
    assert ("20270115", "Remote Help pilot ends") in by
    rows = checklist_for(sample).rows
    for row in rows:
        assert (row.due.strftime("%Y%m%d"), f"Readiness: {row.item}") in by, row.item
    # nothing but those: pilot end, two notices, two renewals, the readiness rows
    assert len(events) == 1 + 2 + 2 + len(rows)
    # only notice deadlines carry alarms
    assert sum(len(ev["TRIGGER"]) for ev in events) == 6

    # the same file through the icalendar package
    cal = icalendar.Calendar.from_ical(data)
    vevents = list(cal.walk("VEVENT"))
    assert len(vevents) == len(events)
    got = {(ev.decoded("DTSTART"), str(ev["SUMMARY"])) for ev in vevents}
    assert (dt.date(2027, 4, 30), "Notice to BeyondTrust: reduce to 5 concurrent seats") in got
    assert (dt.date(2027, 3, 1), "Notice to LogMeIn Resolve: reduce to 9 named agents") in got
    for ev in vevents:
        assert ev.decoded("DTEND") - ev.decoded("DTSTART") == dt.timedelta(days=1)
        alarms = [a.decoded("TRIGGER") for a in ev.walk("VALARM")]
        if str(ev["SUMMARY"]).startswith("Notice to"):
            assert sorted(alarms) == [dt.timedelta(days=-d) for d in (120, 90, 30)]
        else:
            assert alarms == []
    assert len({str(ev["UID"]) for ev in vevents}) == len(vevents)  # one identifier each


def test_holidays_and_set_move_the_calendar_too(tmp_path, cli):
    # Friday 30 April 2027 a listed holiday: BeyondTrust's notice moves to Thursday 29 April
    out = tmp_path / "plan.ics"
    r = cli("calendar", SAMPLE_PARAMS_FILE, "--out", out, "--set", "calendar.holidays=[2027-04-30]")
    assert r.returncode == 0, r.stderr
    starts = {ev["SUMMARY"]: ev["DTSTART"] for ev in read_ics(out.read_bytes())}
    assert starts["Notice to BeyondTrust: reduce to 5 concurrent seats"] == "20270429"


@pytest.mark.parametrize(
    ("out", "says"),
    [
        ("plan.txt", "must end in .ics"),
        # every --out creates its folder (issue 24); a folder that cannot be made is an error
        ("a-file/plan.ics", "cannot create the folder"),
    ],
)
def test_bad_output_is_one_error_line(tmp_path, cli, out, says):
    (tmp_path / "a-file").write_text("not a folder")
    r = cli("calendar", SAMPLE_PARAMS_FILE, "--out", tmp_path / out)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and says in lines[0], r.stderr


def test_a_bad_parameters_file_is_one_error_line(tmp_path, cli):
    bad = tmp_path / "p.yaml"
    bad.write_text("start_date: 2026-12-01\ncalendar: {holidays: [someday]}\n", encoding="utf-8")
    r = cli("calendar", bad, "--out", tmp_path / "plan.ics")
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "calendar.holidays[0]" in r.stderr
    assert not (tmp_path / "plan.ics").exists()
