"""Login throttling, shared by every web process: failures are rows in the database.

Two limits, counted over a sliding window (``HOTLINE_LOGIN_WINDOW`` seconds):

- per account: ``HOTLINE_LOGIN_ACCOUNT_LIMIT`` failures for one username lock it until the
  oldest of them leaves the window. Counted by the name typed, so an unknown username locks
  exactly like a real one and the answer never tells whether the user exists;
- per client: ``HOTLINE_LOGIN_CLIENT_LIMIT`` failures from one address (guessing across many
  usernames) refuse that address. The address is ``REMOTE_ADDR`` unless the peer is one of
  ``HOTLINE_TRUSTED_PROXIES`` (``hotline.core.client_address``).

While refused, a login is not checked at all (a right password does not get in) and the refusal
counts as a failure of its own. Every failed and refused login is in the audit log.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from django.conf import settings
from django.utils import timezone

from hotline.core.audit import audit_record
from hotline.core.client_address import client_address, networks

from .models import LoginFailure

ACCOUNT_LOCKED = "too many failed logins for this account; try again in {minutes} minutes"
CLIENT_LOCKED = "too many failed logins from this address; try again in {minutes} minutes"


@cache
def _trusted(specs: tuple[str, ...]):
    return networks(specs)


def request_client(request) -> str:
    """The address the login throttle counts for ``request``."""
    trusted = _trusted(tuple(settings.HOTLINE_TRUSTED_PROXIES))
    return client_address(
        request.META.get("REMOTE_ADDR", ""), request.META.get("HTTP_X_FORWARDED_FOR", ""), trusted
    )[:64]


@dataclass(frozen=True)
class Refusal:
    message: str
    retry_after: int  # seconds


def _wait(times: list[datetime], limit: int, window: timedelta, now: datetime) -> int | None:
    """Seconds until fewer than ``limit`` of ``times`` (newest first) are in the window."""
    if len(times) < limit:
        return None
    return max(1, math.ceil((times[limit - 1] + window - now).total_seconds()))


def login_refusal(*, username: str, client: str, now: datetime | None = None) -> Refusal | None:
    """Why a login of ``username`` from ``client`` is refused right now, or None."""
    now = now or timezone.now()
    window = timedelta(seconds=settings.HOTLINE_LOGIN_WINDOW)
    since = now - window
    for field, value, limit, message in (
        ("username", username, settings.HOTLINE_LOGIN_ACCOUNT_LIMIT, ACCOUNT_LOCKED),
        ("client", client, settings.HOTLINE_LOGIN_CLIENT_LIMIT, CLIENT_LOCKED),
    ):
        times = list(
            LoginFailure.objects.filter(**{field: value}, at__gt=since)
            .order_by("-at")
            .values_list("at", flat=True)[:limit]
        )
        wait = _wait(times, limit, window, now)
        if wait:
            return Refusal(message.format(minutes=math.ceil(wait / 60)), wait)
    return None


def login_failed(*, username: str, client: str, via: str, refused: bool = False) -> None:
    """Count a failed (or refused) login and write it to the audit log."""
    now = timezone.now()
    LoginFailure.objects.filter(
        at__lt=now - timedelta(seconds=settings.HOTLINE_LOGIN_WINDOW)
    ).delete()
    LoginFailure.objects.create(at=now, username=username[:150], client=client, via=via)
    audit_record(
        actor=None,
        action="login_refused" if refused else "login_failed",
        target=username[:128],
        data={"client": client, "via": via},
    )


def login_succeeded(*, username: str) -> None:
    """A right password while not locked: the account's count starts again."""
    LoginFailure.objects.filter(username=username).delete()
