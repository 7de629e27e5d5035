"""Periodic jobs, each fired once per period across any number of schedulers.

A scheduler wakes up every few seconds; for each job it computes the start of the current
period (aligned to the epoch) and inserts ``PeriodicRun(job, period_start)``. Only the
scheduler whose insert succeeds enqueues the job's task (``django.tasks``); the others hit the
unique constraint and do nothing. The job list is the caller's (``hotline.runtime.jobs``). Workers (``manage.py db_worker``) run the tasks.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import PeriodicRun

log = logging.getLogger("hotline.scheduler")


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: int
    task: str  # dotted path of a django.tasks Task


def period_start(now: datetime, every_seconds: int) -> datetime:
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % every_seconds, tz=UTC)


def _me() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def scheduler_tick(
    *,
    now: datetime | None = None,
    jobs: tuple[Job, ...],
    enqueue: Callable[[Job], None] | None = None,
) -> list[str]:
    """Fire every job whose current period has not fired yet. Returns the names fired here."""
    now = now or timezone.now()
    fired = []
    for job in jobs:
        start = period_start(now, job.every_seconds)
        try:
            with transaction.atomic():
                PeriodicRun.objects.create(job=job.name, period_start=start, scheduler=_me())
                (enqueue or _enqueue)(job)
        except IntegrityError:
            continue  # another scheduler fired this period
        fired.append(job.name)
        log.info("fired %s for the period starting %s", job.name, start.isoformat())
    return fired


def _enqueue(job: Job) -> None:
    import_string(job.task).enqueue()
