"""The roles of DESIGN section 2. Pure data, no ORM."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    CITIZEN = "citizen"
    AGENT = "agent"
    DISPATCHER = "dispatcher"
    HANDLER = "handler"
    UNIT_LEADER = "unit_leader"
    SUB_DISPATCHER = "sub_dispatcher"
    CALLBACK = "callback"
    EVALUATOR = "evaluator"
    SUPERVISOR = "supervisor"
    INSPECTOR = "inspector"
    LEADER = "leader"
    ADMIN = "admin"
    AUDITOR = "auditor"
    INTEGRATION = "integration"
    SYSTEM = "system"


ROLE_LABELS = {
    Role.CITIZEN: "市民",
    Role.AGENT: "话务员",
    Role.DISPATCHER: "派单员",
    Role.HANDLER: "承办人",
    Role.UNIT_LEADER: "单位领导",
    Role.SUB_DISPATCHER: "区/街道分派员",
    Role.CALLBACK: "回访员",
    Role.EVALUATOR: "第三方评价员",
    Role.SUPERVISOR: "督查室",
    Role.INSPECTOR: "纪检监察",
    Role.LEADER: "市/区领导",
    Role.ADMIN: "管理员",
    Role.AUDITOR: "审计员",
    Role.INTEGRATION: "外部系统",
    Role.SYSTEM: "系统",
}

# Roles that, held at the platform's root unit, see every ticket.
PLATFORM_WIDE = frozenset(
    {
        Role.AGENT,
        Role.DISPATCHER,
        Role.CALLBACK,
        Role.EVALUATOR,
        Role.SUPERVISOR,
        Role.LEADER,
        Role.ADMIN,
    }
)

# Roles that see the tickets of their unit's sub-tree.
UNIT_SCOPED = frozenset({Role.HANDLER, Role.UNIT_LEADER, Role.SUB_DISPATCHER, Role.LEADER})

# The roles of a hotline centre: held at the city's centre they act city-wide; held at a
# district's centre (orgs.HotlineCentre) they act on that centre's tickets and its tree only.
CENTRE_ROLES = frozenset({Role.AGENT, Role.DISPATCHER, Role.CALLBACK, Role.EVALUATOR})
