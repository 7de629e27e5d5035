"""The platform's own error pages (hotline.console.errors): 404, 403 and 500 in the user's
language, and JSON errors for every unknown path under /api/."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import path

from config import urls as root_urls


def boom(request):
    raise RuntimeError("a bug")


def refused(request):
    raise PermissionDenied


urlpatterns = [
    path("boom/", boom),
    path("refused/", refused),
    *root_urls.urlpatterns,
]
handler404 = root_urls.handler404
handler403 = root_urls.handler403
handler500 = root_urls.handler500


def english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.parametrize("where", ["/no/such/page/", "/console/no-such-page/"])
def test_unknown_pages_get_the_platforms_404_in_chinese_by_default(client, where):
    response = client.get(where)
    assert response.status_code == 404
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert '<html lang="zh-hans">' in body and "页面不存在" in body and "返回首页" in body
    assert "Not Found" not in body and "console/console.css" in body


def test_the_404_in_english_when_the_language_cookie_says_so(client):
    body = english(client).get("/no/such/page/").content.decode()
    assert '<html lang="en">' in body and "Page not found" in body and "页面不存在" not in body


def test_a_ticket_out_of_sight_is_the_platforms_404(client):
    assert client.login(username="hanyang-handler", password="demo")
    response = client.get("/console/tickets/2099010100001/")
    assert response.status_code == 404 and "页面不存在" in response.content.decode()


@pytest.mark.urls(__name__)
def test_403_page_in_the_users_language(client):
    response = client.get("/refused/")
    assert response.status_code == 403 and "无权访问" in response.content.decode()
    body = english(client).get("/refused/").content.decode()
    assert "Access denied" in body and "may not" in body and "无权访问" not in body


@pytest.mark.urls(__name__)
def test_500_page_in_the_users_language(client):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500 and "服务器出错" in response.content.decode()
    english(client)
    assert "Server error" in client.get("/boom/").content.decode()


@pytest.mark.parametrize(
    "where", ["/api/v1/no/such/thing", "/api/v1/tickets/1/nothing", "/api/elsewhere", "/api/"]
)
def test_unknown_api_paths_are_json(client, where):
    response = client.get(where)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"error": "not_found", "detail": f"no such path {where}"}
