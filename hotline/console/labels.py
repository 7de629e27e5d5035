"""Labels of the console. Chinese is the console's source language (LANGUAGE_CODE zh-hans);
this app's English catalogue (locale/en) translates them.

The domain's labels (tickets.workflow, accounts.roles) are plain Chinese strings; they are
listed in ``DOMAIN_LABELS`` so that ``makemessages`` keeps them in the catalogue, and
tests/console/test_views.py checks that every one of them is listed."""

from django.utils.translation import gettext_noop

DOMAIN_LABELS = [
    # States (workflow.STATUS_LABELS)
    gettext_noop("待派单"),
    gettext_noop("待签收"),
    gettext_noop("办理中"),
    gettext_noop("待回访"),
    gettext_noop("复核中"),
    gettext_noop("已办结"),
    gettext_noop("已并单"),
    gettext_noop("无效"),
    # Actions (workflow.TABLE[...].label)
    gettext_noop("登记"),
    gettext_noop("直接答复"),
    gettext_noop("派单"),
    gettext_noop("转派"),
    gettext_noop("签收"),
    gettext_noop("退单"),
    gettext_noop("申请延期"),
    gettext_noop("审批延期"),
    gettext_noop("回复"),
    gettext_noop("回访"),
    gettext_noop("第三方评价"),
    gettext_noop("并单"),
    gettext_noop("作废"),
    gettext_noop("督办"),
    gettext_noop("备注"),
    gettext_noop("重算时限"),
    gettext_noop("上报市级"),
    # Channels
    gettext_noop("电话"),
    gettext_noop("微信"),
    gettext_noop("网站"),
    gettext_noop("APP"),
    gettext_noop("市长信箱"),
    gettext_noop("来信"),
    gettext_noop("来访"),
    gettext_noop("领导电话"),
    gettext_noop("平台转入"),
    gettext_noop("接口"),
    # Kinds
    gettext_noop("咨询"),
    gettext_noop("求助"),
    gettext_noop("投诉"),
    gettext_noop("举报"),
    gettext_noop("建议"),
    gettext_noop("表扬"),
    # Urgencies
    gettext_noop("一般"),
    gettext_noop("紧急"),
    gettext_noop("特急"),
    # Outcomes
    gettext_noop("已解决"),
    gettext_noop("已解释说明"),
    gettext_noop("无法解决"),
    # Satisfaction
    gettext_noop("满意"),
    gettext_noop("基本满意"),
    gettext_noop("不满意"),
    # Verdicts
    gettext_noop("处置得当"),
    gettext_noop("重办"),
    # Clocks
    gettext_noop("转办时限"),
    gettext_noop("下派时限"),
    gettext_noop("签收时限"),
    gettext_noop("办理时限"),
    gettext_noop("回访时限"),
    gettext_noop("督办时限"),
    gettext_noop("评价时限"),
    # Roles (accounts.roles.ROLE_LABELS)
    gettext_noop("市民"),
    gettext_noop("话务员"),
    gettext_noop("派单员"),
    gettext_noop("承办人"),
    gettext_noop("单位领导"),
    gettext_noop("区/街道分派员"),
    gettext_noop("回访员"),
    gettext_noop("第三方评价员"),
    gettext_noop("督查室"),
    gettext_noop("纪检监察"),
    gettext_noop("市/区领导"),
    gettext_noop("管理员"),
    gettext_noop("审计员"),
    gettext_noop("外部系统"),
    gettext_noop("系统"),
    gettext_noop("预警"),
    gettext_noop("领导签批"),
]

