"""Writes to the calendar: seeding a year from the chinese_calendar library, editing, confirming."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from hotline.core.audit import audit_record

from . import selectors
from .models import CalendarDay, CalendarYear, DayKind

# What must happen once a year's calendar is confirmed, registered by the layers above (the
# tickets app recomputes the deadlines that waited for that year): workcal imports no app.
YearConfirmedListener = Callable[[int], object]
_on_year_confirmed: list[YearConfirmedListener] = []


def calendar_on_year_confirmed(listener: YearConfirmedListener) -> YearConfirmedListener:
    """Register ``listener(year)`` to run after a year is confirmed (outside its transaction)."""
    if listener not in _on_year_confirmed:
        _on_year_confirmed.append(listener)
    return listener


def _year_confirmed(year: int) -> None:
    for listener in _on_year_confirmed:
        listener(year)


# The chinese_calendar library names holidays in English; the calendar shows them in Chinese
# (also the make-up working days, which carry the name of the holiday they belong to).
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def holiday_name(name: str | None) -> str:
    """The Chinese name of a holiday the library names (a name it does not know is kept)."""
    return HOLIDAY_NAMES.get(name or "", name or "")


def _library_kind(day: date) -> tuple[str, str]:
    import chinese_calendar

    working = chinese_calendar.is_workday(day)
    _, name = chinese_calendar.get_holiday_detail(day)
    name = holiday_name(name)
    weekend = day.weekday() >= 5
    if working:
        return (DayKind.MAKEUP, name) if weekend else (DayKind.WORKDAY, "")
    if name:
        return DayKind.HOLIDAY, name
    return DayKind.WEEKEND, ""


def calendar_seed_year(*, year: int, actor=None, confirm: bool = False) -> CalendarYear:
    """Fill ``year`` from the chinese_calendar library (holidays and make-up working days).

    A year the library does not know gets plain weekdays and stays unconfirmed, so admins see
    an error until they enter the State Council's schedule and confirm it. Existing days are
    overwritten only while the year is unconfirmed.
    """
    with transaction.atomic():
        cal_year, _ = CalendarYear.objects.select_for_update().get_or_create(year=year)
        if cal_year.confirmed:
            return cal_year
        day = date(year, 1, 1)
        try:
            _library_kind(day)
            source = "chinese_calendar"
            kinder = _library_kind
        except NotImplementedError:
            source = "weekdays only (library has no data): edit and confirm"
            confirm = False

            def kinder(d: date) -> tuple[str, str]:
                return (DayKind.WEEKEND, "") if d.weekday() >= 5 else (DayKind.WORKDAY, "")

        rows = []
        while day.year == year:
            kind, name = kinder(day)
            rows.append(CalendarDay(date=day, year=cal_year, kind=kind, name=name))
            day += timedelta(days=1)
        CalendarDay.objects.filter(year=cal_year).delete()
        CalendarDay.objects.bulk_create(rows)
        cal_year.source = source
        if confirm:
            cal_year.confirmed = True
            cal_year.confirmed_at = timezone.now()
            cal_year.confirmed_by = actor
        cal_year.save()
        audit_record(
            actor=actor,
            action="calendar.seed",
            target=str(year),
            data={"source": source, "confirmed": confirm},
        )
    selectors.calendar_changed()
    if confirm:
        _year_confirmed(year)
    return cal_year


def calendar_confirm_year(*, year: int, actor) -> CalendarYear:
    with transaction.atomic():
        cal_year = CalendarYear.objects.select_for_update().get(year=year)
        count = CalendarDay.objects.filter(year=cal_year).count()
        expected = (date(year + 1, 1, 1) - date(year, 1, 1)).days
        if count != expected:
            raise ValueError(f"{year} has {count} days, expected {expected}")
        cal_year.confirmed = True
        cal_year.confirmed_at = timezone.now()
        cal_year.confirmed_by = actor
        cal_year.save()
        audit_record(actor=actor, action="calendar.confirm", target=str(year))
    selectors.calendar_changed()
    _year_confirmed(year)
    return cal_year


def calendar_set_day(*, day: date, kind: str, name: str = "", actor) -> CalendarDay:
    """Edit one day. Editing a confirmed year un-confirms it until an admin confirms again."""
    with transaction.atomic():
        cal_year = CalendarYear.objects.select_for_update().get(year=day.year)
        row, _ = CalendarDay.objects.update_or_create(
            date=day, defaults={"year": cal_year, "kind": kind, "name": name}
        )
        if cal_year.confirmed:
            cal_year.confirmed = False
            cal_year.save()
        audit_record(
            actor=actor,
            action="calendar.edit",
            target=day.isoformat(),
            data={"kind": kind, "name": name},
        )
    selectors.calendar_changed()
    return row
