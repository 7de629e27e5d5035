"""Fixed windows: pure arithmetic, and counts shared through the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from hotline.core.errors import RateLimited
from hotline.intake.models import RateCounter
from hotline.intake.portal.ratelimit import rate_hit, retry_after, window_start


@pytest.mark.parametrize(
    "now, seconds, start",
    [
        (datetime(2026, 1, 1, 10, 0, 59, tzinfo=UTC), 60, datetime(2026, 1, 1, 10, 0, tzinfo=UTC)),
        (datetime(2026, 1, 1, 10, 59, 59, tzinfo=UTC), 3600, datetime(2026, 1, 1, 10, tzinfo=UTC)),
        (datetime(2026, 1, 1, 11, 0, 0, tzinfo=UTC), 3600, datetime(2026, 1, 1, 11, tzinfo=UTC)),
    ],
)
def test_window_start(now, seconds, start):
    assert window_start(now, seconds) == start


@hypothesis_settings(deadline=None)  # pure arithmetic; no deadline on a shared, loaded machine
@given(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)),
    st.sampled_from([1, 60, 600, 3600, 86400]),
)
def test_the_window_holds_now_and_retry_after_reaches_its_end(naive, seconds):
    now = naive.replace(tzinfo=UTC)
    start = window_start(now, seconds)
    assert start <= now < start + timedelta(seconds=seconds)
    wait = retry_after(now, start, seconds)
    assert 1 <= wait <= seconds
    assert now + timedelta(seconds=wait) >= start + timedelta(seconds=seconds)


def test_hits_over_the_limit_raise_with_the_wait(settings):
    settings.HOTLINE_PORTAL_RATES = {"submit": (2, 60)}
    now = datetime(2026, 1, 1, 10, 0, 50, tzinfo=UTC)
    rate_hit("submit", "ip:1.1.1.1", now=now)
    rate_hit("submit", "ip:1.1.1.1", now=now)
    with pytest.raises(RateLimited) as caught:
        rate_hit("submit", "ip:1.1.1.1", now=now)
    assert caught.value.retry_after == 10
    rate_hit("submit", "ip:2.2.2.2", now=now)  # another client has its own count
    rate_hit("submit", "ip:1.1.1.1", now=now + timedelta(seconds=10))  # a new window
    assert (
        RateCounter.objects.get(key="submit:ip:1.1.1.1", window_start=now.replace(second=0)).hits
        == 3
    )


def test_any_subject_over_its_limit_refuses(settings):
    settings.HOTLINE_PORTAL_RATES = {"code": (1, 3600)}
    rate_hit("code", "ip:1.1.1.1", "phone:13800000000")
    with pytest.raises(RateLimited):
        rate_hit("code", "ip:9.9.9.9", "phone:13800000000")
