"""WeCom work groups: dispatches and warnings posted to the unit's group through the outbox,
mentioning its handlers by mobile; the group robot gateway against a local fake robot."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from hotline.accounts.models import User
from hotline.notifications.gateways import (
    GatewayError,
    Message,
    PermanentError,
    WecomRobotGateway,
)
from hotline.notifications.models import Outbox, WorkGroup
from hotline.notifications.services import outbox_deliver_due
from hotline.orgs.models import Unit
from hotline.supervision.warnings import warnings_scan
from tests.factories import act, register

HANDLER_PHONE = "13912345678"


@pytest.fixture
def group(db, fake_provider):
    handler = User.objects.get(username="jiangan-handler")
    handler.phone = HANDLER_PHONE
    handler.save()
    return WorkGroup.objects.create(
        unit=Unit.objects.get(code="jiangan"),
        webhook_url=f"{fake_provider.url}cgi-bin/webhook/send?key=test-key",
        extra_mobiles="13800000001, ",
    )


def wecom_rows(ticket=None):
    rows = Outbox.objects.filter(channel="wecom")
    return list(rows.filter(ticket=ticket) if ticket else rows)


def test_dispatch_posts_to_the_group_mentioning_the_handlers(group, fake_provider):
    ticket = register(title="路灯不亮", content="中山大道路灯不亮")
    act("dispatcher", ticket.number, "dispatch", unit="jiangan")
    (row,) = wecom_rows(ticket)
    assert row.recipient == "jiangan" and row.template == "wecom_dispatch"
    assert "test-key" not in json.dumps(row.params)  # the webhook stays in the group's row

    counts = outbox_deliver_due(gateways={"wecom": WecomRobotGateway()})
    assert counts["sent"] >= 1
    (request,) = [r for r in fake_provider.received if "webhook" in r.path]
    assert request.path == "/cgi-bin/webhook/send?key=test-key"
    body = json.loads(request.body)
    assert body["msgtype"] == "text"
    assert ticket.number in body["text"]["content"]
    assert "江岸区" in body["text"]["content"] and "路灯不亮" in body["text"]["content"]
    assert body["text"]["mentioned_mobile_list"] == ["13800000001", HANDLER_PHONE]
    row.refresh_from_db()
    assert row.status == Outbox.SENT and row.receipt.startswith("wecom:")


def test_no_group_or_a_group_that_does_not_want_dispatches_posts_nothing(group):
    ticket = register()
    act("dispatcher", ticket.number, "dispatch", unit="hanyang")  # no group
    assert not wecom_rows()
    group.on_dispatch = False
    group.save()
    other = register()
    act("dispatcher", other.number, "dispatch", unit="jiangan")
    assert not wecom_rows()


def test_forward_posts_to_the_street_group(group, fake_provider):
    street = Unit.objects.filter(parent__code="jiangan", active=True).first()
    WorkGroup.objects.create(unit=street, webhook_url=f"{fake_provider.url}street")
    ticket = register()
    act("dispatcher", ticket.number, "dispatch", unit="jiangan")
    act("jiangan-dispatcher", ticket.number, "forward", unit=street.code)
    assert [r.recipient for r in wecom_rows(ticket)] == ["jiangan", street.code]


def test_confidential_ticket_is_posted_without_its_title(group):
    ticket = register(
        title="举报某单位负责人",
        kind="report",
        citizen={"name": "王五", "phone": "13700000000", "confidential": True},
    )
    act("dispatcher", ticket.number, "dispatch", unit="jiangan")
    (row,) = wecom_rows(ticket)
    text = json.dumps(row.params, ensure_ascii=False)
    assert "保密工单" in text
    assert "举报某单位负责人" not in text and "王五" not in text and "13700000000" not in text


def test_red_warning_goes_to_the_group_once(group):
    ticket = register(title="噪音扰民")
    act("dispatcher", ticket.number, "dispatch", unit="jiangan")
    later = timezone.now() + timedelta(days=60)
    assert warnings_scan(now=later) >= 1
    warnings_scan(now=later)
    reds = [r for r in wecom_rows(ticket) if r.kind == "wecom_red"]
    assert len({r.idempotency_key for r in reds}) == len(reds) >= 1
    assert "红灯预警" in reds[0].params["level"] and "超期" in reds[0].params["due"]
    event = ticket.events.filter(action="warn").first()
    assert "wecom_red" in event.data["notified"]


def test_warnings_can_be_left_out_of_the_group(group):
    group.on_warning = False
    group.save()
    ticket = register()
    act("dispatcher", ticket.number, "dispatch", unit="jiangan")
    warnings_scan(now=timezone.now() + timedelta(days=60))
    assert [r.kind for r in wecom_rows(ticket)] == ["wecom_dispatch"]


MESSAGE = Message(
    channel="wecom",
    recipient="jiangan",
    template="wecom_dispatch",
    params={"mobiles": ["13900000000"]},
    text="【12345派单】测试",
    key="wecom:x",
)


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        ((200, {"errcode": 45009, "errmsg": "api freq out of limit"}, 0), GatewayError),
        ((200, {"errcode": 93000, "errmsg": "invalid webhook url"}, 0), PermanentError),
        ((502, {}, 0), GatewayError),
        ((404, {}, 0), PermanentError),
    ],
)
def test_robot_errors(fake_provider, answer, error):
    fake_provider.script = [answer]
    gateway = WecomRobotGateway(webhook_for=lambda code: fake_provider.url)
    with pytest.raises(error) as raised:
        gateway.send(MESSAGE)
    assert (error is GatewayError) == (not isinstance(raised.value, PermanentError))


def test_robot_without_a_group_fails_the_row(db):
    with pytest.raises(PermanentError, match="no active work group"):
        WecomRobotGateway().send(MESSAGE)


def test_a_unit_is_given_its_work_group_in_the_admin(client):
    from hotline.core.models import AuditEvent

    client.force_login(User.objects.get(username="admin"))
    unit = Unit.objects.get(code="hanyang")
    assert client.get("/admin/notifications/workgroup/add/").status_code == 200
    response = client.post(
        "/admin/notifications/workgroup/add/",
        {
            "unit": unit.pk,
            "webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc",
            "on_dispatch": "on",
            "on_warning": "on",
            "mention_handlers": "on",
            "extra_mobiles": "13800000002",
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    group = WorkGroup.objects.get(unit=unit)
    assert group.on_dispatch and group.extra_mobiles == "13800000002"
    assert AuditEvent.objects.filter(
        action="admin.add", target__startswith="notifications.workgroup"
    ).exists()
    ticket = register()
    act("dispatcher", ticket.number, "dispatch", unit="hanyang")
    assert [r.recipient for r in wecom_rows(ticket)] == ["hanyang"]
