"""WeChat message XML: parsing what WeChat posts (with defusedxml: no DTD, no entities) and
building passive replies. Pure: no ORM, no settings."""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

MAX_XML = 64 * 1024  # WeChat's messages are a few hundred bytes


class MessageError(ValueError):
    """Not a message WeChat would send (malformed, oversized, fields missing)."""


def parse_xml(body: bytes) -> dict[str, str]:
    """The top-level fields of a WeChat ``<xml>`` document."""
    if len(body) > MAX_XML:
        raise MessageError(f"body larger than {MAX_XML} bytes")
    try:
        root = fromstring(body, forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise MessageError(f"malformed XML: {exc}") from None
    if root.tag != "xml":
        raise MessageError("the root element must be <xml>")
    return {child.tag: (child.text or "").strip() for child in root}


@dataclass(frozen=True)
class Incoming:
    to_user: str
    openid: str  # FromUserName
    create_time: int
    msg_type: str  # text, image, location, voice, video, shortvideo, link, event
    content: str = ""
    msg_id: str = ""
    pic_url: str = ""
    lat: float | None = None
    lon: float | None = None
    label: str = ""
    event: str = ""

    @property
    def key(self) -> str:
        """What identifies a delivery: the MsgId; for events (which have none), WeChat's own
        advice, the sender and the creation time."""
        if self.msg_id:
            return f"msg:{self.msg_id}"
        return f"event:{self.openid}:{self.create_time}:{self.event}"


def _number(fields: dict[str, str], name: str) -> float:
    try:
        return float(fields[name])
    except (KeyError, ValueError):
        raise MessageError(f"{name} must be a number") from None


def incoming(fields: dict[str, str]) -> Incoming:
    """The message in the fields of a (decrypted) message document."""
    for name in ("ToUserName", "FromUserName", "CreateTime", "MsgType"):
        if not fields.get(name):
            raise MessageError(f"{name} is missing")
    if len(fields["FromUserName"]) > 64:
        raise MessageError("FromUserName is too long")
    try:
        create_time = int(fields["CreateTime"])
    except ValueError:
        raise MessageError("CreateTime must be an integer") from None
    msg_type = fields["MsgType"].lower()
    msg_id = fields.get("MsgId", "")
    if msg_type != "event" and not msg_id.isdigit():
        raise MessageError("MsgId is missing")
    lat = lon = None
    if msg_type == "location":
        lat, lon = _number(fields, "Location_X"), _number(fields, "Location_Y")
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise MessageError("Location_X/Location_Y out of range")
    content = fields.get("Content", "")
    if msg_type == "voice":  # with speech recognition on, WeChat sends the words too
        content = fields.get("Recognition", "")
    return Incoming(
        to_user=fields["ToUserName"],
        openid=fields["FromUserName"],
        create_time=create_time,
        msg_type=msg_type,
        content=content,
        msg_id=msg_id,
        pic_url=fields.get("PicUrl", ""),
        lat=lat,
        lon=lon,
        label=fields.get("Label", ""),
        event=fields.get("Event", "").lower(),
    )


def cdata(text: str) -> str:
    """``text`` as CDATA; a "]]>" inside is split across two sections."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_reply(*, to_user: str, from_user: str, content: str, create_time: int) -> bytes:
    return (
        "<xml>"
        f"<ToUserName>{cdata(to_user)}</ToUserName>"
        f"<FromUserName>{cdata(from_user)}</FromUserName>"
        f"<CreateTime>{int(create_time)}</CreateTime>"
        "<MsgType><![CDATA[text]]></MsgType>"
        f"<Content>{cdata(content)}</Content>"
        "</xml>"
    ).encode()


def encrypted_reply(*, encrypt: str, msg_signature: str, timestamp: str, nonce: str) -> bytes:
    return (
        "<xml>"
        f"<Encrypt>{cdata(encrypt)}</Encrypt>"
        f"<MsgSignature>{cdata(msg_signature)}</MsgSignature>"
        f"<TimeStamp>{timestamp}</TimeStamp>"
        f"<Nonce>{cdata(nonce)}</Nonce>"
        "</xml>"
    ).encode()
