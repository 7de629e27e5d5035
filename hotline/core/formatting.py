"""Formatting shared by every app's API and pages: times in Asia/Shanghai, masked personal data
(DESIGN sections 9 and 10). Pure but for Django's time zone helper."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone


def iso(value: datetime | None) -> str | None:
    """ISO 8601 with the local offset (Asia/Shanghai), or None."""
    return timezone.localtime(value).isoformat() if value else None


def mask_phone(phone: str) -> str:
    """138****1111: the first three and last four digits of a phone number."""
    if not phone:
        return ""
    if len(phone) >= 7:
        return phone[:3] + "****" + phone[-4:]
    return "*" * len(phone)


def mask_name(name: str) -> str:
    """The family name and a star for each other character: 张**."""
    return (name[0] + "*" * max(1, len(name) - 1)) if name else ""
