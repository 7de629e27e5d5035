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


def test_a_ticket_held_by_a_user_is_skipped_not_waited_for(reseeded):
    if connection.vendor != "postgresql":
        pytest.skip("runs on PostgreSQL (make test-postgres)")
    import psycopg

    numbers = []
    for i in range(3):
        with services.acting_at(datetime(2026, 3, 2, 9, i, tzinfo=SH)):
            t = register()
            act("dispatcher", t.number, "dispatch", unit="hanyang-01")
        numbers.append(t.number)
    now = datetime(2026, 3, 3, 8, 50, tzinfo=SH)
    settings = connection.settings_dict
    with psycopg.connect(
        dbname=settings["NAME"], host=settings["HOST"] or None, user=settings["USER"]
    ) as other:
        other.execute("SELECT id FROM tickets_ticket WHERE number = %s FOR UPDATE", [numbers[1]])
        assert warnings_scan(now=now) == 2  # did not wait for the held ticket
        warned = set(
            TicketEvent.objects.filter(action="warn").values_list("ticket__number", flat=True)
        )
        assert warned == {numbers[0], numbers[2]}
    # The lock is gone (the other transaction ended): the next scan sends the third.
    assert warnings_scan(now=now) == 1
