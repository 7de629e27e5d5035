"""The WeChat conversation as a pure state machine: every path ends in a request after at
most four messages from the citizen."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotline.intake.wechat import conversation as conv
from hotline.intake.wechat.messages import Incoming

T0 = 1_733_300_000


def text(content: str) -> Incoming:
    return Incoming("gh", "o1", T0, "text", content=content, msg_id="1")


def location(label: str = "江岸区中山大道1号") -> Incoming:
    return Incoming("gh", "o1", T0, "location", msg_id="2", lat=30.6, lon=114.3, label=label)


def image(url: str = "http://p/1.jpg") -> Incoming:
    return Incoming("gh", "o1", T0, "image", msg_id="3", pic_url=url)


def event(name: str) -> Incoming:
    return Incoming("gh", "o1", T0, "event", event=name)


def run(*messages: Incoming, state: conv.State | None = None) -> list[conv.Outcome]:
    state = state or conv.State()
    outcomes = []
    for message in messages:
        outcome = conv.advance(state, message, T0)
        outcomes.append(outcome)
        state = outcome.state
    return outcomes


DESCRIPTION = "小区门口的路灯坏了一个星期"


@pytest.mark.parametrize(
    "messages",
    [
        (text("你好"), text(DESCRIPTION), location(), text("1")),
        (text(DESCRIPTION), location(), text("1")),
        (text(DESCRIPTION), text("江岸区中山大道1号"), text("确认")),
        (event("subscribe"), text(DESCRIPTION), text("江岸区中山大道1号"), text("1")),
        (location(), text(DESCRIPTION), text("是")),
    ],
)
def test_paths_to_a_request(messages):
    outcomes = run(*messages)
    citizen_messages = [m for m in messages if m.msg_type != "event"]
    assert len(citizen_messages) <= 4
    assert outcomes[-1].register
    assert not any(o.register for o in outcomes[:-1])
    request = conv.request_of(outcomes[-1].state)
    assert request.description == DESCRIPTION
    assert request.address == "江岸区中山大道1号"


def test_pictures_are_kept_up_to_nine():
    outcomes = run(text(DESCRIPTION), *[image(f"http://p/{i}.jpg") for i in range(12)])
    assert len(outcomes[-1].state.pictures) == conv.MAX_PICTURES


@pytest.mark.parametrize(
    ("messages", "step", "words"),
    [
        ((text("hi"),), conv.DESCRIPTION, "描述"),
        ((text("你好"), text("坏了")), conv.DESCRIPTION, "至少"),
        ((text(DESCRIPTION), text("a")), conv.PLACE, "地址"),
        ((text(DESCRIPTION), location(), text("嗯？")), conv.CONFIRM, "“1”"),
        ((text(DESCRIPTION), location(), text("2")), conv.DESCRIPTION, "描述"),
        ((text(DESCRIPTION), text("取消")), conv.IDLE, "取消"),
        ((text("长" * 2001),), conv.DESCRIPTION, "2000"),
        ((event("CLICK"),), conv.IDLE, ""),
    ],
)
def test_other_answers(messages, step, words):
    outcome = run(*messages)[-1]
    assert outcome.state.step == step
    assert words in outcome.reply
    assert not outcome.register


def test_a_conversation_left_for_half_an_hour_starts_over():
    waiting = run(text(DESCRIPTION))[-1].state
    later = conv.advance(waiting, text("1"), T0 + conv.TIMEOUT + 1)
    assert later.state.step == conv.DESCRIPTION  # "1" is too short to be a description
    assert not later.register


@given(st.lists(st.sampled_from(["你好", DESCRIPTION, "江岸区中山大道1号", "1", "2", "取消", "?"])))
def test_registration_needs_a_description_and_a_place(texts):
    state = conv.State()
    for content in texts:
        outcome = conv.advance(state, text(content), T0)
        if outcome.register:
            assert len(outcome.state.description) >= conv.MIN_DESCRIPTION
            assert outcome.state.address or outcome.state.lat is not None
        state = outcome.state
