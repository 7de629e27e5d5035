"""The dissatisfied-ticket and repeat-complaint queries: the month's lists by the assessment's
own conditions, filtered, counted, paginated, exported; each unit reads its own."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from october import MONTH
from openpyxl import load_workbook

from hotline.accounts.models import User
from hotline.assessment import queries, selectors, views
from hotline.orgs.models import Unit


def _count(html: str) -> int:
    return int(re.search(r'id="query-count">\D*(\d+)', html).group(1))


@pytest.fixture
def leader_client(client):
    client.force_login(User.objects.get(username="leader"))
    return client


@pytest.mark.parametrize("kind,path", [("dissatisfied", "dissatisfied"), ("repeats", "repeats")])
def test_the_lists_equal_the_rankings_counts(october, leader_client, kind, path):
    period = selectors.month_period(MONTH, timezone.now())
    for code in ("wuhan", "jiangan", "housing", "water"):
        counts = selectors.unit_counts(selectors.Scope(Unit.objects.get(code=code)), period)
        expected = (
            counts["followed_up"] - counts["satisfied"]
            if kind == "dissatisfied"
            else counts["repeats"]
        )
        query = "" if code == "wuhan" else f"&unit={code}"
        page = leader_client.get(f"/ranking/{path}/?month={MONTH}{query}")
        assert page.status_code == 200
        assert _count(page.content.decode()) == expected, code
    # the city has some of each in October
    assert _count(leader_client.get(f"/ranking/{path}/?month={MONTH}").content.decode()) > 0


def test_filters_and_counts(october, leader_client):
    html = leader_client.get(f"/ranking/dissatisfied/?month={MONTH}").content.decode()
    total = _count(html)
    by_unit = re.search(r'id="by-unit">(.*?)</table>', html, re.S).group(1)
    assert sum(int(n) for n in re.findall(r'class="n">(\d+)<', by_unit)) == total
    numbers = re.findall(r'href="/console/tickets/(\d+)/"', html)
    assert len(numbers) == total
    # a district, a category: subsets
    district = _count(
        leader_client.get(f"/ranking/dissatisfied/?month={MONTH}&district=jiangan").content.decode()
    )
    assert district <= total
    bad = leader_client.get(f"/ranking/dissatisfied/?month={MONTH}&district=housing")
    assert bad.status_code == 400
    assert leader_client.get(f"/ranking/repeats/?month={MONTH}&category=nope").status_code == 400
    assert leader_client.get("/ranking/repeats/?month=2026-13").status_code == 400


def test_the_excel_has_the_rows(october, leader_client):
    html = leader_client.get(f"/ranking/dissatisfied/?month={MONTH}").content.decode()
    numbers = re.findall(r'href="/console/tickets/(\d+)/"', html)
    response = leader_client.get(f"/ranking/dissatisfied/?month={MONTH}&format=xlsx")
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "工单编号"
    assert sorted(r[0] for r in rows[2:]) == sorted(numbers)


def test_a_unit_leader_reads_its_own(october, client):
    client.force_login(User.objects.get(username="jiangan-leader"))
    assert client.get(f"/ranking/repeats/?month={MONTH}").status_code == 200
    assert client.get(f"/ranking/repeats/?month={MONTH}&scope=hongshan").status_code == 403
    assert client.get(f"/ranking/repeats/?month={MONTH}&unit=housing").status_code == 400
    client.force_login(User.objects.get(username="agent"))
    assert client.get(f"/ranking/dissatisfied/?month={MONTH}").status_code == 403


def test_queries_do_not_grow_with_the_page(october, leader_client, monkeypatch):
    counts = []
    for size in (1, 50):
        monkeypatch.setattr(views, "QUERY_PAGE", size)
        with CaptureQueriesContext(connection) as ctx:
            page = leader_client.get(f"/ranking/dissatisfied/?month={MONTH}")
        assert page.status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1]


def test_an_unknown_kind_is_bad_input(october):
    from hotline.core.errors import BadInput

    with pytest.raises(BadInput):
        queries.query_for(User.objects.get(username="leader"), "nonsense", {}, timezone.now())


def test_a_supervisor_orders_supervision_from_the_list(october, client):
    from hotline.supervision.models import SupervisionOrder

    client.force_login(User.objects.get(username="supervisor"))
    html = client.get(f"/ranking/repeats/?month={MONTH}").content.decode()
    forms = re.findall(r'action="(/console/tickets/(\d+)/actions/supervise/)"', html)
    assert forms, "an open repeat has its supervision form"
    url, number = forms[0]
    before = SupervisionOrder.objects.filter(ticket__number=number).count()
    response = client.post(url, {"note": "重复投诉，请限期办结"})
    assert response.status_code == 302
    assert SupervisionOrder.objects.filter(ticket__number=number).count() == before + 1
    # a leader reads the list without the forms
    client.force_login(User.objects.get(username="leader"))
    html = client.get(f"/ranking/repeats/?month={MONTH}").content.decode()
    assert "actions/supervise" not in html
