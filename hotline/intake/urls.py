"""Web pages of the intake app, included by config/urls.py."""

from __future__ import annotations

from django.urls import include, path

urlpatterns: list = [
    path("portal/", include("hotline.intake.portal.urls")),
]
