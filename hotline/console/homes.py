"""Which home each role has at ``/console/``: a registry, role -> (label, page).

A home is either a view of the console rendered at ``/console/?role=<role>`` (the queues of
the centre's and the units' roles, the agent's intake screen) or a page of its own named by
its URL name (the callback agents' queue and the evaluators' reviews of the feedback app; the
supervisor's, inspector's, leader's and auditor's pages). A home whose URL name does not
resolve (its page is not built in this deployment) is left out, so a role without a page gets
the friendly "no queue" page rather than a broken link.

To add a home: ``home_register(Role.X, "标签", url_name="app:name")`` (or ``view=``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse

from hotline.accounts.roles import Role


@dataclass(frozen=True)
class Home:
    role: Role
    label: str
    url_name: str | None = None
    view: Callable[..., HttpResponse] | None = None

    def url(self) -> str | None:
        """Where the home is: its own page, or ``/console/?role=``; None when its page is
        not built."""
        if self.view is not None:
            return f"{reverse('console:home')}?role={self.role.value}"
        try:
            return reverse(self.url_name or "")
        except NoReverseMatch:
            return None


HOMES: dict[Role, Home] = {}
# The order of the tabs of a user with several roles.
ORDER = (
    Role.AGENT,
    Role.DISPATCHER,
    Role.SUB_DISPATCHER,
    Role.HANDLER,
    Role.UNIT_LEADER,
    Role.CALLBACK,
    Role.EVALUATOR,
    Role.SUPERVISOR,
    Role.INSPECTOR,
    Role.LEADER,
    Role.AUDITOR,
)


def home_register(
    role: Role,
    label: str,
    *,
    url_name: str | None = None,
    view: Callable[[HttpRequest, Role], HttpResponse] | None = None,
) -> None:
    if (url_name is None) == (view is None):
        raise ValueError("a home is a url_name or a view")
    HOMES[role] = Home(role, label, url_name, view)


def homes_for(roles) -> list[tuple[Home, str]]:
    """The homes of ``roles`` that exist here, with their URLs, in tab order."""
    out = []
    for role in sorted(roles, key=lambda r: ORDER.index(r) if r in ORDER else len(ORDER)):
        home = HOMES.get(role)
        url = home.url() if home is not None else None
        if home is not None and url is not None:
            out.append((home, url))
    return out


# The homes that are pages of other apps (or of the oversight pages, when they are built).
home_register(Role.CALLBACK, "回访队列", url_name="feedback:callback_queue")
home_register(Role.EVALUATOR, "评价任务", url_name="feedback:reviews")
home_register(Role.SUPERVISOR, "督办工作台", url_name="console:supervisor_home")
home_register(Role.INSPECTOR, "转交件", url_name="console:inspector_home")
home_register(Role.LEADER, "领导工作台", url_name="console:leader_home")
home_register(Role.AUDITOR, "审计日志", url_name="console:audit_log")
