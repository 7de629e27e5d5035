"""REST endpoints for tickets (DESIGN section 9)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Status

from hotline.accounts.selectors import grants_for
from hotline.core.api import PageNumber, PageSize, StrictSchema, paginate
from hotline.core.errors import NotFound

from . import policy, selectors, services, workflow
from .serializers import ticket_view

router = Router(tags=["tickets"])


def _one_of(values) -> Any:
    """``Literal`` of a table's keys: the schema lists them, anything else is a 400 naming them."""
    return Literal[tuple(values)]


if TYPE_CHECKING:  # a Literal built at run time is a str to the type checker
    Channel = str
    Kind = str
    Urgency = str
    Outcome = str
    Satisfaction = str
    Verdict = str
    Action = str
else:
    Channel = _one_of(workflow.CHANNELS)
    Kind = _one_of(workflow.KINDS)
    Urgency = _one_of(workflow.URGENCIES)
    Outcome = _one_of(workflow.OUTCOMES)
    Satisfaction = _one_of(workflow.SATISFACTIONS)
    Verdict = _one_of(workflow.VERDICTS)
    Action = _one_of(workflow.TICKET_ACTIONS)
CopyTarget = Literal["supervision", "discipline"]
Code = Annotated[str, Field(max_length=64)]
Text = Annotated[str, Field(max_length=5_000)]


class CitizenIn(StrictSchema):
    name: Annotated[str, Field(max_length=64)] | None = None
    phone: Annotated[str, Field(pattern=r"^(\+?[0-9*\- ]{3,20})?$")] | None = Field(
        None, description="digits, +, - or spaces, 3 to 20 characters"
    )
    anonymous: bool | None = None
    confidential: bool | None = None


class TicketIn(StrictSchema):
    channel: Channel
    kind: Kind
    urgency: Urgency | None = Field(
        None, description="normal, urgent or emergency; urgent words in the text can raise it"
    )
    title: Annotated[str, Field(max_length=200)] | None = None
    content: Annotated[str, Field(max_length=10_000)]
    address: Annotated[str, Field(max_length=255)] | None = None
    lat: Annotated[float, Field(ge=-90, le=90)] | None = None
    lon: Annotated[float, Field(ge=-180, le=180)] | None = None
    region: Code | None = Field(None, description="region code")
    category: Code | None = Field(None, description="catalogue code")
    centre: Code | None = Field(
        None,
        description="the hotline centre registering it (its unit's code: a district's own line);"
        " default: the caller's centre, else the city's",
    )
    citizen: CitizenIn | None = None


class ActionIn(StrictSchema):
    unit: Code | None = Field(None, description="unit code (dispatch, forward)")
    co_units: list[Code] | None = Field(None, description="co-unit codes (dispatch)")
    reason: Text | None = Field(
        None, description="send_back, request_extension, invalidate, pass_up"
    )
    days: Annotated[int, Field(ge=1, le=60)] | None = Field(
        None,
        description=f"working days (request_extension: at most {policy.MAX_EXTENSION_DAYS}; "
        "review redo, supervise, sign)",
    )
    approve: bool | None = Field(
        None,
        description="decide_extension; on a re-dispatch after a send-back: was the send-back justified",
    )
    text: Text | None = Field(None, description="reply, comment, answer_directly")
    outcome: Outcome | None = Field(None, description="reply")
    satisfaction: Satisfaction | None = Field(None, description="follow_up")
    verdict: Verdict | None = Field(None, description="review")
    judgements: dict[str, Any] | None = Field(
        None,
        description="review: complaint_reasonable, complaint_lawful, process_compliant, "
        "result_lawful, each {value: true/false, note}",
    )
    into: Code | None = Field(None, description="merge: number of the ticket to merge into")
    level: Annotated[int, Field(ge=1, le=10)] | None = Field(
        None, description="supervise: supervision number (1, 2 = second supervision)"
    )
    instruction: Text | None = Field(
        None, description="sign: the leader's instruction (领导签批); the ticket becomes supervised"
    )
    copy_to: list[CopyTarget] | None = Field(
        None, description="dispatch: read-only copies to the supervision and discipline offices"
    )
    note: Text | None = None
    article: Annotated[int, Field(ge=1)] | None = Field(
        None, description="answer_directly: the published knowledge-base article answered from"
    )


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
    unit: Code | None = None,
    q: Annotated[str, Field(max_length=100)] | None = None,
    centre: Code | None = None,
    origin: Literal["own", "transferred"] | None = None,
    channel: Channel | None = None,
    kind: Kind | None = None,
    region: Code | None = None,
    category: Code | None = None,
    registered_from: date | None = None,
    registered_to: date | None = None,
    warning: Literal["none", "yellow", "red"] | None = None,
    sort: Literal["registered", "deadline"] | None = None,
    page: PageNumber | None = None,
    page_size: PageSize | None = None,
):
    """``status`` one or more states, comma-separated; ``unit``, ``region`` and ``category``
    codes (each with its sub-tree; ``unit`` is the holding unit); ``q`` a ticket number
    (exact) or words (Chinese is cut into words by jieba and every word must be found in the
    title, content or address); ``registered_from``/``registered_to`` days (YYYY-MM-DD,
    Asia/Shanghai, both included); ``warning`` the level shown (none, yellow, red); ``sort``
    ``registered`` (newest first, default) or ``deadline`` (the open clock's deadline, soonest
    first). ``centre`` (a centre's unit code) keeps the tickets registered at or held by that
    centre; ``origin`` ``own`` (自办件: registered there) or ``transferred`` (转办件: received
    from the centre above)."""
    grants = grants_for(request.user)
    filters = selectors.TicketFilters(
        status=status,
        unit=unit,
        q=q,
        centre=centre,
        origin=origin,
        channel=channel,
        kind=kind,
        region=region,
        category=category,
        registered_from=registered_from,
        registered_to=registered_to,
        warning=warning,
        sort=sort,
    )
    qs = selectors.ticket_list(request.user, filters)
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
def act(request: HttpRequest, number: str, action: Action, payload: ActionIn | None = None):
    data = payload.model_dump(exclude_none=True) if payload is not None else {}
    services.ticket_transition(actor=request.user, number=number, action=action, data=data)
    ticket = selectors.ticket_detail(request.user, number)
    return ticket_view(ticket, grants_for(request.user), timeline=True)


class RevealIn(StrictSchema):
    reason: Annotated[str, Field(max_length=500)] | None = Field(
        None, description="why the complainant's full name and phone are needed (required)"
    )


@router.post(
    "/tickets/{number}/reveal",
    response=dict[str, str],
    summary="The complainant's name and phone in full, with a reason (audited)",
)
def reveal(request: HttpRequest, number: str, payload: RevealIn | None = None):
    """For the roles that may (docs/security.md): 404 for a ticket the caller cannot see, 403
    for a role that may not reveal, 400 naming ``reason`` without one; each reveal is one row
    of the audit log (``ticket.reveal``)."""
    reason = payload.reason if payload is not None else None
    return services.citizen_reveal(actor=request.user, number=number, reason=reason)
