"""The platform's own error pages (config/urls.py ``handler404`` and the others): in the user's
language (the language cookie, else zh-hans), extending a minimal base that needs no context.
Under ``/api/`` the edge (``hotline.core.middleware.ApiErrorFormatMiddleware``) turns them into
JSON ``{"error", "detail"}``."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import loader


def _render(request: HttpRequest | None, template: str, status: int) -> HttpResponse:
    body = loader.get_template(template).render({}, request)
    return HttpResponse(body, status=status, content_type="text/html; charset=utf-8")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, "404.html", 404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, "403.html", 403)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: whatever broke the page may break a context processor too.
    return _render(None, "500.html", 500)
