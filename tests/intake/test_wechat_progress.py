"""Progress notices of WeChat tickets: template messages written to the outbox once per
timeline event and delivered to the citizen's OpenID through the WeChat gateway (a local fake
of WeChat's API)."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache

from hotline.intake.tasks import wechat_progress
from hotline.intake.wechat.services import wechat_progress_scan
from hotline.notifications.gateways import WechatTemplateGateway
from hotline.notifications.models import Outbox
from hotline.notifications.services import outbox_deliver_due
from hotline.tickets.models import Ticket
from tests.factories import act
from tests.intake.test_wechat_server import number_in


@pytest.fixture
def wechat_ticket(wechat):
    wechat.say("人行道上的井盖丢了，很危险，请尽快处理")
    wechat.say("江岸区大智街道京汉大道200号")
    return Ticket.objects.get(number=number_in(wechat.say("1"))), wechat.openid


def progress_rows(ticket):
    return list(Outbox.objects.filter(ticket=ticket, channel="wechat").order_by("pk"))


def test_each_step_is_told_once(wechat_ticket):
    ticket, openid = wechat_ticket
    assert wechat_progress_scan() == 0  # registering needs no notice: the reply had the number
    act("dispatcher", ticket.number, "dispatch", unit="jiangan")
    assert wechat_progress_scan() == 1
    assert wechat_progress_scan() == 0
    act("jiangan-handler", ticket.number, "accept")
    act("jiangan-handler", ticket.number, "reply", text="井盖已补装", outcome="resolved")
    assert wechat_progress.call() == 2  # the scheduler's task
    rows = progress_rows(ticket)
    assert [r.params["progress"] for r in rows] == [
        "已转交承办单位办理",
        "承办单位已签收",
        "承办单位已办理答复",
    ]
    assert all(r.recipient == openid and r.template == "wechat_progress" for r in rows)
    assert rows[0].params["detail"] == "江岸区人民政府"
    assert rows[-1].params["detail"] == "井盖已补装"


def test_notices_reach_the_citizen_through_the_gateway(wechat_ticket, fake_provider):
    ticket, openid = wechat_ticket
    cache.clear()
    tokens = []

    def answer(request):
        if request.path == "/cgi-bin/stable_token":
            tokens.append(1)
            return 200, {"access_token": "TOKEN", "expires_in": 7200}, 0
        return 200, {"errcode": 0, "errmsg": "ok", "msgid": len(fake_provider.received)}, 0

    fake_provider.check = answer
    gateway = WechatTemplateGateway(
        {
            "app_id": "wx1234567890abcdef",
            "app_secret": "secret",
            "template_id": "TPL",
            "api_base": fake_provider.url,
        }
    )
    act("dispatcher", ticket.number, "dispatch", unit="jiangan")
    act("jiangan-handler", ticket.number, "accept")
    wechat_progress_scan()
    counts = outbox_deliver_due(gateways={"wechat": gateway})
    assert counts["sent"] == 2
    sent = [json.loads(r.body) for r in fake_provider.received if "template/send" in r.path]
    assert [s["touser"] for s in sent] == [openid, openid]
    assert {s["data"]["keyword1"]["value"] for s in sent} == {ticket.number}
    assert len(tokens) == 1
    cache.clear()
