"""A stand-in for WeChat's servers in the tests (imported by the conftest and the tests)."""

from __future__ import annotations

import urllib.parse

from django.test import Client

WECHAT_TOKEN = "hotline-test-token"
WECHAT_APP_ID = "wx1234567890abcdef"
WECHAT_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
ACCOUNT = "gh_hotline12345"


class WeChatSimulator:
    """Plays WeChat's servers for one citizen: builds the message XML, signs the request
    and, in safe mode, encrypts it with wechatpy (an independent implementation), then reads
    the passive reply back (decrypting it with wechatpy, which checks its signature)."""

    def __init__(self, client: Client, *, safe: bool, openid: str = "oCitizen0001"):
        self.client = client
        self.safe = safe
        self.openid = openid
        self.next_id = 6054768590064713000
        self.sent: list[str] = []

    def xml(self, msg_type: str, fields: dict, *, create_time: int | None = None) -> str:
        import time

        from hotline.intake.wechat.messages import cdata

        parts = [
            f"<ToUserName>{cdata(ACCOUNT)}</ToUserName>",
            f"<FromUserName>{cdata(self.openid)}</FromUserName>",
            f"<CreateTime>{create_time or int(time.time())}</CreateTime>",
            f"<MsgType>{cdata(msg_type)}</MsgType>",
        ]
        for name, value in fields.items():
            parts.append(f"<{name}>{cdata(str(value))}</{name}>")
        if msg_type != "event" and "MsgId" not in fields:
            self.next_id += 1
            parts.append(f"<MsgId>{self.next_id}</MsgId>")
        return "<xml>" + "".join(parts) + "</xml>"

    def post(
        self,
        body: str | bytes,
        *,
        timestamp: int | None = None,
        token: str = WECHAT_TOKEN,
        plaintext_copy: str = "",
        encrypt: bool | None = None,
    ):
        import hashlib
        import time

        from wechatpy.crypto import PrpCrypto

        from hotline.intake.wechat.crypto import aes_key, signature

        stamp = str(timestamp if timestamp is not None else int(time.time()))
        nonce = "1320562132"
        params = {
            "timestamp": stamp,
            "nonce": nonce,
            "openid": self.openid,
            "signature": signature(token, stamp, nonce),
        }
        raw = body if isinstance(body, bytes) else body.encode("utf-8")
        if self.safe if encrypt is None else encrypt:
            encrypted = PrpCrypto(aes_key(WECHAT_AES_KEY)).encrypt(raw.decode(), WECHAT_APP_ID)
            ciphertext = encrypted.decode() if isinstance(encrypted, bytes) else encrypted
            params["encrypt_type"] = "aes"
            params["msg_signature"] = hashlib.sha1(
                "".join(sorted([token, stamp, nonce, ciphertext])).encode()
            ).hexdigest()
            raw = (
                f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>{plaintext_copy}"
                f"<Encrypt><![CDATA[{ciphertext}]]></Encrypt></xml>"
            ).encode()
        query = urllib.parse.urlencode(params)
        return self.client.post(f"/wechat/?{query}", data=raw, content_type="text/xml")

    def reply(self, response) -> str:
        """The text of a passive reply ("" for WeChat's "success")."""
        import xmltodict
        from wechatpy.crypto import WeChatCrypto

        assert response.status_code == 200, response.content
        if response.content == b"success":
            return ""
        xml = response.content.decode()
        if self.safe:
            fields = xmltodict.parse(xml)["xml"]
            xml = WeChatCrypto(WECHAT_TOKEN, WECHAT_AES_KEY, WECHAT_APP_ID).decrypt_message(
                xml, fields["MsgSignature"], fields["TimeStamp"], fields["Nonce"]
            )
        message = xmltodict.parse(xml)["xml"]
        assert message["ToUserName"] == self.openid
        assert message["FromUserName"] == ACCOUNT
        assert message["MsgType"] == "text"
        return message["Content"]

    def say(self, text: str) -> str:
        return self.reply(self.post(self.xml("text", {"Content": text})))

    def location(self, lat: float, lon: float, label: str) -> str:
        fields = {"Location_X": lat, "Location_Y": lon, "Scale": 15, "Label": label}
        return self.reply(self.post(self.xml("location", fields)))

    def image(self, url: str) -> str:
        return self.reply(self.post(self.xml("image", {"PicUrl": url, "MediaId": "m1"})))

    def event(self, name: str) -> str:
        return self.reply(self.post(self.xml("event", {"Event": name})))
