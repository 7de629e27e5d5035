"""The WeChat Official Account endpoint as WeChat's servers and a citizen use it: URL
verification, the conversation to a ticket in plaintext and safe mode, redelivery, and the
refusals that write nothing."""

from __future__ import annotations

import re
import time
import urllib.parse

import pytest
from django.test import Client

from hotline.intake.models import WechatConversation, WechatMessage, WechatTicket
from hotline.intake.wechat.crypto import signature
from hotline.tickets.models import Ticket
from tests.intake.wechat_sim import WECHAT_AES_KEY, WECHAT_APP_ID, WECHAT_TOKEN, WeChatSimulator

NUMBER = re.compile(r"工单号：(\d{13})")


def number_in(reply: str) -> str:
    found = NUMBER.search(reply)
    assert found, reply
    return found.group(1)


def nothing_written() -> bool:
    return not (
        WechatMessage.objects.exists()
        or WechatConversation.objects.exists()
        or Ticket.objects.filter(channel="wechat").exists()
    )


# --- URL verification ---------------------------------------------------------------------------


def verify(client, *, token=WECHAT_TOKEN, timestamp=None, echostr="5837397520665436492"):
    stamp = str(timestamp or int(time.time()))
    query = urllib.parse.urlencode(
        {
            "signature": signature(token, stamp, "1046451567"),
            "timestamp": stamp,
            "nonce": "1046451567",
            "echostr": echostr,
        }
    )
    return client.get(f"/wechat/?{query}")


def test_url_verification_echoes_echostr(client, settings):
    settings.WECHAT_TOKEN = WECHAT_TOKEN
    response = verify(client)
    assert response.status_code == 200
    assert response.content == b"5837397520665436492"


def test_url_verification_refuses_forged_or_stale(client, settings):
    settings.WECHAT_TOKEN = WECHAT_TOKEN
    assert verify(client, token="guessed").status_code == 403
    assert verify(client, timestamp=int(time.time()) - 301).status_code == 403
    settings.WECHAT_TOKEN = ""
    assert verify(client, token="").status_code == 403  # no token configured: nothing passes


# --- the conversation ----------------------------------------------------------------------------


def test_greeting_description_location_confirm_makes_the_ticket(wechat):
    assert "描述" in wechat.say("你好")
    assert "位置" in wechat.say("小区门口的路灯坏了一个星期，晚上很黑")
    summary = wechat.location(30.5928, 114.3055, "江岸区中山大道1号")
    assert "路灯坏了" in summary and "江岸区中山大道1号" in summary and "“1”" in summary
    reply = wechat.say("1")
    number = number_in(reply)  # four messages from the citizen, the number in the reply
    ticket = Ticket.objects.get(number=number)
    assert ticket.channel == "wechat"
    assert ticket.status == "registered"
    assert ticket.content == "小区门口的路灯坏了一个星期，晚上很黑"
    assert ticket.address == "江岸区中山大道1号"
    assert (ticket.lat, ticket.lon) == (30.5928, 114.3055)
    assert ticket.registered_by.username == "wechat-gateway"
    assert WechatTicket.objects.get(ticket=ticket).openid == wechat.openid
    # The conversation starts over.
    assert "描述" in wechat.say("你好")


def test_the_kind_is_read_from_the_words_and_the_citizen_may_change_it(wechat):
    wechat.say("请问办理居住证需要哪些材料？")
    assert "类型：咨询" in wechat.say("江岸区政务服务中心")
    first = Ticket.objects.get(number=number_in(wechat.say("1")))
    assert first.kind == "consultation"
    wechat.say("举报某工地夜里偷倒建筑垃圾")
    assert "类型：举报" in wechat.say("江汉区民族街道")
    assert "类型：投诉" in wechat.say("改为投诉")
    second = Ticket.objects.get(number=number_in(wechat.say("1")))
    assert second.kind == "complaint"


def test_typed_address_and_a_picture_in_three_messages(wechat):
    assert "位置" in wechat.say("楼下餐馆油烟直排，熏得窗户都不能开")
    assert "图片" in wechat.image("http://mmbiz.qpic.cn/photo1.jpg")
    summary = wechat.say("江汉区民族街道前进四路88号")
    assert "前进四路88号" in summary and "图片：1张" in summary
    ticket = Ticket.objects.get(number=number_in(wechat.say("确认")))
    assert ticket.address == "江汉区民族街道前进四路88号"
    assert ticket.lat is None
    assert "http://mmbiz.qpic.cn/photo1.jpg" in ticket.content


def test_subscribe_asks_for_the_description_and_cancel_ends(wechat):
    assert "描述" in wechat.event("subscribe")
    assert "位置" in wechat.say("公园里的健身器材坏了")
    assert "取消" in wechat.say("取消")
    assert WechatConversation.objects.get(openid=wechat.openid).step == "idle"
    assert wechat.event("unsubscribe") == ""
    assert not Ticket.objects.filter(channel="wechat").exists()


def test_answer_two_starts_the_description_again(wechat):
    wechat.say("马路上有一个大坑，车辆经过很危险")
    wechat.say("硚口区解放大道100号")
    assert "描述" in wechat.say("2")
    assert WechatConversation.objects.get(openid=wechat.openid).step == "description"


