"""Reads of supervision: accountability records, supervision orders and the referral queue,
each starting from the rows of tickets the reader may see (``objects.restrict(user)``)."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from hotline.accounts.roles import Role
from hotline.accounts.selectors import grants_for
from hotline.core.errors import BadInput, Forbidden
from hotline.orgs.models import Unit

from .models import Accountability, Referral, SupervisionOrder

READERS = frozenset({Role.SUPERVISOR, Role.INSPECTOR, Role.ADMIN, Role.LEADER})


def _require(user) -> None:
    if not grants_for(user).roles & READERS:
        raise Forbidden("for the supervision and discipline offices and leaders")


def accountability_list(
    user,
    *,
    unit: str | None = None,
    ticket: str | None = None,
    since: date | None = None,
    until: date | None = None,
    measure: str | None = None,
) -> QuerySet[Accountability]:
    _require(user)
    qs = (
        Accountability.objects.restrict(user)
        .select_related("ticket", "unit", "decided_by")
        .order_by("-decided_at", "-pk")
    )
    if unit:
        node = Unit.objects.filter(code=unit).first()
        if node is None:
            raise BadInput("unit", f"no unit with code {unit!r}")
        qs = qs.filter(unit__path__startswith=node.path)
    if ticket:
        qs = qs.filter(ticket__number=ticket)
    if measure:
        if measure not in Accountability.MEASURES:
            raise BadInput("measure", f"one of {', '.join(Accountability.MEASURES)}")
        qs = qs.filter(measure=measure)
    if since:
        qs = qs.filter(decided_at__date__gte=since)
    if until:
        qs = qs.filter(decided_at__date__lte=until)
    return qs


def supervision_orders(user, *, ticket: str | None = None) -> QuerySet[SupervisionOrder]:
    """Supervision orders of the tickets ``user`` may see, newest first."""
    _require(user)
    qs = SupervisionOrder.objects.restrict(user).select_related("ticket", "unit", "created_by")
    if ticket:
        qs = qs.filter(ticket__number=ticket)
    return qs.order_by("-created_at", "-pk")


def referral_queue(user) -> QuerySet[Referral]:
    _require(user)
    return (
        Referral.objects.restrict(user)
        .filter(handled_at__isnull=True)
        .select_related("ticket", "ticket__unit")
        .order_by("created_at")
    )
