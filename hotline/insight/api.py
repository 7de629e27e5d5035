"""Insight endpoints: dispatch suggestions and similar tickets (DESIGN section 9)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from hotline.accounts.roles import Role
from hotline.accounts.selectors import grants_for
from hotline.core.errors import BadInput, Forbidden
from hotline.core.formatting import iso

from . import selectors

router = Router(tags=["insight"])

SUGGEST_ROLES = frozenset(
    {Role.AGENT, Role.DISPATCHER, Role.SUB_DISPATCHER, Role.ADMIN, Role.INTEGRATION}
)
MAX_TEXT = 10_000


class SuggestIn(Schema):
    text: str = Field(..., description="the ticket's content")
    title: str | None = Field(None, description="the ticket's title, when it has one")


@router.post(
    "/suggest", response=dict[str, Any], summary="Category and unit suggestions for a text (top 3)"
)
def suggest(request: HttpRequest, payload: SuggestIn):
    if not grants_for(request.user).roles & SUGGEST_ROLES:
        raise Forbidden("suggestions are for the roles that register and dispatch tickets")
    if not payload.text.strip():
        raise BadInput("text", "required")
    if len(payload.text) > MAX_TEXT:
        raise BadInput("text", f"at most {MAX_TEXT} characters")
    model, items = selectors.suggestions(payload.text, title=payload.title)
    return {"model": model, "items": items}


@router.get(
    "/tickets/{number}/similar", response=dict[str, Any], summary="Possible repeats and duplicates"
)
def similar(request: HttpRequest, number: str):
    matches = selectors.similar_for(request.user, number)
    return {
        "number": number,
        "items": [
            {
                "number": ticket.number,
                "kind": match.kind,
                "score": match.score,
                "reasons": list(match.reasons),
                "status": ticket.status,
                "title": ticket.title,
                "registered_at": iso(ticket.registered_at),
            }
            for match, ticket in matches
        ],
    }