def test_unsupported_message_types_get_a_hint(wechat):
    reply = wechat.reply(wechat.post(wechat.xml("video", {"MediaId": "v", "ThumbMediaId": "t"})))
    assert "文字、图片或位置" in reply


# --- redelivery -----------------------------------------------------------------------------------


def test_redelivered_msgid_gets_the_same_reply_and_one_ticket(wechat):
    wechat.say("地铁站出口的自动扶梯停运好几天了")
    wechat.say("武昌区积玉桥地铁站C口")
    confirm = wechat.xml("text", {"Content": "1"})
    first = wechat.reply(wechat.post(confirm))
    again = wechat.reply(wechat.post(confirm))  # WeChat retries when it hears nothing in 5 s
    assert again == first
    assert Ticket.objects.filter(channel="wechat").count() == 1
    assert WechatMessage.objects.filter(ticket__isnull=False).count() == 1


def test_redelivered_earlier_message_does_not_move_the_conversation(wechat):
    first = wechat.xml("text", {"Content": "小区垃圾好几天没人清运了"})
    asked = wechat.reply(wechat.post(first))
    wechat.say("青山区红卫路街道")
    assert wechat.reply(wechat.post(first)) == asked
    assert WechatConversation.objects.get(openid=wechat.openid).step == "confirm"


def test_event_redelivery_is_recognised_by_sender_and_time(wechat):
    subscribe = wechat.xml("event", {"Event": "subscribe"}, create_time=1733300000)
    wechat.post(subscribe)
    wechat.say("公交站的站牌被撞倒了")
    wechat.post(subscribe)  # the same event again does not reset the conversation
    assert WechatConversation.objects.get(openid=wechat.openid).step == "place"


# --- refusals --------------------------------------------------------------------------------------


def test_forged_signature_is_403_and_writes_nothing(wechat):
    response = wechat.post(wechat.xml("text", {"Content": "伪造的消息内容很长"}), token="guess")
    assert response.status_code == 403
    assert nothing_written()


def test_stale_or_future_timestamp_is_403_and_writes_nothing(wechat):
    body = wechat.xml("text", {"Content": "五分钟前的消息内容"})
    assert wechat.post(body, timestamp=int(time.time()) - 301).status_code == 403
    assert wechat.post(body, timestamp=int(time.time()) + 301).status_code == 403
    assert nothing_written()


@pytest.mark.parametrize(
    "body",
    [
        "<xml><ToUserName>broken",
        "<notxml><MsgType>text</MsgType></notxml>",
        "<xml><MsgType><![CDATA[text]]></MsgType></xml>",  # no sender
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><xml>&a;</xml>',
        "<xml>" + "<Content>x</Content>" * 8000 + "</xml>",  # oversized
    ],
)
def test_malformed_or_oversized_xml_is_400_and_writes_nothing(wechat, body):
    response = wechat.post(body)
    assert response.status_code == 400
    assert nothing_written()


def test_safe_mode_refuses_plaintext_and_bad_msg_signature(client, settings):
    settings.WECHAT_TOKEN, settings.WECHAT_APP_ID = WECHAT_TOKEN, WECHAT_APP_ID
    settings.WECHAT_ENCODING_AES_KEY = WECHAT_AES_KEY
    citizen = WeChatSimulator(Client(), safe=True)
    plain = citizen.post(citizen.xml("text", {"Content": "明文消息不应被接受"}), encrypt=False)
    assert plain.status_code == 403
    body = citizen.xml("text", {"Content": "被篡改的密文消息"})
    response = citizen.post(body)
    assert response.status_code == 200
    tampered = citizen.client.post(
        response.request["PATH_INFO"]
        + "?"
        + response.request["QUERY_STRING"].replace("msg_signature=", "msg_signature=0"),
        data=b"<xml><Encrypt><![CDATA[AAAA]]></Encrypt></xml>",
        content_type="text/xml",
    )
    assert tampered.status_code == 403
    assert WechatMessage.objects.count() == 1


def test_ciphertext_for_another_account_is_400(client, settings):
    settings.WECHAT_TOKEN, settings.WECHAT_ENCODING_AES_KEY = WECHAT_TOKEN, WECHAT_AES_KEY
    settings.WECHAT_APP_ID = "wx_another_account"
    citizen = WeChatSimulator(Client(), safe=True)  # encrypts for WECHAT_APP_ID of the test
    response = citizen.post(citizen.xml("text", {"Content": "发给别的公众号的消息"}))
    assert response.status_code == 400
    assert nothing_written()


def test_compatible_mode_uses_the_ciphertext_not_the_plaintext_copy(client, settings):
    settings.WECHAT_TOKEN, settings.WECHAT_APP_ID = WECHAT_TOKEN, WECHAT_APP_ID
    settings.WECHAT_ENCODING_AES_KEY = WECHAT_AES_KEY
    citizen = WeChatSimulator(Client(), safe=True)
    body = citizen.xml("text", {"Content": "真正的诉求：桥下积水严重"})
    copy = (
        f"<FromUserName><![CDATA[{citizen.openid}]]></FromUserName>"
        "<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[伪造的明文副本内容]]></Content>"
    )
    reply = citizen.reply(citizen.post(body, plaintext_copy=copy))
    assert "位置" in reply
    assert WechatConversation.objects.get().description == "真正的诉求：桥下积水严重"
