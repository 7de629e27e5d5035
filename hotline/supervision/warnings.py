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
import time
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
    """(clock id, level) of running clocks whose red or yellow moment has passed unwarned, the
    earliest moment first whatever the level (a backlog of reds never starves the yellows).
    A clock already overdue gets only its red warning, which says the yellow was skipped."""
    running = Clock.objects.filter(
        stopped_at__isnull=True, ticket__status__in=workflow.OPEN_STATUSES, kind__in=WARNED_CLOCKS
    )
    red = running.filter(due_at__lte=now, red_warned_at__isnull=True).order_by("due_at")
    yellow = running.filter(
        Q(due_at__gt=now), yellow_at__lte=now, yellow_warned_at__isnull=True
    ).order_by("yellow_at")
    due = [(moment, pk, RED) for pk, moment in red.values_list("pk", "due_at")[:limit]]
    due += [(moment, pk, YELLOW) for pk, moment in yellow.values_list("pk", "yellow_at")[:limit]]
    due.sort()
    return [(pk, level) for _, pk, level in due[:limit]]


def warning_send(*, clock_id: int, level: str, now: datetime | None = None) -> bool:
    """Send one warning of one clock, once. Returns False when another scanner already did or
    is doing it (the ticket is locked: skipped, not waited for), or the clock stopped."""
    now = now or timezone.now()
    with transaction.atomic():
        ticket_id = Clock.objects.filter(pk=clock_id).values_list("ticket_id", flat=True).first()
        if ticket_id is None:
            return False
        ticket = Ticket.objects.select_for_update(skip_locked=True).filter(pk=ticket_id).first()
        if ticket is None:
            return False  # a scanner or a user holds it; the next scan comes back to it
        claim = {f"{level}_warned_at": now}
        yellow_skipped = False
        if level == RED:
            yellow_skipped = bool(
                Clock.objects.filter(pk=clock_id, yellow_warned_at__isnull=True).update(
                    yellow_warned_at=now
                )
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
        if yellow_skipped:
            data["yellow_skipped"] = True
            log.warning(
                "ticket %s clock %s went red before its yellow was sent", ticket.number, clock.kind
            )
        ticket_transition(actor=SYSTEM, number=ticket.number, action="warn", data=data)
    return True


def warnings_scan(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Send up to ``limit`` warnings that are due at ``now``. Safe to run in several processes
    at once. Each warning is stamped with the moment it is sent (or ``now`` when given)."""
    fixed = now
    now = now or timezone.now()
    sent = 0
    for clock_id, level in warnings_due(now, limit):
        if warning_send(clock_id=clock_id, level=level, now=fixed):
            sent += 1
    return sent


def warnings_scan_until_done(*, budget_seconds: float = 50.0, batch: int = 500) -> int:
    """Scan again and again until nothing is due or the time budget is spent (the periodic
    task: one tick must not cap the throughput at one batch per period)."""
    started = time.monotonic()
    total = 0
    while time.monotonic() - started < budget_seconds:
        sent = warnings_scan(limit=batch)
        total += sent
        if sent == 0:
            break
    return total
