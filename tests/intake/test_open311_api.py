"""Open311 GeoReport v2 as a client sees it: through published client libraries (georeport
reads, civicbot files), in JSON and XML, and the unhappy paths in the spec's error format."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import xmltodict
from civicbot.http import HttpError
from django.test import Client
from django.utils import timezone

from hotline.intake.models import Open311Request
from hotline.intake.open311.services import open311_key_revoke
from hotline.orgs.models import Category
from hotline.tickets.models import Ticket
from tests.factories import CategoryFactory, act, register

URL = "/open311/v2"


@pytest.fixture
def leaf(db):
    top = CategoryFactory(name="市政设施", level=1)
    middle = CategoryFactory(name="道路照明", level=2, parent=top)
    return CategoryFactory(name="路灯不亮", level=3, parent=middle, default_kind="complaint")


def post_form(client: Client, fmt: str, data: dict, **headers):
    from urllib.parse import urlencode

    return client.post(
        f"{URL}/requests.{fmt}",
        data=urlencode(data),
        content_type="application/x-www-form-urlencoded; charset=utf-8",
        headers=headers,
    )


def spec_error(response) -> tuple[int, str]:
    """(code, description) of the first error, in either format; checks the envelope."""
    if response["Content-Type"].startswith("text/xml"):
        assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
        error = xmltodict.parse(response.content)["errors"]["error"]
        return int(error["code"]), error["description"]
    body = json.loads(response.content)
    assert isinstance(body, list) and set(body[0]) == {"code", "description"}
    return body[0]["code"], body[0]["description"]


# --- discovery and services ------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_discovery_names_the_endpoint_and_both_formats(client, fmt):
    response = client.get(f"{URL}/discovery.{fmt}")
    assert response.status_code == 200
    if fmt == "json":
        assert response["Content-Type"] == "application/json; charset=utf-8"
        body = response.json()
        endpoint = body["endpoints"][0]
        formats = endpoint["formats"]
    else:
        assert response["Content-Type"] == "text/xml; charset=utf-8"
        body = xmltodict.parse(response.content)["discovery"]
        endpoint = body["endpoints"]["endpoint"]
        formats = endpoint["formats"]["format"]
    assert {"changeset", "contact", "key_service", "endpoints"} <= set(body)
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["type"] == "production"
    assert set(formats) == {"text/xml", "application/json"}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_service_list_is_the_catalogue_leaves(georeport_client, leaf, fmt):
    services = georeport_client(fmt).get_service_list()
    by_code = {s["service_code"]: s for s in services}
    assert leaf.code in by_code
    assert leaf.parent.code not in by_code  # only leaves are service types
    mine = by_code[leaf.code]
    assert mine["service_name"] == "路灯不亮"
    assert mine["group"] == "市政设施"
    assert mine["description"] == "市政设施 / 道路照明 / 路灯不亮"
    assert str(mine["metadata"]).lower() == "false"
    assert mine["type"] == "realtime"
    leaves = Category.objects.filter(active=True, children__isnull=True).count()
    assert len(services) == leaves


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_service_definition(georeport_client, leaf, fmt):
    definition = georeport_client(fmt).get_service_definition(leaf.code)
    assert definition["service_code"] == leaf.code
    assert not definition["attributes"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_is_404_in_the_spec_format(client, fmt):
    response = client.get(f"{URL}/services/NOPE.{fmt}")
    assert response.status_code == 404
    code, description = spec_error(response)
    assert code == 404 and "NOPE" in description


# --- filing ---------------------------------------------------------------------------------


def test_file_with_the_client_library_then_read_it_back(
    civicbot_client, georeport_client, open311_key, leaf
):
    _, key = open311_key
    filed = civicbot_client().create_request(
        leaf.code,
        dry_run=False,
        confirm="SEND",
        api_key=key,
        lat=30.58,
        lng=114.3,
        address_string="江岸区大智街道中山大道1号",
        description="中山大道路灯连续三晚不亮",
        first_name="三",
        last_name="张",
        phone="13800001234",
        email="zhang@example.org",
        account_id="acct-7",
        media_url="https://example.org/photo.jpg",
    )
    answer = filed.response[0]
    number = answer["service_request_id"]
    assert answer["account_id"] == "acct-7"
    assert number in answer["service_notice"]

    ticket = Ticket.objects.get(number=number)
    assert ticket.channel == "api"
    assert ticket.status == "registered"
    assert ticket.category == leaf
    assert ticket.content == "中山大道路灯连续三晚不亮"
    assert ticket.citizen_name == "张三"
    assert ticket.citizen_phone == "13800001234"
    assert (ticket.lat, ticket.lon) == (30.58, 114.3)
    assert ticket.registered_by.username == "open311-city-app"
    assert ticket.events.get().action == "register"

    for fmt in ("json", "xml"):
        got = georeport_client(fmt).get_service_request(number)
        if fmt == "xml":
            assert isinstance(got, dict)
        assert got["service_request_id"] == number
        assert got["status"] == "open"
        assert got["service_code"] == leaf.code
        assert got["service_name"] == "路灯不亮"
        assert got["description"] == "中山大道路灯连续三晚不亮"
        assert got["address"] == "江岸区大智街道中山大道1号"
        assert float(got["lat"]) == 30.58 and float(got["long"]) == 114.3
        assert got["media_url"] == "https://example.org/photo.jpg"
        assert got["requested_datetime"].endswith("+08:00")
        # Never the complainant.
        assert "13800001234" not in json.dumps(got, ensure_ascii=False)
        assert "张三" not in json.dumps(got, ensure_ascii=False)


def test_xml_post_answers_in_xml(client, open311_key, leaf):
    _, key = open311_key
    response = post_form(
        client,
        "xml",
        {
            "api_key": key,
            "service_code": leaf.code,
            "address_string": "汉口火车站",
            "description": "x",
        },
    )
    assert response.status_code == 201
    request = xmltodict.parse(response.content)["service_requests"]["request"]
    assert Ticket.objects.filter(number=request["service_request_id"]).exists()
    assert request["account_id"] is None


def test_address_id_is_a_region_code(client, open311_key, leaf):
    _, key = open311_key
    response = post_form(
        client, "json", {"api_key": key, "service_code": leaf.code, "address_id": "jiangan"}
    )
    assert response.status_code == 201
    ticket = Ticket.objects.get(number=response.json()[0]["service_request_id"])
    assert ticket.region.code == "jiangan"
    assert ticket.content == leaf.full_name  # no description: the service type says what


def test_same_token_makes_one_request_and_resolves_by_token(
    civicbot_client, georeport_client, open311_key, leaf, client
):
    _, key = open311_key
    library = civicbot_client(headers={"Idempotency-Key": "app-42"})
    first = library.create_request(
        leaf.code, dry_run=False, confirm="SEND", api_key=key, address_string="a", description="d"
    )
    again = library.create_request(
        leaf.code, dry_run=False, confirm="SEND", api_key=key, address_string="a", description="d"
    )
    number = first.response[0]["service_request_id"]
    assert again.response[0]["service_request_id"] == number
    assert Ticket.objects.filter(channel="api").count() == 1
    assert library.get_token("app-42") == [{"service_request_id": number, "token": "app-42"}]
    xml = client.get(f"{URL}/tokens/app-42.xml")
    assert (
        xmltodict.parse(xml.content)["service_requests"]["request"]["service_request_id"] == number
    )
    assert client.get(f"{URL}/tokens/unknown.json").status_code == 404


# --- the key ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_missing_wrong_or_revoked_key_is_403_and_writes_nothing(client, open311_key, leaf, fmt):
    row, key = open311_key
    form = {"service_code": leaf.code, "address_string": "武汉", "description": "测试"}
    before = Ticket.objects.count()
    for api_key in (None, "wrong-key"):
        data = dict(form, **({"api_key": api_key} if api_key else {}))
        response = post_form(client, fmt, data)
        assert response.status_code == 403
        assert spec_error(response)[0] == 403
    open311_key_revoke(name=row.name)
    response = post_form(client, fmt, dict(form, api_key=key))
    assert response.status_code == 403
    code, description = spec_error(response)
    assert code == 403 and "api_key" in description
    assert Ticket.objects.count() == before
    assert not Open311Request.objects.exists()


def test_revoked_key_refused_through_the_client_library(civicbot_client, open311_key, leaf):
    row, key = open311_key
    open311_key_revoke(name=row.name)
    with pytest.raises(HttpError) as refused:
        civicbot_client().create_request(
            leaf.code, dry_run=False, confirm="SEND", api_key=key, address_string="武汉"
        )
    assert refused.value.status == 403
    assert json.loads(refused.value.body)[0]["code"] == 403


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "status", "words"),
    [
        ({"service_code": "", "address_string": "x"}, 400, "service_code"),
        ({"service_code": "NOPE", "address_string": "x"}, 404, "NOPE"),
        ({"description": "no place"}, 400, "location"),
        ({"lat": "30.5"}, 400, "together"),
        ({"lat": "north", "long": "114"}, 400, "lat"),
        ({"lat": "91", "long": "114"}, 400, "lat"),
        ({"address_id": "atlantis"}, 404, "address_id"),
        ({"address_string": "x", "description": "长" * 4001}, 400, "description"),
        ({"address_string": "x", "phone": "call me maybe"}, 400, "phone"),
        ({"address_string": "x", "jurisdiction_id": "elsewhere.gov"}, 404, "jurisdiction_id"),
    ],
)
def test_bad_form_is_refused_in_the_spec_format(
    client, open311_key, leaf, settings, form, status, words
):
    settings.HOTLINE_OPEN311_JURISDICTION = "wuhan.gov.cn"
    _, key = open311_key
    data = {"api_key": key, "service_code": leaf.code, **form}
    before = Ticket.objects.count()
    response = post_form(client, "json", data)
    assert response.status_code == status
    code, description = spec_error(response)
    assert code == status and words in description
    assert Ticket.objects.count() == before


@pytest.mark.parametrize(
    ("body", "content_type", "words"),
    [
        (b'{"service_code": "x"}', "application/json", "x-www-form-urlencoded"),
        (b"<xml><service_code>x</service_code></xml>", "text/xml", "x-www-form-urlencoded"),
        (b"service_code=%FF%FE&address_string=x", "application/x-www-form-urlencoded", "UTF-8"),
        (
            b"&".join(b"f%d=1" % i for i in range(150)),
            "application/x-www-form-urlencoded",
            "fields",
        ),
    ],
)
def test_malformed_or_oversized_body_is_400_and_writes_nothing(
    client, open311_key, leaf, body, content_type, words
):
    before = Ticket.objects.count()
    response = client.post(f"{URL}/requests.xml", data=body, content_type=content_type)
    assert response.status_code == 400
    code, description = spec_error(response)
    assert code == 400 and words in description
    assert Ticket.objects.count() == before


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_oversized_body_is_413_in_the_spec_format_and_writes_nothing(
    client, open311_key, leaf, settings, fmt
):
    _, key = open311_key
    before = Ticket.objects.count()
    padding = "x" * (settings.HOTLINE_MAX_BODY + 1)
    form = {"api_key": key, "service_code": leaf.code, "address_string": "武汉", "p": padding}
    response = post_form(client, fmt, form)
    assert response.status_code == 413
    code, description = spec_error(response)
    assert code == 413 and "at most" in description
    assert Ticket.objects.count() == before


def test_control_characters_are_refused_in_the_spec_format(client, open311_key, leaf):
    _, key = open311_key
    form = {"api_key": key, "service_code": leaf.code, "address_string": "武\x00汉"}
    response = post_form(client, "xml", form)
    assert response.status_code == 400
    code, description = spec_error(response)
    assert code == 400 and "address_string" in description
    assert not Ticket.objects.filter(channel="api").exists()


def test_unknown_paths_and_methods(client):
    response = client.get(f"{URL}/nothing.json")
    assert response.status_code == 404 and spec_error(response)[0] == 404
    response = client.get(f"{URL}/requests.html")
    assert response.status_code == 404 and spec_error(response)[0] == 404
    response = client.delete(f"{URL}/services.json")
    assert response.status_code == 400 and spec_error(response)[0] == 400


# --- GET requests and its filters ------------------------------------------------------------------


@pytest.fixture
def filed(civicbot_client, open311_key, leaf):
    """Three requests filed through Open311; the second closed, the third of another service."""
    _, key = open311_key
    other = CategoryFactory(name="噪音扰民", level=3, parent=leaf.parent)
    library = civicbot_client()
    numbers = []
    for code, text in ((leaf.code, "一"), (leaf.code, "二"), (other.code, "三")):
        made = library.create_request(
            code,
            dry_run=False,
            confirm="SEND",
            api_key=key,
            address_string="武汉",
            description=text,
        )
        numbers.append(made.response[0]["service_request_id"])
    act("agent", numbers[1], "invalidate", reason="重复")
    return numbers, other


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_get_requests_filters(georeport_client, filed, leaf, fmt, client):
    numbers, other = filed
    library = georeport_client(fmt)

    def ids(**filters) -> list[str]:
        found = library.get_service_requests(**filters)
        if isinstance(found, dict):  # xmltodict gives a lone <request> as a dict
            found = [found]
        return [r["service_request_id"] for r in found]

    assert ids() == list(reversed(numbers))  # newest first, the last 90 days
    assert ids(service_request_id=f"{numbers[2]},{numbers[0]}") == [numbers[2], numbers[0]]
    assert ids(service_code=other.code) == [numbers[2]]
    assert ids(service_code=f"{leaf.code},{other.code}") == list(reversed(numbers))
    assert ids(status="closed") == [numbers[1]]
    assert ids(status="open") == [numbers[2], numbers[0]]
    now = timezone.localtime()
    later = (now + timedelta(hours=1)).isoformat(timespec="seconds")
    if fmt == "json":
        assert ids(start_date=later) == []
    else:  # georeport cannot read an empty list in XML (xmltodict gives None): read it raw
        response = client.get(f"{URL}/requests.xml", {"start_date": later})
        assert response.content.endswith(b"<service_requests />")
    window = {
        "start_date": (now - timedelta(days=1)).isoformat(timespec="seconds"),
        "end_date": (now + timedelta(days=1)).isoformat(timespec="seconds"),
    }
    assert len(ids(**window)) == 3


def test_closed_request_reads_closed(georeport_client, filed):
    numbers, _ = filed
    got = georeport_client("json").get_service_request(numbers[1])
    assert got["status"] == "closed"
    assert got["status_notes"] == "无效"


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("start_date=yesterday", "start_date"),
        ("start_date=2026-01-01T00:00:00", "start_date"),  # no zone
        ("start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z", "90 days"),
        ("start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z", "before"),
        ("status=pending", "status"),
    ],
)
def test_bad_filters_are_400(client, query, words):
    response = client.get(f"{URL}/requests.json?{query}")
    assert response.status_code == 400
    code, description = spec_error(response)
    assert code == 400 and words in description


def test_only_open311_requests_are_published_by_default(client, filed, settings):
    phoned = register(title="电话登记", content="不公开的电话工单")
    secret = register(
        content="保密", citizen={"name": "李", "phone": "13900000000", "confidential": True}
    )
    response = client.get(f"{URL}/requests/{phoned.number}.json")
    assert response.status_code == 404
    settings.HOTLINE_OPEN311_PUBLISH = "all"
    assert client.get(f"{URL}/requests/{phoned.number}.json").status_code == 200
    assert client.get(f"{URL}/requests/{secret.number}.json").status_code == 404


def test_rate_limits_answer_429_with_retry_after(client, open311_key, leaf, settings, monkeypatch):
    from django.core.cache import cache

    from hotline.intake.open311 import views

    # One fixed minute of the window, however slow the machine (the window is per minute).
    monkeypatch.setattr(views.time, "time", lambda: 1_800_000_010.0)
    cache.clear()
    settings.HOTLINE_OPEN311_RATE_PER_KEY = 2
    _, key = open311_key
    form = {"api_key": key, "service_code": leaf.code, "address_string": "武汉"}
    assert [post_form(client, "json", form).status_code for _ in range(2)] == [201, 201]
    refused = post_form(client, "json", form)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert spec_error(refused)[0] == 429
    assert Ticket.objects.filter(channel="api").count() == 2
    settings.HOTLINE_OPEN311_RATE_PER_IP = 3
    cache.clear()
    codes = [client.get(f"{URL}/services.json").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    cache.clear()


def test_any_form_gets_a_spec_answer_never_a_crash(client, open311_key, leaf):
    """Random forms (the fields the spec names, random values): 201 or a 4xx in the spec's
    format, never a 500; a refused form writes nothing."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    _, key = open311_key
    names = [
        "service_code", "lat", "long", "address_string", "address_id", "description",
        "first_name", "last_name", "phone", "email", "device_id", "account_id", "media_url",
        "jurisdiction_id", "attribute[X]",
    ]  # fmt: skip
    values = st.one_of(
        st.text(max_size=40),
        st.sampled_from([leaf.code, "jiangan", "30.5", "-200", "1e309", "nan", "13800001111"]),
    )

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.dictionaries(st.sampled_from(names), values, max_size=8), st.booleans())
    def check(form, with_key):
        if with_key:
            form = {**form, "api_key": key}
        before = Ticket.objects.count()
        response = post_form(client, "json", form)
        assert response.status_code in (201, 400, 403, 404), response.content
        if response.status_code != 201:
            assert spec_error(response)[0] == response.status_code
            assert Ticket.objects.count() == before

    check()


