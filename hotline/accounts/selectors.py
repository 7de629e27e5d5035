"""What a user may do and see, read from their memberships."""

from __future__ import annotations

from dataclasses import dataclass, field

from .models import Membership
from .roles import PLATFORM_WIDE, UNIT_SCOPED, Role


@dataclass(frozen=True)
class Grants:
    roles: frozenset[Role]
    by_unit: dict[int, frozenset[Role]] = field(default_factory=dict)
    sees_all: bool = False
    # Paths of units whose sub-tree the user sees (unit-scoped roles and inspectors' offices).
    paths: tuple[str, ...] = ()

    def roles_at(self, unit_id: int | None) -> frozenset[Role]:
        if unit_id is None:
            return frozenset()
        return self.by_unit.get(unit_id, frozenset())

    @property
    def reads_tickets(self) -> bool:
        return self.sees_all or bool(self.paths)


EMPTY = Grants(roles=frozenset())


class SystemActor:
    """The platform itself, acting on a timer (warnings). Not a login: it has no row, holds
    only the system role and sees every ticket; its events are signed "system"."""

    pk = None
    username = "system"
    is_authenticated = True
    is_active = True
    _hotline_grants = Grants(roles=frozenset({Role.SYSTEM}), sees_all=True)

    def __str__(self) -> str:
        return "system"


SYSTEM = SystemActor()


def grants_for(user) -> Grants:
    """Memberships of ``user`` as a Grants object, cached on the user instance."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return EMPTY
    cached = getattr(user, "_hotline_grants", None)
    if cached is not None:
        return cached
    roles: set[Role] = set()
    by_unit: dict[int, set[Role]] = {}
    sees_all = False
    paths: list[str] = []
    rows = Membership.objects.filter(user=user, unit__active=True).values_list(
        "role", "unit_id", "unit__path", "unit__parent_id", "unit__kind"
    )
    for role_name, unit_id, path, parent_id, kind in rows:
        role = Role(role_name)
        roles.add(role)
        by_unit.setdefault(unit_id, set()).add(role)
        if role in PLATFORM_WIDE and role is not Role.LEADER:
            sees_all = True
        elif role is Role.LEADER and (parent_id is None or kind == "centre"):
            sees_all = True
        elif role in UNIT_SCOPED or role is Role.INSPECTOR:
            paths.append(path)
    grants = Grants(
        roles=frozenset(roles),
        by_unit={k: frozenset(v) for k, v in by_unit.items()},
        sees_all=sees_all,
        paths=tuple(sorted(set(paths))),
    )
    user._hotline_grants = grants
    return grants
