"""The work queues of the centre's and the units' roles (the console's home pages): reads
only, each starting from ``tickets_visible_to`` and scoped as the transition table scopes the
role, so that every ticket of a queue is one the user may act on there:

* a dispatcher acts on the tickets of the centres where they hold the role (the city's centre
  for a city-wide dispatcher: tickets of no centre or of the root centre; a district's centre:
  its own), ``workflow`` scope CENTRE;
* a unit handler on the tickets their unit holds (scope HOLDING_UNIT);
* a sub-dispatcher forwards what their unit holds and follows what its sub-tree holds;
* a unit leader follows what the unit's sub-tree holds.

Each queue is ordered by the clock that matters for it (the deadline of its running clock of
that kind, soonest first; tickets whose deadline waits for a calendar year last) and comes
with that clock's deadline, yellow moment and limit unit annotated (``queue_due_at``,
``queue_yellow_at``, ``queue_limit_unit``) and the running clocks prefetched for the ticket's
warning level: a constant number of queries whatever the page size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from operator import or_

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hotline.accounts.roles import Role
from hotline.accounts.selectors import Grants, grants_for
from hotline.core.errors import CalendarMissing, Forbidden, NotFound
from hotline.orgs.models import HotlineCentre, Unit
from hotline.workcal.selectors import get_calendar
from hotline.workcal.timeleft import DAYS_UNIT, HOURS_UNIT, TimeLeft, time_left

from . import extensions, workflow
from .choices import ClockKind, ExtensionStatus
from .clocks import ticket_warning
from .models import Clock, Ticket, TicketEvent
from .selectors import tickets_visible_to


@dataclass(frozen=True)
class Queue:
    """One list of a role's home: its key (``?queue=``), its label, the clock it runs by."""

    key: str
    label: str
    clock: str
    hint: str = ""


DISPATCHER_QUEUES = (
    Queue("to_dispatch", "待派单", ClockKind.DISPATCH, "新登记的工单，按转办时限排序"),
    Queue(
        "sent_back", "退单待处理", ClockKind.DISPATCH, "承办单位退回的工单：改派或裁定退单不成立"
    ),
    Queue("passed_up", "下级中心上报", ClockKind.DISPATCH, "区级热线认为不属本区、上报市级的工单"),
    Queue("extensions", "延期待审批", ClockKind.HANDLE, "承办单位申请延期，等待审批"),
    Queue(
        "duplicates", "疑似重复待并单", ClockKind.DISPATCH, "与另一件在办工单同一诉求人或同一事件"
    ),
    Queue(
        "weak_replies",
        "答复质量偏低",
        ClockKind.FOLLOW_UP,
        "已回复、但答复检查未通过的工单（未回应诉求、缺结果、缺理由或联系人）：回访前核实",
    ),
)
HANDLER_QUEUES = (
    Queue("to_accept", "待签收", ClockKind.ACCEPT, "派给本单位的工单，按签收时限排序"),
    Queue("in_progress", "办理中", ClockKind.HANDLE, "本单位已签收的工单，按办理时限排序"),
    Queue("replied", "已回复待回访", ClockKind.FOLLOW_UP, "本单位已回复、等待回访的工单"),
)
SUB_DISPATCHER_QUEUES = (
    Queue("to_forward", "待下派", ClockKind.TRANSFER, "派给本单位、可下派到下级单位的工单"),
    Queue("below_to_accept", "下级待签收", ClockKind.ACCEPT, "已下派、下级单位尚未签收"),
    Queue("below_in_progress", "下级办理中", ClockKind.HANDLE, "下级单位办理中的工单"),
    Queue("below_replied", "下级已回复", ClockKind.FOLLOW_UP, "下级单位已回复、等待回访"),
)
UNIT_LEADER_QUEUES = (
    Queue("below_to_accept", "待签收", ClockKind.ACCEPT, "本单位及下级单位尚未签收的工单"),
    Queue("below_in_progress", "办理中", ClockKind.HANDLE, "本单位及下级单位办理中的工单"),
    Queue("below_replied", "已回复待回访", ClockKind.FOLLOW_UP, "本单位及下级单位已回复的工单"),
)
QUEUES: dict[Role, tuple[Queue, ...]] = {
    Role.DISPATCHER: DISPATCHER_QUEUES,
    Role.HANDLER: HANDLER_QUEUES,
    Role.SUB_DISPATCHER: SUB_DISPATCHER_QUEUES,
    Role.UNIT_LEADER: UNIT_LEADER_QUEUES,
}


def queues_of(role: Role) -> tuple[Queue, ...]:
    return QUEUES.get(role, ())


# --- scopes -----------------------------------------------------------------------------------


def _dispatcher_scope(grants: Grants, *, field: str = "centre") -> Q:
    """The tickets of the centres (``field``: the holding one) where the user holds the
    dispatcher's role; a city-wide dispatcher's centre is the city's (no centre, or the root)."""
    district = [cid for cid, roles in grants.by_centre.items() if Role.DISPATCHER in roles]
    scope = Q(**{f"{field}_id__in": district}) if district else Q(pk__in=[])
    if Role.DISPATCHER in grants.city_roles:
        scope |= Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__parent__isnull": True})
    return scope


