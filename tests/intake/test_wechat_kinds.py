"""The kind of a WeChat request from its words (hotline/intake/wechat/kinds.py), and the
citizen correcting it in the confirmation. Most messages below are titles of real citizen
messages (../shared/data/teddycup2020c/messages_labeled.jsonl); the rest are written like them."""

from __future__ import annotations

import pytest

from hotline.intake.wechat import conversation as conv
from hotline.intake.wechat.kinds import kind_guess, kind_named
from hotline.intake.wechat.messages import Incoming


@pytest.mark.parametrize(
    "text, kind",
    [
        ("举报L5县济民医院对待产妇的不负责行为", "report"),
        ("举报M7市一小校长违规招生", "report"),
        ("举报A市楚江世纪城映江苑一传销窝点", "report"),
        ("楼下小作坊每天晚上偷排污水到河里，涉嫌违法", "report"),
        ("咨询E市工伤报销有关政策", "consultation"),
        ("请问外省公务员工作四年辞职后能参加西地省考吗", "consultation"),
        ("请问我小孩何时能复学？", "consultation"),
        ("办理居住证需要哪些材料？", "consultation"),
        ("建议A市修复西地省和平解放条文签定地，打造红色旅游名片", "suggestion"),
        ("建议G市多举办就业活动，缓解就业压力", "suggestion"),
        ("希望能在我们小区门口增设一个公交站", "suggestion"),
        ("感谢关怀再就业！", "praise"),
        ("为江岸区城管的王师傅点赞，半夜帮我们疏通下水道", "praise"),
        ("老人在中山公园走失了，穿蓝色外套，求助帮忙寻找", "help"),
        ("我被困在电梯里了，快来人帮忙", "help"),
        ("楼下烧烤店每天营业到凌晨两点，噪音扰民，多次反映没人管", "complaint"),
        ("公司拖欠我三个月工资，请尽快处理，谢谢", "complaint"),
        ("中山大道的路灯坏了好几天了", "complaint"),
        ("今天天气不错", "complaint"),  # no cue: a complaint, as most WeChat requests are
    ],
)
def test_the_kind_from_real_looking_messages(text, kind):
    assert kind_guess(text).kind == kind


def test_the_cues_say_why():
    guess = kind_guess("实名举报某工地偷倒建筑垃圾")
    assert guess.kind == "report"
    assert "举报" in "".join(guess.cues) and "偷倒" in guess.cues


@pytest.mark.parametrize(
    "answer, kind",
    [("咨询", "consultation"), ("改为举报", "report"), ("类型：建议", "suggestion"),
     ("表扬。", "praise"), ("1", None), ("我要投诉他们", None)],
)  # fmt: skip
def test_kind_named(answer, kind):
    assert kind_named(answer) == kind


def text(content: str) -> Incoming:
    return Incoming(to_user="gh", openid="o1", create_time=1, msg_type="text", content=content)


def test_the_confirmation_shows_the_kind_and_the_citizen_can_change_it():
    state = conv.State()
    outcome = conv.advance(state, text("请问办理居住证需要哪些材料？"), now=10)
    outcome = conv.advance(outcome.state, text("江岸区大智街道"), now=20)
    assert outcome.state.step == conv.CONFIRM
    assert "类型：咨询" in outcome.reply
    outcome = conv.advance(outcome.state, text("改为求助"), now=30)
    assert "类型：求助" in outcome.reply and not outcome.register
    outcome = conv.advance(outcome.state, text("1"), now=40)
    assert outcome.register
    assert conv.request_of(outcome.state).kind == "help"
