"""GET /api/v1/knowledge and /api/v1/knowledge/{id}: published articles, searched in Chinese."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from hotline.orgs.models import Category
from tests.factories import act, register
from tests.knowledge.test_services import published, write


@pytest.fixture
def leaf():
    return Category.objects.filter(level=3, active=True).select_related("parent").first()


def test_search_in_chinese_published_only(api, leaf):
    water = published(leaf, title="停水报修流程", body="小区停水先查询计划停水公告。")
    noise = published(leaf, title="噪音投诉受理范围", body="夜间施工噪音由城管执法受理。")
    draft = write(leaf, title="停水草稿", body="停水")
    body = api("agent").get("knowledge?q=停水").json()
    assert {i["id"] for i in body["items"]} == {water.pk}
    assert body["count"] == 1 and body["next"] is None
    assert "body" not in body["items"][0] and body["items"][0]["excerpt"]
    assert [i["id"] for i in api("agent").get("knowledge?q=噪音").json()["items"]] == [noise.pk]
    assert api("agent").get(f"knowledge/{draft.pk}").status_code == 404
    one = api("jiangan-handler").get(f"knowledge/{water.pk}").json()
    assert one["body"] == "小区停水先查询计划停水公告。" and one["used"] == 0


def test_category_filter_and_use_count(api, leaf):
    article = published(leaf)
    other = Category.objects.filter(level=3, active=True).exclude(pk=leaf.pk).first()
    assert api("agent").get(f"knowledge?category={leaf.parent.code}").json()["count"] == 1
    assert api("agent").get(f"knowledge?category={other.code}").json()["count"] == 0
    ticket = register(kind="consultation", title="咨询", content="停水")
    act("agent", ticket.number, "answer_directly", text="答复", article=article.pk)
    assert api("agent").get(f"knowledge/{article.pk}").json()["used"] == 1


def test_bad_input_and_roles(api, leaf):
    response = api("agent").get("knowledge?category=nothing")
    assert response.status_code == 400 and response.json()["field"] == "category"
    assert api("agent").get("knowledge?page_size=0").status_code == 400
    assert api("auditor").get("knowledge").status_code == 403
    assert api().get("knowledge").status_code == 401
    assert api("agent").get("knowledge/999999").status_code == 404


def test_the_direct_answer_checks_the_article_field(api, leaf):
    ticket = register(kind="consultation", title="咨询", content="停水")
    response = api("agent").act(ticket.number, "answer_directly", text="答复", article="x")
    assert response.status_code == 400 and "article" in response.json()["detail"]
    response = api("agent").act(ticket.number, "answer_directly", text="答复", article=424242)
    assert response.status_code == 400 and response.json()["field"] == "article"


def test_the_console_session_may_read_it(leaf):
    published(leaf)
    client = Client()
    assert client.login(username="agent", password="demo")
    response = client.get("/api/v1/knowledge?q=停水")
    assert response.status_code == 200 and response.json()["count"] == 1


def _queries(api, size):
    with CaptureQueriesContext(connection) as ctx:
        body = api("agent").get(f"knowledge?q=停水&page_size={size}").json()
    assert len(body["items"]) == size
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_page_size(api, leaf):
    for i in range(12):
        published(leaf, title=f"停水答复口径{i}")
    _queries(api, 2)
    assert _queries(api, 12) == _queries(api, 2)
