"""The console's knowledge pages: list and search, article, write, review buttons."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from hotline.knowledge.models import Article
from hotline.orgs.models import Category
from tests.knowledge.test_services import published, u, write


@pytest.fixture
def leaf():
    return Category.objects.filter(level=3, active=True).first()


@pytest.fixture
def console(db):
    def as_user(username: str) -> Client:
        client = Client()
        assert client.login(username=username, password="demo"), username
        return client

    return as_user


def test_list_searches_and_hides_drafts_from_readers(console, leaf):
    water = published(leaf, title="停水报修流程")
    draft = write(leaf, title="停水草稿")
    html = console("jiangan-handler").get("/console/knowledge/", {"q": "停水"}).content.decode()
    assert water.title in html and draft.title not in html and "撰写文章" not in html
    html = console("dispatcher").get("/console/knowledge/", {"q": "停水"}).content.decode()
    assert water.title in html and draft.title in html and "撰写文章" in html
    assert console("auditor").get("/console/knowledge/").status_code == 403


def test_body_is_plain_text(console, leaf):
    article = published(leaf, body="<script>alert(1)</script>\n第二行")
    html = console("agent").get(f"/console/knowledge/{article.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_write_then_review_buttons_only_for_who_may(console, leaf):
    response = console("agent").post(
        "/console/knowledge/new/", {"category": leaf.code, "title": "", "body": ""}
    )
    assert response.status_code == 400 and "请填写标题。" in response.content.decode()
    response = console("agent").post(
        "/console/knowledge/new/",
        {"category": leaf.code, "title": "噪音投诉受理范围", "body": "夜间施工噪音"},
    )
    article = Article.objects.get(title="噪音投诉受理范围")
    assert response.status_code == 302
    console("agent").post(f"/console/knowledge/{article.pk}/actions/submit/")
    own = console("agent").get(f"/console/knowledge/{article.pk}/").content.decode()
    assert "/actions/publish/" not in own
    other = console("dispatcher").get(f"/console/knowledge/{article.pk}/").content.decode()
    assert "/actions/publish/" in other and "/actions/reject/" in other
    assert (
        console("agent").post(f"/console/knowledge/{article.pk}/actions/publish/").status_code
        == 403
    )
    console("dispatcher").post(f"/console/knowledge/{article.pk}/actions/publish/")
    assert Article.objects.get(pk=article.pk).status == "published"
    assert Article.objects.get(pk=article.pk).reviewed_by == u("dispatcher")


def test_list_query_count_does_not_grow(console, leaf):
    client = console("dispatcher")
    for i in range(3):
        published(leaf, title=f"停水口径{i}")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            client.get("/console/knowledge/", {"q": "停水"})
        return len(ctx.captured_queries)

    count()
    few = count()
    for i in range(15):
        published(leaf, title=f"停水答复{i}")
    assert count() == few


def test_the_panel_include_renders(leaf):
    from django.template.loader import render_to_string

    html = render_to_string("console/knowledge/_panel.html")
    assert "data-kb-panel" in html and "/api/v1/knowledge" in html and "knowledge/panel.js" in html


def test_pages_in_english(console, leaf):
    article = published(leaf)
    client = console("dispatcher")
    client.cookies["django_language"] = "en"
    html = client.get("/console/knowledge/").content.decode()
    assert "Knowledge base" in html and "Write an article" in html and "1 article" in html
    html = client.get(f"/console/knowledge/{article.pk}/").content.decode()
    assert "Versions" in html and "Used in 0 direct answers" in html
