"""Input at the edge (hotline.core.middleware, hotline.core.validation): no text with NUL, lone
surrogates or control characters reaches a view; wrong types, unknown values and unbounded
page numbers are 400 naming the field. These run on SQLite and on PostgreSQL (where a NUL
used to reach the database and answer 500)."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from django.test import Client

from hotline.tickets.models import Ticket
from tests.factories import register

BAD_TEXTS = {"nul": "a\x00b", "surrogate": "a\ud800b", "bell": "a\x07b", "escape": "\x1b[31m"}
LISTS = (
    "tickets",
    "units",
    "regions",
    "categories",
    "notifications",
    "accountability",
    "supervision/queue",
)


def raw_post(client: Client, path: str, text: str, headers: dict | None = None):
    """POST a JSON text as is (``json.dumps`` escapes a lone surrogate as ``\\ud800``, which
    is what a client sends)."""
    return client.post(
        f"/api/v1/{path}", data=text, content_type="application/json", headers=headers or {}
    )


def bearer(api, username: str) -> dict:
    return api(username).headers


def ticket_body(**changes) -> dict:
    body = {
        "channel": "phone",
        "kind": "complaint",
        "title": "路灯不亮",
        "content": "小区路灯坏了一周",
        "address": "江岸区某路1号",
        "region": "jiangan",
        "category": None,
        "urgency": "normal",
        "citizen": {"name": "张三", "phone": "13800000000"},
    }
    for key, value in changes.items():
        if "." in key:
            outer, inner = key.split(".")
            body[outer] = {**body[outer], inner: value}
        else:
            body[key] = value
    return body


def assert_400_naming(response, field: str):
    assert response.status_code == 400, (response.status_code, response.content[:300])
    body = response.json()
    assert body["error"] == "bad_request"
    assert body["field"] == field, body
    assert field in body["detail"]


TEXT_FIELDS = (
    "channel",
    "kind",
    "urgency",
    "title",
    "content",
    "address",
    "region",
    "category",
    "citizen.name",
    "citizen.phone",
)


@pytest.mark.parametrize("bad", list(BAD_TEXTS))
@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_bad_characters_in_every_text_field_of_a_registration_are_400(api, field, bad):
    before = Ticket.objects.count()
    response = raw_post(
        Client(),
        "tickets",
        json.dumps(ticket_body(**{field: BAD_TEXTS[bad]})),
        bearer(api, "agent"),
    )
    assert_400_naming(response, field)
    assert Ticket.objects.count() == before


@pytest.mark.parametrize("bad", ["nul", "surrogate"])
@pytest.mark.parametrize(
    "field", ["reason", "text", "note", "unit", "into", "outcome", "satisfaction", "verdict"]
)
def test_bad_characters_in_action_fields_are_400(api, field, bad):
    ticket = register()
    response = raw_post(
        Client(),
        f"tickets/{ticket.number}/actions/comment",
        json.dumps({"text": "ok", field: BAD_TEXTS[bad]}),
        bearer(api, "dispatcher"),
    )
    assert_400_naming(response, field)
    assert ticket.events.count() == 1


def test_bad_characters_in_list_items_and_keys_are_named(api):
    ticket = register()
    headers = bearer(api, "dispatcher")
    response = raw_post(
        Client(),
        f"tickets/{ticket.number}/actions/dispatch",
        json.dumps({"unit": "jiangan", "co_units": ["hanyang", "x\x00"]}),
        headers,
    )
    assert_400_naming(response, "co_units[1]")
    key = raw_post(Client(), "suggest", '{"text": "路灯", "ti\\u0000tle": "x"}', headers)
    assert_400_naming(key, "ti\x00tle")


def test_line_breaks_and_tabs_are_fine_in_text_but_not_in_a_query(api):
    response = api("agent").post("tickets", ticket_body(content="第一行\n第二行\r\n\t缩进"))
    assert response.status_code == 201
    assert response.json()["content"] == "第一行\n第二行\r\n\t缩进"
    assert_400_naming(api("agent").get("tickets?q=" + quote("a\nb")), "q")


@pytest.mark.parametrize("bad", ["%00", "%0A", "%1F"])
@pytest.mark.parametrize(
    "query",
    [
        "tickets?q=",
        "tickets?status=",
        "tickets?unit=",
        "units?level=",
        "units?parent=",
        "regions?level=",
        "notifications?ticket=",
        "notifications?kind=",
        "accountability?ticket=",
        "accountability?unit=",
    ],
)
def test_bad_characters_in_every_query_parameter_are_400(api, query, bad):
    assert_400_naming(api("admin").get(query + "x" + bad), query.split("?")[1][:-1])


@pytest.mark.parametrize(
    "path,field",
    [
        ("tickets/2026%00/", "number"),
        ("tickets/2026%00", "number"),
        ("tickets/2026%00/similar", "number"),
        ("tickets/2026%00/actions/comment", "number"),
    ],
)
def test_a_nul_in_a_path_parameter_is_400_naming_it(api, path, field):
    client = api("admin")
    response = client.post(path.rstrip("/"), {"text": "x"}) if "actions" in path else None
    response = response or client.get(path.rstrip("/"))
    assert_400_naming(response, field)


def test_nul_on_the_token_endpoint_and_in_the_idempotency_key(api):
    assert_400_naming(
        raw_post(Client(), "auth/token", '{"username": "a\\u0000", "password": "x"}'), "username"
    )
    assert_400_naming(
        raw_post(Client(), "auth/token", '{"username": "agent", "password": "\\ud800"}'), "password"
    )
    response = api("agent").post("tickets", ticket_body(), headers={"Idempotency-Key": "k\x00"})
    assert_400_naming(response, "Idempotency-Key")


def test_nul_in_a_console_form_is_400_naming_the_field():
    response = Client().post("/console/login/", {"username": "agent\x00", "password": "demo"})
    assert_400_naming(response, "username")


# --- page numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(
    "query,field",
    [
        ("page=99999999999999999999", "page"),
        ("page=100001", "page"),
        ("page=0", "page"),
        ("page=-3", "page"),
        ("page=x", "page"),
        ("page_size=0", "page_size"),
        ("page_size=-1", "page_size"),
        ("page_size=1001", "page_size"),
        ("page_size=99999999999999999999", "page_size"),
    ],
)
def test_unbounded_pages_are_400_on_every_list(api, path, query, field):
    assert_400_naming(api("admin").get(f"{path}?{query}"), field)


def test_paginate_itself_bounds_the_page():
    from hotline.core.api import page_params
    from hotline.core.errors import BadInput

    assert page_params(100_000, 1000) == (100_000, 1000)
    for page, size, field in ((100_001, 10, "page"), (True, 10, "page"), (1, 10**20, "page_size")):
        with pytest.raises(BadInput) as error:
            page_params(page, size)
        assert error.value.field == field


# --- types and enums ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"citizen": "x"}, "citizen"),
        ({"citizen": ["x"]}, "citizen"),
        ({"lat": True, "lon": 114.3}, "lat"),
        ({"lat": "30.5", "lon": 114.3}, "lat"),
        ({"lat": 30.5, "lon": 200}, "lon"),
        ({"content": 5}, "content"),
        ({"title": ["a"]}, "title"),
        ({"citizen.anonymous": "yes"}, "citizen.anonymous"),
        ({"citizen.anonymous": 1}, "citizen.anonymous"),
        ({"citizen.phone": "call me"}, "citizen.phone"),
        ({"content": "x" * 10_001}, "content"),
    ],
)
def test_wrong_types_are_400_naming_the_field(api, changes, field):
    before = Ticket.objects.count()
    assert_400_naming(api("agent").post("tickets", ticket_body(**changes)), field)
    assert Ticket.objects.count() == before


@pytest.mark.parametrize(
    "action,body,field",
    [
        ("request_extension", {"days": "3", "reason": "x"}, "days"),
        ("request_extension", {"days": True, "reason": "x"}, "days"),
        ("request_extension", {"days": 3.5, "reason": "x"}, "days"),
        ("decide_extension", {"approve": "yes"}, "approve"),
        ("supervise", {"note": "x", "level": "2"}, "level"),
        ("dispatch", {"unit": 7}, "unit"),
        ("dispatch", {"unit": "jiangan", "copy_to": "supervision"}, "copy_to"),
    ],
)
def test_wrong_types_in_actions_are_400(api, action, body, field):
    ticket = register()
    assert_400_naming(api("dispatcher").act(ticket.number, action, **body), field)
    assert ticket.events.count() == 1


@pytest.mark.parametrize(
    "field,value,allowed",
    [
        ("channel", "fax", "wechat"),
        ("kind", "rant", "complaint"),
        ("urgency", "asap", "emergency"),
    ],
)
def test_unknown_enum_values_are_400_listing_the_allowed_ones(api, field, value, allowed):
    response = api("agent").post("tickets", ticket_body(**{field: value}))
    assert_400_naming(response, field)
    assert allowed in response.json()["detail"][field]


def test_unknown_action_values_list_the_allowed_ones(api):
    ticket = register()
    client = api("dispatcher")
    action = client.act(ticket.number, "teleport")
    assert_400_naming(action, "action")
    assert "dispatch" in action.json()["detail"]["action"]
    for name, body, allowed in (
        ("follow_up", {"satisfaction": "meh"}, "dissatisfied"),
        ("review", {"verdict": "maybe"}, "redo"),
        ("reply", {"text": "x", "outcome": "done"}, "explained"),
        ("dispatch", {"unit": "jiangan", "copy_to": ["press"]}, "discipline"),
    ):
        response = client.act(ticket.number, name, **body)
        field = next(iter(set(body) - {"text", "unit"}))
        field = "copy_to[0]" if field == "copy_to" else field
        assert_400_naming(response, field)
        assert allowed in response.json()["detail"][field]


def test_unknown_query_enum_values_list_the_allowed_ones(api):
    client = api("admin")
    status = client.get("notifications?status=lost")
    assert_400_naming(status, "status")
    assert "pending" in status.json()["detail"]["status"]
    measure = client.get("accountability?measure=jail")
    assert_400_naming(measure, "measure")
    assert "talk" in measure.json()["detail"]["measure"]
    assert_400_naming(client.get("accountability?format=pdf"), "format")


def test_the_openapi_schema_declares_enums_bounds_and_formats():
    schema = Client().get("/api/v1/openapi.json").json()
    components = schema["components"]["schemas"]

    def prop(model: str, name: str) -> dict:
        spec = components[model]["properties"][name]
        return next((s for s in spec.get("anyOf", [spec]) if s.get("type") != "null"), spec)

    assert "wechat" in prop("TicketIn", "channel")["enum"]
    assert "complaint" in prop("TicketIn", "kind")["enum"]
    assert prop("TicketIn", "lat")["maximum"] == 90
    assert prop("TicketIn", "content")["maxLength"] == 10_000
    assert "pattern" in prop("CitizenIn", "phone")
    assert prop("ActionIn", "satisfaction")["enum"] == [
        "satisfied",
        "basically_satisfied",
        "dissatisfied",
    ]
    assert prop("ActionIn", "days")["type"] == "integer"
    assert prop("ActionIn", "days")["maximum"] == 60
    listing = schema["paths"]["/api/v1/tickets"]["get"]["parameters"]
    page = next(p for p in listing if p["name"] == "page")["schema"]
    page = next((s for s in page.get("anyOf", [page]) if s.get("type") != "null"), page)
    assert page["minimum"] == 1 and page["maximum"] == 100_000
    action = schema["paths"]["/api/v1/tickets/{number}/actions/{action}"]["post"]["parameters"]
    assert "dispatch" in next(p for p in action if p["name"] == "action")["schema"]["enum"]


# --- channels that bypass HTTP -------------------------------------------------------------------


@pytest.mark.parametrize("bad", list(BAD_TEXTS))
def test_the_services_refuse_bad_characters_too(bad):
    """An import or a WeChat message reaches ticket_register without the HTTP edge."""
    from hotline.accounts.models import User
    from hotline.core.errors import BadInput
    from hotline.tickets.services import ticket_register, ticket_transition

    agent = User.objects.get(username="agent")
    with pytest.raises(BadInput) as error:
        ticket_register(actor=agent, data=ticket_body(content=BAD_TEXTS[bad]))
    assert error.value.field == "content"
    ticket = register()
    with pytest.raises(BadInput) as error:
        ticket_transition(
            actor=agent, number=ticket.number, action="comment", data={"text": BAD_TEXTS[bad]}
        )
    assert error.value.field == "text"


@pytest.mark.parametrize(
    "text,multiline,problem",
    [
        ("普通文字 plain", True, None),
        ("全角\u3000空格", False, None),
        ("a\tb\nc\r", True, None),
        ("a\tb", False, "control character U+0009"),
        ("\x00", True, "NUL"),
        ("\udfff", True, "lone surrogate U+DFFF"),
        ("\x7f", True, "control character U+007F"),
        ("\x85", True, "control character U+0085"),
        ("emoji 😀", False, None),
    ],
)
def test_text_problem(text, multiline, problem):
    from hotline.core.validation import text_problem

    found = text_problem(text, multiline=multiline)
    assert (found is None) if problem is None else (problem in found)
