"""Open311 GeoReport v2 endpoints under /open311/v2/ (docs/channels.md has the field mapping).

Every answer is in the format the URL names (``.json`` or ``.xml``; XML when a path names
neither); every error is in the spec's error format with 404 for what does not exist, 403 for
a missing, wrong or revoked api_key, 400 for anything else. Views only parse and render:
writes go through ``services``, reads through ``selectors``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import wraps
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from hotline.tickets.models import Ticket
from hotline.tickets.workflow import OPEN_STATUSES, STATUS_CHOICES

from . import formats, selectors, services
from .formats import Open311Error

log = logging.getLogger("hotline.open311")
STATUS_WORDS: dict[str, str] = {str(value): str(label) for value, label in STATUS_CHOICES}

MAX_FIELDS = 100
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class RateLimited(Open311Error):
    """Too many requests: 429 with Retry-After (DESIGN 10), in the spec's error format."""

    def __init__(self, retry_after: int):
        super().__init__(429, f"too many requests; retry after {retry_after} seconds")
        self.retry_after = retry_after


def _throttle(ident: str, per_minute: int) -> None:
    """A fixed one-minute window per client, counted in Django's cache."""
    now = int(time.time())
    key = f"open311:rate:{ident}:{now // 60}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        count = 1
    if count > per_minute:
        raise RateLimited(60 - now % 60)


def _respond(fmt: str, root: str, value: object, status: int = 200) -> HttpResponse:
    return HttpResponse(
        formats.render(fmt, root, value), status=status, content_type=formats.FORMATS[fmt]
    )


def error_response(fmt: str, error: Open311Error) -> HttpResponse:
    response = _respond(fmt, "errors", formats.errors_body([error]), status=error.status)
    if isinstance(error, RateLimited):
        response["Retry-After"] = str(error.retry_after)
    return response


def open311_view(*methods: str) -> Callable:
    """Format from the URL, the allowed methods, jurisdiction_id, errors in the spec's form,
    and a crash logged and answered as the spec's general service error."""

    def wrap(view: Callable) -> Callable:
        @csrf_exempt
        @wraps(view)
        def inner(request: HttpRequest, fmt: str = "xml", **kwargs) -> HttpResponse:
            try:
                if request.method not in methods:
                    raise Open311Error(400, f"method {request.method} is not allowed here")
                client = request.META.get("REMOTE_ADDR", "")
                _throttle(f"ip:{client}", settings.HOTLINE_OPEN311_RATE_PER_IP)
                _check_jurisdiction(request)
                return view(request, fmt, **kwargs)
            except Open311Error as error:
                return error_response(fmt, error)
            except Exception:
                log.exception("open311: %s %s failed", request.method, request.path)
                return error_response(
                    fmt, Open311Error(500, "General service error; it has been logged")
                )

        return inner

    return wrap


def _check_jurisdiction(request: HttpRequest) -> None:
    """Only one jurisdiction is served, so jurisdiction_id is optional; a wrong one is 404."""
    _jurisdiction(request.GET.get("jurisdiction_id"))


def _jurisdiction(given: str | None) -> None:
    ours = getattr(settings, "HOTLINE_OPEN311_JURISDICTION", "")
    if given and ours and given != ours:
        raise Open311Error(404, f"jurisdiction_id {given!r} was not found")


def _size_ok(request: HttpRequest) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return 0 <= length <= settings.HOTLINE_MAX_BODY


def _iso(value) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


# --- presentation -------------------------------------------------------------------------------


def service_view(category) -> dict:
    parents = []
    node = category.parent
    while node is not None:
        parents.append(node.name)
        node = node.parent
    group = parents[-1] if parents else category.name
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.full_name,
        "metadata": bool(getattr(category, "has_attributes", False)),
        "type": "realtime",
        "keywords": ", ".join([category.name, *parents]),
        "group": group,
    }


def request_view(ticket: Ticket, extra) -> dict:
    closed = ticket.status not in OPEN_STATUSES
    updated = ticket.closed_at if closed and ticket.closed_at else ticket.updated_at
    handle = getattr(ticket, "open_handle_clocks", None) or []
    expected = handle[0].due_at if handle else None
    notes = STATUS_WORDS.get(ticket.status, ticket.status)
    merged_into, category, unit, region = (
        ticket.merged_into,
        ticket.category,
        ticket.unit,
        ticket.region,
    )
    if ticket.status == "merged" and merged_into is not None:
        notes = f"{notes}：并入 {merged_into.number}"
    return {
        "service_request_id": ticket.number,
        "status": "closed" if closed else "open",
        "status_notes": notes,
        "service_name": category.name if category is not None else None,
        "service_code": category.code if category is not None else None,
        "description": ticket.content,
        "agency_responsible": unit.name if unit is not None else None,
        "service_notice": None,
        "requested_datetime": _iso(ticket.registered_at),
        "updated_datetime": _iso(updated),
        "expected_datetime": _iso(expected),
        "address": ticket.address or None,
        "address_id": region.code if region is not None else None,
        "zipcode": None,
        "lat": ticket.lat,
        "long": ticket.lon,
        "media_url": (extra.media_url or None) if extra is not None else None,
    }


def _requests_body(tickets: list[Ticket]) -> list[dict]:
    extras = selectors.request_extra(tickets)
    return [request_view(t, extras.get(t.pk)) for t in tickets]


# --- endpoints ------------------------------------------------------------------------------------


