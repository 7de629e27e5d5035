"""Background tasks of the intake channels (``django.tasks``). Thin: the state is in the rows."""

from __future__ import annotations

from django.tasks import task

from .wechat.services import wechat_progress_scan


@task()
def wechat_progress(limit: int = 200) -> int:
    """Write the WeChat progress notices due (template messages, through the outbox)."""
    return wechat_progress_scan(limit=limit)
