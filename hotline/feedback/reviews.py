"""Third-party review: assigning dissatisfied tickets to evaluators, the structured verdict, and
the supervisors' re-check of a random sample of verdicts (DESIGN sections 4 and 7).

``review_step`` runs in the ticket's ``review`` transition (registered with
``tickets.extensions.after_register`` by this app's ``ready``; inside its transaction, the ticket
row locked); everything else here is called by the API, the admin or
the periodic task.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from hotline.accounts.models import Membership
from hotline.accounts.roles import Role
from hotline.accounts.selectors import grants_for
from hotline.core.errors import BadInput, CalendarMissing, Conflict, Forbidden, NotFound
from hotline.orgs.models import HotlineCentre, Region
from hotline.tickets import workflow
from hotline.tickets.extensions import WarningNotice
from hotline.tickets.models import Clock, Ticket, TicketEvent
from hotline.workcal.calc import WORKING_DAYS, Limit, deadline_for
from hotline.workcal.selectors import get_calendar

from . import assignment
from .models import Evaluator, ReviewAssignment, VerdictCheck, VerdictSample
from .verdicts import judgements_clean

ASSIGNERS = frozenset({Role.SYSTEM, Role.SUPERVISOR, Role.ADMIN})
CHECKERS = frozenset({Role.SUPERVISOR, Role.ADMIN})
REVIEW_DAYS = 5  # default review clock, working days (settings.HOTLINE_REVIEW_DAYS)


def _ids(path: str) -> list[int]:
    return [int(p) for p in path.strip("/").split("/") if p]


def _district_ids() -> frozenset[int]:
    return frozenset(Region.objects.filter(level="district").values_list("pk", flat=True))


def ticket_conflicts(ticket: Ticket, districts: frozenset[int]) -> frozenset:
    """The unit concerned (the holding unit and its ancestors below the root) and the districts
    concerned (of the ticket's place and of the holding unit's region)."""
    keys: set = set()
    unit = ticket.unit
    if unit is not None:
        keys |= {("unit", pk) for pk in _ids(unit.path)[1:] or [unit.pk]}
        if unit.region is not None:
            keys |= {("district", pk) for pk in _ids(unit.region.path) if pk in districts}
    if ticket.region is not None:
        keys |= {("district", pk) for pk in _ids(ticket.region.path) if pk in districts}
    return frozenset(keys)


def evaluator_conflicts(evaluator: Evaluator, districts: frozenset[int]) -> frozenset:
    """The units an evaluator belongs to, their districts, and the districts named directly."""
    keys: set = set()
    for unit in evaluator.units.all():
        keys.add(("unit", unit.pk))
        if unit.region is not None:
            keys |= {("district", pk) for pk in _ids(unit.region.path) if pk in districts}
    keys |= {("district", region.pk) for region in evaluator.districts.all()}
    return frozenset(keys)


def evaluator_centres(evaluator: Evaluator) -> frozenset | None:
    """The district centres an evaluator reviews for (their evaluator role held at a district's
    centre), or None when they hold it city-wide."""
    grants = grants_for(evaluator.user)
    if Role.EVALUATOR in grants.city_roles:
        return None
    return frozenset(c for c, roles in grants.by_centre.items() if Role.EVALUATOR in roles)


def _ancestry(centre_id: int | None, parents: Mapping[int, int | None]) -> frozenset[int]:
    """The ticket's centre and those above it (None: the city's centre)."""
    if centre_id is None:
        return frozenset(c for c, parent in parents.items() if parent is None)
    chain: set[int] = set()
    while centre_id is not None and centre_id not in chain:
        chain.add(centre_id)
        centre_id = parents.get(centre_id)
    return frozenset(chain)


def evaluators_available():
    """Active evaluators whose login is active and holds the evaluator role."""
    with_role = Membership.objects.filter(role=Role.EVALUATOR, unit__active=True).values("user_id")
    return (
        Evaluator.objects.filter(active=True, user__is_active=True, user_id__in=with_role)
        .select_related("user")
        .prefetch_related("units__region", "districts")
        .order_by("pk")
    )


def _review_clocks(ticket_ids: list[int]) -> dict[int, tuple[datetime | None, datetime | None]]:
    """The running review clock of each ticket (started by the dissatisfied follow-up):
    ``{ticket id: (yellow_at, due_at)}``."""
    rows = (
        Clock.objects.filter(ticket_id__in=ticket_ids, kind="review", stopped_at__isnull=True)
        .order_by("ticket_id", "started_at", "pk")
        .values_list("ticket_id", "yellow_at", "due_at")
    )
    return {ticket_id: (yellow, due) for ticket_id, yellow, due in rows}


def _review_clock(start: datetime) -> tuple[datetime | None, datetime | None]:
    """A review clock from ``start``, for a ticket that went under review before the review
    clock was one of the ticket's clocks."""
    days = float(getattr(settings, "HOTLINE_REVIEW_DAYS", REVIEW_DAYS))
    try:
        deadline = deadline_for(get_calendar(), start, Limit(days, WORKING_DAYS))
    except CalendarMissing:
        return None, None
    return deadline.yellow_at, deadline.due_at


