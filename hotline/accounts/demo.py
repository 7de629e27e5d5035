"""Demo logins (password ``demo`` for all), documented in the README."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.db import transaction

from hotline.orgs.models import HotlineCentre, Unit

from . import services
from .models import User
from .roles import Role

CENTRE_USERS = [
    ("admin", "系统管理员", [("center", Role.ADMIN)], True),
    ("agent", "话务员小李", [("center", Role.AGENT)], False),
    ("dispatcher", "派单员小王", [("center", Role.DISPATCHER)], False),
    ("callback", "回访员小张", [("center", Role.CALLBACK)], False),
    ("evaluator", "第三方评价员", [("center", Role.EVALUATOR)], False),
    ("supervisor", "督查室专员", [("supervision", Role.SUPERVISOR)], False),
    ("inspector", "纪检监察员", [("discipline", Role.INSPECTOR)], False),
    ("leader", "市领导", [("wuhan", Role.LEADER)], False),
    ("auditor", "审计员", [("center", Role.AUDITOR)], False),
    ("integration", "外部系统", [("center", Role.INTEGRATION)], False),
]


@transaction.atomic
def build_users(password: str = "demo") -> int:
    encoded = make_password(password)
    created = 0
    units = {u.code: u for u in Unit.objects.all()}
    for username, name, grants, superuser in CENTRE_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = services.user_create(
                username=username,
                display_name=name,
                password_hash=encoded,
                is_staff=superuser,
                is_superuser=superuser,
            )
            created += 1
        for code, role in grants:
            services.membership_grant(user=user, unit=units[code], role=role)
    with_children = set(
        Unit.objects.filter(parent__isnull=False).values_list("parent__code", flat=True)
    )
    for unit in units.values():
        if unit.kind in ("centre", "office") or unit.parent_id is None:
            continue
        logins = [(f"{unit.code}-handler", f"{unit.name}承办人", Role.HANDLER)]
        if unit.code in with_children:
            logins.append((f"{unit.code}-dispatcher", f"{unit.name}分派员", Role.SUB_DISPATCHER))
        if unit.assessed:
            logins.append((f"{unit.code}-leader", f"{unit.name}领导", Role.UNIT_LEADER))
        for username, name, role in logins:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = services.user_create(
                    username=username, display_name=name, password_hash=encoded
                )
                created += 1
            services.membership_grant(user=user, unit=unit, role=role)
    created += _build_district_centre_users(encoded)
    return created


DISTRICT_CENTRE_ROLES = [
    ("agent", "话务员", Role.AGENT),
    ("dispatcher", "派单员", Role.DISPATCHER),
    ("callback", "回访员", Role.CALLBACK),
]


def _build_district_centre_users(encoded: str) -> int:
    """``<district>-centre-agent``, ``-dispatcher`` and ``-callback`` at each district's centre."""
    created = 0
    for centre in HotlineCentre.objects.filter(parent__isnull=False).select_related("unit"):
        for suffix, title, role in DISTRICT_CENTRE_ROLES:
            username = f"{centre.unit.code}-centre-{suffix}"
            user = User.objects.filter(username=username).first()
            if user is None:
                user = services.user_create(
                    username=username, display_name=f"{centre.name}{title}", password_hash=encoded
                )
                created += 1
            services.membership_grant(user=user, unit=centre.unit, role=role)
    return created
