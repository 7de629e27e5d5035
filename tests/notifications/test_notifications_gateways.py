"""Gateways against a local HTTP server started in the test: the HMAC header of the generic
gateway verified by the receiver, the Aliyun and Tencent requests re-signed by the receiver,
error classification; console, file and the registry."""

from __future__ import annotations

import json
import logging
import socket
from urllib.parse import parse_qsl

import pytest
from django.core.exceptions import ImproperlyConfigured

from hotline.notifications import gateways, signing
from hotline.notifications.gateways import (
    AliyunSmsGateway,
    GatewayError,
    HttpGateway,
    Message,
    PermanentError,
    TencentSmsGateway,
    gateway_for,
)

SECRET = "shared-secret"
MESSAGE = Message(
    id=7,
    channel="sms",
    recipient="13800001111",
    template="acknowledgement",
    params={"number": "2026112600001", "link": "http://h/portal/lookup?number=2026112600001"},
    text="【12345热线】您的诉求已受理，工单号2026112600001。",
    key="ack:2026112600001",
    ticket="2026112600001",
)


def http_gateway(provider, **extra) -> HttpGateway:
    return HttpGateway({"url": provider.url, "secret": SECRET, **extra}, clock=lambda: 1764000000)


# --- generic HTTP -----------------------------------------------------------------------------


def test_http_gateway_posts_json_with_an_hmac_the_receiver_verifies(fake_provider):
    verdicts = []

    def verify(request):
        verdicts.append(
            signing.hotline_signature_valid(
                request.body, SECRET, request.headers["x-hotline-signature"]
            )
        )

    fake_provider.check = verify
    fake_provider.script = [(200, {"id": "msg-42"}, 0)]
    assert http_gateway(fake_provider).send(MESSAGE) == "http:msg-42"
    assert verdicts == [True]
    (request,) = fake_provider.received
    body = json.loads(request.body)
    assert body["key"] == MESSAGE.key and body["recipient"] == "13800001111"
    assert body["text"] == MESSAGE.text and body["params"] == MESSAGE.params
    assert body["timestamp"] == 1764000000
    assert request.headers["x-hotline-timestamp"] == "1764000000"
    assert request.headers["idempotency-key"] == MESSAGE.key
    assert request.headers["content-type"].startswith("application/json")
    assert not signing.hotline_signature_valid(
        request.body, "wrong", request.headers["x-hotline-signature"]
    )


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (503, GatewayError),
        (500, GatewayError),
        (429, GatewayError),
        (400, PermanentError),
        (403, PermanentError),
    ],
)
def test_http_gateway_classifies_errors(fake_provider, status, error):
    fake_provider.script = [(status, {"error": "x"}, 0)]
    with pytest.raises(error) as exc:
        http_gateway(fake_provider).send(MESSAGE)
    assert type(exc.value) is error
    assert f"HTTP {status}" in str(exc.value)


def test_http_gateway_without_an_id_in_the_answer_uses_the_status(fake_provider):
    fake_provider.script = [(202, {}, 0)]
    assert http_gateway(fake_provider).send(MESSAGE) == "http:202"


def test_http_gateway_timeout_is_retryable(fake_provider):
    fake_provider.script = [(200, {"id": "late"}, 0.6)]
    with pytest.raises(GatewayError) as exc:
        http_gateway(fake_provider, timeout=0.2).send(MESSAGE)
    assert not isinstance(exc.value, PermanentError)


def test_http_gateway_connection_refused_is_retryable():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    gateway = HttpGateway({"url": f"http://127.0.0.1:{port}/", "secret": SECRET, "timeout": 1})
    with pytest.raises(GatewayError) as exc:
        gateway.send(MESSAGE)
    assert not isinstance(exc.value, PermanentError)


def test_http_gateway_needs_url_and_secret():
    with pytest.raises(ImproperlyConfigured, match="secret"):
        HttpGateway({"url": "http://127.0.0.1:1/"})


# --- Aliyun -----------------------------------------------------------------------------------

ALIYUN = {
    "access_key_id": "testId",
    "access_key_secret": "testSecret",
    "sign_name": "武汉12345",
    "templates": {"acknowledgement": "SMS_100001"},
}


def test_aliyun_gateway_sends_a_signed_send_sms(fake_provider):
    seen = {}

    def verify(request):
        params = dict(parse_qsl(request.body.decode(), keep_blank_values=True))
        seen.update(params)
        expected = signing.aliyun_signature(params, ALIYUN["access_key_secret"], "POST")
        if params.pop("Signature") != expected:
            return (200, {"Code": "SignatureDoesNotMatch", "Message": "bad"}, 0)
        return (200, {"Code": "OK", "BizId": "900619746936498440^0", "RequestId": "r"}, 0)

    fake_provider.check = verify
    gateway = AliyunSmsGateway(
        {**ALIYUN, "endpoint": fake_provider.url}, clock=lambda: 1499827339, nonce=lambda: "n-1"
    )
    assert gateway.send(MESSAGE) == "aliyun:900619746936498440^0"
    assert seen["Action"] == "SendSms" and seen["Version"] == "2017-05-25"
    assert seen["OutId"] == MESSAGE.key
    assert seen["PhoneNumbers"] == "13800001111"
    assert seen["TemplateCode"] == "SMS_100001" and seen["SignName"] == "武汉12345"
    assert json.loads(seen["TemplateParam"]) == MESSAGE.params
    assert seen["Timestamp"] == "2017-07-12T02:42:19Z" and seen["SignatureNonce"] == "n-1"


