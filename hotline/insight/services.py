"""Writes of the insight app: the similar-ticket fingerprints, written with the ticket, and
the record of what was suggested when a ticket was dispatched."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from hotline.accounts.selectors import SYSTEM
from hotline.core.db import Many
from hotline.tickets.models import Ticket

from .models import DispatchRecord, RepeatCheck, TicketSignature
from .similar import TicketText, ticket_keys
from .urgency import detect_urgency

log = logging.getLogger("hotline.insight")


def signature_keys(*, ticket) -> list[int]:
    """The distinct band keys of a ticket's title."""
    keys = ticket_keys(TicketText(id=ticket.pk or 0, title=ticket.title, content=ticket.content))
    return list(dict.fromkeys(keys))


def signature_rows(ticket) -> Many:
    """The ``TicketSignature`` rows of a new ticket, for its registration to insert in the same
    statement (registered with ``hotline.tickets.extensions``)."""
    return Many(TicketSignature, {"key": signature_keys(ticket=ticket)})


def urgency_detect(text: str) -> tuple[str, list[str]]:
    """Urgent words in a new ticket's text, from ``settings.HOTLINE_URGENT_WORDS`` or the
    defaults (registered with ``hotline.tickets.extensions``)."""
    return detect_urgency(text, getattr(settings, "HOTLINE_URGENT_WORDS", None))


def dispatch_record(*, ticket, actor, unit, at) -> DispatchRecord:
    """Record what the suggester proposes for ``ticket`` beside the ``unit`` the dispatcher
    chose (run by the dispatch, in its transaction). A failing suggester records no suggestion
    and never stops the dispatch."""
    from . import selectors

    items: list[dict] = []
    try:
        with transaction.atomic():  # a savepoint: a failed read must not poison the dispatch
            _model, items = selectors.ticket_suggestions(ticket)
    except Exception:
        log.exception("suggestions failed while recording the dispatch of %s", ticket.number)
        items = []
    top = items[0] if items else {}
    units = [i.get("unit") for i in items]
    return DispatchRecord.objects.create(
        ticket=ticket,
        at=at,
        actor=getattr(actor, "username", "") or "",
        suggested=[
            {k: i.get(k) for k in ("category", "unit", "confidence", "rule")} for i in items
        ],
        suggested_category=top.get("category") or "",
        suggested_unit=top.get("unit") or "",
        rule_id=top.get("rule"),
        chosen_unit=unit.code,
        chosen_category=ticket.category.code if ticket.category_id else "",
        accepted=bool(top) and top.get("unit") == unit.code,
        unit_in_top3=unit.code in units[:3],
    )


def dispatch_recorded(ctx) -> dict:
    """The step after a dispatch (registered with ``hotline.tickets.extensions``): what was
    suggested beside what the dispatcher chose. Adds nothing to the event."""
    dispatch_record(ticket=ctx.ticket, actor=ctx.actor, unit=ctx.ticket.unit, at=ctx.now)
    return {}


# A repeat (重复投诉) repeats an earlier ticket of the same citizen registered at most this long
# before it (DESIGN section 7's repeat rate; the detector's own window).
REPEAT_LOOKBACK = timedelta(days=365)


def repeat_verdict(ticket: Ticket) -> RepeatCheck:
    """The detector's verdict on ``ticket`` (not saved): the best-scored ``repeat`` among the
    possible repeats the ticket's page lists (``selectors.similar_for``, as the platform sees
    them), registered before it and at most REPEAT_LOOKBACK earlier."""
    from .selectors import similar_for

    check = RepeatCheck(ticket=ticket)
    if not ticket.citizen_phone:
        return check  # the detector knows a citizen by the phone only
    for match, other in similar_for(SYSTEM, ticket.number, limit=50):
        apart = ticket.registered_at - other.registered_at
        if match.kind == "repeat" and timedelta(0) < apart <= REPEAT_LOOKBACK:
            check.repeat_of_id = other.id
            check.score = match.score
            check.reasons = list(match.reasons)
            break  # best first
    return check


def repeats_check(*, limit: int = 500, now: datetime | None = None) -> int:
    """Take the detector's verdict on up to ``limit`` tickets that have none, the newest first
    (so the current month is right first while a backlog is worked through). Returns how many
    were checked. Safe to run in several processes: a verdict is written once per ticket."""
    now = now or timezone.now()
    pending = list(
        Ticket.objects.filter(repeat_check__isnull=True)
        .select_related("region", "category")
        .order_by("-registered_at", "-pk")[:limit]
    )
    checks = []
    for ticket in pending:
        check = repeat_verdict(ticket)
        check.checked_at = now
        checks.append(check)
    RepeatCheck.objects.bulk_create(checks, ignore_conflicts=True)
    return len(checks)
