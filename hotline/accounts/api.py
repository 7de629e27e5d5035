from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import HttpBearer

from hotline.core.api import LoginThrottle

from . import services

router = Router(tags=["auth"])


class BearerAuth(HttpBearer):
    """``Authorization: Bearer <token>``: the token's user with their grants attached."""

    def authenticate(self, request: HttpRequest, token: str):
        user = services.token_user(token)
        if user is not None:
            request.user = user
        return user


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str


@router.post(
    "/auth/token",
    response=TokenOut,
    auth=None,
    throttle=[LoginThrottle()],
    summary="Exchange a username and password for a bearer token",
)
def token(request: HttpRequest, payload: TokenIn):
    return {"token": services.token_issue(username=payload.username, password=payload.password)}
