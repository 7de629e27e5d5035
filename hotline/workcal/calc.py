"""Working-day and working-hour arithmetic. Pure functions, no ORM.

Definitions (see docs/decisions.md):

* A *working day* is a date the calendar marks as working: Monday to Friday unless a public
  holiday, plus the make-up working days (调休) that fall on weekends.
* *Working-day time* counts every second of a working day (00:00-24:00) and nothing of the
  other days. ``add_working_days(start, n)`` is the moment when n x 24 h of working-day time
  have passed since ``start``: Friday 10:00 + 1 = Monday 10:00; a ticket registered on a
  Saturday starts counting at 00:00 on the next working day, so Saturday + 1 = the end of
  Monday.
* *Working-hour time* counts the configured office hours of working days only
  (default 08:30-12:00 and 14:00-17:30).

A date in a year whose calendar is missing or unconfirmed raises ``CalendarMissing``:
never a silent Monday-to-Friday guess.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hotline.core.errors import CalendarMissing

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = 86400.0


@dataclass(frozen=True)
class WorkCalendar:
    """``days`` maps every date of each confirmed year to whether it is a working day."""

    days: Mapping[date, bool]
    years: frozenset[int]
    hours: tuple[tuple[time, time], ...] = ((time(8, 30), time(12, 0)), (time(14, 0), time(17, 30)))
    tz: ZoneInfo = field(default=SHANGHAI)

    @classmethod
    def from_days(
        cls,
        days: Mapping[date, bool],
        years: Iterable[int] | None = None,
        hours: Iterable[tuple[str, str]] | None = None,
    ) -> WorkCalendar:
        years_set = frozenset(years) if years is not None else frozenset(d.year for d in days)
        parsed = (
            tuple((time.fromisoformat(a), time.fromisoformat(b)) for a, b in hours)
            if hours
            else cls.__dataclass_fields__["hours"].default
        )
        return cls(days=dict(days), years=years_set, hours=parsed)  # type: ignore[arg-type]

    def is_working(self, day: date) -> bool:
        if day.year not in self.years:
            raise CalendarMissing(day.year)
        try:
            return self.days[day]
        except KeyError:
            raise CalendarMissing(day.year, "incomplete") from None

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        day += timedelta(days=1)
        for _ in range(400):
            if self.is_working(day):
                return day
            day += timedelta(days=1)
        raise CalendarMissing(day.year, "without working days")

    def _midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(0), self.tz)


def _local(cal: WorkCalendar, moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(cal.tz)


def add_working_days(cal: WorkCalendar, start: datetime, days: float) -> datetime:
    """The moment ``days`` working days of working-day time after ``start``."""
    if days < 0:
        raise ValueError("days must be >= 0")
    cursor = _local(cal, start)
    remaining = days * DAY
    if not cal.is_working(cursor.date()):
        cursor = cal._midnight(cal.next_working_day(cursor.date()))
    while True:
        day_end = cal._midnight(cursor.date() + timedelta(days=1))
        left = (day_end - cursor).total_seconds()
        if remaining <= left:
            return cursor + timedelta(seconds=remaining)
        remaining -= left
        cursor = cal._midnight(cal.next_working_day(cursor.date()))


def working_days_between(cal: WorkCalendar, start: datetime, end: datetime) -> float:
    """Working-day time between two moments, in days (negative if ``end`` is before ``start``)."""
    a, b = _local(cal, start), _local(cal, end)
    if b < a:
        return -working_days_between(cal, end, start)
    total = 0.0
    cursor = a
    while cursor < b:
        day_end = cal._midnight(cursor.date() + timedelta(days=1))
        stop = min(day_end, b)
        if cal.is_working(cursor.date()):
            total += (stop - cursor).total_seconds()
        cursor = stop
    return total / DAY


def _intervals(cal: WorkCalendar, day: date) -> list[tuple[datetime, datetime]]:
    if not cal.is_working(day):
        return []
    return [
        (datetime.combine(day, a, cal.tz), datetime.combine(day, b, cal.tz)) for a, b in cal.hours
    ]


def add_working_hours(cal: WorkCalendar, start: datetime, hours: float) -> datetime:
    """The moment ``hours`` of office time (on working days) after ``start``."""
    if hours < 0:
        raise ValueError("hours must be >= 0")
    cursor = _local(cal, start)
    remaining = hours * 3600.0
    day = cursor.date()
    while True:
        for begin, end in _intervals(cal, day):
            if cursor >= end:
                continue
            cursor = max(cursor, begin)
            left = (end - cursor).total_seconds()
            if remaining <= left:
                return cursor + timedelta(seconds=remaining)
            remaining -= left
            cursor = end
        day = cal.next_working_day(day)
        cursor = max(cursor, cal._midnight(day))


def working_hours_between(cal: WorkCalendar, start: datetime, end: datetime) -> float:
    a, b = _local(cal, start), _local(cal, end)
    if b < a:
        return -working_hours_between(cal, end, start)
    total = 0.0
    day = a.date()
    while cal._midnight(day) < b:
        for begin, finish in _intervals(cal, day):
            lo, hi = max(begin, a), min(finish, b)
            if hi > lo:
                total += (hi - lo).total_seconds()
        day += timedelta(days=1)
    return total / 3600.0


# --- clocks ----------------------------------------------------------------------------------

MINUTES, HOURS, WORKING_HOURS, WORKING_DAYS = "minutes", "hours", "working_hours", "working_days"
YELLOW_FRACTION = 0.8


@dataclass(frozen=True)
class Limit:
    """An allowed time: an amount and its unit (minutes, hours, working_hours, working_days)."""

    amount: float
    unit: str

    def __post_init__(self) -> None:
        if self.unit not in (MINUTES, HOURS, WORKING_HOURS, WORKING_DAYS):
            raise ValueError(f"unknown time unit {self.unit!r}")
        if self.amount <= 0:
            raise ValueError("a limit must be positive")


def add_limit(cal: WorkCalendar, start: datetime, limit: Limit, fraction: float = 1.0) -> datetime:
    amount = limit.amount * fraction
    if limit.unit == MINUTES:
        return start + timedelta(minutes=amount)
    if limit.unit == HOURS:
        return start + timedelta(hours=amount)
    if limit.unit == WORKING_HOURS:
        return add_working_hours(cal, start, amount)
    return add_working_days(cal, start, amount)


@dataclass(frozen=True)
class Deadline:
    yellow_at: datetime
    due_at: datetime


def deadline_for(cal: WorkCalendar, start: datetime, limit: Limit) -> Deadline:
    """Due moment and yellow-warning moment of a clock started at ``start``.

    Yellow comes when 80 % of the allowed time is spent, or one working day before the
    deadline, whichever is later (DESIGN section 5).
    """
    due = add_limit(cal, start, limit)
    yellow = add_limit(cal, start, limit, YELLOW_FRACTION)
    if limit.unit == WORKING_DAYS and limit.amount > 1:
        yellow = max(yellow, add_working_days(cal, start, limit.amount - 1))
    return Deadline(yellow_at=yellow, due_at=due)


def extend(cal: WorkCalendar, due: datetime, days: float) -> datetime:
    """Move a deadline by ``days`` working days (an approved extension)."""
    return add_working_days(cal, due, days)


def warning_level(now: datetime, yellow_at: datetime | None, due_at: datetime | None) -> str:
    if due_at is None:
        return "none"
    if now >= due_at:
        return "red"
    if yellow_at is not None and now >= yellow_at:
        return "yellow"
    return "none"
