"""Background work of the assessment app (Django's tasks interface). Thin: each task calls a
service and can be retried safely."""

from __future__ import annotations

from django.tasks import task


@task()
def assessment_sums_compact() -> int:
    """Fold the running sums' rows added since the last run into one row per key
    (``sums.sums_compact``), so that a month's counts read a few thousand rows however many
    changes there were, and vacuum their tables (a few tens of MB); returns the keys folded."""
    from .sums import sums_compact, sums_vacuum

    folded = sums_compact()
    sums_vacuum()
    return folded
