"""The gate over the citizen channels (``make test-postgres``): schemathesis generates requests
from the OpenAPI descriptions the platform serves for Open311 GeoReport v2
(``/open311/v2/openapi.json``) and for the citizen portal's pages and form posts
(``/portal/openapi.json``), valid and invalid, for every operation.

No answer may be a 5xx or a 422 (bad input is 400, DESIGN 9); every Open311 answer must match
its description, and every Open311 error must be the spec's ``[{code, description}]`` (or
``<errors>``) carrying the HTTP status.

Like a real client, the fuzzer is given what it cannot guess: a live api_key in place of the one
it generated (a request without one stays without, and gets the spec's 403), a service_code and
address_id of the platform in place of a non-empty one (unknown ones are tested by GET
services/{code} and tests/intake), and in the portal the CSRF cookie and header, the
session of a phone that asked for a code and that code in place of a well-formed one; on the
pages of one ticket (lookup, ticket, photo, rating), for two cases in three, a replied ticket
with its lookup code, opened in the session, and its signed follow-up link. The rest of
every field is the fuzzer's own. The counts go to ``$HOTLINE_TEST_OUTPUT/fuzz-channels.json``;
the last test checks at least ``FUZZ_MIN_REQUESTS`` were sent and some got past validation."""

from __future__ import annotations

import json
import os
import re
import time
import zlib
from collections import Counter
from datetime import timedelta
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

pytestmark = pytest.mark.fuzz

DEFAULT_EXAMPLES = 35
EXAMPLES = int(os.environ.get("HOTLINE_FUZZ_CHANNEL_EXAMPLES", DEFAULT_EXAMPLES))
FUZZ_MIN_REQUESTS = 1000
STATS: Counter = Counter()
BY_OPERATION: Counter = Counter()
CSRF = "f" * 32
PHONE = "13912345678"
CODE = "246810"


def _load(path: str):
    from config.wsgi import application

    return schemathesis.openapi.from_wsgi(path, application)


open311 = _load("/open311/v2/openapi.json")
portal = _load("/portal/openapi.json")


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The application is called in-process, inside the test's transaction: like Django's test
    client, stop the end of each request from closing the database connection (PostgreSQL)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    """The fuzzer sends thousands of requests from one address: lift the limits (their 429s
    are tested in tests/intake)."""
    from hotline.intake.portal.ratelimit import DEFAULT_RATES

    settings.HOTLINE_OPEN311_RATE_PER_IP = 10**9
    settings.HOTLINE_OPEN311_RATE_PER_KEY = 10**9
    settings.HOTLINE_PORTAL_RATES = {name: (10**9, 3600) for name in DEFAULT_RATES}


def _share(case, salt: str, of: int = 3) -> bool:
    """Deterministic: True for about (of - 1) in ``of`` cases."""
    seed = zlib.crc32(
        f"{salt}:{case.operation.label}:{case.body!r}:{case.path_parameters!r}".encode()
    )
    return seed % of != 0


@pytest.fixture
def reference(db):
    from hotline.intake.open311.selectors import services_list
    from hotline.intake.open311.services import open311_key_create
    from hotline.orgs.models import Region

    _, key = open311_key_create(name="fuzz")
    return {
        "key": key,
        "portal_regions": list(
            Region.objects.filter(level__in=("district", "street"))
            .order_by("code")
            .values_list("code", flat=True)[:20]
        ),
        "services": [c.code for c in services_list()[:20]],
        "regions": list(Region.objects.order_by("code").values_list("code", flat=True)[:20]),
    }


def _header(response, name: str) -> str:
    for key, value in response.headers.items():
        if key.lower() == name.lower():
            return value if isinstance(value, str) else ",".join(value)
    return ""


def _count(response, case) -> None:
    BY_OPERATION[f"{case.operation.label} {response.status_code}"] += 1
    STATS["requests"] += 1
    STATS[f"{response.status_code // 100}xx"] += 1
    STATS[str(response.status_code)] += 1


def _never_422(response) -> None:
    assert response.status_code != 422, "422: bad input must be a 400 (DESIGN 9)"


def _spec_error(response) -> None:
    """An Open311 error is the spec's error list, in the format the URL names, with the status."""
    if response.status_code < 400:
        return
    text = response.content.decode("utf-8")
    if "json" in _header(response, "Content-Type"):
        body = json.loads(text)
        assert isinstance(body, list) and body, text
        assert body[0]["code"] == response.status_code, text
        assert body[0]["description"], text
    else:
        root = ET.fromstring(text)
        assert root.tag == "errors", text
        assert root.findtext("error/code") == str(response.status_code), text


def _open311_fill(case, reference) -> None:
    body = case.body
    if not isinstance(body, dict):
        return
    if "api_key" in body:
        body["api_key"] = reference["key"]
    if body.get("service_code"):
        services = reference["services"]
        body["service_code"] = services[zlib.crc32(repr(body).encode()) % len(services)]
    if body.get("address_id"):
        regions = reference["regions"]
        body["address_id"] = regions[zlib.crc32(repr(body).encode()) % len(regions)]


