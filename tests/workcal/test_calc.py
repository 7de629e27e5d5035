"""Deadline arithmetic (hotline/workcal/calc.py) on China's real calendar.

The calendar is built from the ``chinese_calendar`` library for 2024-2026. The 2026 dates used:

* Spring Festival: holidays Sun 02-15 .. Mon 02-23; make-up working Saturdays 02-14 and 02-28.
* Mid-Autumn: holidays Fri 09-25 .. Sun 09-27.
* National Day: holidays Thu 10-01 .. Wed 10-07; make-up working days Sun 09-20 and Sat 10-10.

Working-day time counts whole working days (00:00-24:00); working-hour time counts the office
hours 08:30-12:00 and 14:00-17:30 of working days (7 hours a day).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.core.errors import CalendarMissing
from hotline.workcal.calc import (
    HOURS,
    MINUTES,
    SHANGHAI,
    WORKING_DAYS,
    WORKING_HOURS,
    Deadline,
    Limit,
    WorkCalendar,
    add_limit,
    add_working_days,
    add_working_hours,
    deadline_for,
    extend,
    warning_level,
    working_days_between,
    working_hours_between,
)


def _build_calendar() -> WorkCalendar:
    days = {}
    day = date(2024, 1, 1)
    while day.year <= 2026:
        days[day] = chinese_calendar.is_workday(day)
        day += timedelta(days=1)
    return WorkCalendar.from_days(days, years=[2024, 2025, 2026])


CAL = _build_calendar()
OFFICE = ((time(8, 30), time(12, 0)), (time(14, 0), time(17, 30)))


def at(text: str) -> datetime:
    """``"2026-02-13 10:00"`` in Asia/Shanghai."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


# --- the calendar itself ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2026-02-13", True),  # Friday before the Spring Festival
        ("2026-02-14", True),  # Saturday, make-up working day
        ("2026-02-15", False),  # first holiday (Sunday)
        ("2026-02-18", False),
        ("2026-02-23", False),  # last holiday (Monday)
        ("2026-02-24", True),
        ("2026-02-28", True),  # Saturday, make-up working day
        ("2026-03-01", False),  # ordinary Sunday
        ("2026-09-19", False),  # ordinary Saturday
        ("2026-09-20", True),  # Sunday, make-up working day
        ("2026-09-25", False),  # Mid-Autumn
        ("2026-10-01", False),
        ("2026-10-07", False),
        ("2026-10-08", True),
        ("2026-10-10", True),  # Saturday, make-up working day
        ("2026-10-11", False),
    ],
)
def test_calendar_days(day, working):
    assert CAL.is_working(date.fromisoformat(day)) is working


def test_default_office_hours():
    assert CAL.hours == OFFICE
    custom = WorkCalendar.from_days(CAL.days, years=CAL.years, hours=[("09:00", "17:00")])
    assert custom.hours == ((time(9), time(17)),)


def test_next_working_day_skips_holidays_and_weekends():
    assert CAL.next_working_day(date(2026, 2, 14)) == date(2026, 2, 24)
    assert CAL.next_working_day(date(2026, 9, 18)) == date(2026, 9, 20)
    assert CAL.next_working_day(date(2026, 9, 30)) == date(2026, 10, 8)
    assert CAL.next_working_day(date(2026, 10, 9)) == date(2026, 10, 10)
    assert CAL.next_working_day(date(2026, 10, 10)) == date(2026, 10, 12)


