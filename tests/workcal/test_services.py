"""The calendar table: seeding from chinese_calendar, editing, confirming, and reading it back."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from hotline.core.errors import CalendarMissing
from hotline.core.models import AuditEvent
from hotline.workcal.calc import SHANGHAI, add_working_days
from hotline.workcal.models import CalendarDay, CalendarYear, DayKind
from hotline.workcal.selectors import calendar_problems, get_calendar
from hotline.workcal.services import calendar_confirm_year, calendar_seed_year, calendar_set_day

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_calendar(db):
    """Start from an empty calendar table (the session seeds 2024-2026; this test's
    transaction is rolled back afterwards, so the seed comes back for the next test)."""
    CalendarDay.objects.all().delete()
    CalendarYear.objects.all().delete()


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_user(username="caladmin", password="x", is_staff=True)


def kinds(year: int) -> dict[date, str]:
    return dict(CalendarDay.objects.filter(year_id=year).values_list("date", "kind"))


def test_seed_2026_from_library(admin_user):
    cal_year = calendar_seed_year(year=2026, actor=admin_user, confirm=True)

    assert cal_year.confirmed is True
    assert cal_year.confirmed_by == admin_user
    assert cal_year.confirmed_at is not None
    assert cal_year.source == "chinese_calendar"
    days = kinds(2026)
    assert len(days) == 365
    assert min(days) == date(2026, 1, 1) and max(days) == date(2026, 12, 31)

    def kind(text: str) -> str:
        return days[date.fromisoformat(text)]

    # Spring Festival: 02-15 (Sun) .. 02-23 (Mon), make-up Saturdays 02-14 and 02-28
    spring = [date(2026, 2, 15) + timedelta(days=i) for i in range(9)]
    assert all(days[d] == DayKind.HOLIDAY for d in spring)
    assert kind("2026-02-14") == DayKind.MAKEUP
    assert kind("2026-02-28") == DayKind.MAKEUP
    assert kind("2026-02-13") == DayKind.WORKDAY
    assert kind("2026-02-24") == DayKind.WORKDAY
    # National Day: 10-01 .. 10-07, make-up Sunday 09-20 and Saturday 10-10
    national = [date(2026, 10, 1) + timedelta(days=i) for i in range(7)]
    assert all(days[d] == DayKind.HOLIDAY for d in national)
    assert kind("2026-09-20") == DayKind.MAKEUP
    assert kind("2026-10-10") == DayKind.MAKEUP
    assert kind("2026-10-08") == DayKind.WORKDAY
    assert kind("2026-10-11") == DayKind.WEEKEND
    # ordinary weekends, and holiday names
    assert kind("2026-03-07") == DayKind.WEEKEND
    assert kind("2026-03-09") == DayKind.WORKDAY
    assert CalendarDay.objects.get(date=date(2026, 2, 16)).name == "春节"
    assert CalendarDay.objects.get(date=date(2026, 10, 10)).name == "国庆节"
    assert CalendarDay.objects.get(date=date(2026, 3, 7)).name == ""
    # the whole year, as the State Council published it: six make-up days, 248 working days
    makeup = sorted(d.isoformat() for d, k in days.items() if k == DayKind.MAKEUP)
    assert makeup == [
        "2026-01-04",
        "2026-02-14",
        "2026-02-28",
        "2026-05-09",
        "2026-09-20",
        "2026-10-10",
    ]
    assert sum(1 for k in days.values() if k in (DayKind.WORKDAY, DayKind.MAKEUP)) == 248

    event = AuditEvent.objects.get(action="calendar.seed", actor=admin_user)
    assert event.target == "2026" and event.actor == admin_user
    assert event.data == {"source": "chinese_calendar", "confirmed": True}


def test_seed_unknown_year_gives_weekdays_and_stays_unconfirmed(admin_user):
    cal_year = calendar_seed_year(year=2027, actor=admin_user, confirm=True)

    assert cal_year.confirmed is False
    assert cal_year.confirmed_at is None
    assert "weekdays only" in cal_year.source
    days = kinds(2027)
    assert len(days) == 365
    assert set(days.values()) == {DayKind.WORKDAY, DayKind.WEEKEND}
    for day, kind in days.items():
        assert kind == (DayKind.WEEKEND if day.weekday() >= 5 else DayKind.WORKDAY)
    # 2027-01-01 is a Friday and a holiday in reality: the library does not know it yet
    assert days[date(2027, 1, 1)] == DayKind.WORKDAY
    # and deadlines in it fail loudly
    with pytest.raises(CalendarMissing) as err:
        get_calendar().is_working(date(2027, 1, 4))
    assert err.value.year == 2027


def test_seed_leap_year_has_366_days():
    calendar_seed_year(year=2024)
    assert CalendarDay.objects.filter(year_id=2024).count() == 366


def test_reseed_overwrites_edits_of_an_unconfirmed_year(admin_user):
    calendar_seed_year(year=2026, actor=admin_user)
    calendar_set_day(day=date(2026, 3, 2), kind=DayKind.HOLIDAY, name="test", actor=admin_user)
    calendar_seed_year(year=2026, actor=admin_user)
    assert CalendarDay.objects.get(date=date(2026, 3, 2)).kind == DayKind.WORKDAY
    assert CalendarDay.objects.filter(year_id=2026).count() == 365


def test_reseed_leaves_a_confirmed_year_alone(admin_user):
    calendar_seed_year(year=2026, actor=admin_user, confirm=True)
    CalendarDay.objects.filter(date=date(2026, 3, 2)).update(kind=DayKind.HOLIDAY)
    again = calendar_seed_year(year=2026, actor=admin_user)
    assert again.confirmed is True
    assert CalendarDay.objects.get(date=date(2026, 3, 2)).kind == DayKind.HOLIDAY


def test_set_day_unconfirms_a_confirmed_year(admin_user):
    calendar_seed_year(year=2026, actor=admin_user, confirm=True)
    assert get_calendar().is_working(date(2026, 10, 9)) is True

    row = calendar_set_day(
        day=date(2026, 10, 9), kind=DayKind.HOLIDAY, name="国庆节", actor=admin_user
    )

    assert row.kind == DayKind.HOLIDAY and row.name == "国庆节"
    assert CalendarDay.objects.get(date=date(2026, 10, 9)).kind == DayKind.HOLIDAY
    assert CalendarYear.objects.get(year=2026).confirmed is False
    event = AuditEvent.objects.get(action="calendar.edit", actor=admin_user)
    assert event.target == "2026-10-09"
    assert event.data == {"kind": DayKind.HOLIDAY, "name": "国庆节"}
    # the edited year is no longer usable until it is confirmed again
    with pytest.raises(CalendarMissing):
        get_calendar().is_working(date(2026, 10, 9))

    calendar_confirm_year(year=2026, actor=admin_user)
    assert get_calendar().is_working(date(2026, 10, 9)) is False


def test_set_day_of_unconfirmed_year_keeps_it_unconfirmed(admin_user):
    calendar_seed_year(year=2027, actor=admin_user)
    calendar_set_day(day=date(2027, 1, 1), kind=DayKind.HOLIDAY, name="元旦", actor=admin_user)
    assert CalendarYear.objects.get(year=2027).confirmed is False
    assert CalendarDay.objects.get(date=date(2027, 1, 1)).name == "元旦"


def test_get_calendar_only_uses_confirmed_years(admin_user):
    calendar_seed_year(year=2026, actor=admin_user)  # seeded, not confirmed
    with pytest.raises(CalendarMissing) as err:
        get_calendar().is_working(date(2026, 3, 2))
    assert err.value.year == 2026

    calendar_confirm_year(year=2026, actor=admin_user)
    cal = get_calendar()
    assert cal.years == frozenset({2026})
    assert cal.is_working(date(2026, 2, 14)) is True
    assert cal.is_working(date(2026, 2, 16)) is False
    start = datetime(2026, 9, 30, 10, tzinfo=SHANGHAI)
    assert add_working_days(cal, start, 1) == datetime(2026, 10, 8, 10, tzinfo=SHANGHAI)


def test_get_calendar_uses_configured_working_hours(settings):
    settings.HOTLINE_WORKING_HOURS = [("09:00", "12:00"), ("13:30", "18:00")]
    calendar_seed_year(year=2026, confirm=True)
    assert [(a.isoformat(), b.isoformat()) for a, b in get_calendar().hours] == [
        ("09:00:00", "12:00:00"),
        ("13:30:00", "18:00:00"),
    ]


def test_confirm_year_records_who_and_when(admin_user):
    calendar_seed_year(year=2027, actor=admin_user)
    cal_year = calendar_confirm_year(year=2027, actor=admin_user)
    assert cal_year.confirmed is True and cal_year.confirmed_by == admin_user
    assert cal_year.confirmed_at <= timezone.now()
    assert (
        AuditEvent.objects.filter(
            action="calendar.confirm", target="2027", actor=admin_user
        ).count()
        == 1
    )
    assert get_calendar().is_working(date(2027, 1, 4)) is True


def test_confirm_year_refuses_an_incomplete_year(admin_user):
    calendar_seed_year(year=2026, actor=admin_user)
    CalendarDay.objects.filter(date=date(2026, 12, 31)).delete()
    with pytest.raises(ValueError):
        calendar_confirm_year(year=2026, actor=admin_user)
    assert CalendarYear.objects.get(year=2026).confirmed is False


def test_confirm_year_computes_pending_clocks(admin_user):
    from hotline.tickets.models import Clock, Ticket

    calendar_seed_year(year=2027, actor=admin_user)
    ticket = Ticket.objects.create(
        number="2027010400001",
        status="in_progress",
        kind="complaint",
        channel="phone",
        content="test",
        registered_at=datetime(2027, 1, 4, 9, tzinfo=SHANGHAI),
    )
    clock = Clock.objects.create(
        ticket=ticket,
        kind="handle",
        started_at=datetime(2027, 1, 4, 9, tzinfo=SHANGHAI),
        limit_amount=5,
        limit_unit="working_days",
        pending_calendar=True,
    )

    calendar_confirm_year(year=2027, actor=admin_user)

    clock.refresh_from_db()
    assert clock.pending_calendar is False
    # weekdays only: Mon 01-04 09:00 + 5 working days = Mon 01-11 09:00
    assert clock.due_at == datetime(2027, 1, 11, 9, tzinfo=SHANGHAI)
    assert clock.yellow_at == datetime(2027, 1, 8, 9, tzinfo=SHANGHAI)


@pytest.fixture
def in_2026(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2026, 11, 26))


def test_calendar_problems_reports_missing_and_unconfirmed_years(in_2026, admin_user):
    problems = calendar_problems()
    assert len(problems) == 2
    assert "2026 年工作日历缺失" in problems[0]
    assert "2027 年工作日历缺失" in problems[1]

    calendar_seed_year(year=2026, actor=admin_user, confirm=True)
    calendar_seed_year(year=2027, actor=admin_user)
    problems = calendar_problems()
    assert len(problems) == 1
    assert "2027 年工作日历未确认" in problems[0]

    calendar_confirm_year(year=2027, actor=admin_user)
    assert calendar_problems() == []

    calendar_set_day(day=date(2026, 12, 31), kind=DayKind.HOLIDAY, actor=admin_user)
    assert calendar_problems() == ["2026 年工作日历未确认，请核对节假日与调休后确认"]
