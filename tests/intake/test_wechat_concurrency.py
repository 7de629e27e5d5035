"""WeChat retries a message it got no answer to within 5 seconds, so a redelivery can arrive
while the first is still being handled: on a real PostgreSQL server, both get the same reply
and one ticket exists."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from hotline.intake.models import WechatMessage
from hotline.tickets.models import Ticket
from tests.intake.wechat_sim import WECHAT_AES_KEY, WECHAT_APP_ID, WECHAT_TOKEN, WeChatSimulator

pytestmark = [pytest.mark.transactional, pytest.mark.postgres]


@pytest.fixture
def needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("runs on PostgreSQL (make test-postgres)")


def test_simultaneous_redeliveries_make_one_ticket(needs_postgres, reseeded, settings):
    settings.WECHAT_TOKEN, settings.WECHAT_APP_ID = WECHAT_TOKEN, WECHAT_APP_ID
    settings.WECHAT_ENCODING_AES_KEY = WECHAT_AES_KEY
    citizen = WeChatSimulator(Client(), safe=True)
    citizen.say("小区消防通道被私家车长期占用")
    citizen.say("汉阳区建桥街道建港小区")
    confirm = citizen.xml("text", {"Content": "1"})
    n = 4
    barrier = threading.Barrier(n)
    replies: list = [None] * n
    errors: list = []

    def deliver(i: int) -> None:
        try:
            barrier.wait()
            replies[i] = citizen.reply(WeChatSimulator(Client(), safe=True).post(confirm))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert len(set(replies)) == 1 and "工单号" in replies[0]
    assert Ticket.objects.filter(channel="wechat").count() == 1
    assert WechatMessage.objects.filter(ticket__isnull=False).count() == 1
