"""领导签批 (the ticket action ``sign``): a leader's instruction makes the ticket a supervised
one, kept by supervision as an order of kind ``sign``."""

from __future__ import annotations

import pytest

from hotline.core.models import AuditEvent
from hotline.orgs.models import Unit
from hotline.supervision.models import SupervisionOrder
from hotline.tickets.models import TicketEvent
from tests.factories import MembershipFactory, act, register, ticket_in


def test_leader_signs_an_open_ticket_through_the_api(api):
    t = ticket_in("in_progress")
    response = api("leader").act(t.number, "sign", instruction="请江岸区三日内办结并回复")
    assert response.status_code == 200, response.json()
    order = SupervisionOrder.objects.get(ticket=t)
    assert order.kind == SupervisionOrder.SIGN and order.level == 1
    assert order.note == "请江岸区三日内办结并回复" and order.unit.code == "jiangan"
    assert order.created_by.username == "leader" and order.due_at is not None
    event = TicketEvent.objects.get(ticket=t, action="sign")
    assert event.data["instruction"] == "请江岸区三日内办结并回复"
    assert event.to_status == "in_progress" and event.data["level"] == 1
    assert "note" not in event.data and "second" not in event.data
    timeline = response.json()["timeline"]
    assert timeline[-1]["action"] == "sign"
    audit = AuditEvent.objects.get(action="ticket.sign", target=t.number)
    assert audit.actor.username == "leader" and audit.data["order"] == order.pk


def test_a_supervision_after_a_signing_is_the_second(api):
    t = ticket_in("dispatched")
    act("leader", t.number, "sign", instruction="媒体曝光，请督办")
    assert api("supervisor").act(t.number, "supervise", note="跟进").status_code == 200
    kinds = list(SupervisionOrder.objects.filter(ticket=t).order_by("level").values_list("kind"))
    assert kinds == [("sign",), ("supervise",)]


@pytest.mark.parametrize("username", ["supervisor", "dispatcher", "jiangan-handler", "inspector"])
def test_other_roles_may_not_sign(api, username):
    t = ticket_in("in_progress")
    response = api(username).act(t.number, "sign", instruction="批示")
    assert response.status_code in (403, 404)
    if username in ("supervisor", "dispatcher", "jiangan-handler"):
        assert response.status_code == 403, response.json()
    assert not SupervisionOrder.objects.filter(ticket=t).exists()


def test_a_closed_ticket_cannot_be_signed(api):
    t = ticket_in("closed")
    response = api("leader").act(t.number, "sign", instruction="批示")
    assert response.status_code == 409
    assert not SupervisionOrder.objects.filter(ticket=t).exists()


@pytest.mark.parametrize("body", [{}, {"instruction": "   "}])
def test_an_empty_instruction_is_refused_naming_the_field(api, body):
    t = ticket_in("in_progress")
    response = api("leader").post(f"tickets/{t.number}/actions/sign", body)
    assert response.status_code == 400 and response.json()["field"] == "instruction"
    assert not SupervisionOrder.objects.filter(ticket=t).exists()
    assert not AuditEvent.objects.filter(action="ticket.sign").exists()


def test_a_district_leader_signs_only_what_the_district_sees(api):
    MembershipFactory(
        user__username="jiangan-boss", unit=Unit.objects.get(code="jiangan"), role="leader"
    )
    inside = ticket_in("in_progress")
    elsewhere = register()
    act("dispatcher", elsewhere.number, "dispatch", unit="hanyang")
    ok = api("jiangan-boss").act(inside.number, "sign", instruction="区领导批示")
    assert ok.status_code == 200, ok.json()
    hidden = api("jiangan-boss").act(elsewhere.number, "sign", instruction="区领导批示")
    assert hidden.status_code == 404
    assert not SupervisionOrder.objects.filter(ticket=elsewhere).exists()
