"""The life of a knowledge-base article (pure, no Django): its states, the actions between
them, who may take each. docs/knowledge.md explains the choices.

    draft --submit--> in_review --publish--> published --retire--> retired
      ^                  |                      |                    |
      +------reject------+        edit: back to draft (a new version) +

Writers: the centre's agents, dispatchers, callback agents and admins. Reviewers (publish,
reject, retire): dispatchers and admins, and never the person who wrote the version under
review (four eyes).
"""

from __future__ import annotations

from dataclasses import dataclass

DRAFT, IN_REVIEW, PUBLISHED, RETIRED = "draft", "in_review", "published", "retired"
STATUSES = {DRAFT: "草稿", IN_REVIEW: "待审核", PUBLISHED: "已发布", RETIRED: "已停用"}

WRITERS = frozenset({"agent", "dispatcher", "callback", "admin"})
REVIEWERS = frozenset({"dispatcher", "admin"})
# Everyone who works tickets may read the knowledge base; the auditor reads the audit log only.
READERS = frozenset(
    {
        "agent",
        "dispatcher",
        "callback",
        "evaluator",
        "handler",
        "unit_leader",
        "sub_dispatcher",
        "supervisor",
        "inspector",
        "leader",
        "admin",
    }
)


@dataclass(frozen=True)
class Step:
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    label: str
    four_eyes: bool = False  # not by the writer of the version


ACTIONS: dict[str, Step] = {
    "edit": Step(frozenset({DRAFT, PUBLISHED, RETIRED}), DRAFT, WRITERS, "编辑"),
    "submit": Step(frozenset({DRAFT}), IN_REVIEW, WRITERS, "提交审核"),
    "publish": Step(frozenset({IN_REVIEW}), PUBLISHED, REVIEWERS, "审核发布", four_eyes=True),
    "reject": Step(frozenset({IN_REVIEW}), DRAFT, REVIEWERS, "退回修改", four_eyes=True),
    "retire": Step(frozenset({PUBLISHED}), RETIRED, REVIEWERS, "停用"),
}


class Refused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status  # 403 role, 409 state
        self.message = message


def decide(action: str, status: str, *, roles: frozenset[str], wrote_it: bool) -> str:
    """The state after ``action``, or ``Refused``: 403 for a role that may not, 409 for the
    wrong state, 403 for a reviewer reviewing their own text."""
    step = ACTIONS[action]
    if not roles & step.roles:
        raise Refused(403, f"this role may not {action} an article")
    if status not in step.sources:
        raise Refused(409, f"an article {status} cannot be {action}ed")
    if step.four_eyes and wrote_it:
        raise Refused(403, "the writer of an article may not review it; another reviewer must")
    return step.target


def allowed(status: str, *, roles: frozenset[str], wrote_it: bool) -> list[str]:
    out = []
    for action in ACTIONS:
        try:
            decide(action, status, roles=roles, wrote_it=wrote_it)
        except Refused:
            continue
        out.append(action)
    return out
