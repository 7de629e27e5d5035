"""Automated voice follow-up (DESIGN section 6: 电话语音自动回访).

1. ``voice_follow_ups_start`` (scheduler job ``voice_follow_ups``): every replied ticket with a
   citizen phone (not anonymous) gets a ``VoiceFollowUp`` and its first call: an outbox row of
   kind ``follow_up`` on channel ``voice`` (template ``voice_follow_up``), written in the same
   transaction. The voice gateway (``HOTLINE_VOICE_GATEWAY``, e.g. the generic signed HTTP
   gateway) places the call; the message's ``key`` is ``voice-follow-up:<number>:<round>:<n>``.
2. The telephony system posts the result (``voice_result_record``): the key pressed 1, 2 or 3
   becomes the ``follow_up`` action (satisfied, basically satisfied, dissatisfied) taken by the
   system actor through ``ticket_transition``. No answer: another call after
   ``HOTLINE_VOICE_FOLLOW_UP_RETRY_MINUTES`` until ``HOTLINE_VOICE_FOLLOW_UP_TRIES`` calls; then,
   or on an unclear key, the follow-up goes to the callback agents' queue.
3. Idempotent: a call id is processed once (a repeat gets the first answer); a second key for a
   follow-up already settled changes nothing (``duplicate``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from hotline.accounts.roles import Role
from hotline.accounts.selectors import SYSTEM, grants_for
from hotline.core.errors import BadInput, Conflict, Forbidden
from hotline.notifications.models import Outbox
from hotline.notifications.services import outbox_row
from hotline.tickets import workflow
from hotline.tickets.models import Ticket

from .models import VoiceFollowUp, VoiceResult

DIGITS = {"1": "satisfied", "2": "basically_satisfied", "3": "dissatisfied"}
POSTERS = frozenset({Role.INTEGRATION, Role.ADMIN})
KEY_PREFIX = "voice-follow-up"


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def max_tries() -> int:
    return _setting("HOTLINE_VOICE_FOLLOW_UP_TRIES", 3)


def message_key(ticket: Ticket, round_: int, attempt: int) -> str:
    return f"{KEY_PREFIX}:{ticket.number}:{round_}:{attempt}"


def _parse_key(key: str) -> tuple[str, int, int] | None:
    parts = key.split(":")
    if len(parts) != 4 or parts[0] != KEY_PREFIX:
        return None
    try:
        return parts[1], int(parts[2]), int(parts[3])
    except ValueError:
        return None


def _call(follow_up: VoiceFollowUp, ticket: Ticket, *, not_before: datetime | None) -> None:
    """Place the next call of ``follow_up``: an outbox row, in the caller's transaction."""
    follow_up.attempts += 1
    row = outbox_row(
        kind="follow_up",
        channel="voice",
        recipient=ticket.citizen_phone,
        template="voice_follow_up",
        params={"number": ticket.number},
        key=message_key(ticket, follow_up.round, follow_up.attempts),
        ticket=ticket,
    )
    row.next_attempt_at = not_before
    row.save()


def voice_follow_ups_start(*, now: datetime | None = None, limit: int = 500) -> int:
    """Start the voice follow-up of replied tickets that have none for their current reply.
    Only tickets replied within ``HOTLINE_VOICE_FOLLOW_UP_WINDOW_HOURS`` (default 48) are
    called. Returns how many were started."""
    now = now or timezone.now()
    window = timedelta(hours=_setting("HOTLINE_VOICE_FOLLOW_UP_WINDOW_HOURS", 48))
    started_for_reply = VoiceFollowUp.objects.filter(
        ticket=OuterRef("pk"), round=OuterRef("redo_count")
    )
    candidates = (
        Ticket.objects.filter(
            status=workflow.REPLIED, replied_at__gte=now - window, citizen_anonymous=False
        )
        .exclude(citizen_phone="")
        .exclude(Exists(started_for_reply))
        .order_by("replied_at", "pk")[:limit]
    )
    started = 0
    for ticket in candidates:
        try:
            with transaction.atomic():
                follow_up = VoiceFollowUp.objects.create(
                    ticket=ticket, round=ticket.redo_count, last_call_at=now
                )
                _call(follow_up, ticket, not_before=None)
                follow_up.save(update_fields=["attempts"])
        except IntegrityError:
            continue  # another worker started it
        started += 1
    return started


def _to_callback(follow_up: VoiceFollowUp, reason: str, now: datetime) -> None:
    follow_up.state = VoiceFollowUp.CALLBACK
    follow_up.reason = reason
    follow_up.ended_at = now
    follow_up.save(update_fields=["state", "reason", "ended_at"])


