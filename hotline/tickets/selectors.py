"""Reads of tickets. Every query starts from ``tickets_visible_to(user)``."""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects

from hotline.accounts.selectors import grants_for
from hotline.core.errors import BadInput, Forbidden, NotFound
from hotline.orgs.models import HotlineCentre, Unit

from . import workflow
from .models import Attachment, Clock, Ticket, TicketAssignment, TicketEvent


def tickets_visible_to(user) -> QuerySet[Ticket]:
    """The tickets ``user`` may see: all for the city centre's roles; for a unit, the tickets
    ever dispatched, forwarded or copied to it or to a unit of its sub-tree; for a district
    centre's roles, those of the district's tree and the tickets registered at or held by the
    district's centre; none otherwise."""
    grants = grants_for(user)
    if grants.sees_all:
        return Ticket.objects.all()
    if not grants.paths:
        return Ticket.objects.none()
    in_subtree = reduce(or_, (Q(unit__path__startswith=path) for path in grants.paths))
    assigned = TicketAssignment.objects.filter(in_subtree, ticket=OuterRef("pk"))
    visible = Q(Exists(assigned))
    for path in grants.centre_paths:
        # A district centre's own tickets, and those it holds, before any unit got them.
        visible |= Q(centre__covers__path__startswith=path)
        visible |= Q(registered_centre__covers__path__startswith=path)
    return Ticket.objects.filter(visible)


def tickets_visible_or_all(user) -> QuerySet[Ticket] | None:
    """None when ``user`` sees every ticket, else ``tickets_visible_to(user)``: what
    ``hotline.core.scoping.restrict`` narrows ticket-derived rows with (registered at start-up)."""
    return None if grants_for(user).sees_all else tickets_visible_to(user)


def ticket_get_visible(user, number: str, *, related: tuple[str, ...] = ()) -> Ticket:
    """The ticket ``number`` if ``user`` may see it (NotFound otherwise), with ``related``
    rows joined in."""
    tickets = tickets_visible_to(user).filter(number=number)
    ticket = (tickets.select_related(*related) if related else tickets).first()
    if ticket is None:
        raise NotFound(f"no ticket {number}")
    return ticket


def _timeline_prefetches() -> tuple[Prefetch, ...]:
    """What the detail view of a ticket shows besides the row: events, clocks, assignments."""
    return (
        # The actor joined: pages name people by their names, not their usernames.
        Prefetch("events", queryset=TicketEvent.objects.select_related("actor").order_by("seq")),
        Prefetch(
            "clocks", queryset=Clock.objects.select_related("unit").order_by("started_at", "pk")
        ),
        Prefetch(
            "assignments", queryset=TicketAssignment.objects.select_related("unit").order_by("pk")
        ),
    )


def ticket_registered(registration) -> Ticket:
    """The ticket a registration just wrote, with its timeline, without reading it back: a new
    ticket has exactly the event and the clock the registration returns, and no assignment."""
    ticket = registration.ticket
    if not registration.created:
        return ticket_with_timeline(ticket)
    ticket._prefetched_objects_cache = {
        "events": registration.events,
        "clocks": registration.clocks,
        "assignments": [],
    }
    return ticket


def ticket_with_timeline(ticket: Ticket) -> Ticket:
    """Load the timeline of a ticket already in memory (e.g. the one just registered)."""
    prefetch_related_objects([ticket], *_timeline_prefetches())
    return ticket


def ticket_detail(user, number: str) -> Ticket:
    ticket = ticket_get_visible(user, number)
    return (
        Ticket.objects.select_related(
            "unit",
            "region",
            "category",
            "merged_into",
            "registered_by",
            "centre__unit",
            "registered_centre__unit",
        )
        .prefetch_related(*_timeline_prefetches())
        .get(pk=ticket.pk)
    )


ORIGINS = {"own": "自办件", "transferred": "转办件"}


def _centre_filter(qs: QuerySet[Ticket], centre: str | None, origin: str | None):
    """Tickets of a hotline centre: registered at it or held by it; ``origin`` own (自办件)
    or transferred (转办件, received from the centre above)."""
    if origin not in (None, "") and origin not in ORIGINS:
        raise BadInput("origin", f"one of {', '.join(ORIGINS)}")
    if centre in (None, ""):
        if origin:
            raise BadInput("centre", "origin needs the centre it is relative to")
        return qs
    found = HotlineCentre.objects.filter(unit__code=centre).first()
    if found is None:
        raise BadInput("centre", f"no hotline centre {centre!r}")
    if origin == "own":
        return qs.filter(registered_centre=found)
    if origin == "transferred":
        return qs.filter(centre=found).exclude(registered_centre=found)
    return qs.filter(Q(registered_centre=found) | Q(centre=found))


def ticket_list(
    user,
    *,
    status: str | None = None,
    unit: str | None = None,
    q: str | None = None,
    centre: str | None = None,
    origin: str | None = None,
) -> QuerySet[Ticket]:
    grants = grants_for(user)
    if not grants.reads_tickets:
        raise Forbidden("this role may not list tickets")
    qs = tickets_visible_to(user)
    if status:
        statuses = [s for s in status.split(",") if s]
        bad = [s for s in statuses if s not in workflow.STATUSES]
        if bad:
            raise BadInput(
                "status", f"unknown status {bad[0]!r}; one of {', '.join(workflow.STATUSES)}"
            )
        qs = qs.filter(status__in=statuses)
    if unit:
        node = Unit.objects.filter(code=unit).first()
        if node is None:
            raise BadInput("unit", f"no unit with code {unit!r}")
        qs = qs.filter(unit__path__startswith=node.path)
    qs = _centre_filter(qs, centre, origin)
    if q:
        q = q.strip()[:100]
        text = (
            Q(number=q) | Q(title__icontains=q) | Q(content__icontains=q) | Q(address__icontains=q)
        )
        if grants.sees_all:
            # Only the centre may find a ticket by the citizen's phone.
            text |= Q(citizen_phone=q)
        qs = qs.filter(text)
    return (
        qs.select_related("unit", "centre__unit", "registered_centre__unit")
        .prefetch_related(
            Prefetch("clocks", queryset=Clock.objects.filter(stopped_at__isnull=True))
        )
        .order_by("-registered_at", "-pk")
    )


def attachments_of(ticket: Ticket) -> list[Attachment]:
    """The attachments of a ticket the caller already may see, without their bytes, in
    timeline order (one query)."""
    return list(Attachment.objects.filter(ticket=ticket).defer("data"))


def attachment_get_visible(user, number: str, attachment_id: int) -> Attachment:
    """One attachment with its bytes, for a user who may see its ticket; NotFound otherwise
    (also for the id of another ticket's attachment)."""
    ticket = ticket_get_visible(user, number)
    found = Attachment.objects.filter(ticket=ticket, pk=attachment_id).first()
    if found is None:
        raise NotFound(f"no attachment {attachment_id} on ticket {number}")
    return found