EXTENSION_LABELS = {
    "requested": gettext_noop("待审批"),
    "approved": gettext_noop("已同意"),
    "refused": gettext_noop("未同意"),
    "withdrawn": gettext_noop("已撤回"),
}
WARNING_LABELS = {
    "none": gettext_noop("正常"),
    "yellow": gettext_noop("黄灯"),
    "red": gettext_noop("红灯"),
}
# Field names of the timeline's event data, for display.
DATA_LABELS = {
    "unit": gettext_noop("承办单位"),
    "from_unit": gettext_noop("原单位"),
    "co_units": gettext_noop("协办单位"),
    "copied_to": gettext_noop("抄送"),
    "reason": gettext_noop("原因"),
    "days": gettext_noop("天数"),
    "approve": gettext_noop("同意"),
    "due_at": gettext_noop("截止时间"),
    "review_due_at": gettext_noop("评价截止时间"),
    "article": gettext_noop("引用知识库文章"),
    "text": gettext_noop("内容"),
    "outcome": gettext_noop("办理结论"),
    "attachments": gettext_noop("附件"),
    "satisfaction": gettext_noop("满意度"),
    "verdict": gettext_noop("评价结论"),
    "judgements": gettext_noop("评价要点"),
    "complaint_reasonable": gettext_noop("诉求是否合理"),
    "complaint_lawful": gettext_noop("诉求是否合法"),
    "process_compliant": gettext_noop("办理过程是否合规"),
    "result_lawful": gettext_noop("办理结果是否合法"),
    "value": gettext_noop("结论"),
    "assignment": gettext_noop("评价分配"),
    "evaluator": gettext_noop("评价员"),
    "on_time": gettext_noop("按时"),
    "into": gettext_noop("并入工单"),
    "note": gettext_noop("备注"),
    "channel": gettext_noop("渠道"),
    "kind": gettext_noop("诉求类型"),
    "urgency": gettext_noop("紧急程度"),
    "urgency_raised_by": gettext_noop("紧急词"),
    "category": gettext_noop("分类"),
    "send_back": gettext_noop("退单裁定"),
    "ruling": gettext_noop("裁定"),
    "order": gettext_noop("督办单"),
    "level": gettext_noop("督办次数"),
    "second": gettext_noop("二次督办"),
    "redo": gettext_noop("重办次数"),
    "clock": gettext_noop("时限"),
    "warning": gettext_noop("预警级别"),
    "notified": gettext_noop("已通知"),
    "missing_phone": gettext_noop("缺少电话"),
    "referred": gettext_noop("移送督办"),
    "centre": gettext_noop("热线中心"),
    "from_centre": gettext_noop("原热线中心"),
    "yellow_skipped": gettext_noop("未经黄灯直接红灯"),
    "clocks": gettext_noop("时限"),
    "check_score": gettext_noop("答复检查评分"),
    "check_ok": gettext_noop("答复检查通过"),
    "instruction": gettext_noop("领导批示"),
}
# Labels of a field inside another one, where the outer field changes its meaning.
NESTED_DATA_LABELS: dict[tuple[str, str], str] = {
    ("send_back", "unit"): gettext_noop("退单单位"),
    ("clocks", "kind"): gettext_noop("时限"),
}
# Why a ticket was referred to the supervision office (supervision.Referral).
REFERRAL_LABELS = {"redos": gettext_noop("三次重办"), "send_backs": gettext_noop("三次退单")}
# What a warning sent (notifications' kinds).
NOTICE_LABELS = {
    "yellow": gettext_noop("黄灯短信"),
    "red": gettext_noop("红灯短信"),
    "accept_reminder": gettext_noop("签收提醒短信"),
    "voice_reminder": gettext_noop("语音催办"),
    "wecom_yellow": gettext_noop("工作群黄灯提醒"),
    "wecom_red": gettext_noop("工作群红灯提醒"),
    "wecom_dispatch": gettext_noop("工作群派单提醒"),
}
# The reasons of the reply check (insight.replycheck), by their English head.
REPLY_CHECK_LABELS = {
    "only acknowledges receipt or is too short": gettext_noop("只表示已收到，或内容过短"),
    "does not speak to the complaint": gettext_noop("没有回应诉求的内容"),
    "missing a result": gettext_noop("缺少办理结果（如已处理、经核实）"),
    "missing a reason or basis": gettext_noop("缺少理由或依据（如根据某规定）"),
    "missing who to contact": gettext_noop("缺少联系人或联系电话"),
    "replied after": gettext_noop("回复用时（天）"),
    "reply time unknown": gettext_noop("回复时间未知"),
}
RULING_LABELS = {"valid": gettext_noop("退单成立"), "invalid": gettext_noop("退单不成立")}

# Similar tickets (insight.similar): the kinds, and the reasons the finder gives.
SIMILAR_KIND_LABELS = {
    "repeat": gettext_noop("重复投诉"),
    "duplicate": gettext_noop("同一事件"),
}
REASON_LABELS = {
    "title similarity": gettext_noop("标题相似度"),
    "content similarity": gettext_noop("内容相似度"),
    "same citizen": gettext_noop("同一诉求人"),
    "same address": gettext_noop("地址相同"),
    "same region": gettext_noop("同一区域"),
    "same issue": gettext_noop("同一诉求事项"),
    "same place": gettext_noop("同一地点"),
}

# Where the dispatch suggestion read the ticket's place from (insight.place.Place.via), and
# the place's level.
PLACE_VIA_LABELS = {
    "point": gettext_noop("地图定位"),
    "address": gettext_noop("地址"),
    "text": gettext_noop("诉求内容"),
    "region": gettext_noop("所选区域"),
}
PLACE_LEVEL_LABELS = {
    "city": gettext_noop("市"),
    "district": gettext_noop("区"),
    "street": gettext_noop("街道"),
    "community": gettext_noop("社区"),
    "grid": gettext_noop("网格"),
}
