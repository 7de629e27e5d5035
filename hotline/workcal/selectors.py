"""Reads of the calendar. ``get_calendar()`` is cached per process and refreshed when the
calendar changes here, or within ``REFRESH_SECONDS`` when another process changed it."""

from __future__ import annotations

import threading
import time as _time

from django.conf import settings
from django.db.models import Max

from .calc import WorkCalendar
from .models import CalendarDay, CalendarYear

REFRESH_SECONDS = 30.0
_lock = threading.Lock()
_cache: dict[str, object] = {}


def calendar_changed() -> None:
    with _lock:
        _cache.clear()


def _stamp() -> tuple:
    agg = CalendarYear.objects.aggregate(m=Max("updated_at"))
    return (CalendarYear.objects.count(), agg["m"])


def get_calendar() -> WorkCalendar:
    now = _time.monotonic()
    with _lock:
        cal = _cache.get("cal")
        checked = _cache.get("checked", 0.0)
    if cal is not None and now - checked < REFRESH_SECONDS:  # type: ignore[operator]
        return cal  # type: ignore[return-value]
    stamp = _stamp()
    if cal is not None and stamp == _cache.get("stamp"):
        with _lock:
            _cache["checked"] = now
        return cal  # type: ignore[return-value]
    years = frozenset(CalendarYear.objects.filter(confirmed=True).values_list("year", flat=True))
    days = {
        d: kind in ("workday", "makeup")
        for d, kind in CalendarDay.objects.filter(year_id__in=years).values_list("date", "kind")
    }
    cal = WorkCalendar.from_days(days, years, getattr(settings, "HOTLINE_WORKING_HOURS", None))
    with _lock:
        _cache.update(cal=cal, checked=now, stamp=stamp)
    return cal


def calendar_problems(years_ahead: int = 1) -> list[str]:
    """Messages for admins: this year and the next must be present and confirmed."""
    from django.utils import timezone

    this_year = timezone.localdate().year
    problems = []
    known = dict(CalendarYear.objects.values_list("year", "confirmed"))
    for year in range(this_year, this_year + years_ahead + 1):
        if year not in known:
            problems.append(
                f"{year} 年工作日历缺失，请导入并确认（deadlines in {year} cannot be computed）"
            )
        elif not known[year]:
            problems.append(f"{year} 年工作日历未确认，请核对节假日与调休后确认")
    return problems