@open311.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_open311(case, reference):
    _open311_fill(case, reference)
    response = case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])
    _count(response, case)
    _never_422(response)
    if case.path != "/openapi.json":
        _spec_error(response)
    if case.method == "POST" and response.status_code in (200, 201):
        STATS["open311 requests filed"] += 1


def _portal_session(reference) -> dict:
    """A browser's cookies after asking for a submit code: the session holds the phone, and a
    live code (``CODE``) waits for it."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from hotline.intake.models import PortalCode
    from hotline.intake.portal.codes import _hash

    now = timezone.now()
    PortalCode.objects.create(
        purpose="submit",
        phone=PHONE,
        code_hash=_hash(purpose="submit", phone=PHONE, number="", code=CODE),
        created_at=now,
        expires_at=now + timedelta(minutes=10),
    )
    session = SessionStore()
    session["portal_phone"] = PHONE
    session.save()
    return {"csrftoken": CSRF, "sessionid": session.session_key}


def _replied_ticket():
    """A ticket answered by its unit: the citizen may look it up and rate it."""
    from tests.factories import act, register

    ticket = register("agent", channel="web", citizen={"name": "李女士", "phone": PHONE})
    act("dispatcher", ticket.number, "dispatch", unit="jiangan")
    act("jiangan-handler", ticket.number, "accept")
    act("jiangan-handler", ticket.number, "reply", text="已于今日修复。", outcome="resolved")
    ticket.refresh_from_db()
    return ticket


def _lookup_ready(case, cookies: dict) -> None:
    """For two cases in three on the pages of one ticket: a replied ticket in place of the
    generated number, opened in this session (as after its code was entered), a live lookup
    code, and a follow-up link in place of the generated token."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from hotline.intake.models import PortalCode
    from hotline.intake.portal.codes import _hash
    from hotline.intake.portal.services import follow_up_token

    params = case.path_parameters or {}
    body = case.body if isinstance(case.body, dict) else {}
    wants = "number" in params or "token" in params or "number" in body
    if not wants or not _share(case, "ticket"):
        return
    ticket = _replied_ticket()
    now = timezone.now()
    PortalCode.objects.create(
        purpose="lookup",
        phone=PHONE,
        number=ticket.number,
        code_hash=_hash(purpose="lookup", phone=PHONE, number=ticket.number, code=CODE),
        created_at=now,
        expires_at=now + timedelta(minutes=10),
    )
    session = SessionStore(session_key=cookies["sessionid"])
    session["portal_verified"] = {ticket.number: time.time() + 1800}
    session.save()
    if "number" in params:
        params["number"] = ticket.number
    if "token" in params:
        params["token"] = follow_up_token(ticket)
    if body.get("number"):
        body["number"] = ticket.number


def _portal_fill(case, reference, cookies: dict) -> None:
    _lookup_ready(case, cookies)
    body = case.body
    if not isinstance(body, dict):
        return
    if re.fullmatch(r"[0-9]{6}", str(body.get("code"))):  # a well-formed code: the live one
        body["code"] = CODE
    if body.get("region") and _share(case, "region"):
        regions = reference["portal_regions"]
        body["region"] = regions[zlib.crc32(repr(body).encode()) % len(regions)]


@portal.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_portal(case, reference):
    cookies = _portal_session(reference)
    _portal_fill(case, reference, cookies)
    response = case.call_and_validate(
        headers={"X-CSRFToken": CSRF},
        cookies=cookies,
        checks=[not_a_server_error],
    )
    _count(response, case)
    _never_422(response)
    if case.path == "/submit/" and response.status_code == 302:
        if "/portal/done/" in _header(response, "Location"):
            STATS["portal requests filed"] += 1
    if case.method == "POST" and case.path == "/rate/{token}/" and response.status_code == 200:
        STATS["portal ratings"] += 1
    if case.method == "POST" and case.path == "/lookup/" and response.status_code == 302:
        STATS["portal lookups"] += 1


def test_the_fuzzer_sent_enough_and_got_past_validation():
    if not STATS["requests"]:
        pytest.skip("the fuzz tests did not run in this session")
    out = Path(os.environ.get("HOTLINE_TEST_OUTPUT", "test-output"))
    out.mkdir(parents=True, exist_ok=True)
    (out / "fuzz-channels.json").write_text(
        json.dumps({**STATS, "by_operation": BY_OPERATION}, indent=2, sort_keys=True)
    )
    print(f"\nfuzz (channels): {dict(sorted(STATS.items()))}")
    print("by operation and status:", json.dumps(dict(sorted(BY_OPERATION.items())), indent=1))
    if EXAMPLES >= DEFAULT_EXAMPLES:
        assert STATS["requests"] >= FUZZ_MIN_REQUESTS
    assert STATS["open311 requests filed"] > 0
    assert STATS["portal requests filed"] > 0
    assert STATS["portal lookups"] > 0
    assert STATS["portal ratings"] > 0
    assert STATS["5xx"] == 0
    assert STATS["422"] == 0
