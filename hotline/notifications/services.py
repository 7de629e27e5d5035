"""Writing outbox rows. Must be called inside the transaction of the change that causes them."""

from __future__ import annotations

from django.db import transaction

from .models import Outbox


def outbox_enqueue(
    *,
    kind: str,
    recipient: str,
    template: str,
    params: dict,
    key: str,
    ticket=None,
    channel: str = "sms",
) -> None:
    """Add a notification; a second call with the same ``key`` adds nothing."""
    if not recipient:
        return
    assert transaction.get_connection().in_atomic_block, (
        "outbox rows are written inside the causing transaction"
    )
    row = Outbox(
        ticket=ticket,
        kind=kind,
        channel=channel,
        recipient=recipient,
        template=template,
        params=params,
        idempotency_key=key,
    )
    # One INSERT ... ON CONFLICT DO NOTHING: a row with the same key already there wins.
    Outbox.objects.bulk_create([row], ignore_conflicts=True)
