"""The audit log: append-only and hash-chained. ``audit_record`` is the only writer."""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone

from .chain import GENESIS, entry_hash, first_break
from .models import AuditEvent

_AUDIT_LOCK_KEY = 0x4A554454  # arbitrary constant for pg_advisory_xact_lock


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_AUDIT_LOCK_KEY])
    # SQLite: transactions are IMMEDIATE (settings), so writers are already serialised.


def audit_record(
    *, actor, action: str, target: str = "", reason: str = "", data: dict | None = None
) -> AuditEvent:
    with transaction.atomic():
        _lock_chain()
        last = AuditEvent.objects.order_by("-seq").values_list("hash", flat=True).first()
        prev = last or GENESIS
        event = AuditEvent(
            at=timezone.now(),
            actor=actor if getattr(actor, "pk", None) else None,
            action=action,
            target=target,
            reason=reason,
            data=data or {},
            prev_hash=prev,
        )
        event.hash = entry_hash(prev, event.chain_content())
        event.save()
        return event


def audit_verify() -> int | None:
    """Return the seq of the first audit event whose chain is broken, or None."""
    events = list(AuditEvent.objects.order_by("seq"))
    index = first_break((e.prev_hash, e.hash, e.chain_content()) for e in events)
    return None if index is None else events[index].seq


def audit_head() -> tuple[int, str] | None:
    """The seq and hash of the latest audit event (None for an empty log): what a cached
    verification of the chain is valid for."""
    return AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
