"""Time left on a clock (hotline/workcal/timeleft.py) on China's real 2026 calendar.

2026 dates used: Mid-Autumn holidays Fri 09-25 .. Sun 09-27; National Day holidays
Thu 10-01 .. Wed 10-07 with make-up working days Sun 09-20 and Sat 10-10. Office hours
08:30-12:00 and 14:00-17:30.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import chinese_calendar
import pytest

from hotline.core.errors import CalendarMissing
from hotline.workcal.calc import HOURS, MINUTES, SHANGHAI, WORKING_DAYS, WORKING_HOURS, WorkCalendar
from hotline.workcal.timeleft import TimeLeft, time_left


def _calendar() -> WorkCalendar:
    days = {}
    day = date(2026, 1, 1)
    while day.year == 2026:
        days[day] = chinese_calendar.is_workday(day)
        day += timedelta(days=1)
    return WorkCalendar.from_days(days, years=[2026])


CAL = _calendar()


def at(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    "now,due,unit,expected",
    [
        # Exactly at the deadline: due now, late by nothing.
        (at(11, 3, 10), at(11, 3, 10), WORKING_DAYS, TimeLeft(True, 0, "minutes", False)),
        (at(11, 3, 10), at(11, 3, 10), WORKING_HOURS, TimeLeft(True, 0, "minutes", False)),
        # Three working days left, Tuesday 10:00 to Friday 10:00.
        (at(11, 3, 10), at(11, 6, 10), WORKING_DAYS, TimeLeft(False, 3, "days", True)),
        # Over a weekend: Friday 10:00 to Monday 10:00 is one working day.
        (at(11, 6, 10), at(11, 9, 10), WORKING_DAYS, TimeLeft(False, 1, "days", True)),
        # Saturday: the weekend counts nothing; Monday 10:00 is 10 hours of Monday away.
        (at(11, 7, 15), at(11, 9, 10), WORKING_DAYS, TimeLeft(False, 10, "hours", False)),
        # Over the National Day holidays: Tue 09-29 10:00 to Fri 10-09 10:00 is 3 working days
        # (14 h of 09-29, 09-30, 10-08, 10 h of 10-09), not 10 calendar days.
        (at(9, 29, 10), at(10, 9, 10), WORKING_DAYS, TimeLeft(False, 3, "days", True)),
        # Office hours over a weekend: Friday 17:00 to Monday 09:30 is 1.5 office hours.
        (at(11, 6, 17), at(11, 9, 9, 30), WORKING_HOURS, TimeLeft(False, 1, "hours", True)),
        # Under an office hour: minutes.
        (
            at(11, 3, 11, 40),
            at(11, 3, 14, 10),
            WORKING_HOURS,
            TimeLeft(False, 30, "minutes", False),
        ),
        # Plain hours and minutes count the clock on the wall, weekend or not.
        (at(11, 7, 10), at(11, 8, 10), HOURS, TimeLeft(False, 24, "hours", False)),
        (at(11, 7, 10), at(11, 7, 10, 20), MINUTES, TimeLeft(False, 20, "minutes", False)),
        # Late by 3 working days: Monday 10:00 deadline, Thursday 10:00 now.
        (at(11, 9, 10), at(11, 12, 10), WORKING_DAYS, None),
        # Late over a holiday: due Wed 09-30 10:00, now Fri 10-09 10:00 is 2 working days late
        # (09-30 rest of day, 10-08, 10-09 up to 10:00).
        (at(10, 9, 10), at(9, 30, 10), WORKING_DAYS, TimeLeft(True, 2, "days", True)),
        # An hour-based clock 3 working days late says days too.
        (at(11, 12, 10), at(11, 9, 10), WORKING_HOURS, TimeLeft(True, 3, "days", True)),
        # Late by less than a working day: hours (office hours for an office-hour clock).
        (at(11, 3, 16), at(11, 3, 10), WORKING_HOURS, TimeLeft(True, 4, "hours", True)),
        (at(11, 3, 16), at(11, 3, 10), WORKING_DAYS, TimeLeft(True, 6, "hours", False)),
        # One second left is one minute left, not nothing.
        (
            at(11, 3, 10),
            at(11, 3, 10) + timedelta(seconds=1),
            MINUTES,
            TimeLeft(False, 1, "minutes", False),
        ),
    ],
)
def test_time_left(now, due, unit, expected):
    if expected is None:  # the "late by 3 days" case, written the other way round
        now, due = due, now
        expected = TimeLeft(True, 3, "days", True)
    assert time_left(CAL, now, due, unit) == expected


def test_due_now_only_at_the_deadline():
    assert time_left(CAL, at(11, 3, 10), at(11, 3, 10), WORKING_DAYS).due_now
    assert not time_left(CAL, at(11, 3, 11), at(11, 3, 10), WORKING_DAYS).due_now
    assert not time_left(CAL, at(11, 3, 9), at(11, 3, 10), WORKING_DAYS).due_now


def test_a_year_without_calendar_is_an_error_not_a_guess():
    with pytest.raises(CalendarMissing):
        time_left(CAL, at(12, 30, 10), datetime(2027, 1, 5, 10, tzinfo=SHANGHAI), WORKING_DAYS)


def test_unknown_unit():
    with pytest.raises(ValueError):
        time_left(CAL, at(11, 3, 10), at(11, 4, 10), "fortnights")
