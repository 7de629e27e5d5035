"""Writes of the insight app: the similar-ticket fingerprints."""

from __future__ import annotations

from .similar import TicketText, ticket_keys


def signature_keys(*, ticket) -> list[int]:
    """The distinct band keys of a ticket's title, for a caller that inserts them with the
    ticket in one statement (``TicketSignature`` rows)."""
    keys = ticket_keys(TicketText(id=ticket.pk or 0, title=ticket.title, content=ticket.content))
    return list(dict.fromkeys(keys))
