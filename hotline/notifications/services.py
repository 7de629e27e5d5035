"""Writing outbox rows (inside the transaction of the change that causes them) and delivering
them (the worker: ``outbox_deliver_due``)."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from .gateways import GatewayError, Message, PermanentError, gateway_for
from .models import Outbox
from .templates import TemplateError, render

log = logging.getLogger("hotline.notifications")


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
    """Add a notification; a second call with the same ``key`` adds nothing.

    A row without a recipient (a leader with no phone on file) is written all the same: the
    worker fails it with a clear ``last_error`` and a log line, so the gap shows in the admin
    instead of vanishing."""
    outbox_enqueue_many(
        [
            dict(
                kind=kind,
                recipient=recipient,
                template=template,
                params=params,
                key=key,
                ticket=ticket,
                channel=channel,
            )
        ]
    )


def outbox_row(
    *,
    kind: str,
    recipient: str,
    template: str,
    params: dict,
    key: str,
    ticket=None,
    channel: str = "sms",
) -> Outbox:
    """An unsaved outbox row, for a caller that inserts it with the row that causes it."""
    return Outbox(
        ticket=ticket,
        kind=kind,
        channel=channel,
        recipient=(recipient or "").strip(),
        template=template,
        params=params,
        idempotency_key=key,
    )


def outbox_enqueue_many(rows: list[dict]) -> None:
    """outbox_enqueue for many notifications at once: one INSERT ... ON CONFLICT DO NOTHING.
    Each dict holds outbox_enqueue's keyword arguments."""
    assert transaction.get_connection().in_atomic_block, (
        "outbox rows are written inside the causing transaction"
    )
    Outbox.objects.bulk_create(
        [outbox_row(**row) for row in rows],
        # One INSERT ... ON CONFLICT DO NOTHING: a row with the same key already there wins.
        ignore_conflicts=True,
    )


# --- delivery ---------------------------------------------------------------------------------
# A worker claims due rows in a short transaction (PostgreSQL: SELECT ... FOR UPDATE SKIP
# LOCKED, so workers never wait on each other nor take the same row; SQLite: the write lock of
# BEGIN IMMEDIATE serialises the claims). Claiming counts the attempt and leases the row until
# ``now + LEASE``; the send happens outside any transaction; the outcome is written in a second
# short transaction. A worker killed mid-send leaves a leased row that becomes due again when
# the lease ends (delivery is at-least-once; the idempotency key travels with the message so a
# receiver can drop a repeat).

BACKOFF_BASE = 30  # seconds; the n-th failure waits BACKOFF_BASE * 2**(n-1), capped
BACKOFF_CAP = 3600
MAX_ATTEMPTS = 8
LEASE = 60  # seconds a claimed row stays invisible to other workers; > any gateway timeout
MAX_ERROR = 2000


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def backoff_seconds(attempts: int, *, base: int = BACKOFF_BASE, cap: int = BACKOFF_CAP) -> int:
    """Wait after the ``attempts``-th failed try: base, 2 base, 4 base, ... capped."""
    return min(cap, base * 2 ** max(0, attempts - 1))


def _due(now):
    return Q(status=Outbox.PENDING) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )


def _claim(*, limit: int, now) -> list[Outbox]:
    lease_until = now + timedelta(seconds=_setting("HOTLINE_OUTBOX_LEASE", LEASE))
    with transaction.atomic():
        qs = Outbox.objects.filter(_due(now)).order_by("pk")
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True, of=("self",))
        ids = list(qs.values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        Outbox.objects.filter(pk__in=ids).update(
            attempts=F("attempts") + 1, next_attempt_at=lease_until
        )
        return list(Outbox.objects.filter(pk__in=ids).select_related("ticket").order_by("pk"))


def _message(row: Outbox):
    params = row.params if isinstance(row.params, dict) else {}
    return Message(
        id=row.pk,
        channel=row.channel,
        recipient=row.recipient.strip(),
        template=row.template,
        params=params,
        text=render(row.template, params),
        key=row.idempotency_key,
        ticket=row.ticket.number if row.ticket_id else None,
    )


def _mark_sent(row: Outbox, receipt: str, now) -> None:
    # Only a pending row: a late answer of a worker whose lease ran out never undoes a result.
    Outbox.objects.filter(pk=row.pk, status=Outbox.PENDING).update(
        status=Outbox.SENT, sent_at=now, receipt=receipt[:128], next_attempt_at=None, last_error=""
    )


def _mark_failed(row: Outbox, error: str, now, *, permanent: bool) -> str:
    max_attempts = _setting("HOTLINE_OUTBOX_MAX_ATTEMPTS", MAX_ATTEMPTS)
    final = permanent or row.attempts >= max_attempts
    update: dict = {"last_error": error[:MAX_ERROR]}
    if final:
        update.update(status=Outbox.FAILED, next_attempt_at=None)
    else:
        wait = backoff_seconds(
            row.attempts,
            base=_setting("HOTLINE_OUTBOX_BACKOFF", BACKOFF_BASE),
            cap=_setting("HOTLINE_OUTBOX_BACKOFF_CAP", BACKOFF_CAP),
        )
        update["next_attempt_at"] = now + timedelta(seconds=wait)
    # The claim's attempt count fences the write: a row re-claimed by another worker after this
    # one's lease ended is left to that worker.
    Outbox.objects.filter(pk=row.pk, status=Outbox.PENDING, attempts=row.attempts).update(**update)
    return "failed" if final else "retry"


def outbox_deliver_due(*, limit: int = 100, now=None, gateways: dict | None = None) -> dict:
    """Deliver up to ``limit`` due rows. Returns the counts ``{claimed, sent, retry, failed}``.

    ``now`` is for tests and replays; ``gateways`` maps a channel to a gateway instance
    (default: the configured one, see ``gateways.gateway_for``). A row whose template, parameters,
    recipient or channel is wrong fails at once with ``last_error`` saying why; a gateway error
    schedules a retry with exponential backoff, until ``HOTLINE_OUTBOX_MAX_ATTEMPTS``."""
    now = now or timezone.now()
    counts = {"claimed": 0, "sent": 0, "retry": 0, "failed": 0}
    rows = _claim(limit=limit, now=now)
    counts["claimed"] = len(rows)
    chosen: dict = dict(gateways or {})
    for row in rows:
        where = f"outbox #{row.pk} ({row.kind}, {row.channel}, key {row.idempotency_key})"
        try:
            if not row.recipient.strip():
                raise PermanentError("no recipient (missing phone number)")
            message = _message(row)
            if row.channel not in chosen:
                chosen[row.channel] = gateway_for(row.channel)
            receipt = chosen[row.channel].send(message)
        except TemplateError as exc:
            outcome = _mark_failed(row, str(exc), now, permanent=True)
            log.error("%s failed: %s", where, exc)
        except PermanentError as exc:
            outcome = _mark_failed(row, str(exc), now, permanent=True)
            log.error("%s failed: %s", where, exc)
        except (GatewayError, ImproperlyConfigured) as exc:
            outcome = _mark_failed(row, f"{type(exc).__name__}: {exc}", now, permanent=False)
            log.warning("%s attempt %s: %s (%s)", where, row.attempts, exc, outcome)
        except Exception as exc:  # a bug in a gateway must not stop the other rows
            outcome = _mark_failed(row, f"{type(exc).__name__}: {exc}", now, permanent=False)
            log.exception("%s attempt %s crashed (%s)", where, row.attempts, outcome)
        else:
            _mark_sent(row, receipt, now)
            outcome = "sent"
            log.info("%s sent: %s", where, receipt)
        counts[outcome] += 1
    return counts
