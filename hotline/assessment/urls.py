"""Web pages of the assessment app, included by config/urls.py."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "assessment"

urlpatterns = [
    path("ranking/", views.ranking_index, name="index"),
    path("ranking/<str:month>/", views.ranking_month, name="month"),
    path("ranking/<str:month>/units/<str:code>/", views.ranking_unit, name="unit"),
    path(
        "ranking/<str:month>/units/<str:code>/tickets/<str:metric>/",
        views.ranking_tickets,
        name="tickets",
    ),
]
