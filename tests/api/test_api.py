"""The API contract of DESIGN section 9: auth, lists, errors, schema and docs."""

from __future__ import annotations

from django.test import Client

from hotline.orgs.models import Unit


def test_token_and_bearer_auth():
    client = Client()
    response = client.post(
        "/api/v1/auth/token",
        {"username": "agent", "password": "demo"},
        content_type="application/json",
    )
    assert response.status_code == 200
    token = response.json()["token"]
    ok = client.get("/api/v1/tickets", headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200


def test_wrong_password_and_missing_token_are_401():
    client = Client()
    bad = client.post(
        "/api/v1/auth/token",
        {"username": "agent", "password": "nope"},
        content_type="application/json",
    )
    assert bad.status_code == 401 and bad.json()["error"] == "not_authenticated"
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic abc"}):
        response = client.get("/api/v1/tickets", headers=headers)
        assert response.status_code == 401
        assert response.json()["error"] == "not_authenticated"


def test_token_body_missing_field_is_400_not_422():
    response = Client().post(
        "/api/v1/auth/token", {"username": "agent"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "password" in response.json()["detail"]


def test_units_flat_list_with_pagination(api):
    client = api("agent")
    first = client.get("units?page_size=50").json()
    assert first["count"] == Unit.objects.filter(active=True).count() >= 100
    assert len(first["items"]) == 50 and first["next"]
    item = next(
        i for i in client.get("units?page_size=1000").json()["items"] if i["code"] == "jiangan"
    )
    assert item == {**item, "name": "江岸区人民政府", "level": "district", "parent": "wuhan"}
    assert set(first["items"][0]) >= {"code", "name", "level", "parent"}
    second = client.get(first["next"].replace("http://testserver", "")).json()
    assert {i["code"] for i in second["items"]}.isdisjoint({i["code"] for i in first["items"]})
    everything = client.get("units?page_size=1000").json()
    assert everything["next"] is None and len(everything["items"]) == everything["count"]
    assert client.get("units?page_size=1001").status_code == 400
    assert client.get("units?page=0").status_code == 400


def test_about_a_hundred_units_are_assessed_with_the_real_districts(api):
    items = api("agent").get("units?assessed=true&page_size=1000").json()["items"]
    assert 90 <= len(items) <= 110
    names = {
        i["name"] for i in api("agent").get("units?level=district&page_size=1000").json()["items"]
    }
    for district in (
        "江岸区",
        "江汉区",
        "硚口区",
        "汉阳区",
        "武昌区",
        "青山区",
        "洪山区",
        "东西湖区",
        "蔡甸区",
        "江夏区",
        "黄陂区",
        "新洲区",
        "武汉开发区（汉南区）",
        "东湖高新区",
        "东湖风景区",
        "化工区",
    ):
        assert f"{district}人民政府" in names


def test_regions_and_categories(api):
    regions = api("agent").get("regions?page_size=1000").json()
    levels = {r["level"] for r in regions["items"]}
    assert levels == {"city", "district", "street", "community", "grid"}
    cats = api("agent").get("categories?level=3&page_size=1000").json()
    assert cats["count"] > 10
    leaf = cats["items"][0]
    assert leaf["default_unit"] and leaf["time_limit"] and leaf["parent"]


def test_unknown_action_and_field_errors(api):
    from tests.factories import register

    number = register().number
    response = api("dispatcher").act(number, "teleport")
    assert response.status_code == 400 and response.json()["field"] == "action"
    missing = api("dispatcher").act(number, "dispatch")
    assert missing.status_code == 400 and missing.json()["field"] == "unit"
    wrong_type = api("dispatcher").act(number, "dispatch", unit="jiangan", co_units="hanyang")
    assert wrong_type.status_code == 400
    unknown_unit = api("dispatcher").act(number, "dispatch", unit="atlantis")
    assert unknown_unit.status_code == 400 and "atlantis" in str(unknown_unit.json()["detail"])


def test_list_filters(api):
    from tests.factories import act, register

    a = register(title="过滤测试甲")
    act("dispatcher", a.number, "dispatch", unit="jiangan")
    register(title="过滤测试乙")
    client = api("dispatcher")
    dispatched = {
        t["number"] for t in client.get("tickets?status=dispatched&page_size=1000").json()["items"]
    }
    assert a.number in dispatched
    assert {t["number"] for t in client.get("tickets?unit=jiangan&q=过滤测试").json()["items"]} == {
        a.number
    }
    assert client.get("tickets?status=bogus").status_code == 400
    assert client.get("tickets?unit=atlantis").status_code == 400


def test_openapi_schema_and_local_docs():
    client = Client()
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in (
        "/api/v1/tickets",
        "/api/v1/tickets/{number}",
        "/api/v1/tickets/{number}/actions/{action}",
        "/api/v1/units",
        "/api/v1/regions",
        "/api/v1/categories",
        "/api/v1/auth/token",
    ):
        assert path in paths
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui-bundle.js" in html and "cdn" not in html.lower()
    assert "Content-Security-Policy" in docs.headers


def test_times_are_shanghai_iso_with_offset(api):
    from tests.factories import register

    body = api("agent").get(f"tickets/{register().number}").json()
    assert body["registered_at"].endswith("+08:00")
    assert body["timeline"][0]["at"].endswith("+08:00")


def test_token_endpoint_is_rate_limited_with_retry_after():
    from django.core.cache import cache

    cache.clear()
    client = Client(REMOTE_ADDR="10.9.9.9")
    codes = [
        client.post(
            "/api/v1/auth/token",
            {"username": "agent", "password": "wrong"},
            content_type="application/json",
        ).status_code
        for _ in range(25)
    ]
    assert codes[0] == 401 and codes[-1] == 429
    last = client.post(
        "/api/v1/auth/token",
        {"username": "agent", "password": "demo"},
        content_type="application/json",
    )
    assert last.status_code == 429 and last.json()["error"] == "rate_limited"
    assert int(last.headers["Retry-After"]) > 0
    cache.clear()


def test_follow_up_without_a_satisfaction_is_400_and_writes_nothing(api):
    from hotline.tickets.models import TicketEvent
    from tests.factories import ticket_in

    ticket = ticket_in("replied")
    before = TicketEvent.objects.filter(ticket=ticket).count()
    response = api("callback").act(ticket.number, "follow_up", note="没接电话")
    assert response.status_code == 400 and response.json()["field"] == "satisfaction"
    assert TicketEvent.objects.filter(ticket=ticket).count() == before
    assert api("callback").get(f"tickets/{ticket.number}").json()["status"] == "replied"
