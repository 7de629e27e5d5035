"""POST /api/v1/calls, GET /api/v1/calls/stats and a call's tickets, as their users see them."""

from __future__ import annotations

import pytest

from hotline.telephony.models import CallRecord, CallTicket
from tests.factories import register


def record(call_id: str, **change) -> dict:
    base = {
        "call_id": call_id,
        "line": "12345",
        "caller": "13800001111",
        "queued_at": "2026-12-01T08:00:00+08:00",
        "answered_at": "2026-12-01T08:00:10+08:00",
        "ended_at": "2026-12-01T08:03:00+08:00",
        "agent": "agent",
        "outcome": "answered",
        "recording_ref": "rec/1.wav",
    }
    base.update(change)
    return base


def test_integration_posts_one_record_then_a_batch_and_a_resend_changes_nothing(api):
    integration = api("integration")
    response = integration.post("calls", record("a-1"))
    assert response.status_code == 201
    assert response.json() == {"created": 1, "existing": 0}
    batch = [
        record("a-1"),
        record("a-2", line="96345"),
        record("a-3", answered_at=None, outcome="abandoned", agent=None),
    ]
    assert integration.post("calls", batch).json() == {"created": 2, "existing": 1}
    before = list(CallRecord.objects.order_by("call_id").values())
    assert integration.post("calls", batch).json() == {"created": 0, "existing": 3}
    # A re-sent record with other values does not overwrite the first one.
    assert integration.post("calls", record("a-2", line="other")).json()["existing"] == 1
    assert list(CallRecord.objects.order_by("call_id").values()) == before
    a3 = CallRecord.objects.get(call_id="a-3")
    assert a3.answered_at is None and a3.agent == "" and a3.wait_us is None


def test_admin_may_post_calls(api):
    assert api("admin").post("calls", record("adm-1")).status_code == 201


@pytest.mark.parametrize("username", ["agent", "leader", "supervisor", "callback"])
def test_other_roles_may_not_post_calls(api, username):
    response = api(username).post("calls", record("x-1"))
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"
    assert not CallRecord.objects.filter(call_id="x-1").exists()


def test_a_role_that_may_not_post_gets_403_even_for_a_bad_body(api):
    agent = api("agent")
    response = agent.client.post(
        "/api/v1/calls", data="{nope", content_type="application/json", headers=agent.headers
    )
    assert response.status_code == 403


def test_without_a_token_401(api):
    assert api(None).post("calls", record("x-1")).status_code == 401


def test_a_batch_with_one_bad_record_writes_nothing_and_names_index_and_field(api):
    batch = [record("b-1"), record("b-2"), record("b-3"), record("b-4", queued_at="soon")]
    response = api("integration").post("calls", batch)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "bad_request"
    assert body["field"] == "[3].queued_at"
    assert body["index"] == 3
    assert "[3].queued_at" in body["detail"]
    assert not CallRecord.objects.filter(call_id__startswith="b-").exists()


def test_a_single_bad_record_names_the_field(api):
    response = api("integration").post("calls", record("c-1", outcome="hung"))
    assert response.status_code == 400
    assert response.json()["field"] == "outcome"


def test_not_json_is_400(api):
    integration = api("integration")
    response = integration.client.post(
        "/api/v1/calls", data="{nope", content_type="application/json", headers=integration.headers
    )
    assert response.status_code == 400 and response.json()["field"] == "body"