@open311_view("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    changeset = getattr(settings, "HOTLINE_OPEN311_CHANGESET", "2026-12-04T00:00:00+08:00")
    body = {
        "changeset": changeset,
        "contact": getattr(settings, "HOTLINE_OPEN311_CONTACT", "12345 市民服务热线中心"),
        "key_service": getattr(
            settings,
            "HOTLINE_OPEN311_KEY_SERVICE",
            "API keys are issued by the hotline centre's administrators on request.",
        ),
        "endpoints": [
            {
                "specification": formats.SPECIFICATION,
                "url": request.build_absolute_uri("/open311/v2"),
                "changeset": changeset,
                "type": "production",
                "formats": [formats.MIME["xml"], formats.MIME["json"]],
            }
        ],
    }
    return _respond(fmt, "discovery", body)


@open311_view("GET")
def services_index(request: HttpRequest, fmt: str) -> HttpResponse:
    return _respond(fmt, "services", [service_view(c) for c in selectors.services_list()])


@open311_view("GET")
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    category = selectors.service_get(code)
    if category is None:
        raise Open311Error(404, f"service_code {code!r} was not found")
    attributes = [attribute_view(row) for row in selectors.service_attributes(category)]
    return _respond(
        fmt, "service_definition", {"service_code": category.code, "attributes": attributes}
    )


def attribute_view(row) -> dict:
    """One attribute as the spec's service definition shows it."""
    out = {
        "variable": True,
        "code": row.code,
        "datatype": row.datatype,
        "required": row.required,
        "datatype_description": row.datatype_description or None,
        "order": row.order,
        "description": row.description,
    }
    if row.datatype in ("singlevaluelist", "multivaluelist"):
        out["values"] = [
            {"key": str(v.get("key")), "name": str(v.get("name", v.get("key")))}
            for v in row.values or []
            if isinstance(v, dict)
        ]
    return out


@open311_view("GET", "POST")
def requests_index(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    ids = formats.split_list(request.GET.get("service_request_id"), "service_request_id")
    if ids:
        tickets = selectors.requests_by_ids(ids)
    else:
        start, end = formats.date_range(
            request.GET.get("start_date"),
            request.GET.get("end_date"),
            now=timezone.now(),
            zone=timezone.get_current_timezone(),
        )
        tickets = selectors.requests_search(
            codes=formats.split_list(request.GET.get("service_code"), "service_code"),
            statuses=formats.statuses(request.GET.get("status")),
            start=start,
            end=end,
        )
    return _respond(fmt, "service_requests", _requests_body(tickets))


@open311_view("GET")
def request_detail(request: HttpRequest, fmt: str, number: str) -> HttpResponse:
    tickets = selectors.requests_by_ids([number])
    if not tickets:
        raise Open311Error(404, f"service_request_id {number!r} was not found")
    return _respond(fmt, "service_requests", _requests_body(tickets))


@open311_view("GET")
def token_detail(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    rows = selectors.requests_by_token(token)
    if not rows:
        raise Open311Error(404, f"token {token!r} was not found")
    body = [{"service_request_id": row.ticket.number, "token": row.token} for row in rows]
    return _respond(fmt, "service_requests", body)


def openapi(request: HttpRequest) -> HttpResponse:
    from django.http import JsonResponse

    from .openapi import schema

    return JsonResponse(schema(request.build_absolute_uri("/open311/v2")))


@csrf_exempt  # a POST to no route is a 404 in the spec's format, not Django's CSRF page
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    fmt = "json" if request.path.endswith(".json") else "xml"
    return error_response(fmt, Open311Error(404, f"no such resource: {request.path}"))


def _form(request: HttpRequest) -> list[tuple[str, str]]:
    """The POSTed form's fields in order: form-encoded (the spec) or multipart without files,
    UTF-8, at most HOTLINE_MAX_BODY bytes and MAX_FIELDS fields. Anything else is a 400."""
    if request.content_type not in FORM_TYPES:
        raise Open311Error(
            400,
            "the body must be application/x-www-form-urlencoded; charset=utf-8 "
            f"(received {request.content_type or 'no content type'})",
        )
    if not _size_ok(request):
        raise Open311Error(400, f"the body is larger than {settings.HOTLINE_MAX_BODY} bytes")
    if request.content_type == "multipart/form-data":
        try:
            if request.FILES:
                raise Open311Error(400, "media uploads are not accepted: send media_url")
            pairs = [(key, value) for key, values in request.POST.lists() for value in values]
        except Open311Error:
            raise
        except Exception:
            raise Open311Error(400, "the multipart body could not be read") from None
    else:
        try:
            text = request.body.decode("utf-8")
            pairs = parse_qsl(text, keep_blank_values=True, errors="strict")
        except UnicodeDecodeError:
            raise Open311Error(400, "the body is not valid UTF-8 form data") from None
    if len(pairs) > MAX_FIELDS:
        raise Open311Error(400, f"at most {MAX_FIELDS} form fields")
    return pairs


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    pairs = _form(request)
    form = dict(pairs)
    _jurisdiction(form.get("jurisdiction_id"))
    key = services.open311_key_check(form.get("api_key") or request.GET.get("api_key"))
    _throttle(f"key:{key.pk}", settings.HOTLINE_OPEN311_RATE_PER_KEY)
    token = request.headers.get("Idempotency-Key")
    created = services.open311_request_create(
        key=key, form=form, token=token, attributes=formats.attribute_values(pairs)
    )
    row = created.request
    body = [
        {
            "service_request_id": row.ticket.number,
            "service_notice": f"您的诉求已受理，工单号 {row.ticket.number}。",
            "account_id": row.account_id or None,
        }
    ]
    return _respond(fmt, "service_requests", body, status=201 if created.created else 200)
