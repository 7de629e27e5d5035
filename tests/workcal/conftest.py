from __future__ import annotations

import pytest

from hotline.workcal import selectors


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    """``get_calendar()`` caches per process for 30 s; a test's database is rolled back after
    it, so a calendar cached by one test must not leak into the next."""
    selectors.calendar_changed()
    yield
    selectors.calendar_changed()
