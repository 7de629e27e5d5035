"""Reads of the Open311 channel: the service list (leaves of the dispatch catalogue) and the
requests the public endpoint publishes.

GET requests needs no key (the spec), so what it shows is a publication scope, not a user's
view: it starts from the ticket selector (``tickets_visible_to``) as the platform itself, then
keeps only what ``HOTLINE_OPEN311_PUBLISH`` allows: ``api`` (default) the requests filed
through Open311; ``all`` every ticket. Either way never a confidential ticket nor a report
(举报), and never the complainant's name or phone (they are not in the format at all)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from hotline.accounts.selectors import SYSTEM
from hotline.orgs.models import Category
from hotline.tickets.models import Clock, Ticket
from hotline.tickets.selectors import tickets_visible_to
from hotline.tickets.workflow import OPEN_STATUSES

from ..models import Open311Attribute, Open311Request
from .formats import MAX_RESULTS


def services_list() -> QuerySet[Category]:
    """The leaves of the catalogue that are in use: the service types a request may name."""
    return (
        Category.objects.filter(active=True, children__isnull=True)
        .select_related("parent__parent")
        .annotate(has_attributes=Exists(Open311Attribute.objects.filter(category=OuterRef("pk"))))
        .order_by("code")
    )


def service_get(code: str) -> Category | None:
    return services_list().filter(code=code).first()


def service_attributes(category: Category) -> list[Open311Attribute]:
    """The extra fields the service asks for, in their order (its definition's attributes)."""
    return list(Open311Attribute.objects.filter(category=category).order_by("order", "code"))


def published_tickets() -> QuerySet[Ticket]:
    scope = getattr(settings, "HOTLINE_OPEN311_PUBLISH", "api")
    tickets = tickets_visible_to(SYSTEM).exclude(citizen_confidential=True).exclude(kind="report")
    if scope != "all":
        tickets = tickets.filter(open311__isnull=False)
    return tickets


def _with_details(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    return tickets.select_related("category", "unit", "region", "merged_into").prefetch_related(
        Prefetch(
            "clocks",
            queryset=Clock.objects.filter(kind="handle", stopped_at__isnull=True),
            to_attr="open_handle_clocks",
        )
    )


def requests_by_ids(ids: list[str]) -> list[Ticket]:
    """The requests named (ticket numbers), in the order asked; unknown ones are left out."""
    found = {t.number: t for t in _with_details(published_tickets().filter(number__in=ids))}
    return [found[number] for number in dict.fromkeys(ids) if number in found]


def requests_search(
    *, codes: list[str], statuses: set[str], start: datetime, end: datetime
) -> list[Ticket]:
    tickets = published_tickets().filter(registered_at__gte=start, registered_at__lte=end)
    if codes:
        tickets = tickets.filter(category__code__in=codes)
    if statuses == {"open"}:
        tickets = tickets.filter(status__in=OPEN_STATUSES)
    elif statuses == {"closed"}:
        tickets = tickets.exclude(status__in=OPEN_STATUSES)
    return list(_with_details(tickets).order_by("-registered_at", "-pk")[:MAX_RESULTS])


def requests_by_token(token: str, *, key_id: int | None = None) -> list[Open311Request]:
    rows = Open311Request.objects.filter(token=token, ticket__in=published_tickets())
    if key_id is not None:
        rows = rows.filter(key_id=key_id)
    return list(rows.select_related("ticket").order_by("pk")[:MAX_RESULTS])


def request_extra(tickets: list[Ticket]) -> dict[int, Open311Request]:
    """The Open311 fields of those tickets that came through Open311, by ticket id."""
    rows = Open311Request.objects.filter(ticket__in=[t.pk for t in tickets])
    return {row.ticket_id: row for row in rows}
