"""Supervision endpoints: accountability records (list, filter, Excel) and the referral queue."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status
from pydantic import Field

from hotline.core.api import PageNumber, PageSize, StrictSchema, paginate
from hotline.core.formatting import iso

from . import selectors, services
from .exports import accountability_xlsx
from .models import Accountability

router = Router(tags=["supervision"])


if TYPE_CHECKING:  # a Literal built at run time is a str to the type checker
    Measure = str
else:
    Measure = Literal[tuple(Accountability.MEASURES)]


class AccountabilityIn(StrictSchema):
    ticket: Annotated[str, Field(max_length=32)]
    unit: Annotated[str, Field(max_length=64)]
    reason: Annotated[str, Field(max_length=5_000)]
    measure: Measure
    person: Annotated[str, Field(max_length=64)] | None = None


def _row(r) -> dict:
    return {
        "id": r.pk,
        "ticket": r.ticket.number,
        "unit": r.unit.code,
        "person": r.person,
        "reason": r.reason,
        "measure": r.measure,
        "decided_by": r.decided_by.username,
        "decided_at": iso(r.decided_at),
    }


@router.post("/accountability", response={201: dict[str, Any]}, summary="Record accountability")
def record(request: HttpRequest, payload: AccountabilityIn):
    return Status(
        201, _row(services.accountability_record(actor=request.user, data=payload.model_dump()))
    )


@router.get(
    "/accountability",
    response=dict[str, Any],
    summary="Accountability records; ?format=xlsx for Excel",
)
def records(
    request: HttpRequest,
    unit: str | None = None,
    ticket: str | None = None,
    measure: Measure | None = None,
    since: date | None = None,
    until: date | None = None,
    format: Literal["json", "xlsx"] | None = None,
    page: PageNumber | None = None,
    page_size: PageSize | None = None,
):
    qs = selectors.accountability_list(
        request.user, unit=unit, ticket=ticket, measure=measure, since=since, until=until
    )
    if format == "xlsx":
        response = HttpResponse(
            accountability_xlsx(qs[:100_000]),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="accountability.xlsx"'
        return response
    return paginate(request, qs, page, page_size, _row)


@router.get(
    "/supervision/queue",
    response=dict[str, Any],
    summary="Tickets referred automatically (3 redos or 3 send-backs)",
)
def queue(request: HttpRequest, page: PageNumber | None = None, page_size: PageSize | None = None):
    qs = selectors.referral_queue(request.user)
    return paginate(
        request,
        qs,
        page,
        page_size,
        lambda r: {
            "ticket": r.ticket.number,
            "reason": r.reason,
            "status": r.ticket.status,
            "unit": r.ticket.unit.code if r.ticket.unit_id else None,
            "referred_at": iso(r.created_at),
        },
    )