def reviews_assign(*, actor, seed: int | None = None, now: datetime | None = None) -> dict:
    """Give every ticket under review that has no open assignment to an evaluator.

    Returns ``{"seed", "assigned", "unassigned": [numbers nobody may take]}``; the same seed on
    the same tickets and roster gives the same assignment."""
    if not grants_for(actor).roles & ASSIGNERS:
        raise Forbidden("only supervisors, admins and the platform assign reviews")
    now = now or timezone.now()
    seed = random.SystemRandom().randrange(2**62) if seed is None else seed
    districts = _district_ids()
    open_ = ReviewAssignment.objects.filter(done_at__isnull=True)
    tickets = list(
        Ticket.objects.filter(status=workflow.UNDER_REVIEW)
        .exclude(pk__in=open_.values("ticket_id"))
        .select_related("unit__region", "region")
        .order_by("pk")
    )
    if not tickets:
        return {"seed": seed, "assigned": 0, "unassigned": []}
    evaluators = list(evaluators_available())
    loads: dict[int, int] = {}
    for evaluator_id in open_.values_list("evaluator_id", flat=True):
        loads[evaluator_id] = loads.get(evaluator_id, 0) + 1
    parents = dict(HotlineCentre.objects.filter(active=True).values_list("id", "parent_id"))
    cases = [
        assignment.Case(t.pk, ticket_conflicts(t, districts), _ancestry(t.centre_id, parents))
        for t in tickets
    ]
    candidates = [
        assignment.Candidate(
            e.pk, evaluator_conflicts(e, districts), loads.get(e.pk, 0), evaluator_centres(e)
        )
        for e in evaluators
    ]
    chosen, left = assignment.assign(cases, candidates, seed=seed)
    by_pk = {t.pk: t for t in tickets}
    running = _review_clocks(list(chosen))
    created = 0
    for ticket_pk, evaluator_pk in chosen.items():
        yellow_at, due_at = running.get(ticket_pk) or _review_clock(now)
        try:
            with transaction.atomic():
                ReviewAssignment.objects.create(
                    ticket_id=ticket_pk,
                    evaluator_id=evaluator_pk,
                    round=by_pk[ticket_pk].redo_count,
                    seed=seed,
                    assigned_at=now,
                    yellow_at=yellow_at,
                    due_at=due_at,
                )
            created += 1
        except IntegrityError:
            continue  # another run assigned this ticket meanwhile
    return {
        "seed": seed,
        "assigned": created,
        "unassigned": sorted(by_pk[pk].number for pk in left),
    }


def review_step(ctx) -> dict:
    """The step the ``review`` action runs after its own handler (``tickets.extensions``)."""
    return review_verdict_data(ticket=ctx.ticket, actor=ctx.actor, data=ctx.data, at=ctx.now)


def review_verdict_data(*, ticket: Ticket, actor, data, at: datetime) -> dict:
    """Called by the ``review`` transition: check the four judgements (400 naming the field)
    and that the reviewer is the assigned evaluator (403 otherwise), close the assignment, and
    return what the review event records besides the verdict."""
    judgements = judgements_clean(data.get("judgements"))
    out: dict = {"judgements": judgements}
    current = (
        ReviewAssignment.objects.select_for_update()
        .filter(ticket=ticket, done_at__isnull=True)
        .select_related("evaluator__user")
        .first()
    )
    if current is not None:
        if current.evaluator.user_id != getattr(actor, "pk", None):
            raise Forbidden("this ticket is assigned to another evaluator")
        current.done_at = at
        current.event_seq = ticket.last_seq + 1
        current.save(update_fields=["done_at", "event_seq"])
        out["assignment"] = {
            "evaluator": actor.username,
            "due_at": current.due_at.isoformat() if current.due_at else None,
            "on_time": (at <= current.due_at) if current.due_at else None,
        }
    return out


