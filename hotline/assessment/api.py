"""REST endpoints of the assessment (DESIGN section 9), mounted under /api/v1/ by config/api.py."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Schema, Status

from hotline.core.api import paginate
from hotline.core.errors import BadInput, NotFound
from hotline.tickets.serializers import iso

from . import selectors, services
from .exports import ranking_xlsx

router = Router(tags=["assessment"])
FROM_DATE = Query(None, alias="from")  # "from" is a Python keyword
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _scope(request, scope: str | None):
    unit = selectors.unit_by_code(scope) if scope else None
    selectors.check_scope(request.user, unit)
    return unit


def _respond(body: dict, format: str | None, filename: str):
    if format in (None, "", "json"):
        return body
    if format != "xlsx":
        raise BadInput("format", "json or xlsx")
    response = HttpResponse(ranking_xlsx(body), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def month_body(month: str, scope_unit, version: int | None) -> dict:
    if version is not None:
        publication = selectors.publication_get(month, version)
        items = selectors.published_rows(publication, scope_unit)
        cut_off = publication.cut_off
    else:
        period = selectors.month_period(month, timezone.now())
        items, _ = selectors.live_rows(period, scope_unit)
        cut_off = period.cut_off
    return {
        "month": month,
        "scope": scope_unit.code if scope_unit else None,
        "version": version,
        "cut_off": iso(cut_off),
        "items": items,
    }


@router.get(
    "/assessment",
    response=dict[str, Any],
    summary="Per-unit metrics for any date range (both days included; always live)",
)
def assessment_range(
    request: HttpRequest,
    from_: date | None = FROM_DATE,
    to: date | None = None,
    scope: str | None = None,
    format: str | None = None,
):
    period = selectors.range_period(from_, to, timezone.now())
    unit = _scope(request, scope)
    items, _ = selectors.live_rows(period, unit)
    body = {
        "from": str(from_),
        "to": str(to),
        "period": period.label,
        "scope": unit.code if unit else None,
        "version": None,
        "cut_off": iso(period.cut_off),
        "items": items,
    }
    return _respond(body, format, f"assessment-{from_}-{to}")


@router.get("/assessment/{month}", response=dict[str, Any], summary="A month's ranking")
def assessment_month(
    request: HttpRequest,
    month: str,
    scope: str | None = None,
    version: int | None = None,
    format: str | None = None,
):
    selectors.parse_month(month)
    unit = _scope(request, scope)
    body = month_body(month, unit, version)
    return _respond(body, format, f"assessment-{month}" + (f"-v{version}" if version else ""))


def _ticket_row(ticket) -> dict:
    return {
        "number": ticket.number,
        "status": ticket.status,
        "title": ticket.title,
        "registered_at": iso(ticket.registered_at),
        "unit": ticket.unit.code if ticket.unit_id else None,
    }


@router.get(
    "/assessment/{month}/units/{code}/tickets",
    response=dict[str, Any],
    summary="The tickets behind one count of one unit",
)
def assessment_tickets(
    request: HttpRequest,
    month: str,
    code: str,
    metric: str | None = None,
    version: int | None = None,
    page: int | None = None,
    page_size: int | None = None,
):
    selectors.parse_month(month)
    if not metric:
        raise BadInput("metric", "required")
    unit = selectors.assessed_units(None).filter(code=code).first()
    if unit is None:
        raise NotFound(f"no assessed unit {code!r}")
    selectors.check_unit(request.user, unit)
    if version is not None:
        qs = selectors.published_tickets(selectors.publication_get(month, version), unit, metric)
    else:
        period = selectors.month_period(month, timezone.now())
        qs = selectors.metric_tickets(selectors.Scope(unit), period, metric)
    qs = qs.select_related("unit").order_by("registered_at", "pk")
    return paginate(request, qs, page, page_size, _ticket_row)


class PublishIn(Schema):
    note: str | None = None


@router.post(
    "/assessment/{month}/publish",
    response={201: dict[str, Any]},
    summary="Freeze the month as its next version (admin or supervisor)",
)
def assessment_publish(request: HttpRequest, month: str, payload: PublishIn | None = None):
    publication = services.assessment_publish(
        actor=request.user, month=month, note=payload.note if payload else None
    )
    return Status(
        201,
        {
            "month": month,
            "version": publication.version,
            "published_at": iso(publication.published_at),
        },
    )
