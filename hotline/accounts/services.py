"""Writes for accounts: tokens, users, memberships."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone

from hotline.core.errors import BadInput, NotAuthenticated

from .models import ApiToken, Membership, User
from .selectors import principal_for_token


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_issue(*, username: str, password: str) -> str:
    if not username:
        raise BadInput("username", "required")
    if not password:
        raise BadInput("password", "required")
    user = authenticate(username=username, password=password)
    if user is None or not user.is_active:
        raise NotAuthenticated("wrong username or password")
    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user,
        key_hash=_digest(key),
        expires_at=timezone.now() + timedelta(days=settings.HOTLINE_TOKEN_DAYS),
    )
    return key


def token_user(key: str) -> User | None:
    if not key:
        return None
    return principal_for_token(_digest(key), timezone.now())


def user_create(
    *,
    username: str,
    password: str | None = None,
    display_name: str = "",
    phone: str = "",
    password_hash: str | None = None,
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    user = User(
        username=username,
        display_name=display_name,
        phone=phone,
        is_staff=is_staff,
        is_superuser=is_superuser,
    )
    if password_hash:
        user.password = password_hash
    elif password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user


def membership_grant(*, user: User, unit, role: str) -> Membership:
    with transaction.atomic():
        membership, _ = Membership.objects.get_or_create(user=user, unit=unit, role=role)
    if hasattr(user, "_hotline_grants"):
        del user._hotline_grants
    return membership
