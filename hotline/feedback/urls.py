"""Web pages of the feedback app, included by config/urls.py."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "feedback"

urlpatterns = [
    path("console/callback-queue/", views.callback_queue, name="callback_queue"),
    path("console/reviews/", views.my_reviews, name="reviews"),
    path("console/spot-checks/", views.spot_checks, name="spot_checks"),
    path("console/spot-checks/<int:check_id>/", views.spot_check, name="spot_check"),
    path("console/spot-samples/<int:sample_id>/", views.spot_sample, name="spot_sample"),
    path("console/spot-results/", views.spot_results, name="spot_results"),
]
