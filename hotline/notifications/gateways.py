"""Delivery gateways. A gateway sends one ``Message`` and returns the provider's receipt (its
message id), or raises ``GatewayError`` (retried with backoff) or ``PermanentError`` (the row
fails at once: the provider refused this message and will refuse it again).

Chosen by settings, per channel: ``HOTLINE_SMS_GATEWAY`` and ``HOTLINE_VOICE_GATEWAY`` (and
``HOTLINE_WECHAT_GATEWAY`` / ``HOTLINE_WECOM_GATEWAY``: ``wechat`` / ``wecom``) name one
of ``GATEWAYS`` (``console``, ``file``, ``http``, ``aliyun``, ``tencent``) or a dotted path to a
class; default ``console``. Each gateway reads its own settings (see docs/notifications.md).
The standard library only (urllib): no SDK needed.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.error
import urllib.request
import uuid
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from . import signing
from .templates import TemplateError, ordered_params

log = logging.getLogger("hotline.notifications")


class GatewayError(Exception):
    """The send failed and may succeed later (network, timeout, 5xx, throttling)."""


class PermanentError(GatewayError):
    """The provider refused this message; retrying will not help (bad number, bad template)."""


@dataclass(frozen=True)
class Message:
    channel: str
    recipient: str
    template: str
    params: dict[str, Any]
    text: str
    key: str  # the outbox row's idempotency key
    id: int | None = None
    ticket: str | None = None  # ticket number, for the receiver's logs
    extra: dict[str, Any] = field(default_factory=dict)


class Gateway(ABC):
    """A delivery channel's provider. Subclasses implement ``send``."""

    name = "gateway"

    @abstractmethod
    def send(self, message: Message) -> str:
        """Send one message; return the provider's receipt. Raise GatewayError to retry later,
        PermanentError when retrying cannot help."""


def _config(name: str) -> dict:
    value = getattr(settings, name, None) or {}
    if not isinstance(value, dict):
        raise ImproperlyConfigured(f"{name} must be a dict")
    return value


def _require(config: dict, setting: str, *keys: str) -> None:
    missing = [k for k in keys if not config.get(k)]
    if missing:
        raise ImproperlyConfigured(f"{setting} lacks {', '.join(missing)}")


def _post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int, bytes]:
    """POST and return (status, body) for any HTTP answer; GatewayError when there is none."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - URL from settings
            return response.status, response.read(1 << 20)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(1 << 20) if exc.fp else b""
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise GatewayError(f"{url}: {reason}") from exc


def _classify_http(status: int, body: bytes, who: str) -> None:
    if 200 <= status < 300:
        return
    snippet = body[:300].decode("utf-8", "replace")
    if status in (408, 425, 429) or status >= 500:
        raise GatewayError(f"{who}: HTTP {status} {snippet}")
    raise PermanentError(f"{who}: HTTP {status} {snippet}")


# --- development gateways ---------------------------------------------------------------------


class ConsoleGateway(Gateway):
    """Logs the message (development). The receipt is ``console:<key>``."""

    name = "console"

    def send(self, message: Message) -> str:
        log.info(
            "[%s] to %s (%s, key %s): %s",
            message.channel,
            message.recipient,
            message.template,
            message.key,
            message.text,
        )
        return f"console:{message.key}"


class FileGateway(Gateway):
    """Appends one JSON line per message to ``HOTLINE_GATEWAY_FILE`` (development, demos, a
    local fake for load tests). The receipt is ``file:<key>``."""

    name = "file"
    _lock = threading.Lock()

    def __init__(self, path: str | Path | None = None):
        default = Path(settings.BASE_DIR) / "var" / "outbox.jsonl"
        self.path = Path(path or getattr(settings, "HOTLINE_GATEWAY_FILE", None) or default)

    def send(self, message: Message) -> str:
        line = json.dumps(
            {**asdict(message), "at": datetime.now(UTC).isoformat()}, ensure_ascii=False
        )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._lock, self.path.open("a", encoding="utf-8") as fh:
                fh.write(line + "\n")
        except OSError as exc:
            raise GatewayError(f"{self.path}: {exc}") from exc
        return f"file:{message.key}"


class ConsoleVoiceGateway(Gateway):
    """The voice-call interface's development implementation: logs the call it would place."""

    name = "console"

    def send(self, message: Message) -> str:
        return self.call(message)

    def call(self, message: Message) -> str:
        log.info("[voice] calling %s (key %s): %s", message.recipient, message.key, message.text)
        return f"console-call:{message.key}"


