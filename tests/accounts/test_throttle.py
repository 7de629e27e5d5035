"""Login throttling on the token endpoint, the console and the admin (hotline.accounts.throttle):
per account and per client, in the database, with the client address taken from trusted proxies
only, and every failed or refused login in the audit log."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from hotline.accounts import throttle
from hotline.accounts.models import LoginFailure
from hotline.accounts.services import user_create
from hotline.core.client_address import client_address, networks
from hotline.core.models import AuditEvent

TOKEN = "/api/v1/auth/token"


def token(client: Client, username: str, password: str, **extra):
    return client.post(
        TOKEN,
        {"username": username, "password": password},
        content_type="application/json",
        **extra,
    )


# --- the client's address (pure) ----------------------------------------------------------------

PROXIES = networks(["10.0.0.0/8", "127.0.0.1"])


@pytest.mark.parametrize(
    "remote,forwarded,trusted,expected",
    [
        ("1.2.3.4", "", (), "1.2.3.4"),
        ("1.2.3.4", "9.9.9.9", (), "1.2.3.4"),  # no trusted proxy: the header is ignored
        ("1.2.3.4", "9.9.9.9", PROXIES, "1.2.3.4"),  # the peer is not a proxy
        ("10.0.0.5", "5.6.7.8", PROXIES, "5.6.7.8"),
        ("10.0.0.5", "6.6.6.6, 5.6.7.8", PROXIES, "5.6.7.8"),  # forged left part ignored
        ("10.0.0.5", "6.6.6.6, 5.6.7.8, 10.1.1.1", PROXIES, "5.6.7.8"),  # two proxies
        ("10.0.0.5", "10.1.1.1", PROXIES, "10.1.1.1"),  # only proxies: the farthest one
        ("10.0.0.5", "junk, 10.1.1.1", PROXIES, "10.1.1.1"),
        ("10.0.0.5", "", PROXIES, "10.0.0.5"),
        ("127.0.0.1", "2001:db8::1", PROXIES, "2001:db8::1"),
        ("", "5.6.7.8", PROXIES, ""),
    ],
)
def test_client_address(remote, forwarded, trusted, expected):
    assert client_address(remote, forwarded, trusted) == expected


# --- the token endpoint --------------------------------------------------------------------------


def test_an_account_is_locked_after_five_failures_even_for_the_right_password():
    client = Client(REMOTE_ADDR="10.9.0.1")
    codes = [token(client, "agent", "wrong").status_code for _ in range(5)]
    assert codes == [401] * 5
    locked = token(client, "agent", "demo")
    assert locked.status_code == 429 and locked.json()["error"] == "rate_limited"
    assert "this account" in locked.json()["detail"]
    assert 0 < int(locked["Retry-After"]) <= 900
    # from another address too: the account is locked, not the address
    assert token(Client(REMOTE_ADDR="10.9.0.2"), "agent", "demo").status_code == 429
    # and another account is not
    assert token(client, "dispatcher", "demo").status_code == 200


def test_an_unknown_user_gets_the_same_answers_as_a_real_one():
    answers = {}
    for username in ("agent", "nobody-at-all"):
        client = Client(REMOTE_ADDR=f"10.9.1.{len(answers)}")
        first = [token(client, username, "wrong") for _ in range(5)]
        locked = token(client, username, "whatever")
        answers[username] = (
            [(r.status_code, r.json()) for r in first],
            locked.status_code,
            locked.json(),
        )
    assert answers["agent"] == answers["nobody-at-all"]


def test_failed_and_refused_logins_are_audited():
    client = Client(REMOTE_ADDR="10.9.2.1")
    for _ in range(6):
        token(client, "callback", "wrong")
    events = list(AuditEvent.objects.filter(target="callback").order_by("seq"))
    assert [e.action for e in events] == ["login_failed"] * 5 + ["login_refused"]
    assert events[0].data == {"client": "10.9.2.1", "via": "api"}


def test_a_success_starts_the_count_again():
    client = Client(REMOTE_ADDR="10.9.3.1")
    for _ in range(4):
        token(client, "evaluator", "wrong")
    assert token(client, "evaluator", "demo").status_code == 200
    assert [token(client, "evaluator", "wrong").status_code for _ in range(5)] == [401] * 5


def test_failures_leave_the_window():
    for _ in range(5):
        throttle.login_failed(username="leader", client="10.9.4.1", via="api")
    assert throttle.login_refusal(username="leader", client="10.9.4.2") is not None
    later = timezone.now() + timedelta(seconds=django_settings.HOTLINE_LOGIN_WINDOW + 1)
    assert throttle.login_refusal(username="leader", client="10.9.4.2", now=later) is None


def test_one_client_guessing_across_accounts_is_refused(settings):
    settings.HOTLINE_LOGIN_CLIENT_LIMIT = 8
    client = Client(REMOTE_ADDR="10.9.5.1")
    codes = [token(client, f"user{i}", "wrong").status_code for i in range(8)]
    assert codes == [401] * 8
    refused = token(client, "agent", "demo")
    assert refused.status_code == 429 and "this address" in refused.json()["detail"]
    assert token(Client(REMOTE_ADDR="10.9.5.2"), "agent", "demo").status_code == 200


def test_a_forged_x_forwarded_for_changes_nothing(settings):
    settings.HOTLINE_LOGIN_CLIENT_LIMIT = 8
    client = Client(REMOTE_ADDR="10.9.6.1")
    for i in range(8):
        token(client, f"user{i}", "wrong", HTTP_X_FORWARDED_FOR=f"172.16.0.{i}")
    again = token(client, "agent", "demo", HTTP_X_FORWARDED_FOR="172.16.1.1")
    assert again.status_code == 429
    assert set(LoginFailure.objects.values_list("client", flat=True)) == {"10.9.6.1"}


def test_behind_a_trusted_proxy_the_forwarded_client_is_counted(settings):
    settings.HOTLINE_LOGIN_CLIENT_LIMIT = 8
    settings.HOTLINE_TRUSTED_PROXIES = ["10.0.0.0/8"]
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    for i in range(8):
        # the client forges a left part; the proxy appends the real address
        token(proxy, f"user{i}", "wrong", HTTP_X_FORWARDED_FOR=f"6.6.6.{i}, 203.0.113.7")
    assert token(proxy, "agent", "demo", HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    other = token(proxy, "agent", "demo", HTTP_X_FORWARDED_FOR="203.0.113.8")
    assert other.status_code == 200
    assert set(LoginFailure.objects.values_list("client", flat=True)) == {"203.0.113.7"}


# --- the console and the admin ------------------------------------------------------------------


@pytest.mark.parametrize("path,via", [("/console/login/", "console"), ("/admin/login/", "admin")])
def test_the_console_and_admin_logins_are_throttled(path, via):
    client = Client(REMOTE_ADDR="10.9.7.1")
    username = "admin"
    for _ in range(5):
        page = client.post(path, {"username": username, "password": "wrong"})
        assert page.status_code == 200 and "_auth_user_id" not in client.session
    refused = client.post(path, {"username": username, "password": "demo"})
    assert refused.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "too many failed logins for this account" in refused.content.decode()
    actions = list(
        AuditEvent.objects.filter(target=username).order_by("seq").values_list("action", "data")
    )
    assert [a for a, _ in actions] == ["login_failed"] * 5 + ["login_refused"]
    assert actions[0][1]["via"] == via
    # a right password from a fresh account logs in (the throttle is not in the way)
    user_create(username="root2", password="demo", is_staff=True, is_superuser=True)
    ok = Client(REMOTE_ADDR="10.9.7.2").post(path, {"username": "root2", "password": "demo"})
    assert ok.status_code == 302


def test_two_test_clients_share_the_count():
    """Two clients at two addresses, as two processes would be, each guessing: the account
    locks after five failures in all."""
    one, two = Client(REMOTE_ADDR="10.9.8.1"), Client(REMOTE_ADDR="10.9.8.2")
    codes = [token(c, "supervisor", "wrong").status_code for c in (one, two, one, two, one)]
    assert codes == [401] * 5
    assert token(two, "supervisor", "demo").status_code == 429


# --- two web processes -----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(database_url: str) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return proc, f"http://127.0.0.1:{port}"


def _wait_up(url: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the server died"
        try:
            httpx.get(f"{url}/api/v1/openapi.json", timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise AssertionError("the server did not start")


@pytest.mark.transactional
@pytest.mark.skipif(
    "sqlite" in django_settings.DATABASES["default"]["ENGINE"],
    reason="two processes need a database server (the SQLite test database is in memory)",
)
def test_two_web_processes_share_the_count(transactional_db):
    user_create(username="twoproc", password="right-password")
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    servers = [_start_server(url) for _ in range(2)]
    try:
        for url_, proc in ((u, p) for p, u in servers):
            _wait_up(url_, proc)
        urls = [u for _, u in servers]
        codes = []
        for i in range(5):
            response = httpx.post(
                f"{urls[i % 2]}{TOKEN}",
                json={"username": "twoproc", "password": "wrong"},
                headers={"X-Forwarded-For": f"198.51.100.{i}"},  # forged: ignored
            )
            codes.append(response.status_code)
        assert codes == [401] * 5
        for url_ in urls:
            locked = httpx.post(
                f"{url_}{TOKEN}", json={"username": "twoproc", "password": "right-password"}
            )
            assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
        assert LoginFailure.objects.filter(username="twoproc", client="127.0.0.1").count() == 7
    finally:
        for proc, _ in servers:
            proc.terminate()
            proc.wait(timeout=20)
