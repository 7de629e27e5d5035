"""Writes of the insight app: the similar-ticket fingerprints."""

from __future__ import annotations

from .models import TicketSignature
from .similar import TicketText, ticket_keys


def signature_write(*, ticket) -> int:
    """Store the band keys of a ticket's title; called in the transaction that registers it."""
    keys = ticket_keys(TicketText(id=ticket.pk, title=ticket.title, content=ticket.content))
    TicketSignature.objects.bulk_create(
        [TicketSignature(ticket_id=ticket.pk, key=key) for key in dict.fromkeys(keys)],
        ignore_conflicts=True,
    )
    return len(keys)
