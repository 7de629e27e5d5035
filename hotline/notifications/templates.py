"""Message templates (Chinese), one per notification kind. Pure: no ORM, no settings.

A template names its parameters; rendering with one missing (or empty) raises
``TemplateError`` naming the template and the parameter, so the outbox row fails with a clear
error and the other rows go on. Templates never carry the complainant's name or phone: the
recipients of warnings are unit staff, and confidential tickets must not reveal who complained.

SMS providers (Aliyun, Tencent Cloud) send pre-approved templates; ``params`` are passed to them
in ``Template.params`` order (Tencent's ``TemplateParamSet`` is a list), the rendered ``text`` is
what the console, file and HTTP gateways send and what the provider templates should read.
"""

from __future__ import annotations

import string
from dataclasses import dataclass


class TemplateError(ValueError):
    """An unknown template or a missing parameter. ``template`` and ``param`` name the culprit."""

    def __init__(self, template: str, message: str, *, param: str | None = None):
        self.template = template
        self.param = param
        super().__init__(f"template {template!r}: {message}")


@dataclass(frozen=True)
class Template:
    name: str
    label: str
    text: str
    # Values of parameters a row may leave out (rows written before the parameter existed).
    defaults: tuple[tuple[str, str], ...] = ()

    @property
    def params(self) -> tuple[str, ...]:
        """Parameter names in order of first appearance in the text."""
        seen: list[str] = []
        for _, field, _, _ in string.Formatter().parse(self.text):
            if field and field not in seen:
                seen.append(field)
        return tuple(seen)


TEMPLATES: dict[str, Template] = {
    t.name: t
    for t in (
        Template(
            "acknowledgement",
            "受理回执",
            "【{line}】您的诉求已受理，工单号{number}。可凭工单号查询办理进度：{link}",
            # The registering centre's line: "江汉区区长专线 027-80212345"; the city's by default.
            defaults=(("line", "12345热线"),),
        ),
        Template(
            "yellow",
            "黄色预警",
            "【12345热线】黄色预警：{unit}承办的工单{number}，{clock}时限将于{due_at}到期，"
            "请督促按时办理。",
        ),
        Template(
            "red",
            "红色预警",
            "【12345热线】红色预警：{unit}承办的工单{number}，{clock}已于{due_at}超期，"
            "请立即督办并说明原因。",
        ),
        Template(
            "accept_reminder",
            "签收提醒",
            "【12345热线】{unit}：工单{number}已派至贵单位，请于{due_at}前签收。",
        ),
        Template(
            "voice_reminder",
            "语音催办",
            "您好，这里是12345市民服务热线。{unit}承办的工单{number}将于{due_at}到期，"
            "请尽快办理并答复。",
        ),
        # The review clock's warnings (hotline.feedback): to the evaluator and the evaluators'
        # coordinators. The ticket's number only, never its title or text.
        Template(
            "review_yellow",
            "评价预警",
            "【12345热线】评价提醒：您承担的第三方评价工单{number}，{clock}将于{due_at}到期，"
            "请及时完成评价。",
        ),
        Template(
            "review_red",
            "评价超期",
            "【12345热线】评价超期：您承担的第三方评价工单{number}，{clock}已于{due_at}到期，"
            "请立即完成评价。",
        ),
        Template(
            "review_overdue",
            "评价超期（协调人）",
            "【12345热线】第三方评价工单{number}的{clock}已于{due_at}到期，评价尚未完成，"
            "请协调处理。",
        ),
        Template(
            "review_unassigned",
            "评价待分配（协调人）",
            "【12345热线】第三方评价工单{number}尚无评价员承担，{clock}将于{due_at}到期，"
            "请协调分配。",
        ),
        Template(
            "follow_up",
            "回访评价",
            "【12345热线】您的工单{number}已办结，请对办理结果进行评价：{link}",
        ),
        Template(
            "voice_follow_up",
            "语音回访",
            "您好，这里是12345市民服务热线。您反映的问题（工单{number}）已办理答复，"
            "请对办理结果进行评价：满意请按1，基本满意请按2，不满意请按3。",
        ),
        Template(
            "portal_code",
            "短信验证码",
            "【12345热线】您的验证码为{code}，{minutes}分钟内有效，请勿告诉他人。",
        ),
        # WeChat template message (first / keyword1-3 / remark, see gateways.WechatTemplateGateway).
        Template(
            "wechat_progress",
            "微信办理进度",
            "【12345热线】您的工单{number}{progress}（{status}，{time}）：{detail}",
        ),
        # WeCom work-group robot messages; the text never names the complainant.
        Template(
            "wecom_dispatch",
            "工作群派单",
            "【12345派单】工单{number}「{title}」已派至{unit}，请及时签收办理。",
        ),
        Template(
            "wecom_warning",
            "工作群预警",
            "【12345{level}】{unit}承办的工单{number}「{title}」，{clock}时限{due}，请抓紧办理。",
        ),
    )
}


def template_get(name: str) -> Template:
    try:
        return TEMPLATES[name]
    except KeyError:
        raise TemplateError(name, "unknown template") from None


def render(name: str, params: dict) -> str:
    """The text of template ``name`` with ``params``. Extra parameters are ignored."""
    template = template_get(name)
    if not isinstance(params, dict):
        raise TemplateError(name, "parameters must be an object")
    params = {**dict(template.defaults), **params}
    for param in template.params:
        value = params.get(param)
        if value is None or str(value).strip() == "":
            raise TemplateError(name, f"missing parameter {param!r}", param=param)
    return template.text.format(**{p: str(params[p]) for p in template.params})


def ordered_params(name: str, params: dict) -> list[str]:
    """The parameters as strings in the template's order (for Tencent's TemplateParamSet)."""
    template = template_get(name)
    render(name, params)  # raises on a missing one
    # A parameter with a default (the line in 【...】) is the provider's SMS signature, set in
    # the provider's account, not a parameter of its pre-approved template.
    defaulted = dict(template.defaults)
    return [str(params[p]) for p in template.params if p not in defaulted]
