"""Background work of the feedback app (Django's tasks interface). Thin and idempotent."""

from __future__ import annotations

from django.tasks import task

from hotline.accounts.selectors import SYSTEM

from .reviews import reviews_assign
from .spotchecks import spot_check_weekly
from .voice import voice_follow_ups_start, voice_follow_ups_sweep


@task()
def assign_reviews() -> int:
    """Give the tickets under review that have no evaluator yet to one; returns how many."""
    return reviews_assign(actor=SYSTEM)["assigned"]


@task()
def voice_follow_ups() -> int:
    """Start the voice follow-up of newly replied tickets and hand the calls that failed to the
    callback queue; returns how many were started."""
    started = voice_follow_ups_start()
    voice_follow_ups_sweep()
    return started


@task()
def draw_spot_checks() -> int:
    """Draw last week's spot checks once; returns the number of samples drawn (0 when done)."""
    drawn = spot_check_weekly(actor=SYSTEM)
    return drawn.samples.count() if drawn is not None else 0
