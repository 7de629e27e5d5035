"""Accountability records, the automatic referral queue and copies to the offices."""

from __future__ import annotations

from io import BytesIO

from openpyxl import load_workbook

from hotline.supervision.models import Accountability, Referral
from tests.factories import act, register, ticket_in


def test_supervisor_records_accountability_and_exports_it(api):
    t = ticket_in("in_progress")
    created = api("supervisor").post(
        "accountability",
        {
            "ticket": t.number,
            "unit": "jiangan",
            "person": "王某",
            "reason": "超期未办且未说明原因",
            "measure": "talk",
        },
    )
    assert created.status_code == 201, created.json()
    assert created.json()["decided_by"] == "supervisor"
    listed = api("supervisor").get("accountability?unit=jiangan").json()
    assert [r["ticket"] for r in listed["items"]] == [t.number]
    assert api("supervisor").get("accountability?unit=hanyang").json()["count"] == 0
    xlsx = api("supervisor").get("accountability?format=xlsx")
    assert xlsx.status_code == 200 and "spreadsheetml" in xlsx["Content-Type"]
    rows = list(load_workbook(BytesIO(xlsx.content)).active.values)
    assert (
        rows[0][:2] == ("工单编号", "责任单位") and rows[1][0] == t.number and rows[1][4] == "约谈"
    )


def test_accountability_bad_input_and_wrong_role(api):
    t = ticket_in("in_progress")
    before = Accountability.objects.count()
    for body, field in (
        ({"ticket": t.number, "unit": "atlantis", "reason": "x", "measure": "talk"}, "unit"),
        ({"ticket": t.number, "unit": "jiangan", "reason": " ", "measure": "talk"}, "reason"),
        ({"ticket": t.number, "unit": "jiangan", "reason": "x", "measure": "jail"}, "measure"),
        (
            {"ticket": "2099010100001", "unit": "jiangan", "reason": "x", "measure": "talk"},
            "ticket",
        ),
    ):
        response = api("supervisor").post("accountability", body)
        assert response.status_code == 400 and response.json()["field"] == field
    assert (
        api("jiangan-handler")
        .post(
            "accountability",
            {"ticket": t.number, "unit": "jiangan", "reason": "x", "measure": "talk"},
        )
        .status_code
        == 403
    )
    assert api("jiangan-handler").get("accountability").status_code == 403
    assert Accountability.objects.count() == before


def test_third_send_back_refers_the_ticket_to_supervision(api):
    t = register()
    for _ in range(3):
        act("dispatcher", t.number, "dispatch", unit="jiangan")
        act("jiangan-handler", t.number, "send_back", reason="不属于本单位")
    assert Referral.objects.filter(ticket=t, reason="send_backs").count() == 1
    queue = api("supervisor").get("supervision/queue").json()["items"]
    assert [(q["ticket"], q["reason"]) for q in queue] == [(t.number, "send_backs")]
    last = t.events.order_by("-seq").first()
    assert last.action == "send_back" and last.data["referred"] == "send_backs"


def test_third_redo_refers_the_ticket(api):
    t = ticket_in("in_progress")
    for _ in range(3):
        act("jiangan-handler", t.number, "reply", text="已处理", outcome="resolved")
        act("callback", t.number, "follow_up", satisfaction="dissatisfied")
        act("evaluator", t.number, "review", verdict="redo")
    assert Referral.objects.filter(ticket=t, reason="redos").count() == 1


def test_the_dispatcher_can_ask_for_copies(api):
    t = register()
    response = api("dispatcher").act(t.number, "dispatch", unit="jiangan", copy_to=["discipline"])
    assert response.status_code == 200
    assert t.number in {i["number"] for i in api("inspector").get("tickets").json()["items"]}
    bad = api("dispatcher").act(register().number, "dispatch", unit="jiangan", copy_to=["press"])
    assert bad.status_code == 400 and bad.json()["field"] == "copy_to[0]"
