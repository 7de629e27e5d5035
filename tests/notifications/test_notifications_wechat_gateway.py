"""The WeChat template-message gateway against a local fake of WeChat's API: the access token
fetched once and cached, refreshed when WeChat says it expired, errors classified."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache

from hotline.notifications.gateways import (
    GatewayError,
    Message,
    PermanentError,
    WechatTemplateGateway,
)

MESSAGE = Message(
    channel="wechat",
    recipient="oCitizen0001",
    template="wechat_progress",
    params={"number": "2026120400001", "status": "办理中", "time": "2026-12-04 10:00"},
    text="【12345热线】您的工单2026120400001已转交承办单位办理",
    key="wechat:2026120400001:2",
    ticket="2026120400001",
)


class FakeWechat:
    """WeChat's token and template endpoints; ``sends`` scripts the template answers."""

    def __init__(self, provider):
        self.provider = provider
        self.tokens = 0
        self.sends: list[dict] = []
        provider.check = self.answer

    def answer(self, request):
        if request.path == "/cgi-bin/stable_token":
            self.tokens += 1
            body = json.loads(request.body)
            assert body["grant_type"] == "client_credential" and body["secret"] == "s3cret"
            return 200, {"access_token": f"TOKEN-{self.tokens}", "expires_in": 7200}, 0
        assert request.path.startswith("/cgi-bin/message/template/send?access_token=TOKEN-")
        if self.sends:
            return 200, self.sends.pop(0), 0
        return 200, {"errcode": 0, "errmsg": "ok", "msgid": 200228332}, 0


@pytest.fixture
def wechat_api(fake_provider):
    cache.clear()
    yield FakeWechat(fake_provider)
    cache.clear()


def gateway(provider) -> WechatTemplateGateway:
    return WechatTemplateGateway(
        {
            "app_id": "wx1234567890abcdef",
            "app_secret": "s3cret",
            "template_id": "TPL-PROGRESS",
            "api_base": provider.url,
        }
    )


def test_sends_the_template_and_caches_the_token(wechat_api, fake_provider):
    assert gateway(fake_provider).send(MESSAGE) == "wechat:200228332"
    assert gateway(fake_provider).send(MESSAGE) == "wechat:200228332"
    assert wechat_api.tokens == 1
    sent = json.loads(fake_provider.received[-1].body)
    assert sent["touser"] == "oCitizen0001"
    assert sent["template_id"] == "TPL-PROGRESS"
    assert sent["data"]["keyword1"]["value"] == "2026120400001"
    assert sent["data"]["keyword2"]["value"] == "办理中"
    assert sent["data"]["first"]["value"] == MESSAGE.text
    assert sent["url"].endswith("/portal/lookup?number=2026120400001")


def test_an_expired_token_is_refreshed_once(wechat_api, fake_provider):
    wechat_api.sends = [{"errcode": 40001, "errmsg": "invalid credential"}]
    assert gateway(fake_provider).send(MESSAGE) == "wechat:200228332"
    assert wechat_api.tokens == 2
    assert fake_provider.received[-1].path.endswith("access_token=TOKEN-2")


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        ({"errcode": 43004, "errmsg": "require subscribe"}, PermanentError),
        ({"errcode": 40037, "errmsg": "invalid template_id"}, PermanentError),
        ({"errcode": 45009, "errmsg": "reach max api daily quota limit"}, GatewayError),
        ({"errcode": -1, "errmsg": "system error"}, GatewayError),
    ],
)
def test_errors(wechat_api, fake_provider, answer, error):
    wechat_api.sends = [answer]
    with pytest.raises(error) as raised:
        gateway(fake_provider).send(MESSAGE)
    assert (error is PermanentError) == isinstance(raised.value, PermanentError)


def test_a_token_refused_twice_is_retried_later(wechat_api, fake_provider):
    expired = {"errcode": 42001, "errmsg": "access_token expired"}
    wechat_api.sends = [expired, expired]
    with pytest.raises(GatewayError) as raised:
        gateway(fake_provider).send(MESSAGE)
    assert not isinstance(raised.value, PermanentError)


def test_needs_its_settings():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        WechatTemplateGateway({"app_id": "wx", "app_secret": "", "template_id": "", "api_base": ""})
