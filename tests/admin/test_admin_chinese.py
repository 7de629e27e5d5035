"""The admin is in Chinese: every model and field of the project's apps has a Chinese name,
and every registered admin's list and add page open for a superuser with Chinese column
headers and filter titles (proper nouns such as Open311, SHA-256 and ID excepted)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from hotline.accounts.models import User

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
# Words that stay as they are: proper nouns and abbreviations.
PROPER = {"ID", "SHA-256", "Open311", "API", "URL", "IP", "WeChat", "openid", "PDF"}


def project_models():
    return [m for m in apps.get_models() if m.__module__.startswith("hotline.")]


def english_left(text: str) -> bool:
    """True when ``text`` reads as English: no Chinese and not only proper nouns or numbers."""
    text = text.strip()
    if not text or CJK.search(text):
        return False
    words = re.findall(r"[A-Za-z][A-Za-z0-9\-]*", text)
    return any(word not in PROPER for word in words)


def test_every_model_and_field_is_named_in_chinese():
    english = []
    for model in project_models():
        for name in (model._meta.verbose_name, model._meta.verbose_name_plural):
            if not CJK.search(str(name)):
                english.append(f"{model._meta.label}: {name}")
        for field in model._meta.get_fields():
            if (field.auto_created and not field.concrete) or field.name == "id":
                continue
            if english_left(str(field.verbose_name)):
                english.append(f"{model._meta.label}.{field.name}: {field.verbose_name}")
    assert english == []


def test_holidays_are_named_in_chinese():
    from hotline.workcal.models import CalendarDay

    names = set(CalendarDay.objects.exclude(name="").values_list("name", flat=True))
    assert {"元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"} <= names
    assert [n for n in names if not CJK.search(n)] == []


@pytest.fixture
def superuser_client(client, monkeypatch):
    from hotline.accounts.roles import Role
    from hotline.accounts.services import membership_grant
    from hotline.orgs.models import Unit

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2026, 11, 26))
    user = User.objects.create_superuser(username="zh-admin", password="pw", display_name="管理员")
    membership_grant(user=user, unit=Unit.objects.get(code="center"), role=Role.ADMIN)
    client.force_login(user)
    return client


HEADER = re.compile(r'<th scope="col"[^>]*>(.*?)</th>', re.S)
FILTER = re.compile(r"<summary>\s*(.*?)\s*</summary>", re.S)
TAGS = re.compile(r"<[^>]+>")


def visible(html: str) -> str:
    return re.sub(r"\s+", " ", TAGS.sub(" ", html)).strip()


def test_every_admin_list_and_add_page_opens_in_chinese(superuser_client):
    problems = []
    seen = {"columns": 0, "filters": 0}
    registered = [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model.__module__.startswith("hotline.")
    ]
    assert len(registered) > 20
    for model, _model_admin in registered:
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        response = superuser_client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        if response.status_code != 200:
            problems.append(f"{url}: {response.status_code}")
            continue
        page = response.content.decode()
        for header in HEADER.findall(page):
            seen["columns"] += 1
            text = visible(header)
            if english_left(text):
                problems.append(f"{url}: column {text!r}")
        for title in FILTER.findall(page):
            seen["filters"] += 1
            text = visible(title)
            if english_left(text.replace("按 ", "").replace(" 筛选", "")):
                problems.append(f"{url}: filter {text!r}")
        add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
        status = superuser_client.get(add).status_code
        if status not in (200, 403):  # 403: added only through the services
            problems.append(f"{add}: {status}")
    assert problems == []
    assert seen["columns"] > 100 and seen["filters"] > 20, seen
