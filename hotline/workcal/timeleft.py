"""How much time a clock has left, in the unit its limit counts: pure, no ORM.

A clock whose limit counts working days shows working days left (under one day: the hours of
working-day time left); one that counts working hours shows office hours left (under one hour:
minutes); a clock in plain hours or minutes shows real hours or minutes. A late clock shows how
late it is in days (working days) when it is a working day or more late, else hours or
minutes. Exactly at the deadline the clock is due (``late`` with nothing over). Amounts are
whole numbers rounded down, except that anything left or over shows as at least 1 of the
smallest unit (a clock one second from its deadline is not "0 minutes left").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from .calc import (
    HOURS,
    MINUTES,
    WORKING_DAYS,
    WORKING_HOURS,
    WorkCalendar,
    working_days_between,
    working_hours_between,
)

DAYS_UNIT, HOURS_UNIT, MINUTES_UNIT = "days", "hours", "minutes"


@dataclass(frozen=True)
class TimeLeft:
    """``amount`` of ``unit`` left (or over, when ``late``). ``working`` says whether days
    and hours are working time (working days, office hours) or plain time."""

    late: bool
    amount: int
    unit: str
    working: bool

    @property
    def due_now(self) -> bool:
        return self.late and self.amount == 0


def _whole(value: float) -> int:
    """Rounded down, at least 1 when there is anything at all."""
    if value <= 0:
        return 0
    return max(1, math.floor(value + 1e-9))


def _in_days_or_hours(days: float) -> tuple[int, str]:
    """Working-day time as whole days, or hours of it under one day."""
    if days >= 1:
        return _whole(days), DAYS_UNIT
    hours = days * 24
    if hours >= 1:
        return _whole(hours), HOURS_UNIT
    return _whole(hours * 60), MINUTES_UNIT


def _office_hours(hours: float) -> tuple[int, str]:
    if hours >= 1:
        return _whole(hours), HOURS_UNIT
    return _whole(hours * 60), MINUTES_UNIT


def _plain(seconds: float) -> tuple[int, str]:
    if seconds >= 3600:
        return _whole(seconds / 3600), HOURS_UNIT
    return _whole(seconds / 60), MINUTES_UNIT


def time_left(cal: WorkCalendar, now: datetime, due_at: datetime, limit_unit: str) -> TimeLeft:
    """The time from ``now`` to ``due_at`` of a clock whose limit counts ``limit_unit``
    (``calc.WORKING_DAYS``, ``WORKING_HOURS``, ``HOURS`` or ``MINUTES``). Raises
    ``CalendarMissing`` when the span needs a year the calendar does not have."""
    late = now >= due_at
    start, end = (due_at, now) if late else (now, due_at)
    if late:
        # Lateness is told in working days once it reaches one, whatever the clock counts.
        days = working_days_between(cal, start, end)
        if days >= 1:
            return TimeLeft(True, _whole(days), DAYS_UNIT, True)
    if limit_unit == WORKING_DAYS:
        amount, unit = _in_days_or_hours(working_days_between(cal, start, end))
        return TimeLeft(late, amount, unit, unit == DAYS_UNIT)
    if limit_unit == WORKING_HOURS:
        amount, unit = _office_hours(working_hours_between(cal, start, end))
        return TimeLeft(late, amount, unit, unit == HOURS_UNIT)
    if limit_unit in (HOURS, MINUTES):
        amount, unit = _plain((end - start).total_seconds())
        return TimeLeft(late, amount, unit, False)
    raise ValueError(f"unknown time unit {limit_unit!r}")
