"""Request signatures of the SMS providers and of the generic HTTP gateway. Pure functions: no
clock, no randomness, no network; the callers pass the timestamp and nonce in. Tested against the
providers' documented worked examples (tests/notifications/test_notifications_signing.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime
from urllib.parse import quote

# --- Aliyun RPC (signature version 1.0, HMAC-SHA1) -------------------------------------------


def aliyun_percent_encode(value: object) -> str:
    """RFC 3986 encoding as Aliyun specifies it: A-Z a-z 0-9 - _ . ~ stay, a space is %20 (not
    +), ``*`` is %2A, UTF-8 bytes as %XY."""
    return quote(str(value), safe="-_.~")


def aliyun_canonical_query(params: dict[str, object]) -> str:
    """Parameters sorted by name (the ``Signature`` parameter left out), names and values
    percent-encoded, joined with ``=`` and ``&``."""
    return "&".join(
        f"{aliyun_percent_encode(k)}={aliyun_percent_encode(v)}"
        for k, v in sorted(params.items())
        if k != "Signature"
    )


def aliyun_string_to_sign(params: dict[str, object], method: str = "POST") -> str:
    """``METHOD&%2F&percentEncode(canonical query)``."""
    return "&".join(
        (
            method.upper(),
            aliyun_percent_encode("/"),
            aliyun_percent_encode(aliyun_canonical_query(params)),
        )
    )


def aliyun_signature(params: dict[str, object], secret: str, method: str = "POST") -> str:
    """Base64(HMAC-SHA1(AccessKeySecret + "&", StringToSign))."""
    digest = hmac.new(
        f"{secret}&".encode(), aliyun_string_to_sign(params, method).encode(), hashlib.sha1
    ).digest()
    return base64.b64encode(digest).decode("ascii")


# --- Tencent Cloud API 3.0, signature v3 (TC3-HMAC-SHA256) -----------------------------------

TC3_ALGORITHM = "TC3-HMAC-SHA256"


def _sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hmac256(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def tc3_sign(
    *,
    secret_key: str,
    service: str,
    host: str,
    payload: str | bytes,
    timestamp: int,
    action: str | None = None,
    content_type: str = "application/json; charset=utf-8",
    method: str = "POST",
    query: str = "",
) -> dict[str, str]:
    """Sign one API 3.0 request. With ``action`` the ``x-tc-action`` header is signed too (what
    the current documentation does); without it only ``content-type;host`` (the earlier
    documentation's example). Returns the intermediate strings as well, for tests and debugging.
    The credential date is the UTC date of ``timestamp``."""
    body = payload.encode() if isinstance(payload, str) else payload
    headers = [("content-type", content_type), ("host", host)]
    if action is not None:
        headers.append(("x-tc-action", action.lower()))
    canonical_headers = "".join(f"{k}:{v.strip()}\n" for k, v in headers)
    signed_headers = ";".join(k for k, _ in headers)
    canonical_request = "\n".join(
        (method.upper(), "/", query, canonical_headers, signed_headers, _sha256_hex(body))
    )
    date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    scope = f"{date}/{service}/tc3_request"
    string_to_sign = "\n".join(
        (TC3_ALGORITHM, str(timestamp), scope, _sha256_hex(canonical_request.encode()))
    )
    key = _hmac256(_hmac256(_hmac256(f"TC3{secret_key}".encode(), date), service), "tc3_request")
    signature = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    return {
        "canonical_request": canonical_request,
        "string_to_sign": string_to_sign,
        "credential_scope": scope,
        "signed_headers": signed_headers,
        "signature": signature,
    }


def tc3_authorization(*, secret_id: str, signed: dict[str, str]) -> str:
    return (
        f"{TC3_ALGORITHM} Credential={secret_id}/{signed['credential_scope']}, "
        f"SignedHeaders={signed['signed_headers']}, Signature={signed['signature']}"
    )


# --- the generic HTTP gateway -----------------------------------------------------------------


def hotline_signature(body: bytes, secret: str) -> str:
    """The ``X-Hotline-Signature`` header value: ``sha256=`` + hex HMAC-SHA256 of the raw body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def hotline_signature_valid(body: bytes, secret: str, header: str) -> bool:
    """What a receiver does: recompute and compare in constant time."""
    return hmac.compare_digest(hotline_signature(body, secret), header or "")
