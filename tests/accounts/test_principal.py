"""A bearer token gives its user and the user's grants in one query; dead tokens give nobody."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hotline.accounts.models import ApiToken, Membership, User
from hotline.accounts.roles import Role
from hotline.accounts.selectors import grants_for
from hotline.accounts.services import token_issue, token_user
from hotline.orgs.models import Unit


def fresh_grants(user: User):
    return grants_for(User.objects.get(pk=user.pk))  # read the slow way, uncached


def test_a_live_token_gives_the_user_with_the_same_grants_as_the_memberships_in_one_query():
    for username in ("agent", "dispatcher", "jiangan-handler", "leader", "auditor"):
        key = token_issue(username=username, password="demo")
        with CaptureQueriesContext(connection) as queries:
            user = token_user(key)
            grants = grants_for(user)
        assert len(queries) == 1
        assert user.username == username and user.date_joined.tzinfo is not None
        assert grants == fresh_grants(user)
        assert not hasattr(user, "grant_role")


def test_a_user_with_two_roles_in_two_units_gets_both():
    user = User.objects.get(username="jiangan-handler")
    water = Unit.objects.get(code="water")
    Membership.objects.create(user=user, unit=water, role=Role.HANDLER.value)
    grants = grants_for(token_user(token_issue(username=user.username, password="demo")))
    assert Role.HANDLER in grants.roles_at(water.pk)
    assert grants == fresh_grants(user)


def test_a_role_in_an_inactive_unit_counts_for_nothing():
    user = User.objects.get(username="jiangan-handler")
    key = token_issue(username=user.username, password="demo")
    Unit.objects.filter(code="jiangan").update(active=False)
    grants = grants_for(token_user(key))
    assert grants.roles == frozenset() and grants == fresh_grants(user)


def test_revoked_expired_unknown_tokens_and_inactive_users_give_nobody():
    key = token_issue(username="agent", password="demo")
    assert token_user(key) is not None
    ApiToken.objects.update(revoked=True)
    assert token_user(key) is None

    key = token_issue(username="agent", password="demo")
    ApiToken.objects.filter(revoked=False).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert token_user(key) is None

    key = token_issue(username="agent", password="demo")
    User.objects.filter(username="agent").update(is_active=False)
    assert token_user(key) is None
    assert token_user("") is None and token_user("no-such-token") is None


def test_through_http_a_revoked_token_is_401(api):
    from django.test import Client

    key = token_issue(username="agent", password="demo")
    client = Client()
    assert (
        client.get("/api/v1/tickets", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    )
    ApiToken.objects.update(revoked=True)
    response = client.get("/api/v1/tickets", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 401 and response.json()["error"] == "not_authenticated"
