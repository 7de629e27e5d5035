"""Web pages of the telephony app, included by config/urls.py."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "telephony"

urlpatterns = [path("console/calls/stats/", views.call_stats, name="call_stats")]
