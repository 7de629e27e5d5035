"""Rows that derive from tickets are read only through what the reader may see.

``TicketScopedQuerySet.restrict(user)`` (NetBox's ``restrict``) is the one place that narrows a
queryset of accountability records, referrals, supervision orders, outbox rows, events or clocks
to the rows of tickets ``user`` may open (``hotline.tickets.selectors.tickets_visible_to``).
Selectors of those rows start from ``Model.objects.restrict(user)``; the admin's lists of them
go through :class:`hotline.core.admin.ScopedAdmin`, which calls :func:`restrict`.
"""

from __future__ import annotations

from django.db import models


def restrict(queryset: models.QuerySet, user, ticket_path: str = "ticket") -> models.QuerySet:
    """``queryset`` narrowed to rows whose ticket (``ticket_path``) ``user`` may see. Rows with no
    ticket are for those who see every ticket only."""
    from hotline.accounts.selectors import grants_for
    from hotline.tickets.selectors import tickets_visible_to

    grants = grants_for(user)
    if grants.sees_all:
        return queryset
    if not grants.paths:
        return queryset.none()
    if not ticket_path:  # the queryset is of tickets
        return queryset.filter(pk__in=tickets_visible_to(user).values("pk"))
    return queryset.filter(**{f"{ticket_path}__in": tickets_visible_to(user).values("pk")})


class TicketScopedQuerySet(models.QuerySet):
    """The queryset of a model with a ``ticket`` foreign key (or ``ticket_scope_path``)."""

    def restrict(self, user) -> TicketScopedQuerySet:
        return restrict(self, user, getattr(self.model, "ticket_scope_path", "ticket"))