def _units_with(grants: Grants, role: Role) -> list[int]:
    return sorted(uid for uid, roles in grants.by_unit.items() if role in roles)


def _subtree_scope(grants: Grants, role: Role) -> Q:
    """Tickets held by the units where the user holds ``role`` or by a unit below them."""
    units = Unit.objects.filter(pk__in=_units_with(grants, role))
    paths = list(units.values_list("path", flat=True))
    if not paths:
        return Q(pk__in=[])
    return reduce(or_, (Q(unit__path__startswith=p) for p in paths))


def _duplicate_filter() -> Q:
    """Another open ticket of the same caller's phone: a candidate to merge (the ticket's page
    lists the similar tickets by text and place, with the merge button)."""
    same_phone = (
        Ticket.objects.filter(
            citizen_phone=OuterRef("citizen_phone"), status__in=list(workflow.OPEN_STATUSES)
        )
        .exclude(pk=OuterRef("pk"))
        .exclude(citizen_phone="")
    )
    return Q(Exists(same_phone)) & ~Q(citizen_phone="")


RETURNS = ("send_back", "pass_up")


def _returned_by(action: str) -> Q:
    """The ticket came back to the centre last by ``action``: a unit's send_back or a district
    centre's pass_up. Both leave ``send_back_unit`` set, and a district government can be both
    a handling unit and a district centre's unit, so the last such event tells them apart."""
    last = (
        TicketEvent.objects.filter(ticket=OuterRef(OuterRef("pk")), action__in=RETURNS)
        .order_by("-seq")
        .values("seq")[:1]
    )
    return Q(
        Exists(TicketEvent.objects.filter(ticket=OuterRef("pk"), action=action, seq=Subquery(last)))
    )


def _dispatcher_filter(key: str, grants: Grants) -> Q:
    scope = _dispatcher_scope(grants)
    registered = Q(status=workflow.REGISTERED)
    returned = registered & Q(send_back_unit__isnull=False)
    if key == "to_dispatch":
        return scope & registered & Q(send_back_unit__isnull=True)
    if key == "sent_back":
        return scope & returned & _returned_by("send_back")
    if key == "passed_up":
        return scope & returned & _returned_by("pass_up")
    if key == "extensions":
        # The centre that dispatched the ticket rules too (a city's 转办件 held in a district).
        scope |= _dispatcher_scope(grants, field="dispatched_by_centre")
        return scope & Q(status=workflow.IN_PROGRESS, extension_status=ExtensionStatus.REQUESTED)
    if key == "weak_replies":
        return _dispatcher_scope(grants, field="dispatched_by_centre") & _weak_reply_filter()
    # duplicates: the same caller's, and what the apps above add (insight: the same place and
    # leaf from other citizens, extensions.queue_filter_register).
    candidates = reduce(
        or_, (extra() for extra in extensions.QUEUE_FILTERS.get(key, ())), _duplicate_filter()
    )
    return scope & Q(status__in=[workflow.REGISTERED, workflow.DISPATCHED]) & candidates


def _weak_reply_filter() -> Q:
    """Replied, and the current reply failed the reply check recorded on its event when it went
    out (``check_ok`` false: the insight app's after-step on ``reply``)."""
    weak = TicketEvent.objects.filter(
        ticket=OuterRef("pk"), action="reply", at=OuterRef("replied_at"), data__check_ok=False
    )
    return Q(status=workflow.REPLIED) & Q(Exists(weak))


UNIT_QUEUE_STATES = {
    "to_accept": workflow.DISPATCHED,
    "in_progress": workflow.IN_PROGRESS,
    "replied": workflow.REPLIED,
    "to_forward": workflow.DISPATCHED,
    "below_to_accept": workflow.DISPATCHED,
    "below_in_progress": workflow.IN_PROGRESS,
    "below_replied": workflow.REPLIED,
}


def _filter(role: Role, key: str, grants: Grants) -> Q:
    """Which tickets the queue ``key`` of ``role`` holds (NotFound for a queue the role has not)."""
    if key not in {q.key for q in queues_of(role)}:
        raise NotFound(f"no queue {key!r} for the role {role}")
    if role is Role.DISPATCHER:
        return _dispatcher_filter(key, grants)
    where = (
        _subtree_scope(grants, role)
        if key.startswith("below_")
        else Q(unit_id__in=_units_with(grants, role))
    )
    return where & Q(status=UNIT_QUEUE_STATES[key])


