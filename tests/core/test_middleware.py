"""Size caps and the one error format under /api/ (hotline.core.middleware)."""

from __future__ import annotations

import io
import json

import pytest
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponseServerError
from django.test import Client, RequestFactory

from hotline.core.middleware import ApiErrorFormatMiddleware
from hotline.tickets.models import Ticket

TWENTY_MB = 20 * 1024 * 1024


def ticket_json(content: str = "小区路灯坏了") -> bytes:
    return json.dumps({"channel": "phone", "kind": "complaint", "content": content}).encode()


def assert_too_large(response):
    assert response.status_code == 413, (response.status_code, response.content[:200])
    body = response.json()
    assert body["error"] == "too_large" and "at most" in body["detail"]


@pytest.mark.parametrize(
    "path", ["/api/v1/tickets", "/api/v1/auth/token", "/api/v1/nowhere", "/console/login/", "/"]
)
def test_a_20_mb_body_is_413_json_on_every_route(api, path):
    before = Ticket.objects.count()
    body = b'{"content": "' + b"x" * TWENTY_MB + b'"}'
    response = Client().post(
        path, data=body, content_type="application/json", headers=api("agent").headers
    )
    assert_too_large(response)
    assert Ticket.objects.count() == before


def test_the_cap_is_the_setting(api, settings):
    settings.HOTLINE_MAX_BODY = 100
    client = Client()
    headers = api("agent").headers
    assert_too_large(
        client.post("/api/v1/tickets", ticket_json("x" * 200), "application/json", headers=headers)
    )
    settings.HOTLINE_MAX_BODY = 10_000
    ok = client.post("/api/v1/tickets", ticket_json("x" * 200), "application/json", headers=headers)
    assert ok.status_code == 201


def chunked(path: str, body: bytes, headers: dict):
    """A request whose body comes chunked: no Content-Length, so only a bounded read can
    tell its size."""
    return Client().generic(
        "POST",
        path,
        content_type="application/json",
        headers=headers,
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": io.BytesIO(body)},
    )


def test_a_chunked_body_is_read_bounded(api, settings):
    settings.HOTLINE_MAX_BODY = 1000
    headers = api("agent").headers
    assert_too_large(chunked("/api/v1/tickets", ticket_json("x" * 5000), headers))
    small = chunked("/api/v1/tickets", ticket_json("路灯不亮"), headers)
    assert small.status_code == 201 and small.json()["content"] == "路灯不亮"


def test_uploads_have_their_own_cap(settings):
    settings.HOTLINE_MAX_BODY = 1000
    settings.HOTLINE_MAX_UPLOAD = 50_000
    client = Client()
    form = {"username": "agent", "password": "wrong", "note": "x" * 5_000}
    # multipart (the test client's default) may be bigger than a JSON body, up to its own cap
    assert client.post("/console/login/", form).status_code == 200
    assert_too_large(client.post("/console/login/", {**form, "note": "x" * 60_000}))
    assert_too_large(
        client.post(
            "/console/login/",
            "username=agent&note=" + "x" * 5_000,
            content_type="application/x-www-form-urlencoded",
        )
    )


def test_a_content_length_that_is_not_a_number_is_400():
    response = Client().post(
        "/api/v1/auth/token", data=b"{}", content_type="application/json", CONTENT_LENGTH="lots"
    )
    assert response.status_code == 400 and response.json()["field"] == "Content-Length"


# --- one error format ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/api/v1/nowhere", "/api/v2/tickets", "/api/", "/api/v1/tickets/x/y/z"]
)
def test_unknown_api_paths_are_json_404(path):
    response = Client().get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"error": "not_found", "detail": f"no such path {path}"}


def test_a_wrong_method_is_json_405_with_allow(api):
    response = api("agent").client.delete("/api/v1/tickets", headers=api("agent").headers)
    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"
    assert "GET" in response["Allow"] and "GET" in response.json()["detail"]
    token = Client().get("/api/v1/auth/token")
    assert token.status_code == 405 and token.json()["error"] == "method_not_allowed"


def test_pages_outside_the_api_keep_their_html():
    response = Client().get("/console/nowhere/")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


def test_a_server_error_under_the_api_is_json_and_tells_nothing():
    request = RequestFactory().get("/api/v1/tickets")
    html = HttpResponseServerError("<h1>Traceback ... SECRET</h1>")
    response = ApiErrorFormatMiddleware(lambda r: html)(request)
    assert response.status_code == 500
    assert json.loads(response.content) == {
        "error": "server_error",
        "detail": "internal error; it has been logged",
    }
    teapot = ApiErrorFormatMiddleware(lambda r: HttpResponse("x", status=418))(request)
    assert json.loads(teapot.content)["detail"] == "i'm a teapot"
    odd = ApiErrorFormatMiddleware(lambda r: HttpResponse("x", status=499))(request)
    assert json.loads(odd.content) == {"error": "error", "detail": "error"}
    allowed = ApiErrorFormatMiddleware(lambda r: HttpResponseNotAllowed(["GET"]))(request)
    assert allowed["Allow"] == "GET"
