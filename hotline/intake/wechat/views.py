"""/wechat/: the server end of a WeChat Official Account (docs/channels.md).

GET verifies the URL (``signature`` over token, timestamp and nonce; the ``echostr`` echoed).
POST takes a message: the signature is checked (and ``msg_signature`` over the ciphertext in
the encrypted modes), a timestamp more than 5 minutes away from now is refused, the body is
parsed with defusedxml, decrypted when encrypted (``encrypt_type=aes``: safe mode, or
compatible mode, whose plaintext copy is ignored) and handed to the conversation; the passive
reply goes back plaintext or encrypted as the message came. Settings: ``WECHAT_TOKEN``,
``WECHAT_APP_ID``, ``WECHAT_ENCODING_AES_KEY`` (the encrypted modes only when it is set:
then a plaintext message is refused).

A refused request gets 403 (signature, time) or 400 (malformed) and writes nothing.
"""

from __future__ import annotations

import logging
import secrets
import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from . import crypto, messages
from .services import wechat_message_handle

log = logging.getLogger("hotline.wechat")

MAX_AGE = 300  # seconds a signed request stays acceptable


def _text(body: str, status: int) -> HttpResponse:
    return HttpResponse(body, status=status, content_type="text/plain; charset=utf-8")


class Refused(Exception):
    def __init__(self, status: int, reason: str):
        self.status, self.reason = status, reason
        super().__init__(reason)


def _token() -> str:
    token = getattr(settings, "WECHAT_TOKEN", "")
    if not token:
        raise Refused(403, "WECHAT_TOKEN is not configured")
    return token


def _check_time(timestamp: str, now: float) -> None:
    try:
        sent = int(timestamp)
    except (TypeError, ValueError):
        raise Refused(400, "timestamp must be an integer") from None
    if abs(now - sent) > MAX_AGE:
        raise Refused(403, "timestamp is more than 5 minutes away")


def _crypto() -> crypto.MessageCrypto | None:
    key = getattr(settings, "WECHAT_ENCODING_AES_KEY", "")
    if not key:
        return None
    return crypto.MessageCrypto(key, getattr(settings, "WECHAT_APP_ID", ""))


@csrf_exempt
def wechat_endpoint(request: HttpRequest) -> HttpResponse:
    try:
        if request.method == "GET":
            return _verify_url(request)
        if request.method == "POST":
            return _receive(request, now=time.time())
        return _text("method not allowed", 405)
    except Refused as refused:
        log.warning("wechat: refused %s %s: %s", request.method, request.path, refused.reason)
        return _text(refused.reason, refused.status)


def _verify_url(request: HttpRequest) -> HttpResponse:
    q = request.GET
    timestamp, nonce = q.get("timestamp", ""), q.get("nonce", "")
    if not crypto.signature_ok(q.get("signature"), _token(), timestamp, nonce):
        raise Refused(403, "bad signature")
    _check_time(timestamp, time.time())
    return _text(q.get("echostr", ""), 200)


def _receive(request: HttpRequest, *, now: float) -> HttpResponse:
    q = request.GET
    token = _token()
    timestamp, nonce = q.get("timestamp", ""), q.get("nonce", "")
    if not crypto.signature_ok(q.get("signature"), token, timestamp, nonce):
        raise Refused(403, "bad signature")
    _check_time(timestamp, now)
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > messages.MAX_XML:
        raise Refused(400, f"body larger than {messages.MAX_XML} bytes")
    message_crypto = _crypto()
    encrypted = q.get("encrypt_type", "raw").lower() == "aes"
    if message_crypto is not None and not encrypted:
        raise Refused(403, "this account is in safe mode: plaintext messages are refused")
    if encrypted and message_crypto is None:
        raise Refused(400, "encrypted message, but WECHAT_ENCODING_AES_KEY is not set")
    try:
        fields = messages.parse_xml(request.body)
        if message_crypto is not None:
            ciphertext = fields.get("Encrypt", "")
            if not ciphertext:
                raise messages.MessageError("Encrypt is missing")
            if not crypto.signature_ok(q.get("msg_signature"), token, timestamp, nonce, ciphertext):
                raise Refused(403, "bad msg_signature")
            fields = messages.parse_xml(message_crypto.decrypt(ciphertext))
        message = messages.incoming(fields)
    except crypto.CryptoError as exc:
        raise Refused(400, f"cannot decrypt: {exc}") from None
    except messages.MessageError as exc:
        raise Refused(400, str(exc)) from None
    handled = wechat_message_handle(message=message)
    if not handled.reply:
        return _text("success", 200)  # WeChat's "nothing to say"
    reply = messages.text_reply(
        to_user=message.openid,
        from_user=message.to_user,
        content=handled.reply,
        create_time=handled.replied_at,
    )
    if message_crypto is None:
        return HttpResponse(reply, content_type="application/xml; charset=utf-8")
    reply_nonce = secrets.token_hex(8)
    reply_time = str(int(now))
    ciphertext = message_crypto.encrypt(reply)
    body = messages.encrypted_reply(
        encrypt=ciphertext,
        msg_signature=crypto.signature(token, reply_time, reply_nonce, ciphertext),
        timestamp=reply_time,
        nonce=reply_nonce,
    )
    return HttpResponse(body, content_type="application/xml; charset=utf-8")
