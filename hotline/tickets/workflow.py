"""The ticket lifecycle of DESIGN section 4 as a table. Pure: no ORM, no Django.

``decide`` answers one question: may an actor holding these roles take this action on a
ticket in this state, and what state does it lead to? The service layer
(``services.ticket_transition``) is the only caller that changes tickets.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from hotline.accounts.roles import Role

from .choices import (
    CHANNEL_LABELS,
    CLOCK_LABELS,
    KIND_LABELS,
    NOT_DISPATCHABLE,
    OUTCOME_LABELS,
    SATISFACTION_LABELS,
    STATUS_LABELS,
    URGENCY_LABELS,
    VERDICT_LABELS,
    ExtensionStatus,
    Status,
)

# --- vocabulary (hotline.tickets.choices; the short names are kept for readers of the table) -

REGISTERED, DISPATCHED, IN_PROGRESS = Status.REGISTERED, Status.DISPATCHED, Status.IN_PROGRESS
REPLIED, UNDER_REVIEW, CLOSED = Status.REPLIED, Status.UNDER_REVIEW, Status.CLOSED
MERGED, INVALID = Status.MERGED, Status.INVALID

STATUSES = tuple(Status)
STATUS_CHOICES = [(s.value, STATUS_LABELS[s]) for s in Status]
OPEN_STATUSES = frozenset({REGISTERED, DISPATCHED, IN_PROGRESS, REPLIED, UNDER_REVIEW})
FINAL_STATUSES = frozenset({CLOSED, MERGED, INVALID})

CHANNELS = {c.value: label for c, label in CHANNEL_LABELS.items()}
CHANNEL_CHOICES = list(CHANNELS.items())
KINDS = {k.value: label for k, label in KIND_LABELS.items()}
KIND_CHOICES = list(KINDS.items())
URGENCIES = {u.value: label for u, label in URGENCY_LABELS.items()}
URGENCY_CHOICES = list(URGENCIES.items())
OUTCOMES = {o.value: label for o, label in OUTCOME_LABELS.items()}
SATISFACTIONS = {s.value: label for s, label in SATISFACTION_LABELS.items()}
VERDICTS = {v.value: label for v, label in VERDICT_LABELS.items()}
CLOCKS = {c.value: label for c, label in CLOCK_LABELS.items()}
CLOCK_CHOICES = list(CLOCKS.items())


class Refusal(Exception):
    """Why an action may not be taken: ``kind`` is "role" (403), "state" (409), "field" (400,
    a field the new state depends on is missing or wrong) or "unknown"."""

    def __init__(self, kind: str, message: str, *, field: str | None = None):
        self.kind = kind
        self.field = field
        super().__init__(message)


# --- facts and guards ------------------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What the rules need to know of a ticket beyond its state, read by the service under the
    ticket's lock (``transition.facts_of``)."""

    extension_status: str = ExtensionStatus.NONE
    # The holding unit has active child units to forward to.
    holder_has_children: bool = False
    # A handling clock runs and its deadline has not passed yet.
    before_handle_deadline: bool = False
    # The kind (orgs.Unit.kind) of the unit the action names in its ``unit`` field, if any.
    named_unit_kind: str | None = None
    # The unit the action names lies in the tree of a centre whose role the actor uses here
    # (always true when no unit is named, and for the city's centre).
    named_unit_in_centre_tree: bool = True
    # The ticket's centre answers to a centre above it (a district's centre).
    centre_has_parent: bool = False
    # No unit below the centre holds the ticket (it waits at the centre, or the centre's own
    # unit received it from the city).
    held_by_centre: bool = True


@dataclass(frozen=True)
class Guard:
    """A condition an action needs besides state and role: ``test`` of the fact named ``fact``
    holds, or a refusal of ``kind`` ("state": 409, "field": 400 naming ``field``) with
    ``message``. Naming the fact lets the service read only the facts an action needs."""

    fact: str
    test: Callable[[object], bool]
    kind: str
    message: str
    field: str | None = None

    def check(self, facts: Facts) -> None:
        if not self.test(getattr(facts, self.fact)):
            raise Refusal(self.kind, self.message, field=self.field)


