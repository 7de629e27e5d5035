"""REST endpoints of the telephony app, mounted under /api/v1/ by config/api.py.

``POST /calls`` (admins, integration), ``GET /calls/stats`` (leaders, supervisors, admins),
``GET /calls/{call_id}`` and ``POST /calls/{call_id}/tickets`` (the centre's staff).

Bodies are typed with the project's strict schema base (``core.api.StrictSchema``) and refuse
fields they do not know: a wrong type or an unknown field is a 400 naming the field (in a
batch of call records ``[index].field``), never a 422, and nothing is written."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

import pydantic
from django.conf import settings
from django.http import HttpRequest
from ninja import Query, Router
from ninja.responses import Status
from pydantic import ConfigDict, Field

from hotline.core.api import StrictSchema
from hotline.core.errors import BadInput
from hotline.tickets.models import Ticket

from . import selectors, services
from .models import CallRecord
from .records import MAX_AGENT, MAX_CALLER, MAX_ID, MAX_LINE, MAX_REF, SHANGHAI

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


class StrictBody(StrictSchema):
    """A body that refuses the fields it does not know (``extra_forbidden``: a 400 naming it)."""

    model_config = ConfigDict(strict=True, extra="forbid")


Moment = Annotated[
    str, Field(description="ISO 8601 with its UTC offset, e.g. 2026-12-01T08:00:03+08:00")
]


class CallIn(StrictBody):
    """One call record (DESIGN section 9). The times' order and the outcome's rules are checked
    after the types (``records.record_clean``), with the same 400 naming the field."""

    call_id: Annotated[str, Field(min_length=1, max_length=MAX_ID)]
    line: Annotated[str, Field(min_length=1, max_length=MAX_LINE)]
    caller: Annotated[str, Field(max_length=MAX_CALLER)] | None = None
    queued_at: Moment
    answered_at: Moment | None = None
    ended_at: Moment
    agent: Annotated[str, Field(max_length=MAX_AGENT)] | None = None
    outcome: Literal["answered", "abandoned", "transferred", "callback"]
    recording_ref: Annotated[str, Field(max_length=MAX_REF)] | None = None


def _loc_field(loc: tuple) -> str:
    field = ""
    for part in loc:
        field += f"[{part}]" if isinstance(part, int) else (f".{part}" if field else str(part))
    return field


def calls_body_check(body: object) -> None:
    """Each record of the body against ``CallIn``: the first wrong type or unknown field is a
    400 naming it (``[index].field`` in a list). A body that is neither an object nor a list,
    an empty list or one over the batch limit is left to the service, which names ``body``."""
    limit = int(getattr(settings, "HOTLINE_CALLS_MAX_BATCH", services.MAX_BATCH))
    if isinstance(body, dict):
        records, in_list = [body], False
    elif isinstance(body, list) and 0 < len(body) <= limit:
        records, in_list = body, True
    else:
        return
    for index, record in enumerate(records):
        try:
            CallIn.model_validate(record)
        except pydantic.ValidationError as exc:
            error = exc.errors()[0]
            field = _loc_field(tuple(error.get("loc", ())))
            if in_list:
                field = f"[{index}].{field}" if field else f"[{index}]"
            raise services.RecordBadInput(
                field or "body", error.get("msg", "invalid"), index if in_list else None
            ) from None


_CALL_SCHEMA = CallIn.model_json_schema()


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
                            _CALL_SCHEMA,
                            {"type": "array", "items": _CALL_SCHEMA, "minItems": 1},
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
    calls_body_check(body)
    return Status(201, services.calls_record(actor=request.user, body=body))


class StatsQuery(StrictBody):
    """``GET /calls/stats``: ``from`` and ``to`` (YYYY-MM-DD, both included), ``by`` (hour, day,
    month) and ``by_line`` (true/false, 1/0)."""

    from_: str | None = Field(None, alias="from", description="first day, YYYY-MM-DD")
    to: str | None = Field(None, description="last day, YYYY-MM-DD")
    by: str | None = Field(None, description="hour, day (default) or month")
    by_line: str | None = Field(None, description="true/1 for a row per line")


BY_LINE = {"1": True, "true": True, "yes": True, "": False, "0": False, "false": False, "no": False}


@router.get("/calls/stats", response=dict[str, Any], summary="Answer rates by hour, day or month")
def call_stats(request: HttpRequest, query: Query[StatsQuery]):
    by_line = BY_LINE.get((query.by_line or "").lower())
    if by_line is None:
        raise BadInput("by_line", "true or false (1 or 0)")
    items = selectors.call_stats(
        request.user, start=query.from_, end=query.to, by=query.by, by_line=by_line
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


class LinkIn(StrictBody):
    ticket: Annotated[str, Field(min_length=1, max_length=32, description="ticket number")]


@router.post(
    "/calls/{call_id}/tickets",
    response={201: dict[str, Any]},
    summary="Link a ticket registered from this call",
)
def link_ticket(request: HttpRequest, call_id: str, payload: LinkIn):
    link = services.call_ticket_link(actor=request.user, call_id=call_id, number=payload.ticket)
    return Status(201, {"call_id": call_id, "ticket": link.ticket.number})
