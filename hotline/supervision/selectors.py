"""Reads of supervision: accountability records, supervision orders and the referral queue,
each starting from the rows of tickets the reader may see (``objects.restrict(user)``)."""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import BooleanField, Case, F, OuterRef, QuerySet, Subquery, Value, When

from hotline.accounts.roles import Role
from hotline.accounts.selectors import grants_for
from hotline.core.errors import BadInput, Forbidden
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


def tickets_warned(user, *, now: datetime) -> QuerySet[Ticket]:
    """Open tickets ``user`` may see with a running clock in yellow or red at ``now``: red ones
    first, the latest first; then the yellow ones, the nearest to red first. Each carries
    ``first_due`` (the earliest deadline of its running clocks) and ``is_red``."""
    _require(user)
    running = Clock.objects.filter(stopped_at__isnull=True)
    # A clock's yellow time comes before its deadline and both are computed together: a clock
    # past its yellow time is yellow or red (index clock_running_yellow).
    warned = running.filter(yellow_at__lte=now).values("ticket_id")
    first_due = Subquery(
        running.filter(ticket=OuterRef("pk"), due_at__isnull=False)
        .order_by("due_at")
        .values("due_at")[:1]
    )
    return (
        tickets_visible_to(user)
        .filter(status__in=workflow.OPEN_STATUSES, pk__in=warned)
        .annotate(first_due=first_due)
        .annotate(
            is_red=Case(
                When(first_due__lte=now, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .select_related("unit")
        .order_by("-is_red", F("first_due").asc(nulls_last=True), "pk")
    )


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
