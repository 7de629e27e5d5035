"""The ticket lifecycle of DESIGN section 4 as a table. Pure: no ORM, no Django.

``decide`` answers one question: may an actor holding these roles take this action on a
ticket in this state, and what state does it lead to? The service layer
(``services.ticket_transition``) is the only caller that changes tickets.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from hotline.accounts.roles import Role

# --- vocabulary ------------------------------------------------------------------------------

REGISTERED, DISPATCHED, IN_PROGRESS = "registered", "dispatched", "in_progress"
REPLIED, UNDER_REVIEW, CLOSED, MERGED, INVALID = (
    "replied",
    "under_review",
    "closed",
    "merged",
    "invalid",
)

STATUSES = (REGISTERED, DISPATCHED, IN_PROGRESS, REPLIED, UNDER_REVIEW, CLOSED, MERGED, INVALID)
STATUS_LABELS = {
    REGISTERED: "待派单",
    DISPATCHED: "待签收",
    IN_PROGRESS: "办理中",
    REPLIED: "待回访",
    UNDER_REVIEW: "复核中",
    CLOSED: "已办结",
    MERGED: "已并单",
    INVALID: "无效",
}
STATUS_CHOICES = [(s, STATUS_LABELS[s]) for s in STATUSES]
OPEN_STATUSES = frozenset({REGISTERED, DISPATCHED, IN_PROGRESS, REPLIED, UNDER_REVIEW})
FINAL_STATUSES = frozenset({CLOSED, MERGED, INVALID})

CHANNELS = {
    "phone": "电话",
    "wechat": "微信",
    "web": "网站",
    "app": "APP",
    "mailbox": "市长信箱",
    "letter": "来信",
    "visit": "来访",
    "leader_phone": "领导电话",
    "transfer": "平台转入",
    "api": "接口",
}
CHANNEL_CHOICES = list(CHANNELS.items())

KINDS = {
    "consultation": "咨询",
    "help": "求助",
    "complaint": "投诉",
    "report": "举报",
    "suggestion": "建议",
    "praise": "表扬",
}
KIND_CHOICES = list(KINDS.items())

URGENCIES = {"normal": "一般", "urgent": "紧急", "emergency": "特急"}
URGENCY_CHOICES = list(URGENCIES.items())

OUTCOMES = {"resolved": "已解决", "explained": "已解释说明", "cannot_resolve": "无法解决"}
SATISFACTIONS = {"satisfied": "满意", "basically_satisfied": "基本满意", "dissatisfied": "不满意"}
VERDICTS = {"proper": "处置得当", "redo": "重办"}

CLOCKS = {
    "dispatch": "转办时限",
    "transfer": "下派时限",
    "accept": "签收时限",
    "handle": "办理时限",
    "follow_up": "回访时限",
    "supervision": "督办时限",
}
CLOCK_CHOICES = list(CLOCKS.items())


class Refusal(Exception):
    """Why an action may not be taken: ``kind`` is "role" (403), "state" (409), "field" (400,
    a field the new state depends on is missing or wrong) or "unknown"."""

    def __init__(self, kind: str, message: str, *, field: str | None = None):
        self.kind = kind
        self.field = field
        super().__init__(message)


# --- the table -------------------------------------------------------------------------------

# Where the actor must hold the role:
PLATFORM = "platform"  # anywhere (the role only exists at the hotline centre)
HOLDING_UNIT = "holding_unit"  # at the unit that currently holds the ticket
VISIBLE = "visible"  # any role that can see the ticket


def _same(data: Mapping[str, object]) -> str | None:
    return None


def _by_field(field: str, choices: Mapping[str, str], outcomes: Mapping[str, str]):
    """A resolver for a rule whose new state depends on one field of the action."""

    def resolve(data: Mapping[str, object]) -> str:
        value = data.get(field)
        if value not in choices:
            raise Refusal("field", f"required, one of {', '.join(choices)}", field=field)
        return outcomes.get(value, CLOSED)  # type: ignore[arg-type]

    return resolve


_after_follow_up = _by_field("satisfaction", SATISFACTIONS, {"dissatisfied": UNDER_REVIEW})
_after_review = _by_field("verdict", VERDICTS, {"redo": IN_PROGRESS})


@dataclass(frozen=True)
class Rule:
    action: str
    sources: frozenset[str]
    targets: frozenset[str]  # possible new states; empty = unchanged
    roles: frozenset[Role]
    scope: str
    resolve: Callable[[Mapping[str, object]], str | None] = _same
    label: str = ""

    def target(self, status: str, data: Mapping[str, object]) -> str:
        if not self.targets:
            return status
        if len(self.targets) == 1:
            return next(iter(self.targets))
        return self.resolve(data)  # type: ignore[return-value]


def _rule(action, sources, targets, roles, scope, label, resolve=_same) -> Rule:
    return Rule(
        action, frozenset(sources), frozenset(targets), frozenset(roles), scope, resolve, label
    )


R = Role
COMMENTERS = {
    R.AGENT,
    R.DISPATCHER,
    R.HANDLER,
    R.UNIT_LEADER,
    R.SUB_DISPATCHER,
    R.CALLBACK,
    R.EVALUATOR,
    R.SUPERVISOR,
    R.LEADER,
    R.ADMIN,
}

TABLE: dict[str, Rule] = {
    r.action: r
    for r in [
        _rule(
            "register",
            [""],
            [REGISTERED],
            {R.AGENT, R.DISPATCHER, R.CITIZEN, R.INTEGRATION, R.ADMIN},
            PLATFORM,
            "登记",
        ),
        _rule("answer_directly", [REGISTERED], [CLOSED], {R.AGENT}, PLATFORM, "直接答复"),
        _rule("dispatch", [REGISTERED], [DISPATCHED], {R.DISPATCHER}, PLATFORM, "派单"),
        _rule("forward", [DISPATCHED], [DISPATCHED], {R.SUB_DISPATCHER}, HOLDING_UNIT, "转派"),
        _rule("accept", [DISPATCHED], [IN_PROGRESS], {R.HANDLER}, HOLDING_UNIT, "签收"),
        _rule(
            "send_back", [DISPATCHED, IN_PROGRESS], [REGISTERED], {R.HANDLER}, HOLDING_UNIT, "退单"
        ),
        _rule("request_extension", [IN_PROGRESS], [], {R.HANDLER}, HOLDING_UNIT, "申请延期"),
        _rule("decide_extension", [IN_PROGRESS], [], {R.DISPATCHER}, PLATFORM, "审批延期"),
        _rule("reply", [IN_PROGRESS], [REPLIED], {R.HANDLER}, HOLDING_UNIT, "回复"),
        _rule(
            "follow_up",
            [REPLIED],
            [CLOSED, UNDER_REVIEW],
            {R.CALLBACK, R.SYSTEM},  # the system: the automated voice follow-up (IVR)
            PLATFORM,
            "回访",
            _after_follow_up,
        ),
        _rule(
            "review",
            [UNDER_REVIEW],
            [CLOSED, IN_PROGRESS],
            {R.EVALUATOR},
            PLATFORM,
            "第三方评价",
            _after_review,
        ),
        _rule("merge", [REGISTERED, DISPATCHED], [MERGED], {R.DISPATCHER}, PLATFORM, "并单"),
        _rule("invalidate", [REGISTERED], [INVALID], {R.AGENT, R.DISPATCHER}, PLATFORM, "作废"),
        _rule("supervise", OPEN_STATUSES, [], {R.SUPERVISOR}, PLATFORM, "督办"),
        _rule("comment", STATUSES, [], COMMENTERS, VISIBLE, "备注"),
        _rule("warn", OPEN_STATUSES, [], {R.SYSTEM}, PLATFORM, "预警"),
    ]
}
ACTIONS = tuple(TABLE)
# Actions taken through POST .../actions/{action} (register has its own endpoint).
# Actions the platform takes by itself (never through the API).
SYSTEM_ACTIONS = ("warn",)
TICKET_ACTIONS = tuple(a for a in ACTIONS if a != "register" and a not in SYSTEM_ACTIONS)


def decide(
    action: str,
    status: str,
    *,
    roles_anywhere: frozenset[Role] | set[Role],
    roles_at_holding_unit: frozenset[Role] | set[Role],
    data: Mapping[str, object] | None = None,
) -> str:
    """Return the new state, or raise ``Refusal``.

    Checks, in order: the action exists; the actor holds one of its roles at all (else
    "role"); the ticket's state allows it (else "state"); where the rule requires it, the
    role is held at the holding unit (else "role"); a field that decides the new state is
    valid (else "field").
    """
    rule = TABLE.get(action)
    if rule is None:
        raise Refusal("unknown", f"unknown action {action!r}")
    if not rule.roles & set(roles_anywhere):
        raise Refusal("role", f"{action} needs one of the roles {sorted(rule.roles)}")
    if status not in rule.sources:
        raise Refusal("state", f"{action} is not allowed on a ticket that is {status}")
    if rule.scope == HOLDING_UNIT and not rule.roles & set(roles_at_holding_unit):
        raise Refusal("role", f"{action} must be taken by the unit that holds the ticket")
    return rule.target(status, data or {})
