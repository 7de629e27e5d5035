"""Writes of the insight app: the similar-ticket fingerprints, and the record of what was
suggested when a ticket was dispatched."""

from __future__ import annotations

import logging

from django.db import transaction

from .models import DispatchRecord
from .similar import TicketText, ticket_keys

log = logging.getLogger("hotline.insight")


def signature_keys(*, ticket) -> list[int]:
    """The distinct band keys of a ticket's title, for a caller that inserts them with the
    ticket in one statement (``TicketSignature`` rows)."""
    keys = ticket_keys(TicketText(id=ticket.pk or 0, title=ticket.title, content=ticket.content))
    return list(dict.fromkeys(keys))


def dispatch_record(*, ticket, actor, unit, at) -> DispatchRecord:
    """Record what the suggester proposes for ``ticket`` and the ``unit`` the dispatcher chose
    (called by the dispatch itself, in its transaction). A failing suggester records no
    suggestion and never stops the dispatch."""
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
