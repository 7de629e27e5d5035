"""Reads of tickets. Every query starts from ``tickets_visible_to(user)``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import (
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)
from django.utils import timezone

from hotline.accounts.roles import Role
from hotline.accounts.selectors import grants_for
from hotline.core.errors import BadInput, Forbidden, NotFound
from hotline.core.search import TextMatch
from hotline.core.textsearch import is_ticket_number, query_terms
from hotline.orgs.models import Category, HotlineCentre, Region, Unit

from . import workflow
from .models import Attachment, Clock, Ticket, TicketAssignment, TicketEvent
from .search import TABLE as TICKET_TABLE

PHONE_QUERY = re.compile(r"^\+?[0-9\-]{3,20}$")


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


def visible_ticket_check(user) -> tuple[str, list] | None:
    """SQL true when the ticket whose id is ``{column}`` (to be replaced by the caller's column)
    is one of ``tickets_visible_to(user)``, and its parameters; None when ``user`` sees every
    ticket. For a statement that tests a few
    thousand candidate tickets one by one (the similar tickets): for a unit's roles the check is
    one probe of the candidate's own assignments by ticket id, never one probe per unit of the
    sub-tree and ticket as the planner chose for ``tickets_visible_to`` (ten times the index
    reads for a district of ten units); a district centre's roles, who also see the centre's
    own tickets, get that query itself."""
    grants = grants_for(user)
    if grants.sees_all:
        return None
    if grants.centre_paths:
        sql, params = tickets_visible_to(user).values("pk").query.sql_with_params()
        return f"EXISTS (SELECT 1 FROM ({sql}) v WHERE v.pk = {{column}})", list(params)
    if not grants.paths:
        return "1 = 0", []
    in_subtree = reduce(or_, (Q(path__startswith=path) for path in grants.paths))
    unit_ids = sorted(Unit.objects.filter(in_subtree).values_list("pk", flat=True))
    if not unit_ids:
        return "1 = 0", []
    assignments = TicketAssignment._meta.db_table
    if connection.vendor == "postgresql":
        # The array of the candidate's units, then an overlap test: the subquery has only the
        # ticket id to search by.
        return (
            f"ARRAY(SELECT a.unit_id FROM {assignments} a WHERE a.ticket_id = {{column}})"
            " && %s::bigint[]",
            [unit_ids],
        )
    marks = ", ".join(["%s"] * len(unit_ids))
    return (
        f"EXISTS (SELECT 1 FROM {assignments} a WHERE a.ticket_id = {{column}}"
        f" AND a.unit_id IN ({marks}))",
        unit_ids,
    )


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


SORTS = {"registered": "登记时间（新的在前）", "deadline": "办理时限（先到期的在前）"}
WARNINGS = ("none", "yellow", "red")


@dataclass(frozen=True)
class TicketFilters:
    """What a ticket list is narrowed by; every field optional. Codes name units, regions and
    categories (each with its sub-tree); dates are days in Asia/Shanghai, both included."""

    status: str | None = None
    unit: str | None = None
    q: str | None = None
    centre: str | None = None
    origin: str | None = None
    channel: str | None = None
    kind: str | None = None
    region: str | None = None
    category: str | None = None
    registered_from: date | None = None
    registered_to: date | None = None
    warning: str | None = None
    sort: str | None = None


def _one_of(field: str, value: str | None, allowed) -> str | None:
    if value in (None, ""):
        return None
    if value not in allowed:
        raise BadInput(field, f"unknown {field} {value!r}; one of {', '.join(allowed)}")
    return value


def _status_filter(qs: QuerySet[Ticket], status: str | None) -> QuerySet[Ticket]:
    if not status:
        return qs
    statuses = [s for s in status.split(",") if s]
    bad = [s for s in statuses if s not in workflow.STATUSES]
    if bad:
        raise BadInput(
            "status", f"unknown status {bad[0]!r}; one of {', '.join(workflow.STATUSES)}"
        )
    return qs.filter(status__in=statuses)


def _tree_filters(qs: QuerySet[Ticket], f: TicketFilters) -> QuerySet[Ticket]:
    """Unit (the holding unit in the named unit's sub-tree), region (sub-tree), category (the
    node and the catalogue levels below it)."""
    if f.unit:
        node = Unit.objects.filter(code=f.unit).first()
        if node is None:
            raise BadInput("unit", f"no unit with code {f.unit!r}")
        qs = qs.filter(unit__path__startswith=node.path)
    if f.region:
        region = Region.objects.filter(code=f.region).first()
        if region is None:
            raise BadInput("region", f"no region with code {f.region!r}")
        qs = qs.filter(region__path__startswith=region.path)
    if f.category:
        under = Category.objects.filter(
            Q(code=f.category) | Q(parent__code=f.category) | Q(parent__parent__code=f.category)
        ).values_list("pk", flat=True)
        ids = list(under)
        if not ids:
            raise BadInput("category", f"no category with code {f.category!r}")
        qs = qs.filter(category_id__in=ids)
    return qs


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _date_filters(qs: QuerySet[Ticket], f: TicketFilters) -> QuerySet[Ticket]:
    if f.registered_from and f.registered_to and f.registered_from > f.registered_to:
        raise BadInput("registered_to", "must not be before registered_from")
    if f.registered_from:
        qs = qs.filter(registered_at__gte=_day_start(f.registered_from))
    if f.registered_to:
        qs = qs.filter(registered_at__lt=_day_start(f.registered_to + timedelta(days=1)))
    return qs


def _open_clocks():
    return Clock.objects.filter(ticket=OuterRef("pk"), stopped_at__isnull=True)


def _warning_filter(qs: QuerySet[Ticket], warning: str | None, now: datetime) -> QuerySet[Ticket]:
    """The level ``clocks.ticket_warning`` shows: red when an open clock is past its deadline,
    yellow when one is past its yellow moment (and none is red), none otherwise."""
    if warning is None:
        return qs
    # From the running clocks alone (the partial index clock_running_yellow_unit: yellow moment,
    # ticket, deadline), not a probe per ticket: at a city's size a red list is thousands of
    # tickets among millions. A clock's yellow moment is never after its deadline, so the
    # yellow bound also narrows the red one.
    running = Clock.objects.filter(stopped_at__isnull=True, yellow_at__lte=now)
    red_clocks = running.filter(due_at__lte=now).values("ticket_id")
    flagged_clocks = running.filter(due_at__isnull=False).values("ticket_id")
    if warning == "none":
        return qs.filter(~Q(pk__in=flagged_clocks) & ~Q(pk__in=red_clocks))
    # The red or yellow tickets as a list of ids when there are not too many: handed a
    # subquery, PostgreSQL misjudges its size and hashes the whole ticket table instead (2.3 s
    # at 1,000,000 tickets with 4,000 red; 0.24 s for the whole page with the list).
    red = _ids_or_subquery(red_clocks)
    if warning == "red":
        return qs.filter(pk__in=red)
    flagged = _ids_or_subquery(flagged_clocks)
    if isinstance(red, set) and isinstance(flagged, set):
        return qs.filter(pk__in=flagged - red)
    return qs.filter(Q(pk__in=flagged) & ~Q(pk__in=red))


WARNING_ID_LIMIT = 20_000


def _ids_or_subquery(ticket_ids: QuerySet) -> set[int] | QuerySet:
    """The tickets of these clocks as a set of ids, or the subquery itself when there are more
    than ``WARNING_ID_LIMIT`` clocks (counted in clocks: a ticket may have several running)."""
    rows = list(ticket_ids.values_list("ticket_id", flat=True)[: WARNING_ID_LIMIT + 1])
    return set(rows) if len(rows) <= WARNING_ID_LIMIT else ticket_ids


def _text_filter(qs: QuerySet[Ticket], q: str | None, grants) -> QuerySet[Ticket]:
    """A ticket number matches exactly; otherwise the words of the query (jieba), all of them,
    in title, content or address (full-text index, ``hotline.core.search``). Only the centre
    may find a ticket by the citizen's phone."""
    q = (q or "").strip()[:100]
    if not q:
        return qs
    if is_ticket_number(q):
        return qs.filter(number=q)
    terms = query_terms(q)
    found = Q(TextMatch(terms, table=TICKET_TABLE, vector=True)) if terms else Q(pk__in=[])
    if grants.sees_all and PHONE_QUERY.match(q):
        found |= Q(citizen_phone=q)
    return qs.filter(found)


def _sorted(qs: QuerySet[Ticket], sort: str | None) -> QuerySet[Ticket]:
    if sort == "deadline":
        due = _open_clocks().filter(due_at__isnull=False).order_by("due_at").values("due_at")[:1]
        return qs.annotate(deadline=Subquery(due)).order_by(
            F("deadline").asc(nulls_last=True), "-registered_at", "-pk"
        )
    return qs.order_by("-registered_at", "-pk")


def ticket_list(user, filters: TicketFilters | None = None, **kwargs) -> QuerySet[Ticket]:
    """The tickets ``user`` may see, narrowed by ``filters`` (or the same names as keywords);
    ``BadInput`` names the first wrong filter."""
    f = filters or TicketFilters(**kwargs)
    grants = grants_for(user)
    if not grants.reads_tickets:
        raise Forbidden("this role may not list tickets")
    _one_of("channel", f.channel, workflow.CHANNELS)
    _one_of("kind", f.kind, workflow.KINDS)
    _one_of("warning", f.warning, WARNINGS)
    _one_of("sort", f.sort, SORTS)
    qs = _status_filter(tickets_visible_to(user), f.status)
    qs = _tree_filters(qs, f)
    qs = _centre_filter(qs, f.centre, f.origin)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    qs = _date_filters(qs, f)
    qs = _warning_filter(qs, f.warning or None, timezone.now())
    qs = _text_filter(qs, f.q, grants)
    return _sorted(
        # Everything a row of the list shows (ticket_view): no query per row.
        qs.select_related(
            "unit", "region", "category", "merged_into", "centre__unit", "registered_centre__unit"
        ).prefetch_related(
            Prefetch("clocks", queryset=Clock.objects.filter(stopped_at__isnull=True))
        ),
        f.sort,
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


# --- every step of every ticket, for the auditor ---------------------------------------------


def ticket_events_audited(
    user,
    *,
    actor: str | None = None,
    action: str | None = None,
    target: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[TicketEvent]:
    """Every step of every ticket (the tickets' own hash-chained timelines), newest first, for
    an auditor: who did what to which ticket and when. ``actor`` a username, ``action`` an
    action or its prefix, ``target`` a ticket number, ``since``/``until`` days (both included,
    in the platform's time zone). Forbidden for every other role: the auditor reads the log,
    and only the auditor reads it whole."""
    if Role.AUDITOR not in grants_for(user).roles:
        raise Forbidden("the audit log is for auditors")
    if since and until and until < since:
        raise BadInput("to", "before from")
    qs = TicketEvent.objects.select_related("ticket", "actor").order_by("-pk")
    if actor:
        qs = qs.filter(actor_name=actor)
    if action:
        qs = qs.filter(action__startswith=action)
    if target:
        qs = qs.filter(ticket__number=target)
    if since:
        qs = qs.filter(at__gte=timezone.make_aware(datetime.combine(since, time.min)))
    if until:
        qs = qs.filter(
            at__lt=timezone.make_aware(datetime.combine(until + timedelta(days=1), time.min))
        )
    return qs