# --- add_working_days ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # Spring Festival 2026
        ("2026-02-13 10:00", 1, "2026-02-14 10:00"),  # Friday + 1 = make-up Saturday
        ("2026-02-14 10:00", 1, "2026-02-24 10:00"),  # over the nine holidays
        ("2026-02-13 10:00", 2, "2026-02-24 10:00"),
        ("2026-02-13 10:00", 5, "2026-02-27 10:00"),
        ("2026-02-12 09:00", 5, "2026-02-26 09:00"),
        ("2026-02-27 16:00", 1, "2026-02-28 16:00"),  # Friday + 1 = make-up Saturday
        ("2026-02-27 16:00", 2, "2026-03-02 16:00"),
        ("2026-02-09 09:00", 15, "2026-03-06 09:00"),  # complex ticket, 15 working days
        # registered during the holiday: counting starts at 00:00 of the next working day
        ("2026-02-18 15:00", 1, "2026-02-25 00:00"),
        ("2026-02-18 15:00", 0.5, "2026-02-24 12:00"),
        ("2026-02-18 15:00", 0, "2026-02-24 00:00"),
        # a working day ends at 24:00: Friday 00:00 + 1 is the moment Friday ends
        ("2026-02-13 00:00", 1, "2026-02-14 00:00"),
        ("2026-02-14 00:00", 1, "2026-02-15 00:00"),
        # National Day 2026 (and Mid-Autumn just before it)
        ("2026-09-18 11:00", 1, "2026-09-20 11:00"),  # Friday + 1 = make-up Sunday
        ("2026-09-24 11:00", 1, "2026-09-28 11:00"),  # over Mid-Autumn
        ("2026-09-30 10:00", 1, "2026-10-08 10:00"),  # over the Golden Week
        ("2026-09-30 10:00", 3, "2026-10-10 10:00"),  # make-up Saturday counts
        ("2026-09-30 10:00", 4, "2026-10-12 10:00"),
        ("2026-09-29 14:00", 5, "2026-10-12 14:00"),
        ("2026-10-03 09:00", 2, "2026-10-10 00:00"),  # starts 10-08 00:00
        ("2026-09-30 10:00", 0.25, "2026-09-30 16:00"),
    ],
)
def test_add_working_days(start, days, expected):
    assert add_working_days(CAL, at(start), days) == at(expected)


def test_add_working_days_returns_shanghai_time_for_any_input_zone():
    start = at("2026-09-30 10:00").astimezone(UTC)
    result = add_working_days(CAL, start, 1)
    assert result == at("2026-10-08 10:00")
    assert result.utcoffset() == timedelta(hours=8)


def test_add_working_days_rejects_bad_input():
    with pytest.raises(ValueError):
        add_working_days(CAL, at("2026-03-02 10:00"), -1)
    with pytest.raises(ValueError):
        add_working_days(CAL, datetime(2026, 3, 2, 10), 1)  # naive


def test_extend_moves_a_deadline_by_working_days():
    # a deadline at the end of the last day before the Golden Week, extended by 5 days
    # (10-08, 10-09, make-up Saturday 10-10, 10-12, 10-13: the deadline is the end of 10-13)
    assert extend(CAL, at("2026-10-01 00:00"), 5) == at("2026-10-14 00:00")
    assert extend(CAL, at("2026-02-13 17:00"), 3) == at("2026-02-25 17:00")


# --- working_days_between -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2026-02-13 10:00", "2026-02-24 10:00", 2.0),
        ("2026-02-14 00:00", "2026-02-24 00:00", 1.0),
        ("2026-02-15 00:00", "2026-02-24 00:00", 0.0),  # the holidays count nothing
        ("2026-02-16 08:00", "2026-02-20 18:00", 0.0),
        ("2026-02-13 00:00", "2026-03-02 00:00", 7.0),  # 13, 14, 24, 25, 26, 27, 28
        ("2026-09-30 10:00", "2026-10-08 10:00", 1.0),
        ("2026-09-30 00:00", "2026-10-11 00:00", 4.0),  # 30, 8, 9, 10
        ("2026-09-18 12:00", "2026-09-21 00:00", 1.5),  # half of Friday + make-up Sunday
        ("2026-10-08 10:00", "2026-09-30 10:00", -1.0),
        ("2026-10-08 10:00", "2026-10-08 10:00", 0.0),
    ],
)
def test_working_days_between(start, end, expected):
    assert working_days_between(CAL, at(start), at(end)) == pytest.approx(expected, abs=1e-9)


