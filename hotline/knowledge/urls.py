"""Knowledge-base pages inside the console's layout, included by config/urls.py."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "knowledge"

urlpatterns = [
    path("console/knowledge/", views.article_list, name="list"),
    path("console/knowledge/new/", views.article_new, name="new"),
    path("console/knowledge/<int:article_id>/", views.article_detail, name="detail"),
    path("console/knowledge/<int:article_id>/edit/", views.article_edit_page, name="edit"),
    path(
        "console/knowledge/<int:article_id>/actions/<str:action>/",
        views.article_action,
        name="action",
    ),
]
