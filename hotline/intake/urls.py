"""Web pages of the intake app, included by config/urls.py."""

from __future__ import annotations

from django.urls import include, path

urlpatterns: list = [
    path("open311/v2/", include("hotline.intake.open311.urls")),
]
