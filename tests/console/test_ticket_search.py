"""The console's ticket list: Chinese search, filters with Chinese labels and field errors."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import act, register


@pytest.fixture
def console(db):
    def as_user(username: str) -> Client:
        client = Client()
        assert client.login(username=username, password="demo"), username
        return client

    return as_user


def page(client, **params) -> str:
    response = client.get(reverse("console:ticket_list"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_search_finds_the_word_and_shows_the_filters_in_chinese(console):
    hit = register(title="小区停水三天", content="没有自来水")
    miss = register(title="水停了", content="没有自来水")
    html = page(console("dispatcher"), q="停水")
    assert hit.number in html and miss.number not in html
    for label in (
        "状态",
        "承办单位",
        "区域",
        "分类",
        "渠道",
        "诉求类型",
        "登记日期从",
        "预警",
        "排序",
    ):
        assert f">{label}</label>" in html
    assert "办理时限" in html  # the deadline column


def test_a_handler_finds_only_its_units_tickets(console):
    theirs = register(title="汉阳停水")
    act("dispatcher", theirs.number, "dispatch", unit="hanyang")
    ours = register(title="江岸停水")
    act("dispatcher", ours.number, "dispatch", unit="jiangan")
    html = page(console("jiangan-handler"), q="停水")
    assert ours.number in html and theirs.number not in html
    # the unit filter offers only the handler's own sub-tree
    units = re.search(r'<select name="unit".*?</select>', html, re.S).group(0)
    assert 'value="hanyang"' not in units and 'value="jiangan"' in units


def test_bad_filters_show_field_errors_in_chinese_and_no_list(console):
    register(title="小区停水三天")
    html = page(
        console("dispatcher"),
        q="停水",
        channel="pigeon",
        registered_from="2026-02-01",
        registered_to="2026-01-01",
    )
    assert "没有这个渠道。" in html
    assert "结束日期不能早于开始日期。" in html
    assert "筛选条件无效" in html
    assert re.search(r"共 0 件工单", html)


def test_sort_by_deadline_is_offered_and_applied(console):
    register(title="停水甲")
    register(title="停水乙")
    html = page(console("dispatcher"), q="停水", sort="deadline")
    assert 'value="deadline" selected' in html
    assert html.count("/console/tickets/2") >= 4  # two rows, two links each


def _queries(client, n_rows):
    with CaptureQueriesContext(connection) as ctx:
        html = page(client, q="停水", warning="none", sort="deadline", page=1)
    assert html.count('class="mono"') == n_rows
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_the_rows_shown(console):
    client = console("dispatcher")
    for i in range(3):
        register(title=f"停水{i}", address="江汉路")
    _queries(client, 3)
    few = _queries(client, 3)
    for i in range(17):
        register(title=f"又停水{i}", address="江汉路")
    assert _queries(client, 20) == few


def test_a_huge_result_is_counted_up_to_the_cap_and_paged_that_far(console, monkeypatch):
    """A word common across a city's tickets: the count stops at the cap (counting every
    match reads every one), the page says so, and the pages end there."""
    from hotline.console.views import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "cap", 40)
    for i in range(45):
        register(title=f"夜间噪音扰民{i}")
    client = console("dispatcher")
    html = page(client, q="噪音")
    assert "超过 40 件工单，只列出前 40 件：请加条件缩小范围。" in html
    assert "共 45 件工单" not in html
    assert "第 1 / 2 页" in html
    last = page(client, q="噪音", page=2)
    assert len(re.findall(r'<td class="mono"><a href="/console/tickets/\d+/">', last)) == 20
    assert 'rel="next"' not in last
    # Under the cap: the count as it is.
    monkeypatch.setattr(CappedPaginator, "cap", 2000)
    html = page(client, q="噪音")
    assert "共 45 件工单" in html and "超过" not in html