def _is(value: object) -> Callable[[object], bool]:
    return lambda fact: fact == value


def _true(fact: object) -> bool:
    return bool(fact)


NO_EXTENSION_YET = Guard(
    "extension_status",
    _is(ExtensionStatus.NONE),
    "state",
    "an extension was already asked for on this ticket (at most once)",
)
BEFORE_DEADLINE = Guard(
    "before_handle_deadline",
    _true,
    "state",
    "an extension must be asked before the handling deadline",
)
EXTENSION_WAITING = Guard(
    "extension_status",
    _is(ExtensionStatus.REQUESTED),
    "state",
    "no extension request is waiting for a decision",
)
HOLDER_HAS_CHILDREN = Guard(
    "holder_has_children",
    _true,
    "state",
    "the holding unit has no child units to forward to",
)
NOT_TO_THE_CENTRE = Guard(
    "named_unit_kind",
    lambda kind: kind not in NOT_DISPATCHABLE,
    "field",
    "tickets are dispatched to handling units, not to the centre or an office",
    field="unit",
)
IN_CENTRE_TREE = Guard(
    "named_unit_in_centre_tree",
    _true,
    "field",
    "not a unit below the centre: a district centre dispatches inside its own district",
    field="unit",
)
CENTRE_HAS_PARENT = Guard(
    "centre_has_parent",
    _true,
    "state",
    "only a district centre passes a ticket up to the city",
)
HELD_BY_CENTRE = Guard(
    "held_by_centre",
    _true,
    "state",
    "a unit below the centre holds the ticket: it sends it back instead",
)

# --- the table -------------------------------------------------------------------------------

# Where the actor must hold the role:
PLATFORM = "platform"  # anywhere
CENTRE = "centre"  # at the ticket's hotline centre or a centre above it (the city's)
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
    guards: tuple[Guard, ...] = ()

    @property
    def facts_needed(self) -> frozenset[str]:
        """The facts this rule's guards read."""
        return frozenset(g.fact for g in self.guards)

    def target(self, status: str, data: Mapping[str, object]) -> str:
        if not self.targets:
            return status
        if len(self.targets) == 1:
            return next(iter(self.targets))
        return self.resolve(data)  # type: ignore[return-value]


