"""Open311 over real HTTP: the client libraries against the live test server."""

from __future__ import annotations

import pytest
from civicbot.http import HttpTransport, RateLimiter
from civicbot.open311 import Open311Client
from civicbot.registry import Endpoint
from georeport import GeoReport

from hotline.intake.open311.services import open311_key_create
from hotline.orgs.models import Category
from hotline.tickets.models import Ticket

pytestmark = pytest.mark.transactional


def test_file_and_read_over_http(live_server, reseeded):
    _, key = open311_key_create(name="live")
    base = f"{live_server.url}/open311/v2"
    leaf = Category.objects.filter(active=True, children__isnull=True).order_by("code").first()
    filer = Open311Client(
        Endpoint(id="hotline", name="Hotline", base_url=base, write=True),
        transport=HttpTransport(rate_limiter=RateLimiter(min_interval=0)),
    )
    reader = GeoReport(base, output_format="xml")

    assert leaf.code in {s["service_code"] for s in reader.get_service_list()}
    filed = filer.create_request(
        leaf.code,
        dry_run=False,
        confirm="SEND",
        api_key=key,
        address_string="武汉市江汉区民族街道",
        description="真实 HTTP 上的 Open311 诉求",
    )
    number = filed.response[0]["service_request_id"]
    assert Ticket.objects.get(number=number).channel == "api"
    got = reader.get_service_request(number)
    assert got["service_request_id"] == number
    assert got["description"] == "真实 HTTP 上的 Open311 诉求"
    assert [r["service_request_id"] for r in filer.list_requests()] == [number]
