"""Web pages of the telephony app, included by config/urls.py."""

from __future__ import annotations

urlpatterns: list = []