def post_day(api):
    calls = [
        # 2026-12-01 08h local: answered at 15 s (within), at 15.001 s (not), abandoned
        record(
            "s-1", queued_at="2026-12-01T08:00:00+08:00", answered_at="2026-12-01T08:00:15+08:00"
        ),
        record(
            "s-2",
            queued_at="2026-12-01T08:10:00+08:00",
            answered_at="2026-12-01T08:10:15.001+08:00",
            ended_at="2026-12-01T08:12:00+08:00",
        ),
        record(
            "s-3",
            queued_at="2026-12-01T08:20:00+08:00",
            answered_at=None,
            ended_at="2026-12-01T08:21:00+08:00",
            outcome="abandoned",
        ),
        # 09h local on another line, queued 01:30 UTC
        record(
            "s-4",
            line="96345",
            queued_at="2026-12-01T01:30:00Z",
            answered_at="2026-12-01T01:30:03Z",
            ended_at="2026-12-01T01:35:00Z",
        ),
        # next local day, though the same UTC day as the others
        record(
            "s-5",
            queued_at="2026-12-01T16:30:00Z",
            answered_at=None,
            ended_at="2026-12-01T16:31:00Z",
            outcome="callback",
        ),
    ]
    assert api("integration").post("calls", calls).status_code == 201


def test_stats_by_hour_day_month_and_line(api):
    post_day(api)
    leader = api("leader")
    hours = leader.get("calls/stats?from=2026-12-01&to=2026-12-02&by=hour").json()["items"]
    assert hours == [
        {
            "period": "2026-12-01T08",
            "line": None,
            "offered": 3,
            "answered": 2,
            "answered_15s": 1,
            "abandoned": 1,
            "answer_rate_15s": 33.33,
            "connection_rate": 66.67,
        },
        {
            "period": "2026-12-01T09",
            "line": None,
            "offered": 1,
            "answered": 1,
            "answered_15s": 1,
            "abandoned": 0,
            "answer_rate_15s": 100.0,
            "connection_rate": 100.0,
        },
        {
            "period": "2026-12-02T00",
            "line": None,
            "offered": 1,
            "answered": 0,
            "answered_15s": 0,
            "abandoned": 1,
            "answer_rate_15s": 0.0,
            "connection_rate": 0.0,
        },
    ]
    days = leader.get("calls/stats?from=2026-12-01&to=2026-12-01&by=day&by_line=1").json()["items"]
    assert [(d["period"], d["line"], d["offered"], d["answered_15s"]) for d in days] == [
        ("2026-12-01", "12345", 3, 1),
        ("2026-12-01", "96345", 1, 1),
    ]
    month = leader.get("calls/stats?from=2026-12-01&to=2026-12-31&by=month").json()["items"]
    assert month == [
        {
            "period": "2026-12",
            "line": None,
            "offered": 5,
            "answered": 3,
            "answered_15s": 2,
            "abandoned": 2,
            "answer_rate_15s": 40.0,
            "connection_rate": 60.0,
        }
    ]


@pytest.mark.parametrize("username", ["leader", "supervisor", "admin"])
def test_stats_readers(api, username):
    assert api(username).get("calls/stats?from=2026-12-01&to=2026-12-01").status_code == 200


@pytest.mark.parametrize("username", ["agent", "integration", "jiangan-handler", "jiangan-leader"])
def test_stats_refused_to_other_roles(api, username):
    assert api(username).get("calls/stats?from=2026-12-01&to=2026-12-01").status_code == 403


@pytest.mark.parametrize(
    "query, field",
    [
        ("to=2026-12-01", "from"),
        ("from=2026-12-01", "to"),
        ("from=2026-12-02&to=2026-12-01", "to"),
        ("from=2026-13-01&to=2026-12-01", "from"),
        ("from=2026-12-01&to=2026-12-01&by=week", "by"),
    ],
)
def test_stats_bad_query_names_the_field(api, query, field):
    response = api("leader").get(f"calls/stats?{query}")
    assert response.status_code == 400
    assert response.json()["field"] == field


