"""The demo's call records: every line over the last weeks, answer rates near the report's 98 %,
stable and idempotent."""

from __future__ import annotations

from datetime import datetime, timedelta

from hotline.orgs.models import HotlineCentre
from hotline.telephony.demo import build_calls, day_calls, demo_lines
from hotline.telephony.models import CallRecord
from hotline.telephony.records import SHANGHAI

NOW = datetime(2026, 12, 4, 15, 30, tzinfo=SHANGHAI)


def test_every_line_has_calls_and_the_answer_rate_is_near_98_percent(api):
    created = build_calls(days=14, now=NOW)
    assert created == CallRecord.objects.count() > 2000
    lines = set(CallRecord.objects.values_list("line", flat=True))
    assert lines == set(HotlineCentre.objects.values_list("phone", flat=True))
    assert not CallRecord.objects.filter(ended_at__gt=NOW).exists()
    response = api("leader").get("calls/stats?from=2026-11-21&to=2026-12-04&by=day")
    assert response.status_code == 200
    items = response.json()["items"]
    assert len(items) == 14
    offered = sum(i["offered"] for i in items)
    within = sum(i["answered_15s"] for i in items)
    assert offered == created
    assert 97.0 <= 100 * within / offered <= 99.0
    by_line = api("leader").get("calls/stats?from=2026-11-21&to=2026-12-04&by=month&by_line=1")
    assert {i["line"] for i in by_line.json()["items"]} == lines


def test_seeding_again_adds_only_what_has_passed_since_and_changes_nothing():
    first = build_calls(days=3, now=NOW)
    rows = list(CallRecord.objects.order_by("call_id").values())
    assert build_calls(days=3, now=NOW) == 0
    assert list(CallRecord.objects.order_by("call_id").values()) == rows
    later = build_calls(days=3, now=NOW + timedelta(hours=4))
    assert later > 0  # the calls of the afternoon that ended since
    assert CallRecord.objects.count() == first + later
    kept = {r["call_id"]: r for r in CallRecord.objects.values()}
    assert all(kept[r["call_id"]] == r for r in rows)


def test_a_day_of_a_line_is_the_same_every_time():
    line = demo_lines()[0]
    day = NOW.date()
    assert day_calls(line, day, 1) == day_calls(line, day, 1)
    assert day_calls(line, day, 1) != day_calls(line, day, 2)


def test_each_phone_ticket_of_those_days_gets_the_call_it_came_from(api):
    from hotline.telephony.models import CallTicket
    from hotline.tickets.services import acting_at
    from tests.factories import register

    with acting_at(NOW - timedelta(days=1)):
        phoned = register(citizen={"phone": "13911112222"})
        wechat = register(channel="wechat", citizen={"phone": "13911113333"})
    with acting_at(NOW - timedelta(days=30)):
        old = register(citizen={"phone": "13911114444"})
    build_calls(days=3, now=NOW)
    links = CallTicket.objects.select_related("call", "ticket")
    assert [link.ticket.number for link in links] == [phoned.number]
    call = links[0].call
    assert call.caller == "13911112222" and call.line == "12345" and call.agent == "agent"
    assert call.queued_at < phoned.registered_at <= call.ended_at
    body = api("agent").get(f"calls/{call.call_id}").json()
    assert [t["number"] for t in body["tickets"]] == [phoned.number]
    assert wechat.number not in {link.ticket.number for link in links}
    assert old.number not in {link.ticket.number for link in links}
    assert build_calls(days=3, now=NOW) == 0 and CallTicket.objects.count() == 1
