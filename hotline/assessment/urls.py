"""Web pages of the assessment app, included by config/urls.py."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "assessment"

urlpatterns = [
    path("ranking/", views.ranking_index, name="index"),
    path("ranking/dashboard/", views.dashboard, name="dashboard"),
    path("ranking/dashboard/data/", views.dashboard_data, name="dashboard_data"),
    path("ranking/dashboard/tickets/", views.dashboard_tickets, name="dashboard_tickets"),
    path("ranking/dissatisfied/", views.dissatisfied, name="dissatisfied"),
    path("ranking/repeats/", views.repeats, name="repeats"),
    path("ranking/<str:month>/", views.ranking_month, name="month"),
    path("ranking/<str:month>/bulletin/", views.bulletin, name="bulletin"),
    path("ranking/<str:month>/units/<str:code>/", views.ranking_unit, name="unit"),
    path(
        "ranking/<str:month>/units/<str:code>/tickets/<str:metric>/",
        views.ranking_tickets,
        name="tickets",
    ),
]
