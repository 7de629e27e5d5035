"""Background tasks of the intake channels (``django.tasks``). Thin: the state is in the rows."""

from __future__ import annotations

from django.tasks import task

from .portal.services import follow_up_send_due
from .wechat.services import wechat_progress_scan


@task()
def wechat_progress(limit: int = 200) -> int:
    """Write the WeChat progress notices due (template messages, through the outbox)."""
    return wechat_progress_scan(limit=limit)


@task()
def portal_follow_up_links(limit: int = 500) -> int:
    """Queue the SMS with the signed rating link for replied portal tickets (once per reply)."""
    return follow_up_send_due(limit=limit)