# --- generic HTTP -----------------------------------------------------------------------------


class HttpGateway(Gateway):
    """JSON POST to ``HOTLINE_HTTP_GATEWAY["url"]``, for an in-house SMS or voice platform.

    Body: ``{id, key, channel, recipient, template, params, text, ticket, timestamp}``.
    Headers: ``X-Hotline-Timestamp`` (Unix seconds, also in the body), ``X-Hotline-Signature:
    sha256=<hex HMAC-SHA256 of the raw body with the shared secret>``, ``Idempotency-Key`` (the
    row's key: the receiver drops a repeat). A 2xx answer is success and its JSON ``id`` (or
    ``receipt``) is the receipt; 408, 429 and 5xx are retried; other 4xx fail the row."""

    name = "http"

    def __init__(self, config: dict | None = None, *, clock=time.time):
        self.config = config if config is not None else _config("HOTLINE_HTTP_GATEWAY")
        _require(self.config, "HOTLINE_HTTP_GATEWAY", "url", "secret")
        self.clock = clock

    def send(self, message: Message) -> str:
        timestamp = int(self.clock())
        body = json.dumps(
            {
                "id": message.id,
                "key": message.key,
                "channel": message.channel,
                "recipient": message.recipient,
                "template": message.template,
                "params": message.params,
                "text": message.text,
                "ticket": message.ticket,
                "timestamp": timestamp,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-Hotline-Timestamp": str(timestamp),
            "X-Hotline-Signature": signing.hotline_signature(body, self.config["secret"]),
            "Idempotency-Key": message.key,
            "User-Agent": "hotline-outbox/1",
        }
        status, answer = _post(
            self.config["url"], body, headers, float(self.config.get("timeout", 5))
        )
        _classify_http(status, answer, "http gateway")
        try:
            data = json.loads(answer or b"{}")
        except ValueError:
            data = {}
        receipt = (data.get("id") or data.get("receipt")) if isinstance(data, dict) else None
        return f"http:{receipt}" if receipt else f"http:{status}"


# --- Aliyun SMS (dysmsapi SendSms, RPC signature) ---------------------------------------------

ALIYUN_SMS_VERSION = "2017-05-25"
# Codes that will not change on retry (documented error codes of SendSms).
ALIYUN_PERMANENT = {
    "isv.MOBILE_NUMBER_ILLEGAL",
    "isv.SMS_TEMPLATE_ILLEGAL",
    "isv.SMS_SIGNATURE_ILLEGAL",
    "isv.TEMPLATE_MISSING_PARAMETERS",
    "isv.INVALID_PARAMETERS",
    "isv.PARAM_LENGTH_LIMIT",
    "isv.AMOUNT_NOT_ENOUGH",
    "isv.BLACK_KEY_CONTROL_LIMIT",
    "isv.DENY_IP_RANGE",
    "InvalidAccessKeyId.NotFound",
    "SignatureDoesNotMatch",
}


class AliyunSmsGateway(Gateway):
    """Aliyun SMS ``SendSms`` (API version 2017-05-25) with the RPC HMAC-SHA1 signature.

    ``HOTLINE_ALIYUN_SMS = {"access_key_id", "access_key_secret", "sign_name",
    "templates": {template name: "SMS_..." code}, "endpoint"?, "region"?, "timeout"?}``.
    The row's key goes as ``OutId`` (Aliyun echoes it in delivery receipts; it does not
    deduplicate). The receipt is ``aliyun:<BizId>``."""

    name = "aliyun"

    def __init__(self, config: dict | None = None, *, clock=time.time, nonce=None):
        self.config = config if config is not None else _config("HOTLINE_ALIYUN_SMS")
        _require(
            self.config,
            "HOTLINE_ALIYUN_SMS",
            "access_key_id",
            "access_key_secret",
            "sign_name",
            "templates",
        )
        self.clock = clock
        self.nonce = nonce or (lambda: str(uuid.uuid4()))

    def params_for(self, message: Message) -> dict[str, str]:
        code = self.config["templates"].get(message.template)
        if not code:
            raise PermanentError(f"aliyun: no TemplateCode for template {message.template!r}")
        try:
            ordered_params(message.template, message.params)
        except TemplateError as exc:
            raise PermanentError(str(exc)) from exc
        stamp = datetime.fromtimestamp(self.clock(), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        params = {
            "AccessKeyId": self.config["access_key_id"],
            "Action": "SendSms",
            "Format": "JSON",
            "OutId": message.key[:256],
            "PhoneNumbers": message.recipient.removeprefix("+86"),
            "RegionId": self.config.get("region", "cn-hangzhou"),
            "SignName": self.config["sign_name"],
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": self.nonce(),
            "SignatureVersion": "1.0",
            "TemplateCode": code,
            "TemplateParam": json.dumps(
                {k: str(v) for k, v in message.params.items()},
                ensure_ascii=False,
                separators=(",", ":"),
            ),
            "Timestamp": stamp,
            "Version": ALIYUN_SMS_VERSION,
        }
        params["Signature"] = signing.aliyun_signature(
            params, self.config["access_key_secret"], "POST"
        )
        return params

    def send(self, message: Message) -> str:
        params = self.params_for(message)
        body = "&".join(
            f"{signing.aliyun_percent_encode(k)}={signing.aliyun_percent_encode(v)}"
            for k, v in params.items()
        ).encode()
        status, answer = _post(
            self.config.get("endpoint", "https://dysmsapi.aliyuncs.com/"),
            body,
            {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
            float(self.config.get("timeout", 5)),
        )
        try:
            data = json.loads(answer or b"{}")
        except ValueError:
            data = {}
        code = data.get("Code") if isinstance(data, dict) else None
        if status == 200 and code == "OK":
            return f"aliyun:{data.get('BizId') or data.get('RequestId')}"
        detail = f"aliyun: HTTP {status} {code}: {data.get('Message') if data else answer[:200]!r}"
        if code in ALIYUN_PERMANENT:
            raise PermanentError(detail)
        if code is None:
            _classify_http(status, answer, "aliyun")
        raise GatewayError(detail)


# --- Tencent Cloud SMS (SendSms 2021-01-11, TC3-HMAC-SHA256) ----------------------------------

TENCENT_SMS_VERSION = "2021-01-11"
TENCENT_PERMANENT_PREFIXES = (
    "AuthFailure",
    "InvalidParameter",
    "InvalidParameterValue",
    "MissingParameter",
    "UnauthorizedOperation",
    "FailedOperation.TemplateIncorrectOrUnapproved",
    "FailedOperation.SignatureIncorrectOrUnapproved",
    "FailedOperation.PhoneNumberInBlacklist",
    "FailedOperation.InsufficientBalanceInSmsPackage",
    "UnsupportedOperation",
)


def e164(phone: str) -> str:
    """Mainland mobile numbers get +86; numbers with a + are kept."""
    phone = phone.strip().replace(" ", "").replace("-", "")
    return phone if phone.startswith("+") else f"+86{phone}"


class TencentSmsGateway(Gateway):
    """Tencent Cloud SMS ``SendSms`` (API version 2021-01-11), signed with TC3-HMAC-SHA256.

    ``HOTLINE_TENCENT_SMS = {"secret_id", "secret_key", "sdk_app_id", "sign_name",
    "templates": {template name: "TemplateId"}, "region"?, "endpoint"?, "timeout"?}``.
    Parameters go as ``TemplateParamSet`` in the template's order; the row's key as
    ``SessionContext`` (echoed back in receipts; Tencent does not deduplicate). The receipt is
    ``tencent:<SerialNo>``."""

    name = "tencent"
    host = "sms.tencentcloudapi.com"

    def __init__(self, config: dict | None = None, *, clock=time.time):
        self.config = config if config is not None else _config("HOTLINE_TENCENT_SMS")
        _require(
            self.config,
            "HOTLINE_TENCENT_SMS",
            "secret_id",
            "secret_key",
            "sdk_app_id",
            "sign_name",
            "templates",
        )
        self.clock = clock

    def request_for(self, message: Message) -> tuple[bytes, dict[str, str]]:
        template_id = self.config["templates"].get(message.template)
        if not template_id:
            raise PermanentError(f"tencent: no TemplateId for template {message.template!r}")
        try:
            values = ordered_params(message.template, message.params)
        except TemplateError as exc:
            raise PermanentError(str(exc)) from exc
        body = json.dumps(
            {
                "PhoneNumberSet": [e164(message.recipient)],
                "SmsSdkAppId": str(self.config["sdk_app_id"]),
                "SignName": self.config["sign_name"],
                "TemplateId": str(template_id),
                "TemplateParamSet": values,
                "SessionContext": message.key,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
        timestamp = int(self.clock())
        signed = signing.tc3_sign(
            secret_key=self.config["secret_key"],
            service="sms",
            host=self.host,
            payload=body,
            timestamp=timestamp,
            action="SendSms",
        )
        headers = {
            "Authorization": signing.tc3_authorization(
                secret_id=self.config["secret_id"], signed=signed
            ),
            "Content-Type": "application/json; charset=utf-8",
            "Host": self.host,
            "X-TC-Action": "SendSms",
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Version": TENCENT_SMS_VERSION,
            "X-TC-Region": self.config.get("region", "ap-guangzhou"),
        }
        return body, headers

    def send(self, message: Message) -> str:
        body, headers = self.request_for(message)
        status, answer = _post(
            self.config.get("endpoint", f"https://{self.host}/"),
            body,
            headers,
            float(self.config.get("timeout", 5)),
        )
        _classify_http(status, answer, "tencent")
        try:
            response = json.loads(answer).get("Response", {})
        except (ValueError, AttributeError):
            raise GatewayError(f"tencent: unreadable answer {answer[:200]!r}") from None
        error = response.get("Error")
        if error:
            code = str(error.get("Code", ""))
            detail = f"tencent: {code}: {error.get('Message')}"
            if code.startswith(TENCENT_PERMANENT_PREFIXES):
                raise PermanentError(detail)
            raise GatewayError(detail)
        statuses = response.get("SendStatusSet") or [{}]
        first = statuses[0]
        if first.get("Code") != "Ok":
            detail = f"tencent: {first.get('Code')}: {first.get('Message')}"
            if str(first.get("Code", "")).startswith(TENCENT_PERMANENT_PREFIXES):
                raise PermanentError(detail)
            raise GatewayError(detail)
        return f"tencent:{first.get('SerialNo') or response.get('RequestId')}"


# --- WeChat Official Account template messages -------------------------------------------------

WECHAT_TOKEN_EXPIRED = {40001, 40014, 42001}  # the cached access token is no longer good
WECHAT_PERMANENT = {
    40003,  # invalid openid
    40037,  # invalid template_id
    43004,  # the user does not follow the account (any more)
    43101,  # the user refused this template's messages
    47003,  # template data does not fit the template
}


def _json_answer(status: int, answer: bytes, who: str) -> dict:
    _classify_http(status, answer, who)
    try:
        data = json.loads(answer or b"{}")
    except ValueError:
        raise GatewayError(f"{who}: unreadable answer {answer[:200]!r}") from None
    if not isinstance(data, dict):
        raise GatewayError(f"{who}: unexpected answer {answer[:200]!r}")
    return data


class WechatTemplateGateway(Gateway):
    """WeChat Official Account template messages (模板消息) to a citizen's OpenID.

    Settings: ``WECHAT_APP_ID``, ``WECHAT_APP_SECRET``, ``WECHAT_TEMPLATE_ID`` (the progress
    template: first, keyword1 = ticket number, keyword2 = status, keyword3 = time, remark),
    ``WECHAT_API_BASE``. The access token comes from ``/cgi-bin/stable_token`` (the same token
    for every worker, so workers never invalidate each other's) and is cached in Django's cache
    until five minutes before it expires; an answer saying it expired refreshes it once and
    retries. The receipt is ``wechat:<msgid>``."""

    name = "wechat"

    def __init__(self, config: dict | None = None, *, cache=None):
        from django.core.cache import cache as default_cache

        self.config = (
            config
            if config is not None
            else {
                "app_id": getattr(settings, "WECHAT_APP_ID", ""),
                "app_secret": getattr(settings, "WECHAT_APP_SECRET", ""),
                "template_id": getattr(settings, "WECHAT_TEMPLATE_ID", ""),
                "api_base": getattr(settings, "WECHAT_API_BASE", "https://api.weixin.qq.com"),
                "timeout": 5,
            }
        )
        _require(self.config, "WECHAT_*", "app_id", "app_secret", "template_id", "api_base")
        self.cache = cache or default_cache
        self.cache_key = f"hotline:wechat:access_token:{self.config['app_id']}"

    def _call(self, path: str, payload: dict) -> dict:
        url = f"{str(self.config['api_base']).rstrip('/')}{path}"
        body = json.dumps(payload, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json; charset=utf-8"}
        status, answer = _post(url, body, headers, float(self.config.get("timeout", 5)))
        return _json_answer(status, answer, "wechat")

    def access_token(self, *, refresh: bool = False) -> str:
        token = None if refresh else self.cache.get(self.cache_key)
        if token:
            return token
        data = self._call(
            "/cgi-bin/stable_token",
            {
                "grant_type": "client_credential",
                "appid": self.config["app_id"],
                "secret": self.config["app_secret"],
                "force_refresh": False,
            },
        )
        token = data.get("access_token")
        if not token:
            raise GatewayError(
                f"wechat: no access token: {data.get('errcode')} {data.get('errmsg')}"
            )
        lifetime = int(data.get("expires_in") or 7200)
        self.cache.set(self.cache_key, token, max(60, lifetime - 300))
        return token

    def payload(self, message: Message) -> dict:
        params = message.params
        link = f"{settings.HOTLINE_PUBLIC_URL}/portal/lookup?number={message.ticket or ''}"
        return {
            "touser": message.recipient,
            "template_id": self.config["template_id"],
            "url": link,
            "data": {
                "first": {"value": message.text},
                "keyword1": {"value": str(params.get("number", message.ticket or ""))},
                "keyword2": {"value": str(params.get("status", ""))},
                "keyword3": {"value": str(params.get("time", ""))},
                "remark": {"value": str(params.get("detail", ""))},
            },
        }

    def send(self, message: Message) -> str:
        payload = self.payload(message)
        for attempt in (1, 2):
            token = self.access_token(refresh=attempt == 2)
            data = self._call(f"/cgi-bin/message/template/send?access_token={token}", payload)
            code = int(data.get("errcode") or 0)
            if code == 0:
                return f"wechat:{data.get('msgid')}"
            if code in WECHAT_TOKEN_EXPIRED and attempt == 1:
                self.cache.delete(self.cache_key)
                continue
            detail = f"wechat: {code} {data.get('errmsg')}"
            if code in WECHAT_PERMANENT:
                raise PermanentError(detail)
            raise GatewayError(detail)
        raise GatewayError("wechat: the access token was refused twice")


# --- WeCom group robot ---------------------------------------------------------------------------

WECOM_PERMANENT = {
    40008,  # invalid message type
    44004,  # empty text
    93000,  # invalid webhook (key)
    93004,  # the robot was removed from the group
}


class WecomRobotGateway(Gateway):
    """A WeCom (企业微信) group robot: ``POST <webhook>`` with ``{"msgtype": "text", "text":
    {"content", "mentioned_mobile_list"}}``. The row's recipient is the unit's code; its
    webhook comes from the unit's ``WorkGroup`` when the row is sent (``webhook_for``, for
    tests). 45009 (the robot's 20 messages a minute) and 5xx are retried; a bad webhook, a
    removed robot or an empty text fail the row. The receipt is ``wecom:<key>``."""

    name = "wecom"

    def __init__(self, *, webhook_for=None, timeout: float = 5):
        self.webhook_for = webhook_for or self._webhook
        self.timeout = timeout

    @staticmethod
    def _webhook(unit_code: str) -> str | None:
        from .models import WorkGroup

        group = WorkGroup.objects.filter(unit__code=unit_code, active=True).first()
        return group.webhook_url if group else None

    def send(self, message: Message) -> str:
        url = self.webhook_for(message.recipient)
        if not url:
            raise PermanentError(f"wecom: unit {message.recipient!r} has no active work group")
        mobiles = message.params.get("mobiles") or []
        body = json.dumps(
            {
                "msgtype": "text",
                "text": {
                    "content": message.text,
                    "mentioned_mobile_list": [str(m) for m in mobiles],
                },
            },
            ensure_ascii=False,
        ).encode()
        headers = {"Content-Type": "application/json; charset=utf-8"}
        status, answer = _post(url, body, headers, self.timeout)
        data = _json_answer(status, answer, "wecom")
        code = int(data.get("errcode") or 0)
        if code == 0:
            return f"wecom:{message.key}"
        detail = f"wecom: {code} {data.get('errmsg')}"
        if code in WECOM_PERMANENT:
            raise PermanentError(detail)
        raise GatewayError(detail)


# --- registry ---------------------------------------------------------------------------------

GATEWAYS: dict[str, dict[str, type[Gateway]]] = {
    "sms": {
        "console": ConsoleGateway,
        "file": FileGateway,
        "http": HttpGateway,
        "aliyun": AliyunSmsGateway,
        "tencent": TencentSmsGateway,
    },
    "voice": {
        "console": ConsoleVoiceGateway,
        "file": FileGateway,
        "http": HttpGateway,
    },
    "wechat": {"console": ConsoleGateway, "file": FileGateway, "wechat": WechatTemplateGateway},
    "wecom": {"console": ConsoleGateway, "file": FileGateway, "wecom": WecomRobotGateway},
}
SETTING_FOR_CHANNEL = {
    "sms": "HOTLINE_SMS_GATEWAY",
    "voice": "HOTLINE_VOICE_GATEWAY",
    "wechat": "HOTLINE_WECHAT_GATEWAY",
    "wecom": "HOTLINE_WECOM_GATEWAY",
}


def gateway_for(channel: str) -> Gateway:
    """The configured gateway of ``channel``; ``PermanentError`` for a channel with none."""
    setting = SETTING_FOR_CHANNEL.get(channel)
    if setting is None:
        raise PermanentError(f"no gateway for channel {channel!r}")
    name = getattr(settings, setting, None) or "console"
    if "." in name:
        return import_string(name)()
    try:
        cls = GATEWAYS[channel][name]
    except KeyError:
        raise ImproperlyConfigured(
            f"{setting}={name!r}: not one of {sorted(GATEWAYS[channel])} or a dotted path"
        ) from None
    return cls()