def voice_follow_ups_sweep(*, now: datetime | None = None) -> int:
    """Follow-ups whose current call could not be placed (the outbox row failed) or that got no
    result within ``HOTLINE_VOICE_RESULT_TIMEOUT_MINUTES`` (default 120) after the last try go
    to the callback queue. Returns how many."""
    now = now or timezone.now()
    timeout = timedelta(minutes=_setting("HOTLINE_VOICE_RESULT_TIMEOUT_MINUTES", 120))
    moved = 0
    for follow_up in VoiceFollowUp.objects.filter(state=VoiceFollowUp.CALLING).select_related(
        "ticket"
    ):
        key = message_key(follow_up.ticket, follow_up.round, follow_up.attempts)
        row = Outbox.objects.filter(idempotency_key=key).only("status", "sent_at").first()
        failed = row is not None and row.status == Outbox.FAILED
        silent = (
            row is not None
            and row.status == Outbox.SENT
            and follow_up.attempts >= max_tries()
            and row.sent_at is not None
            and row.sent_at + timeout <= now
        )
        if failed or silent or follow_up.ticket.status != workflow.REPLIED:
            with transaction.atomic():
                locked = VoiceFollowUp.objects.select_for_update().get(pk=follow_up.pk)
                if locked.state != VoiceFollowUp.CALLING:
                    continue
                if follow_up.ticket.status != workflow.REPLIED:
                    locked.state, locked.ended_at = VoiceFollowUp.DONE, now
                    locked.reason = "followed_up_elsewhere"
                    locked.save(update_fields=["state", "ended_at", "reason"])
                    continue
                _to_callback(locked, "call_failed" if failed else "no_result", now)
                moved += 1
    return moved


def _clean(data) -> tuple[str, str, bool, str]:
    if not isinstance(data, dict):
        raise BadInput("body", "a JSON object")
    call_id = data.get("call_id")
    if not isinstance(call_id, str) or not call_id.strip() or len(call_id) > 64:
        raise BadInput("call_id", "required, 1 to 64 characters")
    key = data.get("message_key")
    if not isinstance(key, str) or _parse_key(key) is None:
        raise BadInput(
            "message_key", "required: the key of the voice message (voice-follow-up:...)"
        )
    answered = data.get("answered")
    if not isinstance(answered, bool):
        raise BadInput("answered", "required, true or false")
    digit = data.get("digit")
    if digit is None:
        digit = ""
    if isinstance(digit, int) and not isinstance(digit, bool):
        digit = str(digit)
    if not isinstance(digit, str) or len(digit) > 8:
        raise BadInput("digit", "the key pressed, a string of at most 8 characters, or null")
    return call_id.strip(), key, answered, digit.strip()


def voice_result_record(*, actor, data, now: datetime | None = None) -> dict:
    """A result from the telephony system: ``{call_id, message_key, answered, digit}``. Returns
    ``{call_id, ticket, effect, state, attempts}``; ``effect`` is ``followed_up``, ``retry``,
    ``callback``, ``duplicate`` (the follow-up was already settled) or ``stale`` (a result of
    an earlier call). The same call id again returns the first answer and changes nothing."""
    if not grants_for(actor).roles & POSTERS:
        raise Forbidden("only the telephony integration and admins post voice results")
    call_id, key, answered, digit = _clean(data)
    number, round_, attempt = _parse_key(key)  # type: ignore[misc]
    now = now or timezone.now()
    with transaction.atomic():
        earlier = VoiceResult.objects.filter(call_id=call_id).select_related("follow_up").first()
        if earlier is not None:
            return _answer(earlier, number)
        follow_up = (
            VoiceFollowUp.objects.select_for_update()
            .filter(ticket__number=number, round=round_)
            .first()
        )
        if follow_up is None or attempt < 1 or attempt > follow_up.attempts:
            raise BadInput("message_key", "no voice follow-up call with this key")
        effect = _apply(follow_up, attempt=attempt, answered=answered, digit=digit, now=now)
        try:
            with transaction.atomic():
                result = VoiceResult.objects.create(
                    call_id=call_id,
                    follow_up=follow_up,
                    attempt=attempt,
                    answered=answered,
                    digit=digit,
                    effect=effect,
                )
        except IntegrityError:
            raise Conflict("this call id is being processed by another request") from None
    return _answer(result, number)


def _answer(result: VoiceResult, number: str) -> dict:
    follow_up = result.follow_up
    return {
        "call_id": result.call_id,
        "ticket": number,
        "effect": result.effect,
        "state": follow_up.state,
        "attempts": follow_up.attempts,
    }


def _apply(follow_up: VoiceFollowUp, *, attempt: int, answered: bool, digit: str, now) -> str:
    from hotline.tickets.services import ticket_transition

    if follow_up.state != VoiceFollowUp.CALLING:
        return "duplicate"
    if attempt < follow_up.attempts:
        return "stale"  # a late result of an earlier call; the newer call decides
    ticket = follow_up.ticket
    if answered and digit in DIGITS:
        try:
            ticket_transition(
                actor=SYSTEM,
                number=ticket.number,
                action="follow_up",
                data={"satisfaction": DIGITS[digit], "note": f"语音回访按键{digit}"},
            )
        except Conflict:
            # Followed up meanwhile by a callback agent: that rating stands.
            follow_up.state, follow_up.ended_at = VoiceFollowUp.DONE, now
            follow_up.reason = "followed_up_elsewhere"
            follow_up.save(update_fields=["state", "ended_at", "reason"])
            return "duplicate"
        follow_up.state = VoiceFollowUp.DONE
        follow_up.satisfaction = DIGITS[digit]
        follow_up.ended_at = now
        follow_up.save(update_fields=["state", "satisfaction", "ended_at"])
        return "followed_up"
    if answered:
        _to_callback(follow_up, "unclear_key", now)
        return "callback"
    if follow_up.attempts >= max_tries():
        _to_callback(follow_up, "no_answer", now)
        return "callback"
    retry = timedelta(minutes=_setting("HOTLINE_VOICE_FOLLOW_UP_RETRY_MINUTES", 30))
    _call(follow_up, ticket, not_before=now + retry)
    follow_up.last_call_at = now + retry
    follow_up.save(update_fields=["attempts", "last_call_at"])
    return "retry"