@pytest.mark.parametrize(
    ("code", "error"),
    [("isv.MOBILE_NUMBER_ILLEGAL", PermanentError), ("isv.BUSINESS_LIMIT_CONTROL", GatewayError)],
)
def test_aliyun_gateway_errors(fake_provider, code, error):
    fake_provider.script = [(200, {"Code": code, "Message": "m"}, 0)]
    gateway = AliyunSmsGateway({**ALIYUN, "endpoint": fake_provider.url})
    with pytest.raises(error, match=code) as exc:
        gateway.send(MESSAGE)
    assert type(exc.value) is error


def test_aliyun_gateway_without_a_template_code_fails_permanently():
    gateway = AliyunSmsGateway({**ALIYUN, "templates": {"yellow": "SMS_2"}})
    with pytest.raises(PermanentError, match="no TemplateCode for template 'acknowledgement'"):
        gateway.send(MESSAGE)


# --- Tencent Cloud ----------------------------------------------------------------------------

TENCENT = {
    "secret_id": "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
    "secret_key": "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
    "sdk_app_id": "1400006666",
    "sign_name": "武汉12345",
    "templates": {"acknowledgement": "449739"},
}


def test_tencent_gateway_sends_a_signed_send_sms(fake_provider):
    def verify(request):
        signed = signing.tc3_sign(
            secret_key=TENCENT["secret_key"],
            service="sms",
            host=request.headers["host"],
            payload=request.body,
            timestamp=int(request.headers["x-tc-timestamp"]),
            action=request.headers["x-tc-action"],
            content_type=request.headers["content-type"],
        )
        expected = signing.tc3_authorization(secret_id=TENCENT["secret_id"], signed=signed)
        if request.headers["authorization"] != expected:
            return (
                200,
                {"Response": {"Error": {"Code": "AuthFailure.SignatureFailure", "Message": "x"}}},
                0,
            )
        return (
            200,
            {
                "Response": {
                    "SendStatusSet": [
                        {"Code": "Ok", "SerialNo": "2640:1", "Message": "send success"}
                    ],
                    "RequestId": "r",
                }
            },
            0,
        )

    fake_provider.check = verify
    gateway = TencentSmsGateway(
        {**TENCENT, "endpoint": fake_provider.url}, clock=lambda: 1551113065
    )
    assert gateway.send(MESSAGE) == "tencent:2640:1"
    (request,) = fake_provider.received
    assert request.headers["host"] == "sms.tencentcloudapi.com"
    assert request.headers["x-tc-action"] == "SendSms"
    assert request.headers["x-tc-version"] == "2021-01-11"
    assert request.headers["x-tc-region"] == "ap-guangzhou"
    assert "SignedHeaders=content-type;host;x-tc-action" in request.headers["authorization"]
    body = json.loads(request.body)
    assert body["PhoneNumberSet"] == ["+8613800001111"]
    assert body["TemplateId"] == "449739" and body["SmsSdkAppId"] == "1400006666"
    assert body["TemplateParamSet"] == ["2026112600001", MESSAGE.params["link"]]
    assert body["SessionContext"] == MESSAGE.key


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (
            {
                "Response": {
                    "Error": {"Code": "InvalidParameterValue.IncorrectPhoneNumber", "Message": "m"}
                }
            },
            PermanentError,
        ),
        ({"Response": {"Error": {"Code": "InternalError.Timeout", "Message": "m"}}}, GatewayError),
        (
            {
                "Response": {
                    "SendStatusSet": [
                        {"Code": "LimitExceeded.PhoneNumberDailyLimit", "Message": "m"}
                    ]
                }
            },
            GatewayError,
        ),
    ],
)
def test_tencent_gateway_errors(fake_provider, answer, error):
    fake_provider.script = [(200, answer, 0)]
    with pytest.raises(error) as exc:
        TencentSmsGateway({**TENCENT, "endpoint": fake_provider.url}).send(MESSAGE)
    assert type(exc.value) is error


def test_e164():
    assert gateways.e164("13800001111") == "+8613800001111"
    assert gateways.e164("+85291234567") == "+85291234567"


# --- console, file, registry ------------------------------------------------------------------


def test_console_gateways_log(caplog):
    caplog.set_level(logging.INFO, logger="hotline.notifications")
    assert gateways.ConsoleGateway().send(MESSAGE) == f"console:{MESSAGE.key}"
    assert gateways.ConsoleVoiceGateway().send(MESSAGE) == f"console-call:{MESSAGE.key}"
    assert MESSAGE.text in caplog.text


def test_file_gateway_appends_json_lines(tmp_path, settings):
    settings.HOTLINE_GATEWAY_FILE = tmp_path / "out" / "sms.jsonl"
    gateway = gateways.FileGateway()
    gateway.send(MESSAGE)
    gateway.send(MESSAGE)
    lines = (tmp_path / "out" / "sms.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    assert json.loads(lines[0])["key"] == MESSAGE.key
    assert json.loads(lines[0])["text"] == MESSAGE.text


def test_registry_follows_the_settings(settings):
    assert isinstance(gateway_for("sms"), gateways.ConsoleGateway)
    assert isinstance(gateway_for("voice"), gateways.ConsoleVoiceGateway)
    settings.HOTLINE_SMS_GATEWAY = "file"
    assert isinstance(gateway_for("sms"), gateways.FileGateway)
    settings.HOTLINE_SMS_GATEWAY = "hotline.notifications.gateways.ConsoleGateway"
    assert isinstance(gateway_for("sms"), gateways.ConsoleGateway)
    settings.HOTLINE_SMS_GATEWAY = "carrier-pigeon"
    with pytest.raises(ImproperlyConfigured, match="carrier-pigeon"):
        gateway_for("sms")
    with pytest.raises(PermanentError, match="no gateway for channel 'fax'"):
        gateway_for("fax")
