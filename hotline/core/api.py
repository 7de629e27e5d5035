"""Shared API plumbing: bearer auth, the error format of DESIGN section 9, pagination."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Annotated, Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from .errors import BadInput, HotlineError, RateLimited

log = logging.getLogger("hotline.api")

MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 50
# Deeper than any list goes (100,000 pages of 1,000 rows): a bigger number is a client's error,
# not an offset the database should be asked for.
MAX_PAGE = 100_000

# Query parameters of every list, with their bounds in the OpenAPI schema.
PageNumber = Annotated[int, Field(ge=1, le=MAX_PAGE, description="page number, from 1")]
PageSize = Annotated[
    int, Field(ge=1, le=MAX_PAGE_SIZE, description=f"rows per page, {DEFAULT_PAGE_SIZE} by default")
]


def _field_from_loc(loc: Iterable[Any]) -> str:
    """``("body", "payload", "co_units", 1)`` -> ``co_units[1]``, as the edge names fields."""
    field = ""
    for part in loc:
        if isinstance(part, int):
            field += f"[{part}]"
        elif part not in ("body", "query", "path", "header", "payload", "data"):
            field = f"{field}.{part}" if field else str(part)
    return field or "body"


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


def page_params(page: int | None, page_size: int | None) -> tuple[int, int]:
    page = 1 if page is None else page
    size = DEFAULT_PAGE_SIZE if page_size is None else page_size
    if isinstance(page, bool) or not isinstance(page, int) or not 1 <= page <= MAX_PAGE:
        raise BadInput("page", f"must be between 1 and {MAX_PAGE}")
    if isinstance(size, bool) or not isinstance(size, int):
        raise BadInput("page_size", f"must be between 1 and {MAX_PAGE_SIZE}")
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


class StrictSchema(Schema):
    """A request body typed strictly: a string is a JSON string, a number a JSON number (not
    ``"3"``, not ``true``), a boolean a JSON boolean, an object an object. Bodies of every
    endpoint use it, so that the OpenAPI schema says what the server accepts."""

    model_config = ConfigDict(strict=True)

    # Replaces ninja's root validator, which reads attributes off any object: with it,
    # ``"citizen": "x"`` became a citizen with no fields.
    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(cls, values: Any, handler: Any, info: Any) -> Any:
        if not isinstance(values, dict | BaseModel):
            raise PydanticCustomError("model_type", "must be an object")
        return handler(values)
