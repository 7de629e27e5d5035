"""Fixed-window rate limits counted in the database (``RateCounter``), so that every web
process on every machine counts the same hits. One statement per hit: an upsert that returns
the new count (``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``, SQLite 3.35+ and PostgreSQL).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from hotline.core.errors import RateLimited

from ..models import RateCounter


@dataclass(frozen=True)
class Limit:
    hits: int
    seconds: int


# name -> limit; each is applied to the client's address and, where one is given, to a phone or
# ticket number. Override any of them with settings.HOTLINE_PORTAL_RATES = {name: (hits, seconds)}.
DEFAULT_RATES: dict[str, Limit] = {
    "submit": Limit(10, 3600),  # requests submitted
    "code": Limit(5, 3600),  # SMS codes sent
    "code_gap": Limit(1, 60),  # one SMS code a minute to the same phone
    "verify": Limit(20, 3600),  # codes entered (right or wrong)
    "rate": Limit(20, 3600),  # follow-up ratings
}


def limit_of(name: str) -> Limit:
    custom = getattr(settings, "HOTLINE_PORTAL_RATES", {}) or {}
    if name in custom:
        hits, seconds = custom[name]
        return Limit(int(hits), int(seconds))
    return DEFAULT_RATES[name]


def window_start(now: datetime, seconds: int) -> datetime:
    """The start of the fixed window of ``seconds`` that holds ``now``. Pure."""
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=now.tzinfo or UTC)


def retry_after(now: datetime, start: datetime, seconds: int) -> int:
    """Whole seconds until the window that began at ``start`` ends (at least 1). Pure."""
    left = (start + timedelta(seconds=seconds) - now).total_seconds()
    return max(1, math.ceil(left))


def _hit(key: str, start: datetime) -> int:
    table = connection.ops.quote_name(RateCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key, window_start, hits) VALUES (%s, %s, 1) "
            f"ON CONFLICT (key, window_start) DO UPDATE SET hits = {table}.hits + 1 "
            "RETURNING hits",
            [key[:160], connection.ops.adapt_datetimefield_value(start)],
        )
        (hits,) = cursor.fetchone()
    return hits


def rate_hit(name: str, *subjects: str, now: datetime | None = None) -> None:
    """Count one hit of ``name`` for each subject (``ip:1.2.3.4``, ``phone:138...``); raise
    ``RateLimited`` with the seconds to wait when any of them is over its limit."""
    limit = limit_of(name)
    now = now or timezone.now()
    start = window_start(now, limit.seconds)
    for subject in subjects:
        if not subject:
            continue
        if _hit(f"{name}:{subject}", start) > limit.hits:
            raise RateLimited(retry_after(now, start, limit.seconds), "请求过于频繁，请稍后再试")


def rate_counters_purge(*, before: datetime) -> int:
    """Delete windows that started before ``before`` (a periodic clean-up)."""
    deleted, _ = RateCounter.objects.filter(window_start__lt=before).delete()
    return deleted
