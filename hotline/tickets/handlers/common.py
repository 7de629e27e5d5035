"""Steps several handlers share: assignments, clocks of a unit, copies to the offices."""

from __future__ import annotations

from django.conf import settings

from hotline.core.errors import BadInput
from hotline.orgs.models import Unit

from .. import clocks
from ..extensions import Context
from ..models import Clock, Ticket, TicketAssignment


def open_clock(ticket: Ticket, kind: str) -> Clock | None:
    return ticket.clocks.filter(kind=kind, stopped_at__isnull=True).order_by("-started_at").first()


def assign(ctx: Context, unit: Unit, role: str, via: str) -> TicketAssignment:
    """Record that the ticket went to ``unit`` by the event being written now."""
    return TicketAssignment.objects.create(
        ticket=ctx.ticket,
        unit=unit,
        role=role,
        via=via,
        assigned_at=ctx.now,
        event_seq=ctx.ticket.last_seq + 1,
    )


def has_children(unit: Unit) -> bool:
    return Unit.objects.filter(parent=unit, active=True).exists()


def start_unit_clocks(ctx: Context, unit: Unit) -> None:
    """A unit received the ticket: its accept clock, and its transfer clock if it can forward."""
    clocks.clock_start(ticket=ctx.ticket, kind="accept", unit=unit, start=ctx.now)
    if has_children(unit):
        clocks.clock_start(ticket=ctx.ticket, kind="transfer", unit=unit, start=ctx.now)


def deactivate_assignments(ticket: Ticket) -> None:
    """The ticket leaves its lead and co-units (read-only copies stay)."""
    ticket.assignments.filter(active=True).exclude(role=TicketAssignment.COPY).update(active=False)


COPY_TARGETS = {"supervision": "HOTLINE_SUPERVISION_UNIT", "discipline": "HOTLINE_DISCIPLINE_UNIT"}


def copy_to_offices(ctx: Context) -> list[str]:
    """Read-only copies (转交) to the supervision and discipline offices, when the category or
    the dispatcher (``copy_to``) asks for them."""
    asked = ctx.data.get("copy_to") or []
    if not isinstance(asked, list) or any(a not in COPY_TARGETS for a in asked):
        raise BadInput("copy_to", f"a list of {', '.join(COPY_TARGETS)}")
    category = ctx.ticket.category
    targets = set(asked)
    if category is not None and category.copy_to_supervision:
        targets.add("supervision")
    if category is not None and category.copy_to_discipline:
        targets.add("discipline")
    wanted = [getattr(settings, COPY_TARGETS[t], t) for t in sorted(targets)]
    copied = []
    for unit in Unit.objects.filter(code__in=wanted, active=True):
        if not ctx.ticket.assignments.filter(unit=unit, role=TicketAssignment.COPY).exists():
            assign(ctx, unit, TicketAssignment.COPY, "copy")
            copied.append(unit.code)
    return copied
