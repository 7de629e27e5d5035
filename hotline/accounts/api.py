from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.security import HttpBearer

from hotline.core.api import PageNumber, PageSize, StrictSchema, paginate
from hotline.core.errors import NotAuthenticated, RateLimited
from hotline.core.formatting import iso

from . import selectors, services, throttle

router = Router(tags=["auth"])


class BearerAuth(HttpBearer):
    """``Authorization: Bearer <token>``: the token's user with their grants attached."""

    def authenticate(self, request: HttpRequest, token: str):
        user = services.token_user(token)
        if user is not None:
            request.user = user
        return user


class TokenIn(StrictSchema):
    username: str
    password: str


class TokenOut(Schema):
    token: str


@router.post(
    "/auth/token",
    response=TokenOut,
    auth=None,
    summary="Exchange a username and password for a bearer token",
)
def token(request: HttpRequest, payload: TokenIn):
    """Throttled per account and per client (``hotline.accounts.throttle``): 429 with
    ``Retry-After`` while refused, whether or not the user exists."""
    client = throttle.request_client(request)
    refusal = throttle.login_refusal(username=payload.username, client=client)
    if refusal is not None:
        throttle.login_failed(username=payload.username, client=client, via="api", refused=True)
        raise RateLimited(refusal.retry_after, refusal.message)
    try:
        key = services.token_issue(username=payload.username, password=payload.password)
    except NotAuthenticated:
        throttle.login_failed(username=payload.username, client=client, via="api")
        raise
    throttle.login_succeeded(username=payload.username)
    return {"token": key}


FROM_DATE = Query(None, alias="from")  # "from" is a Python keyword


def _audit_row(event) -> dict:
    return {
        "seq": event.seq,
        "at": iso(event.at),
        "actor": event.actor.get_username() if event.actor_id else None,
        "action": event.action,
        "target": event.target,
        "reason": event.reason,
        "data": event.data,
    }


@router.get(
    "/audit",
    response=dict[str, Any],
    tags=["audit"],
    summary="The audit log, newest first (auditors only)",
)
def audit_log(
    request: HttpRequest,
    actor: str | None = None,
    action: str | None = None,
    target: str | None = None,
    from_: date | None = FROM_DATE,
    to: date | None = None,
    page: PageNumber | None = None,
    page_size: PageSize | None = None,
):
    """``actor`` a username, ``action`` an action or its prefix (``ticket.``), ``target``
    exact, ``from``/``to`` days, both included. 403 for every role but the auditor's."""
    qs = selectors.audit_events(
        request.user, actor=actor, action=action, target=target, since=from_, until=to
    )
    return paginate(request, qs, page, page_size, _audit_row)
