"""The transition table, pair by pair, as a pure function (no database)."""

from __future__ import annotations

import pytest

from hotline.accounts.roles import Role
from hotline.tickets import workflow
from hotline.tickets.workflow import Refusal, decide

# The lifecycle table of DESIGN section 4: action -> (from states, to state or states).
EXPECTED = {
    "answer_directly": ({"registered"}, {"closed"}),
    "dispatch": ({"registered"}, {"dispatched"}),
    "forward": ({"dispatched"}, {"dispatched"}),
    "accept": ({"dispatched"}, {"in_progress"}),
    "send_back": ({"dispatched", "in_progress"}, {"registered"}),
    "request_extension": ({"in_progress"}, {"in_progress"}),
    "decide_extension": ({"in_progress"}, {"in_progress"}),
    "reply": ({"in_progress"}, {"replied"}),
    "follow_up": ({"replied"}, {"closed", "under_review"}),
    "review": ({"under_review"}, {"closed", "in_progress"}),
    "merge": ({"registered", "dispatched"}, {"merged"}),
    "invalidate": ({"registered"}, {"invalid"}),
    "supervise": (set(workflow.OPEN_STATUSES), None),
    "sign": (set(workflow.OPEN_STATUSES), None),
    "comment": (set(workflow.STATUSES), None),
    "pass_up": ({"registered", "dispatched"}, {"registered"}),
}

ALL_ROLES = frozenset(Role)

# Facts under which each action's guards hold (the guards are tested on their own below).
FACTS_FOR = {
    "request_extension": workflow.Facts(before_handle_deadline=True),
    "decide_extension": workflow.Facts(extension_status="requested"),
    "forward": workflow.Facts(holder_has_children=True),
    "pass_up": workflow.Facts(centre_has_parent=True),
}


def test_every_action_of_the_design_is_in_the_table():
    assert set(workflow.TICKET_ACTIONS) == set(EXPECTED)


@pytest.mark.parametrize("action", sorted(EXPECTED))
@pytest.mark.parametrize("status", workflow.STATUSES)
def test_pair(action, status):
    sources, targets = EXPECTED[action]
    rule = workflow.TABLE[action]
    data = {"satisfaction": "satisfied", "verdict": "proper"}
    if status in sources:
        new = decide(
            action,
            status,
            roles_anywhere=rule.roles,
            roles_at_holding_unit=rule.roles,
            facts=FACTS_FOR.get(action, workflow.Facts()),
            data=data,
        )
        assert new == status if targets is None else new in targets
    else:
        with pytest.raises(Refusal) as refusal:
            decide(
                action,
                status,
                roles_anywhere=rule.roles,
                roles_at_holding_unit=rule.roles,
                data=data,
            )
        assert refusal.value.kind == "state"


@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_wrong_role_is_refused_before_state(action):
    rule = workflow.TABLE[action]
    others = ALL_ROLES - rule.roles
    status = next(iter(EXPECTED[action][0]))
    with pytest.raises(Refusal) as refusal:
        decide(action, status, roles_anywhere=others, roles_at_holding_unit=others)
    assert refusal.value.kind == "role"


@pytest.mark.parametrize(
    "action", [a for a, r in workflow.TABLE.items() if r.scope == workflow.HOLDING_UNIT]
)
def test_unit_actions_need_the_role_at_the_holding_unit(action):
    rule = workflow.TABLE[action]
    status = next(iter(EXPECTED[action][0]))
    with pytest.raises(Refusal) as refusal:
        decide(action, status, roles_anywhere=rule.roles, roles_at_holding_unit=frozenset())
    assert refusal.value.kind == "role"


@pytest.mark.parametrize(
    "action, status, role, data, expected",
    [
        ("follow_up", "replied", Role.CALLBACK, {"satisfaction": "dissatisfied"}, "under_review"),
        ("follow_up", "replied", Role.CALLBACK, {"satisfaction": "basically_satisfied"}, "closed"),
        ("follow_up", "replied", Role.CALLBACK, {"satisfaction": "satisfied"}, "closed"),
        ("review", "under_review", Role.EVALUATOR, {"verdict": "redo"}, "in_progress"),
        ("review", "under_review", Role.EVALUATOR, {"verdict": "proper"}, "closed"),
    ],
)
def test_follow_up_and_review_targets_depend_on_the_verdict(action, status, role, data, expected):
    assert (
        decide(action, status, roles_anywhere={role}, roles_at_holding_unit=set(), data=data)
        == expected
    )


@pytest.mark.parametrize(
    "action, status, role, data, field",
    [
        ("follow_up", "replied", Role.CALLBACK, {}, "satisfaction"),
        ("follow_up", "replied", Role.CALLBACK, {"satisfaction": "meh"}, "satisfaction"),
        ("review", "under_review", Role.EVALUATOR, {"verdict": "maybe"}, "verdict"),
    ],
)
def test_a_missing_deciding_field_is_refused_not_guessed(action, status, role, data, field):
    with pytest.raises(Refusal) as refusal:
        decide(action, status, roles_anywhere={role}, roles_at_holding_unit=set(), data=data)
    assert (refusal.value.kind, refusal.value.field) == ("field", field)