def _rule(action, sources, targets, roles, scope, label, resolve=_same, guards=()) -> Rule:
    return Rule(
        action,
        frozenset(sources),
        frozenset(targets),
        frozenset(roles),
        scope,
        resolve,
        label,
        tuple(guards),
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
        _rule("answer_directly", [REGISTERED], [CLOSED], {R.AGENT}, CENTRE, "直接答复"),
        _rule(
            "dispatch",
            [REGISTERED],
            [DISPATCHED],
            {R.DISPATCHER},
            CENTRE,
            "派单",
            guards=[NOT_TO_THE_CENTRE, IN_CENTRE_TREE],
        ),
        _rule(
            "forward",
            [DISPATCHED],
            [DISPATCHED],
            {R.SUB_DISPATCHER, R.DISPATCHER},
            HOLDING_UNIT,
            "转派",
            guards=[HOLDER_HAS_CHILDREN],
        ),
        _rule("accept", [DISPATCHED], [IN_PROGRESS], {R.HANDLER}, HOLDING_UNIT, "签收"),
        _rule(
            "send_back", [DISPATCHED, IN_PROGRESS], [REGISTERED], {R.HANDLER}, HOLDING_UNIT, "退单"
        ),
        _rule(
            "request_extension",
            [IN_PROGRESS],
            [],
            {R.HANDLER},
            HOLDING_UNIT,
            "申请延期",
            guards=[NO_EXTENSION_YET, BEFORE_DEADLINE],
        ),
        _rule(
            "decide_extension",
            [IN_PROGRESS],
            [],
            {R.DISPATCHER},
            CENTRE,
            "审批延期",
            guards=[EXTENSION_WAITING],
        ),
        _rule("reply", [IN_PROGRESS], [REPLIED], {R.HANDLER}, HOLDING_UNIT, "回复"),
        _rule(
            "follow_up",
            [REPLIED],
            [CLOSED, UNDER_REVIEW],
            {R.CALLBACK, R.SYSTEM},  # the system: the automated voice follow-up (IVR)
            CENTRE,
            "回访",
            _after_follow_up,
        ),
        _rule(
            "review",
            [UNDER_REVIEW],
            [CLOSED, IN_PROGRESS],
            {R.EVALUATOR},
            CENTRE,
            "第三方评价",
            _after_review,
        ),
        _rule("merge", [REGISTERED, DISPATCHED], [MERGED], {R.DISPATCHER}, CENTRE, "并单"),
        _rule("invalidate", [REGISTERED], [INVALID], {R.AGENT, R.DISPATCHER}, CENTRE, "作废"),
        _rule(
            "pass_up",
            [REGISTERED, DISPATCHED],
            [REGISTERED],
            {R.DISPATCHER},
            CENTRE,
            "上报市级",
            guards=[CENTRE_HAS_PARENT, HELD_BY_CENTRE],
        ),
        _rule("supervise", OPEN_STATUSES, [], {R.SUPERVISOR}, PLATFORM, "督办"),
        # 领导签批: a leader's written instruction on a ticket they may see; supervision keeps
        # it as a supervision order, so the ticket is in the supervision office's queue.
        _rule("sign", OPEN_STATUSES, [], {R.LEADER}, VISIBLE, "领导签批"),
        _rule("comment", STATUSES, [], COMMENTERS, VISIBLE, "备注"),
        _rule("warn", OPEN_STATUSES, [], {R.SYSTEM}, PLATFORM, "预警"),
        _rule("reclock", OPEN_STATUSES, [], {R.SYSTEM}, PLATFORM, "重算时限"),
    ]
}
ACTIONS = tuple(TABLE)
# Actions taken through POST .../actions/{action} (register has its own endpoint).
# Actions the platform takes by itself (never through the API).
SYSTEM_ACTIONS = ("warn", "reclock")
TICKET_ACTIONS = tuple(a for a in ACTIONS if a != "register" and a not in SYSTEM_ACTIONS)


ALL_FACTS = frozenset(f for rule in TABLE.values() for f in rule.facts_needed)


def decide(
    action: str,
    status: str,
    *,
    roles_anywhere: frozenset[Role] | set[Role],
    roles_at_holding_unit: frozenset[Role] | set[Role],
    roles_at_centre: frozenset[Role] | set[Role] | None = None,
    facts: Facts = Facts(),
    data: Mapping[str, object] | None = None,
) -> str | None:
    """Return the new state, or raise ``Refusal``.

    Checks, in order: the action exists; the actor holds one of its roles at all (else
    "role"); the ticket's state allows it (else "state"); where the rule requires it, the
    role is held at the holding unit, or at the ticket's centre or one above it (else "role";
    ``roles_at_centre`` None means wherever the role is held); the rule's guards hold for ``facts``
    (each says "state" or "field"); a field that decides the new state is valid (else
    "field"). With ``data`` None the fields are not looked at: the answer is whether the
    action may be taken now, and the new state is None where a field would decide it.
    The services pass the ticket's real ``facts``.
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
    at_centre = roles_anywhere if roles_at_centre is None else roles_at_centre
    if rule.scope == CENTRE and not rule.roles & set(at_centre):
        raise Refusal("role", f"{action} must be taken by the ticket's centre or one above it")
    for guard in rule.guards:
        guard.check(facts)
    if data is None and len(rule.targets) > 1:
        return None
    return rule.target(status, data or {})


def allowed(
    action: str,
    status: str,
    *,
    roles_anywhere: frozenset[Role] | set[Role],
    roles_at_holding_unit: frozenset[Role] | set[Role],
    roles_at_centre: frozenset[Role] | set[Role] | None = None,
    facts: Facts,
) -> bool:
    """Whether ``decide`` would let the actor take ``action`` now (fields aside)."""
    try:
        decide(
            action,
            status,
            roles_anywhere=roles_anywhere,
            roles_at_holding_unit=roles_at_holding_unit,
            roles_at_centre=roles_at_centre,
            facts=facts,
        )
    except Refusal:
        return False
    return True
