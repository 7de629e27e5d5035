"""Insight endpoints: dispatch suggestions and similar tickets (DESIGN section 9)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from hotline.accounts.roles import Role
from hotline.accounts.selectors import grants_for
from hotline.core.errors import BadInput, Forbidden
from hotline.core.formatting import iso
from hotline.orgs.models import Region

from . import selectors

router = Router(tags=["insight"])

SUGGEST_ROLES = frozenset(
    {Role.AGENT, Role.DISPATCHER, Role.SUB_DISPATCHER, Role.ADMIN, Role.INTEGRATION}
)
MAX_TEXT = 10_000


class SuggestIn(Schema):
    text: str = Field(..., description="the ticket's content")
    title: str | None = Field(None, description="the ticket's title, when it has one")
    address: str | None = Field(None, description="the address the citizen gave")
    region: str | None = Field(None, description="a region's code, when the place is known")
    lat: float | None = Field(None, description="latitude of a map point (wins over the text)")
    lon: float | None = Field(None, description="longitude of a map point")
    urgency: str | None = Field(None, description="normal, urgent or emergency (routing rules)")


URGENCIES = ("normal", "urgent", "emergency")


def _suggest_checked(payload: SuggestIn) -> None:
    """400 naming the first field out of bounds, in the order of the schema."""
    if not payload.text.strip():
        raise BadInput("text", "required")
    if len(payload.text) > MAX_TEXT:
        raise BadInput("text", f"at most {MAX_TEXT} characters")
    if payload.title and len(payload.title) > 200:
        raise BadInput("title", "at most 200 characters")
    if payload.address and len(payload.address) > 255:
        raise BadInput("address", "at most 255 characters")
    if payload.region and not Region.objects.filter(code=payload.region).exists():
        raise BadInput("region", f"no region with code {payload.region!r}")
    if payload.urgency and payload.urgency not in URGENCIES:
        raise BadInput("urgency", f"one of {', '.join(URGENCIES)}")
    _point_checked(payload.lat, payload.lon)


def _point_checked(lat: float | None, lon: float | None) -> None:
    if (lat is None) != (lon is None):
        raise BadInput("lon" if lon is None else "lat", "lat and lon go together")
    for name, value, bound in (("lat", lat, 90), ("lon", lon, 180)):
        if value is not None and not -bound <= value <= bound:
            raise BadInput(name, f"must be between -{bound} and {bound}")


def _place_out(place) -> dict[str, Any] | None:
    if not place:
        return None
    return {
        "region": place.region,
        "name": place.name,
        "level": place.level,
        "district": place.district,
        "via": place.via,
        "words": list(place.words),
    }


@router.post(
    "/suggest", response=dict[str, Any], summary="Category and unit suggestions for a text (top 3)"
)
def suggest(request: HttpRequest, payload: SuggestIn):
    if not grants_for(request.user).roles & SUGGEST_ROLES:
        raise Forbidden("suggestions are for the roles that register and dispatch tickets")
    _suggest_checked(payload)
    out = selectors.suggest_for(
        payload.text,
        title=payload.title,
        address=payload.address or "",
        region=payload.region or None,
        lat=payload.lat,
        lon=payload.lon,
        urgency=payload.urgency or "",
    )
    return {
        "model": out.model,
        "place": _place_out(out.place),
        "items": [{key: item[key] for key in ITEM_KEYS} for item in out.items],
    }


# category: a catalogue leaf's code; unit: a unit's code; reasons: in words (DESIGN section 9).
ITEM_KEYS = (
    "category",
    "unit",
    "confidence",
    "reasons",
    "category_name",
    "class",
    "unit_name",
    "rule",
)


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
