"""Handlers of what follows a reply: the callback agent's follow-up and the evaluator's review."""

from __future__ import annotations

from hotline.workcal.calc import WORKING_DAYS, Limit

from .. import clocks, workflow
from ..choices import ExtensionStatus, Verdict
from ..extensions import Context
from ..validation import choice_field, int_field, text_field


def follow_up(ctx: Context) -> dict:
    satisfaction = choice_field(ctx.data, "satisfaction", workflow.SATISFACTIONS, required=True)
    note = text_field(ctx.data, "note", required=False)
    ticket = ctx.ticket
    clocks.clocks_stop(
        ticket=ticket, at=ctx.now, kinds=("follow_up",), reason="followed_up", judge=True
    )
    ticket.satisfaction = satisfaction
    ticket.followed_up_at = ctx.now
    ticket.review_verdict = ""
    data = {"satisfaction": satisfaction, "unit": ticket.unit.code if ticket.unit else None}
    if note:
        data["note"] = note
    if ctx.new_status == workflow.UNDER_REVIEW:
        # The review clock: from the dissatisfied follow-up to the evaluator's verdict. The
        # centre runs it (no unit); its warnings go to the evaluator (hotline.feedback).
        clock = clocks.clock_start(ticket=ticket, kind="review", unit=None, start=ctx.now)
        data["review_due_at"] = clock.due_at.isoformat() if clock.due_at else None
    return data


def review(ctx: Context) -> dict:
    verdict = choice_field(ctx.data, "verdict", workflow.VERDICTS, required=True)
    note = text_field(ctx.data, "note", required=False)
    days = int_field(ctx.data, "days", required=False, low=1, high=60)
    ticket = ctx.ticket
    clocks.clocks_stop(ticket=ticket, at=ctx.now, kinds=("review",), reason="reviewed", judge=True)
    ticket.review_verdict = verdict
    data: dict = {"verdict": verdict, "unit": ticket.unit.code if ticket.unit else None}
    if note:
        data["note"] = note
    if verdict == Verdict.REDO:
        ticket.redo_count += 1
        ticket.reply_text = ""
        ticket.reply_outcome = ""
        ticket.extension_status = ExtensionStatus.NONE
        ticket.extension_days = None
        limit = Limit(float(days), WORKING_DAYS) if days else None
        clock = clocks.clock_start(
            ticket=ticket, kind="handle", unit=ticket.unit, start=ctx.now, limit=limit
        )
        data["due_at"] = clock.due_at.isoformat() if clock.due_at else None
        data["redo"] = ticket.redo_count
    return data


HANDLERS = {"follow_up": follow_up, "review": review}