def test_unknown_action():
    with pytest.raises(Refusal) as refusal:
        decide("teleport", "registered", roles_anywhere=ALL_ROLES, roles_at_holding_unit=ALL_ROLES)
    assert refusal.value.kind == "unknown"


def test_final_states_allow_only_comments():
    for status in workflow.FINAL_STATUSES:
        allowed = [a for a in workflow.TICKET_ACTIONS if status in workflow.TABLE[a].sources]
        assert allowed == ["comment"]


# --- guards: each action's conditions beyond state and role, one row per (action, facts) ----

F = workflow.Facts
GUARD_CASES = [
    # action, status, facts, refusal kind (None: allowed), field
    ("request_extension", "in_progress", F(before_handle_deadline=True), None, None),
    ("request_extension", "in_progress", F(before_handle_deadline=False), "state", None),
    (
        "request_extension",
        "in_progress",
        F(before_handle_deadline=True, extension_status="requested"),
        "state",
        None,
    ),
    (
        "request_extension",
        "in_progress",
        F(before_handle_deadline=True, extension_status="refused"),
        "state",
        None,
    ),
    (
        "request_extension",
        "in_progress",
        F(before_handle_deadline=True, extension_status="approved"),
        "state",
        None,
    ),
    ("decide_extension", "in_progress", F(extension_status="requested"), None, None),
    ("decide_extension", "in_progress", F(extension_status=""), "state", None),
    ("decide_extension", "in_progress", F(extension_status="approved"), "state", None),
    ("decide_extension", "in_progress", F(extension_status="withdrawn"), "state", None),
    ("forward", "dispatched", F(holder_has_children=True), None, None),
    ("forward", "dispatched", F(holder_has_children=False), "state", None),
    ("dispatch", "registered", F(named_unit_kind="district"), None, None),
    ("dispatch", "registered", F(named_unit_kind=None), None, None),
    ("dispatch", "registered", F(named_unit_kind="centre"), "field", "unit"),
    ("dispatch", "registered", F(named_unit_kind="office"), "field", "unit"),
    ("dispatch", "registered", F(named_unit_in_centre_tree=False), "field", "unit"),
    ("pass_up", "registered", F(centre_has_parent=True), None, None),
    ("pass_up", "registered", F(centre_has_parent=False), "state", None),
    ("pass_up", "dispatched", F(centre_has_parent=True, held_by_centre=False), "state", None),
]


@pytest.mark.parametrize("action, status, facts, kind, field", GUARD_CASES)
def test_guard(action, status, facts, kind, field):
    rule = workflow.TABLE[action]
    args = dict(roles_anywhere=rule.roles, roles_at_holding_unit=rule.roles, facts=facts)
    if kind is None:
        assert workflow.allowed(action, status, **args)
        decide(action, status, **args, data={})
        return
    assert not workflow.allowed(action, status, **args)
    with pytest.raises(Refusal) as refusal:
        decide(action, status, **args, data={})
    assert (refusal.value.kind, refusal.value.field) == (kind, field)


def test_every_guarded_action_has_cases():
    guarded = {a for a, r in workflow.TABLE.items() if r.guards}
    assert guarded == {case[0] for case in GUARD_CASES}


def test_state_is_checked_before_guards():
    rule = workflow.TABLE["request_extension"]
    with pytest.raises(Refusal) as refusal:
        decide(
            "request_extension",
            "replied",
            roles_anywhere=rule.roles,
            roles_at_holding_unit=rule.roles,
            facts=F(before_handle_deadline=False),
        )
    assert refusal.value.kind == "state"
    assert "replied" in str(refusal.value)


@pytest.mark.parametrize(
    "action, status, role",
    [("follow_up", "replied", Role.CALLBACK), ("review", "under_review", Role.EVALUATOR)],
)
def test_without_data_the_table_says_allowed_but_not_the_state(action, status, role):
    """The console asks whether an action may be taken without making up its fields."""
    assert decide(action, status, roles_anywhere={role}, roles_at_holding_unit=set()) is None
    assert workflow.allowed(
        action, status, roles_anywhere={role}, roles_at_holding_unit=set(), facts=F()
    )


@pytest.mark.parametrize(
    "action", [a for a, r in workflow.TABLE.items() if r.scope == workflow.CENTRE]
)
def test_centre_actions_need_the_role_at_the_tickets_centre(action):
    """A district centre's staff hold their roles there: on a ticket of another centre (or of
    the city's) the table refuses them, the role held anywhere is not enough."""
    rule = workflow.TABLE[action]
    status = next(iter(EXPECTED[action][0]))
    with pytest.raises(Refusal) as refusal:
        decide(
            action,
            status,
            roles_anywhere=rule.roles,
            roles_at_holding_unit=rule.roles,
            roles_at_centre=frozenset(),
            facts=FACTS_FOR.get(action, workflow.Facts()),
        )
    assert refusal.value.kind == "role"
    # The same roles at the ticket's centre (or above it) are enough.
    decide(
        action,
        status,
        roles_anywhere=rule.roles,
        roles_at_holding_unit=frozenset(),
        roles_at_centre=rule.roles,
        facts=FACTS_FOR.get(action, workflow.Facts()),
        data={"satisfaction": "satisfied", "verdict": "proper"},
    )