# --- add_working_hours --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        ("2026-02-13 16:30", 2, "2026-02-14 09:30"),  # Friday evening into the make-up Saturday
        ("2026-02-14 17:00", 2, "2026-02-24 10:00"),  # over the nine holidays
        ("2026-02-18 10:00", 0.5, "2026-02-24 09:00"),  # registered during the holiday
        ("2026-02-14 11:00", 2, "2026-02-14 15:00"),  # over the lunch break
        ("2026-02-24 12:30", 2, "2026-02-24 16:00"),  # registered at lunch
        ("2026-02-24 07:00", 0.5, "2026-02-24 09:00"),  # registered before office hours
        ("2026-02-13 08:30", 3.5, "2026-02-13 12:00"),  # ends exactly at an interval end
        ("2026-02-13 08:30", 7, "2026-02-13 17:30"),  # one full office day
        ("2026-02-27 17:00", 1, "2026-02-28 09:00"),  # into the make-up Saturday
        ("2026-02-28 17:00", 1, "2026-03-02 09:00"),
        ("2026-02-13 14:00", 0.5, "2026-02-13 14:30"),  # emergency: 30 minutes
        ("2026-09-18 17:00", 1, "2026-09-20 09:00"),  # into the make-up Sunday
        ("2026-09-20 07:00", 0.5, "2026-09-20 09:00"),
        ("2026-09-24 17:00", 2, "2026-09-28 10:00"),  # over Mid-Autumn
        ("2026-09-30 17:00", 2, "2026-10-08 10:00"),  # over the Golden Week
        ("2026-10-09 17:00", 8, "2026-10-12 09:00"),  # 0.5 h Fri, 7 h Sat 10-10, 0.5 h Mon
        ("2026-10-03 09:00", 0, "2026-10-08 08:30"),  # zero hours: next office moment
        ("2026-02-13 17:30", 0, "2026-02-14 08:30"),
        ("2026-02-13 12:00", 0, "2026-02-13 14:00"),
    ],
)
def test_add_working_hours(start, hours, expected):
    assert add_working_hours(CAL, at(start), hours) == at(expected)


def test_add_working_hours_rejects_negative():
    with pytest.raises(ValueError):
        add_working_hours(CAL, at("2026-03-02 10:00"), -0.5)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2026-02-13 16:30", "2026-02-14 09:30", 2.0),
        ("2026-02-13 17:30", "2026-02-24 08:30", 7.0),  # the make-up Saturday 02-14
        ("2026-02-14 17:30", "2026-02-24 08:30", 0.0),  # only holidays in between
        ("2026-02-13 00:00", "2026-02-25 00:00", 21.0),  # 13, 14, 24
        ("2026-02-24 11:00", "2026-02-24 15:00", 2.0),  # the lunch break counts nothing
        ("2026-02-24 12:10", "2026-02-24 13:50", 0.0),
        ("2026-09-30 00:00", "2026-10-09 00:00", 14.0),  # 30 and 8
        ("2026-09-19 00:00", "2026-09-21 00:00", 7.0),  # the make-up Sunday
        ("2026-10-10 10:00", "2026-10-12 10:00", 7.0),  # 5.5 h make-up Sat + 1.5 h Mon
        ("2026-02-14 09:30", "2026-02-13 16:30", -2.0),
    ],
)
def test_working_hours_between(start, end, expected):
    assert working_hours_between(CAL, at(start), at(end)) == pytest.approx(expected, abs=1e-9)


# --- clocks: deadline_for and warning_level -----------------------------------------------


def test_deadline_working_days_yellow_one_day_before_when_later():
    # 15 working days from Mon 02-09 09:00: 80 % = 12 days (03-03), 14 days = 03-05: later wins
    deadline = deadline_for(CAL, at("2026-02-09 09:00"), Limit(15, WORKING_DAYS))
    assert deadline == Deadline(yellow_at=at("2026-03-05 09:00"), due_at=at("2026-03-06 09:00"))


def test_deadline_working_days_yellow_at_eighty_percent_when_later():
    # 2 working days from Wed 09-30 10:00: due 10-09 10:00; one day before = 10-08 10:00;
    # 80 % = 1.6 days = 14 h on 09-30 + 24 h on 10-08 + 24 min on 10-09 -> 10-09 00:24
    deadline = deadline_for(CAL, at("2026-09-30 10:00"), Limit(2, WORKING_DAYS))
    assert deadline.due_at == at("2026-10-09 10:00")
    assert deadline.yellow_at == at("2026-10-09 00:24")


def test_deadline_five_working_days_over_spring_festival():
    # 80 % of 5 days and one day before coincide
    deadline = deadline_for(CAL, at("2026-02-12 09:00"), Limit(5, WORKING_DAYS))
    assert deadline == Deadline(yellow_at=at("2026-02-25 09:00"), due_at=at("2026-02-26 09:00"))


def test_deadline_one_working_day_accept_clock():
    # accept within 1 working day of Fri 02-13 10:00: due Sat 02-14 10:00 (make-up day);
    # yellow at 80 % = 19.2 h of working-day time = 14 h Friday + 5.2 h Saturday
    deadline = deadline_for(CAL, at("2026-02-13 10:00"), Limit(1, WORKING_DAYS))
    assert deadline == Deadline(yellow_at=at("2026-02-14 05:12"), due_at=at("2026-02-14 10:00"))


