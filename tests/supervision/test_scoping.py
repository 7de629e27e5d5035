"""Every read of rows derived from tickets is scoped (hotline.core.scoping): a district's leader
and the discipline inspector see only the rows of tickets they can open, in the selectors, the
API, the Excel export and the admin's lists."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from hotline.accounts.models import User
from hotline.accounts.roles import Role
from hotline.accounts.services import membership_grant, user_create
from hotline.notifications import selectors as outbox_selectors
from hotline.notifications.models import Outbox
from hotline.orgs.models import Unit
from hotline.supervision import selectors
from hotline.supervision.models import Referral
from hotline.supervision.services import accountability_record
from hotline.tickets.selectors import tickets_visible_to
from tests.factories import act, register


def leader_of(code: str, *, superuser: bool = False) -> User:
    user = user_create(
        username=f"{code}-boss",
        password="demo",
        is_staff=superuser,
        is_superuser=superuser,
    )
    membership_grant(user=user, unit=Unit.objects.get(code=code), role=Role.LEADER)
    return user


@pytest.fixture
def world(db):
    """Ticket ``a`` dispatched to jiangan with a copy to the discipline office; ticket ``b``
    dispatched to hanyang, no copy. Each has an accountability record, a referral, a
    supervision order and an outbox row."""
    a, b = register(title="甲"), register(title="乙")
    act("dispatcher", a.number, "dispatch", unit="jiangan", copy_to=["discipline"])
    act("dispatcher", b.number, "dispatch", unit="hanyang")
    supervisor = User.objects.get(username="supervisor")
    for ticket, unit in ((a, "jiangan"), (b, "hanyang")):
        accountability_record(
            actor=supervisor,
            data={"ticket": ticket.number, "unit": unit, "reason": "超期", "measure": "talk"},
        )
        Referral.objects.create(
            ticket=ticket, reason=Referral.REDOS, created_at=timezone.now(), event_seq=1
        )
        act("supervisor", ticket.number, "supervise", note="请加快办理")
        Outbox.objects.create(
            ticket=ticket,
            kind="test",
            recipient="13800001111",
            template="t",
            idempotency_key=ticket.number,
        )
    Outbox.objects.create(
        kind="test", recipient="13800002222", template="t", idempotency_key="none"
    )
    return {
        "a": a.number,
        "b": b.number,
        "jiangan": leader_of("jiangan"),
        "hanyang": leader_of("hanyang"),
        "inspector": User.objects.get(username="inspector"),
        "supervisor": supervisor,
    }


def expected(world, who: str) -> set[str]:
    if who == "supervisor":
        return {world["a"], world["b"]}
    return {world["a"]} if who in ("jiangan", "inspector") else {world["b"]}


READERS = ("jiangan", "hanyang", "inspector", "supervisor")


@pytest.mark.parametrize("who", READERS)
def test_the_readers_open_exactly_the_tickets_expected(world, who):
    visible = set(tickets_visible_to(world[who]).values_list("number", flat=True))
    assert {world["a"], world["b"]} & visible == expected(world, who)


@pytest.mark.parametrize("who", READERS)
def test_accountability_records(world, who):
    rows = selectors.accountability_list(world[who])
    assert {r.ticket.number for r in rows} & {world["a"], world["b"]} == expected(world, who)


@pytest.mark.parametrize("who", READERS)
def test_the_referral_queue(world, who):
    rows = selectors.referral_queue(world[who])
    assert {r.ticket.number for r in rows} & {world["a"], world["b"]} == expected(world, who)


@pytest.mark.parametrize("who", READERS)
def test_supervision_orders(world, who):
    rows = selectors.supervision_orders(world[who])
    assert {r.ticket.number for r in rows} & {world["a"], world["b"]} == expected(world, who)
    assert {
        r.ticket.number for r in selectors.supervision_orders(world[who], ticket=world["b"])
    } <= {world["b"]}


@pytest.mark.parametrize("who", READERS)
def test_outbox_rows(world, who):
    rows = outbox_selectors.outbox_list(world[who])
    numbers = {r.ticket.number if r.ticket_id else None for r in rows}
    want = expected(world, who) | ({None} if who == "supervisor" else set())
    assert numbers & {world["a"], world["b"], None} == want


def bearer(username: str) -> dict:
    from hotline.accounts.services import token_issue

    return {"Authorization": f"Bearer {token_issue(username=username, password='demo')}"}


@pytest.mark.parametrize("who", ("jiangan", "inspector"))
def test_the_api_lists_and_the_export_are_scoped(world, who):
    client, headers = Client(), bearer(world[who].username)
    records = client.get("/api/v1/accountability?page_size=1000", headers=headers).json()
    assert {r["ticket"] for r in records["items"]} & {world["a"], world["b"]} == {world["a"]}
    queue = client.get("/api/v1/supervision/queue?page_size=1000", headers=headers).json()
    assert {r["ticket"] for r in queue["items"]} & {world["a"], world["b"]} == {world["a"]}
    xlsx = client.get("/api/v1/accountability?format=xlsx", headers=headers)
    cells = {
        str(value)
        for row in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True)
        for value in row
    }
    assert world["a"] in cells and world["b"] not in cells
    # the outbox is for admins and supervisors only
    assert client.get("/api/v1/notifications", headers=headers).status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/admin/tickets/ticket/",
        "/admin/tickets/ticketevent/",
        "/admin/tickets/clock/",
        "/admin/supervision/supervisionorder/",
        "/admin/notifications/outbox/",
    ],
)
def test_the_admin_lists_are_scoped(world, path):
    jiangan = Client()
    jiangan.force_login(world["jiangan"])
    world["jiangan"].is_staff = world["jiangan"].is_superuser = True
    world["jiangan"].save()
    page = jiangan.get(path).content.decode()
    assert world["a"] in page and world["b"] not in page
    admin = Client()
    admin.force_login(User.objects.get(username="admin"))
    everything = admin.get(path).content.decode()
    assert world["a"] in everything and world["b"] in everything
