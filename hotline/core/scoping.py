"""Rows that derive from tickets are read only through what the reader may see.

``TicketScopedQuerySet.restrict(user)`` (NetBox's ``restrict``) is the one place that narrows a
queryset of accountability records, referrals, supervision orders, outbox rows, events or clocks
to the rows of tickets ``user`` may open. Selectors of those rows start from
``Model.objects.restrict(user)``; the admin's lists of them go through
:class:`hotline.core.admin.ScopedAdmin`, which calls :func:`restrict`.

Core imports no app: the tickets app registers what a user may see at start-up
(:func:`visible_tickets_register`, from ``hotline.tickets.selectors.tickets_visible_to``). Until
it has, every restricted read is empty: a missing registration hides rows, never shows them.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import models

# user -> None (the user sees every ticket) or a queryset of the tickets the user may see.
VisibleTickets = Callable[[object], models.QuerySet | None]
_visible_tickets: list[VisibleTickets] = []


def visible_tickets_register(provider: VisibleTickets) -> None:
    _visible_tickets[:] = [provider]


def restrict(queryset: models.QuerySet, user, ticket_path: str = "ticket") -> models.QuerySet:
    """``queryset`` narrowed to rows whose ticket (``ticket_path``; "" for tickets themselves)
    ``user`` may see. Rows with no ticket are for those who see every ticket only."""
    if not _visible_tickets:
        return queryset.none()
    visible = _visible_tickets[0](user)
    if visible is None:
        return queryset
    lookup = f"{ticket_path}__in" if ticket_path else "pk__in"
    return queryset.filter(**{lookup: visible.values("pk")})


class TicketScopedQuerySet(models.QuerySet):
    """The queryset of a model with a ``ticket`` foreign key (or ``ticket_scope_path``)."""

    def restrict(self, user) -> models.QuerySet:
        return restrict(self, user, getattr(self.model, "ticket_scope_path", "ticket"))
