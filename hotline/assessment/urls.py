"""Web pages of the assessment app, included by config/urls.py."""

from __future__ import annotations

urlpatterns: list = []
