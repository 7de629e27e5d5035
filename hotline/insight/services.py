"""Writes of the insight app: the similar-ticket fingerprints, written with the ticket, and
the record of what was suggested when a ticket was dispatched."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction

from hotline.core.db import Many

from .models import DispatchRecord, TicketSignature
from .selectors import reply_check_of
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


def reply_checked(ctx) -> dict:
    """The step after a reply (registered with ``hotline.tickets.extensions``): the reply
    check's score goes on the reply's event, so a weak reply is flagged to the dispatcher
    (``selectors.weak_replies_for``) and the score stays with the round it belongs to."""
    check = reply_check_of(ctx.ticket, ctx.ticket.reply_text, at=ctx.now)
    return {"check_score": check.score, "check_ok": check.ok}


def dispatch_recorded(ctx) -> dict:
    """The step after a dispatch (registered with ``hotline.tickets.extensions``): what was
    suggested beside what the dispatcher chose. Adds nothing to the event."""
    dispatch_record(ticket=ctx.ticket, actor=ctx.actor, unit=ctx.ticket.unit, at=ctx.now)
    return {}
