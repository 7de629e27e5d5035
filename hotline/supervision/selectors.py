"""Reads of supervision: accountability records, supervision orders and the referral queue,
each starting from the rows of tickets the reader may see (``objects.restrict(user)``)."""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import F, Min, QuerySet

from hotline.accounts.roles import Role
from hotline.accounts.selectors import grants_for
from hotline.core.errors import BadInput, Forbidden
from hotline.core.scoping import restrict
from hotline.orgs.models import Unit
from hotline.tickets import workflow
from hotline.tickets.models import Clock, Ticket, TicketAssignment
from hotline.tickets.selectors import tickets_visible_to

from .models import Accountability, Referral, SupervisionOrder

READERS = frozenset({Role.SUPERVISOR, Role.INSPECTOR, Role.ADMIN, Role.LEADER})


def _require(user) -> None:
    if not grants_for(user).roles & READERS:
        raise Forbidden("for the supervision and discipline offices and leaders")


def accountability_list(
    user,
    *,
    unit: str | None = None,
    ticket: str | None = None,
    since: date | None = None,
    until: date | None = None,
    measure: str | None = None,
) -> QuerySet[Accountability]:
    _require(user)
    qs = (
        Accountability.objects.restrict(user)
        .select_related("ticket", "unit", "decided_by")
        .order_by("-decided_at", "-pk")
    )
    if unit:
        node = Unit.objects.filter(code=unit).first()
        if node is None:
            raise BadInput("unit", f"no unit with code {unit!r}")
        qs = qs.filter(unit__path__startswith=node.path)
    if ticket:
        qs = qs.filter(ticket__number=ticket)
    if measure:
        if measure not in Accountability.MEASURES:
            raise BadInput("measure", f"one of {', '.join(Accountability.MEASURES)}")
        qs = qs.filter(measure=measure)
    if since:
        qs = qs.filter(decided_at__date__gte=since)
    if until:
        qs = qs.filter(decided_at__date__lte=until)
    return qs


def supervision_orders(user, *, ticket: str | None = None) -> QuerySet[SupervisionOrder]:
    """Supervision orders of the tickets ``user`` may see, newest first."""
    _require(user)
    qs = SupervisionOrder.objects.restrict(user).select_related("ticket", "unit", "created_by")
    if ticket:
        qs = qs.filter(ticket__number=ticket)
    return qs.order_by("-created_at", "-pk")


def referral_queue(user) -> QuerySet[Referral]:
    _require(user)
    return (
        Referral.objects.restrict(user)
        .filter(handled_at__isnull=True)
        .select_related("ticket", "ticket__unit")
        .order_by("created_at")
    )


# --- the homes of the supervision and discipline offices (console) ---------------------------


def tickets_warned(user, *, now: datetime, level: str | None = None) -> QuerySet:
    """The open tickets ``user`` may see with a running clock past its yellow time at ``now``,
    as rows ``{"ticket_id", "first_due"}`` (the earliest deadline among those clocks): red ones
    (``first_due`` passed) first, the latest first, then the yellow ones, the nearest to red
    first. ``level`` "red" or "yellow" keeps one of them. Read from the running clocks (index
    clock_running_yellow_unit), grouped by ticket; ``warned_tickets`` loads a page's tickets."""
    _require(user)
    # A clock's yellow time comes before its deadline and both are computed together: a clock
    # past its yellow time is yellow or red. Only open tickets have running clocks (closing,
    # merging, invalidating and answering directly stop them all), so the ticket is not joined:
    # the rows come from the partial index alone (ticket and deadline included in it).
    clocks = Clock.objects.filter(stopped_at__isnull=True, yellow_at__lte=now)
    rows = (
        restrict(clocks, user)
        .values("ticket_id")
        .annotate(first_due=Min("due_at"))
        .order_by("first_due", "ticket_id")
    )
    if level == "red":
        return rows.filter(first_due__lte=now)
    if level == "yellow":
        return rows.filter(first_due__gt=now)
    if level is not None:
        raise BadInput("level", "red or yellow")
    return rows


def warned_tickets(rows, *, now: datetime) -> list[Ticket]:
    """The tickets of rows of ``tickets_warned`` in their order, each with ``first_due`` and
    ``is_red``; one query."""
    rows = list(rows)
    found = Ticket.objects.select_related("unit").in_bulk([r["ticket_id"] for r in rows])
    tickets = []
    for row in rows:
        ticket = found.get(row["ticket_id"])
        if ticket is None:
            continue
        ticket.first_due = row["first_due"]  # type: ignore[attr-defined]
        ticket.is_red = row["first_due"] is not None and row["first_due"] <= now  # type: ignore[attr-defined]
        tickets.append(ticket)
    return tickets


def supervision_orders_open(user) -> QuerySet[SupervisionOrder]:
    """Supervision orders (督办 and 领导签批) of the tickets ``user`` may see that are still open,
    the nearest deadline first."""
    return (
        supervision_orders(user)
        .filter(ticket__status__in=workflow.OPEN_STATUSES)
        .order_by(F("due_at").asc(nulls_last=True), "created_at", "pk")
    )


COPY_READERS = frozenset({Role.INSPECTOR, Role.SUPERVISOR})


def copies_to_office(user) -> QuerySet[TicketAssignment]:
    """The read-only copies (抄送) of tickets sent to the offices where ``user`` is an inspector
    or a supervisor, the newest first."""
    grants = grants_for(user)
    offices = [uid for uid, roles in grants.by_unit.items() if roles & COPY_READERS]
    if not offices:
        raise Forbidden("for the discipline inspection and supervision offices")
    return (
        TicketAssignment.objects.filter(role=TicketAssignment.COPY, unit_id__in=offices)
        .filter(ticket__in=tickets_visible_to(user).values("pk"))
        .select_related("ticket", "ticket__unit", "unit")
        .order_by("-assigned_at", "-pk")
    )
