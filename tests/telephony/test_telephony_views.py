"""The leaders' page of answer rates."""

from __future__ import annotations

import pytest
from django.test import Client

from hotline.accounts.models import User
from hotline.accounts.selectors import SYSTEM


@pytest.fixture
def console(db):
    def as_user(username: str) -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(User.objects.get(username=username))
        return client

    return as_user


def test_leaders_see_answer_rates(console):
    from hotline.telephony.records import record_clean
    from hotline.telephony.services import calls_store

    calls_store(
        actor=SYSTEM,
        calls=[
            record_clean(
                {
                    "call_id": "p-1",
                    "line": "12345",
                    "queued_at": "2026-12-01T09:00:00+08:00",
                    "answered_at": "2026-12-01T09:00:20+08:00",
                    "ended_at": "2026-12-01T09:02:00+08:00",
                    "outcome": "answered",
                }
            )
        ],
    )
    page = console("leader").get("/console/calls/stats/?from=2026-12-01&to=2026-12-01&by=day")
    body = page.content.decode()
    assert page.status_code == 200 and "2026-12-01" in body and "0.0" in body
    assert console("agent").get("/console/calls/stats/").status_code == 403
