"""/open311/v2/...: GeoReport v2 (included by hotline/intake/urls.py)."""

from __future__ import annotations

from django.urls import re_path

from . import views

FMT = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    re_path(rf"^discovery{FMT}", views.discovery, name="open311-discovery"),
    re_path(rf"^services{FMT}", views.services_index, name="open311-services"),
    re_path(rf"^services/(?P<code>[^/]+?){FMT}", views.service_definition, name="open311-service"),
    re_path(rf"^requests{FMT}", views.requests_index, name="open311-requests"),
    re_path(rf"^requests/(?P<number>[^/]+?){FMT}", views.request_detail, name="open311-request"),
    re_path(rf"^tokens/(?P<token>[^/]+?){FMT}", views.token_detail, name="open311-token"),
    re_path(r"^openapi\.json$", views.openapi, name="open311-openapi"),
    # [\s\S]: a path with a newline in it is no exception.
    re_path(r"^(?P<rest>[\s\S]*)$", views.not_found, name="open311-not-found"),
]