def test_openapi_describes_every_route_and_the_answers_match_it(client, open311_key, leaf):
    """The OpenAPI description lists each route; real JSON answers validate against it."""
    import jsonschema

    schema = client.get(f"{URL}/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {
        "/discovery.{format}",
        "/services.{format}",
        "/services/{service_code}.{format}",
        "/requests.{format}",
        "/requests/{service_request_id}.{format}",
        "/tokens/{token}.{format}",
    }
    _, key = open311_key
    created = post_form(
        client, "json", {"api_key": key, "service_code": leaf.code, "lat": "30.6", "long": "114.3"}
    )
    number = created.json()[0]["service_request_id"]

    def body_schema(path, method, status):
        answer = schema["paths"][path][method]["responses"][str(status)]
        return answer["content"]["application/json"]["schema"]

    jsonschema.validate(created.json(), body_schema("/requests.{format}", "post", 201))
    for path, url in [
        ("/discovery.{format}", "discovery.json"),
        ("/services.{format}", "services.json"),
        ("/services/{service_code}.{format}", f"services/{leaf.code}.json"),
        ("/requests.{format}", "requests.json"),
        ("/requests/{service_request_id}.{format}", f"requests/{number}.json"),
    ]:
        response = client.get(f"{URL}/{url}")
        jsonschema.validate(response.json(), body_schema(path, "get", response.status_code))
    missing = client.get(f"{URL}/requests/0.json")
    jsonschema.validate(
        missing.json(), body_schema("/requests/{service_request_id}.{format}", "get", 404)
    )


# --- found by the schemathesis gate (tests/fuzz/test_channels_fuzz.py) ------------------------


def test_a_control_character_in_a_field_name_gets_well_formed_xml(client):
    from xml.etree import ElementTree as ET

    response = client.get(f"{URL}/discovery.xml", {"\x1f": "1"})
    assert response.status_code == 400
    root = ET.fromstring(response.content)  # XML 1.0 cannot carry U+001F even escaped
    assert root.findtext("error/code") == "400"
    assert "U+001F" in root.findtext("error/description")


@pytest.mark.parametrize("path", ["discovery.json%0A", "requests%0A.json", "no-such%0Athing"])
def test_a_path_with_a_newline_gets_the_specs_error_not_a_django_page(client, path):
    response = client.get(f"{URL}/{path}")
    assert response.status_code == 400  # the edge refuses the control character, by name
    assert spec_error(response)[0] == 400


def test_a_post_to_no_route_is_the_specs_404_not_a_csrf_page():
    response = Client(enforce_csrf_checks=True).post(
        f"{URL}/requests.AAA", data="a=1", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 404
    assert spec_error(response)[0] == 404
