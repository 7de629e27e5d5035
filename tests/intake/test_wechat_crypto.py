"""WeChat's message signature and AES encryption: WeChat's own published sample, a fixed
vector, round trips, and wechatpy (an independent implementation) as the other end."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st
from wechatpy.crypto import PrpCrypto

from hotline.intake.wechat import crypto
from hotline.intake.wechat.crypto import CryptoError, MessageCrypto

# The sample of WeChat's message encryption documentation (its SDK's test).
SAMPLE_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
SAMPLE_TOKEN = "spamtest"
SAMPLE_APPID = "wx2c2769f8efd9abc2"
SAMPLE_TIMESTAMP = "1409735669"
SAMPLE_NONCE = "1320562132"
SAMPLE_MSG_SIGNATURE = "5d197aaffba7e9b25a30732f161a50dee96bd5fa"
SAMPLE_ENCRYPT = (
    "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8"
    "PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jis"
    "a+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6"
    "X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl"
    "9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE="
)


def test_wechat_sample_signature_and_decryption():
    assert crypto.signature(SAMPLE_TOKEN, SAMPLE_TIMESTAMP, SAMPLE_NONCE, SAMPLE_ENCRYPT) == (
        SAMPLE_MSG_SIGNATURE
    )
    message = MessageCrypto(SAMPLE_KEY, SAMPLE_APPID).decrypt(SAMPLE_ENCRYPT).decode()
    assert "<Content><![CDATA[abcdteT]]></Content>" in message
    assert "<MsgId>6054768590064713728</MsgId>" in message


def test_the_sample_is_refused_for_another_appid():
    with pytest.raises(CryptoError, match="AppID"):
        MessageCrypto(SAMPLE_KEY, "wx0000000000000000").decrypt(SAMPLE_ENCRYPT)


def test_fixed_vector():
    """Computed once from the documented layout with a fixed random prefix; it pins the
    byte layout (prefix, length, message, AppID, 32-byte PKCS#7)."""
    ours = MessageCrypto(SAMPLE_KEY, SAMPLE_APPID)
    encrypted = ours.encrypt(b"<xml>hi</xml>", random16=b"0123456789abcdef")
    assert encrypted == FIXED
    assert len(base64.b64decode(encrypted)) == 64  # 16 + 4 + 13 + 18 = 51, padded to 64
    assert PrpCrypto(ours.key).decrypt(encrypted, SAMPLE_APPID) == "<xml>hi</xml>"


FIXED = "Q3stYC6hdFzMh9T8HCvyDAY2hI8bwuk958peC5QFmomHmWcn4A3A99mmrZLc2GTzRrlDVsJyWO4bAoBxP0f5og=="


@given(st.binary(max_size=600))
def test_round_trip_both_ways_with_wechatpy(message):
    ours = MessageCrypto(SAMPLE_KEY, SAMPLE_APPID)
    theirs = PrpCrypto(ours.key)
    assert ours.decrypt(ours.encrypt(message)) == message
    try:
        text = message.decode("utf-8")
    except UnicodeDecodeError:
        return
    assert ours.decrypt(theirs.encrypt(text, SAMPLE_APPID)) == message
    assert theirs.decrypt(ours.encrypt(message), SAMPLE_APPID) == text


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("not base64!", "base64"),
        (base64.b64encode(b"x" * 15).decode(), "multiple of 16"),
        (base64.b64encode(b"x" * 32).decode(), "padding"),
    ],
)
def test_bad_ciphertexts(value, words):
    with pytest.raises(CryptoError, match=words):
        MessageCrypto(SAMPLE_KEY, SAMPLE_APPID).decrypt(value)


def test_bad_keys():
    with pytest.raises(CryptoError):
        MessageCrypto("short", SAMPLE_APPID)
    with pytest.raises(CryptoError):
        MessageCrypto("!" * 43, SAMPLE_APPID)


def test_signature_is_order_free_and_checked_in_constant_form():
    assert crypto.signature("b", "a", "c") == crypto.signature("c", "b", "a")
    good = crypto.signature("token", "1", "2")
    assert crypto.signature_ok(good, "token", "1", "2")
    assert crypto.signature_ok(good.upper(), "token", "1", "2")
    assert not crypto.signature_ok(good, "token", "1", "3")
    assert not crypto.signature_ok(None, "token", "1", "2")
    assert not crypto.signature_ok("", "token", "1", "2")
