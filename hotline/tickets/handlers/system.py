"""Handlers of the actions anyone who sees a ticket takes (comment) and of the platform's own
(warn, reclock)."""

from __future__ import annotations

from hotline.core.formatting import iso

from .. import clocks
from ..extensions import Context
from ..validation import text_field


def comment(ctx: Context) -> dict:
    return {"text": text_field(ctx.data, "text", required=True)}


def warn(ctx: Context) -> dict:
    """A clock crossed its yellow or red moment (the warning scanner, as the system)."""
    keys = ("clock", "warning", "unit", "due_at", "notified", "missing_phone", "yellow_skipped")
    return {key: ctx.data[key] for key in keys if key in ctx.data}


def reclock(ctx: Context) -> dict:
    """A calendar year was confirmed: the clocks that waited for it get their deadlines."""
    done = clocks.clocks_compute_pending(clocks.clocks_pending(ctx.ticket))
    return {
        "clocks": [
            {"kind": c.kind, "unit": c.unit.code if c.unit else None, "due_at": iso(c.due_at)}
            for c in done
        ]
    }


HANDLERS = {"comment": comment, "warn": warn, "reclock": reclock}
