"""The public ranking pages: published months only, no login; the lists behind each number for
staff who may read the unit."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from october import MONTH

from hotline.accounts.models import User
from hotline.assessment.services import assessment_publish


@pytest.fixture
def published(october):
    assessment_publish(actor=User.objects.get(username="supervisor"), month=MONTH)
    return october


def test_the_public_pages_show_published_months_without_login(published):
    client = Client()
    index = client.get("/ranking/").content.decode()
    assert 'name="viewport"' in index and f"/ranking/{MONTH}/" in index and "2026年10月" in index
    page = client.get(f"/ranking/{MONTH}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert (
        "市住房和城乡建设局" in html
        and "第1版" in html
        and "http" not in html.split("<body>")[0].replace('href="/static', "")
    )
    unit = client.get(f"/ranking/{MONTH}/units/housing/?version=1").content.decode()
    # Every count links to its list: received (4) leads to the 4 tickets behind it.
    link = re.search(
        r'href="(/ranking/2026-10/units/housing/tickets/received/\?version=1)">4<', unit
    )
    assert link, unit
    assert client.get(link.group(1)).status_code == 302  # the list needs a login
    staff = Client()
    staff.force_login(User.objects.get(username="leader"))
    listing = staff.get(link.group(1)).content.decode()
    assert listing.count("/console/tickets/") == 4 and published["T09"] in listing


def test_a_unit_leader_sees_the_lists_of_its_own_sub_tree_only(published):
    client = Client()
    client.force_login(User.objects.get(username="jiangan-leader"))
    assert client.get(f"/ranking/{MONTH}/units/jiangan-01/tickets/received/").status_code == 200
    assert client.get(f"/ranking/{MONTH}/units/housing/tickets/received/").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/ranking/2026-09/",
        "/ranking/2026-13/",
        f"/ranking/{MONTH}/?version=7",
        "/ranking/2026-10/units/nowhere/",
        f"/ranking/{MONTH}/?version=x",
    ],
)
def test_unpublished_or_unknown_is_404(published, path):
    assert Client().get(path).status_code == 404


def test_nothing_is_public_before_publication(october):
    assert Client().get(f"/ranking/{MONTH}/").status_code == 404
    assert "尚无已发布" in Client().get("/ranking/").content.decode()