def test_a_call_shows_the_tickets_registered_from_it_and_the_callers_earlier_ones(api, settings):
    from datetime import datetime, timedelta

    from django.utils import timezone

    from hotline.tickets.services import acting_at

    now = timezone.now().replace(microsecond=0)
    with acting_at(now - timedelta(days=3)):
        earlier = register(citizen={"phone": "13911112222"})
    with acting_at(now - timedelta(minutes=2)):
        matched = register(citizen={"phone": "13911112222"})
    other = register(citizen={"phone": "13000000000"})
    api("integration").post(
        "calls",
        record(
            "t-1",
            caller="13911112222",
            queued_at=(now - timedelta(minutes=10)).isoformat(),
            answered_at=(now - timedelta(minutes=10)).isoformat(),
            ended_at=(now - timedelta(minutes=5)).isoformat(),
        ),
    )
    agent = api("agent")
    assert agent.post("calls/t-1/tickets", {"ticket": other.number}).status_code == 201
    assert agent.post("calls/t-1/tickets", {"ticket": other.number}).status_code == 201
    assert CallTicket.objects.count() == 1
    body = agent.get("calls/t-1").json()
    assert body["caller"] == "13911112222"
    assert {t["number"] for t in body["tickets"]} == {matched.number, other.number}
    assert [t["number"] for t in body["earlier_tickets"]] == [earlier.number]
    assert isinstance(datetime.fromisoformat(body["queued_at"]), datetime)
    assert agent.post("calls/t-1/tickets", {"ticket": "20990101"}).status_code == 400
    assert agent.get("calls/nope").status_code == 404
    assert api("jiangan-handler").get("calls/t-1").status_code == 403
    assert (
        api("jiangan-handler").post("calls/t-1/tickets", {"ticket": other.number}).status_code
        == 403
    )


# --- strict bodies: a wrong type or an unknown field is a 400 naming it, never a 422 ----------


@pytest.mark.parametrize(
    "change, field",
    [
        ({"line": 12345}, "line"),
        ({"line": ["12345"]}, "line"),
        ({"answered_at": 1764547210}, "answered_at"),
        ({"caller": 13800001111}, "caller"),
        ({"outcome": True}, "outcome"),
        ({"recording_ref": {"path": "x"}}, "recording_ref"),
        ({"priority": "high"}, "priority"),
        ({"line": ""}, "line"),
    ],
)
def test_a_wrong_type_or_an_unknown_field_in_a_record_is_a_400_naming_it(api, change, field):
    response = api("integration").post("calls", record("strict-1", **change))
    assert response.status_code == 400, response.content
    assert response.json()["error"] == "bad_request"
    assert response.json()["field"] == field
    assert not CallRecord.objects.filter(call_id="strict-1").exists()


def test_in_a_batch_the_unknown_field_is_named_with_its_index_and_nothing_is_written(api):
    batch = [record("sb-1"), record("sb-2", extension="8001"), {**record("sb-3"), "call_id": 7}]
    response = api("integration").post("calls", batch)
    assert response.status_code == 400
    assert (response.json()["field"], response.json()["index"]) == ("[1].extension", 1)
    response = api("integration").post("calls", [record("sb-1"), "not a record"])
    assert (response.status_code, response.json()["field"]) == (400, "[1]")
    assert not CallRecord.objects.filter(call_id__startswith="sb-").exists()


def test_linking_a_ticket_refuses_wrong_types_and_unknown_fields(api):
    api("integration").post("calls", record("l-1"))
    ticket = register()
    agent = api("agent")
    for body, field in (
        ({"ticket": 20260101}, "ticket"),
        ({"ticket": ticket.number, "note": "x"}, "note"),
        ({}, "ticket"),
        (["x"], "body"),
    ):
        response = agent.post("calls/l-1/tickets", body)
        assert (response.status_code, response.json()["field"]) == (400, field), body
    assert not CallTicket.objects.exists()
    assert agent.post("calls/l-1/tickets", {"ticket": ticket.number}).status_code == 201


def test_stats_by_line_must_be_a_boolean(api):
    response = api("leader").get("calls/stats?from=2026-12-01&to=2026-12-01&by_line=perhaps")
    assert (response.status_code, response.json()["field"]) == (400, "by_line")
    ok = api("leader").get("calls/stats?from=2026-12-01&to=2026-12-01&by_line=false")
    assert ok.status_code == 200


def test_a_call_id_of_the_wrong_type_is_a_400_naming_it(api):
    response = api("integration").post("calls", {**record("x"), "call_id": 123})
    assert (response.status_code, response.json()["field"]) == (400, "call_id")
