"""REST endpoints of the telephony app, mounted under /api/v1/ by config/api.py.

``POST /calls`` (admins, integration), ``GET /calls/stats`` (leaders, supervisors, admins),
``GET /calls/{call_id}`` and ``POST /calls/{call_id}/tickets`` (the centre's staff)."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status

from hotline.core.errors import BadInput
from hotline.tickets.models import Ticket

from . import selectors, services
from .models import CallRecord
from .records import SHANGHAI

router = Router(tags=["telephony"])


def _iso(moment) -> str | None:
    return moment.astimezone(SHANGHAI).isoformat() if moment else None


def call_view(call: CallRecord) -> dict[str, Any]:
    return {
        "call_id": call.call_id,
        "line": call.line,
        "caller": call.caller,
        "queued_at": _iso(call.queued_at),
        "answered_at": _iso(call.answered_at),
        "ended_at": _iso(call.ended_at),
        "agent": call.agent or None,
        "outcome": call.outcome,
        "recording_ref": call.recording_ref,
    }


def _ticket_ref(ticket: Ticket) -> dict[str, Any]:
    return {"number": ticket.number, "status": ticket.status, "title": ticket.title}


@router.post(
    "/calls",
    response={201: dict[str, Any]},
    summary="Call records from the telephony system: one object or a list (idempotent by call_id)",
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {
                    "schema": {
                        "oneOf": [
                            {"type": "object"},
                            {"type": "array", "items": {"type": "object"}},
                        ]
                    }
                }
            },
            "required": True,
        }
    },
)
def post_calls(request: HttpRequest):
    services.require_poster(request.user)  # 403 before the body is even read
    try:
        body = json.loads(request.body or b"null")
    except ValueError:
        raise BadInput("body", "not valid JSON") from None
    return Status(201, services.calls_record(actor=request.user, body=body))


@router.get("/calls/stats", response=dict[str, Any], summary="Answer rates by hour, day or month")
def call_stats(request: HttpRequest):
    by_line = request.GET.get("by_line", "") in ("1", "true", "yes")
    items = selectors.call_stats(
        request.user,
        start=request.GET.get("from"),
        end=request.GET.get("to"),
        by=request.GET.get("by"),
        by_line=by_line,
    )
    return {"items": items}


@router.get("/calls/{call_id}", response=dict[str, Any], summary="A call with its tickets")
def get_call(request: HttpRequest, call_id: str):
    call = selectors.call_get(request.user, call_id)
    body = call_view(call)
    body["tickets"] = [_ticket_ref(t) for t in selectors.call_tickets(request.user, call)]
    earlier = selectors.caller_history(request.user, call.caller, before=call.queued_at)[:20]
    body["earlier_tickets"] = [_ticket_ref(t) for t in earlier]
    return body


class LinkIn(Schema):
    ticket: str


@router.post(
    "/calls/{call_id}/tickets",
    response={201: dict[str, Any]},
    summary="Link a ticket registered from this call",
)
def link_ticket(request: HttpRequest, call_id: str, payload: LinkIn):
    link = services.call_ticket_link(actor=request.user, call_id=call_id, number=payload.ticket)
    return Status(201, {"call_id": call_id, "ticket": link.ticket.number})
