"""Web pages of the intake app, included by config/urls.py."""

from __future__ import annotations

from django.urls import include, path

from .wechat.views import wechat_endpoint

urlpatterns: list = [
    path("portal/", include("hotline.intake.portal.urls")),
    path("open311/v2/", include("hotline.intake.open311.urls")),
    path("wechat/", wechat_endpoint, name="wechat"),
]
