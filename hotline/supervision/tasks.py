"""Background work of supervision (Django's tasks interface). Thin and idempotent."""

from __future__ import annotations

from django.tasks import task

from .warnings import warnings_scan


@task()
def scan_warnings() -> int:
    """Send the yellow and red warnings that are due; returns how many were sent."""
    return warnings_scan()
