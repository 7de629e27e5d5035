"""Starting, stopping and reading clocks. Called only from the transition function (the
``reclock`` action recomputes the deadlines that waited for a calendar year)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings

from hotline.core.errors import CalendarMissing
from hotline.workcal.calc import Limit, deadline_for, extend, warning_level
from hotline.workcal.selectors import get_calendar

from . import policy
from .models import Clock, Ticket


def limit_for_ticket(ticket: Ticket, clock: str) -> Limit:
    category = ticket.category
    category_limit = None
    utility = False
    if category is not None:
        utility = category.utility
        if category.time_limit:
            category_limit = Limit(float(category.time_limit), category.time_limit_unit)
    return policy.limit_for(
        clock,
        ticket.urgency,
        category_limit=category_limit,
        utility=utility,
        overrides=getattr(settings, "HOTLINE_CLOCK_LIMITS", None),
    )


def clock_new(
    *, ticket: Ticket, kind: str, unit, start: datetime, limit: Limit | None = None
) -> Clock:
    """A clock with its yellow moment and deadline computed, not saved yet."""
    limit = limit or limit_for_ticket(ticket, kind)
    clock = Clock(
        ticket=ticket,
        kind=kind,
        unit=unit,
        started_at=start,
        limit_amount=limit.amount,
        limit_unit=limit.unit,
    )
    _compute(clock)
    return clock


def clock_start(
    *, ticket: Ticket, kind: str, unit, start: datetime, limit: Limit | None = None
) -> Clock:
    clock = clock_new(ticket=ticket, kind=kind, unit=unit, start=start, limit=limit)
    clock.save()
    return clock


def _compute(clock: Clock) -> None:
    try:
        deadline = deadline_for(
            get_calendar(), clock.started_at, Limit(clock.limit_amount, clock.limit_unit)
        )
    except CalendarMissing:
        clock.pending_calendar, clock.yellow_at, clock.due_at = True, None, None
        return
    clock.pending_calendar, clock.yellow_at, clock.due_at = (
        False,
        deadline.yellow_at,
        deadline.due_at,
    )


def clocks_stop(
    *,
    ticket: Ticket,
    at: datetime,
    kinds: tuple[str, ...] | None = None,
    reason: str,
    judge: bool = False,
) -> list[Clock]:
    """Stop the open clocks of ``kinds`` (all when None). With ``judge``, record whether the
    deadline was met (used by the clocks whose stop is the thing they time)."""
    qs = Clock.objects.filter(ticket=ticket, stopped_at__isnull=True)
    if kinds is not None:
        qs = qs.filter(kind__in=kinds)
    stopped = []
    for clock in qs:
        clock.stopped_at = at
        clock.stop_reason = reason
        clock.met = (at <= clock.due_at) if judge and clock.due_at is not None else None
        clock.save(update_fields=["stopped_at", "stop_reason", "met"])
        stopped.append(clock)
    return stopped


def clock_extend(*, clock: Clock, days: int, at: datetime) -> Clock:
    """An approved extension: the handling clock stops and a new one runs to the moved deadline."""
    clocks_stop(ticket=clock.ticket, at=at, kinds=(clock.kind,), reason="extended")
    new = Clock(
        ticket=clock.ticket,
        kind=clock.kind,
        unit=clock.unit,
        started_at=at,
        limit_amount=float(days),
        limit_unit="working_days",
    )
    try:
        cal = get_calendar()
        if clock.due_at is None:
            raise CalendarMissing(at.year)
        new.due_at = extend(cal, clock.due_at, days)
        new.yellow_at = max(
            extend(cal, clock.due_at, days * 0.8), extend(cal, clock.due_at, max(days - 1, 0))
        )
    except CalendarMissing:
        new.pending_calendar = True
    new.save()
    return new


def clocks_pending(ticket: Ticket) -> list[Clock]:
    """The running clocks of ``ticket`` whose deadline waits for a calendar year."""
    return list(Clock.objects.filter(ticket=ticket, pending_calendar=True, stopped_at__isnull=True))


def clocks_compute_pending(clocks: list[Clock]) -> list[Clock]:
    """Compute the deadlines of ``clocks`` that the calendar now allows; save and return those.
    Called by the ``reclock`` transition, under the ticket's lock."""
    done = []
    for clock in clocks:
        _compute(clock)
        if not clock.pending_calendar:
            clock.save(update_fields=["pending_calendar", "yellow_at", "due_at"])
            done.append(clock)
    return done


def clocks_computable(clocks: list[Clock]) -> bool:
    """Whether the calendar now allows at least one of ``clocks`` to get its deadline (nothing
    is saved)."""
    for clock in clocks:
        probe = Clock(
            started_at=clock.started_at,
            limit_amount=clock.limit_amount,
            limit_unit=clock.limit_unit,
        )
        _compute(probe)
        if not probe.pending_calendar:
            return True
    return False


def tickets_with_pending_clocks() -> list[str]:
    """Numbers of the tickets with a running clock that waits for a calendar year."""
    return list(
        Ticket.objects.filter(clocks__pending_calendar=True, clocks__stopped_at__isnull=True)
        .values_list("number", flat=True)
        .distinct()
        .order_by("number")
    )


def open_clocks(ticket: Ticket) -> list[Clock]:
    prefetched = getattr(ticket, "_prefetched_objects_cache", {}).get("clocks")
    clocks = list(prefetched) if prefetched is not None else list(ticket.clocks.all())
    return [c for c in clocks if c.stopped_at is None]


LEVELS = {"none": 0, "yellow": 1, "red": 2}


def ticket_warning(ticket: Ticket, now: datetime) -> str:
    level = "none"
    for clock in open_clocks(ticket):
        current = warning_level(now, clock.yellow_at, clock.due_at)
        if LEVELS[current] > LEVELS[level]:
            level = current
    return level
