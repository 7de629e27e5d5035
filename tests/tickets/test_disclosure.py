"""Showing the complainant in full (hotline.tickets.disclosure): who may, the reason it needs, the
audit row it writes, through the service and the API."""

from __future__ import annotations

import pytest

from hotline.core.errors import BadInput, Forbidden, NotFound
from hotline.core.models import AuditEvent
from hotline.tickets import services
from tests.factories import act, register, ticket_in


def reveals() -> int:
    return AuditEvent.objects.filter(action="ticket.reveal").count()


def test_the_service_checks_sight_role_then_reason_and_writes_one_row(user):
    ticket = ticket_in("in_progress")
    with pytest.raises(NotFound):
        services.citizen_reveal(actor=user("hanyang-handler"), number=ticket.number, reason="x")
    with pytest.raises(Forbidden):
        services.citizen_reveal(actor=user("jiangan-leader"), number=ticket.number, reason="x")
    with pytest.raises(BadInput) as missing:
        services.citizen_reveal(actor=user("jiangan-handler"), number=ticket.number, reason=None)
    assert missing.value.field == "reason"
    with pytest.raises(BadInput):
        services.citizen_reveal(
            actor=user("jiangan-handler"), number=ticket.number, reason="长" * 501
        )
    assert reveals() == 0
    shown = services.citizen_reveal(
        actor=user("jiangan-handler"), number=ticket.number, reason="  核实地址 "
    )
    assert shown == {"name": "张先生", "phone": "13800001111"}
    row = AuditEvent.objects.get(action="ticket.reveal")
    assert (row.target, row.reason, row.data) == (
        ticket.number,
        "核实地址",
        {"fields": ["name", "phone"]},
    )


@pytest.mark.parametrize(
    ("username", "citizen", "kind", "allowed"),
    [
        ("jiangan-handler", {}, "complaint", True),
        ("jiangan-handler", {"confidential": True}, "complaint", False),
        ("jiangan-handler", {"anonymous": True}, "complaint", False),
        ("jiangan-handler", {}, "report", False),
        ("jiangan-leader", {}, "complaint", False),
        ("jiangan-dispatcher", {}, "complaint", False),
        ("dispatcher", {"confidential": True}, "report", True),
        ("callback", {}, "complaint", True),
        ("supervisor", {}, "complaint", False),
        ("leader", {}, "complaint", False),
    ],
)
def test_who_may_reveal(user, username, citizen, kind, allowed):
    from hotline.accounts.selectors import grants_for

    person = {"name": "张先生", "phone": "13800001111", **citizen}
    ticket = ticket_in("in_progress", citizen=person, kind=kind)
    assert services.may_reveal(ticket, grants_for(user(username))) is allowed


def test_a_unit_that_no_longer_holds_the_ticket_may_not_reveal(user):
    from hotline.accounts.selectors import grants_for

    ticket = register()
    act("dispatcher", ticket.number, "dispatch", unit="jiangan")
    ticket = act("jiangan-dispatcher", ticket.number, "forward", unit="jiangan-01")
    assert services.may_reveal(ticket, grants_for(user("jiangan-01-handler")))
    assert not services.may_reveal(ticket, grants_for(user("jiangan-handler")))


def test_reveal_through_the_api(api):
    """POST /api/v1/tickets/{number}/reveal {reason} -> {name, phone}."""
    ticket = ticket_in("in_progress")
    path = f"tickets/{ticket.number}/reveal"
    missing = api("jiangan-handler").post(path, {})
    assert missing.status_code == 400 and missing.json()["field"] == "reason"
    blank = api("jiangan-handler").post(path, {"reason": " "})
    assert blank.status_code == 400 and blank.json()["field"] == "reason"
    assert reveals() == 0
    shown = api("jiangan-handler").post(path, {"reason": "需电话核实"})
    assert shown.status_code == 200
    assert shown.json() == {"name": "张先生", "phone": "13800001111"}
    assert reveals() == 1
    assert api("jiangan-leader").post(path, {"reason": "看看"}).status_code == 403
    assert api("hanyang-handler").post(path, {"reason": "看看"}).status_code == 404
    assert reveals() == 1
