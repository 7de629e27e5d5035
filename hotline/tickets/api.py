"""REST endpoints for tickets (DESIGN section 9)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import StrictBool

from hotline.accounts.selectors import grants_for
from hotline.core.api import paginate
from hotline.core.errors import BadInput, NotFound

from . import selectors, services, workflow
from .serializers import ticket_view

router = Router(tags=["tickets"])


class CitizenIn(Schema):
    name: str | None = None
    phone: str | None = None
    anonymous: StrictBool | None = None
    confidential: StrictBool | None = None


class TicketIn(Schema):
    channel: str = Field(..., description=f"one of {', '.join(workflow.CHANNELS)}")
    kind: str = Field(..., description=f"one of {', '.join(workflow.KINDS)}")
    urgency: str | None = Field(
        None, description="normal, urgent or emergency; urgent words in the text can raise it"
    )
    title: str | None = None
    content: str
    address: str | None = None
    lat: float | None = None
    lon: float | None = None
    region: str | None = Field(None, description="region code")
    category: str | None = Field(None, description="catalogue code")
    centre: str | None = Field(
        None,
        description="the hotline centre registering it (its unit's code: a district's own line);"
        " default: the caller's centre, else the city's",
    )
    citizen: CitizenIn | None = None


class ActionIn(Schema):
    unit: str | None = Field(None, description="unit code (dispatch, forward)")
    co_units: list[str] | None = Field(None, description="co-unit codes (dispatch)")
    reason: str | None = Field(
        None, description="send_back, request_extension, invalidate, pass_up"
    )
    days: int | None = Field(
        None, description="working days (request_extension, review redo, supervise)"
    )
    approve: StrictBool | None = Field(
        None,
        description="decide_extension; on a re-dispatch after a send-back: was the send-back justified",
    )
    text: str | None = Field(None, description="reply, comment, answer_directly")
    outcome: str | None = Field(None, description="reply: resolved, explained, cannot_resolve")
    satisfaction: str | None = Field(
        None, description="follow_up: satisfied, basically_satisfied, dissatisfied"
    )
    verdict: str | None = Field(None, description="review: proper or redo")
    judgements: dict[str, Any] | None = Field(
        None,
        description="review: complaint_reasonable, complaint_lawful, process_compliant, "
        "result_lawful, each {value: true/false, note}",
    )
    into: str | None = Field(None, description="merge: number of the ticket to merge into")
    level: int | None = Field(
        None, description="supervise: supervision number (1, 2 = second supervision)"
    )
    copy_to: list[str] | None = Field(
        None, description="dispatch: read-only copies to 'supervision' and/or 'discipline'"
    )
    note: str | None = None


@router.post("/tickets", response={201: dict[str, Any]}, summary="Register a ticket")
def register(request: HttpRequest, payload: TicketIn):
    data = payload.model_dump(exclude_unset=True)
    if data.get("citizen") is None:
        data.pop("citizen", None)
    key = request.headers.get("Idempotency-Key")
    result = services.ticket_register(actor=request.user, data=data, idempotency_key=key)
    grants = grants_for(request.user)
    # The caller registered this ticket (an idempotent replay is scoped to the same caller), so
    # it may see what it submitted even if its role cannot list tickets (integrations).
    ticket = selectors.ticket_registered(result)
    return Status(201, ticket_view(ticket, grants, timeline=True))


@router.get("/tickets", response=dict[str, Any], summary="Tickets the caller may see")
def list_tickets(
    request: HttpRequest,
    status: str | None = None,
    unit: str | None = None,
    q: str | None = None,
    centre: str | None = None,
    origin: str | None = None,
    page: int | None = None,
    page_size: int | None = None,
):
    """``centre`` (a centre's unit code) keeps the tickets registered at or held by that
    centre; ``origin`` ``own`` (自办件: registered there) or ``transferred`` (转办件: received
    from the centre above)."""
    grants = grants_for(request.user)
    qs = selectors.ticket_list(
        request.user, status=status, unit=unit, q=q, centre=centre, origin=origin
    )
    return paginate(request, qs, page, page_size, lambda t: ticket_view(t, grants))


@router.get("/tickets/{number}", response=dict[str, Any], summary="A ticket with its timeline")
def get_ticket(request: HttpRequest, number: str):
    grants = grants_for(request.user)
    if not grants.reads_tickets:
        raise NotFound(f"no ticket {number}")
    ticket = selectors.ticket_detail(request.user, number)
    body = ticket_view(ticket, grants, timeline=True)
    body["allowed_actions"] = services.ticket_allowed_actions(ticket, grants)
    return body


@router.post(
    "/tickets/{number}/actions/{action}",
    response=dict[str, Any],
    summary="Take an action of the lifecycle",
)
def act(request: HttpRequest, number: str, action: str, payload: ActionIn | None = None):
    if action not in workflow.TICKET_ACTIONS:
        raise BadInput(
            "action", f"unknown action {action!r}; one of {', '.join(workflow.TICKET_ACTIONS)}"
        )
    data = payload.model_dump(exclude_none=True) if payload is not None else {}
    services.ticket_transition(actor=request.user, number=number, action=action, data=data)
    ticket = selectors.ticket_detail(request.user, number)
    return ticket_view(ticket, grants_for(request.user), timeline=True)
