"""Background work of the feedback app (Django's tasks interface). Thin and idempotent."""

from __future__ import annotations

from django.tasks import task

from hotline.accounts.selectors import SYSTEM

from .reviews import reviews_assign


@task()
def assign_reviews() -> int:
    """Give the tickets under review that have no evaluator yet to one; returns how many."""
    return reviews_assign(actor=SYSTEM)["assigned"]
