"""Reads of the telephony app: answer rates (database aggregates) and a call with its tickets."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDay, TruncHour, TruncMonth

from hotline.accounts.roles import Role
from hotline.accounts.selectors import grants_for
from hotline.core.errors import BadInput, Forbidden, NotFound
from hotline.tickets.models import Ticket
from hotline.tickets.selectors import tickets_visible_to

from .models import CallRecord, CallTicket
from .records import SHANGHAI, WITHIN, period_of, rate

# Who may read answer rates: the city's leaders, the supervision office, admins.
STATS_READERS = frozenset({Role.LEADER, Role.SUPERVISOR, Role.ADMIN})
# Who may read one call with its tickets: the centre's staff who work with calls.
CALL_READERS = frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMIN, Role.LEADER})
TRUNC = {"hour": TruncHour, "day": TruncDay, "month": TruncMonth}
# A ticket registered from a call: same phone, registered between queueing and this long
# after the call ended (the agent finishes the form after hanging up).
MATCH_AFTER_END = timedelta(minutes=30)


def _day(value: str | None, field: str) -> date:
    if not value:
        raise BadInput(field, "required, a date YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadInput(field, "a date YYYY-MM-DD") from None


def calls_in(start: date, end: date) -> QuerySet[CallRecord]:
    """Calls queued on the local days ``start`` to ``end``, both included."""
    low = datetime.combine(start, time.min, tzinfo=SHANGHAI)
    high = datetime.combine(end + timedelta(days=1), time.min, tzinfo=SHANGHAI)
    return CallRecord.objects.filter(queued_at__gte=low, queued_at__lt=high)


def call_stats(
    user, *, start: str | None, end: str | None, by: str | None, by_line: bool = False
) -> list[dict]:
    """Rows ``{period, line, offered, answered, answered_15s, abandoned, answer_rate_15s,
    connection_rate}``, one per period (and line) that has calls, in period then line order."""
    if not grants_for(user).roles & STATS_READERS:
        raise Forbidden("answer rates are for leaders, supervisors and admins")
    first, last = _day(start, "from"), _day(end, "to")
    if last < first:
        raise BadInput("to", "earlier than from")
    by = by or "day"
    if by not in TRUNC:
        raise BadInput("by", "one of hour, day, month")
    keys = ["period", "line"] if by_line else ["period"]
    within_us = int(WITHIN.total_seconds() * 1_000_000)
    rows = (
        calls_in(first, last)
        .annotate(period=TRUNC[by]("queued_at", tzinfo=SHANGHAI))
        .values(*keys)
        .annotate(
            offered=Count("id"),
            answered=Count("id", filter=Q(answered_at__isnull=False)),
            answered_15s=Count("id", filter=Q(wait_us__lte=within_us)),
        )
        .order_by(*keys)
    )
    items = []
    for row in rows:
        offered, answered = row["offered"], row["answered"]
        items.append(
            {
                "period": period_of(row["period"], by),
                "line": row["line"] if by_line else None,
                "offered": offered,
                "answered": answered,
                "answered_15s": row["answered_15s"],
                "abandoned": offered - answered,
                "answer_rate_15s": rate(row["answered_15s"], offered),
                "connection_rate": rate(answered, offered),
            }
        )
    return items


def call_get(user, call_id: str) -> CallRecord:
    if not grants_for(user).roles & CALL_READERS:
        raise Forbidden("call records are for the centre's staff")
    call = CallRecord.objects.filter(call_id=call_id).first()
    if call is None:
        raise NotFound(f"no call {call_id}")
    return call


def call_tickets(user, call: CallRecord) -> QuerySet[Ticket]:
    """Tickets registered from ``call`` that ``user`` may see: linked explicitly, or registered
    by phone with the caller's number between queueing and 30 minutes after the call ended."""
    linked = CallTicket.objects.filter(call=call).values("ticket_id")
    matched = Q(pk__in=linked)
    if call.caller:
        matched |= Q(
            channel="phone",
            citizen_phone=call.caller,
            registered_at__gte=call.queued_at,
            registered_at__lte=call.ended_at + MATCH_AFTER_END,
        )
    return tickets_visible_to(user).filter(matched).order_by("registered_at", "pk")


def caller_history(user, phone: str, *, before: datetime | None = None) -> QuerySet[Ticket]:
    """The caller's earlier tickets (by phone number), newest first, for the intake screen."""
    if not phone:
        return Ticket.objects.none()
    qs = tickets_visible_to(user).filter(citizen_phone=phone)
    if before is not None:
        qs = qs.filter(registered_at__lt=before)
    return qs.order_by("-registered_at", "-pk")
