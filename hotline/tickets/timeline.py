"""The ticket's timeline: building hash-chained events, and the moment actions are taken at."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.utils import timezone

from hotline.core.chain import GENESIS, entry_hash

from .models import Ticket, TicketEvent

_now_override: ContextVar[datetime | None] = ContextVar("hotline_now_override", default=None)


def now() -> datetime:
    """The moment of the action being taken: the clock, or the one ``acting_at`` set."""
    return _now_override.get() or timezone.now()


@contextmanager
def acting_at(moment: datetime):
    """Take actions as if at ``moment``: for importing history and the demo, never for live work."""
    token = _now_override.set(moment)
    try:
        yield
    finally:
        _now_override.reset(token)


def event_new(
    ticket: Ticket,
    *,
    actor,
    action: str,
    at: datetime,
    from_status: str,
    to_status: str,
    data: dict,
) -> TicketEvent:
    """Build the next hash-chained event and advance the ticket's chain head (not saved)."""
    event = TicketEvent(
        ticket=ticket,
        seq=ticket.last_seq + 1,
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=getattr(actor, "username", "") or "system",
        at=at,
        from_status=from_status,
        to_status=to_status,
        data=data,
        prev_hash=ticket.last_hash or GENESIS,
    )
    event.hash = entry_hash(event.prev_hash, event.chain_content(ticket.number))
    ticket.last_seq = event.seq
    ticket.last_hash = event.hash
    return event


def event_append(ticket: Ticket, **kwargs) -> TicketEvent:
    """Build and save the next event of ``ticket``."""
    event = event_new(ticket, **kwargs)
    event.ticket = ticket
    event.save()
    return event
