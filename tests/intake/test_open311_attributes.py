"""Open311 service definitions with attributes (kept per catalogue leaf in the admin), POST
with ``attribute[code]=value``, and ``media_url`` kept as a link: through the published
client libraries (georeport reads the definition, civicbot files against it)."""

from __future__ import annotations

import pytest
from civicbot.http import HttpError

from hotline.intake.models import Open311Attribute, Open311Request
from hotline.intake.open311.formats import AttributeSpec, Open311Error, check_attributes
from hotline.tickets.models import Ticket
from tests.factories import CategoryFactory, Open311AttributeFactory
from tests.intake.test_open311_api import post_form, spec_error

SEND = {"dry_run": False, "confirm": "SEND"}


@pytest.fixture
def lamp(db):
    """A leaf asking for the lamp's number (required), the fault (a list) and the floors."""
    top = CategoryFactory(name="市政设施", level=1)
    middle = CategoryFactory(name="道路照明", level=2, parent=top)
    leaf = CategoryFactory(name="路灯不亮", level=3, parent=middle, default_kind="complaint")
    Open311AttributeFactory(
        category=leaf, code="pole", description="灯杆编号", required=True, order=1,
        datatype_description="灯杆上的喷码，如 JA-0012",
    )  # fmt: skip
    Open311AttributeFactory(
        category=leaf, code="fault", description="故障情况", datatype="singlevaluelist", order=2,
        values=[{"key": "dark", "name": "不亮"}, {"key": "flicker", "name": "闪烁"}],
    )  # fmt: skip
    Open311AttributeFactory(
        category=leaf, code="hours", description="持续天数", datatype="number", order=3
    )
    return leaf


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_definition_lists_the_attributes_and_the_service_has_metadata(
    georeport_client, lamp, fmt
):
    client = georeport_client(fmt)
    definition = client.get_service_definition(lamp.code)
    attributes = definition["attributes"]
    if isinstance(attributes, dict):  # XML: <attributes><attribute>...
        attributes = attributes["attribute"]
    by_code = {a["code"]: a for a in attributes}
    assert list(by_code) == ["pole", "fault", "hours"]
    assert str(by_code["pole"]["required"]).lower() == "true"
    assert by_code["pole"]["datatype_description"] == "灯杆上的喷码，如 JA-0012"
    values = by_code["fault"]["values"]
    if isinstance(values, dict):
        values = values["value"]
    assert [(v["key"], v["name"]) for v in values] == [("dark", "不亮"), ("flicker", "闪烁")]
    service = next(s for s in client.get_service_list() if s["service_code"] == lamp.code)
    assert str(service["metadata"]).lower() == "true"


def test_the_client_files_against_the_definition_and_the_values_are_kept(
    civicbot_client, georeport_client, open311_key, lamp
):
    _, key = open311_key
    filed = civicbot_client().create_request(
        lamp.code,
        **SEND,
        api_key=key,
        validate_remote=True,
        address_string="江岸区大智街道中山大道1号",
        description="中山大道路灯不亮",
        attributes={"pole": "JA-0012", "fault": "dark", "hours": "72"},
        media_url="https://img.example.org/lamp.jpg?size=large",
    )
    number = filed.response[0]["service_request_id"]
    ticket = Ticket.objects.get(number=number)
    row = Open311Request.objects.get(ticket=ticket)
    assert row.attributes == {"pole": "JA-0012", "fault": "dark", "hours": 72.0}
    # The unit reads them with the content, by their questions and the list's names.
    assert ticket.content == "中山大道路灯不亮\n\n灯杆编号：JA-0012\n故障情况：不亮\n持续天数：72.0"
    assert row.media_url == "https://img.example.org/lamp.jpg?size=large"
    got = georeport_client("json").get_service_request(number)
    assert got["media_url"] == "https://img.example.org/lamp.jpg?size=large"


def test_the_client_library_refuses_a_missing_required_attribute_before_sending(
    civicbot_client, open311_key, lamp
):
    from civicbot.open311 import ValidationError

    _, key = open311_key
    with pytest.raises(ValidationError, match="pole"):
        civicbot_client().create_request(
            lamp.code, **SEND, api_key=key, validate_remote=True, address_string="大智路"
        )
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    "attributes, message",
    [
        ({}, "attribute[pole] is required"),
        ({"attribute[pole]": "   "}, "attribute[pole] is required"),
        ({"attribute[pole]": "1", "attribute[colour]": "red"}, "attribute[colour] is not"),
        ({"attribute[pole]": "1", "attribute[fault]": "broken"}, "'broken' is not one of"),
        ({"attribute[pole]": "1", "attribute[hours]": "many"}, "attribute[hours] must be a number"),
        ({"attribute[pole]": "1", "attribute[hours]": "nan"}, "must be a finite number"),
        ({"attribute[pole]": "x" * 1001}, "at most 1000 characters"),
    ],
)
def test_bad_attributes_are_the_specs_400_and_write_nothing(
    client, open311_key, lamp, attributes, message
):
    _, key = open311_key
    form = {"api_key": key, "service_code": lamp.code, "address_string": "大智路", **attributes}
    response = post_form(client, "json", form)
    assert response.status_code == 400
    code, description = spec_error(response)
    assert code == 400 and message in description
    assert not Ticket.objects.exists()


