"""Open311 API keys: made by the command (the key alone on the last line), stored hashed,
revoked by the command or in the admin."""

from __future__ import annotations

import hashlib
from io import StringIO
from urllib.parse import urlencode

import pytest
from django.core.management import CommandError, call_command

from hotline.accounts.models import User
from hotline.accounts.selectors import grants_for
from hotline.intake.models import Open311Key
from tests.factories import CategoryFactory


def run(*args) -> list[str]:
    out = StringIO()
    call_command("open311_key", *args, stdout=out)
    return out.getvalue().strip().splitlines()


def file_request(client, key: str):
    leaf = CategoryFactory()
    return client.post(
        "/open311/v2/requests.json",
        data=urlencode({"api_key": key, "service_code": leaf.code, "address_string": "武汉"}),
        content_type="application/x-www-form-urlencoded",
    )


def test_create_prints_the_key_alone_on_the_last_line_and_stores_only_its_hash(client):
    key = run("create", "partner-city")[-1]
    assert " " not in key and len(key) >= 40
    row = Open311Key.objects.get(name="partner-city")
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in (row.key_hash, row.prefix) and key.startswith(row.prefix)
    assert row.user.username == "open311-partner-city"
    assert {r.value for r in grants_for(row.user).roles} == {"integration"}
    assert file_request(client, key).status_code == 201


def test_create_refuses_a_taken_or_bad_name():
    run("create", "dup")
    with pytest.raises(CommandError, match="exists already"):
        run("create", "dup")
    with pytest.raises(CommandError, match="name"):
        run("create", "空 格")
    assert Open311Key.objects.count() == 1


def test_revoke_by_command(client):
    key = run("create", "app")[-1]
    assert run("revoke", "app")[-1] == "revoked app"
    assert Open311Key.objects.get(name="app").revoked_at is not None
    assert not User.objects.get(username="open311-app").is_active
    assert file_request(client, key).status_code == 403
    assert "revoked" in run("list")[-1]
    with pytest.raises(CommandError, match="no key"):
        run("revoke", "ghost")


def test_revoke_in_the_admin(client):
    key = run("create", "kiosk")[-1]
    row = Open311Key.objects.get(name="kiosk")
    client.force_login(User.objects.get(username="admin"))
    page = client.get("/admin/intake/open311key/")
    assert page.status_code == 200 and "kiosk" in page.content.decode()
    response = client.post(
        "/admin/intake/open311key/", {"action": "revoke", "_selected_action": [row.pk]}
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.revoked_at is not None
    client.logout()
    refused = file_request(client, key)
    assert refused.status_code == 403
    assert refused.json()[0]["code"] == 403