def queue_tickets(user, role: Role, key: str) -> QuerySet[Ticket]:
    """The tickets of one queue of ``role``'s home for ``user``, ordered by the queue's clock.
    Forbidden when the user does not hold the role; NotFound for a queue the role has not."""
    grants = grants_for(user)
    if role not in grants.roles:
        raise Forbidden(f"the {role} queue is for users holding that role")
    queue = next((q for q in queues_of(role) if q.key == key), None)
    if queue is None:
        raise NotFound(f"no queue {key!r} for the role {role}")
    clock = Clock.objects.filter(
        ticket=OuterRef("pk"), kind=queue.clock, stopped_at__isnull=True
    ).order_by("-started_at", "-pk")
    qs = tickets_visible_to(user).filter(_filter(role, key, grants))
    if role in (Role.HANDLER, Role.SUB_DISPATCHER) and queue.clock in (
        ClockKind.ACCEPT,
        ClockKind.TRANSFER,
    ):
        # The clock of the unit that holds the ticket now (a forward starts the next one's).
        clock = clock.filter(unit_id=OuterRef("unit_id"))
    return (
        qs.annotate(
            queue_due_at=Subquery(clock.values("due_at")[:1]),
            queue_yellow_at=Subquery(clock.values("yellow_at")[:1]),
            queue_limit_unit=Subquery(clock.values("limit_unit")[:1]),
        )
        .select_related("unit", "send_back_unit")
        .prefetch_related(
            Prefetch("clocks", queryset=Clock.objects.filter(stopped_at__isnull=True))
        )
        .order_by(F("queue_due_at").asc(nulls_last=True), "registered_at", "pk")
    )


def queue_counts(user, role: Role) -> dict[str, int]:
    """How many tickets each queue of ``role`` holds for ``user`` (one query per queue)."""
    grants = grants_for(user)
    if role not in grants.roles:
        raise Forbidden(f"the {role} queue is for users holding that role")
    visible = tickets_visible_to(user)
    return {q.key: visible.filter(_filter(role, q.key, grants)).count() for q in queues_of(role)}


# --- time left ---------------------------------------------------------------------------------


def clock_time_left(
    now: datetime, due_at: datetime | None, limit_unit: str | None
) -> TimeLeft | None:
    """The time left on a clock with the working-day calendar (None when the clock has no
    deadline yet, or the calendar lacks a year it needs)."""
    if due_at is None or not limit_unit:
        return None
    try:
        return time_left(get_calendar(), now, due_at, limit_unit)
    except CalendarMissing:
        return None


def ticket_queue_warning(ticket: Ticket, now: datetime) -> str:
    """The ticket's warning level (its worst running clock), from the prefetched clocks."""
    return ticket_warning(ticket, now)


def time_left_label(left: TimeLeft | None) -> str:
    """``剩余 3 个工作日``, ``剩余 2 个工作小时``, ``已到期``, ``超期 3 天`` … in the user's
    language; "" when the clock has no deadline yet."""
    if left is None:
        return ""
    n = left.amount
    if left.due_now:
        return _("已到期")
    if left.late:
        if left.unit == DAYS_UNIT:
            return ngettext("超期 %(n)s 天", "超期 %(n)s 天", n) % {"n": n}
        if left.unit == HOURS_UNIT:
            return ngettext("超期 %(n)s 小时", "超期 %(n)s 小时", n) % {"n": n}
        return ngettext("超期 %(n)s 分钟", "超期 %(n)s 分钟", n) % {"n": n}
    if left.unit == DAYS_UNIT:
        return ngettext("剩余 %(n)s 个工作日", "剩余 %(n)s 个工作日", n) % {"n": n}
    if left.unit == HOURS_UNIT and left.working:
        return ngettext("剩余 %(n)s 个工作小时", "剩余 %(n)s 个工作小时", n) % {"n": n}
    if left.unit == HOURS_UNIT:
        return ngettext("剩余 %(n)s 小时", "剩余 %(n)s 小时", n) % {"n": n}
    return ngettext("剩余 %(n)s 分钟", "剩余 %(n)s 分钟", n) % {"n": n}


def centre_of(user) -> HotlineCentre | None:
    """The district centre where ``user`` holds a centre role, if any (for page titles)."""
    grants = grants_for(user)
    if not grants.by_centre:
        return None
    return HotlineCentre.objects.filter(pk__in=list(grants.by_centre)).first()


# --- the intake screen ---------------------------------------------------------------------------

HISTORY_LIMIT = 10


def phone_digits(phone: str) -> str:
    """A phone number as typed (spaces, dashes, +86) reduced to what is stored."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def caller_history(user, phone: str, *, limit: int = HISTORY_LIMIT) -> list[Ticket]:
    """The caller's earlier tickets, newest first: only for the centre's roles (units never
    find a ticket by the complainant's phone), among the tickets ``user`` may see. Forbidden
    for any other role; an empty list for a number too short to be one."""
    grants = grants_for(user)
    if not (grants.city_roles or grants.by_centre):
        raise Forbidden("only the hotline centre's roles look tickets up by the caller's phone")
    digits = phone_digits(phone)
    if len(digits) < 5:
        return []
    return list(
        tickets_visible_to(user)
        .filter(citizen_phone__in={phone.strip(), digits})
        .select_related("unit")
        .order_by("-registered_at", "-pk")[:limit]
    )
