"""Handlers of the actions a unit takes on the ticket it holds: its sub-dispatcher forwards it
down the tree; its handler accepts, sends back, asks for an extension and replies."""

from __future__ import annotations

from hotline.core.errors import BadInput

from .. import centres, clocks, policy, workflow
from ..choices import ExtensionStatus
from ..extensions import Context
from ..models import TicketAssignment
from ..validation import choice_field, int_field, text_field, unit_field
from .common import assign, deactivate_assignments, open_clock, start_unit_clocks


def forward(ctx: Context) -> dict:
    ticket = ctx.ticket
    unit = unit_field(ctx.data.get("unit"), "unit")
    holder = ticket.unit
    if holder is None or not holder.is_ancestor_of(unit):
        raise BadInput(
            "unit", f"{unit.code} is not below {holder.code if holder else 'the holding unit'}"
        )
    clocks.clocks_stop(
        ticket=ticket, at=ctx.now, kinds=("transfer",), reason="forwarded", judge=True
    )
    clocks.clocks_stop(ticket=ticket, at=ctx.now, kinds=("accept",), reason="forwarded")
    ticket.assignments.filter(unit=holder, role=TicketAssignment.LEAD, active=True).update(
        active=False
    )
    assign(ctx, unit, TicketAssignment.LEAD, "forward")
    ticket.unit = unit
    start_unit_clocks(ctx, unit)
    data = {"from_unit": holder.code, "unit": unit.code}
    note = text_field(ctx.data, "note", required=False)
    if note:
        data["note"] = note
    return data


def accept(ctx: Context) -> dict:
    clocks.clocks_stop(
        ticket=ctx.ticket, at=ctx.now, kinds=("accept",), reason="accepted", judge=True
    )
    clocks.clocks_stop(ticket=ctx.ticket, at=ctx.now, kinds=("transfer",), reason="accepted")
    return {"unit": ctx.ticket.unit.code}


def send_back(ctx: Context) -> dict:
    reason = text_field(ctx.data, "reason", required=True)
    ticket = ctx.ticket
    unit = ticket.unit
    clocks.clocks_stop(
        ticket=ticket, at=ctx.now, kinds=("accept", "transfer", "handle"), reason="sent_back"
    )
    deactivate_assignments(ticket)
    ticket.send_back_unit = unit
    ticket.send_back_reason = reason
    ticket.send_back_count += 1
    ticket.unit = None
    ticket.extension_status = ExtensionStatus.NONE
    ticket.extension_days = None
    # Back to the centre that dispatched it, which rules on the send-back.
    ticket.centre = ticket.dispatched_by_centre
    clocks.clock_start(
        ticket=ticket, kind="dispatch", unit=centres.clock_unit(ticket.centre), start=ctx.now
    )
    return {"unit": unit.code, "reason": reason}


def request_extension(ctx: Context) -> dict:
    """Asked at most once, before the deadline (the rule's guards checked both)."""
    days = int_field(ctx.data, "days", required=True, low=1, high=policy.MAX_EXTENSION_DAYS)
    reason = text_field(ctx.data, "reason", required=True)
    ticket = ctx.ticket
    clock = open_clock(ticket, "handle")
    ticket.extension_status = ExtensionStatus.REQUESTED
    ticket.extension_days = days
    return {"days": days, "reason": reason, "due_at": clock.due_at.isoformat()}


def reply(ctx: Context) -> dict:
    text = text_field(ctx.data, "text", required=True)
    outcome = choice_field(ctx.data, "outcome", workflow.OUTCOMES, required=True)
    ticket = ctx.ticket
    clocks.clocks_stop(ticket=ticket, at=ctx.now, kinds=("handle",), reason="replied", judge=True)
    clocks.clocks_stop(ticket=ticket, at=ctx.now, kinds=("accept", "transfer"), reason="replied")
    ticket.reply_text = text
    ticket.reply_outcome = outcome
    ticket.replied_at = ctx.now
    if ticket.extension_status == ExtensionStatus.REQUESTED:
        ticket.extension_status = ExtensionStatus.WITHDRAWN
    clocks.clock_start(ticket=ticket, kind="follow_up", unit=None, start=ctx.now)
    return {"unit": ticket.unit.code if ticket.unit else None, "outcome": outcome, "text": text}


HANDLERS = {
    "forward": forward,
    "accept": accept,
    "send_back": send_back,
    "request_extension": request_extension,
    "reply": reply,
}
