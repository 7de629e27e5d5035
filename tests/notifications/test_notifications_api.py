"""GET /api/v1/notifications: admins and supervisors only, recipients masked but for admins,
filters, pagination, times with +08:00."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone

from hotline.notifications.services import outbox_deliver_due, outbox_enqueue
from tests.factories import register


@pytest.fixture
def rows():
    first, second = register(), register(citizen={"name": "李女士", "phone": "13900002222"})
    with transaction.atomic():
        outbox_enqueue(
            kind="yellow",
            recipient="13700003333",
            template="yellow",
            params={"unit": "江岸区", "number": first.number, "clock": "办理", "due_at": "x"},
            key=f"yellow:{first.number}",
            ticket=first,
        )
    outbox_deliver_due(limit=1)  # the first acknowledgement goes out
    return first, second


@pytest.mark.parametrize("username", ["agent", "dispatcher", "jiangan-handler"])
def test_other_roles_are_refused(api, rows, username):
    response = api(username).get("notifications")
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"


def test_without_a_token_401(api):
    assert api().get("notifications").status_code == 401


def test_admin_sees_recipients(api, rows):
    first, second = rows
    body = api("admin").get("notifications").json()
    assert body["count"] == 3 and body["next"] is None
    newest = body["items"][0]
    assert newest["kind"] == "yellow" and newest["recipient"] == "13700003333"
    assert {i["recipient"] for i in body["items"]} == {"13800001111", "13900002222", "13700003333"}
    assert set(newest) == {
        "id",
        "ticket",
        "kind",
        "channel",
        "recipient",
        "status",
        "attempts",
        "created_at",
        "sent_at",
    }


def test_supervisor_sees_them_masked(api, rows):
    body = api("supervisor").get("notifications").json()
    assert {i["recipient"] for i in body["items"]} == {"138****1111", "139****2222", "137****3333"}
    assert "13800001111" not in str(body)


def test_was_the_citizen_told(api, rows):
    first, _ = rows
    body = api("supervisor").get(f"notifications?ticket={first.number}&kind=acknowledgement").json()
    (row,) = body["items"]
    assert (row["ticket"], row["status"], row["attempts"], row["channel"]) == (
        first.number,
        "sent",
        1,
        "sms",
    )
    assert row["created_at"].endswith("+08:00") and row["sent_at"].endswith("+08:00")
    sent_at = timezone.datetime.fromisoformat(row["sent_at"])
    assert abs((sent_at - timezone.now()).total_seconds()) < 60


def test_filters(api, rows):
    first, second = rows
    client = api("admin")
    pending = client.get("notifications?status=pending").json()
    assert pending["count"] == 2 and {i["status"] for i in pending["items"]} == {"pending"}
    assert client.get(f"notifications?ticket={second.number}").json()["count"] == 1
    assert client.get("notifications?kind=yellow&status=sent").json()["count"] == 0
    assert client.get("notifications?ticket=nope").json() == {"items": [], "count": 0, "next": None}


def test_pagination(api, rows):
    body = api("admin").get("notifications?page_size=2").json()
    assert len(body["items"]) == 2 and body["count"] == 3
    assert "page=2" in body["next"]
    second_page = api("admin").get("notifications?page_size=2&page=2").json()
    assert len(second_page["items"]) == 1


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=lost", "status"),
        ("page=0", "page"),
        ("page_size=5000", "page_size"),
        ("page=x", "page"),
    ],
)
def test_bad_input_is_400_naming_the_field(api, query, field):
    response = api("admin").get(f"notifications?{query}")
    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"
    assert field in response.json()["detail"]
