"""Yellow and red warnings: the scanner that turns crossed clock moments into notifications.

Each (clock, level) is warned at most once, whatever the number of scanners: the clock row's
``yellow_warned_at`` / ``red_warned_at`` is claimed with a conditional UPDATE in the same
transaction that writes the outbox rows and the ticket's timeline event, after the ticket row
is locked (the same lock order as every ticket change, so no deadlock). An outbox row's
idempotency key (``<kind>:<clock id>``) is unique, a second line of defence.

Who is told (DESIGN section 5): yellow by SMS to the unit's deputy leader in charge (分管领导),
red to its principal leader (主要领导); a yellow accept clock also sends an accept reminder to
the unit's contact phone, a yellow handling or supervision clock a voice reminder call to it.
Clocks of the centre (dispatch, follow-up) go to the centre's leaders. A clock kind whose
warnings go elsewhere names its recipients through ``tickets.extensions.
warning_notices_register``: the review clock (hotline.feedback) warns the assigned evaluator,
and on red the evaluators' coordinators too, with texts that name the ticket's number only.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from hotline.accounts.selectors import SYSTEM
from hotline.core.formatting import iso
from hotline.notifications.services import outbox_enqueue_many
from hotline.notifications.workgroups import workgroup_rows
from hotline.orgs.models import Unit
from hotline.tickets import extensions, workflow
from hotline.tickets.extensions import WarningNotice
from hotline.tickets.models import Clock, Ticket
from hotline.tickets.services import ticket_transition

log = logging.getLogger("hotline.warnings")

YELLOW, RED = "yellow", "red"
# The transfer clock is judged (a late forward costs the forwarding unit a point) but not
# warned: a unit that handles a ticket itself never forwards, and its accept clock warns it.
WARNED_CLOCKS = ("dispatch", "accept", "handle", "follow_up", "supervision", "review")

Notice = WarningNotice


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
    return warnings_send([(clock_id, level)], now=now).sent == 1


@dataclass
class BatchResult:
    sent: int = 0
    busy: int = 0  # skipped because another transaction held the ticket


def warnings_send(items: list[tuple[int, str]], *, now: datetime | None = None) -> BatchResult:
    """Send a batch of warnings in one transaction: lock the tickets (skipping any another
    transaction holds), read their clocks under the locks, claim every still-unwarned
    (clock, level) with one UPDATE per level, write all outbox rows with one INSERT, and record
    each warning on its ticket's timeline through ticket_transition. All or nothing: a crash
    anywhere leaves no claim without its outbox rows and event."""
    now = now or timezone.now()
    result = BatchResult()
    wanted: dict[int, set[str]] = {}
    for clock_id, level in items:
        wanted.setdefault(clock_id, set()).add(level)
    with transaction.atomic():
        tickets, clocks, result.busy = _lock(wanted)
        reds, yellows, skipped = _due_levels(clocks, wanted)
        if not reds and not yellows:
            return result
        _claim(reds, yellows, now)
        centre = _centre() if any(not c.unit_id for c in clocks) else None
        rows, events = [], []
        for level, batch in ((RED, reds), (YELLOW, yellows)):
            for clock in batch:
                ticket = tickets[clock.ticket_id]
                data = _warning_write(ticket, clock, level, clock.unit or centre, rows)
                if clock.pk in skipped:
                    data["yellow_skipped"] = True
                    log.warning(
                        "ticket %s clock %s went red before its yellow was sent",
                        ticket.number,
                        clock.kind,
                    )
                events.append((ticket, data))
        outbox_enqueue_many(rows)
        for ticket, data in events:
            ticket_transition(
                actor=SYSTEM, number=ticket.number, action="warn", data=data, locked=ticket
            )
            result.sent += 1
    return result


def _lock(wanted: dict[int, set[str]]) -> tuple[dict[int, Ticket], list[Clock], int]:
    """Lock the open tickets of the wanted clocks, skipping those another transaction holds;
    return them, their running wanted clocks and how many clocks were skipped as busy."""
    ticket_of = dict(Clock.objects.filter(pk__in=wanted).values_list("pk", "ticket_id").order_by())
    held = {
        t.pk: t
        for t in Ticket.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("unit", "category", "send_back_unit")
        .filter(pk__in=set(ticket_of.values()))
        .order_by("pk")
    }
    busy = sum(1 for tid in ticket_of.values() if tid not in held)
    tickets = {pk: t for pk, t in held.items() if t.status in workflow.OPEN_STATUSES}
    locked_ids = [pk for pk, tid in ticket_of.items() if tid in tickets]
    # Under the ticket locks the clocks cannot change (every clock change holds its ticket's
    # lock), so what is read here is what the claims will find.
    clocks = list(
        Clock.objects.select_related("unit")
        .filter(pk__in=locked_ids, stopped_at__isnull=True)
        .order_by("ticket_id", "pk")
    )
    return tickets, clocks, busy


def _due_levels(
    clocks: list[Clock], wanted: dict[int, set[str]]
) -> tuple[list[Clock], list[Clock], set[int]]:
    """The clocks to warn red, those to warn yellow, and the reds whose yellow never went."""
    reds, yellows, skipped = [], [], set()
    for clock in clocks:
        levels = wanted[clock.pk]
        if RED in levels and clock.red_warned_at is None:
            reds.append(clock)
            if clock.yellow_warned_at is None:
                skipped.add(clock.pk)
        elif YELLOW in levels and clock.yellow_warned_at is None:
            yellows.append(clock)
    return reds, yellows, skipped


def _claim(reds: list[Clock], yellows: list[Clock], now: datetime) -> None:
    """Mark the warnings sent, one UPDATE per level; a red also claims a yellow not sent."""
    if reds:
        claimed = Clock.objects.filter(
            pk__in=[c.pk for c in reds], stopped_at__isnull=True, red_warned_at__isnull=True
        ).update(red_warned_at=now, yellow_warned_at=Coalesce("yellow_warned_at", Value(now)))
        if claimed != len(reds):
            raise RuntimeError("warning claim changed under the ticket lock")
    if yellows:
        claimed = Clock.objects.filter(
            pk__in=[c.pk for c in yellows],
            stopped_at__isnull=True,
            yellow_warned_at__isnull=True,
        ).update(yellow_warned_at=now)
        if claimed != len(yellows):
            raise RuntimeError("warning claim changed under the ticket lock")


def _centre() -> Unit | None:
    """The hotline centre, warned for the clocks no unit runs (dispatch, follow-up)."""
    return Unit.objects.filter(code=getattr(settings, "HOTLINE_CENTRE_UNIT", "center")).first()


def _warning_write(ticket, clock: Clock, level: str, unit: Unit | None, rows: list) -> dict:
    """The outbox rows of one warning (appended to ``rows``) and its timeline event's data."""
    elsewhere = extensions.WARNING_NOTICES.get(clock.kind)
    due_at = timezone.localtime(clock.due_at).strftime("%Y-%m-%d %H:%M") if clock.due_at else ""
    clock_label = workflow.CLOCKS[clock.kind]
    if elsewhere is not None:
        # Not a unit's clock: only the number, the clock and the moment (no title, whose text
        # may name the complainant), and no unit work group.
        unit = None
        notices = elsewhere(ticket, clock, level)
        params = {"number": ticket.number, "clock": clock_label, "due_at": due_at}
    else:
        notices = notices_for(clock, level, unit)
        params = {
            "number": ticket.number,
            "title": ticket.title or ticket.content[:30],
            "unit": unit.name if unit else "",
            "clock": clock_label,
            "due_at": due_at,
        }
    sent, missing = [], []
    for notice in notices:
        if not notice.recipient:
            # Written all the same: the worker fails the row with a clear error, so the gap
            # shows in the outbox admin as well as in the log and the event.
            missing.append(notice.who)
            log.error(
                "warning %s of ticket %s clock %s: %s has no phone",
                level,
                ticket.number,
                clock.kind,
                notice.who,
            )
        key = f"{notice.kind}:{clock.pk}" + (f":{notice.tag}" if notice.tag else "")
        rows.append(
            dict(
                kind=notice.kind,
                channel=notice.channel,
                recipient=notice.recipient,
                template=notice.kind,
                params=dict(params),
                key=key,
                ticket=ticket,
            )
        )
        if notice.recipient:
            sent.append(notice.kind)
    if elsewhere is None:
        group = workgroup_rows(
            ticket=ticket,
            unit=unit,
            event=level,
            key=f"{level}:{clock.pk}",
            clock=clock_label,
            due_at=clock.due_at,
        )
        rows.extend(group)
        sent.extend(row["kind"] for row in group)
    data = {
        "clock": clock.kind,
        "warning": level,
        "unit": unit.code if unit else None,
        "due_at": iso(clock.due_at),
        "notified": sent,
    }
    if missing:
        data["missing_phone"] = missing
    return data


