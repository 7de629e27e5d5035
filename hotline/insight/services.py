"""Writes of the insight app: the similar-ticket fingerprints."""

from __future__ import annotations

from .models import TicketSignature
from .similar import TicketText, ticket_keys


def signature_keys(*, ticket) -> list[int]:
    """The distinct band keys of a ticket's title, for a caller that inserts them with the
    ticket in one statement (``TicketSignature`` rows)."""
    keys = ticket_keys(TicketText(id=ticket.pk or 0, title=ticket.title, content=ticket.content))
    return list(dict.fromkeys(keys))


def signature_write(*, ticket) -> int:
    """Store the band keys of a ticket's title; called in the transaction that registers it."""
    rows = [TicketSignature(ticket=ticket, key=key) for key in signature_keys(ticket=ticket)]
    TicketSignature.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
