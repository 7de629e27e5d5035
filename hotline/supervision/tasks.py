"""Background work of supervision (Django's tasks interface). Thin and idempotent."""

from __future__ import annotations

from django.tasks import task

from .warnings import warnings_scan_until_done


@task()
def scan_warnings() -> int:
    """Send the yellow and red warnings that are due (batches until none is left or 50 s have
    passed); returns how many were sent."""
    return warnings_scan_until_done()
