from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import HttpBearer

from hotline.core.api import StrictSchema
from hotline.core.errors import NotAuthenticated, RateLimited

from . import services, throttle

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
