"""Writes of the insight app: the similar-ticket fingerprints."""

from __future__ import annotations

from .models import TicketSignature
from .similar import TicketText, ticket_keys


def signature_rows(*, ticket) -> list[TicketSignature]:
    """The band keys of a ticket's title as unsaved rows (for a caller that inserts them with
    the ticket in one statement)."""
    keys = ticket_keys(TicketText(id=ticket.pk or 0, title=ticket.title, content=ticket.content))
    return [TicketSignature(ticket=ticket, key=key) for key in dict.fromkeys(keys)]


def signature_write(*, ticket) -> int:
    """Store the band keys of a ticket's title; called in the transaction that registers it."""
    rows = signature_rows(ticket=ticket)
    TicketSignature.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
