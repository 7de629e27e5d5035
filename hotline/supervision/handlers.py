"""Supervision's part in the ticket's changes, registered with ``hotline.tickets.extensions``
(``SupervisionConfig.ready``): the ``supervise`` action opens a supervision order, and a third
send-back or redo refers the ticket to the supervision office. Both run inside the ticket's
transition, under its lock."""

from __future__ import annotations

from hotline.core.audit import audit_record
from hotline.core.errors import BadInput
from hotline.tickets import clocks
from hotline.tickets.choices import Verdict
from hotline.tickets.extensions import Context, after_register, handler_register
from hotline.tickets.validation import int_field, text_field
from hotline.workcal.calc import WORKING_DAYS, Limit

from .models import SupervisionOrder
from .services import referral_check


def supervise(ctx: Context) -> dict:
    """A supervision order (督办单) with its own clock; a second one is a second supervision."""
    note = text_field(ctx.data, "note", required=True)
    days = int_field(ctx.data, "days", required=False, low=1, high=60)
    level = ctx.ticket.supervision_orders.count() + 1
    requested = int_field(ctx.data, "level", required=False, low=1, high=10)
    if requested is not None and requested != level:
        raise BadInput("level", f"this would be supervision number {level}")
    return _order_open(ctx, note=note, days=days, level=level, kind=SupervisionOrder.SUPERVISE)


def sign(ctx: Context) -> dict:
    """领导签批: a leader's instruction on a ticket, kept as a supervision order of kind
    ``sign`` with the supervision clock, so the supervision office follows it up."""
    instruction = text_field(ctx.data, "instruction", required=True)
    days = int_field(ctx.data, "days", required=False, low=1, high=60)
    level = ctx.ticket.supervision_orders.count() + 1
    data = _order_open(ctx, note=instruction, days=days, level=level, kind=SupervisionOrder.SIGN)
    # The action's label says it was signed; the instruction replaces the supervisor's note.
    for key in ("note", "second"):
        data.pop(key)
    # A leader's instruction is also in the audit log (who signed what, when).
    audit_record(
        actor=ctx.actor,
        action="ticket.sign",
        target=ctx.ticket.number,
        data={"order": data["order"], "level": level},
    )
    return {"instruction": instruction, **data}


def _order_open(ctx: Context, *, note: str, days: int | None, level: int, kind: str) -> dict:
    ticket = ctx.ticket
    limit = Limit(float(days), WORKING_DAYS) if days else None
    clock = clocks.clock_start(
        ticket=ticket, kind="supervision", unit=ticket.unit, start=ctx.now, limit=limit
    )
    order = SupervisionOrder.objects.create(
        ticket=ticket,
        level=level,
        note=note,
        kind=kind,
        unit=ticket.unit,
        created_by=ctx.actor,
        created_at=ctx.now,
        due_at=clock.due_at,
        event_seq=ticket.last_seq + 1,
    )
    return {
        "order": order.pk,
        "level": level,
        "second": level >= 2,
        "note": note,
        "unit": ticket.unit.code if ticket.unit else None,
        "due_at": clock.due_at.isoformat() if clock.due_at else None,
    }


def refer_after_send_back(ctx: Context) -> dict:
    referred = referral_check(ticket=ctx.ticket, at=ctx.now, event_seq=ctx.ticket.last_seq + 1)
    return {"referred": referred} if referred else {}


def refer_after_redo(ctx: Context) -> dict:
    if ctx.ticket.review_verdict != Verdict.REDO:
        return {}
    return refer_after_send_back(ctx)


def handlers_register() -> None:
    handler_register("supervise", supervise)
    handler_register("sign", sign)
    after_register("send_back", refer_after_send_back)
    after_register("review", refer_after_redo)
