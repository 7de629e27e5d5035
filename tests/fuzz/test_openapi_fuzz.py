"""The gate over the whole API (``make test``): schemathesis generates requests from the OpenAPI
schema, valid and invalid, for every operation, as an agent, a dispatcher and a district
handler. No answer may be a 5xx, and every answer must match what the schema documents.

The counts (requests, answers by status class) go to ``$HOTLINE_TEST_OUTPUT/fuzz.json``; the last
test checks that at least ``FUZZ_MIN_REQUESTS`` were sent and some reached a 2xx (the fuzzer got
past validation)."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

pytestmark = pytest.mark.fuzz

ROLES = ("agent", "dispatcher", "jiangan-handler")
# Examples per operation and role in hypothesis's generation phase; schemathesis adds its own
# deterministic coverage phase (boundaries, each enum value, each missing field) on top.
DEFAULT_EXAMPLES = 10
EXAMPLES = int(os.environ.get("HOTLINE_FUZZ_EXAMPLES", DEFAULT_EXAMPLES))
FUZZ_MIN_REQUESTS = 3000
STATS: Counter = Counter()


def _load_schema():
    from config.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


schema = _load_schema()


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


@pytest.fixture
def tokens(db):
    """Bearer headers by role, issued inside the test's transaction."""
    from hotline.accounts.services import token_issue

    issued: dict[str, dict] = {}

    def bearer(role: str) -> dict:
        if role not in issued:
            key = token_issue(username=role, password="demo")
            issued[role] = {"Authorization": f"Bearer {key}"}
        return issued[role]

    return bearer


def fuzz_as(role: str):
    @schema.parametrize()
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def test(case, tokens):
        response = case.call_and_validate(
            headers=tokens(role), checks=[not_a_server_error, response_schema_conformance]
        )
        STATS["requests"] += 1
        STATS[f"{response.status_code // 100}xx"] += 1

    return test


test_as_an_agent = fuzz_as("agent")
test_as_a_dispatcher = fuzz_as("dispatcher")
test_as_a_district_handler = fuzz_as("jiangan-handler")


def test_the_fuzzer_sent_enough_and_got_past_validation():
    if not STATS["requests"]:
        pytest.skip("the fuzz tests did not run in this session")
    out = Path(os.environ.get("HOTLINE_TEST_OUTPUT", "test-output"))
    out.mkdir(parents=True, exist_ok=True)
    (out / "fuzz.json").write_text(json.dumps(dict(STATS), indent=2, sort_keys=True))
    print(f"\nfuzz: {dict(STATS)}")
    if EXAMPLES >= DEFAULT_EXAMPLES:
        assert STATS["requests"] >= FUZZ_MIN_REQUESTS
    assert STATS["2xx"] > 0
    assert STATS["5xx"] == 0