def test_deadline_working_hours_dispatch_clock():
    # dispatch within 2 working hours of Fri 02-13 16:30; yellow at 1.6 h = 96 min
    deadline = deadline_for(CAL, at("2026-02-13 16:30"), Limit(2, WORKING_HOURS))
    assert deadline == Deadline(yellow_at=at("2026-02-14 09:06"), due_at=at("2026-02-14 09:30"))


def test_deadline_in_calendar_time_ignores_holidays():
    deadline = deadline_for(CAL, at("2026-02-15 10:00"), Limit(30, MINUTES))
    assert deadline == Deadline(yellow_at=at("2026-02-15 10:24"), due_at=at("2026-02-15 10:30"))
    deadline = deadline_for(CAL, at("2026-10-01 10:00"), Limit(24, HOURS))
    assert deadline == Deadline(yellow_at=at("2026-10-02 05:12"), due_at=at("2026-10-02 10:00"))


def test_add_limit_fraction():
    assert add_limit(CAL, at("2026-02-13 10:00"), Limit(2, WORKING_DAYS), 0.5) == at(
        "2026-02-14 10:00"
    )


@pytest.mark.parametrize(("amount", "unit"), [(0, WORKING_DAYS), (-1, HOURS), (1, "weeks")])
def test_limit_rejects_bad_values(amount, unit):
    with pytest.raises(ValueError):
        Limit(amount, unit)


def test_warning_level():
    yellow, due = at("2026-03-05 09:00"), at("2026-03-06 09:00")
    assert warning_level(at("2026-03-05 08:59"), yellow, due) == "none"
    assert warning_level(yellow, yellow, due) == "yellow"
    assert warning_level(at("2026-03-06 08:59"), yellow, due) == "yellow"
    assert warning_level(due, yellow, due) == "red"
    assert warning_level(at("2026-04-01 00:00"), yellow, due) == "red"
    assert warning_level(at("2026-04-01 00:00"), yellow, None) == "none"  # pending calendar
    assert warning_level(at("2026-03-05 12:00"), None, due) == "none"
    # aware moments in another zone compare by instant
    assert warning_level(due.astimezone(UTC), yellow, due) == "red"


# --- a missing year is an error, never a guess --------------------------------------------


def test_deadline_crossing_into_2027_raises():
    # Mon 12-28 + 3 ends on Thu 12-31 (no 2027 needed); + 5 needs January 2027
    assert add_working_days(CAL, at("2026-12-28 10:00"), 3) == at("2026-12-31 10:00")
    with pytest.raises(CalendarMissing) as err:
        add_working_days(CAL, at("2026-12-28 10:00"), 5)
    assert err.value.year == 2027
    with pytest.raises(CalendarMissing):
        deadline_for(CAL, at("2026-12-25 10:00"), Limit(15, WORKING_DAYS))
    with pytest.raises(CalendarMissing):
        add_working_hours(CAL, at("2026-12-31 17:00"), 2)
    with pytest.raises(CalendarMissing):
        working_days_between(CAL, at("2026-12-31 10:00"), at("2027-01-05 10:00"))
    with pytest.raises(CalendarMissing):
        working_hours_between(CAL, at("2026-12-31 10:00"), at("2027-01-05 10:00"))


def test_start_in_missing_year_raises():
    only_2026 = WorkCalendar.from_days({d: w for d, w in CAL.days.items() if d.year == 2026})
    assert only_2026.years == frozenset({2026})
    with pytest.raises(CalendarMissing) as err:
        add_working_days(only_2026, at("2025-12-31 10:00"), 1)
    assert err.value.year == 2025
    assert err.value.status == 503


def test_incomplete_year_raises():
    holes = {d: w for d, w in CAL.days.items() if d != date(2026, 3, 3)}
    cal = WorkCalendar.from_days(holes, years=[2024, 2025, 2026])
    assert add_working_days(cal, at("2026-03-02 10:00"), 0.5) == at("2026-03-02 22:00")
    with pytest.raises(CalendarMissing):
        add_working_days(cal, at("2026-03-02 10:00"), 1)


# --- properties ---------------------------------------------------------------------------

PROPS = settings(max_examples=200, deadline=None)

