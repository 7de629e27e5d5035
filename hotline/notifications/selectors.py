"""Reads of the outbox."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Outbox


def outbox_list(
    user, *, ticket: str | None = None, kind: str | None = None, status: str | None = None
) -> QuerySet[Outbox]:
    """Outbox rows of the tickets ``user`` may see (rows of no ticket: for whoever sees every
    ticket), newest first, filtered by ticket number, kind and status."""
    qs = Outbox.objects.restrict(user).select_related("ticket").order_by("-pk")
    if ticket:
        qs = qs.filter(ticket__number=ticket)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return qs