# --- the review clock's warnings -----------------------------------------------------------------


def review_coordinators() -> list[Evaluator]:
    """The evaluators' coordinators on the roster whose login is active."""
    return list(
        Evaluator.objects.filter(coordinator=True, active=True, user__is_active=True)
        .select_related("user")
        .order_by("pk")
    )


def review_warning_notices(ticket: Ticket, clock: Clock, level: str) -> list[WarningNotice]:
    """Who a warning of the review clock goes to, by SMS (registered with
    ``tickets.extensions.warning_notices_register``; called by the warning scanner under the
    ticket's lock): the evaluator the ticket is assigned to, yellow or red; the evaluators'
    coordinators when it is red, or when nobody is assigned yet. A coordinator without a phone
    (or no coordinator at all) is written as a notice without a recipient, so the gap shows."""
    current = (
        ReviewAssignment.objects.filter(ticket=ticket, done_at__isnull=True)
        .select_related("evaluator__user")
        .first()
    )
    notices = []
    if current is not None:
        evaluator = current.evaluator
        notices.append(
            WarningNotice(f"review_{level}", "sms", evaluator.user.phone, f"评价员 {evaluator}")
        )
    if level == "red" or current is None:
        kind = "review_overdue" if level == "red" else "review_unassigned"
        assignee = current.evaluator.pk if current is not None else None
        coordinators = review_coordinators()
        if not coordinators:
            notices.append(WarningNotice(kind, "sms", "", "评价员协调人"))
        for coordinator in (c for c in coordinators if c.pk != assignee):
            notices.append(
                WarningNotice(
                    kind,
                    "sms",
                    coordinator.user.phone,
                    f"评价员协调人 {coordinator}",
                    tag=str(coordinator.pk),
                )
            )
    return notices


# --- re-checking verdicts ---------------------------------------------------------------------


def _local_range(first: date, last: date) -> tuple[datetime, datetime]:
    tz = timezone.get_default_timezone()
    return (
        datetime.combine(first, time.min, tzinfo=tz),
        datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz),
    )


def verdicts_sample(
    *, actor, date_from: date, date_to: date, size: int, seed: int | None = None
) -> VerdictSample:
    """Draw ``size`` review verdicts given between the two local days (both included) for a
    supervisor to re-check. The same seed over the same verdicts draws the same sample."""
    if not grants_for(actor).roles & CHECKERS:
        raise Forbidden("only supervisors and admins re-check verdicts")
    if date_to < date_from:
        raise BadInput("date_to", "earlier than date_from")
    if not 1 <= size <= 1000:
        raise BadInput("size", "between 1 and 1000")
    seed = random.SystemRandom().randrange(2**62) if seed is None else seed
    low, high = _local_range(date_from, date_to)
    events = {
        (e.ticket_id, e.seq): e
        for e in TicketEvent.objects.filter(action="review", at__gte=low, at__lt=high).only(
            "ticket_id", "seq", "actor_name", "data"
        )
    }
    picked = assignment.sample(list(events), size, seed=seed)
    with transaction.atomic():
        drawn = VerdictSample.objects.create(
            seed=seed,
            date_from=date_from,
            date_to=date_to,
            size=size,
            drawn_by=actor.username,
        )
        VerdictCheck.objects.bulk_create(
            VerdictCheck(
                sample=drawn,
                ticket_id=key[0],
                event_seq=key[1],
                evaluator=events[key].actor_name,
                verdict=(events[key].data or {}).get("verdict", ""),
            )
            for key in picked
        )
    return drawn


def verdict_check_record(*, actor, check_id: int, agrees: object, note: object) -> VerdictCheck:
    if not grants_for(actor).roles & CHECKERS:
        raise Forbidden("only supervisors and admins re-check verdicts")
    if not isinstance(agrees, bool):
        raise BadInput("agrees", "required, true or false")
    if note is not None and not isinstance(note, str):
        raise BadInput("note", "must be a string")
    note = (note or "").strip()
    if not agrees and not note:
        raise BadInput("note", "required when the verdict is not upheld")
    with transaction.atomic():
        check = VerdictCheck.objects.select_for_update().filter(pk=check_id).first()
        if check is None:
            raise NotFound(f"no verdict check {check_id}")
        if check.checked_at is not None:
            raise Conflict("this verdict was already re-checked")
        check.agrees = agrees
        check.note = note
        check.checked_by = actor.username
        check.checked_at = timezone.now()
        check.save(update_fields=["agrees", "note", "checked_by", "checked_at"])
    return check
