"""Background tasks (``django.tasks``). Thin and idempotent: the state lives in the outbox rows,
so running the task twice, or on several workers at once, delivers each row once."""

from __future__ import annotations

import time

from django.tasks import task

from .services import outbox_deliver_due

BUDGET_SECONDS = 8.0  # the scheduler fires this every 10 s


@task()
def deliver_outbox(limit: int = 100) -> dict:
    """Deliver the due outbox rows, batch after batch until none is due or the time budget is
    spent; returns the summed counts ``{claimed, sent, retry, failed}``."""
    started = time.monotonic()
    total: dict[str, int] = {}
    while True:
        counts = outbox_deliver_due(limit=limit)
        for key, value in counts.items():
            total[key] = total.get(key, 0) + value
        if not counts.get("claimed") or time.monotonic() - started >= BUDGET_SECONDS:
            return total
