"""One-time SMS codes: sent through the outbox, kept only as a keyed hash, used at most once,
refused when expired or after too many wrong tries."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from hotline.notifications.services import outbox_enqueue

from ..models import PortalCode

CODE_DIGITS = 6
CODE_MINUTES = 10
MAX_TRIES = 5


class CodeRefused(ValueError):
    """The code is wrong, used, expired or tried too often (the message is shown to the citizen)."""


def _hash(*, purpose: str, phone: str, number: str, code: str) -> str:
    message = f"{purpose}:{phone}:{number}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def code_send(*, purpose: str, phone: str, number: str = "", ticket=None) -> PortalCode:
    """Make a new code for ``phone`` (and ticket ``number``) and queue the SMS that carries it.
    Earlier unused codes of the same purpose, phone and ticket stop working."""
    now = timezone.now()
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    with transaction.atomic():
        PortalCode.objects.filter(
            purpose=purpose, phone=phone, number=number, used_at__isnull=True
        ).update(expires_at=now)
        row = PortalCode.objects.create(
            purpose=purpose,
            phone=phone,
            number=number,
            code_hash=_hash(purpose=purpose, phone=phone, number=number, code=code),
            created_at=now,
            expires_at=now + timedelta(minutes=CODE_MINUTES),
        )
        outbox_enqueue(
            kind=f"portal_code_{purpose}",
            recipient=phone,
            template="portal_code",
            params={"code": code, "minutes": CODE_MINUTES},
            key=f"portal-code:{row.pk}",
            ticket=ticket,
        )
    return row


def code_check(*, purpose: str, phone: str, code: str, number: str = "") -> PortalCode:
    """The live code row that ``code`` matches, or ``CodeRefused``. A wrong code counts a try
    (committed at once, whatever the caller does next); the row is not used up here: see
    ``code_use``, called in the transaction of what the code allows."""
    now = timezone.now()
    code = (code or "").strip()
    row = (
        PortalCode.objects.filter(purpose=purpose, phone=phone, number=number)
        .order_by("-created_at", "-pk")
        .first()
    )
    if row is None:
        raise CodeRefused("验证码不正确，请先获取验证码")
    if row.used_at is not None:
        raise CodeRefused("验证码已使用，请重新获取")
    if row.expires_at <= now:
        raise CodeRefused("验证码已过期，请重新获取")
    if row.tries >= MAX_TRIES:
        raise CodeRefused("验证码错误次数过多，请重新获取")
    expected = _hash(purpose=purpose, phone=phone, number=number, code=code)
    if not (code.isdigit() and hmac.compare_digest(expected, row.code_hash)):
        with transaction.atomic():
            PortalCode.objects.filter(pk=row.pk).update(tries=F("tries") + 1)
        raise CodeRefused("验证码不正确")
    return row


def code_use(row: PortalCode) -> None:
    """Use the code up; ``CodeRefused`` if another request used it first."""
    used = PortalCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=timezone.now())
    if used != 1:
        raise CodeRefused("验证码已使用，请重新获取")
