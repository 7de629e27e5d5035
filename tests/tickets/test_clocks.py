"""Clocks set when their action happens, warnings read off them, a missing calendar year."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from hotline.accounts.models import User
from hotline.core.errors import Conflict
from hotline.tickets import services
from hotline.tickets.clocks import ticket_warning
from hotline.tickets.models import Clock, Ticket
from tests.factories import register

SH = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=SH)


def do(username, number, action, moment, **data):
    with services.acting_at(moment):
        return services.ticket_transition(
            actor=User.objects.get(username=username), number=number, action=action, data=data
        )


def reg(moment, **overrides):
    with services.acting_at(moment):
        return register(**overrides)


def clock(ticket, kind):
    return Clock.objects.filter(ticket=ticket, kind=kind).order_by("-started_at", "-pk").first()


def accepted_by_hanyang():
    """Registered Monday 2026-03-02 09:00, dispatched 10:00 to 汉阳区, accepted 11:00."""
    t = reg(at(2026, 3, 2, 9, 0))
    do("dispatcher", t.number, "dispatch", at(2026, 3, 2, 10, 0), unit="hanyang")
    do("hanyang-handler", t.number, "accept", at(2026, 3, 2, 11, 0))
    return t


def test_dispatch_clock_counts_working_hours_across_the_national_day():
    # Registered on Wednesday 2026-09-30 at 17:00: 30 minutes left that day, then the holiday
    # (Oct 1-7); Thursday Oct 8 is the next working day, 08:30 + 1.5 h.
    t = reg(at(2026, 9, 30, 17, 0))
    c = clock(t, "dispatch")
    assert c.due_at == at(2026, 10, 8, 10, 0)


def test_emergency_clocks_are_short_and_natural():
    t = reg(at(2026, 2, 14, 22, 0), urgency="emergency")
    assert clock(t, "dispatch").due_at == at(2026, 2, 14, 22, 30)
    do("dispatcher", t.number, "dispatch", at(2026, 2, 14, 22, 10), unit="gas")
    assert clock(t, "accept").due_at == at(2026, 2, 14, 22, 40)
    assert clock(t, "handle").due_at == at(2026, 2, 15, 0, 10)


def test_handling_clock_skips_the_spring_festival():
    # Dispatched Friday 2026-02-13 10:00; Sat 14 is a make-up working day, 15-23 are holidays.
    # 5 working days: 13 (rest), 14, 24, 25, 26, 27 (until 10:00).
    t = reg(at(2026, 2, 13, 9, 0))
    do("dispatcher", t.number, "dispatch", at(2026, 2, 13, 10, 0), unit="hanyang")
    handle = clock(t, "handle")
    assert handle.due_at == at(2026, 2, 27, 10, 0)
    assert handle.yellow_at == at(2026, 2, 26, 10, 0)
    assert clock(t, "accept").due_at == at(2026, 2, 14, 10, 0)


def test_utility_categories_get_24_hours():
    from hotline.orgs.models import Category

    water = Category.objects.get(name="自来水供应")
    t = reg(at(2026, 3, 6, 9, 0), category=water.code)
    do("dispatcher", t.number, "dispatch", at(2026, 3, 6, 10, 0), unit="water")
    assert clock(t, "handle").due_at == at(2026, 3, 7, 10, 0)


def test_warning_levels_follow_the_clock():
    t = accepted_by_hanyang()
    t = Ticket.objects.get(pk=t.pk)
    assert ticket_warning(t, at(2026, 3, 5, 9, 0)) == "none"
    assert (
        ticket_warning(t, at(2026, 3, 8, 10, 0)) == "yellow"
    )  # Sunday: still the 4th working day's end
    assert ticket_warning(t, at(2026, 3, 9, 10, 0)) == "red"
    do(
        "hanyang-handler",
        t.number,
        "reply",
        at(2026, 3, 6, 10, 0),
        text="已处理",
        outcome="resolved",
    )
    handle = clock(t, "handle")
    assert handle.met is True and handle.stopped_at == at(2026, 3, 6, 10, 0)
    assert clock(t, "follow_up").due_at == at(2026, 3, 10, 10, 0)


def test_extension_moves_the_deadline_once_and_only_before_it():
    t = accepted_by_hanyang()
    do(
        "hanyang-handler",
        t.number,
        "request_extension",
        at(2026, 3, 6, 9, 0),
        days=10,
        reason="跨部门协调",
    )
    do("dispatcher", t.number, "decide_extension", at(2026, 3, 6, 10, 0), approve=True)
    assert clock(t, "handle").due_at == at(2026, 3, 23, 10, 0)
    with pytest.raises(Conflict):
        do(
            "hanyang-handler",
            t.number,
            "request_extension",
            at(2026, 3, 10, 9, 0),
            days=2,
            reason="再延",
        )


def test_extension_after_the_deadline_is_refused():
    t = accepted_by_hanyang()
    with pytest.raises(Conflict):
        do(
            "hanyang-handler",
            t.number,
            "request_extension",
            at(2026, 3, 10, 9, 0),
            days=3,
            reason="太晚了",
        )
    assert Ticket.objects.get(pk=t.pk).extension_status == ""


def test_forward_judges_the_transfer_clock():
    t = reg(at(2026, 3, 2, 9, 0))
    do("dispatcher", t.number, "dispatch", at(2026, 3, 2, 9, 30), unit="jiangan")
    do(
        "jiangan-dispatcher", t.number, "forward", at(2026, 3, 2, 14, 30), unit="jiangan-01"
    )  # 2.5 working hours later
    transfers = list(Clock.objects.filter(ticket=t, kind="transfer").order_by("pk"))
    assert transfers[0].met is False and transfers[0].due_at == at(2026, 3, 2, 11, 30)
    assert transfers[1].unit.code == "jiangan-01" and transfers[1].stopped_at is None


def test_a_deadline_in_a_missing_year_waits_for_the_calendar_and_is_shown():
    from hotline.workcal.selectors import calendar_problems
    from hotline.workcal.services import calendar_seed_year

    # 2027 is not confirmed in the test database: the clock is pending, the ticket still registers.
    t = reg(at(2026, 12, 31, 17, 0))
    dispatch = clock(t, "dispatch")
    assert dispatch.pending_calendar and dispatch.due_at is None
    assert any("2027" in p for p in calendar_problems())
    from hotline.workcal.models import CalendarDay, CalendarYear

    calendar_seed_year(year=2027)  # weekdays only: the library has no 2027 data, stays unconfirmed
    assert CalendarYear.objects.get(year=2027).confirmed is False
    CalendarDay.objects.filter(date__year=2027, date__month=1, date__day=1).update(kind="holiday")
    from hotline.workcal.services import calendar_confirm_year

    calendar_confirm_year(year=2027, actor=User.objects.get(username="admin"))
    dispatch.refresh_from_db()
    assert not dispatch.pending_calendar
    assert dispatch.due_at == at(2027, 1, 4, 10, 0)  # Jan 1 holiday, Jan 2-3 weekend
    # The new deadline is a change of the ticket: on its timeline, by the system, chained.
    event = t.events.order_by("-seq").first()
    assert (event.action, event.actor_name) == ("reclock", "system")
    assert event.data["clocks"] == [
        {"kind": "dispatch", "unit": None, "due_at": "2027-01-04T10:00:00+08:00"}
    ]
    from hotline.tickets.integrity import timeline_breaks

    assert list(timeline_breaks()) == []
