"""What a user may do and see, read from their memberships."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from hotline.core.errors import BadInput, Forbidden
from hotline.core.models import AuditEvent

from .models import ApiToken, Membership, User
from .roles import CENTRE_ROLES, PLATFORM_WIDE, UNIT_SCOPED, Role


@dataclass(frozen=True)
class Grants:
    roles: frozenset[Role]
    by_unit: dict[int, frozenset[Role]] = field(default_factory=dict)
    sees_all: bool = False
    # Paths of units whose sub-tree the user sees (unit-scoped roles, inspectors' offices and
    # the districts of the district centres where the user holds a centre role).
    paths: tuple[str, ...] = ()
    # Centre roles held city-wide (at the city's centre, or at a unit that is no centre).
    city_roles: frozenset[Role] = frozenset()
    # Centre roles held at a district's centre, by centre id.
    by_centre: dict[int, frozenset[Role]] = field(default_factory=dict)
    # Paths of the units covered by those district centres: the user also sees the tickets
    # registered at or held by a centre there (自办件 not yet dispatched).
    centre_paths: tuple[str, ...] = ()

    def roles_at(self, unit_id: int | None) -> frozenset[Role]:
        if unit_id is None:
            return frozenset()
        return self.by_unit.get(unit_id, frozenset())

    def roles_at_centres(self, ancestry: Iterable[int]) -> frozenset[Role]:
        """The centre roles the user may use on a ticket held by the first centre of
        ``ancestry`` (that centre and those above it): district ones and the city-wide ones."""
        roles = set(self.city_roles)
        for centre_id in ancestry:
            roles |= self.by_centre.get(centre_id, frozenset())
        return frozenset(roles)

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
    # City-wide, so that it may take the centre's actions the table gives it (the automated
    # voice follow-up's follow_up).
    _hotline_grants = Grants(
        roles=frozenset({Role.SYSTEM}), sees_all=True, city_roles=frozenset({Role.SYSTEM})
    )

    def __str__(self) -> str:
        return "system"


SYSTEM = SystemActor()


# One membership as grants_from reads it: role, unit id, unit path, unit parent id, unit kind,
# and where the unit is a hotline centre: the centre's id, its parent centre's id and the path
# of the unit it covers (else None, None, None).
GrantRow = tuple[str, int, str, int | None, str, int | None, int | None, str | None]


@dataclass
class _GrantsSoFar:
    """What ``grants_from`` gathers, one membership row at a time."""

    roles: set[Role] = field(default_factory=set)
    by_unit: dict[int, set[Role]] = field(default_factory=dict)
    by_centre: dict[int, set[Role]] = field(default_factory=dict)
    city_roles: set[Role] = field(default_factory=set)
    sees_all: bool = False
    paths: list[str] = field(default_factory=list)
    centre_paths: list[str] = field(default_factory=list)

    def add(self, row: GrantRow) -> None:
        role_name, unit_id, path, parent_id, kind, centre_id, centre_parent, covers = row
        role = Role(role_name)
        self.roles.add(role)
        self.by_unit.setdefault(unit_id, set()).add(role)
        district = (centre_id, covers) if centre_parent is not None else None
        if role in CENTRE_ROLES and district is not None and district[0] and district[1]:
            self._at_district_centre(role, district[0], district[1])
        elif role in PLATFORM_WIDE and role is not Role.LEADER:
            self._platform_wide(role)
        elif role is Role.LEADER and (parent_id is None or kind == "centre"):
            self.sees_all = True
        elif role in UNIT_SCOPED or role is Role.INSPECTOR:
            self._unit_scoped(role, path, district)

    def _at_district_centre(self, role: Role, centre_id: int, covers: str) -> None:
        """A centre role at a district centre: that centre's tickets and its district's."""
        self.by_centre.setdefault(centre_id, set()).add(role)
        self.paths.append(covers)
        self.centre_paths.append(covers)

    def _platform_wide(self, role: Role) -> None:
        self.sees_all = True
        if role in CENTRE_ROLES:
            self.city_roles.add(role)

    def _unit_scoped(self, role: Role, path: str, district: tuple | None) -> None:
        """The unit's subtree; a district leader also reads the district centre's."""
        self.paths.append(path)
        if role is Role.LEADER and district is not None and district[1]:
            self.centre_paths.append(district[1])

    def grants(self) -> Grants:
        return Grants(
            roles=frozenset(self.roles),
            by_unit={k: frozenset(v) for k, v in self.by_unit.items()},
            sees_all=self.sees_all,
            paths=tuple(sorted(set(self.paths))),
            city_roles=frozenset(self.city_roles),
            by_centre={k: frozenset(v) for k, v in self.by_centre.items()},
            centre_paths=tuple(sorted(set(self.centre_paths))),
        )


def grants_from(rows: Iterable[GrantRow]) -> Grants:
    """Grants from membership rows (``GrantRow``). Pure."""
    so_far = _GrantsSoFar()
    for row in rows:
        so_far.add(row)
    return so_far.grants()


def grants_for(user) -> Grants:
    """Memberships of ``user`` as a Grants object, cached on the user instance."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return EMPTY
    cached = getattr(user, "_hotline_grants", None)
    if cached is not None:
        return cached
    rows = Membership.objects.filter(user=user, unit__active=True).values_list(
        "role",
        "unit_id",
        "unit__path",
        "unit__parent_id",
        "unit__kind",
        "unit__centre__id",
        "unit__centre__parent_id",
        "unit__centre__covers__path",
    )
    grants = grants_from(rows)
    user._hotline_grants = grants
    return grants


