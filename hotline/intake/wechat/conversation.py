"""The WeChat conversation that turns a citizen's messages into a request. Pure: no ORM.

Steps: ``idle`` -> ``description`` (asked what happened) -> ``place`` (asked where: a
location message or a typed address) -> ``confirm`` (shown a summary, asked to confirm) ->
registered, back to ``idle``. A first text that already describes the problem skips the
first question, so the ticket exists after at most four messages from the citizen (greeting,
description, place, confirmation) and often three. A location sent before the description is
kept and the place question skipped. "取消" ends the conversation at any step; one left
unanswered for ``TIMEOUT`` seconds starts over.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from .kinds import DEFAULT, NAMES, kind_guess, kind_named
from .messages import Incoming

IDLE, DESCRIPTION, PLACE, CONFIRM = "idle", "description", "place", "confirm"
TIMEOUT = 30 * 60
MIN_DESCRIPTION = 5  # characters; a shorter first text is a greeting
MAX_DESCRIPTION = 2000
MAX_PICTURES = 9

YES = {"1", "确认", "确定", "是", "是的", "好", "对", "提交", "ok", "yes", "y"}
NO = {"2", "否", "不", "重填", "重新填写", "修改", "no", "n"}
CANCEL = {"取消", "退出", "cancel"}

ASK_DESCRIPTION = "您好，这里是12345市民服务热线。请用文字描述您要反映的问题（可附图片）。"
ASK_DESCRIPTION_AGAIN = f"请详细描述您反映的问题（至少{MIN_DESCRIPTION}个字）。"
ASK_PLACE = "请发送问题发生的位置（点“+”选择“位置”），或直接输入详细地址。"
ASK_PLACE_AGAIN = "请发送位置，或输入详细地址（如：江岸区中山大道1号）。"
UNSUPPORTED = "暂不支持此类消息，请发送文字、图片或位置。"
CANCELLED = "已取消本次反映。如需反映问题，请直接发送问题描述。"
TOO_LONG = f"描述过长，请控制在{MAX_DESCRIPTION}字以内。"
PICTURE_KEPT = "已收到图片。"
REGISTERED = (
    "您的诉求已受理，工单号：{number}。我们将尽快转交承办单位办理，"
    "办理进展会通过本公众号通知您，也可凭工单号在12345网站查询。"
)
FAILED = "系统繁忙，暂时无法提交，请稍后回复“1”重试。"


@dataclass(frozen=True)
class State:
    step: str = IDLE
    description: str = ""
    address: str = ""
    lat: float | None = None
    lon: float | None = None
    pictures: tuple[str, ...] = ()
    updated_at: int = 0  # Unix seconds of the last message
    kind: str = ""  # guessed from the description (kinds.py), changed by the citizen


@dataclass(frozen=True)
class Outcome:
    state: State
    reply: str  # "" for no reply
    register: bool = False  # the state holds a confirmed request: register it


@dataclass(frozen=True)
class Request:
    """What a confirmed conversation registers."""

    description: str
    address: str
    lat: float | None
    lon: float | None
    pictures: tuple[str, ...] = field(default_factory=tuple)
    kind: str = DEFAULT


def request_of(state: State) -> Request:
    return Request(
        state.description,
        state.address,
        state.lat,
        state.lon,
        state.pictures,
        state.kind if state.kind in NAMES else DEFAULT,
    )


def _place(state: State) -> str:
    if state.address:
        return state.address
    if state.lat is not None:
        return f"坐标 {state.lat:.5f}, {state.lon:.5f}"
    return ""


def summary(state: State) -> str:
    text = state.description if len(state.description) <= 100 else state.description[:100] + "…"
    kind = NAMES.get(state.kind, NAMES[DEFAULT])
    lines = ["请确认您反映的问题：", f"类型：{kind}", f"问题：{text}", f"地点：{_place(state)}"]
    if state.pictures:
        lines.append(f"图片：{len(state.pictures)}张")
    lines.append("回复“1”确认提交，回复“2”重新填写，回复“取消”放弃。")
    lines.append("类型不对请回复正确的类型：" + "、".join(NAMES.values()) + "。")
    return "\n".join(lines)


def _after_description(state: State) -> Outcome:
    if _place(state):
        return Outcome(replace(state, step=CONFIRM), summary(replace(state, step=CONFIRM)))
    return Outcome(replace(state, step=PLACE), ASK_PLACE)


def _with_picture(state: State, message: Incoming) -> State:
    if message.pic_url and len(state.pictures) < MAX_PICTURES:
        return replace(state, pictures=(*state.pictures, message.pic_url))
    return state


def _prompt(state: State) -> str:
    return {DESCRIPTION: ASK_DESCRIPTION_AGAIN, PLACE: ASK_PLACE, CONFIRM: summary(state)}.get(
        state.step, ASK_DESCRIPTION
    )


def _on_event(state: State, message: Incoming, now: int) -> Outcome:
    if message.event == "subscribe":
        return Outcome(State(step=DESCRIPTION, updated_at=now), ASK_DESCRIPTION)
    if message.event == "unsubscribe":
        return Outcome(State(updated_at=now), "")
    return Outcome(state, "")  # menu clicks, location reports...: nothing to say


def _on_image(state: State, message: Incoming) -> Outcome:
    state = _with_picture(state, message)
    if state.step == IDLE:
        return Outcome(replace(state, step=DESCRIPTION), f"{PICTURE_KEPT}{ASK_DESCRIPTION}")
    return Outcome(state, f"{PICTURE_KEPT}{_prompt(state)}")


def _on_location(state: State, message: Incoming) -> Outcome:
    located = replace(state, lat=message.lat, lon=message.lon, address=message.label[:255])
    if state.step == PLACE:
        confirm = replace(located, step=CONFIRM)
        return Outcome(confirm, summary(confirm))
    if state.step == CONFIRM:
        return Outcome(located, summary(located))
    return Outcome(replace(located, step=DESCRIPTION), f"已收到位置。{ASK_DESCRIPTION}")


def _on_description(state: State, text: str) -> Outcome:
    if len(text) > MAX_DESCRIPTION:
        return Outcome(replace(state, step=DESCRIPTION), TOO_LONG)
    if len(text) < MIN_DESCRIPTION:
        reply = ASK_DESCRIPTION if state.step == IDLE else ASK_DESCRIPTION_AGAIN
        return Outcome(replace(state, step=DESCRIPTION), reply)
    return _after_description(replace(state, description=text, kind=kind_guess(text).kind))


def _on_place(state: State, text: str) -> Outcome:
    if len(text) < 2 or len(text) > 255:
        return Outcome(state, ASK_PLACE_AGAIN)
    confirm = replace(state, step=CONFIRM, address=text, lat=None, lon=None)
    return Outcome(confirm, summary(confirm))


def _on_confirmation(state: State, text: str, now: int) -> Outcome:
    answer = text.lower().rstrip("。.!！")
    if answer in YES:
        return Outcome(state, "", register=True)
    if answer in NO:
        return Outcome(State(step=DESCRIPTION, updated_at=now), ASK_DESCRIPTION_AGAIN)
    named = kind_named(answer)
    if named is not None:
        state = replace(state, kind=named)
    return Outcome(state, summary(state))


def advance(state: State, message: Incoming, now: int) -> Outcome:
    """The next state and the reply to ``message``."""
    if state.step != IDLE and now - state.updated_at > TIMEOUT:
        state = State()
    state = replace(state, updated_at=now)
    kind = message.msg_type
    text = message.content.strip()
    if kind == "event":
        return _on_event(state, message, now)
    if kind == "image":
        return _on_image(state, message)
    if kind == "location":
        return _on_location(state, message)
    if kind not in ("text", "voice") or not text:
        return Outcome(state, UNSUPPORTED)
    if text.lower() in CANCEL:
        return Outcome(State(updated_at=now), CANCELLED)
    if state.step in (IDLE, DESCRIPTION):
        return _on_description(state, text)
    if state.step == PLACE:
        return _on_place(state, text)
    return _on_confirmation(state, text, now)


def registered(number: str) -> str:
    return REGISTERED.format(number=number)
