"""Web pages of the intake app, included by config/urls.py."""

from __future__ import annotations

urlpatterns: list = []
