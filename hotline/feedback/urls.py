"""Web pages of the feedback app, included by config/urls.py."""

from __future__ import annotations

urlpatterns: list = []