def test_a_multivaluelist_takes_repeated_fields(client, open311_key, lamp):
    Open311AttributeFactory(
        category=lamp, code="near", description="附近", datatype="multivaluelist", order=4,
        values=[{"key": "school", "name": "学校"}, {"key": "road", "name": "主干道"}],
    )  # fmt: skip
    _, key = open311_key
    body = (
        f"api_key={key}&service_code={lamp.code}&address_string=x&attribute[pole]=7"
        "&attribute[near][]=school&attribute[near][]=road"
    )
    response = client.post(
        "/open311/v2/requests.json", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 201, response.content
    row = Open311Request.objects.get()
    assert row.attributes["near"] == ["school", "road"]
    assert "附近：学校、主干道" in row.ticket.content


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "file:///etc/passwd",
        "data:image/png;base64,AAAA",
        "ftp://example.org/a.jpg",
        "//example.org/a.jpg",
        "https://",
        "http://exa mple.org/a.jpg",
    ],
)
def test_media_url_must_be_an_http_link(civicbot_client, open311_key, lamp, url):
    _, key = open311_key
    with pytest.raises(HttpError) as refused:
        civicbot_client().create_request(
            lamp.code, **SEND, api_key=key, address_string="大智路",
            attributes={"pole": "1"}, media_url=url,
        )  # fmt: skip
    assert refused.value.status == 400
    assert "media_url" in str(refused.value)
    assert not Ticket.objects.exists()


def test_media_url_is_never_fetched(civicbot_client, open311_key, lamp, monkeypatch):
    """An internal address is kept as text: no request leaves the server (no SSRF)."""
    import socket
    import urllib.request

    def no_network(*args, **kwargs):
        raise AssertionError("the server tried to fetch media_url")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    _, key = open311_key
    filed = civicbot_client().create_request(
        lamp.code, **SEND, api_key=key, address_string="大智路", attributes={"pole": "1"},
        media_url="http://169.254.169.254/latest/meta-data/",
    )  # fmt: skip
    number = filed.response[0]["service_request_id"]
    row = Open311Request.objects.get(ticket__number=number)
    assert row.media_url == "http://169.254.169.254/latest/meta-data/"


def test_check_attributes_is_pure():
    specs = [
        AttributeSpec("when", "datetime", False),
        AttributeSpec("kind", "singlevaluelist", False, ("a", "b")),
    ]
    assert check_attributes(specs, {"when": ["2026-12-04T08:00:00+08:00"]}) == {
        "when": "2026-12-04T08:00:00+08:00"
    }
    with pytest.raises(Open311Error, match="w3 date-time"):
        check_attributes(specs, {"when": ["yesterday"]})
    with pytest.raises(Open311Error, match="one value only"):
        check_attributes(specs, {"kind": ["a", "b"]})


# --- the admin -------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, db):
    from hotline.accounts.models import User

    client.force_login(User.objects.create_superuser(username="attr-admin", password="pw"))
    return client


def _add(admin_client, **fields):
    data = {
        "code": "pole",
        "description": "灯杆编号",
        "datatype": "string",
        "order": "1",
        "values": "[]",
        "datatype_description": "",
        **fields,
    }
    return admin_client.post("/admin/intake/open311attribute/add/", data)


def test_the_admin_adds_an_attribute_to_a_leaf_and_the_definition_shows_it(admin_client, lamp):
    response = _add(
        admin_client,
        category=str(lamp.pk),
        code="bus-line",
        description="公交线路",
        datatype="singlevaluelist",
        values='[{"key": "1", "name": "1路"}, {"key": "2", "name": "2路"}]',
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    definition = admin_client.get(f"/open311/v2/services/{lamp.code}.json").json()
    added = {a["code"]: a for a in definition["attributes"]}["bus-line"]
    assert added["values"] == [{"key": "1", "name": "1路"}, {"key": "2", "name": "2路"}]


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"datatype": "singlevaluelist", "values": "[]"}, "单选、多选须列出选项"),
        ({"values": '[{"key": "1", "name": "x"}]'}, "只有单选、多选有选项"),
        ({"code": "has space"}, "字母、数字"),
    ],
)
def test_the_admin_refuses_a_bad_attribute(admin_client, lamp, fields, message):
    before = Open311Attribute.objects.count()
    response = _add(admin_client, category=str(lamp.pk), **fields)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Open311Attribute.objects.count() == before


def test_the_admin_offers_only_active_leaves(admin_client, lamp):
    page = admin_client.get("/admin/intake/open311attribute/add/").content.decode()
    assert f'value="{lamp.pk}"' in page
    assert f'value="{lamp.parent_id}"' not in page
