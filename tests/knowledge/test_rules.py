"""The article lifecycle table (pure)."""

import pytest

from hotline.knowledge import rules


def test_the_happy_path():
    writer, reviewer = frozenset({"agent"}), frozenset({"dispatcher"})
    assert rules.decide("submit", "draft", roles=writer, wrote_it=True) == "in_review"
    assert rules.decide("publish", "in_review", roles=reviewer, wrote_it=False) == "published"
    assert rules.decide("retire", "published", roles=reviewer, wrote_it=False) == "retired"
    assert rules.decide("edit", "published", roles=writer, wrote_it=False) == "draft"


@pytest.mark.parametrize(
    ("action", "status", "roles", "wrote_it", "code"),
    [
        ("publish", "in_review", {"agent"}, False, 403),  # agents write, do not publish
        ("publish", "in_review", {"dispatcher"}, True, 403),  # not one's own text
        ("reject", "in_review", {"admin"}, True, 403),
        ("publish", "draft", {"dispatcher"}, False, 409),
        ("retire", "draft", {"admin"}, False, 409),
        ("submit", "in_review", {"agent"}, True, 409),
        ("submit", "draft", {"handler"}, True, 403),
    ],
)
def test_refusals(action, status, roles, wrote_it, code):
    with pytest.raises(rules.Refused) as refused:
        rules.decide(action, status, roles=frozenset(roles), wrote_it=wrote_it)
    assert refused.value.status == code


def test_allowed_lists_what_the_buttons_show():
    assert rules.allowed("in_review", roles=frozenset({"dispatcher"}), wrote_it=True) == []
    assert rules.allowed("in_review", roles=frozenset({"dispatcher"}), wrote_it=False) == [
        "publish",
        "reject",
    ]
