"""Writes of the insight app: the similar-ticket fingerprints, written with the ticket."""

from __future__ import annotations

from django.conf import settings

from hotline.core.db import Many

from .models import TicketSignature
from .similar import TicketText, ticket_keys
from .urgency import detect_urgency


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