# Starts anywhere from 2024 to mid-2026, so that the results stay inside the calendar.
starts = st.datetimes(
    min_value=datetime(2024, 1, 1),
    max_value=datetime(2026, 6, 30, 23, 59, 59),
    timezones=st.just(SHANGHAI),
)
# Whole-minute starts and amounts that are exact binary fractions, for exact comparisons.
minute_starts = starts.map(lambda d: d.replace(second=0, microsecond=0))
day_amounts = st.floats(min_value=0, max_value=60, allow_nan=False, allow_infinity=False)
hour_amounts = st.floats(min_value=0, max_value=200, allow_nan=False, allow_infinity=False)
exact_days = st.integers(min_value=0, max_value=240).map(lambda i: i / 8)  # steps of 3 h
exact_hours = st.integers(min_value=0, max_value=400).map(lambda i: i / 4)  # steps of 15 min
# Adding zero moves a moment at the end of working time to the start of the next (a 24:00 to
# the next working day's 00:00, 12:00 to 14:00), so the second step of the sums is positive.
positive_days = st.integers(min_value=1, max_value=240).map(lambda i: i / 8)
positive_hours = st.integers(min_value=1, max_value=400).map(lambda i: i / 4)


@PROPS
@given(start=starts, days=day_amounts)
def test_prop_add_then_measure_days(start, days):
    result = add_working_days(CAL, start, days)
    assert result >= start
    assert working_days_between(CAL, start, result) == pytest.approx(days, abs=1e-6)


@PROPS
@given(start=starts, a=day_amounts, b=day_amounts)
def test_prop_add_working_days_monotonic(start, a, b):
    low, high = sorted((a, b))
    assert add_working_days(CAL, start, low) <= add_working_days(CAL, start, high)


@PROPS
@given(start=starts, days=day_amounts)
def test_prop_add_working_days_never_inside_a_day_off(start, days):
    result = add_working_days(CAL, start, days)
    if not CAL.is_working(result.date()):
        # only the very end of a working day (24:00 = 00:00 of the day off)
        assert result.time() == time(0)
        assert CAL.is_working(result.date() - timedelta(days=1))


@PROPS
@given(start=minute_starts, a=exact_days, b=positive_days)
def test_prop_add_working_days_additive(start, a, b):
    assert add_working_days(CAL, add_working_days(CAL, start, a), b) == add_working_days(
        CAL, start, a + b
    )


@PROPS
@given(start=starts, hours=hour_amounts)
def test_prop_add_then_measure_hours(start, hours):
    result = add_working_hours(CAL, start, hours)
    assert result >= start
    assert working_hours_between(CAL, start, result) == pytest.approx(hours, abs=1e-6)


@PROPS
@given(start=starts, a=hour_amounts, b=hour_amounts)
def test_prop_add_working_hours_monotonic(start, a, b):
    low, high = sorted((a, b))
    assert add_working_hours(CAL, start, low) <= add_working_hours(CAL, start, high)


@PROPS
@given(start=starts, hours=hour_amounts)
def test_prop_add_working_hours_lands_in_office_hours(start, hours):
    result = add_working_hours(CAL, start, hours)
    assert CAL.is_working(result.date())
    assert any(begin <= result.time() <= end for begin, end in OFFICE)


@PROPS
@given(start=minute_starts, a=exact_hours, b=positive_hours)
def test_prop_add_working_hours_additive(start, a, b):
    assert add_working_hours(CAL, add_working_hours(CAL, start, a), b) == add_working_hours(
        CAL, start, a + b
    )


@PROPS
@given(start=starts, end=starts)
def test_prop_between_is_antisymmetric_and_bounded(start, end):
    days = working_days_between(CAL, start, end)
    hours = working_hours_between(CAL, start, end)
    assert working_days_between(CAL, end, start) == -days
    assert working_hours_between(CAL, end, start) == -hours
    span = (end - start).total_seconds()
    assert abs(days) * 86400 <= abs(span) + 1e-6
    # office time is a part of working-day time
    assert abs(hours) <= abs(days) * 24 + 1e-6


@PROPS
@given(start=starts, amount=st.integers(min_value=1, max_value=20))
def test_prop_yellow_before_due(start, amount):
    deadline = deadline_for(CAL, start, Limit(amount, WORKING_DAYS))
    assert start <= deadline.yellow_at <= deadline.due_at
    spent = working_days_between(CAL, start, deadline.yellow_at)
    assert spent == pytest.approx(max(0.8 * amount, amount - 1), abs=1e-6)
    assert warning_level(deadline.yellow_at, deadline.yellow_at, deadline.due_at) in (
        "yellow",
        "red",
    )
