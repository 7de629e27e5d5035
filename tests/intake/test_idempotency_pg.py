"""Submissions with Idempotency-Key retries through the API, Open311 and the portal, from
concurrent clients over real HTTP, on PostgreSQL (``make test-postgres``): the small version of
``bench/intake_idempotency.py`` (10,000 submissions, docs/benchmarks.md), with the same load
and the same proof."""

from __future__ import annotations

import importlib.util
import json
import sys

import pytest
from django.conf import settings as django_settings
from django.db import connection

from hotline.accounts.services import token_issue
from hotline.intake.open311.selectors import services_list
from hotline.intake.open311.services import open311_key_create
from hotline.intake.portal.ratelimit import DEFAULT_RATES
from hotline.notifications.models import Outbox

pytestmark = [
    pytest.mark.transactional,
    pytest.mark.skipif(
        "postgresql" not in django_settings.DATABASES["default"]["ENGINE"],
        reason="racing transactions need PostgreSQL (SQLite serialises writers)",
    ),
]

SUBMISSIONS = 160


def _bench():
    path = django_settings.BASE_DIR / "bench" / "intake_idempotency.py"
    spec = importlib.util.spec_from_file_location("intake_idempotency", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_retried_submissions_make_one_ticket_each(live_server, reseeded, settings):
    settings.HOTLINE_OPEN311_RATE_PER_IP = 10**9
    settings.HOTLINE_OPEN311_RATE_PER_KEY = 10**9
    settings.HOTLINE_PORTAL_RATES = {name: (10**9, 3600) for name in DEFAULT_RATES}
    bench = _bench()
    _, key = open311_key_create(name="retries")

    def code_for(phone: str) -> str:
        row = Outbox.objects.filter(kind="portal_code_submit", recipient=phone).order_by("-pk")
        return row.first().params["code"]

    def query(sql: str) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()

    subs, order = bench.plan(
        SUBMISSIONS,
        seed=7,
        shares={"api": 0.5, "open311": 0.3, "portal": 0.2},
        retry_share=0.5,
        gap=12,
    )
    ctx = {
        "token": token_issue(username="agent", password="demo"),
        "open311_key": key,
        "service_code": services_list().first().code,
        "code_for": code_for,
    }
    result = bench.run_load(live_server.url, subs, order, concurrency=6, ctx=ctx)
    checked = bench.verify(subs, result["answers"], query)
    print(json.dumps({k: v for k, v in checked.items() if k != "problems"}, ensure_ascii=False))

    assert checked["problems"] == []
    assert checked["tickets"] == SUBMISSIONS
    assert checked["retry_answers"] > 0
    assert checked["retry_same_number"] == checked["retry_answers"]
    assert set(checked["by_channel"]) == {"api", "open311", "portal"}
    assert set(checked["retried_by_way"]) == {"racing", "later", "abandoned"}
