"""Handlers of the hotline centre's actions: the agent answers directly or invalidates; the
dispatcher dispatches (ruling on a send-back), merges and decides extensions."""

from __future__ import annotations

from hotline.accounts.roles import Role
from hotline.core.errors import BadInput, Conflict, HotlineError
from hotline.orgs.models import HotlineCentre

from .. import centres, clocks, workflow
from ..choices import ExtensionStatus
from ..extensions import Context
from ..models import Ticket, TicketAssignment
from ..selectors import ticket_get_visible
from ..validation import bool_field, text_field, unit_codes_field, unit_field
from .common import assign, copy_to_offices, deactivate_assignments, open_clock, start_unit_clocks


def answer_directly(ctx: Context) -> dict:
    text = text_field(ctx.data, "text", required=True)
    clocks.clocks_stop(ticket=ctx.ticket, at=ctx.now, reason="answered")
    ctx.ticket.reply_text = text
    ctx.ticket.reply_outcome = "explained"
    ctx.ticket.replied_at = ctx.now
    ctx.ticket.closed_at = ctx.now
    return {"text": text}


def _send_back_ruling(ctx: Context, unit, approve: bool | None) -> dict:
    """Re-dispatch after a send-back: the dispatcher rules on it. Sending it back to the same
    unit means the send-back was not justified, unless the dispatcher says otherwise."""
    ticket = ctx.ticket
    valid = approve if approve is not None else ticket.send_back_unit_id != unit.pk
    ruling = {"unit": ticket.send_back_unit.code, "ruling": "valid" if valid else "invalid"}
    ticket.send_back_unit = None
    ticket.send_back_reason = ""
    return ruling


def dispatch(ctx: Context) -> dict:
    unit = unit_field(ctx.data.get("unit"), "unit")
    co_units = []
    for code in unit_codes_field(ctx.data, "co_units"):
        co = unit_field(code, "co_units")
        if co.pk == unit.pk:
            raise BadInput("co_units", "the lead unit cannot also be a co-unit")
        co_units.append(co)
    approve = bool_field(ctx.data, "approve", required=False)
    note = text_field(ctx.data, "note", required=False)
    ticket = ctx.ticket
    data: dict = {"unit": unit.code, "co_units": [c.code for c in co_units]}
    if note:
        data["note"] = note
    if ticket.send_back_unit_id:
        data["send_back"] = _send_back_ruling(ctx, unit, approve)
    clocks.clocks_stop(
        ticket=ticket, at=ctx.now, kinds=("dispatch",), reason="dispatched", judge=True
    )
    acting = centres.acting_centres(ctx.grants, centres.ancestry(ticket), Role.DISPATCHER)
    ticket.dispatched_by_centre = acting[0] if acting else None
    ticket.centre = centres.centre_covering(unit)
    if ticket.centre is not None and ticket.centre != ticket.dispatched_by_centre:
        data["centre"] = ticket.centre.code  # a 转办件 of that centre
    ticket.unit = unit
    assign(ctx, unit, TicketAssignment.LEAD, "dispatch")
    for co in co_units:
        assign(ctx, co, TicketAssignment.CO, "dispatch")
    start_unit_clocks(ctx, unit)
    clocks.clock_start(ticket=ticket, kind="handle", unit=unit, start=ctx.now)
    copies = copy_to_offices(ctx)
    if copies:
        data["copied_to"] = copies
    return data


def decide_extension(ctx: Context) -> dict:
    approve = bool_field(ctx.data, "approve", required=True)
    note = text_field(ctx.data, "note", required=False) or text_field(
        ctx.data, "reason", required=False
    )
    ticket = ctx.ticket
    data: dict = {"approve": approve, "days": ticket.extension_days}
    if note:
        data["note"] = note
    if approve:
        clock = open_clock(ticket, "handle")
        if clock is None:
            raise Conflict("the ticket has no running handling clock")
        new = clocks.clock_extend(clock=clock, days=ticket.extension_days, at=ctx.now)
        data["due_at"] = new.due_at.isoformat() if new.due_at else None
        ticket.extension_status = ExtensionStatus.APPROVED
    else:
        ticket.extension_status = ExtensionStatus.REFUSED
    return data


def merge(ctx: Context) -> dict:
    into = ctx.data.get("into")
    if not isinstance(into, str) or not into:
        raise BadInput("into", "the number of the ticket to merge into is required")
    ticket = ctx.ticket
    if into == ticket.number:
        raise BadInput("into", "a ticket cannot be merged into itself")
    try:
        target = ticket_get_visible(ctx.actor, into)
    except HotlineError:
        raise BadInput("into", f"no open ticket {into!r}") from None
    target = Ticket.objects.select_for_update().get(pk=target.pk)
    if target.status not in workflow.OPEN_STATUSES:
        raise BadInput("into", f"ticket {into} is {target.status}, not open")
    ticket.merged_into = target
    clocks.clocks_stop(ticket=ticket, at=ctx.now, reason="merged")
    deactivate_assignments(ticket)
    ticket.closed_at = ctx.now
    return {"into": target.number}


def invalidate(ctx: Context) -> dict:
    reason = text_field(ctx.data, "reason", required=True)
    clocks.clocks_stop(ticket=ctx.ticket, at=ctx.now, reason="invalid")
    ctx.ticket.closed_at = ctx.now
    return {"reason": reason}


def pass_up(ctx: Context) -> dict:
    """A district centre passes a ticket that is not the district's up to the city, with a
    reason; the city rules on it when it dispatches it, like a send-back."""
    reason = text_field(ctx.data, "reason", required=True)
    ticket = ctx.ticket
    here, up = (
        HotlineCentre.objects.select_related("unit").get(pk=pk)
        for pk in centres.ancestry(ticket)[:2]
    )
    clocks.clocks_stop(
        ticket=ticket,
        at=ctx.now,
        kinds=("dispatch", "accept", "transfer", "handle"),
        reason="passed_up",
    )
    deactivate_assignments(ticket)
    ticket.send_back_unit = here.unit
    ticket.send_back_reason = reason
    ticket.unit = None
    ticket.centre = up
    clocks.clock_start(ticket=ticket, kind="dispatch", unit=centres.clock_unit(up), start=ctx.now)
    return {"unit": here.unit.code, "from_centre": here.code, "centre": up.code, "reason": reason}


HANDLERS = {
    "pass_up": pass_up,
    "answer_directly": answer_directly,
    "dispatch": dispatch,
    "decide_extension": decide_extension,
    "merge": merge,
    "invalidate": invalidate,
}
