"""Yellow and red warnings: the scanner that turns crossed clock moments into notifications.

Each (clock, level) is warned at most once, whatever the number of scanners: the clock row's
``yellow_warned_at`` / ``red_warned_at`` is claimed with a conditional UPDATE in the same
transaction that writes the outbox rows and the ticket's timeline event, after the ticket row
is locked (the same lock order as every ticket change, so no deadlock). An outbox row's
idempotency key (``<kind>:<clock id>``) is unique, a second line of defence.

Who is told (DESIGN section 5): yellow by SMS to the unit's deputy leader in charge (分管领导),
red to its principal leader (主要领导); a yellow accept clock also sends an accept reminder to
the unit's contact phone, a yellow handling or supervision clock a voice reminder call to it.
Clocks of the centre (dispatch, follow-up) go to the centre's leaders.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from hotline.accounts.selectors import SYSTEM
from hotline.notifications.services import outbox_enqueue
from hotline.orgs.models import Unit
from hotline.tickets import workflow
from hotline.tickets.models import Clock, Ticket
from hotline.tickets.serializers import iso
from hotline.tickets.services import ticket_transition

log = logging.getLogger("hotline.warnings")

YELLOW, RED = "yellow", "red"
# The transfer clock is judged (a late forward costs the forwarding unit a point) but not
# warned: a unit that handles a ticket itself never forwards, and its accept clock warns it.
WARNED_CLOCKS = ("dispatch", "accept", "handle", "follow_up", "supervision")


@dataclass(frozen=True)
class Notice:
    kind: str
    channel: str
    recipient: str
    who: str  # for the log when the phone is missing


def _unit_for(clock: Clock) -> Unit | None:
    if clock.unit_id:
        return clock.unit
    return Unit.objects.filter(code=getattr(settings, "HOTLINE_CENTRE_UNIT", "center")).first()


def notices_for(clock: Clock, level: str, unit: Unit | None) -> list[Notice]:
    """The notifications one warning sends."""
    if unit is None:
        return []
    if level == RED:
        return [Notice("red", "sms", unit.principal_leader_phone, f"{unit.name} 主要领导")]
    notices = [Notice("yellow", "sms", unit.deputy_leader_phone, f"{unit.name} 分管领导")]
    if clock.kind == "accept":
        notices.append(
            Notice("accept_reminder", "sms", unit.contact_phone, f"{unit.name} 联系电话")
        )
    if clock.kind in ("handle", "supervision"):
        notices.append(
            Notice("voice_reminder", "voice", unit.contact_phone, f"{unit.name} 联系电话")
        )
    return notices


def warnings_due(now: datetime, limit: int = 1000) -> list[tuple[int, str]]:
    """(clock id, level) of running clocks whose red or yellow moment has passed unwarned.
    A clock already overdue gets only its red warning."""
    running = Clock.objects.filter(
        stopped_at__isnull=True, ticket__status__in=workflow.OPEN_STATUSES, kind__in=WARNED_CLOCKS
    )
    red = running.filter(due_at__lte=now, red_warned_at__isnull=True).order_by("due_at")
    yellow = running.filter(
        Q(due_at__gt=now), yellow_at__lte=now, yellow_warned_at__isnull=True
    ).order_by("yellow_at")
    due = [(pk, RED) for pk in red.values_list("pk", flat=True)[:limit]]
    due += [(pk, YELLOW) for pk in yellow.values_list("pk", flat=True)[: max(0, limit - len(due))]]
    return due


def warning_send(*, clock_id: int, level: str, now: datetime | None = None) -> bool:
    """Send one warning of one clock, once. Returns False when another scanner already did,
    or the clock stopped meanwhile."""
    now = now or timezone.now()
    with transaction.atomic():
        ticket_id = Clock.objects.filter(pk=clock_id).values_list("ticket_id", flat=True).first()
        if ticket_id is None:
            return False
        ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
        claim = {f"{level}_warned_at": now}
        if level == RED:
            Clock.objects.filter(pk=clock_id, yellow_warned_at__isnull=True).update(
                yellow_warned_at=now
            )
        claimed = Clock.objects.filter(
            pk=clock_id, stopped_at__isnull=True, **{f"{level}_warned_at__isnull": True}
        ).update(**claim)
        if not claimed or ticket.status not in workflow.OPEN_STATUSES:
            return False
        clock = Clock.objects.select_related("unit").get(pk=clock_id)
        unit = _unit_for(clock)
        sent, missing = [], []
        for notice in notices_for(clock, level, unit):
            if not notice.recipient:
                # Written all the same: the worker fails the row with a clear error, so the
                # gap shows in the outbox admin as well as in the log and the event.
                missing.append(notice.who)
                log.error(
                    "warning %s of ticket %s clock %s: %s has no phone",
                    level,
                    ticket.number,
                    clock.kind,
                    notice.who,
                )
            outbox_enqueue(
                kind=notice.kind,
                channel=notice.channel,
                recipient=notice.recipient,
                template=notice.kind,
                params={
                    "number": ticket.number,
                    "title": ticket.title or ticket.content[:30],
                    "unit": unit.name if unit else "",
                    "clock": workflow.CLOCKS[clock.kind],
                    "due_at": timezone.localtime(clock.due_at).strftime("%Y-%m-%d %H:%M")
                    if clock.due_at
                    else "",
                },
                key=f"{notice.kind}:{clock.pk}",
                ticket=ticket,
            )
            if notice.recipient:
                sent.append(notice.kind)
        data = {
            "clock": clock.kind,
            "warning": level,
            "unit": unit.code if unit else None,
            "due_at": iso(clock.due_at),
            "notified": sent,
        }
        if missing:
            data["missing_phone"] = missing
        ticket_transition(actor=SYSTEM, number=ticket.number, action="warn", data=data)
    return True


def warnings_scan(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Send every warning that is due. Safe to run in several processes at once."""
    now = now or timezone.now()
    sent = 0
    for clock_id, level in warnings_due(now, limit):
        if warning_send(clock_id=clock_id, level=level, now=now):
            sent += 1
    return sent
