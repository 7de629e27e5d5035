"""The edge: what every request passes before a view sees it, and what every API error looks like.

Order in ``settings.MIDDLEWARE`` (outermost first):

1. :class:`ApiErrorFormatMiddleware` turns every non-success answer under ``/api/`` that is
   not JSON yet (Django's 404 for an unknown path, a 405, a 500 page, a CSRF 403) into
   ``{"error", "detail"}``.
2. :class:`BodySizeMiddleware` answers 413 to a body over ``HOTLINE_MAX_BODY``
   (``HOTLINE_MAX_UPLOAD`` for multipart uploads) before anything reads it: by its
   ``Content-Length``, or by a bounded read when the body is chunked.
3. :class:`InputGuardMiddleware` refuses NUL, lone surrogates and control characters in path
   parameters, query parameters, form fields, JSON strings and keys, and the headers the
   platform reads: 400 naming the field (``hotline.core.validation``).
"""

from __future__ import annotations

import json
import re
from http import HTTPStatus
from xml.sax.saxutils import escape

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from .validation import first_problem, walk_strings

API_PREFIX = "/api/"
OPEN311_PREFIX = "/open311/"
# Characters XML 1.0 cannot carry even escaped: named as U+XXXX in an XML error instead.
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(value: str) -> str:
    """``value`` escaped for XML text, the characters XML cannot carry written as U+XXXX."""
    return escape(XML_INVALID.sub(lambda m: f"U+{ord(m.group()):04X}", value))


# Headers the platform reads as text (one line each).
CHECKED_HEADERS = ("Idempotency-Key",)

ERROR_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
    500: "server_error",
}


def error_body(status: int, detail: object, field: str | None = None) -> dict:
    body: dict = {"error": ERROR_CODES.get(status, "error"), "detail": detail}
    if field:
        body["field"] = field
    return body


def edge_error(request: HttpRequest, status: int, detail: str, field: str | None = None):
    """An error answered by the edge, in the format of the part of the site asked: GeoReport's
    ``[{code, description}]`` under ``/open311/``, ``{"error", "detail"}`` everywhere else."""
    if request.path_info.startswith(OPEN311_PREFIX):
        description = f"{field}: {detail}" if field else detail
        if not request.path_info.endswith(".json"):  # GeoReport's errors in XML otherwise
            return HttpResponse(
                '<?xml version="1.0" encoding="UTF-8"?>\n<errors><error>'
                f"<code>{status}</code><description>{xml_text(description)}</description>"
                "</error></errors>",
                status=status,
                content_type="text/xml; charset=utf-8",
            )
        return JsonResponse(
            [{"code": status, "description": description}], status=status, safe=False
        )
    return JsonResponse(
        error_body(status, {field: detail} if field else detail, field), status=status
    )


# --- 1. one error format under /api/ ---------------------------------------------------------------


class ApiErrorFormatMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not request.path_info.startswith(API_PREFIX)
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        status = response.status_code
        if status == 404:
            detail = f"no such path {request.path_info}"
        elif status == 405:
            allowed = response.get("Allow", "")
            detail = f"method {request.method} not allowed here; allowed: {allowed}"
        elif status >= 500:
            detail = "internal error; it has been logged"
        else:
            try:
                detail = HTTPStatus(status).phrase.lower()
            except ValueError:
                detail = "error"
        replacement = JsonResponse(error_body(status, detail), status=status)
        for header in ("Allow", "Retry-After", "WWW-Authenticate"):
            if header in response:
                replacement[header] = response[header]
        return replacement


# --- 2. size caps ----------------------------------------------------------------------------------


def body_limit(request: HttpRequest) -> int:
    if request.META.get("CONTENT_TYPE", "").startswith("multipart/form-data"):
        return settings.HOTLINE_MAX_UPLOAD
    return settings.HOTLINE_MAX_BODY


def too_large(request: HttpRequest, limit: int, size: int | None) -> HttpResponse:
    said = f"{size} bytes" if size is not None else "more than that"
    response = edge_error(
        request, 413, f"the request body is {said}; at most {limit} bytes are accepted"
    )
    response["Connection"] = "close"
    return response


class BodySizeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = body_limit(request)
        length = request.META.get("CONTENT_LENGTH")
        if length:
            try:
                size = int(length)
            except ValueError:
                return edge_error(request, 400, "not a number", "Content-Length")
            if size > limit:
                return too_large(request, limit, size)
        elif "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            stream = request.META.get("wsgi.input")
            data = stream.read(limit + 1) if stream is not None else b""
            if len(data) > limit:
                return too_large(request, limit, None)
            # The body is in memory now: Django reads it from here (request.body, POST).
            request._body = data
            request.META["CONTENT_LENGTH"] = str(len(data))
        return self.get_response(request)


# --- 3. no control characters ---------------------------------------------------------------------


def _json_body(request: HttpRequest):
    content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    if not (content_type == "application/json" or content_type.endswith("+json")):
        return None
    try:
        return json.loads(request.body)
    except ValueError:
        return None  # not JSON: the view answers that (400)


def _form_fields(request: HttpRequest) -> list[tuple[str, str]]:
    content_type = request.META.get("CONTENT_TYPE", "")
    if not content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return []
    try:
        form = request.POST
    except Exception:  # noqa: BLE001 - a malformed form is the view's to refuse
        return []
    pairs: list[tuple[str, str]] = []
    for key, values in form.lists():
        pairs.append((key, key))
        pairs.extend((key, value) for value in values)
    return pairs


def request_problem(request: HttpRequest, view_kwargs: dict) -> tuple[str, str] | None:
    """The first refused text of a request as ``(field, problem)``, or None."""
    one_line = [(name, value) for name, value in view_kwargs.items() if isinstance(value, str)]
    for key, values in request.GET.lists():
        one_line.append((key, key))
        one_line.extend((key, value) for value in values)
    for header in CHECKED_HEADERS:
        value = request.headers.get(header)
        if value is not None:
            one_line.append((header, value))
    found = first_problem(one_line, multiline=False)
    if found:
        return found
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    found = first_problem(_form_fields(request), multiline=True)
    if found:
        return found
    document = _json_body(request)
    if document is not None:
        return first_problem(walk_strings(document), multiline=True)
    return None


class InputGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Checked in process_view, once the route is known, so that a path parameter is
        # named; a path no route matches is a 404 whatever it holds.
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        found = request_problem(request, view_kwargs)
        if found is None:
            return None
        field, problem = found
        return edge_error(request, 400, problem, field)
