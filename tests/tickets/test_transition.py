"""Every (state, action) pair through the HTTP API: allowed pairs move the ticket and append
exactly one event; refused pairs answer 409 and write nothing. Every action by a wrong role
answers 403 (or 404 when the role cannot see the ticket) and writes nothing."""

from __future__ import annotations

import pytest

from hotline.supervision.models import SupervisionOrder
from hotline.tickets import workflow
from hotline.tickets.models import Clock, Ticket, TicketAssignment, TicketEvent
from hotline.tickets.services import ticket_transition
from tests.factories import JUDGEMENTS, act, register, ticket_in

ACTOR_AND_DATA = {
    "answer_directly": ("agent", {"text": "已当场解答"}),
    "dispatch": ("dispatcher", {"unit": "hanyang"}),
    "forward": ("jiangan-dispatcher", {"unit": "jiangan-01"}),
    "accept": ("jiangan-handler", {}),
    "send_back": ("jiangan-handler", {"reason": "不属于本单位职责"}),
    "request_extension": ("jiangan-handler", {"days": 3, "reason": "需协调"}),
    "decide_extension": ("dispatcher", {"approve": True}),
    "reply": ("jiangan-handler", {"text": "已处理完毕", "outcome": "resolved"}),
    "follow_up": ("callback", {"satisfaction": "satisfied"}),
    "review": ("evaluator", {"verdict": "proper", "judgements": JUDGEMENTS}),
    "merge": ("dispatcher", {}),
    "invalidate": ("agent", {"reason": "骚扰电话"}),
    "supervise": ("supervisor", {"note": "请加快办理"}),
    "sign": ("leader", {"instruction": "请三日内办结"}),
    "comment": ("agent", {"text": "内部备注"}),
    "pass_up": ("jiangan-centre-dispatcher", {"reason": "不属本区职责，请市级派单"}),
}

EXPECTED_STATE = {
    "answer_directly": "closed",
    "dispatch": "dispatched",
    "accept": "in_progress",
    "send_back": "registered",
    "reply": "replied",
    "follow_up": "closed",
    "review": "closed",
    "merge": "merged",
    "invalidate": "invalid",
    "pass_up": "registered",
}


def snapshot(ticket_pk: int) -> tuple:
    ticket = Ticket.objects.get(pk=ticket_pk)
    return (
        ticket.status,
        ticket.unit_id,
        ticket.last_seq,
        ticket.last_hash,
        ticket.updated_at,
        TicketEvent.objects.filter(ticket_id=ticket_pk).count(),
        Clock.objects.filter(ticket_id=ticket_pk).count(),
        Clock.objects.filter(ticket_id=ticket_pk, stopped_at__isnull=True).count(),
        TicketAssignment.objects.filter(ticket_id=ticket_pk).count(),
        SupervisionOrder.objects.filter(ticket_id=ticket_pk).count(),
    )


def prepare(action: str, state: str):
    if action == "pass_up" and state == "registered":
        # A 自办件 of the jiangan district centre (the city's would have no centre above).
        ticket = ticket_in(state, actor="jiangan-centre-agent")
    else:
        ticket = ticket_in(state, seen_by_jiangan=True)
    username, data = ACTOR_AND_DATA[action]
    data = dict(data)
    if action == "merge":
        data["into"] = register().number
    if action == "decide_extension" and state == "in_progress":
        act("jiangan-handler", ticket.number, "request_extension", days=3, reason="需协调")
        ticket.refresh_from_db()
    return ticket, username, data


@pytest.mark.parametrize("action", workflow.TICKET_ACTIONS)
@pytest.mark.parametrize("state", workflow.STATUSES)
def test_pair_through_the_api(api, state, action):
    ticket, username, data = prepare(action, state)
    before = snapshot(ticket.pk)
    response = api(username).act(ticket.number, action, **data)
    allowed = state in workflow.TABLE[action].sources
    if allowed:
        assert response.status_code == 200, response.json()
        body = response.json()
        assert body["status"] == EXPECTED_STATE.get(action, state)
        events = TicketEvent.objects.filter(ticket=ticket)
        assert events.count() == before[5] + 1
        last = events.order_by("-seq").first()
        assert (last.action, last.actor_name, last.from_status, last.to_status) == (
            action,
            username,
            state,
            body["status"],
        )
        assert body["timeline"][-1]["action"] == action
    else:
        assert response.status_code == 409, response.json()
        assert response.json()["error"] == "conflict"
        assert snapshot(ticket.pk) == before


# A user who can see the ticket but lacks the role for the action.
WRONG_ROLE = {
    "answer_directly": "dispatcher",
    "dispatch": "agent",
    "forward": "jiangan-handler",
    "accept": "jiangan-dispatcher",
    "send_back": "jiangan-leader",
    "request_extension": "dispatcher",
    "decide_extension": "jiangan-handler",
    "reply": "callback",
    "follow_up": "evaluator",
    "review": "callback",
    "merge": "agent",
    "invalidate": "callback",
    "supervise": "dispatcher",
    "sign": "supervisor",
    "comment": "auditor",
    "pass_up": "jiangan-centre-agent",
}

STATE_FOR = {
    "answer_directly": "registered",
    "dispatch": "registered",
    "forward": "dispatched",
    "accept": "dispatched",
    "send_back": "in_progress",
    "request_extension": "in_progress",
    "decide_extension": "in_progress",
    "reply": "in_progress",
    "follow_up": "replied",
    "review": "under_review",
    "merge": "registered",
    "invalidate": "registered",
    "supervise": "in_progress",
    "sign": "in_progress",
    "comment": "in_progress",
    "pass_up": "dispatched",
}


@pytest.mark.parametrize("action", workflow.TICKET_ACTIONS)
def test_wrong_role_gets_an_error_and_nothing_is_written(api, action):
    ticket, _, data = prepare(action, STATE_FOR[action])
    before = snapshot(ticket.pk)
    response = api(WRONG_ROLE[action]).act(ticket.number, action, **data)
    # The auditor reads only the audit log: tickets do not exist for it (404, never 403).
    assert response.status_code == (404 if WRONG_ROLE[action] == "auditor" else 403), (
        response.json()
    )
    assert snapshot(ticket.pk) == before


@pytest.mark.parametrize("action", ["accept", "reply", "send_back"])
def test_another_units_handler_cannot_see_the_ticket(api, action):
    ticket, _, data = prepare(action, STATE_FOR[action])
    before = snapshot(ticket.pk)
    response = api("hanyang-handler").act(ticket.number, action, **data)
    assert response.status_code == 404
    assert snapshot(ticket.pk) == before


def test_parent_unit_handler_sees_but_cannot_act_for_the_street(api):
    ticket = ticket_in("dispatched")
    act("jiangan-dispatcher", ticket.number, "forward", unit="jiangan-01")
    before = snapshot(ticket.pk)
    assert api("jiangan-handler").get(f"tickets/{ticket.number}").status_code == 200
    assert api("jiangan-handler").act(ticket.number, "accept").status_code == 403
    assert snapshot(ticket.pk) == before
    assert api("jiangan-01-handler").act(ticket.number, "accept").status_code == 200


def test_a_crash_in_the_middle_writes_nothing(monkeypatch, user):
    """A failure after the ticket was updated but before commit leaves the ticket as it was."""
    ticket = ticket_in("dispatched")
    before = snapshot(ticket.pk)
    from hotline.tickets import transition

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(transition, "event_append", boom)
    with pytest.raises(RuntimeError):
        ticket_transition(
            actor=user("jiangan-handler"), number=ticket.number, action="accept", data={}
        )
    assert snapshot(ticket.pk) == before
