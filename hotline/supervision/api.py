"""Supervision endpoints: accountability records (list, filter, Excel) and the referral queue."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status

from hotline.core.api import paginate
from hotline.core.errors import BadInput
from hotline.core.formatting import iso

from . import selectors, services
from .exports import accountability_xlsx

router = Router(tags=["supervision"])


class AccountabilityIn(Schema):
    ticket: str
    unit: str
    reason: str
    measure: str
    person: str | None = None


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
    measure: str | None = None,
    since: date | None = None,
    until: date | None = None,
    format: str | None = None,
    page: int | None = None,
    page_size: int | None = None,
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
    if format not in (None, "", "json"):
        raise BadInput("format", "json or xlsx")
    return paginate(request, qs, page, page_size, _row)


@router.get(
    "/supervision/queue",
    response=dict[str, Any],
    summary="Tickets referred automatically (3 redos or 3 send-backs)",
)
def queue(request: HttpRequest, page: int | None = None, page_size: int | None = None):
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