_GRANT_COLUMNS = (
    "grant_role",
    "grant_unit_id",
    "grant_path",
    "grant_parent_id",
    "grant_kind",
    "grant_centre_id",
    "grant_centre_parent",
    "grant_covers_path",
)


@cache
def _principal_sql() -> str:
    """The token's user and the user's memberships, one row per membership (or one row with
    NULL membership columns): a request is authenticated in one round trip."""
    from hotline.orgs.models import HotlineCentre, Unit

    qn = connection.ops.quote_name
    user_columns = ", ".join(f"u.{qn(f.column)}" for f in User._meta.concrete_fields)
    grant_columns = ", ".join(
        f"{source} AS {alias}"
        for source, alias in zip(
            (
                "m.role",
                "m.unit_id",
                "un.path",
                "un.parent_id",
                "un.kind",
                "hc.id",
                "hc.parent_id",
                "cv.path",
            ),
            _GRANT_COLUMNS,
            strict=True,
        )
    )
    return (
        f"SELECT {user_columns}, {grant_columns} "
        f"FROM {qn(ApiToken._meta.db_table)} t "
        f"JOIN {qn(User._meta.db_table)} u ON u.id = t.user_id "
        f"LEFT JOIN ({qn(Membership._meta.db_table)} m JOIN {qn(Unit._meta.db_table)} un "
        f"ON un.id = m.unit_id AND un.active = %s "
        f"LEFT JOIN {qn(HotlineCentre._meta.db_table)} hc ON hc.unit_id = un.id AND hc.active = %s "
        f"LEFT JOIN {qn(Unit._meta.db_table)} cv ON cv.id = hc.covers_id) ON m.user_id = u.id "
        f"WHERE t.key_hash = %s AND t.revoked = %s AND t.expires_at > %s"
    )


def principal_for_token(key_hash: str, now: datetime) -> User | None:
    """The active user holding a live token with this hash, their grants already attached."""
    rows = list(User.objects.raw(_principal_sql(), [True, True, key_hash, False, now]))
    if not rows or not rows[0].is_active:
        return None
    user = rows[0]
    user._hotline_grants = grants_from(
        tuple(getattr(row, column) for column in _GRANT_COLUMNS)
        for row in rows
        if row.grant_role is not None
    )
    for column in _GRANT_COLUMNS:
        delattr(user, column)
    return user


def users_by_username(usernames) -> dict[str, User]:
    """The users of these usernames (one query), for pages that name people."""
    names = {u for u in usernames if isinstance(u, str) and u}
    if not names:
        return {}
    return {u.username: u for u in User.objects.filter(username__in=names)}


# --- the audit log (read by auditors only) ----------------------------------------------------

AUDIT_READERS = frozenset({Role.AUDITOR})


def audit_events(
    user,
    *,
    actor: str | None = None,
    action: str | None = None,
    target: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEvent]:
    """The audit log, newest first, for an auditor: ``actor`` a username, ``action`` an action or
    its prefix (``ticket.`` for every ticket action), ``target`` exact, ``since``/``until`` days
    (both included, in the platform's time zone)."""
    if not grants_for(user).roles & AUDIT_READERS:
        raise Forbidden("the audit log is for auditors")
    if since and until and until < since:
        raise BadInput("to", "before from")
    qs = AuditEvent.objects.select_related("actor").order_by("-seq")
    if actor:
        found = User.objects.filter(username=actor).first()
        if found is None:
            raise BadInput("actor", f"no user {actor!r}")
        qs = qs.filter(actor=found)
    if action:
        qs = qs.filter(action__startswith=action)
    if target:
        qs = qs.filter(target=target)
    if since:
        qs = qs.filter(at__gte=_day_start(since))
    if until:
        qs = qs.filter(at__lt=_day_start(until + timedelta(days=1)))
    return qs


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