BATCH = 50  # warnings per transaction: ~50 ticket locks held for a fraction of a second


def warnings_scan(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Send up to ``limit`` warnings that are due at ``now``. Safe to run in several processes
    at once. Each warning is stamped with the moment it is sent (or ``now`` when given).
    Warnings go in batches of BATCH per transaction; a batch that fails is retried one
    warning at a time, so one bad warning never holds back the others."""
    return _scan(now=now, limit=limit).sent


def _scan(*, now: datetime | None, limit: int) -> BatchResult:
    fixed = now
    due = warnings_due(now or timezone.now(), limit)
    total = BatchResult()
    for start in range(0, len(due), BATCH):
        chunk = due[start : start + BATCH]
        try:
            result = warnings_send(chunk, now=fixed)
        except Exception:
            log.exception("warning batch of %d failed; sending one at a time", len(chunk))
            result = BatchResult()
            for item in chunk:
                try:
                    one = warnings_send([item], now=fixed)
                except Exception:
                    log.exception("warning %s of clock %s failed", item[1], item[0])
                    continue
                result.sent += one.sent
                result.busy += one.busy
        total.sent += result.sent
        total.busy += result.busy
    return total


def warnings_scan_until_done(*, budget_seconds: float = 50.0, batch: int = 500) -> int:
    """Scan again and again until nothing is due or the time budget is spent (the periodic
    task: one tick must not cap the throughput at one batch per period)."""
    started = time.monotonic()
    total = 0
    while time.monotonic() - started < budget_seconds:
        result = _scan(now=None, limit=batch)
        total += result.sent
        if result.sent == 0:
            if not result.busy:
                break
            time.sleep(0.2)  # what is left is held by another scanner or a user
    return total
