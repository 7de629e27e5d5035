"""One ticket's whole life through HTTP, as the people of the hotline would take it."""

from __future__ import annotations

from datetime import datetime

from tests.factories import JUDGEMENTS


def test_full_lifecycle_through_http(api):
    agent, dispatcher = api("agent"), api("dispatcher")
    district, street = api("jiangan-dispatcher"), api("jiangan-01-handler")
    callback, evaluator = api("callback"), api("evaluator")

    created = agent.post(
        "tickets",
        {
            "channel": "phone",
            "kind": "complaint",
            "title": "小区门口下水道堵塞",
            "content": "大智街道某小区门口下水道堵塞一周，污水外溢，请尽快疏通。",
            "address": "江岸区大智路1号",
            "region": "jiangan-01",
            "citizen": {"name": "刘女士", "phone": "13511112222"},
        },
    )
    assert created.status_code == 201
    number = created.json()["number"]

    def step(client, action, expect, **data):
        response = client.act(number, action, **data)
        assert response.status_code == 200, (action, response.json())
        assert response.json()["status"] == expect, action
        return response.json()

    body = step(dispatcher, "dispatch", "dispatched", unit="jiangan")
    assert body["unit"] == "jiangan" and {"accept", "handle", "transfer"} <= set(body["deadlines"])
    body = step(district, "forward", "dispatched", unit="jiangan-01")
    assert body["unit"] == "jiangan-01"
    step(street, "accept", "in_progress")
    before = street.get(f"tickets/{number}").json()["deadlines"]["handle"]
    body = step(street, "request_extension", "in_progress", days=5, reason="需协调排水公司开挖")
    assert body["extension"] == {"status": "requested", "days": 5}
    body = step(dispatcher, "decide_extension", "in_progress", approve=True)
    assert body["extension"]["status"] == "approved"
    assert datetime.fromisoformat(body["deadlines"]["handle"]) > datetime.fromisoformat(before)
    step(street, "reply", "replied", text="已联系排水公司疏通，现已恢复。", outcome="resolved")
    step(callback, "follow_up", "under_review", satisfaction="dissatisfied", note="市民称仍有异味")
    body = step(
        evaluator, "review", "in_progress", verdict="redo", note="未彻底整改", judgements=JUDGEMENTS
    )
    assert body["redo_count"] == 1 and body["deadlines"]["handle"]
    step(street, "reply", "replied", text="已更换破损管道并清理，异味消除。", outcome="resolved")
    body = step(callback, "follow_up", "closed", satisfaction="satisfied")
    assert body["closed_at"] and body["deadlines"] == {} and body["warning"] == "none"

    timeline = agent.get(f"tickets/{number}").json()["timeline"]
    assert [(e["action"], e["actor"], e["from_status"], e["to_status"]) for e in timeline] == [
        ("register", "agent", None, "registered"),
        ("dispatch", "dispatcher", "registered", "dispatched"),
        ("forward", "jiangan-dispatcher", "dispatched", "dispatched"),
        ("accept", "jiangan-01-handler", "dispatched", "in_progress"),
        ("request_extension", "jiangan-01-handler", "in_progress", "in_progress"),
        ("decide_extension", "dispatcher", "in_progress", "in_progress"),
        ("reply", "jiangan-01-handler", "in_progress", "replied"),
        ("follow_up", "callback", "replied", "under_review"),
        ("review", "evaluator", "under_review", "in_progress"),
        ("reply", "jiangan-01-handler", "in_progress", "replied"),
        ("follow_up", "callback", "replied", "closed"),
    ]
    assert [e["seq"] for e in timeline] == list(range(1, 12))
    times = [datetime.fromisoformat(e["at"]) for e in timeline]
    assert times == sorted(times) and all(t.utcoffset().total_seconds() == 8 * 3600 for t in times)
    assert timeline[2]["data"] == {"from_unit": "jiangan", "unit": "jiangan-01"}
    assert timeline[7]["data"]["satisfaction"] == "dissatisfied"
