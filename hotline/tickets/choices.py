"""The ticket's vocabularies (DESIGN section 3 and 4) as enums, with their Chinese labels.
Pure: no Django. Every other module takes these names from here."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    REGISTERED = "registered"
    DISPATCHED = "dispatched"
    IN_PROGRESS = "in_progress"
    REPLIED = "replied"
    UNDER_REVIEW = "under_review"
    CLOSED = "closed"
    MERGED = "merged"
    INVALID = "invalid"


STATUS_LABELS = {
    Status.REGISTERED: "待派单",
    Status.DISPATCHED: "待签收",
    Status.IN_PROGRESS: "办理中",
    Status.REPLIED: "待回访",
    Status.UNDER_REVIEW: "复核中",
    Status.CLOSED: "已办结",
    Status.MERGED: "已并单",
    Status.INVALID: "无效",
}


class Channel(StrEnum):
    PHONE = "phone"
    WECHAT = "wechat"
    WEB = "web"
    APP = "app"
    MAILBOX = "mailbox"
    LETTER = "letter"
    VISIT = "visit"
    LEADER_PHONE = "leader_phone"
    TRANSFER = "transfer"
    API = "api"


CHANNEL_LABELS = {
    Channel.PHONE: "电话",
    Channel.WECHAT: "微信",
    Channel.WEB: "网站",
    Channel.APP: "APP",
    Channel.MAILBOX: "市长信箱",
    Channel.LETTER: "来信",
    Channel.VISIT: "来访",
    Channel.LEADER_PHONE: "领导电话",
    Channel.TRANSFER: "平台转入",
    Channel.API: "接口",
}


class Kind(StrEnum):
    CONSULTATION = "consultation"
    HELP = "help"
    COMPLAINT = "complaint"
    REPORT = "report"
    SUGGESTION = "suggestion"
    PRAISE = "praise"


KIND_LABELS = {
    Kind.CONSULTATION: "咨询",
    Kind.HELP: "求助",
    Kind.COMPLAINT: "投诉",
    Kind.REPORT: "举报",
    Kind.SUGGESTION: "建议",
    Kind.PRAISE: "表扬",
}


class Urgency(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"
    EMERGENCY = "emergency"


URGENCY_LABELS = {Urgency.NORMAL: "一般", Urgency.URGENT: "紧急", Urgency.EMERGENCY: "特急"}
URGENCY_ORDER = {Urgency.NORMAL: 0, Urgency.URGENT: 1, Urgency.EMERGENCY: 2}


class Outcome(StrEnum):
    RESOLVED = "resolved"
    EXPLAINED = "explained"
    CANNOT_RESOLVE = "cannot_resolve"


OUTCOME_LABELS = {
    Outcome.RESOLVED: "已解决",
    Outcome.EXPLAINED: "已解释说明",
    Outcome.CANNOT_RESOLVE: "无法解决",
}


class Satisfaction(StrEnum):
    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    DISSATISFIED = "dissatisfied"


SATISFACTION_LABELS = {
    Satisfaction.SATISFIED: "满意",
    Satisfaction.BASICALLY_SATISFIED: "基本满意",
    Satisfaction.DISSATISFIED: "不满意",
}


class Verdict(StrEnum):
    PROPER = "proper"
    REDO = "redo"


VERDICT_LABELS = {Verdict.PROPER: "处置得当", Verdict.REDO: "重办"}


class ExtensionStatus(StrEnum):
    NONE = ""
    REQUESTED = "requested"
    APPROVED = "approved"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"  # the unit replied while its request waited


class ClockKind(StrEnum):
    DISPATCH = "dispatch"
    TRANSFER = "transfer"
    ACCEPT = "accept"
    HANDLE = "handle"
    FOLLOW_UP = "follow_up"
    SUPERVISION = "supervision"
    REVIEW = "review"


CLOCK_LABELS = {
    ClockKind.DISPATCH: "转办时限",
    ClockKind.TRANSFER: "下派时限",
    ClockKind.ACCEPT: "签收时限",
    ClockKind.HANDLE: "办理时限",
    ClockKind.FOLLOW_UP: "回访时限",
    ClockKind.SUPERVISION: "督办时限",
    ClockKind.REVIEW: "评价时限",
}


# Kinds of unit (orgs.Unit.kind) a ticket is never dispatched to: the hotline centre itself and
# the offices that only receive read-only copies.
NOT_DISPATCHABLE = frozenset({"centre", "office"})
