"""The intake channels' own system users: no password (they never log in), their roles held at
the city's hotline centre. Created on first use; the registrations they make name them."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction

from hotline.accounts import services as account_services
from hotline.accounts.models import Membership, User
from hotline.accounts.roles import Role
from hotline.core.errors import NotFound
from hotline.orgs.models import Unit
from hotline.orgs.selectors import centres_all


def city_centre_unit() -> Unit | None:
    """The unit of the city's hotline centre (the centre above all others)."""
    city = next((c for c in centres_all() if c.parent_id is None), None)
    if city is not None:
        return city.unit
    return Unit.objects.filter(kind="centre", active=True, parent__parent__isnull=True).first()


def system_user(*, username: str, display_name: str, roles: Iterable[Role]) -> User:
    """The user ``username`` holding ``roles`` at the city's centre, made if missing."""
    user = User.objects.filter(username=username).first()
    if user is None:
        try:
            with transaction.atomic():
                user = account_services.user_create(username=username, display_name=display_name)
        except IntegrityError:
            user = User.objects.get(username=username)
    held = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    missing = [role for role in roles if role.value not in held]
    if missing:
        centre = city_centre_unit()
        if centre is None:
            raise NotFound("the city's hotline centre is missing: build the org tree first")
        for role in missing:
            account_services.membership_grant(user=user, unit=centre, role=role)
    return user
