"""Shared API plumbing: bearer auth, the error format of DESIGN section 9, pagination."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.throttling import AnonRateThrottle

from .errors import BadInput, HotlineError, RateLimited

log = logging.getLogger("hotline.api")

MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 50


def _field_from_loc(loc: Iterable[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "payload", "data")]
    return ".".join(parts) or "body"


def install_error_handlers(api: NinjaAPI) -> None:
    def respond(request, status: int, body: dict, headers: dict | None = None) -> HttpResponse:
        response = api.create_response(request, body, status=status)
        for key, value in (headers or {}).items():
            response[key] = value
        return response

    @api.exception_handler(HotlineError)
    def hotline_error(request, exc: HotlineError):
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
        return respond(request, exc.status, exc.as_dict(), headers)

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        first = exc.errors[0] if exc.errors else {}
        field = _field_from_loc(first.get("loc", ()))
        message = first.get("msg", "invalid")
        detail = {_field_from_loc(e.get("loc", ())): e.get("msg", "invalid") for e in exc.errors}
        return respond(
            request,
            400,
            {"error": "bad_request", "detail": detail or {field: message}, "field": field},
        )

    @api.exception_handler(AuthenticationError)
    def auth_error(request, exc):
        return respond(
            request,
            401,
            {"error": "not_authenticated", "detail": "a valid Bearer token is required"},
        )

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        code = {
            400: "bad_request",
            401: "not_authenticated",
            403: "forbidden",
            404: "not_found",
            405: "method_not_allowed",
            409: "conflict",
            413: "too_large",
            429: "rate_limited",
        }.get(exc.status_code, "error")
        headers = {}
        if exc.status_code == 429:
            headers["Retry-After"] = "60"
        return respond(request, exc.status_code, {"error": code, "detail": str(exc)}, headers)

    from django.http import Http404

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return respond(request, 404, {"error": "not_found", "detail": "not found"})

    @api.exception_handler(Exception)
    def crash(request, exc):  # a 500 is always a bug: log it with the traceback
        log.exception("unhandled error on %s %s", request.method, request.path)
        return respond(
            request, 500, {"error": "server_error", "detail": "internal error; it has been logged"}
        )


class LoginThrottle(AnonRateThrottle):
    """Per-client limit on the token endpoint (brute force): 20 a minute."""

    def __init__(self) -> None:
        super().__init__("20/min")

    def get_cache_key(self, request):
        return f"throttle_login_{self.get_ident(request)}"


def page_params(page: int | None, page_size: int | None) -> tuple[int, int]:
    page = 1 if page is None else page
    size = DEFAULT_PAGE_SIZE if page_size is None else page_size
    if page < 1:
        raise BadInput("page", "must be 1 or more")
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise BadInput("page_size", f"must be between 1 and {MAX_PAGE_SIZE}")
    return page, size


def paginate(
    request: HttpRequest,
    qs: QuerySet | list,
    page: int | None,
    page_size: int | None,
    render: Callable[[Any], dict],
) -> dict:
    """The list envelope every list endpoint uses: ``{"items", "count", "next"}``."""
    page, size = page_params(page, page_size)
    count = qs.count() if isinstance(qs, QuerySet) else len(qs)
    start = (page - 1) * size
    rows = qs[start : start + size]
    items = [render(row) for row in rows]
    next_url = None
    if start + size < count:
        params = request.GET.copy()
        params["page"] = str(page + 1)
        params["page_size"] = str(size)
        next_url = request.build_absolute_uri(f"{request.path}?{urlencode(sorted(params.items()))}")
    return {"items": items, "count": count, "next": next_url}
