"""Background tasks (``django.tasks``). Thin and idempotent: the state lives in the outbox rows,
so running the task twice, or on several workers at once, delivers each row once."""

from __future__ import annotations

from django.tasks import task

from .services import outbox_deliver_due


@task()
def deliver_outbox(limit: int = 100) -> dict:
    """Deliver the due outbox rows; returns the counts ``{claimed, sent, retry, failed}``."""
    return outbox_deliver_due(limit=limit)
