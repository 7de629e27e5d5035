"""Several scanners at once on PostgreSQL: every warning exactly once."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from hotline.notifications.models import Outbox
from hotline.supervision.warnings import warnings_scan
from hotline.tickets import services
from hotline.tickets.models import TicketEvent
from tests.factories import act, register
from tests.tickets.test_concurrency import run_parallel

pytestmark = [pytest.mark.transactional, pytest.mark.postgres]
SH = ZoneInfo("Asia/Shanghai")


def test_four_scanners_send_each_warning_once(reseeded):
    if connection.vendor != "postgresql":
        pytest.skip("runs on PostgreSQL (make test-postgres)")
    numbers = []
    for i in range(30):
        with services.acting_at(datetime(2026, 3, 2, 9, i, tzinfo=SH)):
            t = register()
            act("dispatcher", t.number, "dispatch", unit="hanyang-01" if i % 2 else "water")
        numbers.append(t.number)
    now = datetime(2026, 3, 3, 8, 50, tzinfo=SH)  # every accept clock is yellow, none red
    sent = run_parallel(4, lambda i: warnings_scan(now=now))
    assert sum(sent) == 30
    per_clock = Counter(
        TicketEvent.objects.filter(action="warn").values_list("ticket__number", "data__warning")
    )
    assert set(per_clock.values()) == {1} and len(per_clock) == 30
    kinds = Counter(Outbox.objects.exclude(kind="acknowledgement").values_list("kind", flat=True))
    assert kinds == {"yellow": 30, "accept_reminder": 30}
